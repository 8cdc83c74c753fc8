package reconcile

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// TestHonestCells reads the sample workbook as a clerk would: a query's
// own "查询成功" is nowhere a reason, the failed order says it failed,
// charged minus refunded is the spend, times are date-time cells, and
// the Exceptions name the person and give the real journal path.
func TestHonestCells(t *testing.T) {
	book := sampleBook(t)
	journal, _ := filepath.Abs(book.Path)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			w, _ := lookupWords(lang)
			out, s := writeSample(t, book, lang, 0)
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			orders, _ := f.GetRows(w.orders, excelize.Options{RawCellValue: true})
			excs, _ := f.GetRows(w.exceptions)
			for name, rows := range map[string][][]string{w.orders: orders, w.exceptions: excs} {
				for r, row := range rows {
					for _, v := range row {
						if strings.Contains(v, "查询成功") || strings.Contains(v, "提交成功") {
							t.Errorf("%s row %d shows the provider's acknowledgement %q as a reason", name, r+1, v)
						}
						if strings.Contains(v, "<journal>") {
							t.Errorf("%s row %d has the placeholder: %q", name, r+1, v)
						}
					}
				}
			}
			at := func(row []string, c column) string {
				if i := ordersAt[c]; i < len(row) {
					return row[i]
				}
				return ""
			}
			var charged, refunded juhe.Money
			for _, row := range orders[1:] {
				charged += yuan(t, at(row, colCharged))
				refunded += yuan(t, at(row, colRefunded))
				if at(row, colState) == w.states[batch.StatusFailed] && at(row, colReason) != w.rechargeFailed {
					t.Errorf("failed row %s: reason %q, want %q", at(row, colRow), at(row, colReason), w.rechargeFailed)
				}
			}
			if charged-refunded != s.Spend || refunded != s.Refunded {
				t.Errorf("charged %s - refunded %s = %s, want the spend %s (refunded %s)", charged, refunded, charged-refunded, s.Spend, s.Refunded)
			}
			// 2025-03-01 10:00:22 Beijing time, a date-time cell.
			ref := ordersLetter[colSubmitted] + "2"
			if typ, _ := f.GetCellType(w.orders, ref); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
				t.Errorf("%s is of type %v, want a number", ref, typ)
			}
			if v, _ := f.GetCellValue(w.orders, ref); v != "2025-03-01 10:00:22" {
				t.Errorf("%s shows %q", ref, v)
			}
			// Exceptions: the failed row with its person and amount, and
			// an action naming the real journal.
			ex := excs[0]
			col := func(name string) int {
				for i, h := range ex {
					if h == name {
						return i
					}
				}
				t.Fatalf("Exceptions has no column %q: %q", name, ex)
				return -1
			}
			sawPath := false
			for _, row := range excs[1:] {
				get := func(i int) string {
					if i < len(row) {
						return row[i]
					}
					return ""
				}
				if get(col(w.columns[colRow])) == "5" {
					if get(col("姓名")) != "钱七" || get(col("部门")) != "销售部" || get(col(w.columns[colCost])) != "5.000" {
						t.Errorf("the failed row on Exceptions: %q", row)
					}
				}
				sawPath = sawPath || strings.Contains(get(col(w.columns[colAction])), journal)
			}
			if !sawPath {
				t.Errorf("no action names the journal %s", journal)
			}
		})
	}
}

func yuan(t *testing.T, s string) juhe.Money {
	t.Helper()
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return juhe.Money(f*1000 + 0.5)
}

func TestThousands(t *testing.T) {
	for m, want := range map[juhe.Money]string{0: "0.000", 6623580: "6,623.580", 999999: "999.999", 1000000: "1,000.000", -1234567890: "-1,234,567.890"} {
		if got := groupThousands(m); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", m, got, want)
		}
	}
	if got := thousands(1000000); got != "1,000,000" {
		t.Errorf("thousands = %q", got)
	}
}
