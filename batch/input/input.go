package input

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Options says how to read an input file.
type Options struct {
	Encoding string // "" detects; utf-8, gbk, gb18030
	Sheet    string // xlsx: "" picks the one visible sheet whose row 1 is a header
	BatchID  string // for orderids
	// AllowDuplicates submits a repeated (phone, pid) as its own order.
	AllowDuplicates bool
}

// Problem is one input row that cannot be submitted as it is.
type Problem struct {
	Line   int
	Reason string
	DupOf  int // for duplicates
}

// Report is what reading the whole file found.
type Report struct {
	Info       journal.InputInfo
	Valid      int            // rows that will be submitted
	Invalid    []Problem      // bad phone, missing pid, unreadable
	Duplicates []Problem      // repeated (phone, pid)
	ByPid      map[string]int // valid rows per pid
	ByCarrier  map[juhe.Carrier]int
}

// Header names accepted for each role, compared case-insensitively after
// trimming spaces (fullwidth too) and a byte order mark.
var (
	PhoneHeaders = []string{"phone", "mobile", "手机号", "手机号码", "号码"}
	PidHeaders   = []string{"pid", "产品编码", "流量产品编码", "套餐编码", "产品ID"}
)

// SupportedFormats names the file extensions Read understands.
const SupportedFormats = ".csv, .txt (CSV) and .xlsx, .xlsm (Excel)"

// rowSource feeds every row of a file, header first, to each, in order.
// A row's Line is the row number a person sees in a spreadsheet (the
// header is row 1 when it is the first row). The row is reused: each must
// copy what it keeps.
type rowSource func(ctx context.Context, each func(*rawRow) error) error

// Read reads the whole input at path, validates every row and calls
// fn (if non-nil) with each row in file order, with its orderid derived.
// Memory stays a small fixed amount per row. Errors name the row.
//
// Fully blank rows are skipped but keep their line number. A row is valid,
// invalid (bad phone, missing or bad pid, unreadable) or a duplicate of an
// earlier (phone, pid); a valid row, and a duplicate under
// opts.AllowDuplicates, gets the orderid of its occurrence.
func Read(ctx context.Context, path string, opts Options, fn func(*journal.RowRecord) error) (*Report, error) {
	name := filepath.Base(path)
	rep, err := readInput(ctx, path, opts, fn, true)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return rep, nil
}

// ReadRows reads the rows as Read does, keeping no problems: for a
// second reading that needs only the rows (the report's Invalid and
// Duplicates stay empty). Its errors name no file.
func ReadRows(ctx context.Context, path string, opts Options, fn func(*journal.RowRecord) error) (*Report, error) {
	return readInput(ctx, path, opts, fn, false)
}

// readInput is Read; without problems, the report's Invalid and
// Duplicates stay empty (a second reading needs only the rows, and a
// million problems cost a hundred megabytes or more).
func readInput(ctx context.Context, path string, opts Options, fn func(*journal.RowRecord) error, problems bool) (*Report, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		format = "csv"
	case ".xlsx", ".xlsm":
		format = "xlsx"
	default:
		return nil, fmt.Errorf("unsupported file type %q; supported: %s", filepath.Ext(path), SupportedFormats)
	}
	rep := &Report{
		Info:      journal.InputInfo{Name: filepath.Base(path), Format: format},
		ByPid:     map[string]int{},
		ByCarrier: map[juhe.Carrier]int{},
	}
	var (
		src rowSource
		err error
	)
	switch format {
	case "csv":
		src, err = openCSV(path, opts.Encoding, &rep.Info)
	case "xlsx":
		if opts.Encoding != "" {
			return nil, fmt.Errorf("-encoding applies to CSV files only")
		}
		rep.Info.SHA256, err = fileSHA256(path)
		if err == nil {
			src, err = openXLSX(path, opts.Sheet, &rep.Info)
		}
	}
	if err != nil {
		return nil, err
	}
	v := &validator{opts: opts, rep: rep, fn: fn, problems: problems, seen: map[dupKey]dupEntry{}, pids: map[string]string{}}
	if err := src(ctx, v.row); err != nil {
		return nil, err
	}
	if !v.header {
		return nil, errors.New("the file is empty: no header row")
	}
	return rep, nil
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// dupKey identifies a (phone, pid): a valid phone is 11 digits, so it fits
// a uint64, and pid strings are interned. That keeps the per-row state small.
type dupKey struct {
	phone uint64
	pid   string
}

type dupEntry struct {
	first int32 // line of the first occurrence
	count int32
}

