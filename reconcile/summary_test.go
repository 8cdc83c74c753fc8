package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/xuri/excelize/v2"
)

// TestSummaryPanesEven: the two panes of the Summary share rows, so no
// row from the blocks down may be taller than the default: a tall row
// of one pane (a wrapping hash, the roll-forward note, a sign-off line,
// a long label) would open a gap in the block of the other beside it.
// Text that takes more lines spans as many rows, merged, and is whole
// in its first cell. In both languages, by the default group column and
// by another, with the provider's books, with them not available, and
// without them. FLOWBATCH_PDF_DIR keeps the workbooks, to look at.
func TestSummaryPanesEven(t *testing.T) {
	dir := os.Getenv("FLOWBATCH_PDF_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	book := sampleBook(t)
	notAvailable := func(t *testing.T) *ProviderLeg {
		st := sampleStatement()
		st.Periods[0].Closed = journal.WindowEnd{Reply: "flow/ordersbydate: not available: 10002 该KEY无请求权限; " +
			strings.Repeat("the provider said more than fits on one line of the pane, ", 3)}
		st.Periods[0].Lines = nil
		return &ProviderLeg{Statement: st}
	}
	longNames := func(t *testing.T) *ProviderLeg {
		leg := sampleLeg(t)
		leg.Statement.Path = "/x/" + strings.Repeat("a-batch-with-a-long-name-", 5) + ".journal.statement"
		return leg
	}
	for _, lang := range []string{"en", "zh"} {
		for _, tc := range []struct {
			name    string
			groupBy string
			leg     func(*testing.T) *ProviderLeg
		}{
			{"none", "", nil},
			{"provider", "", sampleLeg},
			{"provider-by-name", "姓名", sampleLeg},
			{"not-available", "", notAvailable},
			{"long-names", "", longNames},
		} {
			t.Run(lang+"/"+tc.name, func(t *testing.T) {
				w, _ := lookupWords(lang)
				opts := Options{Lang: lang, Now: fixedNow, GroupBy: tc.groupBy}
				if tc.leg != nil {
					opts.Provider = tc.leg(t)
				}
				out := filepath.Join(dir, "panes-"+lang+"-"+tc.name+".xlsx")
				if _, err := Write(context.Background(), book, out, opts); err != nil {
					t.Fatal(err)
				}
				f, err := excelize.OpenFile(out)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				rows, err := f.GetRows(w.summary)
				if err != nil {
					t.Fatal(err)
				}
				first := 0
				for i, r := range rows {
					if len(r) > 0 && r[0] == w.controlBlock {
						first = i + 1
						break
					}
				}
				if first == 0 {
					t.Fatalf("no %q block on the Summary", w.controlBlock)
				}
				// The default height is what a row without one reads as.
				def, _ := f.GetRowHeight(w.summary, len(rows)+10)
				for n := first; n <= len(rows); n++ {
					if h, _ := f.GetRowHeight(w.summary, n); h != def {
						t.Errorf("row %d is %g high, not the default %g: %q", n, h, def, rows[n-1])
					}
				}
				// Every label is whole in one cell, the sign-off there.
				text := map[string]bool{}
				for _, r := range rows {
					for _, c := range r {
						text[c] = true
					}
				}
				for _, want := range append([]string{w.controlTotal, w.signoffBlock, w.auditBlock}, w.roles...) {
					if !text[want] {
						t.Errorf("no cell holds %q", want)
					}
				}
				if tc.leg != nil && opts.Provider.Statement.Periods[0].Closed.Reply == "" && !text[w.provider.rollNote] {
					t.Errorf("no cell holds the roll-forward note")
				}
			})
		}
	}
}

// TestTextLines: the estimate of wrapped lines fills lines by words and
// counts a CJK character two digits wide.
func TestTextLines(t *testing.T) {
	for _, tc := range []struct {
		text  string
		width float64
		want  int
	}{
		{"", 10, 1},
		{"input_rows", 18, 1},
		{"refunded_amount (failed, refunded by the provider)", 44, 1},
		{"control_total (invalid + rejected + success + failed + charging + unknown + not_submitted)", 44, 2},
		{strings.Repeat("ab", 32), 70, 1},
		{strings.Repeat("ab", 32), 30, 3},
		{"控制合计（无效+已拒绝+成功+失败+充值中+未知+未提交）", 44, 2},
		{"一二三四五", 11, 1},
		{"一二三四五六", 11, 2},
		{"aaaa bbbb", 6, 2},
	} {
		if got := textLines(tc.text, tc.width); got != tc.want {
			t.Errorf("textLines(%q, %g) = %d, want %d", tc.text, tc.width, got, tc.want)
		}
	}
}
