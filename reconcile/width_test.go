package reconcile

import (
	"context"
	"math"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// TestWidthSample writes the sample workbook measuring only the first
// rows of each table for widths. The cells must be exactly the golden
// ones; only widths may differ, and on every column whose text comes from
// an order they must still fit the content.
func TestWidthSample(t *testing.T) {
	book := sampleBook(t)
	for _, tc := range []struct {
		name             string
		sample, perSheet int
	}{
		{"two rows", 2, 0},
		{"one row, split sheets", 1, 5}, // Exceptions fill their sample first
		{"all rows", 14, 0},
	} {
		for _, lang := range []string{"en", "zh"} {
			t.Run(tc.name+"/"+lang, func(t *testing.T) {
				exactPath, _ := writeSample(t, book, lang, tc.perSheet)
				out := filepath.Join(t.TempDir(), "sampled.xlsx")
				if _, err := Write(context.Background(), book, out, Options{Lang: lang, Now: fixedNow,
					MaxOrdersPerSheet: tc.perSheet, WidthSample: tc.sample}); err != nil {
					t.Fatal(err)
				}
				exact, got := dumpWorkbook(t, exactPath, book), dumpWorkbook(t, out, book)
				if tc.sample >= 14 && got != exact {
					t.Fatalf("a sample holding every row changed the workbook:\n%s", diff(exact, got))
				}
				// The filters' defined names follow the order the sheets
				// were finished in, which the sample may change.
				if a, b := cellsOnly(exact), cellsOnly(got); a != b {
					t.Fatalf("cells differ, not just widths:\n%s", diff(a, b))
				}
				checkWidthsFit(t, exactPath, out)
			})
		}
	}
}

var widthsLine = regexp.MustCompile(`(?m)^widths: .*$`)

// cellsOnly is a workbook dump without its widths and with the defined
// names sorted.
func cellsOnly(dump string) string {
	lines := strings.Split(widthsLine.ReplaceAllString(dump, ""), "\n")
	n := 0
	for n < len(lines) && strings.HasPrefix(lines[n], "defined name ") {
		n++
	}
	slices.Sort(lines[:n])
	return strings.Join(lines, "\n")
}

// checkWidthsFit compares every Orders and Exceptions column's width in
// sampled with exact, except the input's extra columns, which only the
// sample measures.
func checkWidthsFit(t *testing.T, exactPath, sampledPath string) {
	t.Helper()
	exact, err := excelize.OpenFile(exactPath)
	if err != nil {
		t.Fatal(err)
	}
	defer exact.Close()
	sampled, err := excelize.OpenFile(sampledPath)
	if err != nil {
		t.Fatal(err)
	}
	defer sampled.Close()
	for _, sheet := range exact.GetSheetList()[1:] {
		cols := len(exceptionsTable)
		if strings.HasPrefix(sheet, english.orders) || strings.HasPrefix(sheet, chinese.orders) {
			cols = len(ordersTable)
		}
		for c := 1; c <= cols; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			want, _ := exact.GetColWidth(sheet, name)
			got, _ := sampled.GetColWidth(sheet, name)
			if got < want {
				t.Errorf("%s column %s: width %g from the sample, the content needs %g", sheet, name, got, want)
			}
		}
	}
}

func TestDigitsAndMoneyWidth(t *testing.T) {
	for _, n := range []int64{0, 7, 9, 10, 99, 100, 12345, -1, -10, -999, math.MaxInt64, math.MinInt64 + 1} {
		if got, want := digits(n), len(strconv.FormatInt(n, 10)); got != want {
			t.Errorf("digits(%d) = %d, want %d", n, got, want)
		}
	}
	for _, m := range []juhe.Money{0, 1, 999, 1000, 19630, 123456789, -1, -1000, -19630, math.MaxInt64, math.MinInt64} {
		if got, want := moneyWidth(m), len(m.String()); got != want {
			t.Errorf("moneyWidth(%d) = %d, want %d (%s)", m, got, want, m)
		}
	}
}

func TestCostValueMatchesDecimal(t *testing.T) {
	for _, m := range []juhe.Money{0, 1, 7, 10, 19630, 29630, 999999, 123456789, -1, -19630, 1<<53 - 1, -(1<<53 - 1), 1 << 60, math.MinInt64} {
		want, _ := strconv.ParseFloat(m.String(), 64)
		if got := costValue(m); got != want {
			t.Errorf("costValue(%d) = %v, want %v (the double nearest %s)", m, got, want, m)
		}
	}
}

func TestSecondText(t *testing.T) {
	var c secondText
	for _, ms := range []int64{t0, t0 + 999, t0 + 1000, t0 - 1, t0 + 86_400_000, 0, -5, t0} {
		want := ""
		if ms > 0 {
			want = time.UnixMilli(ms).In(shanghai).Format(timeLayout)
		}
		if got := c.format(ms); got != want {
			t.Errorf("format(%d) = %q, want %q", ms, got, want)
		}
	}
}
