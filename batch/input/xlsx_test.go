package input

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// testSheet is one sheet of a hand-built workbook: its rows as sheetData
// XML, or the whole part when body starts with "<?xml" or "<worksheet".
type testSheet struct {
	name, state, body string
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n" +
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`

func sheetXML(rows string) string {
	return sheetHead + `<sheetData>` + rows + `</sheetData></worksheet>`
}

// xlsxParts builds the parts of a workbook with these sheets and shared
// strings, in the order a writer puts them.
func xlsxParts(sst []string, sheets ...testSheet) [][2]string {
	var wb, rels strings.Builder
	wb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>`)
	rels.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`)
	parts := [][2]string{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
	}
	for i, s := range sheets {
		state := ""
		if s.state != "" {
			state = fmt.Sprintf(` state="%s"`, s.state)
		}
		fmt.Fprintf(&wb, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, s.name, i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
		body := s.body
		if !strings.HasPrefix(body, "<?xml") && !strings.HasPrefix(body, "<worksheet") {
			body = sheetXML(body)
		}
		parts = append(parts, [2]string{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), body})
	}
	if sst != nil {
		fmt.Fprintf(&rels, `<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>`)
		var b strings.Builder
		fmt.Fprintf(&b, `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d">`, len(sst))
		for _, s := range sst {
			if strings.HasPrefix(s, "<") {
				b.WriteString("<si>" + s + "</si>")
			} else {
				b.WriteString("<si><t>" + s + "</t></si>")
			}
		}
		b.WriteString("</sst>")
		parts = append(parts, [2]string{"xl/sharedStrings.xml", b.String()})
	}
	wb.WriteString(`</sheets></workbook>`)
	rels.WriteString(`</Relationships>`)
	return append(parts[:2], append([][2]string{{"xl/workbook.xml", wb.String()}, {"xl/_rels/workbook.xml.rels", rels.String()}}, parts[2:]...)...)
}

