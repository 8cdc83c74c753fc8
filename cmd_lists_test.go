package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

// A list as HR makes it: a title above the header, names and phones but
// no pid, blank rows, a 合计 footer and a signature. check names the
// header row and the footers; submit with -pid charges each listed row
// once and no footer; a resume with another -pid refuses.
func TestListWithTitleFooterAndNoPid(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := filepath.Join(dir, "名单.csv")
	list := "2026年11月 员工流量福利,,\n,,\n序号,姓名,联系电话\n1,张伟,13800138000\n2,李娜,13900139000\n\n3,王芳,13700137000\n合计,3人,\n制表：刘洋,,\n"
	if err := os.WriteFile(in, []byte(list), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	out, errOut, code := runCmd(ctx, t, vars, "check", "-in", in, "-pid", "105000", "-prices", "none")
	if code != ExitOK {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"rows:     3 (3 to submit", "header:   row 3 (the rows above it are not data)", "skipped:  1 blank row inside the list",
		"footers:  not data, never submitted:\n  row 8: \"合计\" | \"3人\"\n  row 9: \"制表：刘洋\"",
		"total:    row 8 states 3 rows: matches the 3 read", "carried:  序号, 姓名",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	jp := filepath.Join(dir, "b.journal")
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500", "-pid", "105000"}
	if out, errOut, code := runCmd(ctx, t, vars, args...); code != ExitOK {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
	}
	orders := sim.Ledger().Orders
	if len(orders) != 3 {
		t.Fatalf("%d orders charged, want 3: %+v", len(orders), orders)
	}
	phones := map[string]bool{}
	for _, o := range orders {
		phones[o.Phone] = true
	}
	for _, p := range []string{"13800138000", "13900139000", "13700137000"} {
		if !phones[p] {
			t.Errorf("%s not charged: %+v", p, orders)
		}
	}
	args[len(args)-1] = "105001"
	_, errOut, code = runCmd(ctx, t, vars, args...)
	if code != ExitUsage || !strings.Contains(errOut, `was started with -pid "105000", not "105001"`) {
		t.Fatalf("resume with another -pid: exit %d\n%s", code, errOut)
	}
	if n := len(sim.Ledger().Orders); n != 3 {
		t.Fatalf("%d orders after the refused resume", n)
	}
}

func TestCheckRefusesHiddenRowsAndAControlTotal(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("手机号,pid\n13800138000,105000\n合计,2人\n"), 0o600)
	_, errOut, code := runCmd(context.Background(), t, nil, "check", "-in", in, "-prices", "none")
	if code != ExitInvalid || !strings.Contains(errOut, `the footer states 2 rows ("合计" | "2人"), but 1 rows were read`) {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	_, errOut, code = runCmd(context.Background(), t, nil, "check", "-in", in, "-hidden-rows", "all")
	if code != ExitUsage || !strings.Contains(errOut, `-hidden-rows "all": use skip or include`) {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// A resume takes the journal's rows: the same file read with other rules
// (here -hidden-rows skip after include) gives other rows, and the
// resume says so, keeps the journal's and charges nothing more.
func TestResumeKeepsTheJournalsRows(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	f := excelize.NewFile()
	for r, row := range [][]any{{"手机号", "pid"}, {"13800138000", "105000"}, {"13900139000", "105000"}, {"13700137000", "105000"}} {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			f.SetCellValue("Sheet1", cell, v)
		}
	}
	if err := f.SetRowVisible("Sheet1", 3, false); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.xlsx")
	if err := f.SaveAs(in); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	jp := filepath.Join(dir, "b.journal")
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500"}
	_, errOut, code := runCmd(ctx, t, vars, args...)
	if code != ExitInvalid || !strings.Contains(errOut, "1 hidden or filtered-out row") || !strings.Contains(errOut, "hidden:   1 row hidden or filtered out, not what the user sees: 3") {
		t.Fatalf("hidden row: exit %d\n%s", code, errOut)
	}
	if out, errOut, code := runCmd(ctx, t, vars, append(args, "-hidden-rows", "include")...); code != ExitOK {
		t.Fatalf("include: exit %d\n%s%s", code, out, errOut)
	}
	if n := len(sim.Ledger().Orders); n != 3 {
		t.Fatalf("%d orders, want 3", n)
	}
	before := sim.Requests().Submits
	out, errOut, code := runCmd(ctx, t, vars, append(args, "-hidden-rows", "skip")...)
	if code != ExitOK || !strings.Contains(errOut, "today's reader reads 2 rows from in.xlsx where the journal has 3 rows, first differing at row 3 of the journal; the journal's rows, read when the batch started, are kept") {
		t.Fatalf("resume with skip: exit %d\n%s%s", code, out, errOut)
	}
	if got := sim.Requests().Submits; got != before {
		t.Fatalf("the resume sent %d submits", got-before)
	}
}
