package journal

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

func benchJournal(b *testing.B) *Journal {
	path := filepath.Join(b.TempDir(), "bench.journal")
	j, _, err := Create(context.Background(), path, Header{BatchID: "BENCH"})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { j.Close() })
	return j
}

// BenchmarkJournalAppendParallel: intents appended from 128 goroutines,
// each Append waiting for its fsync (group commit).
func BenchmarkJournalAppendParallel(b *testing.B) {
	j := benchJournal(b)
	var n atomic.Int64
	b.SetParallelism(max(1, 128/max(1, runtimeProcs())))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		ctx := context.Background()
		for pb.Next() {
			i := n.Add(1)
			r := &Record{Type: RecIntent, At: i, Intent: &Intent{OrderID: fmt.Sprintf("FB%020d", i), Attempt: 1}}
			if err := j.Append(ctx, r); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "intents/s")
}

// BenchmarkJournalAppendSerial: one goroutine, one fsync per intent.
func BenchmarkJournalAppendSerial(b *testing.B) {
	j := benchJournal(b)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := &Record{Type: RecIntent, At: int64(i), Intent: &Intent{OrderID: fmt.Sprintf("FB%020d", i), Attempt: 1}}
		if err := j.Append(ctx, r); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "intents/s")
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
