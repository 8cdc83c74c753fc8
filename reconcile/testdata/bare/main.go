//go:build ignore

// Bare writes n rows of the same cells as the reconcile Orders sheet (13
// columns and two extra, the same value types and styles) with a bare
// excelize StreamWriter: the floor that reconcile is measured against.
//
//	go run ./reconcile/testdata/bare/main.go -n 1000000 -out /tmp/bare.xlsx
package main

import (
	"flag"
	"log"
	"strconv"

	"github.com/xuri/excelize/v2"
)

func main() {
	n := flag.Int("n", 1000000, "rows")
	out := flag.String("out", "bare.xlsx", "workbook to write")
	flag.Parse()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		log.Fatal(err)
	}
	text, _ := f.NewStyle(&excelize.Style{NumFmt: 49})
	costFmt := "0.000"
	cost, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &costFmt})
	header := []any{"row", "phone", "pid", "cardname", "orderid", "sporder_id", "cost", "state", "submitted_at", "final_at", "source", "error_code", "reason", "姓名", "部门"}
	if err := sw.SetRow("A1", header); err != nil {
		log.Fatal(err)
	}
	row := make([]any, 15)
	for i := 0; i < *n; i++ {
		id := strconv.FormatInt(int64(i)*7919+1e15, 16) + "0123456789abcdef"
		row[0] = i + 2
		row[1] = excelize.Cell{StyleID: text, Value: strconv.Itoa(13800000000 + i)}
		row[2] = excelize.Cell{StyleID: text, Value: "10"}
		row[3] = "移动全国1G"
		row[4] = excelize.Cell{StyleID: text, Value: id}
		row[5] = excelize.Cell{StyleID: text, Value: "J" + id[:20]}
		row[6] = excelize.Cell{StyleID: cost, Value: 19.63}
		row[7] = "success"
		row[8] = "2025-03-01 10:00:00"
		row[9] = "2025-03-01 10:00:05"
		row[10] = "query"
		row[11] = nil
		row[12] = nil
		row[13] = "张三" + strconv.Itoa(i%1000)
		row[14] = "技术部"
		cell, _ := excelize.CoordinatesToCellName(1, i+2)
		if err := sw.SetRow(cell, row); err != nil {
			log.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		log.Fatal(err)
	}
	if err := f.SaveAs(*out); err != nil {
		log.Fatal(err)
	}
}
