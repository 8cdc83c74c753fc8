package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// writePhones writes a CSV of China Mobile rows for the given phone
// numbers (1390000NNNN).
func writePhones(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("phone,pid\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "1390000%04d,105000\n", i)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The acceptance of issue 10's guard, with the real binary and the
// simulator's ledger: a second batch id on the same file, or on an
// overlapping list in the same month, charges nothing and exits 3;
// -allow-regift lets it through, and the journal says so.
func TestWorkspaceGuardRefusesASecondGift(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: -1})
	defer sim.Close()
	dir := t.TempDir()
	ws := testWorkspace(t)
	fileA := filepath.Join(dir, "a.csv")
	writePhones(t, fileA, 0, 20)
	fileB := filepath.Join(dir, "b.csv")
	writePhones(t, fileB, 15, 25) // rows 15–19 were in a.csv
	run := func(in, id string, extra ...string) procResult {
		t.Helper()
		os.MkdirAll(filepath.Join(dir, id), 0o700)
		args := append([]string{"run", "-in", in, "-batch", id, "-out", filepath.Join(dir, id, id+".xlsx"),
			"-period", "2026-12", "-rate", "200", "-wait", "1m"}, extra...)
		return runProc(t, bin, sim.URL, 0, args...)
	}
	charged := func() int { return sim.Ledger().Count }

	// The first batch keeps its journal outside the workspace: it is
	// registered, so the guard sees it all the same.
	elsewhere := filepath.Join(dir, "kept", "gift-dec.journal")
	os.MkdirAll(filepath.Dir(elsewhere), 0o700)
	if r := run(fileA, "gift-dec", "-journal", elsewhere); r.code != ExitOK {
		t.Fatalf("first batch: exit %d\n%s", r.code, joinOutput(r))
	}
	if charged() != 20 {
		t.Fatalf("%d charged, want 20", charged())
	}

	for _, tc := range []struct {
		name, in, id string
		want         []string
	}{
		{"same file, another id", fileA, "gift-dec-2", []string{`already submitted under batch "gift-dec"`, elsewhere}},
		{"same id spelled differently", fileA, "Gift_Dec", []string{`"Gift_Dec" is batch "gift-dec" spelled differently`}},
		{"overlapping list", fileB, "gift-extra", []string{`5 rows of this batch are already in batch "gift-dec"`,
			"13900000015 (row 2 here, row 17 there, sent)", "-allow-regift"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := charged()
			r := run(tc.in, tc.id)
			if r.code != ExitInvalid {
				t.Fatalf("exit %d, want %d\n%s", r.code, ExitInvalid, joinOutput(r))
			}
			for _, w := range tc.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("refusal lacks %q:\n%s", w, r.stderr)
				}
			}
			if charged() != before {
				t.Errorf("a refused batch charged %d", charged()-before)
			}
			if _, err := os.Stat(filepath.Join(ws, tc.id+".journal")); err == nil {
				t.Errorf("a refused batch left a journal in the workspace")
			}
		})
	}

	// On purpose: -allow-regift lets the overlap through, and the
	// journal records it and the rows.
	r := run(fileB, "gift-extra", "-allow-regift")
	if r.code != ExitOK {
		t.Fatalf("-allow-regift: exit %d\n%s", r.code, joinOutput(r))
	}
	if charged() != 30 {
		t.Errorf("%d charged, want 30 (the 10 rows of b.csv)", charged())
	}
	book, err := batch.LoadBook(context.Background(), filepath.Join(ws, "gift-extra.journal"))
	if err != nil {
		t.Fatal(err)
	}
	set := book.Header.Settings
	if set[settingAllowRegift] != "true" || !strings.Contains(set[settingRegifted], "2:13900000015@gift-dec") ||
		strings.Count(set[settingRegifted], "@gift-dec") != 5 {
		t.Errorf("header settings do not record the regift: %q %q", set[settingAllowRegift], set[settingRegifted])
	}
	who := workspace.Who()
	if set[workspace.SettingPeriod] != "2026-12" || set[workspace.SettingUser] != who.User || set[workspace.SettingHost] != who.Host {
		t.Errorf("header settings: period %q user %q host %q", set[workspace.SettingPeriod], set[workspace.SettingUser], set[workspace.SettingHost])
	}
	if set[workspace.SettingAccount] == "" {
		t.Errorf("no account id in the header, though the balance endpoint answered")
	}
	bal := book.Balances()
	if len(bal) != 2 || bal[0].When != journal.BalanceBefore || bal[1].When != journal.BalanceAfter ||
		!bal[0].Known || !bal[1].Known || bal[0].Account != set[workspace.SettingAccount] || bal[1].Money >= bal[0].Money {
		t.Errorf("balance before and after not journaled with the account: %+v", bal)
	}
	if _, err := os.Stat(balanceSidePath(filepath.Join(ws, "gift-extra.journal"))); err == nil {
		t.Errorf("the balance side file is still written")
	}

	// A resume is guarded too, and stays quiet: nothing left to send.
	if r := run(fileB, "gift-extra", "-allow-regift"); r.code != ExitOK || charged() != 30 {
		t.Errorf("resume: exit %d, %d charged\n%s", r.code, charged(), joinOutput(r))
	}

	// status names the workspace; workspace list names the batches.
	st := runProc(t, bin, sim.URL, 0, "status", "-journal", elsewhere)
	if !strings.Contains(st.stdout, "workspace") || !strings.Contains(st.stdout, "registered") || !strings.Contains(st.stdout, "2026-12") {
		t.Errorf("status does not name the workspace:\n%s", st.stdout)
	}
	ls := runProc(t, bin, sim.URL, 0, "workspace", "list")
	for _, w := range []string{"gift-dec", "gift-extra", elsewhere} {
		if !strings.Contains(ls.stdout, w) {
			t.Errorf("workspace list lacks %q:\n%s", w, ls.stdout)
		}
	}
}

