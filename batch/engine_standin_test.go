package batch

// Hostile stand-in providers the simulator does not play: real HTTP, the
// real client, each misbehaving in one way.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// standIn is a provider whose lookup has two replicas behind one address:
// one sees every charge at once, the other never does, and queries
// alternate between them. Its duplicate check is as blind as the second:
// a resubmit charges again. The first submit's answer is lost (HTML 502)
// after the charge.
type standIn struct {
	blindFirst bool // the first query reaches the blind replica
	mu         sync.Mutex
	n          int            // queries so far, for the alternation
	charges    map[string]int // orderid → times charged
	submits    map[string]int
}

func newStandIn(t *testing.T, blindFirst bool) (*standIn, string) {
	s := &standIn{blindFirst: blindFirst, charges: map[string]int{}, submits: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func (s *standIn) answer(w http.ResponseWriter, code int, result any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"reason": "x", "result": result, "error_code": code})
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	oid := r.Form.Get("orderid")
	s.mu.Lock()
	defer s.mu.Unlock()
	switch r.URL.Path {
	case "/flow/onlineorder":
		s.submits[oid]++
		s.charges[oid]++
		if s.submits[oid] == 1 {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>502 Bad Gateway</html>")
			return
		}
		s.answer(w, 0, map[string]string{"orderid": oid, "sporder_id": "SP" + oid[:10], "uordercash": "19.630", "phone": r.Form.Get("phone"), "pid": r.Form.Get("pid")})
	case "/flow/ordersta":
		s.n++
		sees := s.n%2 == 1 != s.blindFirst // the replica that sees every charge
		if s.charges[oid] == 0 || !sees {
			s.answer(w, 210511, nil)
			return
		}
		s.answer(w, 0, map[string]string{"sporder_id": "SP" + oid[:10], "uordercash": "19.630", "game_state": "0"})
	default:
		http.NotFound(w, r)
	}
}

func (s *standIn) charged(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.charges[id]
}

// A query answered with a sporder_id, then 210511 by the confirming query
// (a replica that lags), past the grace: the first answer showed that the
// order exists, so the 210511 is no settled "not found". Before the fix
// the pair was taken as "not found", and the resubmit charged again.
func TestFlappingLookupAfterASporderIDIsNoNotFound(t *testing.T) {
	for _, tc := range []struct {
		name       string
		blindFirst bool
		grace      time.Duration
	}{
		// The first query sees the order; the grace has passed.
		{"seen first", false, time.Millisecond},
		// The first query is blind, within the grace (journaled "not
		// found yet"); the disagreeing pair comes after it.
		{"blind first", true, 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, url := newStandIn(t, tc.blindFirst)
			_, j, book := engPlan(t, 1)
			defer j.Close()
			id := input.OrderID(engBatch, engPhone(0), engPid, 1)
			opts := engFast()
			opts.ResubmitGrace = tc.grace
			e := NewEngine(j, book, engClient(t, url, engKey, engOpenID), opts)
			ctx := context.Background()
			if _, err := e.Submit(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Settle(ctx, 300*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			if n := s.charged(id); n != 1 {
				t.Errorf("charged %d times, want once", n)
			}
			o, _ := book.Order(id)
			if st := o.Status(); st == StatusNotSubmitted {
				t.Errorf("status %s: a charged order reported as not submitted", st)
			}
			if o.Conflict == "" {
				t.Errorf("the answers that disagree are not flagged")
			}
		})
	}
}

// The wall clock jumps an hour forward (an NTP step, a VM resumed) right
// after a lost submit's answer was journaled: the grace period is measured
// on the monotonic clock within a run, so the lagging provider's 210511 is
// still "not found yet". Before, the journal's wall-clock At said the
// grace had long passed, and the resubmit was charged again.
func TestWallClockJumpDoesNotShortenTheGrace(t *testing.T) {
	sim := engSim(t, juhesim.Config{SettleDelay: time.Hour, Faults: juhesim.Faults{Lag: engLag, DropAfterCharge: 1}})
	_, j, book := engPlan(t, 1)
	defer j.Close()
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), engLagging())
	// The first two readings journal the intent and the lost answer;
	// every later one is an hour ahead.
	var reads atomic.Int64
	e.wall = func() time.Time {
		if reads.Add(1) > 2 {
			return time.Now().Add(time.Hour)
		}
		return time.Now()
	}
	res, err := e.Submit(context.Background())
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("Submit: %v, %v", err, res.Totals.ByStatus)
	}
	if c := sim.Requests(); c.Dropped == 0 {
		t.Fatalf("the fault did not bite: %+v", c)
	}
	checkChargedOnce(t, sim, book, 1)
}

