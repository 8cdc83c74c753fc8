package batch

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Progress holds the counters of a running submit or settle. Workers bump
// them atomically, one count per event: a request is counted once, as a
// submit or as a query. What is drawn from them is the caller's: Screen,
// when set, is told when a phase starts and when it ends, and reads the
// counters as it likes. A Result never depends on what was drawn.
//
// Total and Done count the phase's orders, Done never above Total.
// Success, Failed and Spent are the batch's so far (the latest input's
// rows, whatever run charged them): they carry over from phase to phase
// and from an earlier run, and move as the journal does.
type Progress struct {
	Total     atomic.Int64 // orders to handle
	Done      atomic.Int64 // orders handled (including those already done before)
	Accepted  atomic.Int64 // answers: order exists
	Rejected  atomic.Int64 // answers: definitively not created
	Unknown   atomic.Int64 // answers: may exist, resolved by query
	Throttled atomic.Int64 // answers: over a rate limit
	Submits   atomic.Int64 // submit requests sent
	Queries   atomic.Int64 // query requests sent

	Success atomic.Int64 // rows in state success
	Failed  atomic.Int64 // rows in state failed
	Spent   atomic.Int64 // juhe.Money (厘): the cost of the success rows

	// Screen draws the counters; nil draws nothing.
	Screen Screen

	mu      sync.Mutex
	verb    string
	started time.Time
	base    int64 // Done when the phase started: work of an earlier run
}

// Screen is what draws a Progress (package main's bar and plain lines).
type Screen interface {
	Start(p *Progress) // a phase began: draw until Stop
	Stop()             // draw a last time and return once drawing ended
}

// The phases' verbs, as Phase names them.
const (
	PhaseSubmit = "submitted"
	PhaseSettle = "settled"
)

// Requests is every request sent, submits and queries.
func (p *Progress) Requests() int64 { return p.Submits.Load() + p.Queries.Load() }

// Phase names the running phase (PhaseSubmit, PhaseSettle) and when it began.
func (p *Progress) Phase() (verb string, started time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.verb, p.started
}

// Base is how many of Done were done when the phase started: an ETA
// counts only the work since (a resume's rate is not its skipped rows).
func (p *Progress) Base() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.base
}

// Spend is Spent as money.
func (p *Progress) Spend() juhe.Money { return juhe.Money(p.Spent.Load()) }

// Start begins a phase; verb names the work (PhaseSubmit, PhaseSettle).
// Total and Done are set before. Stop must be called before Start again.
func (p *Progress) Start(verb string) {
	p.mu.Lock()
	p.verb = verb
	p.started = time.Now()
	p.base = p.Done.Load()
	p.mu.Unlock()
	// Each phase (submitting, settling) counts its own answers.
	p.Accepted.Store(0)
	p.Rejected.Store(0)
	p.Unknown.Store(0)
	p.Throttled.Store(0)
	if p.Screen != nil {
		p.Screen.Start(p)
	}
}

// Stop ends the phase: the screen draws a last time.
func (p *Progress) Stop() {
	if p.Screen != nil {
		p.Screen.Stop()
	}
}

// seed sets the batch's tallies from the book's totals.
func (p *Progress) seed(t Totals) {
	p.Success.Store(int64(t.ByStatus[StatusSuccess]))
	p.Failed.Store(int64(t.ByStatus[StatusFailed]))
	p.Spent.Store(int64(t.Spend))
}

// tally is what the tallies count of one order.
type tally struct {
	status Status
	cost   juhe.Money
	in     bool // a row of the latest input
}

// move takes an order's change from before to after into the tallies.
func (p *Progress) move(before, after tally) {
	if before == after {
		return
	}
	p.add(before, -1)
	p.add(after, 1)
}

func (p *Progress) add(t tally, sign int64) {
	if !t.in {
		return
	}
	switch t.status {
	case StatusSuccess:
		p.Success.Add(sign)
		p.Spent.Add(sign * int64(t.cost))
	case StatusFailed:
		p.Failed.Add(sign)
	}
}

// tallyOf is what the tallies count of the order with orderid id.
func (b *Book) tallyOf(id string) tally {
	if id == "" {
		return tally{}
	}
	var key order
	i, ok := b.find([]byte(id), &key)
	if !ok {
		return tally{}
	}
	c, has := b.cost(i)
	if !has {
		c = 0
	}
	return tally{status: b.status(i), cost: c, in: b.orders[i].flags&fInInput != 0}
}

// recordOrderID is the orderid a record is about, "" for none.
func recordOrderID(r *journal.Record) string {
	switch {
	case r.Intent != nil:
		return r.Intent.OrderID
	case r.Submit != nil:
		return r.Submit.OrderID
	case r.Query != nil:
		return r.Query.OrderID
	case r.Callback != nil:
		return r.Callback.OrderID
	}
	return ""
}