// A journal the workspace knows that goes missing stops every batch until
// it is forgotten on purpose, with why.
func TestWorkspaceForgetAMissingJournal(t *testing.T) {
	t.Parallel()
	_, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	dir := t.TempDir()
	ctx := context.Background()
	in := filepath.Join(dir, "a.csv")
	writePhones(t, in, 0, 3)
	lost := filepath.Join(dir, "lost.journal")
	if _, errOut, code := runCmd(ctx, t, vars, "submit", "-in", in, "-batch", "lost", "-journal", lost, "-period", "2026-11"); code != ExitOK {
		t.Fatalf("submit: exit %d\n%s", code, errOut)
	}
	os.Remove(lost)
	other := filepath.Join(dir, "b.csv")
	writePhones(t, other, 10, 12)
	args := []string{"submit", "-in", other, "-batch", "next", "-period", "2026-11"}
	if _, errOut, code := runCmd(ctx, t, vars, args...); code != ExitInvalid || !strings.Contains(errOut, "has gone missing") {
		t.Fatalf("exit %d, want %d for a missing journal\n%s", code, ExitInvalid, errOut)
	}
	if _, errOut, code := runCmd(ctx, t, vars, "workspace", "forget", "-journal", lost); code != ExitUsage {
		t.Errorf("forget without -why: exit %d\n%s", code, errOut)
	}
	out, errOut, code := runCmd(ctx, t, vars, "workspace", "forget", "-journal", lost, "-why", "laptop lost", "-who", "finance")
	if code != ExitOK || !strings.Contains(out, "forgot missing journal") {
		t.Fatalf("forget: exit %d\n%s%s", code, out, errOut)
	}
	log, _ := os.ReadFile(filepath.Join(testWorkspace(t), "forgotten.log"))
	if !strings.Contains(string(log), "laptop lost") || !strings.Contains(string(log), "finance") {
		t.Errorf("forgotten.log: %s", log)
	}
	if _, errOut, code := runCmd(ctx, t, vars, args...); code != ExitOK {
		t.Fatalf("after forget: exit %d\n%s", code, errOut)
	}
}

// Two batches started at the same moment on one file: the guard and the
// writing of the rows are under one lock, so exactly one passes.
func TestWorkspaceGuardTwoBatchesAtOnce(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: -1})
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "a.csv")
	writePhones(t, in, 0, 200)
	testWorkspace(t) // one workspace for both, made before they start
	results := make(chan procResult, 2)
	for _, id := range []string{"left", "right"} {
		go func() {
			results <- runProc(t, bin, sim.URL, 0, "submit", "-in", in, "-batch", id, "-rate", "500")
		}()
	}
	a, b := <-results, <-results
	if a.code > b.code {
		a, b = b, a
	}
	if a.code != ExitOK || b.code != ExitInvalid {
		t.Fatalf("exits %d and %d, want 0 and 3:\n%s\n%s", a.code, b.code, joinOutput(a), joinOutput(b))
	}
	if n := sim.Ledger().Count; n != 200 {
		t.Errorf("%d charged, want 200: one batch, once", n)
	}
}

// A journal an older flowbatch left in the current folder is never
// silently started afresh in the workspace.
func TestJournalInTheCurrentFolderIsNotReplaced(t *testing.T) {
	// Not parallel: t.Chdir changes the process's working directory.
	_, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	dir := t.TempDir()
	in := subCSV(t, dir, 2)
	t.Chdir(dir)
	if err := os.WriteFile("old.journal", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCmd(context.Background(), t, vars, "submit", "-in", in, "-batch", "old")
	if code != ExitUsage || !strings.Contains(errOut, "Try: -journal old.journal") {
		t.Fatalf("exit %d, want %d\n%s", code, ExitUsage, errOut)
	}
}
