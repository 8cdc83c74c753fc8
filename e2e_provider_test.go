package main

// End-to-end tests of issue 8's provider faults: the real binary against a
// provider whose lookup and duplicate check lag behind its charge, and one
// that answers about other orders.

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

// exceptionKinds counts the Exceptions sheet's rows by kind (English labels).
func exceptionKinds(t *testing.T, path string) map[string]int {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]int{}
	for _, sheet := range f.GetSheetList() {
		if sheet != "Exceptions" && !strings.HasPrefix(sheet, "Exceptions (") {
			continue
		}
		rows, err := f.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 {
			continue
		}
		col := slices.Index(rows[0], "exception") // by name: the layout may change
		if col < 0 {
			t.Fatalf("sheet %s has no exception column: %q", sheet, rows[0])
		}
		for _, r := range rows[1:] {
			if len(r) > col {
				kinds[r[col]]++
			}
		}
	}
	return kinds
}

// A lost submit against a lagging provider is waited out, not resubmitted
// into a second charge: every row charged exactly once, at most two submits
// per order, a journal that verifies, and exit 0.
func TestLaggingProviderEndToEnd(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, Seed: 21,
		SettleDelay: 200 * time.Millisecond, SuccessRatio: 0.9,
		Faults: juhesim.Faults{Lag: 400 * time.Millisecond, DropAfterCharge: 0.4, HTML502Before: 0.1}})
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	rows := writeE2EInput(t, in, 40, rand.New(rand.NewPCG(8, 8)))
	journal := filepath.Join(dir, "lag.journal")
	out := filepath.Join(dir, "lag.xlsx")
	res := runProc(t, bin, sim.URL, 0, "run", "-in", in, "-batch", "lag", "-journal", journal, "-out", out,
		"-lang", "en", "-rate", "50", "-wait", "60s", "-skip-invalid", "-resubmit-grace", "1500ms")
	if res.code != ExitOK {
		t.Fatalf("run exited %d:\n%s", res.code, joinOutput(res))
	}
	if c := sim.Requests(); c.Dropped == 0 || c.QueryCodes[210511] == 0 {
		t.Errorf("the faults did not bite: %+v", c)
	}
	led := sim.Ledger()
	charged := assertLedgerMatches(t, "lag", rows, led)
	assertWorkbookMatchesLedger(t, out, rows, charged)
	for _, lo := range led.Orders {
		if lo.Submits > 2 {
			t.Errorf("orderid %s submitted %d times, want at most 2", lo.OrderID, lo.Submits)
		}
	}
	if k := exceptionKinds(t, out); k["pre_existing"] > 0 {
		t.Errorf("%d rows this journal sent flagged pre_existing", k["pre_existing"])
	}
	if v := runProc(t, bin, sim.URL, 0, "verify", "-journal", journal); v.code != ExitOK {
		t.Errorf("verify exited %d: %s", v.code, joinOutput(v))
	}
}

// A provider that answers about other orders, always: nobody is charged
// twice, nothing is settled on its word, and run says the rows are open
// (exit 5) instead of guessing.
func TestLyingProviderEndToEnd(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, Seed: 22,
		SettleDelay: 100 * time.Millisecond, SuccessRatio: 0.9,
		Faults: juhesim.Faults{Foreign: 1, HTML502Before: 0.1}})
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	rows := writeE2EInput(t, in, 30, rand.New(rand.NewPCG(9, 9)))
	journal := filepath.Join(dir, "lie.journal")
	out := filepath.Join(dir, "lie.xlsx")
	res := runProc(t, bin, sim.URL, 0, "run", "-in", in, "-batch", "lie", "-journal", journal, "-out", out,
		"-lang", "en", "-rate", "50", "-wait", "5s", "-skip-invalid", "-resubmit-grace", "1s")
	if res.code != ExitOpen {
		t.Fatalf("run exited %d, want %d (open):\n%s", res.code, ExitOpen, joinOutput(res))
	}
	seen := map[string]bool{}
	for _, lo := range sim.Ledger().Orders {
		if seen[lo.OrderID] {
			t.Errorf("orderid %s charged twice", lo.OrderID)
		}
		seen[lo.OrderID] = true
	}
	valid := 0
	for _, r := range rows {
		if r.valid {
			valid++
		}
	}
	if len(seen) > valid {
		t.Errorf("%d orders charged for %d valid rows", len(seen), valid)
	}
	orders, header, _ := readWorkbook(t, out)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	open := 0
	for _, r := range orders {
		switch r[col["state"]] {
		case "unknown", "charging", "not_submitted":
			open++
		}
	}
	if open < valid*3/4 {
		t.Errorf("%d of %d valid rows open; a provider that never tells the truth must leave nearly all open", open, valid)
	}
	if k := exceptionKinds(t, out); k["conflict"] == 0 {
		t.Errorf("no answer flagged as a conflict on Exceptions: %v", k)
	}
	if v := runProc(t, bin, sim.URL, 0, "verify", "-journal", journal); v.code != ExitOK {
		t.Errorf("verify exited %d: %s", v.code, joinOutput(v))
	}
}
