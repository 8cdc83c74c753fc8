package batch

// Hostile flow/batchquery answers over real HTTP: an answer that says two
// things about one order must settle nothing of it.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// TestSettleBatchQueryTwoItemsOneUnreadable: a batchquery answer lists an
// order twice, once as a success it cannot read whole and once as failed.
// The failed item is not believed (a failed order goes to the retry file,
// and its phone would be gifted again): ordersta settles the order, and
// it is the success it says.
func TestSettleBatchQueryTwoItemsOneUnreadable(t *testing.T) {
	for _, tc := range []struct {
		name  string
		items func(id string) []map[string]string
	}{
		{"unreadable success, then failed", func(id string) []map[string]string {
			return []map[string]string{
				{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "1", "uordercash": "19,630"},
				{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "9"},
			}
		}},
		{"failed, then unreadable success", func(id string) []map[string]string {
			return []map[string]string{
				{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "9"},
				{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "success"},
			}
		}},
		{"success without sporder_id, then failed", func(id string) []map[string]string {
			return []map[string]string{
				{"uorderid": id, "game_state": "1", "uordercash": "19.630"},
				{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "9"},
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &batchStandIn{mode: "ok", submitCost: true, requests: map[string]int{}}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/flow/batchquery" {
					s.serve(w, r)
					return
				}
				r.ParseForm()
				s.mu.Lock()
				s.requests[r.URL.Path]++
				s.mu.Unlock()
				var list []map[string]string
				for _, id := range strings.Split(r.Form.Get("orderid"), ",") {
					list = append(list, tc.items(id)...)
				}
				s.answer(w, 0, list)
			}))
			defer srv.Close()
			const n = 5
			_, j, book := engPlan(t, n)
			defer j.Close()
			e := NewEngine(j, book, engClient(t, srv.URL, engKey, engOpenID), engFast())
			ctx := context.Background()
			if _, err := e.Submit(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := e.Settle(ctx, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Open() != 0 {
				t.Fatalf("%d open", res.Open())
			}
			if b := s.count("/flow/batchquery"); b == 0 {
				t.Fatalf("batchquery never asked")
			}
			if q := s.count("/flow/ordersta"); q != n {
				t.Errorf("%d ordersta requests, want %d: every order settled by ordersta", q, n)
			}
			book.Orders(func(o *OrderState) error {
				if cost, _ := o.Cost(); o.Status() != StatusSuccess || o.QueryState != juhe.StateSuccess || cost != standInCost {
					t.Errorf("row %d: %s (query state %d, cost %s), want success at %s as ordersta says", o.Line, o.Status(), o.QueryState, cost, standInCost)
				}
				return nil
			})
		})
	}
}

// TestFirstQueryDelayBoundedWhenTheClockStepsBack: the journal's times are
// wall-clock times. When the clock stepped back after the submits were
// answered (an NTP step, or a journal resumed on a machine whose clock is
// behind), the first query still comes within FirstQueryDelay: before, it
// waited out the clock's step as well, and settling sat idle for an hour.
func TestFirstQueryDelayBoundedWhenTheClockStepsBack(t *testing.T) {
	sim := engSim(t, juhesim.Config{SettleDelay: -1, SuccessRatio: 1})
	_, j, book := engPlan(t, 3)
	defer j.Close()
	opts := engFast()
	opts.FirstQueryDelay = 100 * time.Millisecond
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	e.wall = func() time.Time { return time.Now().Add(time.Hour) }
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	e.wall = time.Now // an hour back
	res, err := e.Settle(ctx, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Open() != 0 || res.Queries == 0 {
		t.Errorf("%d open after %d queries: the first query waited out the clock's step", res.Open(), res.Queries)
	}
}

// TestHaltAfterALostAnswerIsNotNothingCharged: an order whose first
// submit's answer was lost, whose lookup then said 210511 past the grace,
// and whose resend was refused by a halt (balance insufficient). Its first
// request was never answered with a refusal: the lookup's "no such order"
// lets the same orderid be sent again, it proves nothing about a charge.
// The halt must not say that the journal proves nothing was charged.
func TestHaltAfterALostAnswerIsNotNothingCharged(t *testing.T) {
	_, j, book := engPlan(t, 1)
	defer j.Close()
	var sent atomic.Int64
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		if sent.Add(1) == 1 {
			return scriptUnknown
		}
		return juhe.Outcome{Class: juhe.ClassHalt, Code: 210505, Reason: "余额不足", State: juhe.StateNone}
	}, func(string) juhe.Outcome {
		return juhe.Outcome{Class: juhe.ClassNotFound, Code: 210511, Reason: "订单号错误", State: juhe.StateNone}
	})
	opts := engFast()
	opts.ResubmitGrace = 50 * time.Millisecond
	e := NewEngine(j, book, f, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := e.Submit(ctx)
	var h *HaltError
	if !errors.As(err, &h) || h.Code != 210505 {
		t.Fatalf("Submit: %v, want the halt", err)
	}
	if sent.Load() != 2 {
		t.Fatalf("%d submits, want the lost one and the refused resend", sent.Load())
	}
	if h.NothingCharged {
		t.Error("the halt says the journal proves nothing was charged, yet the first submit was never answered")
	}
}

