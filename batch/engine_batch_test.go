package batch

// Settling through flow/batchquery: the simulator over real HTTP, and a
// stand-in provider whose batchquery misbehaves in each documented way.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// batchStandIn accepts every submit and answers ordersta truthfully
// (success, 19.630); its batchquery answers as mode says.
type batchStandIn struct {
	mode       string
	submitCost bool // the submit answer carries uordercash
	mu         sync.Mutex
	requests   map[string]int // by path
	throttled  bool
}

const standInCost = juhe.Money(19630)

func newBatchStandIn(t *testing.T, mode string, submitCost bool) (*batchStandIn, string) {
	s := &batchStandIn{mode: mode, submitCost: submitCost, requests: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(srv.Close)
	return s, srv.URL
}

func standInSporder(oid string) string { return "SP" + oid[:12] }

func (s *batchStandIn) answer(w http.ResponseWriter, code int, result any) {
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{"reason": "x", "result": result, "error_code": code})
}

func (s *batchStandIn) serve(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	oid := r.Form.Get("orderid")
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests[r.URL.Path]++
	switch r.URL.Path {
	case "/flow/onlineorder":
		res := map[string]string{"orderid": oid, "sporder_id": standInSporder(oid), "phone": r.Form.Get("phone"), "pid": r.Form.Get("pid")}
		if s.submitCost {
			res["uordercash"] = "19.630"
		}
		s.answer(w, 0, res)
	case "/flow/ordersta":
		s.answer(w, 0, map[string]string{"sporder_id": standInSporder(oid), "uordercash": "19.630", "game_state": "1"})
	case "/flow/batchquery":
		s.batch(w, strings.Split(oid, ","))
	default:
		http.NotFound(w, r)
	}
}

func (s *batchStandIn) batch(w http.ResponseWriter, ids []string) {
	item := func(id string) map[string]string {
		return map[string]string{"uorderid": id, "sporder_id": standInSporder(id), "game_state": "1", "uordercash": "19.630", "state_remark": "充值成功"}
	}
	list := []map[string]string{}
	switch s.mode {
	case "ok":
		for _, id := range ids {
			list = append(list, item(id))
		}
	case "throttled once":
		if !s.throttled {
			s.throttled = true
			s.answer(w, 10012, nil)
			return
		}
		for _, id := range ids {
			list = append(list, item(id))
		}
	case "foreign":
		// Items about orders nobody asked for: another batch's.
		for _, id := range ids {
			other := "f" + id[1:]
			if other == id {
				other = "e" + id[1:]
			}
			list = append(list, item(other))
		}
	case "wrong sporder_id":
		for _, id := range ids {
			it := item(id)
			it["sporder_id"] = "XX" + id[:12]
			list = append(list, it)
		}
	case "absent":
	case "half absent":
		for i, id := range ids {
			if i%2 == 0 {
				list = append(list, item(id))
			}
		}
	case "no cost":
		for _, id := range ids {
			it := item(id)
			delete(it, "uordercash")
			list = append(list, it)
		}
	case "-1":
		for _, id := range ids {
			list = append(list, map[string]string{"uorderid": id, "game_state": "-1", "state_remark": "提交充值失败", "uordercash": "19.630"})
		}
	case "10002":
		s.answer(w, 10002, nil)
		return
	case "html":
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<html><body>维护中</body></html>")
		return
	case "unreadable":
		s.answer(w, 0, map[string]string{"rows": "?"})
		return
	}
	s.answer(w, 0, list)
}

func (s *batchStandIn) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[path]
}

