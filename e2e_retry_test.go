package main

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// The retry batch of issue 13, with the real binary and the simulator's
// ledger: a batch with failures (half the orders fail, two rows are
// rejected for a pid of another carrier), reconcile -retry, and a run of
// the retry file under the new batch id in the same workspace and
// period. It passes the workspace guard without -allow-regift, since the
// first journal shows those rows final and uncharged, and charges only
// those people, each once. A phone charged in the first batch, added to
// the retry file by hand, is refused (exit 3) naming the first batch,
// and check says so first.
func TestRunRetryBatch(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: -1, SuccessRatio: 0.5, Seed: 13})
	defer sim.Close()
	dir := t.TempDir()
	ws := testWorkspace(t)
	const n, otherCarrier = 30, "106000" // a 联通 pid for 移动 numbers: 210504, rejected
	phone := func(i int) string { return fmt.Sprintf("1390000%04d", i) }
	var in strings.Builder
	in.WriteString("phone,pid\n")
	for i := range n {
		pid := "105000"
		if i >= n-2 {
			pid = otherCarrier
		}
		fmt.Fprintf(&in, "%s,%s\n", phone(i), pid)
	}
	first := filepath.Join(dir, "a.csv")
	if err := os.WriteFile(first, []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	batchArgs := func(cmd, in, id string) []string {
		args := []string{cmd, "-in", in, "-batch", id, "-period", "2026-12"}
		if cmd == "check" {
			return args
		}
		os.MkdirAll(filepath.Join(dir, id), 0o700)
		return append(args, "-out", filepath.Join(dir, id, id+".xlsx"), "-rate", "200", "-wait", "1m")
	}
	if r := runProc(t, bin, sim.URL, 0, batchArgs("run", first, "gift-dec")...); r.code != ExitOK {
		t.Fatalf("first batch: exit %d\n%s", r.code, joinOutput(r))
	}
	// What the provider did: charged for good, or failed and refunded.
	var charged, uncharged []string
	for _, o := range sim.Ledger().Orders {
		switch {
		case o.State == juhe.StateSuccess:
			charged = append(charged, o.Phone)
		case o.State == juhe.StateFailed && o.Refunded:
			uncharged = append(uncharged, o.Phone)
		default:
			t.Fatalf("order %s is neither charged nor refunded: %+v", o.OrderID, o)
		}
	}
	uncharged = append(uncharged, phone(n-2), phone(n-1)) // rejected, never in the ledger
	slices.Sort(charged)
	slices.Sort(uncharged)
	if len(charged) == 0 || len(uncharged) <= 2 || len(charged)+len(uncharged) != n {
		t.Fatalf("the first batch charged %d and left %d uncharged of %d: change the seed", len(charged), len(uncharged), n)
	}

	retry := filepath.Join(dir, "retry.csv")
	r := runProc(t, bin, sim.URL, 0, "reconcile", "-journal", filepath.Join(ws, "gift-dec.journal"),
		"-out", filepath.Join(dir, "gift-dec", "again.xlsx"), "-lang", "en", "-retry", retry)
	if r.code != ExitOK {
		t.Fatalf("reconcile -retry: exit %d\n%s", r.code, joinOutput(r))
	}
	if note, err := os.ReadFile(filepath.Join(dir, "retry.note.txt")); err != nil || !strings.Contains(string(note), "gift-dec-retry1") {
		t.Fatalf("the note does not name gift-dec-retry1: %v\n%s", err, note)
	}
	data, err := os.ReadFile(retry)
	if err != nil {
		t.Fatal(err)
	}
	// The retry CSV keeps number-like text as text with a leading TAB
	// (README: a script trims it); read it as a script would.
	recs, err := csv.NewReader(strings.NewReader(string(data))).ReadAll()
	if err != nil || len(recs) < 1 {
		t.Fatalf("retry file is not a CSV: %v\n%s", err, data)
	}
	var inRetry []string
	fixed := "phone,pid\n"
	for _, rec := range recs[1:] {
		phone, pid := strings.TrimPrefix(rec[0], "\t"), strings.TrimPrefix(rec[1], "\t")
		inRetry = append(inRetry, phone)
		// Fix the rejected rows, as the note says.
		if pid == otherCarrier {
			pid = "105000"
		}
		fixed += phone + "," + pid + "\n"
	}
	slices.Sort(inRetry)
	if !slices.Equal(inRetry, uncharged) {
		t.Fatalf("retry file holds %v, want the uncharged %v:\n%s", inRetry, uncharged, data)
	}
	if err := os.WriteFile(retry, []byte(fixed), 0o600); err != nil {
		t.Fatal(err)
	}

	// A phone charged in the first batch, added by hand: refused, by
	// check first, and nothing is charged.
	sneaked := filepath.Join(dir, "retry-plus.csv")
	if err := os.WriteFile(sneaked, []byte(fixed+charged[0]+",105000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	before := sim.Ledger().Count
	for _, cmd := range []string{"check", "run"} {
		r := runProc(t, bin, sim.URL, 0, batchArgs(cmd, sneaked, "gift-dec-retry1")...)
		if r.code != ExitInvalid {
			t.Fatalf("%s with a charged phone added: exit %d, want %d\n%s", cmd, r.code, ExitInvalid, joinOutput(r))
		}
		for _, w := range []string{`1 row of this batch is already in batch "gift-dec" for period 2026-12`, filepath.Join(ws, "gift-dec.journal"),
			fmt.Sprintf("%s (row %d here", charged[0], len(uncharged)+2), "final and uncharged"} {
			if !strings.Contains(r.stderr, w) {
				t.Errorf("%s: refusal lacks %q:\n%s", cmd, w, r.stderr)
			}
		}
	}
	if got := sim.Ledger().Count; got != before {
		t.Fatalf("a refused batch charged %d orders", got-before)
	}
	if _, err := os.Stat(filepath.Join(ws, "gift-dec-retry1.journal")); err == nil {
		t.Fatalf("a refused batch left a journal")
	}

	// The retry file as written: check and run pass, saying why.
	for _, cmd := range []string{"check", "run"} {
		r := runProc(t, bin, sim.URL, 0, batchArgs(cmd, retry, "gift-dec-retry1")...)
		if r.code != ExitOK {
			t.Fatalf("%s of the retry file: exit %d\n%s", cmd, r.code, joinOutput(r))
		}
		for _, w := range []string{fmt.Sprintf(`%d rows of this batch were sent by batch "gift-dec" for period 2026-12`, len(uncharged)),
			"its journal " + filepath.Join(ws, "gift-dec.journal") + " shows them final and uncharged"} {
			if !strings.Contains(r.stderr+r.stdout, w) {
				t.Errorf("%s does not say why the rows passed (%q):\n%s", cmd, w, joinOutput(r))
			}
		}
	}
	book, err := batch.LoadBook(context.Background(), filepath.Join(ws, "gift-dec-retry1.journal"))
	if err != nil {
		t.Fatal(err)
	}
	if got := book.Header.Settings[settingUnchargedElsewhere]; strings.Count(got, "@gift-dec") != len(uncharged) || book.Header.Settings[settingAllowRegift] != "false" {
		t.Errorf("the header does not record the rows let through: %q", got)
	}
	// A resume is guarded again, and passes: nothing left to send.
	if r := runProc(t, bin, sim.URL, 0, batchArgs("run", retry, "gift-dec-retry1")...); r.code != ExitOK {
		t.Fatalf("resume of the retry batch: exit %d\n%s", r.code, joinOutput(r))
	}

	// The retry batch charged exactly the uncharged people, each once,
	// under its own orderids; nobody charged in the first batch.
	var again []string
	for _, o := range sim.Ledger().Orders {
		if o.OrderID == input.OrderID("gift-dec-retry1", o.Phone, "105000", 1) {
			again = append(again, o.Phone)
			if o.Charge != 1 || o.Submits != 1 {
				t.Errorf("retry order %s: charge %d, %d submits", o.OrderID, o.Charge, o.Submits)
			}
		}
	}
	slices.Sort(again)
	if !slices.Equal(again, uncharged) {
		t.Errorf("the retry batch charged %v, want each of %v once", again, uncharged)
	}
	if got, want := sim.Ledger().Count, before+len(uncharged); got != want {
		t.Errorf("the ledger holds %d orders, want %d", got, want)
	}
}