// TestSettleBatchQueryZeroCost: a batchquery item that says success at
// 0.000 yuan (as some answers fill a field they do not know) is a
// success without a cost: never recorded as 0, whether the submit gave
// the cost (it stands) or not (ordersta gives it).
func TestSettleBatchQueryZeroCost(t *testing.T) {
	for _, submitCost := range []bool{true, false} {
		t.Run(fmt.Sprintf("submit cost %v", submitCost), func(t *testing.T) {
			s := &batchStandIn{mode: "ok", submitCost: submitCost, requests: map[string]int{}}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/flow/batchquery" {
					s.serve(w, r)
					return
				}
				r.ParseForm()
				s.mu.Lock()
				s.requests[r.URL.Path]++
				s.mu.Unlock()
				var list []map[string]string
				for _, id := range strings.Split(r.Form.Get("orderid"), ",") {
					list = append(list, map[string]string{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "1", "uordercash": "0.000"})
				}
				s.answer(w, 0, list)
			}))
			defer srv.Close()
			_, j, book := engPlan(t, 3)
			defer j.Close()
			e := NewEngine(j, book, engClient(t, srv.URL, engKey, engOpenID), engFast())
			ctx := context.Background()
			if _, err := e.Submit(ctx); err != nil {
				t.Fatal(err)
			}
			if res, err := e.Settle(ctx, 20*time.Second); err != nil || res.Open() != 0 {
				t.Fatalf("Settle: %v, %d open", err, res.Open())
			}
			book.Orders(func(o *OrderState) error {
				if cost, has := o.Cost(); o.Status() != StatusSuccess || !has || cost != standInCost {
					t.Errorf("row %d: %s at %s (has %v), want success at %s", o.Line, o.Status(), cost, has, standInCost)
				}
				return nil
			})
			if tot := book.Counts(); tot.Spend != 3*standInCost {
				t.Errorf("spend %s, want %s", tot.Spend, 3*standInCost)
			}
		})
	}
}

// TestSettleOrderstaZeroCost: an ordersta answer that says success at
// 0.000 yuan is a success without a cost, as a batchquery item's is: the
// submit's cost stands; when the submit gave none, the cost stays unknown,
// is summed as nothing and counted (Totals.CostUnknown), never spent as 0.
// Before the fix the 0 was recorded over the submit's cost.
func TestSettleOrderstaZeroCost(t *testing.T) {
	for _, submitCost := range []bool{true, false} {
		t.Run(fmt.Sprintf("submit cost %v", submitCost), func(t *testing.T) {
			s := &batchStandIn{mode: "ok", submitCost: submitCost, requests: map[string]int{}}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/flow/batchquery":
					http.NotFound(w, r) // not available: ordersta per order
				case "/flow/ordersta":
					r.ParseForm()
					oid := r.Form.Get("orderid")
					s.answer(w, 0, map[string]string{"sporder_id": standInSporder(oid), "game_state": "1", "uordercash": "0.000"})
				default:
					s.serve(w, r)
				}
			}))
			defer srv.Close()
			_, j, book := engPlan(t, 3)
			defer j.Close()
			e := NewEngine(j, book, engClient(t, srv.URL, engKey, engOpenID), engFast())
			ctx := context.Background()
			if _, err := e.Submit(ctx); err != nil {
				t.Fatal(err)
			}
			if res, err := e.Settle(ctx, 20*time.Second); err != nil || res.Open() != 0 {
				t.Fatalf("Settle: %v, %d open", err, res.Open())
			}
			book.Orders(func(o *OrderState) error {
				cost, has := o.Cost()
				if o.Status() != StatusSuccess || has != submitCost || submitCost && cost != standInCost {
					t.Errorf("row %d: %s at %s (has %v), want success, cost known %v", o.Line, o.Status(), cost, has, submitCost)
				}
				return nil
			})
			tot := book.Counts()
			wantSpend, wantUnknown := 3*standInCost, 0
			if !submitCost {
				wantSpend, wantUnknown = 0, 3
			}
			if tot.Spend != wantSpend || tot.CostUnknown != wantUnknown {
				t.Errorf("spend %s with %d successes of unknown cost, want %s with %d", tot.Spend, tot.CostUnknown, wantSpend, wantUnknown)
			}
		})
	}
}

// TestSettleCrossChecksAStaleBatchQuery: a batch endpoint that keeps
// calling one order "charging" (a stale copy) while ordersta says success.
// After crossCheckAfter such answers the order is asked with ordersta,
// whose vetted answer settles it; the other orders are never asked one by
// one. Before the fix the order stayed open until the wait ran out.
func TestSettleCrossChecksAStaleBatchQuery(t *testing.T) {
	_, j, book := engPlan(t, 3)
	defer j.Close()
	var stale string
	book.Orders(func(o *OrderState) error {
		if o.Line == 3 {
			stale = o.OrderID
		}
		return nil
	})
	s := &batchStandIn{mode: "ok", submitCost: true, requests: map[string]int{}}
	var mu sync.Mutex
	asked := map[string]int{} // ordersta per order
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		switch r.URL.Path {
		case "/flow/batchquery":
			var list []map[string]string
			for _, id := range strings.Split(r.Form.Get("orderid"), ",") {
				st := "1"
				if id == stale {
					st = "0"
				}
				list = append(list, map[string]string{"uorderid": id, "sporder_id": standInSporder(id), "game_state": st, "uordercash": "19.630"})
			}
			s.answer(w, 0, list)
		case "/flow/ordersta":
			mu.Lock()
			asked[r.Form.Get("orderid")]++
			mu.Unlock()
			s.serve(w, r) // success at 19.630
		default:
			s.serve(w, r)
		}
	}))
	defer srv.Close()
	e := NewEngine(j, book, engClient(t, srv.URL, engKey, engOpenID), engFast())
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := e.Settle(ctx, 10*time.Second)
	if err != nil || res.Open() != 0 {
		t.Fatalf("Settle: %v, %d open", err, res.Open())
	}
	if o, _ := book.Order(stale); o.Status() != StatusSuccess {
		t.Errorf("the order batchquery keeps calling charging is %s, want success", o.Status())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(asked) != 1 || asked[stale] != 1 {
		t.Errorf("ordersta asked %v, want once, for %s only", asked, stale)
	}
}
