package juhe_test

import (
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// BenchmarkStatementPull pulls a month of 100,000 orders from the
// simulator over real HTTP, 100 a page: one op is the whole month.
func BenchmarkStatementPull(b *testing.B) {
	const n = 100_000
	sim := juhesim.NewServer(juhesim.Config{Key: testKey, OpenID: testOpenID, SettleDelay: -1, SuccessRatio: 1, Balance: 1 << 50})
	defer sim.Close()
	start, end := juhe.MonthOf(time.Date(2026, 11, 1, 0, 0, 0, 0, juhe.Beijing))
	step := end.Sub(start) / n
	for i := range n {
		if _, err := sim.Charge(juhesim.ChargeRequest{Phone: "13800138000", Pid: "105001", At: start.Add(time.Duration(i) * step)}); err != nil {
			b.Fatal(err)
		}
	}
	c, err := juhe.NewClient(juhe.Config{BaseURL: sim.URL, Key: testKey, OpenID: testOpenID})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	requests := 0
	for range b.N {
		got := 0
		for page := 1; ; page++ {
			p, r := c.OrdersByDate(b.Context(), start, end, page, juhe.MaxStatementPage)
			requests++
			if r.Status != juhe.ReplyOK {
				b.Fatalf("page %d: %v", page, r)
			}
			if len(p.Orders) == 0 {
				break
			}
			got += len(p.Orders)
		}
		if got != n {
			b.Fatalf("%d orders, want %d", got, n)
		}
	}
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
}
