package main

import (
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// run against a provider whose lookup and duplicate check lag, killed with
// SIGKILL at random moments, some of them between an intent and its
// request and some during the grace wait: every row is charged exactly
// once. The resume counts a killed attempt's grace from its intent plus
// the client's timeout. Replay with FLOWBATCH_SEED.
func TestCrashWithALaggingProvider(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	seed := seedFromEnv(t)
	t.Logf("seed %d (replay with FLOWBATCH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x1a6))
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, Seed: int64(seed),
		SettleDelay: 200 * time.Millisecond, SuccessRatio: 0.9,
		Faults: juhesim.Faults{Lag: 700 * time.Millisecond, DropAfterCharge: 0.2, HTML502Before: 0.05,
			Latency: 0.3, LatencyMin: 5 * time.Millisecond, LatencyMax: 100 * time.Millisecond}})
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	rows := writeE2EInput(t, in, 120, rng)
	journal := filepath.Join(dir, "lagcrash.journal")
	out := filepath.Join(dir, "lagcrash.xlsx")
	args := []string{"run", "-in", in, "-batch", "lagcrash", "-journal", journal, "-out", out,
		"-lang", "en", "-rate", "100", "-wait", "60s", "-skip-invalid", "-resubmit-grace", "1s"}
	kills := 0
	for i := 0; i < 8; i++ {
		res := runProc(t, bin, sim.URL, time.Duration(50+rng.IntN(2500))*time.Millisecond, args...)
		if res.killed {
			kills++
			continue
		}
		if res.code != ExitOK && res.code != ExitOpen {
			t.Fatalf("run %d exited %d:\n%s", i+1, res.code, joinOutput(res))
		}
	}
	t.Logf("killed %d of 8 runs", kills)
	var final procResult
	for i := 0; i < 3; i++ {
		if final = runProc(t, bin, sim.URL, 0, args...); final.code == ExitOK {
			break
		}
	}
	if final.code != ExitOK {
		t.Fatalf("final run exited %d:\n%s", final.code, joinOutput(final))
	}
	charged := assertLedgerMatches(t, "lagcrash", rows, sim.Ledger())
	assertWorkbookMatchesLedger(t, out, rows, charged)
	if v := runProc(t, bin, sim.URL, 0, "verify", "-journal", journal); v.code != ExitOK {
		t.Errorf("verify exited %d: %s", v.code, joinOutput(v))
	}
}
