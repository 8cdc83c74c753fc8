package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

func TestSubmitCommand(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{SettleDelay: 100 * time.Millisecond})
	dir := t.TempDir()
	in := subCSV(t, dir, 25)
	jp := filepath.Join(dir, "b1.journal")
	args := []string{"submit", "-in", in, "-batch", "b1", "-journal", jp, "-rate", "500"}
	ctx := context.Background()

	out, errOut, code := runCmd(ctx, t, vars, args...)
	if code != ExitOK {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"batch:    b1", "25 submits, 0 queries", "charging 25", "spend:", "head:"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if n := len(sim.Ledger().Orders); n != 25 {
		t.Errorf("ledger: %d orders, want 25", n)
	}
	if st, err := os.Stat(jp); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("journal: %v %v", st, err)
	}
	for _, secret := range []string{subKey, subOpenID} {
		data, _ := os.ReadFile(jp)
		if strings.Contains(out+errOut+string(data), secret) {
			t.Errorf("a secret leaked into the output or the journal")
		}
	}

	// Again: nothing is sent.
	before := sim.Requests()
	out, errOut, code = runCmd(ctx, t, vars, args...)
	if code != ExitOK || !strings.Contains(out, "0 submits, 0 queries") {
		t.Errorf("second submit: exit %d\n%s%s", code, out, errOut)
	}
	if after := sim.Requests(); after.Submits != before.Submits {
		t.Errorf("second submit sent %d submits", after.Submits-before.Submits)
	}

	// query settles every order.
	out, errOut, code = runCmd(ctx, t, vars, "query", "-journal", jp, "-wait", "20s", "-rate", "500")
	if code != ExitOK || !strings.Contains(out, "success") {
		t.Fatalf("query: exit %d\n%s%s", code, out, errOut)
	}
	book, err := batch.LoadBook(ctx, jp)
	if err != nil {
		t.Fatal(err)
	}
	if c := book.Counts(); c.OpenCount != 0 {
		t.Errorf("after query: %v", c.ByStatus)
	}
}

func TestSubmitCommandRefuses(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	tests := []struct {
		name  string
		vars  map[string]string
		extra []string // extra input lines
		flags []string
		code  int
		want  []string
	}{
		{"no credentials", map[string]string{}, nil, nil, ExitUsage, []string{"JUHE_KEY and JUHE_OPENID not set"}},
		{"no openid", map[string]string{"JUHE_KEY": subKey}, nil, nil, ExitUsage, []string{"JUHE_OPENID not set"}},
		{"invalid row", vars, []string{"12345,105000,x"}, nil, ExitInvalid, []string{"row 7: ", "1 invalid row", "-skip-invalid"}},
		{"duplicate", vars, []string{"13900000001,105000,again"}, nil, ExitInvalid, []string{"row 7: duplicate of row 3", "-allow-duplicates"}},
		{"bad batch", vars, nil, []string{"-batch", "a b"}, ExitUsage, []string{"-batch"}},
		{"bad rate", vars, nil, []string{"-rate", "0"}, ExitUsage, []string{"-rate"}},
		{"no grace", vars, nil, []string{"-resubmit-grace", "0s"}, ExitUsage, []string{"-resubmit-grace"}},
		{"negative first query", vars, nil, []string{"-first-query", "-1s"}, ExitUsage, []string{"-first-query"}},
		{"negative query interval", vars, nil, []string{"-query-interval", "-1m"}, ExitUsage, []string{"-query-interval"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			in := subCSV(t, dir, 5, tc.extra...)
			jp := filepath.Join(dir, "b.journal")
			args := append([]string{"submit", "-in", in, "-batch", "b", "-journal", jp}, tc.flags...)
			before := sim.Requests()
			out, errOut, code := runCmd(context.Background(), t, tc.vars, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			for _, w := range tc.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
			if _, err := os.Stat(jp); err == nil {
				t.Errorf("a journal was written")
			}
			if after := sim.Requests(); after.Submits+after.Queries != before.Submits+before.Queries {
				t.Errorf("requests were sent")
			}
		})
	}
}

func TestSubmitCommandSkipInvalid(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 5, "12345,105000,bad")
	out, errOut, code := runCmd(context.Background(), t, vars, "submit", "-in", in, "-batch", "b", "-journal", filepath.Join(dir, "j"), "-skip-invalid", "-rate", "500")
	if code != ExitOK || !strings.Contains(out, "invalid 1") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if n := len(sim.Ledger().Orders); n != 5 {
		t.Errorf("ledger: %d, want 5", n)
	}
}

