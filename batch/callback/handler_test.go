package callback

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

const cbKey = "SECRETKEY123"

func cbVerifier(t testing.TB) *juhe.Client {
	t.Helper()
	c, err := juhe.NewClient(juhe.Config{Key: cbKey, OpenID: "OPENIDSECRET"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// cbForm is a callback as the provider sends it, signed with key.
func cbForm(key, orderID, sporderID, sta string) url.Values {
	return url.Values{
		"orderid":    {orderID},
		"sporder_id": {sporderID},
		"sta":        {sta},
		"sign":       {juhe.CallbackSign(key, sporderID, orderID)},
	}
}

// cbMemStore is an in-memory Known/Seen/Record; the journal-backed one is
// tested in callback_journal_test.go.
type cbMemStore struct {
	known map[string]bool

	mu      sync.Mutex
	recs    []journal.CallbackNote
	fail    error
	notices []string
}

func (s *cbMemStore) options(v verifier, logf func(string, ...any)) Options {
	return Options{
		Verifier: v,
		Known:    func(id string) bool { return s.known[id] },
		Seen: func(n *journal.CallbackNote) bool {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, r := range s.recs {
				if r.OrderID == n.OrderID && r.SporderID == n.SporderID && r.State == n.State {
					return true
				}
			}
			return false
		},
		Record: func(ctx context.Context, n *journal.CallbackNote) error {
			runtime.Gosched() // widen the window a missing lock would leave
			s.mu.Lock()
			defer s.mu.Unlock()
			if s.fail != nil {
				return s.fail
			}
			s.recs = append(s.recs, *n)
			return nil
		},
		Notify: func(id string) {
			s.mu.Lock()
			s.notices = append(s.notices, id)
			s.mu.Unlock()
		},
		Logf: logf,
	}
}

func (s *cbMemStore) snapshot() ([]journal.CallbackNote, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]journal.CallbackNote(nil), s.recs...), append([]string(nil), s.notices...)
}

func (s *cbMemStore) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs)
}

// cbLogSink collects log lines safely.
type cbLogSink struct {
	mu    sync.Mutex
	lines []string
}

func (l *cbLogSink) logf(format string, a ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(format, a...))
	l.mu.Unlock()
}

func (l *cbLogSink) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *cbLogSink) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.lines)
}

const (
	cbOrderA = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
	cbOrderB = "0f9e8d7c6b5a49382716f5e4d3c2b1a0"
	cbSpA    = "J2407051236293901"
	cbSpB    = "J2407051236293902"
)

func newCBMemServer(t *testing.T) (*cbMemStore, *cbLogSink, *httptest.Server) {
	t.Helper()
	st := &cbMemStore{known: map[string]bool{cbOrderA: true, cbOrderB: true}}
	logs := &cbLogSink{}
	srv := httptest.NewServer(NewHandler(st.options(cbVerifier(t), logs.logf)))
	t.Cleanup(srv.Close)
	return st, logs, srv
}

// cbSend delivers form by GET (query) or POST (form body) and returns the
// status and body.
func cbSend(t testing.TB, base, method string, form url.Values) (int, string) {
	t.Helper()
	var req *http.Request
	var err error
	switch method {
	case http.MethodPost:
		req, err = http.NewRequest(method, base+"/", strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	default:
		req, err = http.NewRequest(method, base+"/?"+form.Encode(), nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s callback: %v", method, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func TestCallbackGoodRecordedOnce(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			st, logs, srv := newCBMemServer(t)
			form := cbForm(cbKey, cbOrderA, cbSpA, "1")
			form.Set("err_msg", "ok")
			for i := 0; i < 3; i++ { // the first is new, the rest are replays
				code, body := cbSend(t, srv.URL, method, form)
				if code != http.StatusOK || body != "success" {
					t.Fatalf("attempt %d: got %d %q, want 200 success", i, code, body)
				}
			}
			if st.count() != 1 {
				t.Fatalf("recorded %d times, want once", st.count())
			}
			recs, notices := st.snapshot()
			want := journal.CallbackNote{OrderID: cbOrderA, SporderID: cbSpA, State: juhe.StateSuccess, ErrMsg: "ok"}
			if recs[0] != want {
				t.Errorf("recorded %+v, want %+v", recs[0], want)
			}
			if len(notices) != 1 || notices[0] != cbOrderA {
				t.Errorf("notified %v, want once for %s", notices, cbOrderA)
			}
			if logs.len() != 0 {
				t.Errorf("good callbacks logged: %s", logs)
			}
			// A failed state for the same order is news (a disagreement).
			if code, _ := cbSend(t, srv.URL, method, cbForm(cbKey, cbOrderA, cbSpA, "9")); code != http.StatusOK {
				t.Fatalf("sta=9 after sta=1: %d", code)
			}
			if st.count() != 2 {
				t.Fatalf("recorded %d, want 2", st.count())
			}
		})
	}
}

