package input

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// sharedStrings is a workbook's table of strings, packed: the text lives
// in 1 MiB chunks that never move and each string is one uint64, so a
// table of millions costs little more than its text.
type sharedStrings struct {
	chunks [][]byte
	refs   []uint64 // chunk<<40 | offset<<20 | length
	text   int
}

const sstChunk = 1 << 20 // larger than any cell (MaxCellChars × 4 bytes)

func (s *sharedStrings) add(b []byte) error {
	if len(s.refs) >= MaxSharedStrings {
		return limitErr(LimitSharedStrings, journal.Thousands(MaxSharedStrings))
	}
	if s.text += len(b); s.text > MaxSharedStringsText {
		return limitErr(LimitSharedText, journal.Thousands(MaxSharedStringsText))
	}
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1])+len(b) > sstChunk {
		s.chunks = append(s.chunks, make([]byte, 0, sstChunk))
		n++
	}
	c := s.chunks[n-1]
	s.refs = append(s.refs, uint64(n-1)<<40|uint64(len(c))<<20|uint64(len(b)))
	s.chunks[n-1] = append(c, b...)
	return nil
}

func (s *sharedStrings) get(i int) string {
	r := s.refs[i]
	c, off, n := r>>40, r>>20&(1<<20-1), r&(1<<20-1)
	return string(s.chunks[c][off : off+n])
}

