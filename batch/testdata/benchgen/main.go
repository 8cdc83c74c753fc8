//go:build ignore

// Benchgen writes the benchmark input: n rows of 5 columns (phone, pid,
// name, department, remark), China Mobile numbers (distinct, valid) and
// pid 105000 of the simulator's catalogue. An .xlsx output is written
// with excelize's StreamWriter, phones and pids as numeric cells as Excel
// keeps them; a .csv output is plain UTF-8.
//
//	go run ./batch/testdata/benchgen/main.go -n 200000 -out /tmp/in200k.xlsx
//	go run ./batch/testdata/benchgen/main.go -n 1500 -out /tmp/rows.csv
package main

import (
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
	default:
		err = fmt.Errorf("%s: want a .xlsx or .csv name", *out)
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
