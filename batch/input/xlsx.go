package input

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// An .xlsx workbook is read by our own streaming reader over the zip
// (input_xlsx_part.go, input_xlsx_sheet.go), not by excelize: excelize
// ignores a zip entry whose CRC does not match and XML that stops in the
// middle, so a damaged file would be half-read. Every part read here is
// read to its end, its CRC checked, its XML parsed to the document's end,
// and every size is bounded (input_limits.go). Nothing is unpacked to disk.

// workbookSheet is one sheet the workbook lists.
type workbookSheet struct {
	name  string
	state string // "" (visible), "hidden" or "veryHidden"
	part  string // e.g. xl/worksheets/sheet1.xml
}

func (s workbookSheet) visible() bool { return s.state == "" || s.state == "visible" }

// workbook is what a workbook's index parts say: its sheets and where its
// shared strings are.
type workbook struct {
	zip    *workbookZip
	sheets []workbookSheet
	sst    string // part name, "" when there is none
	styles string // part name, "" when there is none
	// shown says, per cell style, whether a whole number or a text in
	// it shows as its digits (see readStyles); nil without styles.
	shown []bool
}

var errNoSheets = refuse(NoSheets)

type relationship struct{ id, typ, target string }

const relNS = "/relationships/"

// readRels reads a relationships part; targets are resolved against dir.
func (w *workbookZip) readRels(name, dir string) ([]relationship, error) {
	var rels []relationship
	err := w.readXMLPart(name, MaxPartBytes, func(t xml.Token, depth int) error {
		st, ok := t.(xml.StartElement)
		if !ok || depth != 2 || st.Name.Local != "Relationship" {
			return nil
		}
		var r relationship
		external := false
		for _, a := range st.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			case "TargetMode":
				external = a.Value == "External"
			}
		}
		if external {
			return nil
		}
		if strings.HasPrefix(r.target, "/") {
			r.target = path.Clean(r.target[1:])
		} else {
			r.target = path.Join(dir, r.target)
		}
		rels = append(rels, r)
		return nil
	})
	return rels, err
}

func openWorkbook(p string) (*workbook, error) {
	z, err := openWorkbookZip(p)
	if err != nil {
		return nil, err
	}
	wb, err := z.readIndex()
	if err != nil {
		z.Close()
		return nil, err
	}
	return wb, nil
}

