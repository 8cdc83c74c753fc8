package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
)

// BenchmarkWrite writes the workbook for the journal named by
// FLOWBATCH_BENCH_JOURNAL (make one with
// `go run ./reconcile/testdata/gen/main.go -n 200000 -out /tmp/mid.journal`).
// The journal is loaded once, outside the timer: this measures Write.
func BenchmarkWrite(b *testing.B) {
	path := os.Getenv("FLOWBATCH_BENCH_JOURNAL")
	if path == "" {
		b.Skip("set FLOWBATCH_BENCH_JOURNAL to a journal (see the comment)")
	}
	ctx := context.Background()
	book, err := batch.LoadBook(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "bench.xlsx")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if _, err := Write(ctx, book, out, Options{Lang: "en"}); err != nil {
			b.Fatal(err)
		}
	}
}