type validator struct {
	opts     Options
	rep      *Report
	fn       func(*journal.RowRecord) error
	problems bool // keep them in rep

	header    bool
	phoneCol  int
	pidCol    int
	extraCols []int
	seen      map[dupKey]dupEntry
	pids      map[string]string // interned pid strings
	text      int64             // bytes of text in the rows so far
	rec       journal.RowRecord
}

func (v *validator) row(raw *rawRow) error {
	if raw.End {
		return v.checkMerged(raw.Merged)
	}
	line, cells := raw.Line, raw.Cells
	if line > MaxRows {
		return fmt.Errorf("row %d: %w", line, limitErr("at most %s rows (Excel's limit)", thousands(MaxRows)))
	}
	if err := checkRow(cells, &v.text); err != nil {
		return fmt.Errorf("row %d: %w", line, err)
	}
	if !v.header {
		if raw.Err != nil {
			return fmt.Errorf("row %d (header): %w", line, raw.Err)
		}
		v.header = true
		return v.readHeader(raw)
	}
	if raw.Err == nil && blank(cells) {
		return nil
	}
	v.rep.Info.Rows++
	// A fresh record per row: fn may keep it.
	r := &journal.RowRecord{Line: line, Extra: make([]string, len(v.extraCols))}
	for i, c := range v.extraCols {
		if c < len(cells) {
			r.Extra[i] = trimCell(cells[c])
		}
	}
	v.classify(r, raw)
	if r.OrderID != "" {
		v.rep.Valid++
		v.rep.ByPid[r.Pid]++
		v.rep.ByCarrier[juhe.CarrierOf(r.Phone)]++
	}
	if v.fn != nil {
		if err := v.fn(r); err != nil {
			return fmt.Errorf("row %d: %w", line, err)
		}
	}
	return nil
}

func (v *validator) classify(r *journal.RowRecord, raw *rawRow) {
	cells := raw.Cells
	cell := func(i int) string {
		if i < len(cells) {
			return cells[i]
		}
		return ""
	}
	invalid := func(reason string) {
		r.Status, r.Reason = journal.RowInvalid, reason
		if v.problems {
			v.rep.Invalid = append(v.rep.Invalid, Problem{Line: r.Line, Reason: reason})
		}
	}
	r.Phone = trimCell(cell(v.phoneCol))
	r.Pid = trimCell(cell(v.pidCol))
	if raw.Err != nil {
		invalid("unreadable row: " + raw.Err.Error())
		return
	}
	// A hidden row (hidden, filtered out or of no height) is not on the
	// list the user sees: charging it would charge somebody unseen.
	if raw.Hidden {
		invalid("the row is hidden in the sheet (hidden, filtered out or of no height): it is not on the list shown; unhide it, or delete it")
		return
	}
	// A formula's saved value can be stale: the number charged must be
	// the number shown.
	for _, c := range [...]struct {
		col  int
		what string
	}{{v.phoneCol, "phone"}, {v.pidCol, "pid"}} {
		if raw.formula(c.col) {
			invalid(fmt.Sprintf("the %s cell is a formula; its saved value may not be what the sheet shows: paste the column as values", c.what))
			return
		}
		if raw.formatted(c.col) {
			invalid(fmt.Sprintf("the %s cell has a number format under which the sheet may show other digits than it holds (a custom format, a date, a fraction…): set the column's format to General or Text", c.what))
			return
		}
	}
	phone, err := NormalizePhone(r.Phone)
	if err != nil {
		invalid("bad phone: " + err.Error())
		return
	}
	r.Phone = phone
	pid, err := normalizePid(r.Pid)
	if err != nil {
		invalid(err.Error())
		return
	}
	if p, ok := v.pids[pid]; ok {
		pid = p
	} else {
		v.pids[pid] = pid
	}
	r.Pid = pid
	n, _ := strconv.ParseUint(phone, 10, 64)
	k := dupKey{phone: n, pid: pid}
	e, ok := v.seen[k]
	if !ok {
		e.first = int32(r.Line)
	}
	e.count++
	v.seen[k] = e
	r.Occurrence = int(e.count)
	if ok {
		r.Status, r.DupOf = journal.RowDuplicate, int(e.first)
		r.Reason = fmt.Sprintf("duplicate of row %d", e.first)
		if v.problems {
			v.rep.Duplicates = append(v.rep.Duplicates, Problem{Line: r.Line, Reason: r.Reason, DupOf: r.DupOf})
		}
		if !v.opts.AllowDuplicates {
			return
		}
	} else {
		r.Status = journal.RowValid
	}
	r.OrderID = OrderID(v.opts.BatchID, r.Phone, r.Pid, r.Occurrence)
}

