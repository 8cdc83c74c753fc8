package batch

import (
	"bufio"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// writeBigJournal writes a settled journal of n orders: a row, an intent,
// a submit and a query each (4n+3 records), without fsync.
func writeBigJournal(tb testing.TB, path string, n int) {
	ctx := context.Background()
	j, _, err := journal.Create(ctx, path, journal.Header{BatchID: "BIG", ToolVersion: "bench"})
	if err != nil {
		tb.Fatal(err)
	}
	defer j.Close()
	const chunk = 20000
	recs := make([]*journal.Record, 0, chunk)
	flush := func() {
		if err := j.Append(ctx, recs...); err != nil {
			tb.Fatal(err)
		}
		recs = recs[:0]
	}
	add := func(r *journal.Record) {
		r.At = 1767225600000
		recs = append(recs, r)
		if len(recs) == chunk {
			flush()
		}
	}
	oids := make([]string, n) // real orderids: 32 hex digits
	for i := range oids {
		oids[i] = input.OrderID("BIG", fmt.Sprintf("159%08d", i), fmt.Sprint(10+i%5), 1)
	}
	oid := func(i int) string { return oids[i] }
	add(&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "big.xlsx", SHA256: fmt.Sprintf("%064d", 7), Rows: n, Format: "xlsx", Extra: []string{"name", "dept"}}})
	for i := 0; i < n; i++ {
		add(&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: i + 2, Phone: fmt.Sprintf("159%08d", i), Pid: fmt.Sprint(10 + i%5), OrderID: oid(i), Occurrence: 1, Status: journal.RowValid, Extra: []string{"张三", "财务部"}}})
	}
	add(&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: n}})
	for i := 0; i < n; i++ {
		add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: oid(i), Attempt: 1}})
	}
	for i := 0; i < n; i++ {
		add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: oid(i), Class: juhe.ClassAccepted, Reason: "成功", SporderID: fmt.Sprintf("J%019d", i), Cost: 19630, HasCost: true}, CardName: "移动100M"}})
	}
	for i := 0; i < n; i++ {
		st := juhe.StateSuccess
		if i%50 == 0 {
			st = juhe.StateFailed
		}
		add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: oid(i), Class: juhe.ClassAccepted, SporderID: fmt.Sprintf("J%019d", i), Cost: 19630, HasCost: true}, State: st}})
	}
	flush()
}

// bigJournal returns a 1,000,000-order journal (4,000,003 records, about
// 900 MB). FLOWBATCH_BENCH_JOURNAL=PATH keeps it there and reuses it
// (for measuring `flowbatch status` on it too); otherwise it is written
// into the benchmark's temporary directory, which takes a while.
func bigJournal(b *testing.B) string {
	if testing.Short() {
		b.Skip("writes a 900 MB journal")
	}
	path := os.Getenv("FLOWBATCH_BENCH_JOURNAL")
	if path == "" {
		path = filepath.Join(b.TempDir(), "big.journal")
	}
	if _, err := os.Stat(path); err != nil {
		start := time.Now()
		writeBigJournal(b, path, 1_000_000)
		b.Logf("wrote %s in %v", path, time.Since(start))
	}
	return path
}

// readAndHash is the floor a replay is measured against: read the file
// line by line through a 1 MiB buffer and chain a sha256 over each line,
// doing nothing else.
func readAndHash(b *testing.B, path string) time.Duration {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	h := sha256.New()
	var sum [32]byte
	for {
		line, err := br.ReadSlice('\n')
		if len(line) > 0 {
			h.Reset()
			h.Write(sum[:])
			h.Write(line)
			h.Sum(sum[:0])
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// replayBench times replay of the 1M-order journal and reports, next to
// it, readAndHash over the same file in the same run (baseline-s) and the
// ratio (x-baseline), so that figures from a busy machine compare.
func replayBench(b *testing.B, replay func(path string) *Book) {
	path := bigJournal(b)
	base := readAndHash(b, path) // also warms the page cache
	if d := readAndHash(b, path); d < base {
		base = d
	}
	b.ResetTimer()
	var best time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		bk := replay(path)
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
		if t := bk.Counts(); t.Rows != 1_000_000 || t.ByStatus[StatusSuccess] != 980_000 {
			b.Fatalf("counts %+v", t)
		}
	}
	b.StopTimer()
	b.ReportMetric(base.Seconds(), "baseline-s")
	b.ReportMetric(best.Seconds()/base.Seconds(), "x-baseline")
}

// BenchmarkLoadBook1M: LoadBook (what status and reconcile do) of a
// 1,000,000-order journal.
func BenchmarkLoadBook1M(b *testing.B) {
	replayBench(b, func(path string) *Book {
		bk, err := LoadBook(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		return bk
	})
}

// BenchmarkOpenJournal1M: OpenJournal (what a resume does: lock, replay,
// ready to append) of a 1,000,000-order journal.
func BenchmarkOpenJournal1M(b *testing.B) {
	replayBench(b, func(path string) *Book {
		j, bk, err := OpenJournal(context.Background(), path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if err := j.Close(); err != nil {
			b.Fatal(err)
		}
		return bk
	})
}
