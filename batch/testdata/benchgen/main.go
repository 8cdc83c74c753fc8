//go:build ignore

// Benchgen writes the benchmark input: n rows of 5 columns (phone, pid,
// name, department, remark), China Mobile numbers (distinct, valid) and
// pid 105000 of the simulator's catalogue. An .xlsx output is written
// with excelize's StreamWriter, phones and pids as numeric cells as Excel
// keeps them; an .ods output as LibreOffice writes one (numbers as
// office:value with their text, a million repeated empty rows at the
// end); a .csv output is plain UTF-8.
//
//	go run ./batch/testdata/benchgen/main.go -n 200000 -out /tmp/in200k.xlsx
//	go run ./batch/testdata/benchgen/main.go -n 1500 -out /tmp/rows.csv
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"
)

var depts = []string{"财务部", "人事部", "技术部", "市场部"}

// phone is the i-th number: 138 followed by 8 digits, distinct for
// i < 2,700,000.
func phone(i int) int64 { return 13800000000 + int64(i)*37 }

func main() {
	n := flag.Int("n", 200000, "data rows")
	out := flag.String("out", "bench.xlsx", "file to write: .xlsx or .csv")
	flag.Parse()
	var err error
	switch strings.ToLower(filepath.Ext(*out)) {
	case ".xlsx":
		err = writeXLSX(*out, *n)
	case ".csv":
		err = writeCSV(*out, *n)
	case ".ods":
		err = writeODS(*out, *n)
	default:
		err = fmt.Errorf("%s: want a .xlsx, .ods or .csv name", *out)
	}
	if err != nil {
		log.Fatalf("benchgen: %v", err)
	}
}

func writeXLSX(path string, n int) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	if err := sw.SetRow("A1", []any{"phone", "pid", "name", "department", "remark"}); err != nil {
		return err
	}
	row := make([]any, 5)
	for i := 0; i < n; i++ {
		row[0] = phone(i)
		row[1] = 105000
		row[2] = fmt.Sprintf("员工%07d", i)
		row[3] = depts[i%len(depts)]
		row[4] = "端午节福利"
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			return fmt.Errorf("writing row %d of %s: %w", i+2, path, err)
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.SaveAs(path); err != nil {
		return fmt.Errorf("saving %s: %w", path, err)
	}
	return nil
}

func writeODS(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	mw, err := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	if err != nil {
		return err
	}
	mw.Write([]byte("application/vnd.oasis.opendocument.spreadsheet"))
	cw, err := zw.Create("content.xml")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(cw, 1<<20)
	w.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" ` +
		`xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" office:version="1.3">` +
		`<office:automatic-styles><style:style style:name="ta1" style:family="table"><style:table-properties table:display="true"/></style:style></office:automatic-styles>` +
		`<office:body><office:spreadsheet><table:table table:name="Sheet1" table:style-name="ta1">` +
		`<table:table-column table:style-name="co1" table:number-columns-repeated="5" table:default-cell-style-name="Default"/>`)
	str := func(s string) string {
		return `<table:table-cell office:value-type="string"><text:p>` + s + `</text:p></table:table-cell>`
	}
	w.WriteString(`<table:table-row table:style-name="ro1">` + str("phone") + str("pid") + str("name") + str("department") + str("remark") + `</table:table-row>`)
	for i := 0; i < n; i++ {
		p := phone(i)
		fmt.Fprintf(w, `<table:table-row table:style-name="ro1"><table:table-cell office:value-type="float" office:value="%d"><text:p>%d</text:p></table:table-cell>`+
			`<table:table-cell office:value-type="float" office:value="105000"><text:p>105000</text:p></table:table-cell>%s%s%s</table:table-row>`,
			p, p, str(fmt.Sprintf("员工%07d", i)), str(depts[i%len(depts)]), str("端午节福利"))
	}
	fmt.Fprintf(w, `<table:table-row table:style-name="ro1" table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="16384"/></table:table-row>`, 1048576-n-1)
	w.WriteString(`</table:table></office:spreadsheet></office:body></office:document-content>`)
	if err := w.Flush(); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return f.Close()
}

func writeCSV(path string, n int) error {
	fh, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(fh)
	fmt.Fprintln(w, "phone,pid,name,department,remark")
	for i := 0; i < n; i++ {
		fmt.Fprintf(w, "%d,105000,员工%07d,%s,端午节福利\n", phone(i), i, depts[i%len(depts)])
	}
	if err := w.Flush(); err != nil {
		fh.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return fh.Close()
}
