package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

var capPrices = map[string]juhe.Money{engPid: engPrice}

// capPlan is engPlan with the spending cap max journaled.
func capPlan(t *testing.T, n int, max juhe.Money) (string, *journal.Journal, *Book) {
	t.Helper()
	path, j, book := engPlan(t, n)
	if err := SetSpendCap(context.Background(), j, book, max); err != nil {
		t.Fatal(err)
	}
	return path, j, book
}

// reservedIntents counts the intents of the journal at path and sums
// their reservations.
func reservedIntents(t *testing.T, path string) (n int, sum juhe.Money) {
	t.Helper()
	_, err := journal.Scan(context.Background(), path, func(r *journal.Raw) error {
		if r.Type != journal.RecIntent {
			return nil
		}
		v, err := r.Intent()
		if err != nil {
			return err
		}
		if !v.HasReserved {
			t.Errorf("intent for %s without a reservation under a cap", v.OrderID)
		}
		n++
		sum += v.Reserved
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, sum
}

// sameCommitted checks that a book replayed from the journal sums what
// the live book sums.
func sameCommitted(t *testing.T, path string, live *Book) {
	t.Helper()
	again, err := LoadBook(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := live.Committed(capPrices), again.Committed(capPrices); a != b {
		t.Errorf("committed: live %s, replayed %s", a, b)
	}
	if a, b := live.Committed(nil), again.Committed(nil); a != b {
		t.Errorf("committed from the journal alone: live %s, replayed %s", a, b)
	}
	m1, ok1 := live.SpendCap()
	m2, ok2 := again.SpendCap()
	if m1 != m2 || ok1 != ok2 {
		t.Errorf("cap: live %s %v, replayed %s %v", m1, ok1, m2, ok2)
	}
}

// Many workers, every answer lost (the order may exist): each in-flight
// or unknown order counts at its price, so exactly as many requests leave
// as fit under the cap, however the workers interleave.
func TestSpendCapConcurrentUnknowns(t *testing.T) {
	for _, tc := range []struct {
		name    string
		workers int
		max     juhe.Money
		fit     int
	}{
		{"exact multiple", 32, 7 * engPrice, 7},
		{"just below the next", 32, 8*engPrice - 1, 7},
		{"less than one", 16, engPrice - 1, 0},
		{"one worker", 1, 3 * engPrice, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, j, book := capPlan(t, 40, tc.max)
			defer j.Close()
			var mu sync.Mutex
			inFlight, most := 0, 0
			f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				time.Sleep(time.Millisecond) // let the workers overlap
				mu.Lock()
				inFlight--
				mu.Unlock()
				return juhe.Outcome{Class: juhe.ClassUnknown, Code: 10014, Reason: "系统内部异常", State: juhe.StateNone}
			}, func(string) juhe.Outcome { return scriptUnknown })
			opts := engFast()
			opts.Workers, opts.Prices, opts.MaxUnknownQueries = tc.workers, capPrices, 1
			e := NewEngine(j, book, f, opts)
			res, err := e.Submit(context.Background())
			var h *HaltError
			if !errors.As(err, &h) || h.SpendCap == nil {
				t.Fatalf("Submit: %v, want a halt at the spending cap", err)
			}
			sent := 0
			f.mu.Lock()
			for _, n := range f.submits {
				sent += n
			}
			f.mu.Unlock()
			n, sum := reservedIntents(t, path)
			if sent != tc.fit || n != tc.fit || sum != juhe.Money(tc.fit)*engPrice {
				t.Errorf("%d requests sent, %d intents reserving %s; want %d at %s (max %d in flight at once)", sent, n, sum, tc.fit, engPrice, most)
			}
			c := h.SpendCap
			if c.Max != tc.max || c.Committed != juhe.Money(tc.fit)*engPrice || c.Next != engPrice || c.RowsLeft != 40-tc.fit || c.Rest != juhe.Money(40-tc.fit)*engPrice {
				t.Errorf("halt says %+v", c)
			}
			if got := book.Committed(capPrices); got > tc.max {
				t.Errorf("committed %s over the cap %s", got, tc.max)
			}
			if e.pending != 0 || len(e.pendingIDs) != 0 {
				t.Errorf("%s still pending after Submit", e.pending)
			}
			if res.Submits != int64(tc.fit) {
				t.Errorf("result counts %d submits", res.Submits)
			}
			sameCommitted(t, path, book)
		})
	}
}