// TestSettleBatchQueryStandIn: whatever a batchquery answer holds, an
// order is settled only by an item about it that agrees with what is
// known, else by ordersta; a success is never recorded without its cost;
// a refusal is remembered for the run.
func TestSettleBatchQueryStandIn(t *testing.T) {
	const n = 60 // two batch requests: 50 and 10
	for _, tc := range []struct {
		mode       string
		submitCost bool
		batches    [2]int // batchquery requests, at least and at most
		ordersta   int
		conflict   bool
		state      juhe.GameState
		cost       juhe.Money
		hasCost    bool
	}{
		{"ok", true, [2]int{2, 2}, 0, false, juhe.StateSuccess, standInCost, true},
		// The 50 asked again after their backoffs (jittered) may
		// share one request or two.
		{"throttled once", true, [2]int{3, 5}, 0, false, juhe.StateSuccess, standInCost, true},
		{"foreign", true, [2]int{2, 2}, n, false, juhe.StateSuccess, standInCost, true},
		{"wrong sporder_id", true, [2]int{2, 2}, n, true, juhe.StateSuccess, standInCost, true},
		{"absent", true, [2]int{2, 2}, n, false, juhe.StateSuccess, standInCost, true},
		{"half absent", true, [2]int{2, 2}, n / 2, false, juhe.StateSuccess, standInCost, true},
		// The submit's cost stands: no ordersta needed.
		{"no cost", true, [2]int{2, 2}, 0, false, juhe.StateSuccess, standInCost, true},
		// No cost anywhere but ordersta: asked, never recorded as 0.
		{"no cost", false, [2]int{2, 2}, n, false, juhe.StateSuccess, standInCost, true},
		{"-1", true, [2]int{2, 2}, 0, false, juhe.StateSubmitFailed, standInCost, true},
		// Refused once, remembered: the second batch is never asked.
		{"10002", true, [2]int{1, 1}, n, false, juhe.StateSuccess, standInCost, true},
		{"unreadable", true, [2]int{1, 1}, n, false, juhe.StateSuccess, standInCost, true},
		// Unknown three times in a row, then given up. Until one
		// answer is read, one batch request at a time.
		{"html", true, [2]int{maxBatchUnknowns, maxBatchUnknowns}, n, false, juhe.StateSuccess, standInCost, true},
	} {
		t.Run(fmt.Sprintf("%s/submit cost %v", tc.mode, tc.submitCost), func(t *testing.T) {
			s, url := newBatchStandIn(t, tc.mode, tc.submitCost)
			_, j, book := engPlan(t, n)
			defer j.Close()
			var notes []string
			var mu sync.Mutex
			opts := engFast()
			opts.Logf = func(f string, a ...any) { mu.Lock(); notes = append(notes, fmt.Sprintf(f, a...)); mu.Unlock() }
			e := NewEngine(j, book, engClient(t, url, engKey, engOpenID), opts)
			ctx := context.Background()
			if _, err := e.Submit(ctx); err != nil {
				t.Fatal(err)
			}
			res, err := e.Settle(ctx, 20*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if res.Open() != 0 {
				t.Fatalf("%d rows open", res.Open())
			}
			if b := s.count("/flow/batchquery"); b < tc.batches[0] || b > tc.batches[1] {
				mu.Lock()
				t.Errorf("%d batchquery requests, want %d to %d; notes:\n%s", b, tc.batches[0], tc.batches[1], strings.Join(notes, "\n"))
				mu.Unlock()
			}
			if q := s.count("/flow/ordersta"); q != tc.ordersta {
				t.Errorf("%d ordersta requests, want %d", q, tc.ordersta)
			}
			if want := int64(s.count("/flow/batchquery") + s.count("/flow/ordersta")); res.Queries != want {
				t.Errorf("Result.Queries %d, the provider saw %d", res.Queries, want)
			}
			tot := book.Counts()
			book.Orders(func(o *OrderState) error {
				cost, has := o.Cost()
				switch {
				case o.QueryState != tc.state:
					t.Errorf("row %d: state %d, want %d", o.Line, o.QueryState, tc.state)
				case (o.Conflict != "") != tc.conflict:
					t.Errorf("row %d: conflict %q, want one: %v", o.Line, o.Conflict, tc.conflict)
				case o.SporderID != standInSporder(o.OrderID):
					t.Errorf("row %d: sporder_id %q", o.Line, o.SporderID)
				case cost != tc.cost || has != tc.hasCost:
					t.Errorf("row %d: cost %s %v, want %s", o.Line, cost, has, tc.cost)
				case o.QueryHasCost && o.QueryCost == 0:
					t.Errorf("row %d: a cost of 0 recorded", o.Line)
				case tc.state == juhe.StateSubmitFailed && (!o.SubmitFailed() || o.Status() != StatusFailed || o.QueryHasCost):
					t.Errorf("row %d: -1 as %s, submit failed %v, query cost %v", o.Line, o.Status(), o.SubmitFailed(), o.QueryHasCost)
				}
				return nil
			})
			if tc.state == juhe.StateSubmitFailed && (tot.Refunded != 0 || tot.Spend != 0) {
				t.Errorf("-1 orders counted as money: spend %s refunded %s", tot.Spend, tot.Refunded)
			}
			if tc.mode == "10002" || tc.mode == "html" || tc.mode == "unreadable" {
				mu.Lock()
				said := 0
				for _, l := range notes {
					if strings.Contains(l, "one by one (flow/ordersta) for the rest of this run") {
						said++
					}
				}
				mu.Unlock()
				if said != 1 {
					t.Errorf("the fallback was said %d times, want once: %q", said, notes)
				}
			}
			if tc.mode == "throttled once" && e.prog.Throttled.Load() != 1 {
				t.Errorf("throttled %d times, want the one batchquery answer counted", e.prog.Throttled.Load())
			}
		})
	}
}

// TestSettleRequestsPerOrder is the regression test of the figure: with
// every order final at its first query (the simulator settles well within
// the first-query delay), settling costs one batchquery per 50 orders, so
// a batch costs at most 1.05 requests an order. It counts requests, and
// times nothing. Before batchquery it was 2.0 at best.
func TestSettleRequestsPerOrder(t *testing.T) {
	const n = 200
	for _, tc := range []struct {
		name    string
		denied  bool
		atMost  float64
		queries int64 // exact, when not 0
	}{
		{"batchquery", false, 1.05, 0},
		// The fallback: one refused batchquery, then ordersta per order.
		{"ordersta", true, 2.01, n + 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := engSim(t, juhesim.Config{SettleDelay: 20 * time.Millisecond, SuccessRatio: 1, AccountDenied: tc.denied})
			_, j, book := engPlan(t, n)
			defer j.Close()
			opts := engFast()
			opts.FirstQueryDelay = 250 * time.Millisecond
			opts.QueryBackoff, opts.MaxQueryBackoff = 2*time.Second, 2*time.Second // a second to fill a batch
			e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
			ctx := context.Background()
			sub, err := e.Submit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			res, err := e.Settle(ctx, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if res.Open() != 0 || res.Totals.ByStatus[StatusSuccess] != n {
				t.Fatalf("%d open, %d success", res.Open(), res.Totals.ByStatus[StatusSuccess])
			}
			reqs := sub.Requests() + res.Requests()
			if perOrder := float64(reqs) / n; perOrder > tc.atMost {
				t.Errorf("%.3f requests an order (%d submits, %d queries), want at most %.2f", perOrder, sub.Submits+res.Submits, sub.Queries+res.Queries, tc.atMost)
			}
			if tc.queries != 0 && res.Queries != tc.queries {
				t.Errorf("%d queries, want %d", res.Queries, tc.queries)
			}
			c, a := sim.Requests(), sim.AccountRequests()
			if got := int64(c.Submits + c.Queries + a.BatchQueries); got != reqs {
				t.Errorf("the simulator saw %d requests, the engine counted %d", got, reqs)
			}
		})
	}
}

// TestSettlePoliteDelays: no order is queried before its first-query
// delay, nor again within the query interval, unless a callback says its
// state changed: then at once.
func TestSettlePoliteDelays(t *testing.T) {
	ctx := context.Background()
	t.Run("first query waits", func(t *testing.T) {
		sim := engSim(t, juhesim.Config{SettleDelay: -1})
		_, j, book := engPlan(t, 3)
		defer j.Close()
		opts := engFast()
		opts.FirstQueryDelay = time.Hour
		e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
		if _, err := e.Submit(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := e.Settle(ctx, 300*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if res.Queries != 0 || res.Open() != 3 {
			t.Errorf("%d queries within the first-query delay, %d open; want none and 3", res.Queries, res.Open())
		}
	})
	t.Run("interval", func(t *testing.T) {
		sim := engSim(t, juhesim.Config{SettleDelay: time.Hour})
		_, j, book := engPlan(t, 3)
		defer j.Close()
		opts := engFast()
		opts.QueryInterval = time.Hour
		e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
		if _, err := e.Submit(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := e.Settle(ctx, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if res.Queries != 1 {
			t.Errorf("%d queries of 3 charging orders within the interval, want the one batchquery", res.Queries)
		}
	})
	t.Run("callback before settling", func(t *testing.T) {
		sim := engSim(t, juhesim.Config{SettleDelay: -1, SuccessRatio: 1})
		_, j, book := engPlan(t, 2)
		defer j.Close()
		opts := engFast()
		opts.FirstQueryDelay = time.Hour
		e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
		if _, err := e.Submit(ctx); err != nil {
			t.Fatal(err)
		}
		var o OrderState
		book.Orders(func(s *OrderState) error { o = *s; return nil })
		// While submit ran: no Settle to nudge yet.
		if err := e.AppendCallback(ctx, &journal.CallbackNote{OrderID: o.OrderID, SporderID: o.SporderID, State: juhe.StateSuccess}); err != nil {
			t.Fatal(err)
		}
		res, err := e.Settle(ctx, 500*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Order(o.OrderID); got.Status() != StatusSuccess || res.Open() != 1 || res.Queries != 1 {
			t.Errorf("order with a callback %s, %d open after %d queries; want it queried at once, the other left for its delay", got.Status(), res.Open(), res.Queries)
		}
	})
	t.Run("callback queries now", func(t *testing.T) {
		sim := engSim(t, juhesim.Config{SettleDelay: -1, SuccessRatio: 1})
		_, j, book := engPlan(t, 1)
		defer j.Close()
		opts := engFast()
		opts.FirstQueryDelay = time.Hour
		e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
		if _, err := e.Submit(ctx); err != nil {
			t.Fatal(err)
		}
		var o OrderState
		book.Orders(func(s *OrderState) error { o = *s; return nil })
		done := make(chan Result, 1)
		go func() {
			res, err := e.Settle(ctx, 30*time.Second)
			if err != nil {
				t.Error(err)
			}
			done <- res
		}()
		deadline := time.Now().Add(10 * time.Second)
		for e.settle.Load() == nil && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		err := e.AppendCallback(ctx, &journal.CallbackNote{OrderID: o.OrderID, SporderID: o.SporderID, State: juhe.StateSuccess})
		if err != nil {
			t.Fatal(err)
		}
		if res := <-done; res.Open() != 0 || res.Queries != 1 {
			t.Errorf("%d open after %d queries: the callback did not bring the query forward", res.Open(), res.Queries)
		}
	})
}

// TestPoliteSettings: the options, else the journal header's settings,
// else the defaults; a negative option is none.
func TestPoliteSettings(t *testing.T) {
	h := map[string]string{SettingFirstQuery: "30s", SettingQueryInterval: "0s"}
	for _, tc := range []struct {
		opt  time.Duration
		s    map[string]string
		name string
		want time.Duration
	}{
		{0, nil, SettingFirstQuery, DefaultFirstQueryDelay},
		{0, h, SettingFirstQuery, 30 * time.Second},
		{0, h, SettingQueryInterval, 0},
		{5 * time.Second, h, SettingFirstQuery, 5 * time.Second},
		{-1, h, SettingFirstQuery, 0},
		{0, map[string]string{SettingFirstQuery: "soon"}, SettingFirstQuery, DefaultFirstQueryDelay},
		{0, map[string]string{SettingFirstQuery: "-1s"}, SettingFirstQuery, DefaultFirstQueryDelay},
	} {
		if got := politeSetting(tc.opt, tc.s, tc.name, DefaultFirstQueryDelay); got != tc.want {
			t.Errorf("%v %v %s: %v, want %v", tc.opt, tc.s, tc.name, got, tc.want)
		}
	}
}
