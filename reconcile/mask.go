package reconcile

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"

	"github.com/flowbatch/flowbatch/batch/input"
)

// A masked copy is the workbook for wider circulation (PIPL): the same
// sheets, totals and formulas, without what identifies a person beyond
// what a reader needs to find a row in the unmasked workbook (its row
// number, the masked phone and the pid).
//
//   - Phones read 138****1234: the first 3 and last 4 digits.
//   - The orderid and sporder_id columns are left out, not cut short. The
//     orderid is the first 32 hex digits of a sha256 over the batch id (on
//     the Summary), the phone, the pid and the occurrence: with the masked
//     phone's 7 visible digits known, 10^4 candidates remain, and any cut
//     of the orderid longer than a few hex digits picks the one number
//     out. The sporder_id is the provider's key to the order, and so to
//     the phone, for anyone who can query the provider. A short form of
//     either would re-identify or mean nothing; the row number already
//     leads back to the unmasked workbook.
//   - Reasons are free text that can quote a phone, an orderid or a
//     sporder_id (a conflict names the one it contradicts): a run of 7 or
//     more digits, and a token of 16 or more letters and digits with a
//     digit in it, are starred.
//   - The input's extra columns (names, departments) are left out unless
//     named in KeepCols; the Summary's group block only shows a kept
//     column.
//
// What stays: the batch id, the input file's name and sha256, the journal
// head hash and the journal's path in the actions. They identify files,
// not people.

// MaskOptions says how to mask the workbook (Options.Mask).
type MaskOptions struct {
	// KeepCols names the input's extra columns to keep, as the journal
	// names them (compared as -group-by compares). The rest are left out.
	KeepCols []string
}

// KeepColError says a column to keep is not an extra column of the
// input: nothing was written.
type KeepColError struct {
	Column string
	Extra  []string // the input's extra columns
}

func (e *KeepColError) Error() string {
	if len(e.Extra) == 0 {
		return fmt.Sprintf("keep-col %q: the input has no extra columns", e.Column)
	}
	return fmt.Sprintf("keep-col %q: the input has no such column; its extra columns are %s", e.Column, strings.Join(e.Extra, ", "))
}

// The masked tables leave out the identifying columns. They are the last
// of their tables, so every other column keeps its letter, and the
// formulas and width estimates that name ordersAt and ordersLetter hold
// for both (TestMaskedTablesKeepLetters).
var (
	maskedOrdersTable     = ordersTable.without(colOrderID, colSporderID)
	maskedExceptionsTable = exceptionsTable.without(colOrderID)
)

func (t table[R]) without(cols ...column) table[R] {
	var out table[R]
	for _, f := range t {
		drop := false
		for _, c := range cols {
			drop = drop || f.col == c
		}
		if !drop {
			out = append(out, f)
		}
	}
	return out
}

// keptColumns is the indexes among extra of the columns named in names,
// in the input's order.
func keptColumns(extra, names []string) ([]int, error) {
	keep := make([]bool, len(extra))
	for _, n := range names {
		found := false
		for i, e := range extra {
			if sameColumn(e, n) {
				keep[i], found = true, true
			}
		}
		if !found {
			return nil, &KeepColError{Column: n, Extra: extra}
		}
	}
	var idx []int
	for i, k := range keep {
		if k {
			idx = append(idx, i)
		}
	}
	return idx, nil
}

func sameColumn(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// maskPhone shows the first 3 and last 4 digits of a phone cell and stars
// the others; a cell of fewer than 8 digits (not a phone, or part of one)
// has every digit starred. Other characters stay, so an invalid cell
// still shows why it is invalid. Any Unicode digit counts (the input
// reader reads fullwidth ones).
func maskPhone(s string) string {
	n := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	var b strings.Builder
	d := 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			if n < 8 || (d >= 3 && d < n-4) {
				r = '*'
			}
			d++
		}
		b.WriteRune(r)
	}
	return b.String()
}

