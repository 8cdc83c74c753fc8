//go:build ignore

// Bare writes n rows of the same cells as the reconcile Orders sheet (16
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
	timeFmt := "yyyy-mm-dd hh:mm:ss"
	when, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &timeFmt})
	header := []any{"row", "phone", "state", "charged", "refunded", "cost", "pid", "cardname", "carrier", "submitted_at", "final_at",
		"source", "error_code", "reason", "orderid", "sporder_id", "姓名", "部门"}
	if err := sw.SetRow("A1", header); err != nil {
		log.Fatal(err)
	}
	row := make([]any, len(header))
	for i := 0; i < *n; i++ {
		id := strconv.FormatInt(int64(i)*7919+1e15, 16) + "0123456789abcdef"
		at := float64(1740794400+i)/86400 + 25569
		row[0] = i + 2
		row[1] = excelize.Cell{StyleID: text, Value: strconv.Itoa(13800000000 + i)}
		row[2] = "success"
		row[3] = excelize.Cell{StyleID: cost, Value: 19.63}
		row[4] = nil
		row[5] = excelize.Cell{StyleID: cost, Value: 19.63}
		row[6] = excelize.Cell{StyleID: text, Value: "10"}
		row[7] = "移动全国1G"
		row[8] = "China Mobile"
		row[9] = excelize.Cell{StyleID: when, Value: at}
		row[10] = excelize.Cell{StyleID: when, Value: at + 5.0/86400}
		row[11] = "query"
		row[12] = nil
		row[13] = nil
		row[14] = excelize.Cell{StyleID: text, Value: id}
		row[15] = excelize.Cell{StyleID: text, Value: "J" + id[:20]}
		row[16] = "张三" + strconv.Itoa(i%1000)
		row[17] = "技术部"
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