func TestCallbackConcurrentIdentical(t *testing.T) {
	st, _, srv := newCBMemServer(t)
	form := cbForm(cbKey, cbOrderB, cbSpB, "9")
	var wg sync.WaitGroup
	errs := make(chan string, 20)
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			method := http.MethodGet
			if i%2 == 1 {
				method = http.MethodPost
			}
			if code, body := cbSend(t, srv.URL, method, form); code != 200 || body != "success" {
				errs <- fmt.Sprintf("%d %q", code, body)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent callback answered %s", e)
	}
	if st.count() != 1 {
		t.Fatalf("20 identical callbacks recorded %d times, want once", st.count())
	}
}

func TestCallbackRefused(t *testing.T) {
	good := func() url.Values { return cbForm(cbKey, cbOrderA, cbSpA, "1") }
	without := func(f string) url.Values { v := good(); v.Del(f); return v }
	tests := []struct {
		name   string
		method string
		form   url.Values
		code   int
	}{
		{"forged sign", "GET", func() url.Values {
			v := good()
			v.Set("sign", juhe.CallbackSign("WRONGKEY", cbSpA, cbOrderA))
			return v
		}(), 403},
		{"sign of another order", "POST", func() url.Values { v := good(); v.Set("sign", juhe.CallbackSign(cbKey, cbSpB, cbOrderB)); return v }(), 403},
		{"sign of another sporder", "GET", func() url.Values { v := good(); v.Set("sporder_id", cbSpB); return v }(), 403},
		{"no sign", "GET", without("sign"), 403},
		{"no orderid", "POST", without("orderid"), 403},
		{"no sporder_id", "GET", without("sporder_id"), 403},
		{"no sta", "GET", without("sta"), 403},
		{"empty", "GET", url.Values{}, 403},
		{"sta 5", "GET", cbForm(cbKey, cbOrderA, cbSpA, "5"), 403},
		{"sta 0", "POST", cbForm(cbKey, cbOrderA, cbSpA, "0"), 403},
		{"unknown orderid", "GET", cbForm(cbKey, "ffffffffffffffffffffffffffffffff", cbSpA, "1"), 403},
		{"repeated orderid", "GET", func() url.Values { v := good(); v.Add("orderid", cbOrderB); return v }(), 403},
		{"repeated sta", "POST", func() url.Values { v := good(); v.Add("sta", "9"); return v }(), 403},
		{"PUT", "PUT", good(), 405},
		{"DELETE", "DELETE", good(), 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st, logs, srv := newCBMemServer(t)
			code, body := cbSend(t, srv.URL, tc.method, tc.form)
			if code != tc.code {
				t.Fatalf("got %d %q, want %d", code, body, tc.code)
			}
			if tc.code == 403 && body != "forbidden" {
				t.Errorf("body %q, want forbidden", body)
			}
			if recs, _ := st.snapshot(); len(recs) != 0 {
				t.Fatalf("refused callback recorded: %+v", recs)
			}
			if tc.code == 403 && logs.len() != 1 {
				t.Errorf("want exactly one log line, got %q", logs)
			}
			if s := logs.String(); strings.Contains(s, cbKey) || (tc.form.Get("sign") != "" && strings.Contains(s, tc.form.Get("sign"))) {
				t.Errorf("log holds the key or the sign: %s", s)
			}
			if strings.Contains(body, cbKey) {
				t.Errorf("response holds the key")
			}
		})
	}
}

