package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// run capped at a third of the estimate, against the simulator with its
// faults, killed with SIGKILL at random moments again and again: the
// provider's ledger never holds more than the cap, nor does the journal
// commit more. Then the cap is raised and the batch resumes to the end:
// every row charged once, and the ledger is what the journal says was
// spent. Replay with FLOWBATCH_SEED.
func TestCrashUnderTheSpendCap(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	seed := seedFromEnv(t)
	t.Logf("seed %d (replay with FLOWBATCH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0xca9))
	sim := juhesim.NewServer(simConfigWithFaults(seed))
	defer sim.Close()
	prices := map[string]juhe.Money{}
	for _, p := range juhesim.DefaultCatalogue() {
		prices[p.Pid] = p.Price
	}

	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	rows := writeE2EInput(t, in, 150, rng)
	var estimate juhe.Money
	for _, r := range rows {
		if r.valid {
			estimate += prices[r.pid]
		}
	}
	capped := estimate / 3
	journal := filepath.Join(dir, "capcrash.journal")
	args := []string{"run", "-in", in, "-batch", "capcrash", "-journal", journal, "-out", filepath.Join(dir, "capcrash.xlsx"),
		"-lang", "en", "-rate", "15", "-wait", "60s", "-skip-invalid", "-resubmit-grace", "1s"}
	withCap := func(m juhe.Money) []string { return append(append([]string{}, args...), "-max-spend", m.String()) }
	underCap := func(when string) {
		t.Helper()
		if led := sim.Ledger(); led.Charged > capped {
			t.Fatalf("%s: the ledger holds %s yuan, over the cap of %s", when, led.Charged, capped)
		}
		book, err := batch.LoadBook(context.Background(), journal)
		if err != nil {
			return // killed before the header was written
		}
		if c := book.Committed(nil); c > capped {
			t.Fatalf("%s: the journal commits %s yuan, over the cap of %s", when, c, capped)
		}
	}

	kills, halts := 0, 0
	for i := 0; i < 10; i++ {
		a := args // the cap is journaled by the first run: the others leave it out
		if i == 0 {
			a = withCap(capped)
		}
		res := runProc(t, bin, sim.URL, time.Duration(150+rng.IntN(2500))*time.Millisecond, a...)
		underCap(fmt.Sprintf("run %d", i+1))
		switch {
		case res.killed:
			kills++
		case res.code == ExitHalted && strings.Contains(res.stderr, "the spending cap of "+capped.String()+" yuan is reached"):
			halts++
		case res.code == ExitHalted && i == 0 && strings.Contains(res.stderr, "refused to start"):
			t.Fatalf("run 1 refused:\n%s", joinOutput(res))
		default:
			t.Fatalf("run %d exited %d:\n%s", i+1, res.code, joinOutput(res))
		}
	}
	t.Logf("killed %d of 10 runs, %d halted at the cap", kills, halts)
	// Left alone, it halts at the cap, and a run after that sends nothing.
	var res procResult
	for i := 0; i < 3; i++ {
		if res = runProc(t, bin, sim.URL, 0, args...); res.code == ExitHalted {
			break
		}
	}
	underCap("the run left alone")
	if res.code != ExitHalted || !strings.Contains(res.stderr, "raise the cap with -max-spend") {
		t.Fatalf("the run left alone exited %d, want %d at the cap:\n%s", res.code, ExitHalted, joinOutput(res))
	}
	before := sim.Ledger().Charged
	if b, err := batch.LoadBook(context.Background(), journal); err == nil {
		t.Logf("at the cap of %s yuan: %s charged (%d orders), %s committed, estimate %s; %v", capped, before, sim.Ledger().Count, b.Committed(nil), estimate, b.Counts().ByStatus)
	}
	if res = runProc(t, bin, sim.URL, 0, args...); res.code != ExitHalted || sim.Ledger().Charged != before {
		t.Fatalf("a resume at the cap exited %d and charged %s more:\n%s", res.code, sim.Ledger().Charged-before, joinOutput(res))
	}

	// Raised, it finishes: every valid row charged once.
	raised := withCap(estimate)
	raised[slices.Index(raised, "15")] = "200"
	for i := 0; i < 3; i++ {
		if res = runProc(t, bin, sim.URL, 0, raised...); res.code == ExitOK {
			break
		}
	}
	if res.code != ExitOK {
		t.Fatalf("the raised run exited %d:\n%s", res.code, joinOutput(res))
	}
	assertLedgerMatches(t, "capcrash", rows, sim.Ledger())
	book, err := batch.LoadBook(context.Background(), journal)
	if err != nil {
		t.Fatal(err)
	}
	tot := book.Counts()
	if led := sim.Ledger(); led.Charged != tot.Spend+tot.Charging+tot.Refunded || led.Charged > estimate {
		t.Errorf("ledger charged %s; journal: spend %s + charging %s + refunded %s; cap %s",
			led.Charged, tot.Spend, tot.Charging, tot.Refunded, estimate)
	}
	if max, ok := book.SpendCap(); !ok || max != estimate || book.SpendCapChanges() != 1 {
		t.Errorf("journal cap %s (%v), %d changes; want %s, 1", max, ok, book.SpendCapChanges(), estimate)
	}
}
