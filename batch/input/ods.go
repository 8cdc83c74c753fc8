package input

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// An .ods spreadsheet (LibreOffice's own format) is read like an .xlsx:
// through the same zip part reader (every byte inflated is counted and
// CRC-checked, input_xlsx_part.go), the same XML reader (no DOCTYPE, read
// to the document's end) and the same limits. content.xml holds every
// sheet (<table:table>) one after the other; it is streamed once, token by
// token. A number is read from office:value, as stored, never from the
// text the cell shows. table:number-rows-repeated and
// number-columns-repeated are honoured without expanding blank runs:
// LibreOffice ends a sheet with a million repeated empty rows.

// odsContentLimit bounds content.xml, uncompressed, as a worksheet's XML.
const odsContentLimit = MaxSheetBytes

// maxODSStyles bounds the hidden-table styles remembered.
const maxODSStyles = 1 << 16

// odsTable is one sheet of content.xml.
type odsTable struct {
	name   string
	hidden bool // its style says table:display="false"
}

// odsReader streams the tables of content.xml and the rows of each.
type odsReader struct {
	x    *xmlReader
	part string

	hiddenStyles map[string]bool // automatic table styles with display="false"
	styleName    string          // the <style:style> being read, if a table style

	tableDepth int // depth of the open <table:table>, 0 when none
	line       int // the last row number of the table so far
	col        int // columns declared by <table:table-column> so far
	hiddenCols []colRange

	expanded int64  // bytes of the cells yielded, repeats counted as written out
	rowSize  int64  // of the last row read, for its copies
	repeat   int    // more copies of the last row to yield
	last     rawRow // the last row, for its copies
	lastErr  error
	cell     []byte
}

func newODSReader(r io.Reader) *odsReader {
	const part = "content.xml"
	x := newXMLReader(part, r)
	x.raw = true
	return &odsReader{x: x, part: part, hiddenStyles: map[string]bool{}}
}

func odsAttr(t xml.StartElement, local string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == local {
			return a.Value, true
		}
	}
	return "", false
}

// repeatAttr reads a number-…-repeated attribute: 1 when absent.
func (o *odsReader) repeatAttr(t xml.StartElement, local string) (int, error) {
	v, ok := odsAttr(t, local)
	if !ok {
		return 1, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return 0, refuse(DamagedODS, fmt.Sprintf("%s: %s=%q", o.part, local, journal.Clip(v)))
	}
	return n, nil
}

// nextTable reads up to the next <table:table> and returns it; io.EOF
// once the document has been read to its end.
func (o *odsReader) nextTable() (odsTable, error) {
	for {
		t, err := o.x.next()
		if err != nil {
			return odsTable{}, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "style":
				o.styleName = ""
				if fam, _ := odsAttr(t, "family"); fam == "table" {
					o.styleName, _ = odsAttr(t, "name")
				}
			case "table-properties":
				if d, _ := odsAttr(t, "display"); d == "false" && o.styleName != "" {
					if len(o.hiddenStyles) >= maxODSStyles {
						return odsTable{}, limitErr(LimitTechnical, fmt.Sprintf("%s: more than %s table styles", o.part, journal.Thousands(maxODSStyles)))
					}
					o.hiddenStyles[o.styleName] = true
				}
			case "table":
				var tb odsTable
				tb.name, _ = odsAttr(t, "name")
				if n := utf8.RuneCountInString(tb.name); n > MaxSheetNameChars {
					return odsTable{}, refuse(DamagedODS, fmt.Sprintf("a sheet name of %d characters", n))
				}
				style, _ := odsAttr(t, "style-name")
				tb.hidden = o.hiddenStyles[style]
				o.tableDepth, o.line, o.col, o.hiddenCols, o.repeat = o.x.depth, 0, 0, nil, 0
				return tb, nil
			}
		}
	}
}

