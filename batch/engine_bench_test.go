package batch

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// benchSubmitRate submits n rows at limit requests/s against the
// simulator (2–5 ms answers) and reports the achieved rate, the ratio to
// the limit, and the most submits the simulator saw charged in any
// sliding one-second window (its own clock, nanoseconds): the limit must
// hold, with no burst past it. Run it with -benchtime 1x.
func benchSubmitRate(b *testing.B, limit float64, n int) {
	for range b.N {
		sim := engSim(b, juhesim.Config{Faults: juhesim.Faults{Latency: 1, LatencyMin: 2 * time.Millisecond, LatencyMax: 5 * time.Millisecond}})
		_, j, book := engPlan(b, n)
		e := NewEngine(j, book, engClient(b, sim.URL, engKey, engOpenID), EngineOptions{Rate: limit})
		res, err := e.Submit(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		j.Close()
		if res.Submits != int64(n) {
			b.Fatalf("%d submits, want %d", res.Submits, n)
		}
		achieved := float64(res.Submits) / res.Duration.Seconds()
		b.ReportMetric(achieved, "req/s")
		b.ReportMetric(achieved/limit, "achieved/limit")
		b.ReportMetric(float64(maxInWindow(chargeTimes(sim), time.Second)), "max-req/1s")
	}
}

// chargeTimes returns when the simulator charged each order, sorted.
func chargeTimes(sim *juhesim.Server) []time.Time {
	l := sim.Ledger()
	ts := make([]time.Time, len(l.Orders))
	for i, o := range l.Orders {
		ts[i] = o.ChargedAt
	}
	slices.SortFunc(ts, func(a, b time.Time) int { return a.Compare(b) })
	return ts
}

// maxInWindow is the most of the sorted times in any half-open window
// [t, t+w).
func maxInWindow(ts []time.Time, w time.Duration) int {
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j].Before(ts[i].Add(w)) {
			j++
		}
		best = max(best, j-i)
	}
	return best
}

func TestMaxInWindow(t *testing.T) {
	t0 := time.Unix(1700000000, 0)
	at := func(ms ...int) []time.Time {
		var ts []time.Time
		for _, m := range ms {
			ts = append(ts, t0.Add(time.Duration(m)*time.Millisecond))
		}
		return ts
	}
	for _, tc := range []struct {
		name string
		ts   []time.Time
		want int
	}{
		{"none", nil, 0},
		{"one", at(0), 1},
		{"edge excluded", at(0, 1000), 1},
		{"edge included", at(0, 999), 2},
		{"burst later", at(0, 500, 1200, 1300, 1400, 1499), 5},
		{"spread", at(0, 1000, 2000, 3000), 1},
	} {
		if got := maxInWindow(tc.ts, time.Second); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

// BenchmarkSubmitRate100Window is BenchmarkSubmitRate100 (1,500 rows at
// -rate 100) with the window check.
func BenchmarkSubmitRate100Window(b *testing.B) { benchSubmitRate(b, 100, 1500) }

// BenchmarkSubmitRate400 is 6,000 rows at -rate 400: 15 s, as long as
// the 100 case, so the window check sees as many windows.
func BenchmarkSubmitRate400(b *testing.B) { benchSubmitRate(b, 400, 6000) }

// BenchmarkSubmitCapacity is the baseline: 1,500 rows with the limit
// out of the way (a million per second), to show how far above the
// limits the engine, the journal and the simulator could go on this
// machine, so the limiter and not the machine is what sets the rate.
func BenchmarkSubmitCapacity(b *testing.B) { benchSubmitRate(b, 1e6, 1500) }