// readSharedStrings reads xl/sharedStrings.xml: each <si> is the text of
// its <t> elements, directly or in rich-text runs, but not phonetic
// guides (<rPh>), which a cell does not show.
func (w *workbookZip) readSharedStrings(name string) (*sharedStrings, error) {
	sst := &sharedStrings{}
	var (
		buf     []byte
		inSI    bool
		inT     int // depth of the <t> being read, 0 when none
		phonDep int // depth of an open <rPh>, 0 when none
	)
	err := w.readXMLPart(name, MaxSharedStringsBytes, func(t xml.Token, depth int) error {
		switch t := t.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "si" && depth == 2:
				inSI, buf = true, buf[:0]
			case !inSI:
			case t.Name.Local == "rPh" && phonDep == 0:
				phonDep = depth
			case t.Name.Local == "t" && phonDep == 0:
				inT = depth
			}
		case xml.EndElement:
			switch {
			case inT == depth+1:
				inT = 0
			case phonDep == depth+1:
				phonDep = 0
			case inSI && depth == 1:
				inSI = false
				s := unescapeOOXML(buf)
				if err := checkCell(0, s); err != nil {
					return wrap(SharedString, err, journal.Thousands(len(sst.refs)))
				}
				return sst.add([]byte(s))
			}
		case xml.CharData:
			if inT != 0 {
				if len(buf)+len(t) > MaxCellChars*utf8.UTFMax {
					return limitErr(SharedStringLong, journal.Thousands(len(sst.refs)), journal.Thousands(MaxCellChars))
				}
				buf = append(buf, t...)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sst, nil
}

// unescapeOOXML decodes the _xHHHH_ escapes Excel writes for characters
// XML cannot hold (a CR is _x000D_); _x005F_ escapes the underscore.
func unescapeOOXML(b []byte) string {
	s := string(b)
	if !strings.Contains(s, "_x") {
		return s
	}
	var out strings.Builder
	for i := 0; i < len(s); {
		if i+7 <= len(s) && s[i] == '_' && s[i+1] == 'x' && s[i+6] == '_' {
			if v, err := strconv.ParseUint(s[i+2:i+6], 16, 16); err == nil {
				out.WriteRune(rune(v))
				i += 7
				continue
			}
		}
		out.WriteByte(s[i])
		i++
	}
	return out.String()
}

// rawRow is one row as a reader yields it: what the validator reads and
// what later rules (hidden rows, formulas) can look at.
type rawRow struct {
	Line     int      // the row number a person sees; the header is row 1
	Cells    []string // raw values; reused for the next row: copy to keep
	Formulas []int    // xlsx: columns whose cell holds a formula (its cached value is in Cells)
	// Formatted are the columns (xlsx) whose number format may show other
	// digits than the cell holds.
	Formatted []int
	// Numbers are the columns (xlsx, ods) whose cell is a stored number: its
	// text is the value itself, as a program wrote the double it holds
	// (Java's writers put 13800138000 as 1.3800138E10), not what a
	// screen showed.
	Numbers []int
	Hidden  bool // the row is hidden (or filtered out, or of no height)
	// HiddenCols are the columns the sheet hides (<cols>, ODS columns).
	HiddenCols []colRange
	Err        error // the row could not be read but the file can go on

	// End marks the call after the last row (xlsx), with the sheet's
	// merged ranges, which follow its rows.
	End    bool
	Merged []cellRange
}

// cellRange is a rectangle of cells, columns and rows from 0 and 1.
type cellRange struct{ col0, row0, col1, row1 int }

func (r *rawRow) formula(col int) bool   { return hasCol(r.Formulas, col) }
func (r *rawRow) formatted(col int) bool { return hasCol(r.Formatted, col) }
func (r *rawRow) number(col int) bool    { return hasCol(r.Numbers, col) }

func hasCol(cols []int, col int) bool {
	for _, c := range cols {
		if c == col {
			return true
		}
	}
	return false
}

// colRange is a run of columns (from 0) that <cols> marks hidden.
type colRange struct{ min, max int }

// sheetReader streams the rows of one worksheet, token by token, to the
// end of its XML. Values are the raw text of the file: a number is the
// number as written (never through a float), t="s" the shared string,
// t="inlineStr" the text of <is>, and t="str", "b", "e" or "d" their <v>.
// Rows keep their numbers from r (rows may skip numbers); a row or cell
// without r follows the one before. Cells without a value do not widen a
// row, so padding costs nothing.
type sheetReader struct {
	x     *xmlReader
	part  string
	sst   *sharedStrings
	shown []bool // per cell style: its number format shows the digits held

	HiddenCols []colRange  // from <cols>, known once the first row is read
	Merged     []cellRange // from <mergeCells>, known at the end of the sheet

	dataDepth int // depth of <sheetData> once inside it
	dataDone  bool
	lastRow   int
	inRow     bool // lastRow is still being read
	rowBytes  int
	cell      []byte
}

func newSheetReader(part string, r io.Reader, sst *sharedStrings) *sheetReader {
	return &sheetReader{x: newXMLReader(part, r), part: part, sst: sst}
}

// next reads the next row into row. It returns io.EOF once the sheet's
// XML has been read to its end.
func (s *sheetReader) next(row *rawRow) error {
	var (
		inRow            bool
		rowDepth         int
		col              = -1 // column of the last cell in the row
		inCell           bool
		cellCol          int
		cellType         string
		hasV, inV        bool
		inIS, isT, phon  int // depths of <is>, a <t> in it and an <rPh>
		hasIS, hasFormul bool
	)
	for {
		t, err := s.x.next()
		if err == io.EOF {
			if inRow || s.dataDepth != 0 && !s.dataDone {
				return refuse(Damaged, fmt.Sprintf("%s ends inside its data", s.part))
			}
			return io.EOF
		}
		if err != nil {
			return s.rowErr(err)
		}
		depth := s.x.depth
		switch t := t.(type) {
		case xml.StartElement:
			if err := s.checkNamespace(t.Name); err != nil {
				return s.rowErr(err)
			}
			switch {
			case s.dataDepth == 0:
				switch {
				case depth == 2 && t.Name.Local == "sheetData":
					if s.dataDone {
						return refuse(Damaged, fmt.Sprintf("%s has two <sheetData>", s.part))
					}
					s.dataDepth = depth
				case depth == 3 && t.Name.Local == "col":
					if err := s.hiddenCol(t); err != nil {
						return err
					}
				case depth == 3 && t.Name.Local == "mergeCell":
					if err := s.mergeCell(t); err != nil {
						return err
					}
				}
			case !inRow:
				if depth != s.dataDepth+1 || t.Name.Local != "row" {
					continue
				}
				n, hidden, err := s.rowAttrs(t)
				if err != nil {
					return err
				}
				inRow, rowDepth = true, depth
				s.lastRow, s.rowBytes, s.inRow = n, 0, true
				row.Line, row.Hidden, row.Err = n, hidden, nil
				row.HiddenCols = s.HiddenCols
				row.Cells, row.Formulas, row.Formatted, row.Numbers = row.Cells[:0], row.Formulas[:0], row.Formatted[:0], row.Numbers[:0]
			case !inCell:
				if depth != rowDepth+1 || t.Name.Local != "c" {
					continue
				}
				c, typ, style, err := s.cellAttrs(t, col)
				if err != nil {
					return err
				}
				inCell, cellCol, cellType, col = true, c, typ, c
				if !s.showsDigits(style) {
					row.Formatted = append(row.Formatted, c)
				}
				hasV, hasIS, hasFormul, inIS = false, false, false, 0
				s.cell = s.cell[:0]
			case depth == rowDepth+2:
				switch t.Name.Local {
				case "v", "is":
					// Viewers disagree on a cell of two values (LibreOffice
					// shows neither of <v> and <is>): it is not one value.
					if hasV || hasIS {
						return s.rowErr(refuse(Damaged, fmt.Sprintf("cell %s%d holds more than one value", columnName(cellCol), s.lastRow)))
					}
				}
				switch t.Name.Local {
				case "v":
					inV, hasV = true, true
					s.cell = s.cell[:0]
				case "f":
					hasFormul = true
				case "is":
					inIS, hasIS = depth, true
					if !hasV {
						s.cell = s.cell[:0]
					}
				}
			case inIS != 0:
				switch {
				case t.Name.Local == "rPh" && phon == 0:
					phon = depth
				case t.Name.Local == "t" && phon == 0 && isT == 0:
					isT = depth
				}
			}
		case xml.EndElement:
			// depth is now the parent's: an element at depth d ends at d-1.
			name := t.Name.Local
			switch {
			case inCell && depth == rowDepth && name == "c":
				inCell = false
				v, err := s.value(cellType, hasV, hasIS)
				if err != nil {
					return s.rowErr(wrap(AtColumn, err, columnName(cellCol)))
				}
				if hasFormul {
					row.Formulas = append(row.Formulas, cellCol)
				} else if hasV && (cellType == "" || cellType == "n") {
					row.Numbers = append(row.Numbers, cellCol)
				}
				if v == "" {
					continue
				}
				if err := checkCell(cellCol, v); err != nil {
					return s.rowErr(err)
				}
				if s.rowBytes += len(v); s.rowBytes > MaxRowBytes {
					return s.rowErr(limitErr(LimitRowBytesOver, journal.Thousands(MaxRowBytes)))
				}
				for len(row.Cells) < cellCol {
					row.Cells = append(row.Cells, "")
				}
				row.Cells = append(row.Cells, v)
			case inV && depth == rowDepth+1 && name == "v":
				inV = false
			case isT != 0 && depth == isT-1:
				isT = 0
			case phon != 0 && depth == phon-1:
				phon = 0
			case inIS != 0 && depth == inIS-1:
				inIS = 0
			case inRow && depth == rowDepth-1: // </row>
				s.inRow = false
				return nil
			case s.dataDepth != 0 && depth == s.dataDepth-1: // </sheetData>
				s.dataDepth, s.dataDone = 0, true
			}
		case xml.CharData:
			if inV && !hasIS || isT != 0 {
				if len(s.cell)+len(t) > MaxCellChars*utf8.UTFMax {
					return s.rowErr(limitErr(LimitCellAt, columnName(cellCol), journal.Thousands(MaxCellChars)))
				}
				s.cell = append(s.cell, t...)
			}
		}
	}
}

// The namespaces of SpreadsheetML: transitional and strict.
const (
	mainNS       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	strictMainNS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
)

// sheetElements are the elements whose local names the reader acts on.
var sheetElements = map[string]bool{"sheetData": true, "row": true, "c": true, "v": true, "f": true, "is": true, "t": true, "r": true, "rPh": true, "cols": true, "col": true}

// checkNamespace refuses a sheet element outside SpreadsheetML's
// namespace: LibreOffice shows nothing for a <q:row> of another namespace
// (or of none), so reading it would charge a row nobody sees.
func (s *sheetReader) checkNamespace(n xml.Name) error {
	if n.Space == mainNS || n.Space == strictMainNS || !sheetElements[n.Local] {
		return nil
	}
	space := n.Space
	if space == "" {
		space = "no namespace"
	}
	return refuse(Damaged, fmt.Sprintf("%s: <%s> of %s, not SpreadsheetML's: viewers do not show it", s.part, n.Local, journal.Clip(space)))
}

// rowErr names the row being read, or the one before.
func (s *sheetReader) rowErr(err error) error {
	switch {
	case s.lastRow == 0:
		return err
	case !s.inRow:
		return wrap(AfterRow, err, s.lastRow)
	}
	return wrap(AtRow, err, s.lastRow)
}

func (s *sheetReader) value(typ string, hasV, hasIS bool) (string, error) {
	switch typ {
	case "s":
		if !hasV {
			return "", nil
		}
		i, err := strconv.Atoi(strings.TrimSpace(string(s.cell)))
		if err != nil || i < 0 {
			return "", refuse(Damaged, fmt.Sprintf("shared string index %q", journal.Clip(string(s.cell))))
		}
		if s.sst == nil || i >= len(s.sst.refs) {
			return "", refuse(Damaged, fmt.Sprintf("shared string %d does not exist", i))
		}
		return s.sst.get(i), nil
	case "inlineStr", "str":
		return unescapeOOXML(s.cell), nil
	case "", "n", "b", "e", "d":
		if !hasV {
			return "", nil
		}
		return string(s.cell), nil
	}
	return "", refuse(Damaged, fmt.Sprintf("unknown cell type %q", journal.Clip(typ)))
}

func (s *sheetReader) rowAttrs(t xml.StartElement) (n int, hidden bool, err error) {
	n = s.lastRow + 1
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "r":
			v, err := strconv.Atoi(a.Value)
			if err != nil {
				return 0, false, refuse(Damaged, fmt.Sprintf("%s: row number %q", s.part, journal.Clip(a.Value)))
			}
			n = v
		case "hidden":
			hidden = hidden || a.Value == "1" || a.Value == "true"
		case "ht":
			// A row of no height is hidden as surely.
			h, err := strconv.ParseFloat(a.Value, 64)
			hidden = hidden || err == nil && h <= 0
		}
	}
	switch {
	case n > MaxRows:
		return 0, false, limitErr(LimitRowAt, journal.Thousands(n), journal.Thousands(MaxRows))
	case n <= s.lastRow:
		return 0, false, refuse(Damaged, fmt.Sprintf("%s: row %d after row %d", s.part, n, s.lastRow))
	}
	return n, hidden, nil
}

