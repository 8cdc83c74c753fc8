package reconcile

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// beijing is a wall-clock time in Beijing, as unix ms.
func beijing(s string) int64 {
	t, err := time.ParseInLocation("2006-01-02 15:04:05", s, shanghai)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

// monthJournal starts a journal in dir whose records' At start at the
// Beijing time start and step by a second: a test clock.
func monthJournal(t *testing.T, dir, batchID, start string, settings map[string]string) *testJournal {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(dir, batchID+".journal")
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: batchID, ToolVersion: "test", Settings: settings})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return &testJournal{t: t, ctx: ctx, path: path, j: j, at: beijing(start) - 1000}
}

// charged journals an order accepted at the next tick and settled st.
func (b *testJournal) charged(id string, cost juhe.Money, st juhe.GameState) {
	b.intent(id)
	b.submit(id, juhe.ClassAccepted, 0, "提交成功", cost)
	b.query(id, st, cost)
}

// monthFixture is a workspace of three batches:
//   - oct-end runs across the end of October: rows 2–3 are charged in
//     October, rows 4–5 in November; row 5 fails, refunded in December
//     (late); row 6 is rejected in November;
//   - nov-a charges in November, phones 13800000004 (also in oct-end,
//     same pid: not intended) and 13800000010;
//   - nov-b runs with -allow-regift for 13800000010 (same pid as nov-a:
//     intended) and charges 13800000011 with another pid.
func monthFixture(t *testing.T) (dir string, js []MonthJournal) {
	t.Helper()
	dir = t.TempDir()
	const li = 19630
	a := monthJournal(t, dir, "oct-end", "2026-10-31 23:59:40", map[string]string{"os-user": "ana", "host": "fin-01", "period": "2026-10"})
	a.input("oct.csv", []string{"姓名", "部门"},
		valid(2, "13800000001", "105000", "a1", "甲", "财务部"),
		valid(3, "13800000002", "105000", "a2", "乙", "技术部"),
		valid(4, "13800000003", "105000", "a3", "丙", "技术部"),
		valid(5, "13800000004", "105000", "a4", "丁", "销售部"),
		valid(6, "13800000005", "105000", "a5", "戊", "销售部"),
		valid(7, "13800000006", "105000", "a6", "己", "销售部"),
	)
	a.charged("a1", li, juhe.StateSuccess) // 23:59:48..50
	a.at = beijing("2026-10-31 23:59:57")
	a.intent("a2")
	a.submit("a2", juhe.ClassAccepted, 0, "提交成功", li) // 23:59:59: October
	a.query("a2", juhe.StateSuccess, li)              // 00:00:00: November, and still October's
	a.charged("a3", li, juhe.StateSuccess)
	a.charged("a4", li, juhe.StateSuccess)
	a.intent("a5")
	a.submit("a5", juhe.ClassAccepted, 0, "提交成功", li)
	a.at = beijing("2026-12-01 08:00:00")
	a.query("a5", juhe.StateFailed, li) // refunded in December: late
	a.at = beijing("2026-11-01 00:10:00")
	a.intent("a6")
	a.submit("a6", juhe.ClassRejected, 210502, "错误的面值", 0)
	a.book()

	b := monthJournal(t, dir, "nov-a", "2026-11-10 09:00:00", map[string]string{"os-user": "bo", "host": "fin-02", "period": "2026-11",
		SettingConsoleUser: "王会计", SettingConfirmedBy: "李经理"})
	b.input("nov-a.csv", []string{"部门"},
		valid(2, "13800000004", "105000", "b1", "销售部"),
		valid(3, "13800000010", "105000", "b2", "市场部"),
	)
	b.charged("b1", li, juhe.StateSuccess)
	b.charged("b2", li, juhe.StateSuccess)
	b.book()

	c := monthJournal(t, dir, "nov-b", "2026-11-20 09:00:00", map[string]string{"os-user": "bo", "host": "fin-02", "period": "2026-11",
		"allow-regift": "true", "regifted": "2:13800000010@nov-a"})
	c.input("nov-b.csv", []string{"部门"},
		valid(2, "13800000010", "105000", "c1", "市场部"),
		valid(3, "13800000011", "107000", "c2", "市场部"),
	)
	c.charged("c1", li, juhe.StateSuccess)
	c.charged("c2", 5000, juhe.StateCharging)
	c.book()
	for _, x := range []*testJournal{a, b, c} {
		js = append(js, MonthJournal{Path: x.path})
	}
	return dir, js
}

func writeMonth(t *testing.T, js []MonthJournal, month, lang string, mask *MaskOptions) (string, *MonthSummary) {
	t.Helper()
	out := filepath.Join(t.TempDir(), month+".audit.xlsx")
	s, err := WriteMonth(context.Background(), js, out, MonthOptions{Month: month, Lang: lang, Now: fixedNow,
		ToolVersion: "test", Workspace: "<workspace>", Mask: mask})
	if err != nil {
		t.Fatal(err)
	}
	return out, s
}