// The wall clock jumps an hour back: within a run the grace still ends on
// time, and submit does not sit out the hour.
func TestWallClockJumpBackDoesNotStretchTheGrace(t *testing.T) {
	_, j, book := engPlan(t, 1)
	defer j.Close()
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	// The first submit is lost before it was charged; the second is not.
	var sent atomic.Int64
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		if sent.Add(1) == 1 {
			return scriptUnknown
		}
		return scriptAccepted(r)
	}, func(string) juhe.Outcome {
		if sent.Load() < 2 {
			return juhe.Outcome{Class: juhe.ClassNotFound, Code: 210511, Reason: "订单号错误", State: juhe.StateNone}
		}
		return scriptSuccess(id)
	})
	e := NewEngine(j, book, f, engLagging())
	var reads atomic.Int64
	e.wall = func() time.Time {
		if reads.Add(1) > 2 {
			return time.Now().Add(-time.Hour)
		}
		return time.Now()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatalf("Submit: %v (the grace was stretched by the clock's jump)", err)
	}
	if f.ns(id) != 2 {
		t.Errorf("%d submits, want 2: the one lost before the charge, and the one after the grace", f.ns(id))
	}
}

// A provider that loses every submit's answer and whose lookup never sees
// the order (it lags longer than any grace, or never creates it): the
// bound on resubmits holds across the grace waits. Before, each wait
// started the count again: submit resent the orderid without end, every
// resend a possible charge, and never returned.
func TestResubmitsStayBoundedAcrossGraceWaits(t *testing.T) {
	_, j, book := engPlan(t, 1)
	defer j.Close()
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	f := newScriptedProvider(func(juhe.SubmitRequest) juhe.Outcome { return scriptUnknown }, func(string) juhe.Outcome {
		return juhe.Outcome{Class: juhe.ClassNotFound, Code: 210511, Reason: "订单号错误", State: juhe.StateNone}
	})
	opts := engFast()
	opts.ResubmitGrace = 20 * time.Millisecond
	opts.MaxResubmits = 2
	e := NewEngine(j, book, f, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := e.Submit(ctx); err != nil {
		t.Errorf("Submit: %v", err)
	}
	if n := f.ns(id); n != 1+opts.MaxResubmits {
		t.Errorf("%d submits, want %d: the first and MaxResubmits more", n, 1+opts.MaxResubmits)
	}
}

// After a crash the grace is counted from the time by which a killed
// attempt must have ended, reckoned from its intent. At a low rate with
// many workers, intents written together waited for their permits for
// seconds after the fsync, unbounded: a request could leave, and be
// charged, long after the intent's time plus the client's timeout, the
// time the resume counted from. Now a request leaves within the timeout
// of its intent, or is not sent and the order gets a fresh intent.
func TestARequestLeavesSoonAfterItsIntent(t *testing.T) {
	const n = 8
	_, j, book := engPlan(t, n)
	defer j.Close()
	var mu sync.Mutex
	arrived := map[string][]time.Time{}
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		mu.Lock()
		arrived[r.OrderID] = append(arrived[r.OrderID], time.Now())
		mu.Unlock()
		return scriptAccepted(r)
	}, scriptSuccess)
	opts := engFast()
	opts.Rate, opts.Workers = 4, n
	opts.RequestTimeout = 500 * time.Millisecond
	if _, err := NewEngine(j, book, f, opts).Submit(context.Background()); err != nil {
		t.Fatal(err)
	}
	const slack = 200 * time.Millisecond // the wall clock against the monotonic one
	for i := range n {
		id := input.OrderID(engBatch, engPhone(i), engPid, 1)
		o, _ := book.Order(id)
		if len(arrived[id]) != 1 {
			t.Errorf("row %d: %d submits, want 1", o.Line, len(arrived[id]))
			continue
		}
		if late := arrived[id][0].Sub(time.UnixMilli(o.LastIntentAt)); late > opts.RequestTimeout+slack {
			t.Errorf("row %d: the request left %v after its intent, more than the %v timeout", o.Line, late, opts.RequestTimeout)
		}
	}
}