// zipParts writes parts into a zip archive with method (zip.Store or zip.Deflate).
func zipParts(t testing.TB, method uint16, parts [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p[0], Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p[1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func buildXLSX(t testing.TB, sst []string, sheets ...testSheet) []byte {
	return zipParts(t, zip.Deflate, xlsxParts(sst, sheets...))
}

func inlineRow(r int, cells ...string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `<row r="%d">`, r)
	for i, c := range cells {
		if c == "" {
			continue
		}
		fmt.Fprintf(&b, `<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>`, columnName(i), r, c)
	}
	b.WriteString(`</row>`)
	return b.String()
}

const listRows = `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>` +
	`<row r="2"><c r="A2"><v>15925601712</v></c><c r="B2"><v>105000</v></c><c r="C2" t="s"><v>3</v></c></row>`

var listSST = []string{"手机号码", "产品ID", "姓名", "张伟"}

func TestReadXLSXValues(t *testing.T) {
	rows := `<row r="1" spans="1:4"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c><c r="D1" t="inlineStr"><is><t>备注</t></is></c></row>` +
		`<row r="2"><c r="A2"><v>15925601712</v></c><c r="B2"><v>105000</v></c><c r="C2" t="s"><v>3</v></c><c r="D2" t="inlineStr"><is><r><t>端午</t></r><r><t xml:space="preserve"> 礼品</t></r><rPh sb="0" eb="1"><t>ドゥアン</t></rPh></is></c></row>` +
		`<row r="4"><c r="A4"><v>1.3800138000E+10</v></c><c r="B4" t="str"><f>"1"&amp;"05000"</f><v>105000</v></c><c r="D4" t="s"><v>4</v></c></row>` + // row 3 skipped
		`<row><c><v>18612345678</v></c><c><v>106000</v></c><c/><c t="inlineStr"><is><t>a&lt;b&amp;c&#x4E2D;</t></is></c></row>` + // row 5, no r
		`<row r="6"><c r="A6" t="str"><f>A2</f><v>15925601712</v></c><c r="B6"><v>105000</v></c></row>` +
		`<row r="7"><c r="A7" t="inlineStr"><is><t>1.59256E+10</t></is></c><c r="B7"><v>105000</v></c><c r="XFD7"/></row>` +
		`<row r="9"><c r="C9" t="b"><v>1</v></c></row>` // nothing in phone or pid: still a row
	data := buildXLSX(t, []string{"手机号码", "产品ID", "姓名", "张伟", "<t>line_x000D_two</t>"}, testSheet{name: "名单", body: rows})
	rep, got, err := readAll(t, writeFile(t, "v.xlsx", data), Options{BatchID: "X"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Info.Sheet != "名单" || rep.Info.Rows != 6 || !reflect.DeepEqual(rep.Info.Extra, []string{"姓名", "备注"}) {
		t.Fatalf("info %+v", rep.Info)
	}
	type row struct {
		line         int
		phone, pid   string
		status       journal.RowStatus
		extra, cause string
	}
	want := []row{
		{2, "15925601712", "105000", journal.RowValid, "张伟|端午 礼品", ""},
		{4, "1.3800138000E+10", "105000", journal.RowInvalid, "|line\rtwo", "the pid cell is a formula"},
		{5, "18612345678", "106000", journal.RowValid, "|a<b&c中", ""},
		{6, "15925601712", "105000", journal.RowInvalid, "|", "the phone cell is a formula"},
		{7, "1.59256E+10", "105000", journal.RowInvalid, "|", "may have lost digits"},
		{9, "", "", journal.RowInvalid, "1|", "bad phone: empty"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Line != w.line || g.Phone != w.phone || g.Pid != w.pid || g.Status != w.status || strings.Join(g.Extra, "|") != w.extra || !strings.Contains(g.Reason, w.cause) {
			t.Errorf("row %d: got %d %q %q %s %q (%s), want %+v", i, g.Line, g.Phone, g.Pid, g.Status, g.Extra, g.Reason, w)
		}
	}
}

// A damaged or forged workbook is refused as a whole, never half-read.
func TestReadXLSXDamaged(t *testing.T) {
	good := xlsxParts(listSST, testSheet{name: "S", body: listRows})
	with := func(name, body string) [][2]string {
		var out [][2]string
		for _, p := range good {
			if p[0] == name {
				p[1] = body
			}
			out = append(out, p)
		}
		return out
	}
	sheet := "xl/worksheets/sheet1.xml"
	full := sheetXML(listRows)
	stored := zipParts(t, zip.Store, good)
	flipped := bytes.Replace(stored, []byte("15925601712"), []byte("15925601713"), 1) // another person's phone
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"stored entry, changed byte", flipped, "checksum error"},
		{"truncated sheet", zipParts(t, zip.Deflate, with(sheet, full[:strings.Index(full, `<row r="2">`)+30])), "broken XML"},
		{"sheet cut after a row", zipParts(t, zip.Deflate, with(sheet, full[:strings.Index(full, `</sheetData>`)])), "broken XML"},
		{"doctype", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, "<worksheet", `<!DOCTYPE worksheet [<!ENTITY x "15925601712">]><worksheet`, 1))), "DOCTYPE"},
		{"entity", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, "<v>15925601712</v>", "<v>&x;</v>", 1))), "broken XML"},
		{"content after the root", zipParts(t, zip.Deflate, with(sheet, full+`<worksheet><sheetData><row r="9"/></sheetData></worksheet>`)), "content after its end"},
		{"doctype in shared strings", zipParts(t, zip.Deflate, with("xl/sharedStrings.xml", `<!DOCTYPE sst><sst><si><t>手机号码</t></si></sst>`)), "DOCTYPE"},
		{"truncated workbook.xml", zipParts(t, zip.Deflate, with("xl/workbook.xml", `<workbook><sheets><sheet name="S" sheetId="1" r:id="rId1" xmlns:r="x"/>`)), "broken XML"},
		{"shared string out of range", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, "<v>3</v>", "<v>99</v>", 1))), "shared string 99 does not exist"},
		{"rows out of order", zipParts(t, zip.Deflate, with(sheet, sheetXML(listRows+`<row r="2"/>`))), "row 2 after row 2"},
		{"cell in another row", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, `r="B2"`, `r="B3"`, 1))), "not in row 2"},
		{"cells out of order", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, `r="C2"`, `r="A2"`, 1))), "comes after column"},
		{"two sheetData", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, "</worksheet>", "<sheetData/></worksheet>", 1))), "two <sheetData>"},
		{"missing sheet part", zipParts(t, zip.Deflate, good[:len(good)-2]), "not a worksheet"},
		{"not a zip", []byte("phone,pid\n15925601712,105000\n"), "not a readable workbook"},
		{"non-UTF-8 declaration", zipParts(t, zip.Deflate, with(sheet, strings.Replace(full, `encoding="UTF-8"`, `encoding="GB2312"`, 1))), "damaged workbook"},
	}
	// The same part twice: which one Excel shows is anybody's guess.
	tests = append(tests, struct {
		name string
		data []byte
		want string
	}{"duplicate part", zipParts(t, zip.Deflate, append(good, [2]string{"XL/worksheets/Sheet1.xml", full})), "twice"})
	// A stored entry whose CRC the archive gives as zero: archive/zip does
	// not check it; we do.
	var zeroCRC bytes.Buffer
	zw := zip.NewWriter(&zeroCRC)
	for _, p := range good {
		body := p[1]
		if p[0] == sheet {
			body = strings.Replace(body, "15925601712", "15925601713", 1)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p[0], Method: zip.Store, CRC32: 0, CompressedSize64: uint64(len(body)), UncompressedSize64: uint64(len(body))})
		if err == nil {
			_, err = w.Write([]byte(body))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	tests = append(tests, struct {
		name string
		data []byte
		want string
	}{"zero CRC", zeroCRC.Bytes(), "checksum error"})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := readAll(t, writeFile(t, "d.xlsx", tt.data), Options{BatchID: "X"})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
	// The good one is read, so the refusals above are the damage's.
	if _, rows, err := readAll(t, writeFile(t, "g.xlsx", stored), Options{BatchID: "X"}); err != nil || len(rows) != 1 || rows[0].Status != journal.RowValid {
		t.Fatalf("good workbook: %v %+v", err, rows)
	}
}