func TestMonthSplitsAcrossMonthEnd(t *testing.T) {
	_, js := monthFixture(t)
	_, oct := writeMonth(t, js, "2026-10", "en", nil)
	_, nov := writeMonth(t, js, "2026-11", "en", nil)
	const li = 19630
	if len(oct.Batches) != 1 || oct.Batches[0].BatchID != "oct-end" || oct.Batches[0].Rows != 2 || oct.Spend != 2*li {
		t.Errorf("October: %+v", oct)
	}
	if got := oct.Batches[0].Months; got["2026-10"] != 2 || got["2026-11"] != 4 {
		t.Errorf("oct-end split = %v, want 2026-10: 2, 2026-11: 4", got)
	}
	if len(nov.Batches) != 3 {
		t.Fatalf("November batches = %+v", nov.Batches)
	}
	// November: oct-end a3, a4 (success), a5 (failed, late), a6
	// (rejected); nov-a 2 successes; nov-b 1 success, 1 charging.
	if nov.Rows != 8 || nov.ByStatus[batch.StatusSuccess] != 5 || nov.ByStatus[batch.StatusFailed] != 1 ||
		nov.ByStatus[batch.StatusRejected] != 1 || nov.ByStatus[batch.StatusCharging] != 1 {
		t.Errorf("November counts: rows %d, %v", nov.Rows, nov.ByStatus)
	}
	if nov.Spend != 5*li || nov.Refunded != li || nov.Late != 1 || nov.Open != 1 {
		t.Errorf("November spend %s refunded %s late %d open %d", nov.Spend, nov.Refunded, nov.Late, nov.Open)
	}
	// The sum of the batches' parts is the month, and across both months
	// every success of every batch is counted once.
	var sum juhe.Money
	for _, b := range append(oct.Batches, nov.Batches...) {
		sum += b.Spend
	}
	if sum != oct.Spend+nov.Spend || sum != 7*li {
		t.Errorf("batches sum to %s, months to %s + %s", sum, oct.Spend, nov.Spend)
	}
	// Repeats: 13800000004+105000 in oct-end and nov-a (not intended),
	// 13800000010+105000 in nov-a and nov-b (intended), and each phone.
	if nov.Repeats != 4 || nov.Unmeant != 2 {
		t.Errorf("repeats %d, not intended %d; want 4, 2", nov.Repeats, nov.Unmeant)
	}
	if nov.People != 3 { // 03, 04 (twice), 10 (twice); 11 is charging, 05 failed, 06 rejected
		t.Errorf("people = %d, want 3", nov.People)
	}
}

func TestMonthGolden(t *testing.T) {
	_, js := monthFixture(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			out, _ := writeMonth(t, js, "2026-11", lang, nil)
			got := dumpMonth(t, out)
			golden := filepath.Join("testdata", "month."+lang+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("workbook differs from %s (go test -update rewrites it):\n%s", golden, diff(string(want), got))
			}
			out2, _ := writeMonth(t, js, "2026-11", lang, nil)
			if again := dumpMonth(t, out2); again != got {
				t.Errorf("a second run differs")
			}
		})
	}
}

// dumpMonth is dumpWorkbook with the head hashes (the header record's
// time is the clock's) and the journals' directory left out.
func dumpMonth(t *testing.T, path string) string {
	got := dumpWorkbook(t, path, &batch.Book{})
	got = regexp.MustCompile(`[0-9a-f]{64}`).ReplaceAllString(got, "<head hash>")
	return regexp.MustCompile(`"[^"]*/([a-z-]+\.journal)"`).ReplaceAllString(got, `"<dir>/$1"`)
}

// TestMonthListsFailedJournals: a journal cut after its attestation,
// and one that is gone, are listed on the first screen; the rest is
// written.
func TestMonthListsFailedJournals(t *testing.T) {
	_, js := monthFixture(t)
	book, err := batch.LoadBook(context.Background(), js[1].Path)
	if err != nil {
		t.Fatal(err)
	}
	// Attested at a head two records further than the journal now has.
	js[1].Anchors = []MonthAnchor{{From: "nov-a.attest.json", Anchor: journal.Anchor{Records: book.Records + 2, Head: strings.Repeat("ab", 32)}}}
	js = append(js, MonthJournal{Path: filepath.Join(t.TempDir(), "gone.journal"), BatchID: "gone", Failed: "the file is gone"})
	out, s := writeMonth(t, js, "2026-11", "en", nil)
	if len(s.Failed) != 2 {
		t.Fatalf("failed = %+v", s.Failed)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Summary")
	screen := ""
	for _, r := range rows[:14] {
		screen += strings.Join(r, " ") + "\n"
	}
	for _, want := range []string{"2 journal(s) FAILED verification", "Journals that FAILED verification", "nov-a", "2 records cut from its end", "gone"} {
		if !strings.Contains(screen, want) {
			t.Errorf("first screen lacks %q:\n%s", want, screen)
		}
	}
	for _, b := range s.Batches {
		if b.BatchID == "nov-a" && (b.Attested || b.Failed == "") {
			t.Errorf("nov-a: %+v", b)
		}
	}
}

// TestMonthMaskedLeaksNoPhone scans every part of the masked copy's zip.
func TestMonthMaskedLeaksNoPhone(t *testing.T) {
	_, js := monthFixture(t)
	out, _ := writeMonth(t, js, "2026-11", "zh", &MaskOptions{KeepCols: []string{"部门"}})
	zr, err := zip.OpenReader(out)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	phones := []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006", "13800000010", "13800000011"}
	found := false
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		for _, p := range phones {
			if strings.Contains(string(body), p) {
				t.Errorf("%s holds phone %s", zf.Name, p)
			}
		}
		if strings.Contains(string(body), "138****0010") {
			found = true
		}
		for _, name := range []string{"丙", "丁"} {
			if strings.Contains(string(body), name) {
				t.Errorf("%s holds the name column (%s), not kept", zf.Name, name)
			}
		}
	}
	if !found {
		t.Error("no masked phone 138****0010 in the copy")
	}
	if ok, err := IsMaskedCopy(out); !ok || err != nil {
		t.Errorf("IsMaskedCopy = %v, %v", ok, err)
	}
}