// A confirmed cost replaces the price (a cheaper charge frees room), a
// cost above the list raises the price of every later request of the
// pid, and a failed order's cost is not given back.
func TestSpendCapCostsAndRefunds(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cost  juhe.Money
		state juhe.GameState
		max   juhe.Money
		fit   int
	}{
		{"cheaper than the list", 10000, juhe.StateSuccess, 5 * 10000, 4}, // 4×10 + the 5th at 19.63 > 50
		{"dearer than the list", 30000, juhe.StateSuccess, 100000, 3},     // 19.63 reserved, 30 seen: then 30 each
		{"failed keeps its cost", engPrice, juhe.StateFailed, 3 * engPrice, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, j, book := capPlan(t, 10, tc.max)
			defer j.Close()
			f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
				return juhe.Outcome{Class: juhe.ClassAccepted, SporderID: "SP" + r.OrderID[:8], Cost: tc.cost, HasCost: true, State: juhe.StateNone}
			}, func(id string) juhe.Outcome {
				return juhe.Outcome{Class: juhe.ClassAccepted, SporderID: "SP" + id[:8], Cost: tc.cost, HasCost: true, State: tc.state}
			})
			opts := engFast()
			opts.Workers, opts.Prices = 1, capPrices
			e := NewEngine(j, book, f, opts)
			_, err := e.Submit(context.Background())
			if _, err2 := e.Settle(context.Background(), time.Second); err == nil {
				err = err2
			}
			var h *HaltError
			if !errors.As(err, &h) || h.SpendCap == nil {
				t.Fatalf("Submit: %v, want a halt at the spending cap", err)
			}
			if n, _ := reservedIntents(t, path); n != tc.fit {
				t.Errorf("%d requests left, want %d; halt: %v", n, tc.fit, h)
			}
			sameCommitted(t, path, book)
		})
	}
}

// An order whose first attempt is unknown and that the provider then
// settles as "no such order" is submitted again with the same orderid:
// one order. With a cap of one price it goes through, and commits one
// price: the first reservation is neither kept nor counted twice.
func TestSpendCapResubmitIsOneOrder(t *testing.T) {
	path, j, book := capPlan(t, 1, engPrice)
	defer j.Close()
	first := input.OrderID(engBatch, engPhone(0), engPid, 1)
	var mu sync.Mutex
	charged := false
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		mu.Lock()
		defer mu.Unlock()
		if f := 0; f == 0 && !charged {
			charged = true // the next submit
			return juhe.Outcome{Class: juhe.ClassUnknown, Code: juhe.NoCode, Reason: "timeout", State: juhe.StateNone}
		}
		return scriptAccepted(r)
	}, func(id string) juhe.Outcome {
		if o, _ := book.Order(id); o != nil && o.Outcomes == 1 {
			return juhe.Outcome{Class: juhe.ClassNotFound, Code: 210511, Reason: "订单号错误/不存在", State: juhe.StateNone}
		}
		return scriptSuccess(id)
	})
	opts := engFast()
	opts.Workers, opts.Prices = 1, capPrices
	e := NewEngine(j, book, f, opts)
	res, err := e.Submit(context.Background())
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("Submit: %v, %v", err, res.Totals.ByStatus)
	}
	if f.ns(first) != 2 {
		t.Errorf("row 2 submitted %d times, want 2 (unknown, then not found, then again)", f.ns(first))
	}
	if got := book.Committed(capPrices); got != engPrice {
		t.Errorf("committed %s, want one order's %s", got, engPrice)
	}
	sameCommitted(t, path, book)
}

