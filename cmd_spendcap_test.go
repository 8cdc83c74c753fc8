package main

import (
	"context"
	"maps"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// -max-spend and FLOWBATCH_MAX_SPEND take yuan with at most three
// decimals, above 0; anything else is exit 2 and nothing is written.
func TestMaxSpendFlagParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flag, env string
		code      int
		want      juhe.Money
	}{
		{flag: "150", want: 150000},
		{flag: "19.63", want: 19630},
		{flag: "0.001", want: 1},
		{env: "40.5", want: 40500},
		{flag: "30", env: "40", want: 30000}, // the flag wins
		{flag: "1.2345", code: ExitUsage},
		{flag: "-5", code: ExitUsage},
		{flag: "+5", code: ExitUsage},
		{flag: "0", code: ExitUsage},
		{flag: "0.000", code: ExitUsage},
		{flag: "1e3", code: ExitUsage},
		{flag: "12,5", code: ExitUsage},
		{flag: "¥12", code: ExitUsage},
		{flag: "12.", code: ExitUsage},
		{flag: "9999999999999", code: ExitUsage},
		{env: "abc", code: ExitUsage},
	} {
		e := &env{getenv: func(k string) string {
			if k == envMaxSpend {
				return tc.env
			}
			return ""
		}}
		m := maxSpendFlag{text: tc.flag}
		err := m.parse(e, "run")
		code := ExitOK
		if err != nil {
			code = err.(*exitError).code
		}
		if code != tc.code || (code == ExitOK && (m.max != tc.want || !m.set)) {
			t.Errorf("flag %q env %q: exit %d, %s (set %v); want exit %d, %s: %v", tc.flag, tc.env, code, m.max, m.set, tc.code, tc.want, err)
		}
	}
}

// A run capped below the estimate halts at the cap (exit 4) with the
// cap, the amount committed, the rows left and how to go on; a resume
// without -max-spend stays capped and sends nothing; a raised cap is
// journaled and the batch finishes, nobody charged twice.
func TestRunSpendCapHaltsThenRaise(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 10)
	out := filepath.Join(dir, "b.xlsx")
	args := []string{"run", "-in", in, "-batch", "cap", "-out", out, "-wait", "20s", "-period", "2026-11"}
	_, stderr, code := runCmd(context.Background(), t, vars, append(args, "-max-spend", "60")...)
	if code != ExitHalted {
		t.Fatalf("capped run: exit %d, want %d\n%s", code, ExitHalted, stderr)
	}
	for _, s := range []string{"the spending cap of 60.000 yuan is reached", "58.890 yuan committed", "7 rows not sent yet",
		"raise the cap with -max-spend", "-max-spend 196.300", "warning: the rows to send, 196.300 yuan"} {
		if !strings.Contains(stderr, s) {
			t.Errorf("capped run does not say %q:\n%s", s, stderr)
		}
	}
	if n := len(sim.Ledger().Orders); n != 3 {
		t.Errorf("ledger: %d orders, want 3 (3 × 19.630 ≤ 60)", n)
	}
	// The resume without -max-spend keeps the journaled cap.
	_, stderr, code = runCmd(context.Background(), t, vars, args...)
	if code != ExitHalted || len(sim.Ledger().Orders) != 3 || !strings.Contains(stderr, "spending cap 60.000 yuan (journaled)") {
		t.Fatalf("resume without -max-spend: exit %d, %d charged\n%s", code, len(sim.Ledger().Orders), stderr)
	}
	jpath := filepath.Join(testWorkspace(t), "cap.journal")
	_, stderr, code = runCmd(context.Background(), t, vars, append(args, "-max-spend", "196.3")...)
	if code != ExitOK {
		t.Fatalf("raised: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "spending cap raised: 196.300 yuan, was 60.000 yuan (journaled)") {
		t.Errorf("the raise is not said:\n%s", stderr)
	}
	book, err := batch.LoadBook(context.Background(), jpath)
	if err != nil {
		t.Fatal(err)
	}
	if max, ok := book.SpendCap(); !ok || max != 196300 || book.SpendCapChanges() != 1 {
		t.Errorf("journal cap %s %v, %d changes", max, ok, book.SpendCapChanges())
	}
	led := sim.Ledger()
	seen := map[string]bool{}
	var sum juhe.Money
	for _, o := range led.Orders {
		if seen[o.OrderID] {
			t.Errorf("%s charged twice", o.OrderID)
		}
		seen[o.OrderID] = true
		sum += o.Cost
	}
	if len(led.Orders) != 10 || sum != book.Counts().Spend {
		t.Errorf("ledger %d orders, %s; journal spend %s", len(led.Orders), sum, book.Counts().Spend)
	}
	// Lowering is allowed and journaled too.
	_, stderr, _ = runCmd(context.Background(), t, vars, append(args, "-max-spend", "100")...)
	if !strings.Contains(stderr, "spending cap lowered: 100.000 yuan, was 196.300 yuan (journaled)") {
		t.Errorf("the lowering is not said:\n%s", stderr)
	}
	stdout, _, _ := runCmd(context.Background(), t, vars, "status", "-journal", jpath, "-lang", "en")
	for _, s := range []string{"spending cap", "100.000 yuan (2 changes after the start)", "committed", "196.300 yuan (confirmed costs", "cap left", "-96.300 yuan"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("status does not say %q:\n%s", s, stdout)
		}
	}
	stdout, _, _ = runCmd(context.Background(), t, vars, "status", "-journal", jpath, "-json")
	for _, s := range []string{`"spend_cap_yuan": "100.000"`, `"committed_yuan": "196.300"`, `"spend_cap_changes": 2`} {
		if !strings.Contains(stdout, s) {
			t.Errorf("status -json does not say %s:\n%s", s, stdout)
		}
	}
}

