package batch

// Regression tests for findings of the money-safety review.

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// scriptedProvider answers from functions; it counts requests per orderid.
type scriptedProvider struct {
	mu      sync.Mutex
	submits map[string]int
	queries map[string]int
	sub     func(r juhe.SubmitRequest) juhe.Outcome
	qry     func(id string) juhe.Outcome
}

func newScriptedProvider(sub func(juhe.SubmitRequest) juhe.Outcome, qry func(string) juhe.Outcome) *scriptedProvider {
	return &scriptedProvider{submits: map[string]int{}, queries: map[string]int{}, sub: sub, qry: qry}
}
func (f *scriptedProvider) Submit(ctx context.Context, r juhe.SubmitRequest) juhe.Outcome {
	f.mu.Lock()
	f.submits[r.OrderID]++
	f.mu.Unlock()
	return f.sub(r)
}
func (f *scriptedProvider) Query(ctx context.Context, id string) juhe.Outcome {
	f.mu.Lock()
	f.queries[id]++
	f.mu.Unlock()
	return f.qry(id)
}
func (f *scriptedProvider) nq(id string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.queries[id] }
func (f *scriptedProvider) ns(id string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.submits[id] }

var (
	scriptAccepted = func(r juhe.SubmitRequest) juhe.Outcome {
		return juhe.Outcome{Class: juhe.ClassAccepted, Code: 0, SporderID: "SP" + r.OrderID[:8], Cost: 19630, HasCost: true, State: juhe.StateNone}
	}
	scriptSuccess = func(id string) juhe.Outcome {
		return juhe.Outcome{Class: juhe.ClassAccepted, Code: 0, SporderID: "SP" + id[:8], Cost: 19630, HasCost: true, State: juhe.StateSuccess}
	}
	scriptUnknown = juhe.Outcome{Class: juhe.ClassUnknown, Code: juhe.NoCode, Reason: "HTML answer, HTTP 502", State: juhe.StateNone}
)

// An order that was sent (intent, answer lost) and then dropped from the
// input with -allow-changed-input may exist at the provider: Settle must
// still query it to a final state.
func TestSettleQueriesAnOrderDroppedFromTheInput(t *testing.T) {
	ctx := context.Background()
	_, j, book := engPlan(t, 2)
	defer j.Close()
	gone := input.OrderID(engBatch, engPhone(0), engPid, 1)
	// The order was sent and charged at the provider; the answer was lost.
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: gone, Attempt: 1}}); err != nil {
		t.Fatal(err)
	}
	// Resume with a changed input that no longer holds row 0.
	ph := engPhone(1)
	recs := []*journal.Record{
		{Type: journal.RecInput, At: 3, Input: &journal.InputInfo{Name: "in2.csv", SHA256: "01", Rows: 1, Format: "csv"}},
		{Type: journal.RecRow, At: 3, Row: &journal.RowRecord{Line: 2, Phone: ph, Pid: engPid, OrderID: input.OrderID(engBatch, ph, engPid, 1), Occurrence: 1, Status: journal.RowValid}},
		{Type: journal.RecPlanned, At: 3, Planned: &journal.Planned{Rows: 1}},
	}
	if err := appendApply(ctx, j, book, recs...); err != nil {
		t.Fatal(err)
	}
	f := newScriptedProvider(scriptAccepted, scriptSuccess)
	e := NewEngine(j, book, f, engFast())
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := e.Settle(ctx, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := book.Order(gone)
	if f.nq(gone) == 0 {
		t.Errorf("orphan %s (intent, outcome lost; charged at the provider) was never queried: status %s; OpenCount %d (run would exit 0); Spend %s excludes its 19.630",
			gone, o.Status(), res.Totals.OpenCount, res.Totals.Spend)
	}
}

// While the provider's query keeps answering "unknown" for as many orders
// as there are workers, Submit must move on after a bounded number of
// queries (leaving them to Settle) and submit the other rows.
func TestUnanswerableQueriesDoNotStarveSubmit(t *testing.T) {
	_, j, book := engPlan(t, 3)
	defer j.Close()
	stuck := map[string]bool{
		input.OrderID(engBatch, engPhone(0), engPid, 1): true,
		input.OrderID(engBatch, engPhone(1), engPid, 1): true,
	}
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		if stuck[r.OrderID] {
			return juhe.Outcome{Class: juhe.ClassUnknown, Code: 10014, Reason: "系统内部异常", State: juhe.StateNone}
		}
		return scriptAccepted(r)
	}, func(id string) juhe.Outcome {
		if stuck[id] {
			return scriptUnknown
		}
		return scriptSuccess(id)
	})
	opts := engFast()
	opts.Workers = 2
	e := NewEngine(j, book, f, opts)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	start := time.Now()
	_, err := e.Submit(ctx)
	third := input.OrderID(engBatch, engPhone(2), engPid, 1)
	if f.ns(third) == 0 {
		t.Errorf("row 4 never submitted in %s (Submit returned only because ctx expired: %v); queries of the stuck orders: %d, %d",
			time.Since(start).Round(time.Millisecond), err, f.nq(input.OrderID(engBatch, engPhone(0), engPid, 1)), f.nq(input.OrderID(engBatch, engPhone(1), engPid, 1)))
	}
}
