package input

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

// A few hundred kilobytes of "<a><a><a>…" inflate to an XML document
// nested millions deep; encoding/xml keeps each open element, so reading
// it took gigabytes. It is refused at a bounded depth.
func TestReadXLSXDeepNestingRefused(t *testing.T) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, p := range xlsxParts(nil, testSheet{name: "S", body: "x"}) {
		w, err := zw.Create(p[0])
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(p[0], "xl/worksheets/") {
			w.Write([]byte(sheetHead + `<sheetData>` + inlineRow(1, "phone", "pid")))
			chunk := bytes.Repeat([]byte("<a>"), 1<<16)
			for i := 0; i < 64; i++ { // 12 MiB: millions of levels
				w.Write(chunk)
			}
			continue
		}
		w.Write([]byte(p[1]))
	}
	zw.Close()
	_, _, err := readAll(t, writeFile(t, "deep.xlsx", b.Bytes()), Options{BatchID: "X"})
	if !errors.Is(err, errLimit) || !strings.Contains(err.Error(), "nested") {
		t.Fatalf("err = %v, want a refusal for nesting", err)
	}
}

// One shared string of 30,000 characters fills 30 cells of every row: a
// few hundred kilobytes of workbook held gigabytes of row text, which
// check took minutes to read and submit would have journaled. The rows'
// text together is bounded.
func TestReadXLSXSharedStringAmplificationRefused(t *testing.T) {
	cells := strings.Repeat(`<c t="s"><v>2</v></c>`, 30)
	var rows strings.Builder
	rows.WriteString(`<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>`)
	for i := 0; i < 400; i++ { // 400 × 900 KB > MaxInputText
		rows.WriteString(`<row><c><v>13800138000</v></c><c><v>100</v></c>` + cells + `</row>`)
	}
	data := buildXLSX(t, []string{"phone", "pid", strings.Repeat("y", 30_000)}, testSheet{name: "S", body: rows.String()})
	if len(data) > 1<<20 {
		t.Fatalf("the workbook is %d bytes; the point is a small file", len(data))
	}
	_, _, err := readAll(t, writeFile(t, "amp.xlsx", data), Options{BatchID: "X", AllowDuplicates: true})
	if !errors.Is(err, errLimit) || !strings.Contains(err.Error(), "together") {
		t.Fatalf("err = %v, want a refusal for the rows' text", err)
	}
}

// What the sheet hides is not on the list the user sees: a hidden row
// (hidden, filtered out, or of no height) is never charged, and a hidden
// phone or product column refuses the file.
func TestReadXLSXHiddenRowsAndColumns(t *testing.T) {
	head := inlineRow(1, "phone", "pid", "name")
	row := func(r int, attrs, phone string) string {
		return fmt.Sprintf(`<row r="%d"%s><c r="A%d"><v>%s</v></c><c r="B%d"><v>100</v></c></row>`, r, attrs, r, phone, r)
	}
	for _, tc := range []struct {
		name, cols, rows string
		refused          string // "" when the file is read
		charged          []string
	}{
		{"hidden row", "", row(2, "", "13800138000") + row(3, ` hidden="1"`, "13900139000"), "", []string{"13800138000"}},
		{"hidden true", "", row(2, ` hidden="true"`, "13900139000"), "", nil},
		{"no height", "", row(2, ` ht="0" customHeight="1"`, "13900139000") + row(3, ` ht="15"`, "13800138000"), "", []string{"13800138000"}},
		{"hidden phone column", `<cols><col min="1" max="1" hidden="1"/></cols>`, row(2, "", "13800138000"), "phone column (A, \"phone\") is hidden", nil},
		{"zero-width pid column", `<cols><col min="2" max="3" width="0" customWidth="1"/></cols>`, row(2, "", "13800138000"), "product column (B, \"pid\") is hidden", nil},
		{"hidden extra column", `<cols><col min="3" max="3" hidden="1"/></cols>`, row(2, "", "13800138000"), "", []string{"13800138000"}},
		{"hidden header", "", `<row r="1" hidden="1">` + strings.TrimPrefix(head, `<row r="1">`) + row(2, "", "13800138000"), "header", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rows := tc.rows
			if !strings.HasPrefix(rows, `<row r="1"`) {
				rows = head + rows
			}
			body := sheetHead + tc.cols + `<sheetData>` + rows + `</sheetData></worksheet>`
			_, got, err := readAll(t, writeFile(t, "h.xlsx", buildXLSX(t, nil, testSheet{name: "S", body: body})), Options{BatchID: "X"})
			if tc.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("err = %v, want a refusal naming %q", err, tc.refused)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var charged []string
			for _, r := range got {
				if r.OrderID != "" {
					charged = append(charged, r.Phone)
				} else if !strings.Contains(r.Reason, "hidden") {
					t.Errorf("row %d: %s, want it refused as hidden", r.Line, r.Reason)
				}
			}
			if strings.Join(charged, ",") != strings.Join(tc.charged, ",") {
				t.Fatalf("charged %v, want %v", charged, tc.charged)
			}
		})
	}
}