// cellAttrs reads a cell's column (from 0) and type; last is the column
// of the cell before it in the row, -1 for none.
func (s *sheetReader) cellAttrs(t xml.StartElement, last int) (col int, typ string, style int, err error) {
	col = last + 1
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "r":
			c, r, ok := parseCellRef(a.Value)
			switch {
			case !ok:
				return 0, "", 0, s.rowErr(refuse(Damaged, fmt.Sprintf("cell reference %q", journal.Clip(a.Value))))
			case r != s.lastRow:
				return 0, "", 0, s.rowErr(refuse(Damaged, fmt.Sprintf("cell %s is not in row %d", journal.Clip(a.Value), s.lastRow)))
			}
			col = c
		case "t":
			typ = a.Value
		case "s":
			if style, err = strconv.Atoi(a.Value); err != nil || style < 0 {
				style = -1 // no such style: not known to show the digits
			}
		}
	}
	switch {
	case col >= MaxColumns:
		return 0, "", 0, s.rowErr(limitErr(LimitColumnAt, journal.Thousands(col+1), journal.Thousands(MaxColumns)))
	case col <= last:
		return 0, "", 0, s.rowErr(refuse(Damaged, fmt.Sprintf("cell %s comes after column %s", columnName(col), columnName(last))))
	}
	return col, typ, style, nil
}

