package batch

import (
	"container/heap"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// settleItem is one order waiting for its next query.
type settleItem struct {
	id     string
	due    time.Time
	step   int  // queries so far in this session, for the backoff
	idx    int  // position in the heap, -1 while being queried
	nudged bool // a callback arrived while it was being queried
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
// not final (charging or unknown) until each is final (game_state 1 or 9)
// or wait has passed. Each order is queried again after its own backoff
// (QueryBackoff doubling to MaxQueryBackoff, with jitter); all queries
// share the engine's rate limit. A wait of zero or less queries each
// open order once.
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
	q := &settleQueue{byID: make(map[string]*settleItem), wake: make(chan struct{}, 1)}
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
		q.byID[it.id] = it
		q.h = append(q.h, it)
		it.idx = len(q.h) - 1
		return nil
	})
	e.mu.Unlock()
	if err != nil {
		return res, fmt.Errorf("listing orders: %w", err)
	}
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
	once := wait <= 0
	runCtx := ctx
	if !once {
		var cancel context.CancelFunc
		runCtx, cancel = context.WithTimeout(ctx, wait)
		defer cancel()
	}

	var notFound int
	var nfMu sync.Mutex
	work := make(chan *settleItem)
	var wg sync.WaitGroup
	for range e.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				again, gone := e.settleOne(runCtx, it)
				if gone {
					nfMu.Lock()
					notFound++
					nfMu.Unlock()
				}
				q.mu.Lock()
				q.inFlight--
				if again && !once && runCtx.Err() == nil {
					it.step++
					it.due = time.Now().Add(e.backoff(it.step - 1))
					if it.nudged {
						it.due = time.Now()
						it.nudged = false
					}
					heap.Push(&q.h, it)
				} else {
					delete(q.byID, it.id)
					if !again {
						e.prog.Done.Add(1)
					}
				}
				q.signal()
				q.mu.Unlock()
			}
		}()
	}

	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
dispatch:
	for !e.stopped(runCtx) {
		q.mu.Lock()
		if len(q.h) == 0 && q.inFlight == 0 {
			q.mu.Unlock()
			break
		}
		wait := time.Hour
		if len(q.h) > 0 {
			top := q.h[0]
			if d := time.Until(top.due); d > 0 {
				wait = d
			} else {
				heap.Pop(&q.h)
				q.inFlight++
				q.mu.Unlock()
				select {
				case work <- top:
				case <-runCtx.Done():
					break dispatch
				case <-e.haltCh:
					break dispatch
				}
				continue
			}
		}
		q.mu.Unlock()
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

	res.NotFound = notFound
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

// settleOne queries one order once. again says it should be queried
// later; gone that the provider has no such order.
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
		e.opts.Logf("row %s: order %s: the provider has no such order; it will be submitted again by submit or run",
			journal.Thousands(o.Line), o.OrderID)
		return false, true
	case juhe.ClassHalt:
		return false, false
	}
	e.prog.Unknown.Add(1)
	return true, false
}