func (z *workbookZip) readIndex() (*workbook, error) {
	wbPart := "xl/workbook.xml"
	if z.has("_rels/.rels") {
		rels, err := z.readRels("_rels/.rels", "")
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if strings.HasSuffix(r.typ, relNS+"officeDocument") {
				wbPart = r.target
			}
		}
	}
	if !z.has(wbPart) {
		return nil, refuse(NotWorkbook)
	}
	dir := path.Dir(wbPart)
	relsPart := path.Join(dir, "_rels", path.Base(wbPart)+".rels")
	targets := map[string]string{}
	wb := &workbook{zip: z}
	if z.has(relsPart) {
		rels, err := z.readRels(relsPart, dir)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			targets[r.id] = r.target
			if strings.HasSuffix(r.typ, relNS+"sharedStrings") {
				wb.sst = r.target
			}
			if strings.HasSuffix(r.typ, relNS+"styles") {
				wb.styles = r.target
			}
		}
	}
	var sheetIDs []string
	err := z.readXMLPart(wbPart, MaxPartBytes, func(t xml.Token, depth int) error {
		st, ok := t.(xml.StartElement)
		if !ok || depth != 3 || st.Name.Local != "sheet" {
			return nil
		}
		var s workbookSheet
		id := ""
		for _, a := range st.Attr {
			switch {
			case a.Name.Local == "name" && a.Name.Space == "":
				s.name = a.Value
			case a.Name.Local == "state" && a.Name.Space == "":
				s.state = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		if n := len([]rune(s.name)); n == 0 || n > MaxSheetNameChars {
			return refuse(Damaged, fmt.Sprintf("a sheet name of %d characters", n))
		}
		if len(wb.sheets) >= MaxColumns {
			return limitErr(LimitSheets, journal.Thousands(MaxColumns))
		}
		wb.sheets = append(wb.sheets, s)
		sheetIDs = append(sheetIDs, id)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(wb.sheets) == 0 {
		return nil, errNoSheets
	}
	// Two sheets of one part are not two lists, and each would be read
	// again to choose between them: a thousand names for one gigabyte
	// part took a thousand readings of it.
	byPart := map[string]string{}
	for i := range wb.sheets {
		s := &wb.sheets[i]
		s.part = targets[sheetIDs[i]]
		if s.part == "" {
			continue
		}
		k := strings.ToLower(s.part)
		if other, ok := byPart[k]; ok {
			return nil, refuse(Damaged, fmt.Sprintf("sheets %q and %q are the same part %s", journal.Clip(other), journal.Clip(s.name), journal.Clip(s.part)))
		}
		byPart[k] = s.name
	}
	return wb, nil
}

func (wb *workbook) Close() error { return wb.zip.Close() }

func (wb *workbook) names(keep func(workbookSheet) bool) string {
	var n []string
	for _, s := range wb.sheets {
		if keep(s) {
			n = append(n, s.name)
		}
	}
	return strings.Join(n, ", ")
}

func (wb *workbook) sharedStrings() (*sharedStrings, error) {
	if wb.sst == "" || !wb.zip.has(wb.sst) {
		return nil, nil
	}
	return wb.zip.readSharedStrings(wb.sst)
}

// openSheet starts reading a sheet; close the part when done.
func (wb *workbook) openSheet(s workbookSheet, sst *sharedStrings) (*sheetReader, *partReader, error) {
	if s.part == "" || !wb.zip.has(s.part) {
		return nil, nil, refuse(SheetNotWorksheet, s.name)
	}
	p, err := wb.zip.open(s.part, MaxSheetBytes)
	if err != nil {
		return nil, nil, wrap(AtSheet, err, s.name)
	}
	sr := newSheetReader(s.part, p, sst)
	sr.shown = wb.shown
	sr.x.spent = &wb.zip.tokens
	return sr, p, nil
}

// probeErr is a reader's error met while probing: damage, not a reason
// the sheet is not the list.
type probeErr struct{ err error }

func (e probeErr) Error() string { return e.err.Error() }

// probeRows reads rows (next returns io.EOF at the end) until the header
// search ends, and says why the rows hold no usable header (nil when
// they do). A reader's error comes back as a probeErr.
func probeRows(next func(*rawRow) error, rules tableRules) error {
	f := headerFinder{rules: rules}
	var row rawRow
	for {
		switch err := next(&row); {
		case err == io.EOF:
			if f.seen == nil {
				return refuse(SheetEmpty)
			}
			return f.fail()
		case err != nil:
			return probeErr{err}
		}
		if row.Hidden && rules.hidden == HiddenSkip {
			continue
		}
		h, err := f.feed(&row)
		if err != nil || h != nil {
			return err
		}
	}
}

// probeHeader reads a sheet's first rows and says why they are not a list's
// header row (nil when it is one), then reads the rest of the part's bytes
// so that its CRC is checked: a damaged sheet must not change the choice.
func (wb *workbook) probeHeader(s workbookSheet, sst *sharedStrings, rules tableRules) (why error, err error) {
	sr, p, err := wb.openSheet(s, sst)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	why = probeRows(func(row *rawRow) error { return sr.next(row) }, rules)
	var pe probeErr
	if errors.As(why, &pe) {
		return nil, wrap(AtSheet, pe.err, s.name)
	}
	if err := p.drain(sr.x.src.br); err != nil {
		return nil, wrap(AtSheet, err, s.name)
	}
	return why, nil
}

// chooseSheet picks the sheet to read. Only visible sheets are candidates:
// a hidden sheet is not the list the user sees. With a name, that sheet;
// with one visible sheet, it; otherwise the one visible sheet whose row 1
// is a header, and a refusal naming them when there are several.
func (wb *workbook) chooseSheet(want string, sst *sharedStrings, rules tableRules) (workbookSheet, error) {
	all := func(workbookSheet) bool { return true }
	hidden := func(s workbookSheet) bool { return !s.visible() }
	if want != "" {
		for _, s := range wb.sheets {
			if s.name != want {
				continue
			}
			if !s.visible() {
				return s, refuse(SheetHidden,
					want, s.state, wb.names(workbookSheet.visible))
			}
			return s, nil
		}
		return workbookSheet{}, refuse(NoSuchSheet, want, wb.names(all))
	}
	var visible []workbookSheet
	for _, s := range wb.sheets {
		if s.visible() {
			visible = append(visible, s)
		}
	}
	switch len(visible) {
	case 0:
		return workbookSheet{}, refuse(NoVisibleSheet, wb.names(hidden))
	case 1:
		return visible[0], nil
	}
	var match []workbookSheet
	var whys sheetWhys
	for _, s := range visible {
		why, err := wb.probeHeader(s, sst, rules)
		if err != nil {
			return workbookSheet{}, err
		}
		if why == nil {
			match = append(match, s)
		} else {
			whys = append(whys, sheetWhy{s.name, why})
		}
	}
	var names []string
	for _, s := range match {
		names = append(names, fmt.Sprintf("%q", s.name))
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return workbookSheet{}, refuse(NoSheetHeader, HeaderSearchRows, whys)
	}
	return workbookSheet{}, refuse(SheetsAmbiguous, len(match), strings.Join(names, ", "))
}

// openXLSX chooses a sheet (see chooseSheet) and returns its rows.
func openXLSX(p, want string, rules tableRules, info *journal.InputInfo) (rowSource, error) {
	wb, err := openWorkbook(p)
	if err != nil {
		return nil, err
	}
	sst, err := wb.sharedStrings()
	if err == nil && wb.styles != "" && wb.zip.has(wb.styles) {
		wb.shown, err = wb.zip.readStyles(wb.styles)
	}
	if err == nil {
		var s workbookSheet
		if s, err = wb.chooseSheet(want, sst, rules); err == nil {
			info.Sheet = s.name
			return func(ctx context.Context, each func(*rawRow) error) error {
				defer wb.Close()
				return readSheet(ctx, wb, s, sst, each)
			}, nil
		}
	}
	wb.Close()
	return nil, err
}

func readSheet(ctx context.Context, wb *workbook, s workbookSheet, sst *sharedStrings, each func(*rawRow) error) error {
	sr, p, err := wb.openSheet(s, sst)
	if err != nil {
		return err
	}
	defer p.Close()
	var row rawRow
	for n := 0; ; n++ {
		if n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		err := sr.next(&row)
		if err == io.EOF {
			return each(&rawRow{End: true, Merged: sr.Merged})
		}
		if err != nil {
			return wrap(AtSheet, err, s.name)
		}
		if err := each(&row); err != nil {
			return err
		}
	}
}