// A cell is one value, in SpreadsheetML's namespace. A cell of <v> and
// <is> was read as both run together (LibreOffice shows it empty), a t="s"
// cell with an <is> read another shared string, and rows of another
// namespace (which LibreOffice does not show) were charged.
func TestReadXLSXCellValueAmbiguity(t *testing.T) {
	head := inlineRow(1, "phone", "pid")
	for _, tc := range []struct{ name, body string }{
		{"v then is", sheetXML(head + `<row r="2"><c r="A2" t="inlineStr"><v>1380013</v><is><t>8000</t></is></c><c r="B2"><v>100</v></c></row>`)},
		{"shared index then is", sheetXML(head + `<row r="2"><c r="A2" t="s"><v>0</v><is><t>1</t></is></c><c r="B2"><v>100</v></c></row>`)},
		{"two v", sheetXML(head + `<row r="2"><c r="A2"><v>13800138000</v><v>13900139000</v></c><c r="B2"><v>100</v></c></row>`)},
		{"two is", sheetXML(head + `<row r="2"><c r="A2" t="inlineStr"><is><t>13800138000</t></is><is><t>13900139000</t></is></c><c r="B2"><v>100</v></c></row>`)},
		{"foreign rows", sheetHead + `<sheetData xmlns:q="urn:x">` + head + `<q:row r="2"><q:c r="A2"><q:v>13800138000</q:v></q:c><q:c r="B2"><q:v>100</q:v></q:c></q:row></sheetData></worksheet>`},
		{"foreign value", sheetHead + `<sheetData xmlns:q="urn:x">` + head + `<row r="2"><c r="A2"><q:v>13800138000</q:v></c><c r="B2"><v>100</v></c></row></sheetData></worksheet>`},
		{"no namespace", `<worksheet><sheetData><row r="1"><c t="inlineStr"><is><t>phone</t></is></c><c t="inlineStr"><is><t>pid</t></is></c></row><row r="2"><c><v>13800138000</v></c><c><v>100</v></c></row></sheetData></worksheet>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := readAll(t, writeFile(t, "v.xlsx", buildXLSX(t, []string{"13900139000", "x"}, testSheet{name: "S", body: tc.body})), Options{BatchID: "X"})
			if err == nil || !strings.Contains(err.Error(), "damaged workbook") {
				t.Fatalf("err = %v, rows %+v: want the file refused", err, got)
			}
		})
	}
}

// withStyles adds a styles part to a workbook's parts: custom number
// formats (id 164 on) and the cell styles' numFmtIds.
func withStyles(parts [][2]string, codes []string, xfs ...int) [][2]string {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts>`)
	for i, c := range codes {
		fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="%s"/>`, 164+i, strings.ReplaceAll(c, `"`, "&quot;"))
	}
	b.WriteString(`</numFmts><cellStyleXfs count="1"><xf numFmtId="3"/></cellStyleXfs><cellXfs>`)
	for _, x := range xfs {
		fmt.Fprintf(&b, `<xf numFmtId="%d" applyNumberFormat="1"/>`, x)
	}
	b.WriteString(`</cellXfs></styleSheet>`)
	for i, p := range parts {
		if p[0] == "xl/_rels/workbook.xml.rels" {
			parts[i][1] = strings.Replace(p[1], `</Relationships>`, `<Relationship Id="rIdT" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1)
		}
	}
	return append(parts, [2]string{"xl/styles.xml", b.String()})
}

// A number format decides what a cell shows: the literal format
// "13800138000" shows that phone whatever the cell holds (LibreOffice's
// "as shown" export says 13800138000 for a cell holding 13900139000),
// ";;;" shows nothing. A phone or pid cell is charged only under a format
// that shows the digits it holds.
func TestReadXLSXNumberFormatShown(t *testing.T) {
	codes := []string{`"13800138000"`, `;;;`, `0,,`, `000-0000-0000`, `00000000000`, `@`, `0.0`}
	xfs := []int{0, 164, 165, 166, 167, 168, 169, 170, 1, 49, 14, 2, 11}
	for _, tc := range []struct {
		style  int
		pidSty int
		ok     bool
	}{
		{0, 0, true},   // General
		{1, 0, false},  // a literal phone
		{2, 0, false},  // hides everything
		{3, 0, false},  // drops digits
		{4, 0, true},   // 000-0000-0000
		{5, 0, true},   // eleven zeros
		{6, 0, true},   // custom @
		{7, 0, false},  // 0.0: not a placeholder-only format
		{8, 0, true},   // built-in "0"
		{9, 0, true},   // built-in "@"
		{10, 0, false}, // a date
		{12, 0, false}, // scientific
		{0, 2, false},  // the pid cell hides its digits
		{99, 0, false}, // no such style
		{0, 11, false}, // pid "0.00": shown with decimals, refuse rather than guess
	} {
		t.Run(fmt.Sprintf("phone s=%d pid s=%d", tc.style, tc.pidSty), func(t *testing.T) {
			body := inlineRow(1, "phone", "pid") + fmt.Sprintf(`<row r="2"><c r="A2" s="%d"><v>13900139000</v></c><c r="B2" s="%d"><v>100</v></c></row>`, tc.style, tc.pidSty)
			data := zipParts(t, zip.Deflate, withStyles(xlsxParts(nil, testSheet{name: "S", body: body}), codes, xfs...))
			_, got, err := readAll(t, writeFile(t, "f.xlsx", data), Options{BatchID: "X"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 {
				t.Fatalf("rows %+v", got)
			}
			if charged := got[0].OrderID != ""; charged != tc.ok || !tc.ok && !strings.Contains(got[0].Reason, "number format") {
				t.Fatalf("charged %v (%s), want %v", charged, got[0].Reason, tc.ok)
			}
		})
	}
}

// A merged range shows its first cell across the range and hides what
// the other cells hold: A2:A3 merged showed 13800138000 on both rows
// while 13900139000, held by A3 and seen by nobody, was charged.
func TestReadXLSXMergedCells(t *testing.T) {
	rows := inlineRow(1, "phone", "pid", "dept") +
		`<row r="2"><c r="A2"><v>13800138000</v></c><c r="B2"><v>100</v></c><c r="C2" t="inlineStr"><is><t>HR</t></is></c></row>` +
		`<row r="3"><c r="A3"><v>13900139000</v></c><c r="B3"><v>200</v></c></row>`
	for _, tc := range []struct {
		merge   string
		refused string
	}{
		{"A2:A3", "over the phone column"},
		{"B2:C2", "over the product column"},
		{"A1:B1", "over the phone column"},
		{"C2:C3", ""}, // an extra column: shown as the user sees it, charged nothing
		{"A2", ""},    // one cell is no merge
	} {
		t.Run(tc.merge, func(t *testing.T) {
			body := sheetHead + `<sheetData>` + rows + `</sheetData><mergeCells count="1"><mergeCell ref="` + tc.merge + `"/></mergeCells></worksheet>`
			_, got, err := readAll(t, writeFile(t, "m.xlsx", buildXLSX(t, nil, testSheet{name: "S", body: body})), Options{BatchID: "X"})
			switch {
			case tc.refused == "" && err != nil:
				t.Fatal(err)
			case tc.refused == "" && len(got) != 2:
				t.Fatalf("rows %+v", got)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Fatalf("err = %v, want a refusal %q", err, tc.refused)
			}
		})
	}
}

// A lone CR ends a row for Excel and LibreOffice, not for csv.Reader: the
// row after it became extra cells of the row before, and was never
// charged nor reported. Such a file is refused.
func TestReadCSVLoneCarriageReturn(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"CR only", "phone,pid,name\r13800138000,100,a\r13900139000,200,b\r"},
		{"mixed", "phone,pid,name\n13800138000,100,a\r13900139000,200,b\n"},
		{"in a quoted cell", "phone,pid,name\r\n13800138000,100,\"a\rb\"\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := readAll(t, writeFile(t, "cr.csv", []byte(tc.data)), Options{BatchID: "X"})
			if err == nil || !strings.Contains(err.Error(), "carriage return") {
				t.Fatalf("err = %v, rows %+v: want the file refused", err, got)
			}
		})
	}
	// CRLF, and CRLF inside a quoted cell, are ordinary.
	_, got, err := readAll(t, writeFile(t, "crlf.csv", []byte("phone,pid,name\r\n13800138000,100,\"a\r\nb\"\r\n13900139000,200,b\r\n")), Options{BatchID: "X"})
	if err != nil || len(got) != 2 || got[1].Line != 3 {
		t.Fatalf("err %v, rows %+v", err, got)
	}
}

// A megabyte of workbook can hold a gigabyte of "<x/>": within the sheet
// size limit, yet 268 million elements took check 154 s. A part's tokens
// are bounded (MaxXMLTokens; here a small bound stands for it).
func TestXMLTokensBounded(t *testing.T) {
	doc := sheetXML(inlineRow(1, "phone", "pid") + strings.Repeat("<x/>", 1000))
	sr := newSheetReader("xl/worksheets/sheet1.xml", strings.NewReader(doc), nil)
	if sr.x.maxTokens != MaxXMLTokens {
		t.Fatalf("the bound is %d, not MaxXMLTokens", sr.x.maxTokens)
	}
	sr.x.maxTokens = 500
	var row rawRow
	var err error
	for err == nil {
		err = sr.next(&row)
	}
	if !errors.Is(err, errLimit) || !strings.Contains(err.Error(), "XML elements") {
		t.Fatalf("err = %v, want the token bound", err)
	}
	// The same document under a bound it fits is read to its end.
	sr = newSheetReader("xl/worksheets/sheet1.xml", strings.NewReader(doc), nil)
	for err = nil; err == nil; err = sr.next(&row) {
	}
	if err != io.EOF {
		t.Fatal(err)
	}
}

// Two sheets naming one part: each visible sheet's part is read to its
// end while choosing, so 150 names for one gigabyte part (a 1 MB file)
// took minutes. Such a workbook is refused as damaged.
func TestReadXLSXSheetsSharingAPart(t *testing.T) {
	parts := xlsxParts(nil, testSheet{name: "A", body: inlineRow(1, "phone", "pid")}, testSheet{name: "B", body: inlineRow(1, "phone", "pid")})
	for i, p := range parts {
		if p[0] == "xl/_rels/workbook.xml.rels" {
			parts[i][1] = strings.Replace(p[1], "worksheets/sheet2.xml", "worksheets/SHEET1.xml", 1)
		}
	}
	_, _, err := readAll(t, writeFile(t, "same.xlsx", zipParts(t, zip.Deflate, parts)), Options{BatchID: "X"})
	if err == nil || !strings.Contains(err.Error(), "the same part") {
		t.Fatalf("err = %v, want a refusal", err)
	}
}

// Archives that no viewer reads as we would: bytes before the archive
// (LibreOffice cannot load it; archive/zip reads from its end), or an
// entry flagged encrypted (a viewer asks for a password).
func TestReadXLSXArchiveTricks(t *testing.T) {
	good := buildXLSX(t, nil, testSheet{name: "S", body: inlineRow(1, "phone", "pid") + inlineRow(2, "13800138000", "100")})
	encrypted := append([]byte(nil), good...)
	// Set the encryption bit in every central directory header.
	for i := 0; ; {
		j := bytes.Index(encrypted[i:], []byte("PK\x01\x02"))
		if j < 0 {
			break
		}
		encrypted[i+j+8] |= 1
		i += j + 4
	}
	// A comment at the end is an ordinary zip.
	var commented bytes.Buffer
	zw := zip.NewWriter(&commented)
	for _, p := range xlsxParts(nil, testSheet{name: "S", body: inlineRow(1, "phone", "pid") + inlineRow(2, "13800138000", "100")}) {
		w, _ := zw.Create(p[0])
		w.Write([]byte(p[1]))
	}
	zw.SetComment("written by hand")
	zw.Close()
	for _, tc := range []struct {
		name    string
		data    []byte
		refused string
	}{
		{"stub before", append([]byte("MZ stub bytes"), good...), "does not start with a zip entry"},
		{"archive before", append(append([]byte(nil), good...), good...), "not where the archive says"},
		{"encrypted", encrypted, "encrypted"},
		{"comment", commented.Bytes(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, got, err := readAll(t, writeFile(t, "z.xlsx", tc.data), Options{BatchID: "X"})
			switch {
			case tc.refused == "" && (err != nil || len(got) != 1):
				t.Fatalf("err %v, rows %+v", err, got)
			case tc.refused != "" && (err == nil || !strings.Contains(err.Error(), tc.refused)):
				t.Fatalf("err = %v, want %q", err, tc.refused)
			}
		})
	}
}