func TestCallbackOversizedBody(t *testing.T) {
	st, logs, srv := newCBMemServer(t)
	big := cbForm(cbKey, cbOrderA, cbSpA, "1")
	big.Set("err_msg", strings.Repeat("x", 1<<20))
	code, _ := cbSend(t, srv.URL, http.MethodPost, big)
	if code != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 MiB body: got %d, want 413", code)
	}
	// Without a Content-Length the limit still holds.
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", io.MultiReader(strings.NewReader(big.Encode())))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.ContentLength = -1
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("chunked 1 MiB body: got %d, want 413", resp.StatusCode)
	}
	if st.count() != 0 {
		t.Fatalf("oversized callback recorded")
	}
	if logs.len() != 2 {
		t.Errorf("want two log lines, got %q", logs)
	}
	if code, body := cbSend(t, srv.URL, http.MethodPost, cbForm(cbKey, cbOrderA, cbSpA, "1")); code != 200 || body != "success" {
		t.Fatalf("after an oversized body, a good callback got %d %q", code, body)
	}
	if st.count() != 1 {
		t.Fatalf("recorded %d, want 1", st.count())
	}
}

func TestCallbackRecordFailureIs500(t *testing.T) {
	st, logs, srv := newCBMemServer(t)
	st.fail = errors.New("disk full")
	form := cbForm(cbKey, cbOrderA, cbSpA, "1")
	if code, _ := cbSend(t, srv.URL, http.MethodGet, form); code != http.StatusInternalServerError {
		t.Fatalf("failed record answered %d, want 500 so the provider retries", code)
	}
	if !strings.Contains(logs.String(), "disk full") {
		t.Errorf("failure not logged: %q", logs)
	}
	st.mu.Lock()
	st.fail = nil
	st.mu.Unlock()
	if code, _ := cbSend(t, srv.URL, http.MethodGet, form); code != http.StatusOK {
		t.Fatalf("retry answered %d", code)
	}
	if st.count() != 1 {
		t.Fatalf("recorded %d, want 1", st.count())
	}
}

// A slow client that dribbles header bytes is cut off after
// ReadHeaderTimeout, and others are served meanwhile.
func TestCallbackSlowClient(t *testing.T) {
	st := &cbMemStore{known: map[string]bool{cbOrderA: true}}
	srv := NewServer("127.0.0.1:0", NewHandler(st.options(cbVerifier(t), nil)))
	srv.ReadHeaderTimeout = 200 * time.Millisecond
	srv.ReadTimeout = 400 * time.Millisecond
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, srv, ln) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()

	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	start := time.Now()
	closed := make(chan time.Duration, 1)
	go func() {
		// The server answers 408 or just closes; either way the read ends.
		io.Copy(io.Discard, bufio.NewReader(conn))
		closed <- time.Since(start)
	}()
	dribble := "GET /?orderid=" + cbOrderA + " HTTP/1.1\r\nHost: x\r\nX-Slow: "
	go func() {
		for i := 0; i < len(dribble)+200; i++ {
			b := byte('a')
			if i < len(dribble) {
				b = dribble[i]
			}
			if _, err := conn.Write([]byte{b}); err != nil {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	base := "http://" + ln.Addr().String()
	if code, body := cbSend(t, base, http.MethodGet, cbForm(cbKey, cbOrderA, cbSpA, "1")); code != 200 || body != "success" {
		t.Fatalf("while a slow client dribbles, a good callback got %d %q", code, body)
	}
	select {
	case d := <-closed:
		if d > 2*time.Second {
			t.Errorf("slow client held the connection for %s", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("slow client still connected after 5s; ReadHeaderTimeout is 200ms")
	}
	if st.count() != 1 {
		t.Fatalf("recorded %d, want 1", st.count())
	}
}

func TestNewCallbackServerLimits(t *testing.T) {
	srv := NewServer(":0", http.NotFoundHandler())
	if srv.ReadHeaderTimeout != 5*time.Second || srv.ReadTimeout != 10*time.Second ||
		srv.WriteTimeout != 10*time.Second || srv.IdleTimeout != 60*time.Second || srv.MaxHeaderBytes != 16<<10 {
		t.Fatalf("limits: %+v", srv)
	}
}

func TestCallbackErrMsgBounded(t *testing.T) {
	st, _, srv := newCBMemServer(t)
	form := cbForm(cbKey, cbOrderA, cbSpA, "9")
	form.Set("err_msg", strings.Repeat("失败", 400)) // 2400 bytes, 7200 encoded: under MaxBody
	if code, _ := cbSend(t, srv.URL, http.MethodPost, form); code != 200 {
		t.Fatalf("got %d", code)
	}
	recs, _ := st.snapshot()
	if n := len(recs[0].ErrMsg); n > maxErrMsg {
		t.Fatalf("err_msg journaled with %d bytes, over %d", n, maxErrMsg)
	}
}
