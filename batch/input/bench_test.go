package input

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/xuri/excelize/v2"
)

// benchXLSXRows is the size of the file issue 3's figure is about.
const benchXLSXRows = 200_000

var benchXLSX struct {
	once sync.Once
	path string
	err  error
}

// benchXLSXFile writes (once per machine: it is kept in the temporary
// directory) a 200,000-row, 5-column workbook: numeric phones and pids, a
// name, a department and a remark.
func benchXLSXFile(b *testing.B) string {
	b.Helper()
	benchXLSX.once.Do(func() {
		p := filepath.Join(os.TempDir(), fmt.Sprintf("flowbatch-bench-v1-%d.xlsx", benchXLSXRows))
		if _, err := os.Stat(p); err == nil {
			benchXLSX.path = p
			return
		}
		benchXLSX.path, benchXLSX.err = p, writeBenchXLSX(p, benchXLSXRows)
	})
	if benchXLSX.err != nil {
		b.Fatal(benchXLSX.err)
	}
	return benchXLSX.path
}

func writeBenchXLSX(path string, rows int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"手机号码", "产品编码", "姓名", "部门", "备注"}); err != nil {
		return err
	}
	depts := []string{"财务部", "人事部", "技术部", "市场部"}
	for i := 0; i < rows; i++ {
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		row := []any{13800000000 + int64(i)*37, 105000, fmt.Sprintf("员工%06d", i), depts[i%len(depts)], "端午节福利"}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	tmp := path + ".tmp.xlsx" // SaveAs picks the format by extension
	if err := f.SaveAs(tmp); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// BenchmarkReadInputXLSX reads, validates and derives orderids for every
// row; compare with BenchmarkBareRowsXLSX over the same file.
func BenchmarkReadInputXLSX(b *testing.B) {
	path := benchXLSXFile(b)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Read(context.Background(), path, Options{BatchID: "bench"}, func(*journal.RowRecord) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if rep.Valid != benchXLSXRows {
			b.Fatalf("%d valid rows, want %d (%v)", rep.Valid, benchXLSXRows, rep.Invalid[:min(3, len(rep.Invalid))])
		}
	}
	b.ReportMetric(float64(benchXLSXRows), "rows/op")
}

// BenchmarkBareRowsXLSX is excelize's row iterator and nothing else: the
// floor for BenchmarkReadInputXLSX.
func BenchmarkBareRowsXLSX(b *testing.B) {
	path := benchXLSXFile(b)
	b.ResetTimer()
	for b.Loop() {
		f, err := excelize.OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		rows, err := f.Rows("Sheet1")
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if _, err := rows.Columns(excelize.Options{RawCellValue: true}); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		f.Close()
		if n != benchXLSXRows+1 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchXLSXRows), "rows/op")
}

var benchODS struct {
	once sync.Once
	path string
	err  error
}

// benchODSFile writes (once per machine) the 200,000-row list as an .ods
// shaped as LibreOffice writes one: see batch/testdata/benchgen.
func benchODSFile(b *testing.B) string {
	b.Helper()
	benchODS.once.Do(func() {
		p := filepath.Join(os.TempDir(), fmt.Sprintf("flowbatch-bench-v1-%d.ods", benchXLSXRows))
		if _, err := os.Stat(p); err == nil {
			benchODS.path = p
			return
		}
		benchODS.path, benchODS.err = p, writeBenchODS(p, benchXLSXRows)
	})
	if benchODS.err != nil {
		b.Fatal(benchODS.err)
	}
	return benchODS.path
}

func writeBenchODS(path string, rows int) error {
	var body strings.Builder
	body.WriteString(odsRow("手机号码", "产品编码", "姓名", "部门", "备注"))
	depts := []string{"财务部", "人事部", "技术部", "市场部"}
	for i := 0; i < rows; i++ {
		p := 13800000000 + int64(i)*37
		fmt.Fprintf(&body, `<table:table-row table:style-name="ro1"><table:table-cell office:value-type="float" office:value="%d"><text:p>%d</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="float" office:value="105000"><text:p>105000</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="string"><text:p>员工%06d</text:p></table:table-cell><table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="string"><text:p>端午节福利</text:p></table:table-cell></table:table-row>`, p, p, i, depts[i%len(depts)])
	}
	fmt.Fprintf(&body, `<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>`, MaxRows-rows-1)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, part := range [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", odsHead + odsSheet("Sheet1", false, body.String()) + odsTail}} {
		w, err := zw.Create(part[0])
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, part[1]); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// BenchmarkReadInputODS reads, validates and derives orderids for every
// row; compare with BenchmarkBareTokensODS over the same file.
func BenchmarkReadInputODS(b *testing.B) {
	path := benchODSFile(b)
	b.ResetTimer()
	for b.Loop() {
		rep, err := Read(context.Background(), path, Options{BatchID: "bench"}, func(*journal.RowRecord) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
		if rep.Valid != benchXLSXRows {
			b.Fatalf("%d valid rows", rep.Valid)
		}
	}
	b.ReportMetric(float64(benchXLSXRows), "rows/op")
}

// BenchmarkBareTokensODS is encoding/xml's token loop over content.xml
// and nothing else: the floor for BenchmarkReadInputODS.
func BenchmarkBareTokensODS(b *testing.B) {
	path := benchODSFile(b)
	b.ResetTimer()
	for b.Loop() {
		zr, err := zip.OpenReader(path)
		if err != nil {
			b.Fatal(err)
		}
		f, err := zr.Open("content.xml")
		if err != nil {
			b.Fatal(err)
		}
		d := xml.NewDecoder(f)
		n := 0
		for {
			t, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if st, ok := t.(xml.StartElement); ok && st.Name.Local == "table-row" {
				n++
			}
		}
		f.Close()
		zr.Close()
		if n != benchXLSXRows+2 {
			b.Fatalf("%d rows", n)
		}
	}
	b.ReportMetric(float64(benchXLSXRows), "rows/op")
}
