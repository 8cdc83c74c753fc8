package main

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

func TestRunUsage(t *testing.T) {
	t.Parallel()
	_, vars := subSim(t, juhesim.Config{})
	in := subCSV(t, t.TempDir(), 1)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no out", []string{"run", "-in", in, "-batch", "b"}, "-out is required"},
		{"bad lang", []string{"run", "-in", in, "-batch", "b", "-out", "x.xlsx", "-lang", "fr"}, "use zh or en"},
		{"negative wait", []string{"run", "-in", in, "-batch", "b", "-out", "x.xlsx", "-wait", "-1s"}, "zero or more"},
		{"public callback address without cburl", []string{"run", "-in", in, "-batch", "b", "-out", "x.xlsx", "-callback-addr", "0.0.0.0:0"}, "needs -cburl"},
		{"NaN rate", []string{"run", "-in", in, "-batch", "b", "-out", "x.xlsx", "-rate", "NaN"}, "-rate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errOut, code := runCmd(context.Background(), t, vars, tc.args...)
			if code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, ExitUsage, tc.want, errOut)
			}
		})
	}
}

// run with -callback-addr serves the simulator's callbacks itself: they are
// verified and journaled, and every row ends final with exit 0.
func TestRunServesCallbacks(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{SettleDelay: 100 * time.Millisecond, SuccessRatio: 0.8, Seed: 7})
	dir := t.TempDir()
	in := subCSV(t, dir, 20)
	jp := filepath.Join(dir, "cb.journal")
	out := filepath.Join(dir, "cb.xlsx")
	stdout, stderr, code := runCmd(context.Background(), t, vars, "run", "-in", in, "-batch", "cb", "-journal", jp,
		"-out", out, "-lang", "en", "-rate", "200", "-wait", "1m", "-callback-addr", "127.0.0.1:0")
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	book, err := batch.LoadBook(context.Background(), jp)
	if err != nil {
		t.Fatal(err)
	}
	callbacks, final := 0, 0
	book.Orders(func(o *batch.OrderState) error {
		if o.CallbackState != juhe.StateNone {
			callbacks++
		}
		if o.Status().Final() {
			final++
		}
		return nil
	})
	if final != 20 {
		t.Errorf("%d of 20 orders final", final)
	}
	// A query that finds an order charging waits 2 s before the next; the
	// callbacks (100 ms after the charge) arrive first and nudge it.
	if callbacks == 0 {
		t.Errorf("no callback was journaled; the simulator sent %d", sim.Requests().Callbacks)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no workbook: %v", err)
	}
	if !strings.Contains(stdout, "control total    OK") {
		t.Errorf("summary lacks the control total:\n%s", stdout)
	}
}

// The same batch id run again on a new journal (last month's id reused, a
// lost journal) must charge nothing new, and the workbook must say, row by
// row, that the provider already had each orderid: a person decides.
func TestRunFlagsAReusedBatchID(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	dir := t.TempDir()
	in := subCSV(t, dir, 5)
	// Each workbook in a directory of its own: the first one's
	// attestation (reused.attest.json) is not the second journal's.
	// The second run in another workspace: in the same one the guard
	// refuses it (TestRunGuardRefusesReusedBatchID).
	run := func(journal, out string) (string, string) {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(out)), 0o700); err != nil {
			t.Fatal(err)
		}
		vars := maps.Clone(vars)
		vars["FLOWBATCH_WORKSPACE"] = filepath.Join(dir, "ws-"+journal)
		stdout, stderr, code := runCmd(context.Background(), t, vars, "run", "-in", in, "-batch", "reused",
			"-journal", filepath.Join(dir, journal), "-out", filepath.Join(dir, out), "-lang", "en", "-rate", "200", "-wait", "1m")
		if code != ExitOK {
			t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
		}
		return stdout, stderr
	}
	run("first.journal", "first/first.xlsx")
	_, stderr := run("second.journal", "second/second.xlsx")
	if n := sim.Ledger().Count; n != 5 {
		t.Fatalf("%d orders charged, want the first run's 5 and no more", n)
	}
	if !strings.Contains(stderr, "was batch id \"reused\" used before?") {
		t.Errorf("the second run does not warn about the reused batch id:\n%s", stderr)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, "second", "second.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Exceptions")
	if err != nil {
		t.Fatal(err)
	}
	flagged := 0
	for _, r := range rows {
		if slices.Contains(r, "pre_existing") {
			flagged++
		}
	}
	if flagged != 5 {
		t.Errorf("%d Exceptions rows say pre_existing, want 5:\n%v", flagged, rows)
	}
}

// TestRunRefusesACutJournal: a journal cut below the attestation beside
// its workbook is refused before anything is sent or written: resuming on
// it would rebuild a clean-looking workbook over the cut.
func TestRunRefusesACutJournal(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	dir := t.TempDir()
	in := subCSV(t, dir, 5)
	journal := filepath.Join(dir, "cut.journal")
	out := filepath.Join(dir, "cut.xlsx")
	args := []string{"run", "-in", in, "-batch", "cut", "-journal", journal, "-out", out, "-lang", "en", "-rate", "200", "-wait", "1m"}
	if stdout, stderr, code := runCmd(context.Background(), t, vars, args...); code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	} else if !strings.Contains(stdout, "attestation sha256 ") {
		t.Errorf("run does not print the attestation's sha256:\n%s", stdout)
	}
	truncateRecords(t, journal, 3)
	before := sim.Requests()
	book, _ := os.ReadFile(out)
	_, stderr, code := runCmd(context.Background(), t, vars, args...)
	if code != ExitDamaged || !strings.Contains(stderr, "3 records cut from its end") {
		t.Errorf("run on a cut journal: exit %d, want %d:\n%s", code, ExitDamaged, stderr)
	}
	if after := sim.Requests(); after.Submits != before.Submits || after.Queries != before.Queries {
		t.Errorf("requests sent on a cut journal: %+v, then %+v", before, after)
	}
	if now, _ := os.ReadFile(out); !bytes.Equal(now, book) {
		t.Error("the workbook changed")
	}
	// The journal deleted altogether: the same.
	os.Remove(journal)
	if _, stderr, code := runCmd(context.Background(), t, vars, args...); code != ExitDamaged || !strings.Contains(stderr, "there is no journal") {
		t.Errorf("run with the journal gone: exit %d:\n%s", code, stderr)
	}
	if n := sim.Ledger().Count; n != 5 {
		t.Errorf("%d orders charged, want 5", n)
	}
}