// showsDigits reports whether a cell of this style shows the digits it
// holds. Without a styles part every cell is General.
func (s *sheetReader) showsDigits(style int) bool {
	switch {
	case s.shown == nil:
		return style <= 0
	case style < 0 || style >= len(s.shown):
		return false
	}
	return s.shown[style]
}

func (s *sheetReader) hiddenCol(t xml.StartElement) error {
	var lo, hi int
	hidden := false
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "min":
			lo, _ = strconv.Atoi(a.Value)
		case "max":
			hi, _ = strconv.Atoi(a.Value)
		case "hidden":
			hidden = hidden || a.Value == "1" || a.Value == "true"
		case "width":
			w, err := strconv.ParseFloat(a.Value, 64)
			hidden = hidden || err == nil && w <= 0
		}
	}
	if !hidden || lo < 1 || hi < lo {
		return nil
	}
	if len(s.HiddenCols) >= MaxColumns {
		return limitErr(LimitTechnical, fmt.Sprintf("%s: more than %s column ranges", s.part, journal.Thousands(MaxColumns)))
	}
	s.HiddenCols = append(s.HiddenCols, colRange{lo - 1, min(hi, MaxColumns) - 1})
	return nil
}

func (s *sheetReader) mergeCell(t xml.StartElement) error {
	for _, a := range t.Attr {
		if a.Name.Local != "ref" {
			continue
		}
		from, to, ok := strings.Cut(a.Value, ":")
		if !ok {
			to = from // one cell
		}
		c0, r0, ok0 := parseCellRef(from)
		c1, r1, ok1 := parseCellRef(to)
		if !ok0 || !ok1 || c1 < c0 || r1 < r0 {
			return refuse(Damaged, fmt.Sprintf("%s: merged range %q", s.part, journal.Clip(a.Value)))
		}
		if len(s.Merged) >= MaxRows {
			return limitErr(LimitTechnical, fmt.Sprintf("%s: more than %s merged ranges", s.part, journal.Thousands(MaxRows)))
		}
		s.Merged = append(s.Merged, cellRange{c0, r0, c1, r1})
	}
	return nil
}

// parseCellRef reads "AB12" as column 27 (from 0) and row 12. Columns
// beyond MaxColumns come back as MaxColumns, so the caller can say so.
func parseCellRef(ref string) (col, row int, ok bool) {
	i := 0
	for i < len(ref) && ref[i] >= 'A' && ref[i] <= 'Z' {
		if col <= MaxColumns {
			col = col*26 + int(ref[i]-'A'+1)
		}
		i++
	}
	if i == 0 || i == len(ref) {
		return 0, 0, false
	}
	r, err := strconv.Atoi(ref[i:])
	if err != nil || r < 1 || ref[i] == '+' || ref[i] == '0' {
		return 0, 0, false
	}
	return min(col, MaxColumns+1) - 1, r, true
}
