package batch

import (
	"sync"
	"sync/atomic"
	"time"
)

// Progress holds the counters of a running submit or settle. Workers bump
// them atomically, one count per event: a request is counted once, as a
// submit or as a query. What is drawn from them is the caller's: Screen,
// when set, is told when a phase starts and when it ends, and reads the
// counters as it likes. A Result never depends on what was drawn.
type Progress struct {
	Total     atomic.Int64 // orders to handle
	Done      atomic.Int64 // orders handled (including those already done before)
	Accepted  atomic.Int64 // answers: order exists
	Rejected  atomic.Int64 // answers: definitively not created
	Unknown   atomic.Int64 // answers: may exist, resolved by query
	Throttled atomic.Int64 // answers: over a rate limit
	Submits   atomic.Int64 // submit requests sent
	Queries   atomic.Int64 // query requests sent

	// Screen draws the counters; nil draws nothing.
	Screen Screen

	mu      sync.Mutex
	verb    string
	started time.Time
}

// Screen is what draws a Progress (package main's bar and plain lines).
type Screen interface {
	Start(p *Progress) // a phase began: draw until Stop
	Stop()             // draw a last time and return once drawing ended
}

// Requests is every request sent, submits and queries.
func (p *Progress) Requests() int64 { return p.Submits.Load() + p.Queries.Load() }

// Phase names the running phase ("submitted", "settled") and when it began.
func (p *Progress) Phase() (verb string, started time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.verb, p.started
}

// Start begins a phase; verb names the work ("submitted", "settled").
// Stop must be called before Start again.
func (p *Progress) Start(verb string) {
	p.mu.Lock()
	p.verb = verb
	p.started = time.Now()
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
