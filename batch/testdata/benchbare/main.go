//go:build ignore

// Benchbare is the floor that `flowbatch check` on an XLSX is measured
// against: it opens the workbook, iterates the first sheet with excelize's
// Rows() iterator and raw cell values, counts rows and cells, and does
// nothing else. An .ods is measured against encoding/xml's token loop
// over its content.xml, counting rows and cells.
//
//	go build -o /tmp/benchbare ./batch/testdata/benchbare/main.go
//	/usr/bin/time -v /tmp/benchbare /tmp/in200k.xlsx
package main

import (
	"archive/zip"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

func main() {
	if len(os.Args) != 2 {
		log.Fatal("usage: benchbare FILE.xlsx")
	}
	path := os.Args[1]
	if strings.HasSuffix(strings.ToLower(path), ".ods") {
		bareODS(path)
		return
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		log.Fatalf("benchbare: opening %s: %v", path, err)
	}
	defer f.Close()
	rows, err := f.Rows(f.GetSheetName(0))
	if err != nil {
		log.Fatalf("benchbare: reading %s: %v", path, err)
	}
	nrows, ncells := 0, 0
	for rows.Next() {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			log.Fatalf("benchbare: %s row %d: %v", path, nrows+1, err)
		}
		nrows++
		ncells += len(cols)
	}
	if err := rows.Close(); err != nil {
		log.Fatalf("benchbare: %s: %v", path, err)
	}
	fmt.Printf("%d rows, %d cells\n", nrows, ncells)
}

func bareODS(path string) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		log.Fatalf("benchbare: opening %s: %v", path, err)
	}
	defer zr.Close()
	f, err := zr.Open("content.xml")
	if err != nil {
		log.Fatalf("benchbare: %s: %v", path, err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	nrows, ncells := 0, 0
	for {
		t, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatalf("benchbare: %s: %v", path, err)
		}
		if st, ok := t.(xml.StartElement); ok {
			switch st.Name.Local {
			case "table-row":
				nrows++
			case "table-cell":
				ncells++
			}
		}
	}
	fmt.Printf("%d rows, %d cells\n", nrows, ncells)
}