// politeStandIn loses every first submit's answer (HTML 502, nothing
// charged) and answers ordersta as told: 210511 ("no such order") or an
// HTML page (no answer). It counts each order's queries before its second
// submit.
type politeStandIn struct {
	lookup  string // "notfound" or "html"
	mu      sync.Mutex
	submits map[string]int
	queries map[string]int // before the second submit
}

func (s *politeStandIn) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	oid := r.Form.Get("orderid")
	s.mu.Lock()
	defer s.mu.Unlock()
	reply := func(code int, result any) {
		w.Header().Set("Content-Type", "application/json;charset=utf-8")
		fmt.Fprintf(w, `{"reason":"x","result":%s,"error_code":%d}`, result, code)
	}
	switch r.URL.Path {
	case "/flow/onlineorder":
		s.submits[oid]++
		if s.submits[oid] == 1 {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>502 Bad Gateway</html>")
			return
		}
		reply(0, fmt.Sprintf(`{"orderid":%q,"sporder_id":"SP%s","uordercash":"19.630"}`, oid, oid[:10]))
	case "/flow/ordersta":
		if s.submits[oid] < 2 {
			s.queries[oid]++
		}
		if s.lookup == "html" {
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>502 Bad Gateway</html>")
			return
		}
		reply(210511, "null")
	default:
		http.NotFound(w, r)
	}
}

// TestSubmitQueriesHonourTheInterval: the queries Submit sends about an
// order whose submit answer was lost are QueryInterval apart, as Settle's
// (NOTES.md: some providers ban an IP that polls one order harder), and
// hold up no worker. Only the first follows the lost answer at once. A
// 210511 within the grace decides nothing, so the resubmit still comes
// once the grace has passed. Before the fix they followed the backoff
// (10 ms rising to 100 ms here): seven queries or so in the grace, six
// unanswered ones in half a second.
func TestSubmitQueriesHonourTheInterval(t *testing.T) {
	for _, tc := range []struct {
		name     string
		lookup   string
		interval time.Duration
		most     int  // queries of an order before its resubmit (or the end)
		resubmit bool // the grace passes within the test: it is submitted again
	}{
		{"not found, long interval", "notfound", time.Hour, 1, false},
		{"not found, interval within the grace", "notfound", 150 * time.Millisecond, 3, true},
		{"no answer, long interval", "html", time.Hour, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &politeStandIn{lookup: tc.lookup, submits: map[string]int{}, queries: map[string]int{}}
			srv := httptest.NewServer(http.HandlerFunc(s.serve))
			defer srv.Close()
			_, j, book := engPlan(t, 2)
			defer j.Close()
			opts := engFast()
			opts.ResubmitGrace = 300 * time.Millisecond
			opts.QueryInterval = tc.interval
			e := NewEngine(j, book, engClient(t, srv.URL, engKey, engOpenID), opts)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			e.Submit(ctx)
			s.mu.Lock()
			defer s.mu.Unlock()
			book.Orders(func(o *OrderState) error {
				if q := s.queries[o.OrderID]; q < 1 || q > tc.most {
					t.Errorf("row %d: %d queries before its resubmit, want 1 to %d", o.Line, q, tc.most)
				}
				if again := s.submits[o.OrderID] == 2; again != tc.resubmit {
					t.Errorf("row %d: %d submits, want resubmit %v", o.Line, s.submits[o.OrderID], tc.resubmit)
				}
				return nil
			})
		})
	}
}
