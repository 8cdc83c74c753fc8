package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkConsoleState is what the Watch page and the Batches page pay
// every second: the state of one batch, for the journal named by
// FLOWBATCH_BENCH_JOURNAL (make one with
// `go run ./reconcile/testdata/gen/main.go -n 100000 -out /tmp/100k.journal`).
func BenchmarkConsoleState(b *testing.B) {
	src := os.Getenv("FLOWBATCH_BENCH_JOURNAL")
	if src == "" {
		b.Skip("set FLOWBATCH_BENCH_JOURNAL to a journal (see the comment)")
	}
	ws := b.TempDir()
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, "BENCH.journal"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	c, err := newConsole(ctx, &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}, ws, "", 1<<20, false)
	if err != nil {
		b.Fatal(err)
	}
	if s := c.state(ctx, "BENCH", "zh"); !s.Exists || s.Rows == 0 {
		b.Fatalf("the journal did not load: %+v", s)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		c.state(ctx, "BENCH", "zh")
	}
}
