package batch

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Settling asks flow/batchquery about up to 50 open orders a request while
// it answers, and flow/ordersta about one order at a time otherwise: for
// every order when batchquery does not answer, for an order a batch
// answer leaves out (absent is not "no such order": only ordersta's
// 210511 says that), names with another sporder_id, or calls a success
// without a cost, and for an order batchquery called "charging"
// crossCheckAfter times since ordersta was last asked about it (a stale
// batch endpoint). Either way the answer is journaled as a query record of
// its own order, vetted the same way (Engine.vet).

// batchUse is whether flow/batchquery answers, for the life of the engine
// (one run): it is used until it refuses (10002, not available, a shape
// that cannot be read) or answers unknown maxBatchUnknowns times in a row.
type batchUse struct {
	off      atomic.Bool
	unknowns atomic.Int32
	// Until one answer was read, one request at a time: a refusal costs
	// one request, not one a worker.
	answered atomic.Bool
	probe    sync.Mutex
}

const (
	// maxBatchUnknowns is how many unknown batchquery answers in a row
	// (HTML pages, 10014, dropped connections) make the run give it up.
	maxBatchUnknowns = 3
	// maxBatchHold is the longest an order due for a query waits for
	// others to share its batchquery request (at most half QueryBackoff).
	maxBatchHold = time.Second
	// crossCheckAfter is how many "charging" answers from flow/batchquery,
	// since ordersta was last asked, make an order's next query a
	// flow/ordersta, vetted as any other answer: a batch
	// endpoint that serves a stale copy would otherwise leave the order
	// open until the wait runs out. Queries of one order are at least
	// QueryInterval apart, so this is once every few intervals (3 minutes
	// at the default); an order settling within three batch answers, as
	// nearly all do, never pays for it, and one charging for long pays
	// one ordersta per four queries.
	crossCheckAfter = 3
)

// batchReason is the reason journaled with a batchquery item.
func batchReason(remark string) string {
	if remark == "" {
		return "flow/batchquery"
	}
	return "flow/batchquery: " + remark
}

// settleItem is one order waiting for its next query.
type settleItem struct {
	id     string
	due    time.Time
	step   int  // queries so far in this session, for the backoff
	idx    int  // position in the heap, -1 while being queried
	nudged bool // a callback arrived while it was being queried
	// charging counts batchquery's "charging" answers since ordersta
	// was last asked about the order (crossCheckAfter).
	charging int
}

// settleHeap orders items by due time: one timer for all orders, so a
// million charging orders cost a heap entry each, not a goroutine each.
type settleHeap []*settleItem

func (h settleHeap) Len() int           { return len(h) }
func (h settleHeap) Less(i, j int) bool { return h[i].due.Before(h[j].due) }
func (h settleHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *settleHeap) Push(x any) {
	it := x.(*settleItem)
	it.idx = len(*h)
	*h = append(*h, it)
}
func (h *settleHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	it.idx = -1
	return it
}

// settleQueue is the schedule of one Settle call.
type settleQueue struct {
	mu       sync.Mutex
	h        settleHeap
	byID     map[string]*settleItem
	inFlight int
	wake     chan struct{} // capacity 1: something changed
}

