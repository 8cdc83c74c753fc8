package statement

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// BenchmarkStatementPullToFile pulls a month of 100,000 orders from the
// simulator over real HTTP into a statement file (one fsync a page) and
// reads it back: one op is the whole month. The limiter is set out of the
// way (1,000/s): at a real -rate the pull takes requests ÷ rate. It
// reports the requests, the file's size, and the peak RSS of the pull and
// the read over the process's resident set before it (Linux; 0
// elsewhere), the simulator's 100,000 orders already in memory.
func BenchmarkStatementPullToFile(b *testing.B) {
	const n = 100_000
	sim, c := simClient(b, juhesim.Config{SuccessRatio: 1})
	start, end := juhe.MonthOf(time.Date(2026, 11, 1, 0, 0, 0, 0, juhe.Beijing))
	step := end.Sub(start) / n
	for i := range n {
		if _, err := sim.Charge(juhesim.ChargeRequest{Phone: "13800138000", Pid: "105001", At: start.Add(time.Duration(i) * step)}); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	base := resetPeakRSS()
	b.ResetTimer()
	requests, size := 0, int64(0)
	for i := range b.N {
		path := filepath.Join(dir, "b"+strconv.Itoa(i)+".journal.statement")
		rep, err := Pull(context.Background(), c, path, Periods(start, end), PullOptions{BatchID: "B", Account: "JH", Limiter: batch.NewLimiter(1000)})
		if err != nil || rep.Whole != 1 || rep.Lines != n {
			b.Fatalf("pull: %v %+v", err, rep)
		}
		requests += rep.Requests
		st, err := Read(context.Background(), path)
		if err != nil || len(st.Periods[0].Lines) != n {
			b.Fatalf("read: %v", err)
		}
		fi, _ := os.Stat(path)
		size = fi.Size()
	}
	b.StopTimer()
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(size)/(1<<20), "file-MiB")
	if peak := peakRSS(); peak > 0 && base > 0 {
		b.ReportMetric(float64(peak-base)/(1<<20), "peak-RSS-over-base-MiB")
		b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
	}
}

// resetPeakRSS resets the kernel's peak resident set of this process
// (Linux) and returns the resident set now, in bytes; 0 when unknown.
func resetPeakRSS() int64 {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return procStatus("VmRSS:")
}

// peakRSS is the peak resident set since the last reset, in bytes.
func peakRSS() int64 { return procStatus("VmHWM:") }

func procStatus(key string) int64 {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(raw), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == key {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}
