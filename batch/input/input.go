package input

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
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
	// Pid gives every row this product: the file has no product column.
	// The orderid derives from it as from a pid read from the file.
	Pid string
	// Plan is the product of a plan (PlanProduct: "plan:1G") for a file
	// with no product column: each valid row's orderid derives from it,
	// its Pid stays empty for the plan to choose per carrier, and a
	// repeated phone is a duplicate. Not with Pid.
	Plan string
	// PlanFlag names the plan in messages: "-plan 1G".
	PlanFlag string
	// PhoneCol and PidCol name the phone and product columns: a header's
	// name or a column's letters. They settle two candidate columns.
	PhoneCol, PidCol string
	// HiddenRows says what hidden (or filtered-out) rows and hidden phone
	// or pid columns mean: HiddenRefuse, HiddenSkip or HiddenInclude.
	HiddenRows string
	// Known is what a first reading of the file found (its Report's
	// Info): a second reading of the same bytes (the same sha256) takes
	// the encoding it decided instead of deciding again, which for a GBK
	// CSV is a whole pass of decoding. Other bytes are decided afresh.
	Known *journal.InputInfo
}

// Problem is one input row that cannot be submitted as it is. Reason is
// a Reason's English, as journaled (RowRecord.Reason): a report of a
// million problems keeps no more than that, and In turns it back into
// its kind for the few that are shown.
type Problem struct {
	Line   int
	Reason string
	DupOf  int // for duplicates
}

// Why is the problem's reason as a kind and its arguments; false for a
// text no kind renders (an older reader's).
func (p Problem) Why() (Reason, bool) { return ParseReason(p.Reason) }

// In is the problem's reason in lang ("zh" or "en").
func (p Problem) In(lang string) string { return ReasonIn(p.Reason, lang) }

// Report is what reading the whole file found.
type Report struct {
	Info       journal.InputInfo
	Valid      int            // rows that will be submitted
	Invalid    []Problem      // bad phone, missing pid, unreadable
	Duplicates []Problem      // repeated (phone, pid)
	ByPid      map[string]int // valid rows per pid
	ByCarrier  map[juhe.Carrier]int

	HeaderRow     int            // the header's row number
	Footers       []Footer       // rows below the table that are not data
	TrailingBlank int            // blank rows at the end, footers too
	Totals        []ControlTotal // counts the footers state, each equal to Info.Rows
	BlankRows     int            // blank rows inside the table, skipped
	HiddenRows    []int          // hidden rows holding data (at most maxHiddenListed)
	HiddenCount   int            // all of them: refused unless -hidden-rows
	HiddenSkipped int            // hidden rows left out under -hidden-rows skip
}

// maxHiddenListed bounds the hidden rows a report lists.
const maxHiddenListed = 1000

// Header names accepted for each role, compared after normalizeHeader:
// case, width, spaces, '*' and a bracketed remark such as （必填） aside.
var (
	PhoneHeaders = []string{"phone", "mobile", "手机号", "手机号码", "号码", "电话", "电话号码", "手机", "联系电话", "联系方式"}
	PidHeaders   = []string{"pid", "产品编码", "流量产品编码", "套餐编码", "产品ID", "产品编号", "套餐ID", "套餐编号", "商品编码"}
)

// SupportedFormats names the file extensions Read understands.
const SupportedFormats = ".csv, .txt (CSV), .xlsx, .xlsm (Excel) and .ods (LibreOffice)"

// errLegacyXLS refuses an Excel 97–2003 file. No Go reader of the binary
// format is safe enough for money: the public ones panic or misread real
// files, and a misread cell is somebody else's phone. Saving as .xlsx is
// one step in every spreadsheet program, so the message says how.
var errLegacyXLS = refuse(FileLegacyXLS)

// oleMagic starts every Excel 97–2003 (and WPS .et) file.
var oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// isOLE reports whether the file starts as an Excel 97–2003 file does.
func isOLE(path string) bool {
	f, err := OpenRegular(path)
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, len(oleMagic))
	_, err = io.ReadFull(f, b)
	return err == nil && bytes.Equal(b, oleMagic)
}

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
	rep, err := readInput(ctx, path, opts, fn, true, openFile)
	if err != nil {
		return nil, wrap(FileIn, err, name)
	}
	return rep, nil
}