// A resume after a crash (intents on disk, no answers) sums them as the
// run that crashed did, and a raised cap lets the rest go.
func TestSpendCapResumeAndRaise(t *testing.T) {
	ctx := context.Background()
	path, j, book := capPlan(t, 6, 3*engPrice)
	// Two requests left and their answers were lost in a crash.
	for i := 0; i < 2; i++ {
		id := input.OrderID(engBatch, engPhone(i), engPid, 1)
		if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecIntent, At: 2,
			Intent: &journal.Intent{OrderID: id, Attempt: 1, Reserved: engPrice, HasReserved: true}}); err != nil {
			t.Fatal(err)
		}
	}
	j, book = engReopen(t, path, j)
	if got := book.Committed(capPrices); got != 2*engPrice {
		t.Fatalf("resumed book commits %s, want %s", got, 2*engPrice)
	}
	f := newScriptedProvider(scriptAccepted, func(id string) juhe.Outcome {
		if f0 := input.OrderID(engBatch, engPhone(0), engPid, 1); id == f0 {
			return scriptSuccess(id)
		}
		return scriptUnknown
	})
	opts := engFast()
	opts.Workers, opts.Prices, opts.MaxUnknownQueries = 4, capPrices, 1
	_, err := NewEngine(j, book, f, opts).Submit(ctx)
	var h *HaltError
	if !errors.As(err, &h) || h.SpendCap == nil {
		t.Fatalf("Submit: %v, want a halt at the cap", err)
	}
	if n, _ := reservedIntents(t, path); n != 3 {
		t.Errorf("%d intents, want the 2 of the crashed run and 1 more", n)
	}
	j, book = engReopen(t, path, j)
	if err := SetSpendCap(ctx, j, book, 100*engPrice); err != nil {
		t.Fatal(err)
	}
	if book.SpendCapChanges() != 2 {
		t.Errorf("%d cap records, want 2", book.SpendCapChanges())
	}
	f = newScriptedProvider(scriptAccepted, scriptSuccess)
	res, err := NewEngine(j, book, f, opts).Submit(ctx)
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("raised: %v, %v", err, res.Totals.ByStatus)
	}
	sameCommitted(t, path, book)
}

// A pid with no price anywhere is never sent under a cap.
func TestSpendCapNoPriceHalts(t *testing.T) {
	_, j, book := capPlan(t, 2, 100*engPrice)
	defer j.Close()
	f := newScriptedProvider(scriptAccepted, scriptSuccess)
	opts := engFast()
	_, err := NewEngine(j, book, f, opts).Submit(context.Background())
	var h *HaltError
	if !errors.As(err, &h) || len(f.submits) != 0 {
		t.Fatalf("Submit: %v, %d sent; want a halt before any", err, len(f.submits))
	}
}

// Without a cap the intents are written as before: no reservation field.
func TestNoCapNoReservation(t *testing.T) {
	path, j, book := engPlan(t, 2)
	defer j.Close()
	opts := engFast()
	opts.Prices = capPrices
	if _, err := NewEngine(j, book, newScriptedProvider(scriptAccepted, scriptSuccess), opts).Submit(context.Background()); err != nil {
		t.Fatal(err)
	}
	journal.Scan(context.Background(), path, func(r *journal.Raw) error {
		if v, err := r.Intent(); err == nil && v.HasReserved {
			t.Errorf("intent with a reservation and no cap")
		}
		return nil
	})
}

// An order whose answer was lost and that the provider then says it does
// not have (210511) keeps its room: it is submitted again as the same
// order, and were the 210511 wrong (a lagging lookup) it is charged
// already. Only a confirmed cost changes what it counts for; a rejection
// of the resubmit does not (TestSpendCapRejectedResubmitKeepsRoom).
func TestSpendCapKeepsRoomForAResubmit(t *testing.T) {
	ctx := context.Background()
	_, j, book := capPlan(t, 1, engPrice)
	defer j.Close()
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	unknown := juhe.Outcome{Class: juhe.ClassUnknown, Code: juhe.NoCode, State: juhe.StateNone}
	steps := []struct {
		rec  *journal.Record
		want juhe.Money
	}{
		{&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1, Reserved: engPrice, HasReserved: true}}, engPrice},
		{&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: answerOf(id, unknown)}}, engPrice},
		{&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassNotFound, Code: 210511}}}, engPrice},
		{&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 2, Reserved: engPrice, HasReserved: true}}, engPrice},
		{&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassRejected, Code: 210503}}}, engPrice},
	}
	for i, s := range steps {
		s.rec.At = int64(10 + i)
		if err := appendApply(ctx, j, book, s.rec); err != nil {
			t.Fatal(err)
		}
		o, _ := book.Order(id)
		if got := book.Committed(capPrices); got != s.want {
			t.Errorf("after record %d (%c, status %s): committed %s, want %s", i+1, s.rec.Type, o.Status(), got, s.want)
		}
	}
}