// maskText stars in free text what may be a phone (a run of 7 or more
// digits: 11 are masked as a phone, others wholly) or an orderid or
// sporder_id (a token of 16 or more letters and digits, with a digit in
// it).
func maskText(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); {
		j := i
		digit := false
		for j < len(rs) && isIDRune(rs[j]) {
			digit = digit || unicode.IsDigit(rs[j])
			j++
		}
		switch {
		case j == i:
			b.WriteRune(rs[i])
			j = i + 1
		case j-i >= 16 && digit:
			b.WriteString(strings.Repeat("*", 8))
		default:
			b.WriteString(maskDigitRuns(rs[i:j]))
		}
		i = j
	}
	return b.String()
}

// maskDigitRuns stars the runs of 7 or more digits in tok.
func maskDigitRuns(tok []rune) string {
	var b strings.Builder
	for i := 0; i < len(tok); {
		j := i
		for j < len(tok) && unicode.IsDigit(tok[j]) {
			j++
		}
		switch {
		case j == i:
			b.WriteRune(tok[i])
			j = i + 1
		case j-i == 11:
			b.WriteString(maskPhone(string(tok[i:j])))
		case j-i >= 7:
			b.WriteString(strings.Repeat("*", j-i))
		default:
			b.WriteString(string(tok[i:j]))
		}
		i = j
	}
	return b.String()
}

// isIDRune is a character of an orderid or sporder_id token: an ASCII
// letter or any digit.
func isIDRune(r rune) bool {
	return unicode.IsDigit(r) || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// mask masks one Orders line and its exceptions in place. Its extra
// cells become a new slice: held lines keep theirs.
func (p *plan) mask(l *line) { maskLine(l, p.keep) }

// maskLine masks l in place, keeping of its extra cells those at keep.
func maskLine(l *line, keep []int) {
	l.phone = maskPhone(l.phone)
	l.orderID, l.sporderID = "", ""
	l.reason = maskText(l.reason)
	for i := range l.exc {
		l.exc[i].reason = maskText(l.exc[i].reason)
	}
	var kept []string
	for _, i := range keep {
		v := ""
		if i < len(l.extra) {
			v = l.extra[i]
		}
		kept = append(kept, v)
	}
	l.extra = kept
}

// maskedContentStatus is a masked copy's document status (docProps/core.xml).
const maskedContentStatus = "flowbatch masked copy"

// IsMaskedCopy reports whether the file at path is a masked copy this
// package wrote: a masked copy written over anything else (the unmasked
// workbook) would lose it. The error is the file's, when it is no
// readable workbook.
func IsMaskedCopy(path string) (bool, error) {
	zf, err := input.OpenRegular(path) // a named pipe would hang
	if err != nil {
		return false, err
	}
	defer zf.Close()
	fi, err := zf.Stat()
	if err != nil {
		return false, err
	}
	zr, err := zip.NewReader(zf, fi.Size())
	if err != nil {
		return false, err
	}
	for _, f := range zr.File {
		if f.Name != "docProps/core.xml" {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false, err
		}
		defer rc.Close()
		data, err := io.ReadAll(io.LimitReader(rc, 1<<20))
		if err != nil {
			return false, err
		}
		return strings.Contains(string(data), "<contentStatus>"+maskedContentStatus+"</contentStatus>"), nil
	}
	return false, errors.New("no document properties: not a workbook")
}

// IsMaskedCSV reports whether the file at path is the CSV of a masked
// copy: its header is the masked Orders header, in either language. The
// unmasked CSV's has the orderid column where a masked one's extra
// columns start.
func IsMaskedCSV(path string) (bool, error) {
	f, err := input.OpenRegular(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReader(io.LimitReader(f, 1<<20)))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return false, err
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	for _, w := range []*words{english, chinese} {
		want := maskedOrdersTable.header(w)
		if len(header) < len(want) || strings.Join(header[:len(want)], "\x00") != strings.Join(want, "\x00") {
			continue
		}
		if len(header) == len(want) || header[len(want)] != w.columns[colOrderID] {
			return true, nil
		}
	}
	return false, nil
}