func (q *settleQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Nudge moves orderID's next query to now, because a callback says its
// state changed. It does nothing unless Settle is running and the order
// is still waiting to become final. It is safe to call from any goroutine.
func (e *Engine) Nudge(orderID string) {
	q := e.settle.Load()
	if q == nil {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	it, ok := q.byID[orderID]
	if !ok {
		return
	}
	if it.idx < 0 {
		it.nudged = true
		return
	}
	it.due = time.Now()
	heap.Fix(&q.h, it.idx)
	q.signal()
}

// Settle queries every order of the latest input that may exist but is
// not final (charging or unknown) until each is final (game_state 1, 9 or
// -1) or wait has passed. An order whose submit was accepted is first
// queried FirstQueryDelay after that answer; each order is queried again
// after QueryInterval or its own backoff, whichever is longer
// (QueryBackoff doubling to MaxQueryBackoff, with jitter); a verified
// callback (Nudge) moves its next query to now. All requests share the
// engine's rate limit. A wait of zero or less queries each open order
// once, now.
//
// Answers are journaled when they change something: the first answer of
// each kind, a new state, cost, sporder_id or code. "Still charging" again
// is not journaled. An order the provider does not have (210511) is
// journaled and counted in Result.NotFound; it is then not submitted, and
// Submit sends it again.
//
// Running out of wait is not an error: the Result says what is open.
// A halt returns a *HaltError, a cancelled ctx its error.
func (e *Engine) Settle(ctx context.Context, wait time.Duration) (Result, error) {
	start := time.Now()
	var res Result
	if err := e.endErr(ctx); err != nil && !IsSpendCapHalt(err) { // queries add nothing to the worst case
		e.mu.Lock()
		res.Totals = e.book.Counts()
		e.mu.Unlock()
		return res, e.withProof(err)
	}
	once := wait <= 0
	q := &settleQueue{byID: make(map[string]*settleItem), wake: make(chan struct{}, 1)}
	wallStart := e.wall()
	e.mu.Lock()
	err := e.book.Orders(func(o *OrderState) error {
		// Orders no longer in the input are settled too: one that may
		// exist must still reach a final state.
		res.Orders++
		if !o.NeedsQuery() {
			res.Skipped++
			return nil
		}
		it := &settleItem{id: o.OrderID, due: start}
		if !once {
			it.due = start.Add(e.firstQueryWait(o, wallStart))
		}
		q.byID[it.id] = it
		q.h = append(q.h, it)
		it.idx = len(q.h) - 1
		return nil
	})
	e.mu.Unlock()
	if err != nil {
		return res, fmt.Errorf("listing orders: %w", err)
	}
	heap.Init(&q.h)
	e.settle.Store(q)
	defer e.settle.Store(nil)

	e.mu.Lock()
	e.prog.seed(e.book.Counts())
	e.mu.Unlock()
	e.prog.Total.Store(int64(len(q.h)))
	e.prog.Done.Store(0)
	e.prog.Start(PhaseSettle)
	defer e.prog.Stop()

	submits0, queries0 := e.prog.Submits.Load(), e.prog.Queries.Load()
	runCtx := ctx
	if !once {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}

	var notFound atomic.Int64
	work := make(chan settleJob)
	var wg sync.WaitGroup
	for range e.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for job := range work {
				verdicts := e.settleJob(runCtx, job)
				q.mu.Lock()
				for k, it := range job.items {
					v := verdicts[k]
					if v.gone {
						notFound.Add(1)
					}
					q.inFlight--
					switch {
					case v.alone:
						it.charging = 0
					case v.charging:
						it.charging++
					}
					if v.again && !once && runCtx.Err() == nil {
						it.step++
						it.due = time.Now().Add(max(e.opts.QueryInterval, e.backoff(it.step-1)))
						if it.nudged {
							it.due = time.Now()
							it.nudged = false
						}
						heap.Push(&q.h, it)
					} else {
						delete(q.byID, it.id)
						if !v.again {
							e.prog.Done.Add(1)
						}
					}
				}
				q.signal()
				q.mu.Unlock()
			}
		}()
	}

	// group gathers due orders for one batchquery request: it leaves with
	// 50, or when no other order comes due within the hold of its first.
	var group []*settleItem
	hold := min(maxBatchHold, e.opts.QueryBackoff/2)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
dispatch:
	for !e.stopped(runCtx) {
		q.mu.Lock()
		if len(q.h) == 0 && q.inFlight == 0 {
			q.mu.Unlock()
			break
		}
		now := time.Now()
		batching := e.batchOn()
		var job settleJob
		for len(job.items) == 0 && len(q.h) > 0 && !q.h[0].due.After(now) {
			it := heap.Pop(&q.h).(*settleItem)
			q.inFlight++
			if !batching || !e.batchable(it.id) || it.charging >= crossCheckAfter {
				job.items = []*settleItem{it}
				continue
			}
			group = append(group, it)
			if len(group) == juhe.MaxBatchQuery {
				job, group = settleJob{items: group, batch: true}, nil
			}
		}
		wait := time.Hour
		switch {
		case len(job.items) > 0:
		case len(group) > 0:
			until := group[0].due.Add(hold)
			if !batching || !now.Before(until) || len(q.h) == 0 || q.h[0].due.After(until) {
				job, group = settleJob{items: group, batch: batching}, nil
			} else {
				wait = min(until.Sub(now), q.h[0].due.Sub(now))
			}
		case len(q.h) > 0:
			wait = q.h[0].due.Sub(now)
		}
		q.mu.Unlock()
		if len(job.items) > 0 {
			select {
			case work <- job:
			case <-runCtx.Done():
				break dispatch
			case <-e.haltCh:
				break dispatch
			}
			continue
		}
		timer.Reset(wait)
		select {
		case <-timer.C:
		case <-q.wake:
		case <-runCtx.Done():
		case <-e.haltCh:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
	close(work)
	wg.Wait()

	res.NotFound = int(notFound.Load())
	res.Submits = e.prog.Submits.Load() - submits0
	res.Queries = e.prog.Queries.Load() - queries0
	res.Duration = time.Since(start)
	e.mu.Lock()
	res.Totals = e.book.Counts()
	e.mu.Unlock()
	if err := e.endErr(ctx); err != nil {
		return res, e.withProof(err)
	}
	return res, nil
}

// firstQueryWait is how long after now (wallNow on e.wall) o is first
// queried: FirstQueryDelay after its accepted submit's answer, when no
// query has answered it yet and no callback came (one that came before
// Settle started brings the query forward as Nudge does); else now. The
// journal keeps the answer's time to the millisecond, rounded down: one
// is added. The journal's times are wall-clock times: a clock that
// stepped back since (or a journal resumed on a machine whose clock is
// behind) never makes the wait longer than FirstQueryDelay.
func (e *Engine) firstQueryWait(o *OrderState, wallNow time.Time) time.Duration {
	if e.opts.FirstQueryDelay <= 0 || o.QueryClass != 0 || o.SubmitClass != juhe.ClassAccepted || o.CallbackAt != 0 {
		return 0
	}
	due := time.UnixMilli(o.LastOutcomeAt).Add(time.Millisecond + e.opts.FirstQueryDelay)
	return min(max(due.Sub(wallNow), 0), e.opts.FirstQueryDelay)
}

// settleJob is the orders of one request: one order for flow/ordersta, or
// up to 50 for flow/batchquery.
type settleJob struct {
	items []*settleItem
	batch bool
}

// settled is what querying an order did: again says it should be queried
// later; gone that the provider has no such order; alone that ordersta
// was asked about it (whatever it answered: an ordersta that does not
// answer is tried again after crossCheckAfter more batch answers),
// charging that a batchquery item said "charging".
type settled struct{ again, gone, alone, charging bool }

func (e *Engine) settleJob(ctx context.Context, job settleJob) []settled {
	if job.batch {
		return e.settleBatch(ctx, job.items)
	}
	v := make([]settled, len(job.items))
	for k, it := range job.items {
		v[k].again, v[k].gone = e.settleOne(ctx, it)
		v[k].alone = true
	}
	return v
}

// batchOn reports whether settling uses flow/batchquery now.
func (e *Engine) batchOn() bool {
	_, ok := e.p.(batchQuerier)
	return ok && !e.batch.off.Load()
}

// batchable reports whether an order may be asked about in a batch: its
// orderid is one batchquery takes, and a sporder_id is known to vet the
// answer with. An order without one is asked with ordersta, whose answer
// naming a first sporder_id is confirmed by a second (queryOnce).
func (e *Engine) batchable(id string) bool {
	o, ok := e.snapshot(id)
	return ok && o.SporderID != "" && juhe.ValidOrderID(id)
}

// batchOff gives flow/batchquery up for the run, saying why once.
func (e *Engine) batchOff(r juhe.Reply) {
	if !e.batch.off.Swap(true) {
		e.opts.Logf(NoteBatchOff, r.String())
	}
}

// settleBatch asks flow/batchquery about items' orders in one request and
// journals each answer as a query of its own order. Orders it cannot
// settle from the answer are queried one by one (settleOne).
func (e *Engine) settleBatch(ctx context.Context, items []*settleItem) []settled {
	v := make([]settled, len(items))
	var ids []string
	var idx []int
	var orders []OrderState
	for k, it := range items {
		o, ok := e.snapshot(it.id)
		if !ok || !o.NeedsQuery() {
			continue
		}
		ids, idx, orders = append(ids, it.id), append(idx, k), append(orders, o)
	}
	if len(ids) == 0 {
		return v
	}
	one := func(k int) {
		v[k].again, v[k].gone = e.settleOne(ctx, items[k])
		v[k].alone = true
	}
	later := func() []settled {
		for _, k := range idx {
			v[k].again = true
		}
		return v
	}
	alone := func() []settled {
		for _, k := range idx {
			one(k)
		}
		return v
	}
	if !e.batch.answered.Load() {
		e.batch.probe.Lock()
		defer e.batch.probe.Unlock()
		if e.batch.off.Load() {
			return alone()
		}
	}
	if e.permit(ctx) != nil {
		return later()
	}
	e.prog.Queries.Add(1)
	sent, wallSent := time.Now(), e.wall()
	res, r := e.p.(batchQuerier).BatchQuery(context.WithoutCancel(ctx), ids)
	first := &orders[0]
	switch r.Status {
	case juhe.ReplyOK:
		e.batch.answered.Store(true)
		e.batch.unknowns.Store(0)
		e.afterAnswer(first, juhe.Outcome{Class: juhe.ClassAccepted, Code: r.Code})
	case juhe.ReplyThrottled:
		e.afterAnswer(first, juhe.Outcome{Class: juhe.ClassThrottled, Code: r.Code, Reason: r.Reason})
		return later()
	case juhe.ReplyUnknown:
		// As for any request: nothing was learnt, ask again later; a
		// batchquery that keeps not answering is given up.
		e.prog.Unknown.Add(1)
		e.afterAnswer(first, juhe.Outcome{Class: juhe.ClassUnknown, Code: r.Code})
		if e.batch.unknowns.Add(1) < maxBatchUnknowns {
			return later()
		}
		e.batchOff(r)
		return alone()
	case juhe.ReplyRejected:
		return alone() // not sent as asked: these orders alone
	default: // not available, refused
		e.batchOff(r)
		return alone()
	}
	if res.DroppedCount > 0 && len(res.Dropped) > 0 {
		e.opts.Logf(NoteBatchDropped, res.DroppedCount, res.Dropped[0])
	}
	for j, k := range idx {
		o := &orders[j]
		item, ok := res.Items[o.OrderID]
		if !ok {
			one(k) // absent: only ordersta's 210511 says "no such order"
			continue
		}
		out := e.vet(o, batchOutcome(item, r))
		switch {
		case out.Foreign != "":
			// Journaled, so that the book flags it; ordersta then
			// says what is true of this order.
			if _, err := e.recordQuery(ctx, o, out, sent, wallSent); err != nil {
				v[k].again = true
				continue
			}
			one(k)
		case out.State == juhe.StateSuccess && !out.HasCost && !o.SubmitHasCost:
			// A success without a cost is never recorded as 0: ordersta
			// gives the cost.
			one(k)
		default:
			got, err := e.recordQuery(ctx, o, out, sent, wallSent)
			if err != nil {
				v[k].again = true
				continue
			}
			e.prog.Accepted.Add(1)
			v[k].again = !got.State.Final()
			v[k].charging = got.Class == juhe.ClassAccepted && got.State == juhe.StateCharging
		}
	}
	return v
}

// batchOutcome is a batchquery item as the answer of a query of its
// order. A -1 (提交充值失败) was never charged: a cost beside it is not kept.
// A cost of 0 is no cost ("sometimes uordercash": an answer may fill the
// field it does not know with 0), so a success at 0 takes its cost from
// the submit or from ordersta, never 0.
func batchOutcome(it juhe.BatchItem, r juhe.Reply) juhe.Outcome {
	out := juhe.Outcome{Class: juhe.ClassAccepted, Code: r.Code, HTTPStatus: r.HTTPStatus, Reason: batchReason(it.StateRemark),
		SporderID: it.SporderID, State: it.State, Cost: it.Cost, HasCost: it.HasCost}
	if it.State == juhe.StateSubmitFailed || it.Cost == 0 {
		out.Cost, out.HasCost = 0, false
	}
	return out
}

// settleOne queries one order once with flow/ordersta. again says it
// should be queried later; gone that the provider has no such order.
func (e *Engine) settleOne(ctx context.Context, it *settleItem) (again, gone bool) {
	o, ok := e.snapshot(it.id)
	if !ok || !o.NeedsQuery() {
		return false, false
	}
	out, err := e.queryOnce(ctx, &o)
	if err != nil {
		return true, false
	}
	switch out.Class {
	case juhe.ClassAccepted:
		e.prog.Accepted.Add(1)
		return !out.State.Final(), false
	case juhe.ClassNotFound:
		e.opts.Logf(NoteNotFound, journal.Thousands(o.Line), o.OrderID)
		return false, true
	case juhe.ClassHalt:
		return false, false
	}
	e.prog.Unknown.Add(1)
	return true, false
}