// Two orders sent before and not submitted since (throttled) keep their
// room; their resubmits, reserved at the same moment by two workers, add
// nothing to the worst case, so both fit a cap of exactly two prices. An
// intent being written adds to pending only what it adds to Committed.
func TestSpendCapConcurrentResubmitsFit(t *testing.T) {
	ctx := context.Background()
	_, j, book := capPlan(t, 3, 2*engPrice)
	defer j.Close()
	var ids []string
	for i := 0; i < 2; i++ {
		id := input.OrderID(engBatch, engPhone(i), engPid, 1)
		ids = append(ids, id)
		throttled := juhe.Outcome{Class: juhe.ClassThrottled, Code: 10012, State: juhe.StateNone}
		if err := appendApply(ctx, j, book,
			&journal.Record{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: id, Attempt: 1, Reserved: engPrice, HasReserved: true}},
			&journal.Record{Type: journal.RecSubmit, At: 3, Submit: &journal.SubmitResult{Answer: answerOf(id, throttled)}}); err != nil {
			t.Fatal(err)
		}
	}
	opts := engFast()
	opts.Prices = capPrices
	e := NewEngine(j, book, newScriptedProvider(scriptAccepted, scriptSuccess), opts)
	for _, id := range ids { // neither intent written yet: both pending at once
		o, _ := book.Order(id)
		if _, err := e.reserve(o, &journal.Intent{OrderID: id}); err != nil {
			t.Fatalf("resubmit of %s refused: %v (committed %s, pending %s)", id, err, book.Committed(capPrices), e.pending)
		}
	}
	third, _ := book.Order(input.OrderID(engBatch, engPhone(2), engPid, 1))
	if _, err := e.reserve(third, &journal.Intent{OrderID: third.OrderID}); err == nil {
		t.Errorf("a third order fit under a cap of two")
	}
}

// A refund gives nothing back to the cap, even when the provider shows it
// as a lower cost: a failed order whose query says it consumed 0 (the
// refund made, 订单消耗金额 0) still counts what it was answered before,
// since the refund can come late or not at all; and the next row, which
// does not fit beside it, is not sent.
func TestSpendCapRefundShownAsLowerCost(t *testing.T) {
	ctx := context.Background()
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	intent := func() *journal.Record {
		return &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1, Reserved: engPrice, HasReserved: true}}
	}
	submit := func(c juhe.Class, cost juhe.Money, has bool) *journal.Record {
		return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: c,
			SporderID: "SP" + id[:8], Cost: cost, HasCost: has}}}
	}
	query := func(st juhe.GameState, cost juhe.Money) *journal.Record {
		return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{State: st, Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted,
			SporderID: "SP" + id[:8], Cost: cost, HasCost: true}}}
	}
	for _, tc := range []struct {
		name string
		recs []*journal.Record
	}{
		{"submit's cost, then failed at 0", []*journal.Record{intent(), submit(juhe.ClassAccepted, engPrice, true), query(juhe.StateFailed, 0)}},
		{"charging at its cost, then failed at 0", []*journal.Record{intent(), submit(juhe.ClassUnknown, 0, false),
			query(juhe.StateCharging, engPrice), query(juhe.StateFailed, 0)}},
		{"dearer than the list, then failed cheaper", []*journal.Record{intent(), submit(juhe.ClassAccepted, 30000, true), query(juhe.StateFailed, 1000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, j, book := capPlan(t, 2, engPrice)
			for i, r := range tc.recs {
				r.At = int64(10 + i)
				if err := appendApply(ctx, j, book, r); err != nil {
					t.Fatal(err)
				}
			}
			var most juhe.Money
			for _, r := range tc.recs {
				if r.Submit != nil && r.Submit.HasCost {
					most = max(most, r.Submit.Cost)
				}
				if r.Query != nil {
					most = max(most, r.Query.Cost)
				}
			}
			if got := book.Committed(capPrices); got != most {
				t.Errorf("committed %s after a failure shown at a lower cost, want the %s it was answered", got, most)
			}
			sameCommitted(t, path, book)
			j, book = engReopen(t, path, j)
			defer j.Close()
			f := newScriptedProvider(scriptAccepted, scriptSuccess)
			opts := engFast()
			opts.Workers, opts.Prices = 1, capPrices
			_, err := NewEngine(j, book, f, opts).Submit(ctx)
			if !IsSpendCapHalt(err) || f.ns(input.OrderID(engBatch, engPhone(1), engPid, 1)) != 0 {
				t.Errorf("second row: %v, sent %d times; want a halt at the cap, nothing sent", err, f.ns(input.OrderID(engBatch, engPhone(1), engPid, 1)))
			}
		})
	}
}