// next reads the next row of the open table that holds a value, into
// row; io.EOF at the table's end. Runs of blank rows are skipped by
// their count, never expanded.
func (o *odsReader) next(row *rawRow) error {
	if o.tableDepth == 0 {
		return io.EOF
	}
	if o.repeat > 0 {
		if err := o.expand(o.rowSize); err != nil {
			return err
		}
		o.repeat--
		o.line++
		copyRow(row, &o.last)
		row.Line = o.line
		return nil
	}
	for {
		t, err := o.x.next()
		if err == io.EOF {
			return refuse(DamagedODS, fmt.Sprintf("%s ends inside a sheet", o.part))
		}
		if err != nil {
			return o.rowErr(err)
		}
		switch t := t.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "table-column":
				if err := o.column(t); err != nil {
					return err
				}
			case "table-row":
				n, err := o.repeatAttr(t, "number-rows-repeated")
				if err != nil {
					return err
				}
				vis, _ := odsAttr(t, "visibility")
				row.Line, row.Hidden, row.Err = o.line+1, vis == "collapse" || vis == "filter", nil
				row.Cells, row.Formulas, row.Numbers, row.HiddenCols = row.Cells[:0], row.Formulas[:0], row.Numbers[:0], o.hiddenCols
				if err := o.readRow(row); err != nil {
					return err
				}
				if blankRow(row) {
					// Blank rows past the last a sheet may have are
					// LibreOffice's padding: nothing to read.
					o.line = min(o.line+n, MaxRows)
					continue
				}
				if o.line+n > MaxRows {
					return limitErr(LimitRowAt, journal.Thousands(o.line+n), journal.Thousands(MaxRows))
				}
				o.rowSize = int64(len(row.Cells))
				for _, c := range row.Cells {
					o.rowSize += int64(len(c))
				}
				if err := o.expand(o.rowSize); err != nil {
					return err
				}
				o.line++
				if n > 1 {
					o.repeat = n - 1
					copyRow(&o.last, row)
				}
				return nil
			}
		case xml.EndElement:
			if o.x.depth == o.tableDepth-1 && t.Name.Local == "table" {
				o.tableDepth = 0
				return io.EOF
			}
		}
	}
}

// expand counts the cells yielded: a few repeated cells must not make
// more work than a sheet of odsContentLimit bytes written out.
func (o *odsReader) expand(n int64) error {
	if o.expanded += n; o.expanded > odsContentLimit {
		return limitErr(LimitTechnical, fmt.Sprintf("%s: its repeated rows and cells hold more than %s bytes written out", o.part, journal.Thousands(odsContentLimit)))
	}
	return nil
}

func blankRow(r *rawRow) bool { return len(r.Cells) == 0 && len(r.Formulas) == 0 && r.Err == nil }

// copyRow copies src into dst, cells included.
func copyRow(dst, src *rawRow) {
	cells, formulas, numbers := dst.Cells[:0], dst.Formulas[:0], dst.Numbers[:0]
	*dst = *src
	dst.Cells = append(cells, src.Cells...)
	dst.Formulas = append(formulas, src.Formulas...)
	dst.Numbers = append(numbers, src.Numbers...)
}

func (o *odsReader) column(t xml.StartElement) error {
	n, err := o.repeatAttr(t, "number-columns-repeated")
	if err != nil {
		return err
	}
	lo := o.col
	o.col = min(o.col+n, MaxColumns)
	if vis, _ := odsAttr(t, "visibility"); (vis == "collapse" || vis == "filter") && lo < o.col {
		if len(o.hiddenCols) >= MaxColumns {
			return limitErr(LimitTechnical, fmt.Sprintf("%s: more than %s column ranges", o.part, journal.Thousands(MaxColumns)))
		}
		o.hiddenCols = append(o.hiddenCols, colRange{lo, o.col - 1})
	}
	return nil
}

func (o *odsReader) rowErr(err error) error {
	if o.line == 0 {
		return err
	}
	return wrap(AfterRow, err, o.line)
}

