package juhesim

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// fill charges n orders through the handler, without HTTP.
func fill(b *testing.B, s *Server, n int) {
	h := s.Handler()
	for i := range n {
		oid := fmt.Sprintf("FILL%012d", i)
		phone := fmt.Sprintf("138%08d", i%100000000)
		f := url.Values{"key": {testKey}, "phone": {phone}, "pid": {"105000"}, "orderid": {oid},
			"sign": {juhe.Sign(testOpenID, testKey, phone, "105000", oid)}}
		req := httptest.NewRequest(http.MethodPost, "/flow/onlineorder", strings.NewReader(f.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if !strings.Contains(w.Body.String(), `"error_code":0`) {
			b.Fatalf("fill %d: %s", i, w.Body)
		}
	}
}

// BenchmarkSubmitMillionLedger measures submits over real HTTP with a
// million orders already in the ledger (settling, with a short delay), and
// reports the heap each ledger order costs.
func BenchmarkSubmitMillionLedger(b *testing.B) {
	s := NewServer(Config{Key: testKey, OpenID: testOpenID, SettleDelay: 10 * time.Millisecond, Balance: 1 << 50})
	defer s.Close()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	const n = 1_000_000
	start := time.Now()
	fill(b, s, n)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	filled := time.Since(start)

	var seq atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c := &http.Client{}
		for pb.Next() {
			i := seq.Add(1)
			oid := fmt.Sprintf("BENCH%012d", i)
			f := url.Values{"key": {testKey}, "phone": {"13900000000"}, "pid": {"105000"}, "orderid": {oid},
				"sign": {juhe.Sign(testOpenID, testKey, "13900000000", "105000", oid)}}
			resp, err := c.PostForm(s.URL+"/flow/onlineorder", f)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "heapB/order")
	b.ReportMetric(float64(filled.Nanoseconds())/n, "fill-ns/order")
	if got := s.Ledger().Count; got != n+int(seq.Load()) {
		b.Errorf("ledger has %d orders, want %d", got, n+int(seq.Load()))
	}
}