// ReadRows reads the rows as Read does, keeping no problems: for a
// second reading that needs only the rows (the report's Invalid and
// Duplicates stay empty). Its errors name no file.
func ReadRows(ctx context.Context, path string, opts Options, fn func(*journal.RowRecord) error) (*Report, error) {
	return readInput(ctx, path, opts, fn, false, openFile)
}

// readInput is Read; without problems, the report's Invalid and
// Duplicates stay empty (a second reading needs only the rows, and a
// million problems cost a hundred megabytes or more). Each pass through
// the file's bytes opens it with open.
func readInput(ctx context.Context, path string, opts Options, fn func(*journal.RowRecord) error, problems bool, open opener) (*Report, error) {
	var format string
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv", ".txt":
		format = "csv"
	case ".xlsx", ".xlsm":
		format = "xlsx"
	case ".ods":
		format = "ods"
	case ".xls", ".et", ".xlt", ".ett":
		return nil, errLegacyXLS
	default:
		return nil, refuse(FileType, filepath.Ext(path), SupportedFormats)
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
	if opts.Pid != "" {
		pid, err := normalizePid(opts.Pid)
		if err != nil {
			return nil, wrap(OptPid, err)
		}
		opts.Pid = pid
	}
	if opts.Plan != "" && opts.Pid != "" {
		return nil, refuse(OptPidPlan)
	}
	switch opts.HiddenRows {
	case HiddenRefuse, HiddenSkip, HiddenInclude:
	default:
		return nil, refuse(OptHiddenRows, opts.HiddenRows)
	}
	if format != "csv" && isOLE(path) {
		return nil, errLegacyXLS // a .xls renamed
	}
	switch format {
	case "csv":
		src, err = openCSV(path, opts.Encoding, opts.Known, &rep.Info, open)
	case "xlsx", "ods":
		if opts.Encoding != "" {
			return nil, refuse(OptEncodingCSV)
		}
		rep.Info.SHA256, err = fileSHA256(path, open)
		switch {
		case err != nil:
		case format == "xlsx":
			src, err = openXLSX(path, opts.Sheet, opts.rules(), &rep.Info)
		default:
			src, err = openODS(path, opts.Sheet, opts.rules(), &rep.Info)
		}
	}
	if err != nil {
		return nil, err
	}
	v := &validator{opts: opts, rep: rep, fn: fn, problems: problems, seen: map[dupKey]dupEntry{}, pids: map[string]string{}}
	v.finder.rules = opts.rules()
	if err := src(ctx, v.row); err != nil {
		return nil, err
	}
	if err := v.finish(); err != nil {
		return nil, err
	}
	return rep, nil
}

// InputSHA256 is the sha256 of the file's bytes, as InputInfo.SHA256 has
// it, whatever the file holds.
func InputSHA256(path string) (string, error) { return fileSHA256(path, openFile) }

