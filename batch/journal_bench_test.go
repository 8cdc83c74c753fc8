package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

func benchJournal(b *testing.B) *Journal {
	path := filepath.Join(b.TempDir(), "bench.journal")
	j, _, err := CreateJournal(context.Background(), path, Header{BatchID: "BENCH"})
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

// writeBigJournal writes a settled journal of n orders: a row, an intent,
// a submit and a query each (4n+3 records), without fsync.
func writeBigJournal(tb testing.TB, path string, n int) {
	ctx := context.Background()
	j, _, err := createJournal(ctx, path, Header{BatchID: "BIG", ToolVersion: "bench"}, true)
	if err != nil {
		tb.Fatal(err)
	}
	defer j.Close()
	const chunk = 20000
	recs := make([]*Record, 0, chunk)
	flush := func() {
		if err := j.Append(ctx, recs...); err != nil {
			tb.Fatal(err)
		}
		recs = recs[:0]
	}
	add := func(r *Record) {
		r.At = 1767225600000
		recs = append(recs, r)
		if len(recs) == chunk {
			flush()
		}
	}
	oid := func(i int) string { return fmt.Sprintf("FB%014dX%07d", 42, i) }
	add(&Record{Type: RecInput, Input: &InputInfo{Name: "big.xlsx", SHA256: fmt.Sprintf("%064d", 7), Rows: n, Format: "xlsx", Extra: []string{"name", "dept"}}})
	for i := 0; i < n; i++ {
		add(&Record{Type: RecRow, Row: &RowRecord{Line: i + 2, Phone: fmt.Sprintf("159%08d", i), Pid: fmt.Sprint(10 + i%5), OrderID: oid(i), Occurrence: 1, Status: RowValid, Extra: []string{"张三", "财务部"}}})
	}
	add(&Record{Type: RecPlanned, Planned: &Planned{Rows: n}})
	for i := 0; i < n; i++ {
		add(&Record{Type: RecIntent, Intent: &Intent{OrderID: oid(i), Attempt: 1}})
	}
	for i := 0; i < n; i++ {
		add(&Record{Type: RecSubmit, Submit: &SubmitResult{OrderID: oid(i), Class: juhe.ClassAccepted, Reason: "成功", SporderID: fmt.Sprintf("J%019d", i), Cost: 19630, HasCost: true, CardName: "移动100M"}})
	}
	for i := 0; i < n; i++ {
		st := juhe.StateSuccess
		if i%50 == 0 {
			st = juhe.StateFailed
		}
		add(&Record{Type: RecQuery, Query: &QueryResult{OrderID: oid(i), Class: juhe.ClassAccepted, SporderID: fmt.Sprintf("J%019d", i), State: st, Cost: 19630, HasCost: true}})
	}
	flush()
}

// BenchmarkLoadBook1M replays a 1,000,000-order journal (4,000,003
// records). FLOWBATCH_BENCH_JOURNAL=PATH keeps the journal there (and
// reuses it) for measuring `flowbatch status` on it.
func BenchmarkLoadBook1M(b *testing.B) {
	path := os.Getenv("FLOWBATCH_BENCH_JOURNAL")
	if path == "" {
		path = filepath.Join(b.TempDir(), "big.journal")
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		writeBigJournal(b, path, 1_000_000)
		b.Logf("wrote %s in %v", path, time.Since(start))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		bk, err := LoadBook(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		if t := bk.Counts(); t.Rows != 1_000_000 || t.ByStatus[StatusSuccess] != 980_000 {
			b.Fatalf("counts %+v", t)
		}
	}
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }
