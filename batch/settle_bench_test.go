package batch

import (
	"context"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// benchSettle submits and settles n rows at -rate 100 against the
// simulator (settle delay 3 s, every order a success, 2–5 ms answers),
// until every order is final, and reports the provider requests per
// order and the wall time against its floor: rows ÷ rate + the settle
// delay. Run it with -benchtime 1x.
func benchSettle(b *testing.B, n int, denied bool, opts EngineOptions) {
	const settle = 3 * time.Second
	for range b.N {
		sim := engSim(b, juhesim.Config{SettleDelay: settle, SuccessRatio: 1, AccountDenied: denied,
			Faults: juhesim.Faults{Latency: 1, LatencyMin: 2 * time.Millisecond, LatencyMax: 5 * time.Millisecond}})
		_, j, book := engPlan(b, n)
		opts.Rate = 100
		e := NewEngine(j, book, engClient(b, sim.URL, engKey, engOpenID), opts)
		ctx := context.Background()
		start := time.Now()
		sub, err := e.Submit(ctx)
		if err != nil {
			b.Fatal(err)
		}
		res, err := e.Settle(ctx, 10*time.Minute)
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		j.Close()
		if res.Open() != 0 {
			b.Fatalf("%d rows open", res.Open())
		}
		floor := time.Duration(float64(n)/opts.Rate*float64(time.Second)) + settle
		b.ReportMetric(float64(sub.Requests()+res.Requests())/float64(n), "req/order")
		b.ReportMetric(float64(sub.Submits+res.Submits), "submits")
		b.ReportMetric(float64(sub.Queries+res.Queries), "queries")
		b.ReportMetric(wall.Seconds(), "wall-s")
		b.ReportMetric(floor.Seconds(), "floor-s")
		b.ReportMetric(wall.Seconds()/floor.Seconds(), "wall/floor")
	}
}

// BenchmarkSettle1500Batch: flow/batchquery answers; the first query of
// an order waits the settle delay (3 s); the other settings are the
// defaults (interval 1m).
func BenchmarkSettle1500Batch(b *testing.B) {
	benchSettle(b, 1500, false, EngineOptions{FirstQueryDelay: 3 * time.Second})
}

// BenchmarkSettle1500Ordersta: the same with flow/batchquery refused
// (10002): the ordersta fallback.
func BenchmarkSettle1500Ordersta(b *testing.B) {
	benchSettle(b, 1500, true, EngineOptions{FirstQueryDelay: 3 * time.Second})
}

// BenchmarkSettle1500Before is the baseline, settling as before
// batchquery and the polite delays: ordersta alone, every open order
// queried as soon as Settle starts, then on its backoff (2 s rising).
func BenchmarkSettle1500Before(b *testing.B) {
	benchSettle(b, 1500, true, EngineOptions{FirstQueryDelay: -1, QueryInterval: -1})
}