func fileSHA256(path string, open opener) (string, error) {
	f, err := open(path)
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

	finder    headerFinder
	header    bool
	phoneCol  int
	pidCol    int // -1 under -pid
	extraCols []int
	lastLine  int  // the last row seen
	lastData  int  // the last data row
	pending   int  // blank rows since the last data row
	inFooter  bool // a footer was seen: the table has ended
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
		return wrap(AtRow, limitErr(LimitRows, journal.Thousands(MaxRows)), line)
	}
	if err := checkRow(cells, &v.text); err != nil {
		return wrap(AtRow, err, line)
	}
	if !v.header {
		if raw.Hidden && v.opts.HiddenRows == HiddenSkip {
			return nil
		}
		h, err := v.finder.feed(raw)
		if err != nil || h == nil {
			return err
		}
		if raw.Hidden && v.opts.HiddenRows == HiddenRefuse {
			return refuse(HeaderHidden, line)
		}
		v.header, v.lastLine = true, line
		v.phoneCol, v.pidCol, v.extraCols = h.phoneCol, h.pidCol, h.extraCols
		v.rep.Info.Extra = h.extra
		v.rep.HeaderRow = line
		return nil
	}
	// Rows a reader does not yield (an XLSX skips row numbers, a CSV
	// blank lines) are blank.
	v.pending += line - v.lastLine - 1
	v.lastLine = line
	if raw.Err == nil && blank(cells) {
		v.pending++
		return nil
	}
	if raw.Hidden && v.opts.HiddenRows == HiddenSkip {
		v.rep.HiddenSkipped++
		return nil
	}
	word := ""
	if raw.Err == nil {
		if word = footerWord(cells); word != "" && !v.holdsPhone(cells) || v.inFooter && !v.holdsPhone(cells) {
			v.footer(line, cells, word)
			return nil
		}
	}
	v.rep.BlankRows += v.pending
	v.pending, v.lastData = 0, line
	if raw.Hidden && v.opts.HiddenRows == HiddenRefuse {
		if v.rep.HiddenCount++; len(v.rep.HiddenRows) < maxHiddenListed {
			v.rep.HiddenRows = append(v.rep.HiddenRows, line)
		}
	}
	v.rep.Info.Rows++
	// A fresh record per row: fn may keep it.
	r := &journal.RowRecord{Line: line, Extra: make([]string, len(v.extraCols))}
	for i, c := range v.extraCols {
		if c < len(cells) {
			r.Extra[i] = trimCell(cells[c])
		}
	}
	v.classify(r, raw, word)
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

// holdsPhone reports whether the row's phone cell is a phone number: a
// row that starts like a footer but holds one is data, and is refused.
func (v *validator) holdsPhone(cells []string) bool {
	_, err := NormalizePhone(cellAt(cells, v.phoneCol))
	return err == nil
}

// footer notes a row below the table, and the count it may state.
func (v *validator) footer(line int, cells []string, word string) {
	// A subtotal closes a group, not the table: rows below it are read.
	v.inFooter = v.inFooter || word != "小计"
	v.rep.TrailingBlank += v.pending
	v.pending = 0
	text := quoteCells(cells)
	v.rep.Footers = append(v.rep.Footers, Footer{Line: line, Text: text})
	if n, ok := statedCount(cells, word, v.phoneCol, v.pidCol); ok {
		v.rep.Totals = append(v.rep.Totals, ControlTotal{Line: line, Count: n, Text: text})
	}
}

// finish checks what only the whole file shows: that there was a header,
// and that every control total a footer states is the rows read.
func (v *validator) finish() error {
	if !v.header {
		if v.finder.seen == nil && v.lastLine == 0 {
			return refuse(FileEmpty)
		}
		return v.finder.fail()
	}
	v.rep.TrailingBlank += v.pending
	v.pending = 0
	for _, t := range v.rep.Totals {
		// Hidden rows refuse the file themselves: a total of the visible
		// rows (a filter's SUBTOTAL) leaves that refusal to say why.
		visible := v.rep.Info.Rows - v.rep.HiddenCount
		if t.Count != v.rep.Info.Rows && (v.rep.HiddenCount == 0 || t.Count != visible) {
			return refuse(FooterTotal, t.Line, t.Count, t.Text, v.rep.Info.Rows)
		}
	}
	return nil
}

func cellAt(cells []string, i int) string {
	if i >= 0 && i < len(cells) {
		return cells[i]
	}
	return ""
}