// checkMerged refuses a sheet that merges cells over the phone or
// product column: a merged cell shows its first cell's value across the
// range and hides what the others hold, which the reader still reads.
func (v *validator) checkMerged(merged []cellRange) error {
	if !v.header {
		return nil
	}
	for _, m := range merged {
		if m.col0 == m.col1 && m.row0 == m.row1 {
			continue
		}
		for _, c := range [...]struct {
			col  int
			what string
		}{{v.phoneCol, "phone"}, {v.pidCol, "product"}} {
			if c.col >= m.col0 && c.col <= m.col1 {
				return fmt.Errorf("rows %d–%d: the sheet merges %s%d:%s%d, over the %s column: a merged cell shows one value across several cells and hides what the others hold; unmerge it, and give every row its own value",
					m.row0, m.row1, columnName(m.col0), m.row0, columnName(m.col1), m.row1, c.what)
			}
		}
	}
	return nil
}

func (v *validator) readHeader(raw *rawRow) error {
	line, cells := raw.Line, raw.Cells
	if line != 1 {
		return fmt.Errorf("row %d: the header must be the first row; rows 1–%d are blank", line, line-1)
	}
	if raw.Hidden {
		return errors.New("row 1 (header): the row is hidden in the sheet: unhide it, so that the list read is the list shown")
	}
	h, err := parseHeader(cells)
	if err != nil {
		return fmt.Errorf("row 1: %w", err)
	}
	// A hidden column's numbers are not what the user sees beside the names.
	for _, c := range [...]struct {
		col  int
		what string
	}{{h.phoneCol, "phone"}, {h.pidCol, "product"}} {
		if raw.hiddenCol(c.col) {
			return fmt.Errorf("row 1: the %s column (%s) is hidden in the sheet: unhide it, so that the list read is the list shown", c.what, columnName(c.col))
		}
	}
	v.phoneCol, v.pidCol, v.extraCols = h.phoneCol, h.pidCol, h.extraCols
	v.rep.Info.Extra = h.extra
	return nil
}

// header is where a header row puts each column.
type header struct {
	phoneCol, pidCol int
	extraCols        []int
	extra            []string // the extra columns' names
}

// parseHeader finds the phone and product columns of a header row, or
// says why it is not one.
func parseHeader(cells []string) (header, error) {
	h := header{phoneCol: -1, pidCol: -1}
	// Trailing empty header cells are not columns.
	n := len(cells)
	for n > 0 && trimCell(cells[n-1]) == "" {
		n--
	}
	for i := 0; i < n; i++ {
		name := trimCell(cells[i])
		role := headerRole(name)
		switch {
		case role == "phone" && h.phoneCol >= 0:
			return h, fmt.Errorf("two phone columns: %q (column %d) and %q (column %d)", trimCell(cells[h.phoneCol]), h.phoneCol+1, name, i+1)
		case role == "pid" && h.pidCol >= 0:
			return h, fmt.Errorf("two product columns: %q (column %d) and %q (column %d)", trimCell(cells[h.pidCol]), h.pidCol+1, name, i+1)
		case role == "phone":
			h.phoneCol = i
		case role == "pid":
			h.pidCol = i
		default:
			if name == "" {
				name = fmt.Sprintf("column %d", i+1)
			}
			h.extraCols = append(h.extraCols, i)
			h.extra = append(h.extra, name)
		}
	}
	var missing []string
	if h.phoneCol < 0 {
		missing = append(missing, "no phone column (accepted headers: "+strings.Join(PhoneHeaders, ", ")+")")
	}
	if h.pidCol < 0 {
		missing = append(missing, "no product column (accepted headers: "+strings.Join(PidHeaders, ", ")+")")
	}
	if missing != nil {
		return h, errors.New(strings.Join(missing, "; "))
	}
	return h, nil
}

func headerRole(h string) string {
	h = strings.ToLower(h)
	for _, p := range PhoneHeaders {
		if h == strings.ToLower(p) {
			return "phone"
		}
	}
	for _, p := range PidHeaders {
		if h == strings.ToLower(p) {
			return "pid"
		}
	}
	return ""
}

func blank(cells []string) bool {
	for _, c := range cells {
		if trimCell(c) != "" {
			return false
		}
	}
	return true
}