// Under a cap a pid without a price refuses the start, naming the pid
// and its rows; nothing is sent, nothing written.
func TestRunSpendCapUnpricedPid(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 2, "13900000099,999999,nobody", "13900000098,999999,nobody")
	_, stderr, code := runCmd(context.Background(), t, vars, "run", "-in", in, "-batch", "unpriced", "-out", filepath.Join(dir, "b.xlsx"),
		"-wait", "5s", "-period", "2026-11", "-max-spend", "500")
	if code != ExitInvalid || !strings.Contains(stderr, "the catalogue has none for pid 999999 (rows 4, 5)") {
		t.Fatalf("exit %d, want %d naming pid and rows\n%s", code, ExitInvalid, stderr)
	}
	if n := len(sim.Ledger().Orders); n != 0 {
		t.Errorf("%d charged", n)
	}
}

// A FLOWBATCH_MAX_SPEND left in the environment never raises the cap a
// batch journaled: raising is on purpose, with -max-spend. A resume with
// a higher variable stays capped, sends nothing more, and says so;
// check predicts the same.
func TestSpendCapEnvDoesNotRaise(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{})
	dir := t.TempDir()
	in := subCSV(t, dir, 10)
	args := []string{"run", "-in", in, "-batch", "capenv", "-out", filepath.Join(dir, "b.xlsx"), "-wait", "20s", "-period", "2026-11"}
	if _, stderr, code := runCmd(context.Background(), t, vars, append(args, "-max-spend", "60")...); code != ExitHalted {
		t.Fatalf("capped run: exit %d, want %d\n%s", code, ExitHalted, stderr)
	}
	high := maps.Clone(vars)
	high[envMaxSpend] = "1000"
	jpath := filepath.Join(testWorkspace(t), "capenv.journal")
	stdout, _, code := runCmd(context.Background(), t, high, "check", "-in", in, "-batch", "capenv", "-journal", jpath, "-period", "2026-11")
	if code != ExitHalted {
		t.Errorf("check with %s=1000: exit %d, want %d (the journal's cap of 60)\n%s", envMaxSpend, code, ExitHalted, stdout)
	}
	_, stderr, code := runCmd(context.Background(), t, high, args...)
	if code != ExitHalted || len(sim.Ledger().Orders) != 3 {
		t.Fatalf("resume with %s=1000: exit %d, %d charged; want exit %d, 3 charged\n%s", envMaxSpend, code, len(sim.Ledger().Orders), ExitHalted, stderr)
	}
	if !strings.Contains(stderr, "raising takes -max-spend") {
		t.Errorf("the resume does not say why the variable was not used:\n%s", stderr)
	}
	book, err := batch.LoadBook(context.Background(), jpath)
	if err != nil {
		t.Fatal(err)
	}
	if max, _ := book.SpendCap(); max != 60000 || book.SpendCapChanges() != 0 {
		t.Errorf("journal cap %s, %d changes; want 60.000, none", max, book.SpendCapChanges())
	}
}

// check and run agree at the cap's edges: an estimate exactly the cap
// fits (check ok, run sends every row); a resume lowered below what is
// committed already sends nothing more, and check says so first.
func TestSpendCapEdgesCheckAgrees(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name        string
		first, then string // -max-spend of the first run, and of the resume ("" none)
		code        int    // check's and the resume's exit
		charged     int
	}{
		{"estimate is the cap", "196.3", "", ExitOK, 10},
		{"lowered below the committed", "60", "40", ExitHalted, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sim, vars := subSim(t, juhesim.Config{})
			dir := t.TempDir()
			in := subCSV(t, dir, 10)
			args := []string{"run", "-in", in, "-batch", "edge", "-out", filepath.Join(dir, "b.xlsx"), "-wait", "20s", "-period", "2026-11"}
			check := []string{"check", "-in", in, "-batch", "edge", "-period", "2026-11"}
			if tc.then == "" {
				if stdout, _, code := runCmd(context.Background(), t, vars, append(check, "-max-spend", tc.first)...); code != tc.code {
					t.Errorf("check: exit %d, want %d\n%s", code, tc.code, stdout)
				}
				if _, stderr, code := runCmd(context.Background(), t, vars, append(args, "-max-spend", tc.first)...); code != tc.code {
					t.Errorf("run: exit %d, want %d\n%s", code, tc.code, stderr)
				}
			} else {
				runCmd(context.Background(), t, vars, append(args, "-max-spend", tc.first)...)
				if stdout, _, code := runCmd(context.Background(), t, vars, append(check, "-max-spend", tc.then)...); code != tc.code {
					t.Errorf("check: exit %d, want %d\n%s", code, tc.code, stdout)
				}
				if _, stderr, code := runCmd(context.Background(), t, vars, append(args, "-max-spend", tc.then)...); code != tc.code {
					t.Errorf("resume: exit %d, want %d\n%s", code, tc.code, stderr)
				}
			}
			if n := len(sim.Ledger().Orders); n != tc.charged {
				t.Errorf("%d charged, want %d", n, tc.charged)
			}
		})
	}
}
