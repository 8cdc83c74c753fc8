package reconcile

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// TestRowReasonsInTheWorkbooksLanguage: an invalid row's reason is
// journaled in English; the Chinese workbook says it in Chinese, on
// Orders and on Exceptions, and the English one as journaled.
func TestRowReasonsInTheWorkbooksLanguage(t *testing.T) {
	b := newJournal(t, "B-reasons")
	bad := func(line int, phone, pid, reason string) *journal.RowRecord {
		return &journal.RowRecord{Line: line, Phone: phone, Pid: pid, Status: journal.RowInvalid, Reason: reason, Extra: []string{"某人"}}
	}
	reasons := map[string]string{
		"bad phone: 10 digits": "手机号位数不对：10 位，应为 11 位",
		"missing pid":          "缺少产品编码",
		`bad pid: "10-5": only letters and digits are allowed`: `产品编码 "10-5" 有误：只能是字母和数字`,
		"bad phone: not a mainland mobile prefix":              "手机号不是大陆手机号段",
	}
	b.input("gifts.csv", []string{"姓名"},
		valid(2, "13800000001", "10", "o-ok", "张三"),
		bad(3, "1380000000", "10", "bad phone: 10 digits"),
		bad(4, "13800000003", "", "missing pid"),
		bad(5, "13800000004", "10-5", `bad pid: "10-5": only letters and digits are allowed`),
		bad(6, "23800000005", "10", "bad phone: not a mainland mobile prefix"),
		&journal.RowRecord{Line: 7, Phone: "13800000001", Pid: "10", Status: journal.RowDuplicate, DupOf: 2, Reason: "duplicate of row 2", Extra: []string{"张三"}},
	)
	b.intent("o-ok")
	b.submit("o-ok", juhe.ClassAccepted, 0, "提交成功", 19630)
	book := b.book()
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			out, _ := writeSample(t, book, lang, 0)
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			w, _ := lookupWords(lang)
			for _, sheet := range []string{w.orders, w.exceptions} {
				rows, err := f.GetRows(sheet)
				if err != nil {
					t.Fatal(err)
				}
				var cells []string
				for _, r := range rows {
					cells = append(cells, r...)
				}
				for en, zh := range reasons {
					want := en
					if lang == "zh" {
						want = zh
					}
					if !slices.ContainsFunc(cells, func(c string) bool { return strings.Contains(c, want) }) {
						t.Errorf("%s lacks %q", sheet, want)
					}
				}
				dup := w.dupReason(2)
				if slices.Contains(cells, dup+"; "+dup) || !slices.Contains(cells, dup) {
					t.Errorf("%s: the unsubmitted duplicate's reason is not %q once", sheet, dup)
				}
				if lang == "zh" {
					for _, c := range cells {
						if regexp.MustCompile(`bad phone|bad pid|missing pid|duplicate of`).MatchString(c) {
							t.Errorf("%s says %q", sheet, c)
						}
					}
				}
			}
		})
	}
}