// readRow reads the cells of the <table:table-row> just started.
func (o *odsReader) readRow(row *rawRow) error {
	rowDepth := o.x.depth
	col, rowBytes := 0, 0
	for {
		t, err := o.x.next()
		if err == io.EOF {
			return refuse(DamagedODS, fmt.Sprintf("%s ends inside row %d", o.part, row.Line))
		}
		if err != nil {
			return wrap(AtRow, err, row.Line)
		}
		switch t := t.(type) {
		case xml.StartElement:
			if o.x.depth != rowDepth+1 || t.Name.Local != "table-cell" && t.Name.Local != "covered-table-cell" {
				continue
			}
			n, err := o.repeatAttr(t, "number-columns-repeated")
			if err != nil {
				return err
			}
			v, err := o.cellValue(t)
			if err != nil {
				return wrap(AtRow, wrap(AtColumn, err, columnName(min(col, MaxColumns-1))), row.Line)
			}
			_, formula := odsAttr(t, "formula")
			// A float's office:value is the number stored, not shown.
			typ, _ := odsAttr(t, "value-type")
			_, stored := odsAttr(t, "value")
			number := typ == "float" && stored
			if t.Name.Local == "covered-table-cell" {
				// Covered by a merged cell: what it holds is not shown, the
				// merged cell's value is. A row under a merged phone reads
				// as it looks: without a phone of its own.
				v, formula = "", false
			}
			if v == "" && !formula {
				col += n // a blank run costs nothing, however long
				continue
			}
			if col+n > MaxColumns {
				return wrap(AtRow, limitErr(LimitColumnAt, journal.Thousands(col+n), journal.Thousands(MaxColumns)), row.Line)
			}
			if err := checkCell(col, v); err != nil {
				return wrap(AtRow, err, row.Line)
			}
			if rowBytes += n * len(v); rowBytes > MaxRowBytes {
				return wrap(AtRow, limitErr(LimitRowBytesOver, journal.Thousands(MaxRowBytes)), row.Line)
			}
			for len(row.Cells) < col {
				row.Cells = append(row.Cells, "")
			}
			for k := 0; k < n; k++ {
				if formula {
					row.Formulas = append(row.Formulas, col+k)
				} else if number {
					row.Numbers = append(row.Numbers, col+k)
				}
				row.Cells = append(row.Cells, v)
			}
			col += n
		case xml.EndElement:
			if o.x.depth == rowDepth-1 {
				return nil
			}
		}
	}
}

// cellValue reads the cell just started to its end: the stored value of
// a number, date, time or boolean, else the text of its paragraphs (not
// of a comment's).
func (o *odsReader) cellValue(t xml.StartElement) (string, error) {
	typ, _ := odsAttr(t, "value-type")
	var stored string
	var has bool
	switch typ {
	case "float", "percentage", "currency":
		stored, has = odsAttr(t, "value")
	case "date":
		stored, has = odsAttr(t, "date-value")
	case "time":
		stored, has = odsAttr(t, "time-value")
	case "boolean":
		stored, has = odsAttr(t, "boolean-value")
	}
	cellDepth := o.x.depth
	o.cell = o.cell[:0]
	paragraphs, inP := 0, 0
	add := func(b []byte) error {
		if len(o.cell)+len(b) > MaxCellChars*utf8.UTFMax {
			return limitErr(LimitCellLong, journal.Thousands(MaxCellChars))
		}
		o.cell = append(o.cell, b...)
		return nil
	}
	for {
		tok, err := o.x.next()
		if err == io.EOF {
			return "", refuse(DamagedODS, fmt.Sprintf("%s ends inside a cell", o.part))
		}
		if err != nil {
			return "", err
		}
		depth := o.x.depth
		switch tok := tok.(type) {
		case xml.StartElement:
			switch {
			case depth == cellDepth+1 && tok.Name.Local == "p":
				if paragraphs++; paragraphs > 1 {
					if err := add([]byte("\n")); err != nil {
						return "", err
					}
				}
				inP = depth
			case inP == 0:
			case tok.Name.Local == "s":
				n, err := o.repeatAttr(tok, "c")
				if err != nil {
					return "", err
				}
				if n > MaxCellChars {
					return "", limitErr(LimitCellLong, journal.Thousands(MaxCellChars))
				}
				if err := add([]byte(strings.Repeat(" ", n))); err != nil {
					return "", err
				}
			case tok.Name.Local == "tab":
				if err := add([]byte("\t")); err != nil {
					return "", err
				}
			case tok.Name.Local == "line-break":
				if err := add([]byte("\n")); err != nil {
					return "", err
				}
			}
		case xml.EndElement:
			switch {
			case depth == cellDepth-1:
				if has {
					return stored, nil
				}
				return string(o.cell), nil
			case inP != 0 && depth == inP-1:
				inP = 0
			}
		case xml.CharData:
			if inP != 0 {
				if err := add(tok); err != nil {
					return "", err
				}
			}
		}
	}
}