// fakeMatch stands in for the provider-books three-way match.
type fakeMatch struct{}

func (fakeMatch) Header(lang string) []string {
	return []string{"orderid", "journal", "statement", "verdict"}
}
func (fakeMatch) Rows(_ context.Context, _ string, fn func([]any) error) error {
	return fn([]any{"LEAKED000001", "", "19.630", "unexplained at provider"})
}

// TestMonthProviderHook: a three-way match given is the Provider sheet.
func TestMonthProviderHook(t *testing.T) {
	_, js := monthFixture(t)
	out := filepath.Join(t.TempDir(), "m.xlsx")
	if _, err := WriteMonth(context.Background(), js, out, MonthOptions{Month: "2026-11", Lang: "en", Provider: fakeMatch{}}); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Provider")
	if len(rows) != 2 || rows[0][3] != "verdict" || rows[1][3] != "unexplained at provider" {
		t.Errorf("Provider sheet = %q", rows)
	}
}

// TestMonthAllOrdersContinues: All orders continues on further sheets
// past the row limit, and the Summary's formulas name every one.
func TestMonthAllOrdersContinues(t *testing.T) {
	_, js := monthFixture(t)
	out := filepath.Join(t.TempDir(), "m.xlsx")
	s, err := WriteMonth(context.Background(), js, out, MonthOptions{Month: "2026-11", Lang: "en", MaxOrdersPerSheet: 3})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"All orders", "All orders (2)", "All orders (3)"}; strings.Join(s.AllOrders, "|") != strings.Join(want, "|") {
		t.Fatalf("sheets %q, want %q", s.AllOrders, want)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	n := 0
	for _, name := range s.AllOrders {
		rows, _ := f.GetRows(name)
		n += len(rows) - 1
	}
	if n != s.Rows+s.Orphans {
		t.Errorf("%d rows on All orders, want %d", n, s.Rows+s.Orphans)
	}
	rows, _ := f.GetRows("Summary")
	for r, row := range rows {
		if len(row) > 0 && row[0] == "spend (sum of success costs)" {
			formula, _ := f.GetCellFormula("Summary", fmt.Sprintf("B%d", r+1))
			if !strings.Contains(formula, "'All orders (3)'!") {
				t.Errorf("spend formula %s does not name the third sheet", formula)
			}
		}
	}
}

// TestMonthLabelsAreWhole: a label of the month's Summary that wraps in
// column A has a row tall enough for its lines; a row of the default
// height cut "控制合计（无效+已拒绝+成功…" to its first line on paper.
func TestMonthLabelsAreWhole(t *testing.T) {
	_, js := monthFixture(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			out, _ := writeMonth(t, js, "2026-11", lang, nil)
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			width, err := f.GetColWidth(sheet, "A")
			if err != nil {
				t.Fatal(err)
			}
			merged, err := f.GetMergeCells(sheet)
			if err != nil {
				t.Fatal(err)
			}
			startsMerge := map[string]bool{}
			for _, m := range merged {
				startsMerge[m.GetStartAxis()] = true
			}
			rows, err := f.GetRows(sheet)
			if err != nil {
				t.Fatal(err)
			}
			wrapped := 0
			for i, r := range rows {
				axis := fmt.Sprintf("A%d", i+1)
				if len(r) < 2 || r[0] == "" || r[1] == "" || startsMerge[axis] {
					continue // not a label beside its value
				}
				n := textLines(r[0], width)
				if n == 1 {
					continue
				}
				wrapped++
				h, err := f.GetRowHeight(sheet, i+1)
				if err != nil {
					t.Fatal(err)
				}
				if h < 15*float64(n) {
					t.Errorf("row %d: %q takes %d lines in column A (%.0f wide), the row is %.1f pt tall", i+1, r[0], n, width, h)
				}
			}
			if wrapped == 0 {
				t.Errorf("no label wraps in column A: the test checks nothing")
			}
		})
	}
}