// A raise whose M record was torn by a crash is not in force: cut the
// journal at every offset within the record, and the cap is the header's
// again (nothing was sent under the raise: the record is fsynced first);
// a torn intent's reservation is not counted, and nothing else is lost.
func TestSpendCapTornRaise(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "torn.journal")
	j, book, err := CreateJournal(ctx, path, journal.Header{BatchID: engBatch, ToolVersion: "test",
		Settings: map[string]string{SettingMaxSpend: "60.000"}})
	if err != nil {
		t.Fatal(err)
	}
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecIntent, At: 2,
		Intent: &journal.Intent{OrderID: id, Attempt: 1, Reserved: engPrice, HasReserved: true}}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	j, book, err = OpenJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := SetSpendCap(ctx, j, book, 100000); err != nil {
		t.Fatal(err)
	}
	j.Close()
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := len(before); cut < len(after); cut++ {
		p := filepath.Join(dir, fmt.Sprintf("cut%d.journal", cut))
		if err := os.WriteFile(p, after[:cut], 0o600); err != nil {
			t.Fatal(err)
		}
		j, b, err := OpenJournal(ctx, p, nil)
		if err != nil {
			t.Fatalf("cut at %d of %d: %v", cut, len(after), err)
		}
		j.Close()
		if max, ok := b.SpendCap(); !ok || max != 60000 || b.SpendCapChanges() != 0 {
			t.Errorf("cut at %d: cap %s %v (%d changes), want the header's 60.000", cut, max, ok, b.SpendCapChanges())
		}
		if got := b.Committed(nil); got != engPrice {
			t.Errorf("cut at %d: committed %s, want the intent's %s", cut, got, engPrice)
		}
	}
}

// An order whose first answer was lost, that a lookup then said it did
// not have (210511), and whose resubmit was rejected keeps its room: the
// rejection is about the second request, and were the 210511 wrong (a
// lookup lagging behind its charge; a rejection checked before the
// duplicate orderid, as for a number ported in between) the first
// request is charged. The next row, which does not fit beside it, is not
// sent.
func TestSpendCapRejectedResubmitKeepsRoom(t *testing.T) {
	path, j, book := capPlan(t, 2, engPrice)
	defer j.Close()
	first := input.OrderID(engBatch, engPhone(0), engPid, 1)
	f := newScriptedProvider(func(r juhe.SubmitRequest) juhe.Outcome {
		if o, _ := book.Order(r.OrderID); r.OrderID == first && o != nil && o.Intents == 1 {
			return juhe.Outcome{Class: juhe.ClassUnknown, Code: juhe.NoCode, Reason: "timeout", State: juhe.StateNone}
		}
		if r.OrderID == first {
			return juhe.Outcome{Class: juhe.ClassRejected, Code: 210504, Reason: "套餐ID不符合当前手机号", State: juhe.StateNone}
		}
		return scriptAccepted(r)
	}, func(string) juhe.Outcome {
		return juhe.Outcome{Class: juhe.ClassNotFound, Code: 210511, Reason: "订单号错误/不存在", State: juhe.StateNone}
	})
	opts := engFast()
	opts.Workers, opts.Prices = 1, capPrices
	_, err := NewEngine(j, book, f, opts).Submit(context.Background())
	if f.ns(first) != 2 {
		t.Fatalf("row 2 submitted %d times, want 2 (lost, not found, rejected)", f.ns(first))
	}
	if second := input.OrderID(engBatch, engPhone(1), engPid, 1); f.ns(second) != 0 || !IsSpendCapHalt(err) {
		t.Errorf("row 3: sent %d times, %v; want a halt at the cap, nothing sent", f.ns(second), err)
	}
	if got := book.Committed(capPrices); got != engPrice {
		t.Errorf("committed %s, want the first order's %s", got, engPrice)
	}
	sameCommitted(t, path, book)
	// The next run: row 3 still does not fit.
	j, book = engReopen(t, path, j)
	_, err = NewEngine(j, book, f, opts).Submit(context.Background())
	if second := input.OrderID(engBatch, engPhone(1), engPid, 1); f.ns(second) != 0 || !IsSpendCapHalt(err) {
		t.Errorf("resumed: row 3 sent %d times, %v; want a halt at the cap, nothing sent", f.ns(second), err)
	}
}