// classify validates a data row; footerLike is the footer word it starts
// with, if any.
func (v *validator) classify(r *journal.RowRecord, raw *rawRow, footerLike string) {
	cells := raw.Cells
	cell := func(i int) string {
		if i < len(cells) {
			return cells[i]
		}
		return ""
	}
	invalid := func(why Reason) {
		r.Status, r.Reason = journal.RowInvalid, why.String()
		if v.problems {
			v.rep.Invalid = append(v.rep.Invalid, Problem{Line: r.Line, Reason: r.Reason})
		}
	}
	r.Phone = trimCell(cell(v.phoneCol))
	if v.pidCol < 0 {
		r.Pid = v.opts.Pid
	} else {
		r.Pid = trimCell(cell(v.pidCol))
	}
	if raw.Err != nil {
		if errors.Is(raw.Err, csv.ErrFieldCount) {
			invalid(reason(RowFieldCount))
		} else {
			invalid(reason(RowUnreadable, raw.Err.Error()))
		}
		return
	}
	// A hidden row (hidden, filtered out or of no height) is not on the
	// list the user sees: charging it would charge somebody unseen. It is
	// read only under -hidden-rows include (skip leaves it out).
	if raw.Hidden && v.opts.HiddenRows != HiddenInclude {
		invalid(reason(RowHidden))
		return
	}
	if footerLike != "" {
		invalid(reason(RowFooterLike, footerLike))
		return
	}
	// A formula's saved value can be stale: the number charged must be
	// the number shown.
	for _, c := range [...]struct {
		col              int
		formula, formats Kind
	}{{v.phoneCol, PhoneFormula, PhoneFormat}, {v.pidCol, PidFormula, PidFormat}} {
		if c.col >= 0 && raw.formula(c.col) {
			invalid(reason(c.formula))
			return
		}
		if c.col >= 0 && raw.formatted(c.col) {
			invalid(reason(c.formats))
			return
		}
	}
	phone, err := normalizePhone(r.Phone, raw.number(v.phoneCol))
	if err != nil {
		invalid(reasonOf(err))
		return
	}
	r.Phone = phone
	// product is what the orderid and the duplicate check derive from:
	// the pid, or the plan's product, whatever pid the plan chooses.
	product := v.opts.Plan
	if product == "" {
		pid, err := normalizePid(r.Pid)
		if err != nil {
			invalid(reasonOf(err))
			return
		}
		if p, ok := v.pids[pid]; ok {
			pid = p
		} else {
			v.pids[pid] = pid
		}
		r.Pid, product = pid, pid
	} else {
		r.Pid = ""
	}
	n, _ := strconv.ParseUint(phone, 10, 64)
	k := dupKey{phone: n, pid: product}
	e, ok := v.seen[k]
	if !ok {
		e.first = int32(r.Line)
	}
	e.count++
	v.seen[k] = e
	r.Occurrence = int(e.count)
	if ok {
		r.Status, r.DupOf = journal.RowDuplicate, int(e.first)
		r.Reason = reason(Duplicate, int(e.first)).String()
		if v.problems {
			v.rep.Duplicates = append(v.rep.Duplicates, Problem{Line: r.Line, Reason: r.Reason, DupOf: r.DupOf})
		}
		if !v.opts.AllowDuplicates {
			return
		}
	} else {
		r.Status = journal.RowValid
	}
	r.OrderID = OrderID(v.opts.BatchID, r.Phone, product, r.Occurrence)
}

// checkMerged refuses a sheet that merges cells over the phone or
// product column: a merged cell shows its first cell's value across the
// range and hides what the others hold, which the reader still reads.
func (v *validator) checkMerged(merged []cellRange) error {
	if !v.header {
		return nil
	}
	for _, m := range merged {
		// A merged title above the header, or a merged footer below the
		// last data row, hides nothing that is charged.
		if m.col0 == m.col1 && m.row0 == m.row1 || m.row1 < v.rep.HeaderRow || m.row0 > v.lastData {
			continue
		}
		for _, c := range [...]struct {
			col  int
			what string
		}{{v.phoneCol, "phone"}, {v.pidCol, "product"}} {
			if c.col >= m.col0 && c.col <= m.col1 {
				return refuse(Merged, m.row0, m.row1, columnName(m.col0), m.row0, columnName(m.col1), m.row1, c.what)
			}
		}
	}
	return nil
}

func blank(cells []string) bool {
	for _, c := range cells {
		if trimCell(c) != "" {
			return false
		}
	}
	return true
}