// A byte changed anywhere in a compressed sheet is refused: by inflate, or
// by the CRC when inflate still makes something of it.
func TestReadXLSXFlippedDeflateByte(t *testing.T) {
	var rows strings.Builder
	rows.WriteString(inlineRow(1, "phone", "pid", "name"))
	for i := 2; i < 60; i++ {
		fmt.Fprintf(&rows, `<row r="%d"><c r="A%d"><v>159256%05d</v></c><c r="B%d"><v>105000</v></c></row>`, i, i, i, i)
	}
	data := buildXLSX(t, nil, testSheet{name: "S", body: rows.String()})
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var zf *zip.File
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			zf = f
		}
	}
	off, err := zf.DataOffset()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for k := int64(0); k < int64(zf.CompressedSize64); k++ {
		bad := bytes.Clone(data)
		bad[off+k] ^= 0x01
		path := dir + "/f.xlsx"
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, _, err := readAll(t, path, Options{}); err == nil {
			t.Fatalf("byte %d of the compressed sheet flipped: read without error", k)
		}
	}
}

func TestReadXLSXSheetChoice(t *testing.T) {
	list := listRows
	notes := inlineRow(1, "说明") + inlineRow(2, "请在名单页填写")
	old := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2"><v>13800138000</v></c><c r="B2"><v>105000</v></c></row>`
	tests := []struct {
		name   string
		sheets []testSheet
		want   string // sheet read
		sheet  string // -sheet
		err    string
	}{
		{"hidden first sheet is skipped", []testSheet{{"上月", "hidden", old}, {"本月", "", list}}, "本月", "", ""},
		{"veryHidden first sheet is skipped", []testSheet{{"上月", "veryHidden", old}, {"本月", "", list}}, "本月", "", ""},
		{"instructions first", []testSheet{{"说明", "", notes}, {"名单", "", list}}, "名单", "", ""},
		{"-sheet names a hidden sheet", []testSheet{{"上月", "hidden", old}, {"本月", "", list}}, "", "上月", `sheet "上月" is hidden`},
		{"-sheet names a visible sheet", []testSheet{{"A", "", list}, {"B", "", list}}, "B", "B", ""},
		{"two lists", []testSheet{{"A", "", list}, {"B", "", list}, {"C", "hidden", list}}, "", "", `2 sheets could be the list: "A", "B"; say which with -sheet`},
		{"no list", []testSheet{{"A", "", notes}, {"B", "", ""}}, "", "", `no visible sheet has a header with a phone and a product column in its first 20 rows ("A": no header row in the first 20 rows`},
		{"only hidden sheets", []testSheet{{"A", "hidden", list}}, "", "", "no visible sheet (hidden: A)"},
		{"one visible sheet is read as it is", []testSheet{{"A", "hidden", list}, {"B", "", notes}}, "", "", `the rows as read: row 1: "说明"; row 2: "请在名单页填写"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildXLSX(t, listSST, tt.sheets...)
			rep, rows, err := readAll(t, writeFile(t, "c.xlsx", data), Options{Sheet: tt.sheet, BatchID: "X"})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Info.Sheet != tt.want || len(rows) != 1 || rows[0].Phone != "15925601712" {
				t.Fatalf("read sheet %q rows %+v, want sheet %q", rep.Info.Sheet, rows, tt.want)
			}
		})
	}
	// A damaged sheet that is not chosen still must not sway the choice.
	parts := xlsxParts(listSST, testSheet{"A", "", list}, testSheet{"B", "", list})
	parts[len(parts)-3][1] = parts[len(parts)-3][1][:200]
	if _, _, err := readAll(t, writeFile(t, "p.xlsx", zipParts(t, zip.Deflate, parts)), Options{}); err == nil || !strings.Contains(err.Error(), "broken XML") {
		t.Fatalf("damaged candidate: %v", err)
	}
}

func TestReadXLSXLimits(t *testing.T) {
	big := strings.Repeat("长", MaxCellChars+1)
	var wide strings.Builder
	wide.WriteString(`<row r="1">`)
	for i := 0; i <= MaxColumns; i++ {
		wide.WriteString(`<c t="inlineStr"><is><t>h</t></is></c>`)
	}
	wide.WriteString(`</row>`)
	var heavy strings.Builder // 36 cells of 30,000 characters
	heavy.WriteString(`<row r="2">`)
	for i := 0; i < 36; i++ {
		fmt.Fprintf(&heavy, `<c t="inlineStr"><is><t>%s</t></is></c>`, strings.Repeat("x", 30000))
	}
	heavy.WriteString(`</row>`)
	tests := []struct {
		name, rows, want string
	}{
		{"cell too long", inlineRow(1, "phone", "pid", "name") + inlineRow(2, "15925601712", "105000", big), "row 2: column C: a cell of 32,768 characters; at most 32,767"},
		{"cell just fits", inlineRow(1, "phone", "pid", "name") + inlineRow(2, "15925601712", "105000", big[len("长"):]), ""},
		{"column beyond XFD", inlineRow(1, "phone", "pid") + `<row r="2"><c r="XFE2"><v>1</v></c></row>`, "column 16,385; at most 16,384 columns"},
		{"header of too many columns", wide.String(), "at most 16,384 columns"},
		{"row beyond Excel's last", inlineRow(1, "phone", "pid") + `<row r="1048577"/>`, "row 1,048,577; at most 1,048,576 rows"},
		{"a row of too much text", inlineRow(1, "phone", "pid") + heavy.String(), "more than 1,048,576 bytes of text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildXLSX(t, nil, testSheet{name: "S", body: tt.rows})
			_, _, err := readAll(t, writeFile(t, "l.xlsx", data), Options{})
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, errLimit) {
				t.Fatalf("error %v, want a limit saying %q", err, tt.want)
			}
		})
	}
}

// The central directory is bounded before archive/zip reads it whole.
func TestReadXLSXTooManyEntries(t *testing.T) {
	parts := xlsxParts(listSST, testSheet{name: "S", body: listRows})
	for i := 0; i < 10_001; i++ {
		parts = append(parts, [2]string{fmt.Sprintf("junk/%d", i), ""})
	}
	_, _, err := readAll(t, writeFile(t, "many.xlsx", zipParts(t, zip.Store, parts)), Options{})
	if err == nil || !strings.Contains(err.Error(), "entries; at most 10,000") || !errors.Is(err, errLimit) {
		t.Fatalf("error %v", err)
	}
}

// A part that inflates past the size its archive gives is refused at once.
func TestReadXLSXPartLongerThanSaid(t *testing.T) {
	body := sheetXML(listRows + strings.Repeat("<row/>", 1000))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range xlsxParts(listSST, testSheet{name: "S", body: listRows}) {
		if p[0] != "xl/worksheets/sheet1.xml" {
			w, _ := zw.Create(p[0])
			w.Write([]byte(p[1]))
			continue
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p[0], Method: zip.Store, CompressedSize64: uint64(len(body)), UncompressedSize64: 100})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	_, _, err := readAll(t, writeFile(t, "long.xlsx", buf.Bytes()), Options{})
	if err == nil || !strings.Contains(err.Error(), "unpacks to more than the 100 bytes the archive says") {
		t.Fatalf("error %v", err)
	}
}

// Parts that start with a UTF-8 byte order mark (as .NET writers do) are read.
func TestReadXLSXByteOrderMark(t *testing.T) {
	var parts [][2]string
	for _, p := range xlsxParts(listSST, testSheet{name: "S", body: listRows}) {
		parts = append(parts, [2]string{p[0], "\ufeff" + p[1]})
	}
	_, rows, err := readAll(t, writeFile(t, "bom.xlsx", zipParts(t, zip.Deflate, parts)), Options{})
	if err != nil || len(rows) != 1 || rows[0].Phone != "15925601712" || rows[0].Extra[0] != "张伟" {
		t.Fatalf("%v %+v", err, rows)
	}
}

// A number an XLSX stores is its value, however few digits it writes:
// Java's writers (EasyExcel, POI) store 13800138000 as 1.3800138E10.
// Only a value that is not a whole phone number is refused; the same
// text typed into a text cell is what a screen showed, and stays refused
// unless it shows all 11 digits.
func TestReadXLSXStoredNumberInScientificNotation(t *testing.T) {
	tests := []struct {
		v, typ     string // the <v> and the cell's t
		phone, why string // want: the phone read, or why refused
	}{
		{"1.3800138E10", "", "13800138000", ""},
		{"1.3800138E+10", "n", "13800138000", ""},
		{"1.5925601712E10", "", "15925601712", ""},
		{"1.38E10", "", "13800000000", ""},
		{"1.38001380001E10", "", "", "not a whole number"},
		{"1.3800138000000002E10", "", "", "not a whole number"},
		{"1.3800138E9", "", "", "10 digits"},
	}
	for _, tc := range tests {
		t.Run(tc.v, func(t *testing.T) {
			typ := ""
			if tc.typ != "" {
				typ = ` t="` + tc.typ + `"`
			}
			rows := `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
				`<row r="2"><c r="A2"` + typ + `><v>` + tc.v + `</v></c><c r="B2"><v>105000</v></c></row>` +
				`<row r="3"><c r="A3" t="inlineStr"><is><t>` + tc.v + `</t></is></c><c r="B3"><v>105001</v></c></row>`
			data := buildXLSX(t, []string{"手机号码", "产品ID"}, testSheet{name: "名单", body: rows})
			_, got, err := readAll(t, writeFile(t, "n.xlsx", data), Options{BatchID: "X"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 {
				t.Fatalf("%d rows: %+v", len(got), got)
			}
			g := got[0]
			if tc.why == "" && (g.Status != journal.RowValid || g.Phone != tc.phone) {
				t.Errorf("stored %s: %s %q (%s), want valid %s", tc.v, g.Status, g.Phone, g.Reason, tc.phone)
			}
			if tc.why != "" && (g.Status != journal.RowInvalid || !strings.Contains(g.Reason, tc.why)) {
				t.Errorf("stored %s: %s %q (%s), want refused: %s", tc.v, g.Status, g.Phone, g.Reason, tc.why)
			}
			if s := got[1]; s.Status != journal.RowInvalid && significantDigits(tc.v) < 11 {
				t.Errorf("text %s: %s %q, want refused (text shows what a screen showed)", tc.v, s.Status, s.Phone)
			}
		})
	}
}