// skipTable reads the rest of the open table.
func (o *odsReader) skipTable() error {
	var row rawRow
	for {
		err := o.next(&row)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// openODS returns the rows of the sheet to read: -sheet's, or the one
// visible sheet whose header is in its first rows (refusing when several
// are), chosen in the one pass over content.xml.
func openODS(p, want string, rules tableRules, info *journal.InputInfo) (rowSource, error) {
	z, err := openWorkbookZip(p)
	if err != nil {
		return nil, err
	}
	if !z.has("content.xml") {
		z.Close()
		return nil, refuse(NotODS)
	}
	return func(ctx context.Context, each func(*rawRow) error) error {
		defer z.Close()
		part, err := z.open("content.xml", odsContentLimit)
		if err != nil {
			return err
		}
		defer part.Close()
		o := newODSReader(part)
		err = readODS(ctx, o, want, rules, info, each)
		if err != nil {
			return err
		}
		// The document read to its end: the part's CRC is checked too.
		return part.drain(o.x.src.br)
	}, nil
}

func readODS(ctx context.Context, o *odsReader, want string, rules tableRules, info *journal.InputInfo, each func(*rawRow) error) error {
	var (
		chosen  []string
		all     []string
		visible []string
		whys    sheetWhys
		lastWhy error
	)
	stream := func(t odsTable, first []rawRow) error {
		for i := range first {
			if err := each(&first[i]); err != nil {
				return err
			}
		}
		var row rawRow
		for n := 0; ; n++ {
			if n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			err := o.next(&row)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return wrap(AtSheet, err, t.name)
			}
			if err := each(&row); err != nil {
				return err
			}
		}
	}
	for {
		t, err := o.nextTable()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		all = append(all, t.name)
		if !t.hidden {
			visible = append(visible, t.name)
		}
		switch {
		case want != "" && t.name == want:
			if t.hidden {
				return refuse(SheetHiddenODS, want)
			}
			chosen = append(chosen, t.name)
			info.Sheet = t.name
			if err := stream(t, nil); err != nil {
				return err
			}
			continue
		case want != "" || t.hidden:
			if err := o.skipTable(); err != nil {
				return wrap(AtSheet, err, t.name)
			}
			continue
		}
		// Probe the first rows for a header, keeping them to replay.
		var first []rawRow
		why := probeRows(func(row *rawRow) error {
			err := o.next(row)
			if err == nil {
				first = append(first, rawRow{})
				copyRow(&first[len(first)-1], row)
			}
			return err
		}, rules)
		var pe probeErr
		if errors.As(why, &pe) {
			return wrap(AtSheet, pe.err, t.name)
		}
		if why != nil {
			whys = append(whys, sheetWhy{t.name, why})
			lastWhy = why
			if err := o.skipTable(); err != nil {
				return wrap(AtSheet, err, t.name)
			}
			continue
		}
		chosen = append(chosen, strconv.Quote(t.name))
		if len(chosen) > 1 {
			return refuse(SheetsAmbiguous, len(chosen), strings.Join(chosen, ", "))
		}
		info.Sheet = t.name
		if err := stream(t, first); err != nil {
			return err
		}
	}
	switch {
	case len(chosen) > 0:
		return nil
	case want != "":
		return refuse(NoSuchSheet, want, strings.Join(all, ", "))
	case len(visible) == 0 && len(all) > 0:
		return refuse(NoVisibleSheetODS, strings.Join(all, ", "))
	case len(visible) == 0:
		return refuse(NoSheetsODS)
	case len(visible) == 1:
		info.Sheet = visible[0]
		return lastWhy
	}
	return refuse(NoSheetHeader, HeaderSearchRows, whys)
}
