package main

import (
	"context"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// A batch started with a long -resubmit-grace, for a provider known to
// lag that long, resumed with the same command but without the flag: the
// journal's grace holds, not the default. Before, the flag's default (2m)
// always won over the journal's setting, and the lagging provider's
// 210511 for the order charged ten minutes ago was taken as "not found":
// the resubmit was charged again.
func TestResumeKeepsTheJournalsResubmitGrace(t *testing.T) {
	// Not parallel: a wrong resubmit must show within the 500ms after the
	// query (below); on a loaded machine it might not, and the test would
	// pass without proving anything.
	sim, vars := subSim(t, juhesim.Config{SettleDelay: time.Hour, Faults: juhesim.Faults{Lag: time.Hour}})
	dir := t.TempDir()
	in := subCSV(t, dir, 1)
	jp := filepath.Join(dir, "b1.journal")
	ctx := context.Background()

	// The first run: started with -resubmit-grace 1h, it journaled the
	// intent, sent the submit, and was killed before the answer came, ten
	// minutes ago.
	opts := input.Options{BatchID: "b1"}
	rep, err := input.Read(ctx, in, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	j, book, err := batch.CreateJournal(ctx, jp, journal.Header{BatchID: "b1", ToolVersion: "test",
		Settings: map[string]string{batch.SettingResubmitGrace: "1h0m0s"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.AppendInput(ctx, j, book, in, opts, rep); err != nil {
		t.Fatal(err)
	}
	id := input.OrderID("b1", "13900000000", "105000", 1)
	if err := j.Append(ctx, &journal.Record{Type: journal.RecIntent, At: time.Now().Add(-10 * time.Minute).UnixMilli(),
		Intent: &journal.Intent{OrderID: id, Attempt: 1}}); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := juhe.NewClient(juhe.Config{BaseURL: sim.URL, Key: subKey, OpenID: subOpenID})
	if err != nil {
		t.Fatal(err)
	}
	if out := c.Submit(ctx, juhe.SubmitRequest{Phone: "13900000000", Pid: "105000", OrderID: id}); out.Class != juhe.ClassAccepted {
		t.Fatalf("the lost submit: %+v", out)
	}

	// The resume waits out the journal's hour; it is stopped once it has
	// queried.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) && sim.Requests().Queries == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // a resubmit would leave right after the query
		cancel()
	}()
	out, errOut, code := runCmd(rctx, t, vars, "submit", "-in", in, "-batch", "b1", "-journal", jp, "-rate", "500")
	if n := len(sim.Ledger().Orders); n != 1 {
		t.Errorf("the ledger has %d charges, want 1 (exit %d)\n%s%s", n, code, out, errOut)
	}
}

// Which grace a resume runs with: the journal's unless the flag is given;
// a given flag shorter than the journal's is warned about.
func TestEngineGrace(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		journal string // the header's setting
		want    time.Duration
		warns   bool
	}{
		{"no flag: the journal's", nil, "1h0m0s", 0, false},
		{"no flag, no setting: the default", nil, "", 0, false},
		{"a longer flag", []string{"-resubmit-grace", "2h"}, "1h0m0s", 2 * time.Hour, false},
		{"a shorter flag, warned", []string{"-resubmit-grace", "1m"}, "1h0m0s", time.Minute, true},
		{"the default given on purpose", []string{"-resubmit-grace", "2m"}, "", 2 * time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("submit", flag.ContinueOnError)
			f := addSubmitFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			book := &batch.Book{Header: journal.Header{Settings: map[string]string{}}}
			if tc.journal != "" {
				book.Header.Settings[batch.SettingResubmitGrace] = tc.journal
			}
			var warned []string
			got := f.engineGrace(fs, book, func(s string) { warned = append(warned, s) })
			if got != tc.want || (len(warned) > 0) != tc.warns {
				t.Errorf("grace %v, warnings %q; want %v, warned %v", got, warned, tc.want, tc.warns)
			}
		})
	}
}

// The polite query settings default to a minute each (NOTES.md), are
// journaled in the header, and hold for a later query without the flags:
// started with -first-query 1h, a query now sends nothing, though the
// simulator has long settled the orders.
func TestPoliteQuerySettingsJournaled(t *testing.T) {
	f := addSubmitFlags(flag.NewFlagSet("submit", flag.ContinueOnError))
	if f.firstQuery != time.Minute || f.queryEvery != time.Minute {
		t.Errorf("defaults -first-query %v -query-interval %v, want 1m each", f.firstQuery, f.queryEvery)
	}
	sim, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	dir := t.TempDir()
	in := subCSV(t, dir, 3)
	jp := filepath.Join(dir, "p.journal")
	ctx := context.Background()
	if _, errOut, code := runCmd(ctx, t, vars, "submit", "-in", in, "-batch", "p", "-journal", jp, "-rate", "100",
		"-first-query", "1h", "-query-interval", "90s"); code != ExitOK {
		t.Fatalf("submit: exit %d\n%s", code, errOut)
	}
	book, err := batch.LoadBook(ctx, jp)
	if err != nil {
		t.Fatal(err)
	}
	if s := book.Header.Settings; s[batch.SettingFirstQuery] != "1h0m0s" || s[batch.SettingQueryInterval] != "1m30s" {
		t.Errorf("journaled %q and %q, want 1h0m0s and 1m30s", s[batch.SettingFirstQuery], s[batch.SettingQueryInterval])
	}
	before, beforeBatch := sim.Requests(), sim.AccountRequests()
	_, errOut, code := runCmd(ctx, t, vars, "query", "-journal", jp, "-wait", "300ms")
	if code != ExitOpen {
		t.Errorf("query: exit %d, want %d (open)\n%s", code, ExitOpen, errOut)
	}
	if after, afterBatch := sim.Requests(), sim.AccountRequests(); after.Queries != before.Queries || afterBatch.BatchQueries != beforeBatch.BatchQueries {
		t.Errorf("queries sent within the journal's first-query delay: %d ordersta, %d batchquery",
			after.Queries-before.Queries, afterBatch.BatchQueries-beforeBatch.BatchQueries)
	}
}
