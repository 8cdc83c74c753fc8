package input

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
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