func TestSubmitCommandChangedInput(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 6)
	jp := filepath.Join(dir, "b.journal")
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500"}
	ctx := context.Background()
	if _, errOut, code := runCmd(ctx, t, vars, args...); code != ExitOK {
		t.Fatalf("first submit: %d %s", code, errOut)
	}
	// Rows 0 and 1 go, two new ones come.
	var b strings.Builder
	b.WriteString("phone,pid,name\n")
	for i := 2; i < 8; i++ {
		fmt.Fprintf(&b, "1390%07d,105000,person %d\n", i, i)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)

	_, errOut, code := runCmd(ctx, t, vars, args...)
	if code != ExitInvalid || !strings.Contains(errOut, "-allow-changed-input") {
		t.Fatalf("changed input: exit %d, want %d\n%s", code, ExitInvalid, errOut)
	}
	out, errOut, code := runCmd(ctx, t, vars, append(args, "-allow-changed-input")...)
	if code != ExitOK {
		t.Fatalf("-allow-changed-input: exit %d\n%s%s", code, out, errOut)
	}
	if !strings.Contains(errOut, "2 orders journaled earlier no longer in the input") || !strings.Contains(out, "2 submits") {
		t.Errorf("want two absent rows reported and two submits:\n%s%s", out, errOut)
	}
	if n := len(sim.Ledger().Orders); n != 8 {
		t.Errorf("ledger: %d orders, want 8", n)
	}
}

func TestSubmitCommandHaltAndLock(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	sim.SetBalance(3 * 19630)
	dir := t.TempDir()
	in := subCSV(t, dir, 10)
	jp := filepath.Join(dir, "b.journal")
	// The halt abandons the other worker's journaled intent; the resume
	// queries it and may resubmit only after the grace (from the latest
	// the attempt could have ended): 1s, not 2m, against a simulator
	// that does not lag.
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500", "-workers", "2", "-resubmit-grace", "1s"}
	ctx := context.Background()
	// The estimate exceeds the balance: nothing starts, unless allowed.
	_, errOut, code := runCmd(ctx, t, vars, args...)
	if code != ExitHalted || !strings.Contains(errOut, "exceeds the balance, 58.890 yuan, by 137.410 yuan; nothing was sent") || sim.Ledger().Count != 0 {
		t.Fatalf("short balance: exit %d, %d charged, want %d and none\n%s", code, sim.Ledger().Count, ExitHalted, errOut)
	}
	if _, err := os.Stat(jp); err == nil {
		t.Errorf("a batch refused for its balance left a journal")
	}
	args = append(args, "-allow-short-balance")
	_, errOut, code = runCmd(ctx, t, vars, args...)
	if code != ExitHalted || !strings.Contains(errOut, "balance insufficient (210505) at row") || !strings.Contains(errOut, "top up") {
		t.Fatalf("exit %d, want %d\n%s", code, ExitHalted, errOut)
	}

	// While another holder has the journal, submit refuses at once.
	j, _, err := batch.OpenJournal(ctx, jp, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runCmd(ctx, t, vars, args...)
	j.Close()
	if code != ExitLocked || !strings.Contains(errOut, "in use by process") {
		t.Fatalf("locked: exit %d\n%s", code, errOut)
	}

	sim.SetBalance(100 * 19630)
	if out, errOut, code := runCmd(ctx, t, vars, args...); code != ExitOK {
		t.Fatalf("after top-up: exit %d\n%s%s", code, out, errOut)
	}
	if n := len(sim.Ledger().Orders); n != 10 {
		t.Errorf("ledger: %d, want 10", n)
	}
}

func TestSubmitCommandInterrupt(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 200)
	jp := filepath.Join(dir, "my batch.journal")
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "50"}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		deadline := time.Now().Add(10 * time.Second)
		for sim.Requests().Submits < 5 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	_, errOut, code := runCmd(ctx, t, vars, args...)
	if code != ExitInterrupted {
		t.Fatalf("exit %d, want %d\n%s", code, ExitInterrupted, errOut)
	}
	if !strings.Contains(errOut, "run the same command again to continue: flowbatch submit -in "+in) ||
		!strings.Contains(errOut, "'"+jp+"'") {
		t.Errorf("no resume command:\n%s", errOut)
	}
	vars2 := map[string]string{}
	for k, v := range vars {
		vars2[k] = v
	}
	if out, errOut, code := runCmd(context.Background(), t, vars2, append(args[:len(args)-2], "-rate", "1000")...); code != ExitOK {
		t.Fatalf("resume: exit %d\n%s%s", code, out, errOut)
	}
	led := sim.Ledger()
	seen := map[string]bool{}
	for _, o := range led.Orders {
		if seen[o.OrderID] {
			t.Errorf("%s charged twice", o.OrderID)
		}
		seen[o.OrderID] = true
	}
	if len(led.Orders) != 200 {
		t.Errorf("ledger: %d, want 200", len(led.Orders))
	}
}
