package input

import (
	"archive/zip"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const odsHead = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
	`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">` +
	`<office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style>` +
	`<style:style style:name="ta2" style:family="table"><style:table-properties table:display="false"/></style:style></office:automatic-styles>` +
	`<office:body><office:spreadsheet>`

const odsTail = `</office:spreadsheet></office:body></office:document-content>`

// odsSheet is one <table:table> with these rows (table-row XML).
func odsSheet(name string, hidden bool, rows string) string {
	style := "ta1"
	if hidden {
		style = "ta2"
	}
	return fmt.Sprintf(`<table:table table:name="%s" table:style-name="%s"><table:table-column table:number-columns-repeated="3"/>%s</table:table>`, name, style, rows)
}

// odsRow is a row of string cells ("" is an empty cell).
func odsRow(cells ...string) string {
	var b strings.Builder
	b.WriteString(`<table:table-row>`)
	for _, c := range cells {
		if c == "" {
			b.WriteString(`<table:table-cell/>`)
			continue
		}
		fmt.Fprintf(&b, `<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`, c)
	}
	b.WriteString(`</table:table-row>`)
	return b.String()
}

func buildODS(t testing.TB, content string) []byte {
	return zipParts(t, zip.Deflate, [][2]string{
		{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		{"content.xml", content},
	})
}

func TestReadODS(t *testing.T) {
	head := odsRow("姓名", "手机号码", "产品编码")
	num := func(name, phone string) string {
		return `<table:table-row><table:table-cell office:value-type="string"><text:p>` + name + `</text:p>` +
			`<office:annotation><text:p>a comment is not the cell</text:p></office:annotation></table:table-cell>` +
			`<table:table-cell office:value-type="float" office:value="` + phone + `"><text:p>1.38E+10</text:p></table:table-cell>` +
			`<table:table-cell office:value-type="float" office:value="105000"><text:p>105,000</text:p></table:table-cell></table:table-row>`
	}
	blankRun := `<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`
	tests := []struct {
		name    string
		content string
		opts    Options
		rows    []string
		sheet   string
		extra   []string
		err     string
	}{
		{
			name:    "numbers from office:value, a comment left out, a million blank rows skipped",
			content: odsHead + odsSheet("名单", false, head+num("张<text:s text:c=\"2\"/>伟", "13800138000")+blankRun+num("李娜", "13900139000")) + odsTail,
			rows:    []string{"2 13800138000 105000 valid", "1048003 13900139000 105000 valid"},
			sheet:   "名单", extra: []string{"姓名"},
		},
		{
			name:    "a repeated row is each of its rows",
			content: odsHead + odsSheet("S", false, head+strings.Replace(num("x", "13800138000"), "<table:table-row>", `<table:table-row table:number-rows-repeated="3">`, 1)) + odsTail,
			opts:    Options{AllowDuplicates: true},
			rows:    []string{"2 13800138000 105000 valid", "3 13800138000 105000 duplicate", "4 13800138000 105000 duplicate"},
			sheet:   "S", extra: []string{"姓名"},
		},
		{
			name:    "a float stored in scientific notation is its value; a string so written is what a screen showed",
			content: odsHead + odsSheet("S", false, head+num("x", "1.3800138E10")+strings.Replace(num("y", "1.3900139E10"), `office:value-type="float" office:value="1.3900139E10"><text:p>1.38E+10`, `office:value-type="string"><text:p>1.3900139E10`, 1)) + odsTail,
			rows:    []string{"2 13800138000 105000 valid", "3 1.3900139E10 105000 invalid"},
			sheet:   "S", extra: []string{"姓名"},
		},
		{
			name:    "a repeated cell fills its columns",
			content: odsHead + odsSheet("S", false, odsRow("phone", "pid")+`<table:table-row><table:table-cell office:value-type="float" office:value="13800138000" table:number-columns-repeated="1"/><table:table-cell table:number-columns-repeated="1000"/><table:table-cell office:value-type="string" table:number-columns-repeated="1"><text:p>x</text:p></table:table-cell></table:table-row>`) + odsTail,
			rows:    []string{"2 13800138000  invalid"},
			sheet:   "S",
		},
		{
			name:    "a hidden sheet is not read; the instructions sheet neither",
			content: odsHead + odsSheet("上月", true, head+num("x", "13700137000")) + odsSheet("说明", false, odsRow("请填写名单")) + odsSheet("本月", false, odsRow("福利名单")+head+num("x", "13800138000")+odsRow("合计", "1人")) + odsTail,
			rows:    []string{"3 13800138000 105000 valid"},
			sheet:   "本月", extra: []string{"姓名"},
		},
		{
			name:    "two lists",
			content: odsHead + odsSheet("A", false, head+num("x", "13800138000")) + odsSheet("B", false, head+num("x", "13800138000")) + odsTail,
			err:     `2 sheets could be the list: "A", "B"; say which with -sheet`,
		},
		{
			name:    "-sheet",
			content: odsHead + odsSheet("A", false, head+num("x", "13800138000")) + odsSheet("B", false, head+num("x", "13900139000")) + odsTail,
			opts:    Options{Sheet: "B"},
			rows:    []string{"2 13900139000 105000 valid"},
			sheet:   "B", extra: []string{"姓名"},
		},
		{
			name:    "-sheet names a hidden sheet",
			content: odsHead + odsSheet("A", true, head) + odsSheet("B", false, head) + odsTail,
			opts:    Options{Sheet: "A"},
			err:     `sheet "A" is hidden`,
		},
		{
			name:    "hidden rows and a formula",
			content: odsHead + odsSheet("S", false, head+strings.Replace(num("x", "13800138000"), "<table:table-row>", `<table:table-row table:visibility="collapse">`, 1)+strings.Replace(num("y", "13900139000"), `office:value-type="float" office:value="139`, `table:formula="of:=[.B2]" office:value-type="float" office:value="139`, 1)) + odsTail,
			opts:    Options{HiddenRows: "include"},
			rows:    []string{"2 13800138000 105000 valid", "3 13900139000 105000 invalid"},
			sheet:   "S", extra: []string{"姓名"},
		},
		{
			name:    "a hidden phone column",
			content: odsHead + `<table:table table:name="S"><table:table-column/><table:table-column table:visibility="collapse"/>` + head + num("x", "13800138000") + `</table:table>` + odsTail,
			err:     `the phone column (B, "手机号码") is hidden`,
		},
		{
			name:    "cut off",
			content: odsHead + odsSheet("S", false, head+num("x", "13800138000"))[:200],
			err:     "damaged",
		},
		{
			name: "a merged phone: the covered cell's value is not what is shown",
			content: odsHead + odsSheet("S", false, head+strings.Replace(num("x", "13800138000"), `<table:table-cell office:value-type="float" office:value="13800138000">`, `<table:table-cell table:number-rows-spanned="2" office:value-type="float" office:value="13800138000">`, 1)+
				`<table:table-row><table:table-cell office:value-type="string"><text:p>y</text:p></table:table-cell><table:covered-table-cell office:value-type="float" office:value="13900139000"/><table:table-cell office:value-type="float" office:value="105000"/></table:table-row>`) + odsTail,
			rows:  []string{"2 13800138000 105000 valid", "3  105000 invalid"},
			sheet: "S", extra: []string{"姓名"},
		},
		{
			name:    "mismatched tags",
			content: odsHead + odsSheet("S", false, head+`<table:table-row><table:table-cell></table:table-row></table:table-cell>`) + odsTail,
			err:     "damaged workbook: content.xml: broken XML: </table-row> does not close the element open",
		},
		{
			name:    "unclosed at the end",
			content: odsHead + odsSheet("S", false, head) + `</office:spreadsheet></office:body>`,
			err:     "damaged",
		},
		{
			name:    "a DOCTYPE",
			content: `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]>` + odsHead[len(`<?xml version="1.0" encoding="UTF-8"?>`):] + odsTail,
			err:     "DOCTYPE",
		},
		{
			name:    "rows past the limit",
			content: odsHead + odsSheet("S", false, head+strings.Replace(num("x", "13800138000"), "<table:table-row>", `<table:table-row table:number-rows-repeated="1048576">`, 1)) + odsTail,
			err:     "at most 1,048,576 rows",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.BatchID = "T"
			rep, rows, err := readAll(t, writeFile(t, "in.ods", buildODS(t, tt.content)), tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tableRows(rows); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows %q, want %q", got, tt.rows)
			}
			if rep.Info.Format != "ods" || rep.Info.Sheet != tt.sheet || !reflect.DeepEqual(rep.Info.Extra, tt.extra) {
				t.Errorf("info %+v", rep.Info)
			}
		})
	}
}

func TestReadXLSRefused(t *testing.T) {
	ole := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	for _, name := range []string{"list.xls", "list.et", "renamed.xlsx", "renamed.ods"} {
		_, _, err := readAll(t, writeFile(t, name, ole), Options{})
		if err == nil || !strings.Contains(err.Error(), "Excel 97–2003") || !strings.Contains(err.Error(), "WPS 表格: 文件 → 另存为") ||
			!strings.Contains(err.Error(), "soffice --headless --convert-to xlsx") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// soffice converts src into dir as ext, or skips the test when
// LibreOffice is not installed.
func soffice(t *testing.T, src, ext string) string {
	t.Helper()
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("LibreOffice (soffice) is not installed")
	}
	dir := t.TempDir()
	// A profile of its own: a second soffice would hand the job to one
	// already running under the default profile.
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless"}
	if filepath.Ext(src) == ".csv" {
		args = append(args, "--infilter=CSV:44,34,76,1") // comma, double quote, UTF-8, from line 1
	}
	cmd := exec.Command(bin, append(args, "--convert-to", ext, "--outdir", dir, src)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	p := filepath.Join(dir, strings.TrimSuffix(filepath.Base(src), filepath.Ext(src))+"."+ext)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("soffice wrote no %s: %v", p, err)
	}
	return p
}

// Files LibreOffice itself writes, from a list as HR makes it (a title,
// a blank row, decorated headers, numbers as numbers, a blank row inside,
// a 合计 footer and a signature): the ODS and the XLSX give the rows
// the CSV gives, and each footer stays a footer.
func TestReadFilesLibreOfficeWrites(t *testing.T) {
	list := "2026年11月 员工流量福利名单,,,\n,,,\n序号,姓名,手机号码（必填）,产品编号\n" +
		"1,张伟,13800138000,105000\n2,李娜,139 0013 9000,105000\n,,,\n3,王芳,+86 137 0013 7000,105001\n合计,3人,,\n制表：刘洋,,审核：陈静,\n"
	csvPath := writeFile(t, "名单.csv", []byte(list))
	want, wantRows, err := readAll(t, csvPath, Options{BatchID: "T"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ext := range []string{"ods", "xlsx"} {
		t.Run(ext, func(t *testing.T) {
			p := soffice(t, csvPath, ext)
			rep, rows, err := readAll(t, p, Options{BatchID: "T"})
			if err != nil {
				t.Fatal(err)
			}
			if got, w := tableRows(rows), tableRows(wantRows); !reflect.DeepEqual(got, w) || len(got) != 3 {
				t.Errorf("rows %q, want %q", got, w)
			}
			for i := range rows {
				if rows[i].OrderID != wantRows[i].OrderID || !reflect.DeepEqual(rows[i].Extra, wantRows[i].Extra) {
					t.Errorf("row %d: %+v, want %+v", rows[i].Line, rows[i], wantRows[i])
				}
			}
			if rep.HeaderRow != 3 || len(rep.Footers) != 2 || len(rep.Totals) != 1 || rep.BlankRows != 1 || rep.Info.Sheet == "" {
				t.Errorf("header %d, footers %v, totals %v, blank %d, sheet %q; the CSV: %d %v", rep.HeaderRow, rep.Footers, rep.Totals, rep.BlankRows, rep.Info.Sheet, want.HeaderRow, want.Footers)
			}
		})
	}
}
