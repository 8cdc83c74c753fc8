package batch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// provider is what the engine needs from the provider; *juhe.Client is one.
// Neither method returns an error: every failure is an Outcome.
type provider interface {
	Submit(ctx context.Context, r juhe.SubmitRequest) juhe.Outcome
	Query(ctx context.Context, orderID string) juhe.Outcome
}

// batchQuerier is a provider that may answer flow/batchquery; Settle uses
// it while it answers (settle.go).
type batchQuerier interface {
	BatchQuery(ctx context.Context, orderIDs []string) (juhe.BatchResult, juhe.Reply)
}

// EngineOptions tune an Engine. Zero values take the defaults.
type EngineOptions struct {
	// Rate is requests per second to the provider, submits and queries
	// together, over all workers. Default 10.
	Rate float64
	// Workers is how many requests may be in flight at once. Default:
	// Rate/4, at least 8, at most 64. The limiter never saves up permits
	// (burst 1), so a permit no worker is waiting for is lost: with a
	// journal fsync on each side of a request, 8 workers reach only about
	// 96/s at Rate 100; 25 reach 99.9/s.
	Workers int
	// CBURL is passed to the provider with every submit when set.
	CBURL string

	// QueryBackoff is the first delay before an order is queried again;
	// it doubles per attempt up to MaxQueryBackoff. Each delay is drawn
	// uniformly from [d/2, d]. Defaults 2s and 60s. Throttled submits
	// back off the same way.
	QueryBackoff    time.Duration
	MaxQueryBackoff time.Duration
	// ThrottleHaltAfter halts when every answer has been "throttled" for
	// this long: the limit is probably a daily quota. Default 5m.
	ThrottleHaltAfter time.Duration
	// MaxResubmits bounds how often one run submits an orderid again after
	// queries answered 210511; the order is then left for the next run.
	// Default 5.
	MaxResubmits int
	// ResubmitGrace: a 210511 counts as "no such order" only when the
	// query left at least this long after the last attempt with the
	// orderid ended (with its answer, or with its timeout). Until then it
	// is journaled as unknown, "not found yet". Default: the journal
	// header's resubmit-grace setting, else DefaultResubmitGrace.
	ResubmitGrace time.Duration
	// RequestTimeout is the longest one request can take (the client's
	// timeout). A request leaves within it of its intent, or not at all,
	// so an attempt whose answer never came (a crash) ended at the latest
	// twice this long after its intent. Default: the provider's
	// Timeout() when it has one, else juhe.DefaultTimeout.
	RequestTimeout time.Duration
	// FirstQueryDelay is how long after an accepted submit Settle first
	// queries the order, and QueryInterval the least time between two
	// queries of one order while settling (QueryBackoff may make it
	// longer). A verified callback moves an order's next query to now.
	// Zero: the journal header's setting, else DefaultFirstQueryDelay and
	// DefaultQueryInterval; negative: none.
	FirstQueryDelay time.Duration
	QueryInterval   time.Duration
	// MaxUnknownQueries bounds how often Submit queries one order whose
	// answers stay unknown before it moves on and leaves the order to
	// Settle (default 5), so a provider that cannot answer queries for a
	// few orders does not stop every other row from being submitted.
	MaxUnknownQueries int

	// Prices are the catalogue's, per pid: under the journal's spending
	// cap (Book.SpendCap) each submit is reserved at Book.Price, the
	// higher of this and the highest the journal saw for the pid. A
	// request whose pid has no price at all is not sent under a cap.
	Prices map[string]juhe.Money

	// Progress receives the counters; nil keeps them private.
	Progress *Progress
	// Logf receives notes for the operator, each a format of Notes; nil
	// discards them.
	Logf func(format string, args ...any)
}

// DefaultResubmitGrace is the default EngineOptions.ResubmitGrace. A
// provider whose lookup and duplicate check lag behind its charge answers
// 210511 for an order it has just charged, and charges a resubmit again.
// Other top-up providers ask for a minute before the first query of an
// order; two minutes is twice that, and short beside a batch of any size.
const DefaultResubmitGrace = 2 * time.Minute

// SettingResubmitGrace names the journal header setting that records the
// grace period a batch was started with.
const SettingResubmitGrace = "resubmit-grace"

// The polite query settings (NOTES.md): other top-up providers ask for a
// minute after a submit before the first query, and at least 60 s between
// queries of one order; some ban an IP that polls harder. Nothing public
// says Juhe's limit.
const (
	DefaultFirstQueryDelay = time.Minute
	DefaultQueryInterval   = time.Minute
	// SettingFirstQuery and SettingQueryInterval name the journal header
	// settings that record them.
	SettingFirstQuery    = "first-query"
	SettingQueryInterval = "query-interval"
)

// politeSetting resolves a polite setting: the option when set (negative:
// none), else the header's, else def.
func politeSetting(opt time.Duration, settings map[string]string, name string, def time.Duration) time.Duration {
	if opt != 0 {
		return max(opt, 0)
	}
	if d, err := time.ParseDuration(settings[name]); err == nil && d >= 0 {
		return d
	}
	return def
}

func (o *EngineOptions) defaults() {
	if !(o.Rate > 0) { // also NaN
		o.Rate = 10
	}
	if o.Workers <= 0 {
		o.Workers = min(max(8, int(math.Ceil(o.Rate/4))), 64)
	}
	if o.QueryBackoff <= 0 {
		o.QueryBackoff = 2 * time.Second
	}
	if o.MaxQueryBackoff <= 0 {
		o.MaxQueryBackoff = 60 * time.Second
	}
	if o.MaxQueryBackoff < o.QueryBackoff {
		o.MaxQueryBackoff = o.QueryBackoff
	}
	if o.ThrottleHaltAfter <= 0 {
		o.ThrottleHaltAfter = 5 * time.Minute
	}
	if o.MaxUnknownQueries <= 0 {
		o.MaxUnknownQueries = 5
	}
	if o.MaxResubmits <= 0 {
		o.MaxResubmits = 5
	}
	if o.ResubmitGrace <= 0 {
		o.ResubmitGrace = DefaultResubmitGrace
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = juhe.DefaultTimeout
	}
	if o.Progress == nil {
		o.Progress = &Progress{}
	}
	if o.Logf == nil {
		o.Logf = func(string, ...any) {}
	}
}

// Engine submits and settles the orders of one journal. It is the only
// writer of the journal's Book while it runs, and guards it.
//
// A halt is sticky: once the provider said stop, every later Submit or
// Settle of the same Engine returns the same *HaltError without sending.
// A halt at the spending cap is sticky too, but stops only what would add
// to the worst case: orders sent before are still queried, and submitted
// again with their orderid when the provider settles on "no such order"
// (the same order, already counted); Submit and Settle then return it.
type Engine struct {
	j    *journal.Journal
	book *Book
	p    provider
	opts EngineOptions
	lim  *limiter
	prog *Progress

	mu sync.Mutex // guards book, pending and pendingIDs
	// pending is what the intents reserved against the spending cap, and
	// not in the book yet (being written), add to Book.Committed: reserve
	// adds, append takes it away once the intent is applied. pendingIDs
	// are their orders.
	pending    juhe.Money
	pendingIDs map[string]bool

	haltMu sync.Mutex
	halt   *HaltError
	haltCh chan struct{} // closed on halt
	// capHalt is the halt at the spending cap: no new request is
	// reserved, but those already reserved (their intents written) still
	// leave, since they fit. capCh is closed with it.
	capHalt *HaltError
	capCh   chan struct{}
	fatal   error // a journal write failed

	throttleMu    sync.Mutex
	throttleSince time.Time // start of an unbroken run of throttled answers

	settle atomic.Pointer[settleQueue] // set while Settle runs
	batch  batchUse                    // whether flow/batchquery answers (settle.go)

	// wall is the clock of the journal's At fields: a wall clock, which
	// may jump. Waits within this process are measured on the monotonic
	// clock (ended). Tests move wall.
	wall    func() time.Time
	endedMu sync.Mutex
	ended   map[string]attemptEnd // unknown attempts this process saw end

	unsentMu sync.Mutex
	unsent   map[string]int // orderid → its intents, the latest never sent (a halt came first)
}

// attemptEnd is when this process saw an order's attempt end (with a
// monotonic reading), and how many intents the order had then.
type attemptEnd struct {
	at      time.Time
	intents int
}

// NewEngine returns an engine that writes to j, keeps book up to date
// and sends through p (usually a *juhe.Client).
func NewEngine(j *journal.Journal, book *Book, p provider, opts EngineOptions) *Engine {
	if opts.ResubmitGrace <= 0 {
		if d, err := time.ParseDuration(book.Header.Settings[SettingResubmitGrace]); err == nil && d > 0 {
			opts.ResubmitGrace = d
		}
	}
	opts.FirstQueryDelay = politeSetting(opts.FirstQueryDelay, book.Header.Settings, SettingFirstQuery, DefaultFirstQueryDelay)
	opts.QueryInterval = politeSetting(opts.QueryInterval, book.Header.Settings, SettingQueryInterval, DefaultQueryInterval)
	if t, ok := p.(interface{ Timeout() time.Duration }); ok && opts.RequestTimeout <= 0 {
		opts.RequestTimeout = t.Timeout()
	}
	opts.defaults()
	return &Engine{
		j:      j,
		book:   book,
		p:      p,
		opts:   opts,
		lim:    newLimiter(opts.Rate, nil),
		prog:   opts.Progress,
		haltCh: make(chan struct{}),
		capCh:  make(chan struct{}),
		wall:   time.Now,
		ended:  make(map[string]attemptEnd),
		unsent: make(map[string]int),
	}
}

// HaltError says the provider answered that nothing will succeed until a
// person acts (balance, key, sign, ban, maintenance, quota). Nothing more
// was sent after it.
type HaltError struct {
	Line    int    // input row of the order that got the answer
	OrderID string // that order
	Code    int    // the provider's code, juhe.NoCode when none
	Reason  string // what happened, e.g. "balance insufficient"
	Advice  string // what to do, e.g. "top up, then run the same command again"

	// SpendCap is set when the halt is the batch's spending cap: the
	// next request did not fit under it.
	SpendCap *CapHalt

	// NothingCharged says the journal proves that no order of the batch
	// was charged: every request sent has its answer, each one a refusal
	// that created no order, and no order is unknown, charging or final.
	NothingCharged bool
}

// withProof is err, a halt with NothingCharged set from the book as it
// stands; any other error as it is.
func (e *Engine) withProof(err error) error {
	var h *HaltError
	if !errors.As(err, &h) {
		return err
	}
	c := *h
	c.NothingCharged = e.nothingCharged()
	return &c
}

// nothingCharged reports whether no order of the journal exists or may
// exist: each is not submitted (never sent, or its submit refused by a
// halt or a throttle), rejected or invalid, or unknown only because its
// latest intent is one whose request this process never sent (the halt
// came first; see submitOnce); and none had an attempt that ended
// without an answer (OrderState.SettledNotFound).
func (e *Engine) nothingCharged() bool {
	e.unsentMu.Lock()
	defer e.unsentMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	none := true
	e.book.Orders(func(o *OrderState) error {
		switch o.Status() {
		case StatusSuccess, StatusFailed, StatusCharging:
			none = false
		case StatusUnknown:
			if n, ok := e.unsent[o.OrderID]; !ok || n != o.Intents || o.Exists {
				none = false
			}
		case StatusNotSubmitted, StatusRejected:
			// An attempt that ended unanswered and was settled by a
			// 210511 only: the lookup lets the orderid be sent again,
			// it proves nothing about a charge.
			if o.SettledNotFound() {
				none = false
			}
		}
		return nil
	})
	return none
}

// noteUnsent remembers that the latest intent of orderID was never sent.
func (e *Engine) noteUnsent(orderID string) {
	o, ok := e.snapshot(orderID)
	if !ok {
		return
	}
	e.unsentMu.Lock()
	e.unsent[orderID] = o.Intents
	e.unsentMu.Unlock()
}

func (e *HaltError) Error() string {
	var b strings.Builder
	b.WriteString(e.Reason)
	if e.Code != juhe.NoCode && e.Code != 0 {
		fmt.Fprintf(&b, " (%d)", e.Code)
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, " at row %s", journal.Thousands(e.Line))
	}
	if e.Advice != "" {
		b.WriteString(": ")
		b.WriteString(e.Advice)
	}
	return b.String()
}

func newHaltError(o *OrderState, out juhe.Outcome) *HaltError {
	h := &HaltError{Line: o.Line, OrderID: o.OrderID, Code: out.Code, Reason: out.Reason}
	if c, ok := juhe.LookupCode(out.Code); ok && c.Why != "" {
		reason, advice, ok := strings.Cut(c.Why, ": ")
		h.Reason = reason
		if ok {
			h.Advice = advice
		}
	}
	if h.Reason == "" {
		h.Reason = "the provider said stop"
	}
	switch {
	case h.Advice == "":
		h.Advice = "fix it, then run the same command again"
	case strings.Contains(h.Advice, "run again"):
		h.Advice = strings.Replace(h.Advice, "run again", "run the same command again", 1)
	case !strings.Contains(h.Advice, "run"):
		h.Advice += ", then run the same command again"
	}
	return h
}

// Result is what a Submit or Settle did, and where the batch stands.
type Result struct {
	Totals   Totals        // the book's control totals at the end
	Orders   int           // orders of the latest input this call looked at
	Skipped  int           // of those, already done when it started
	Submits  int64         // submit requests sent
	Queries  int64         // query requests sent: flow/ordersta and flow/batchquery
	NotFound int           // Settle: orders the provider does not have; submit them again
	Duration time.Duration // wall time of the call
}

// Requests is every request sent.
func (r Result) Requests() int64 { return r.Submits + r.Queries }

// Open is the number of input rows not in a final state.
func (r Result) Open() int { return r.Totals.OpenCount }

// Unsubmitted is the number of rows without a definitive submit outcome:
// unknown, or not submitted yet.
func (r Result) Unsubmitted() int {
	return r.Totals.ByStatus[StatusUnknown] + r.Totals.ByStatus[StatusNotSubmitted]
}

// errStopped ends an order's work when the run stops (ctx done or halt).
var errStopped = errors.New("stopped")

// errLate: an intent's permit did not come within RequestTimeout of it, so
// its request was not sent; the order is submitted again with a new intent.
var errLate = errors.New("no permit within the request timeout of the intent")

func (e *Engine) triggerHalt(h *HaltError) {
	e.haltMu.Lock()
	defer e.haltMu.Unlock()
	if e.halt != nil || e.fatal != nil {
		return
	}
	e.halt = h
	close(e.haltCh)
}

// triggerCap stops new reservations; see capHalt.
func (e *Engine) triggerCap(h *HaltError) {
	e.haltMu.Lock()
	defer e.haltMu.Unlock()
	if e.capHalt != nil {
		return
	}
	e.capHalt = h
	close(e.capCh)
}

// IsSpendCapHalt reports whether err is a halt at the spending cap,
// after which the orders sent before may still be settled.
func IsSpendCapHalt(err error) bool {
	var h *HaltError
	return errors.As(err, &h) && h.SpendCap != nil
}

// capped reports whether the spending cap stopped new requests.
func (e *Engine) capped() bool {
	select {
	case <-e.capCh:
		return true
	default:
		return false
	}
}

func (e *Engine) triggerFatal(err error) {
	e.haltMu.Lock()
	defer e.haltMu.Unlock()
	if e.fatal != nil {
		return
	}
	e.fatal = err
	if e.halt == nil {
		close(e.haltCh)
	}
}

// stopped reports whether no new request may leave.
func (e *Engine) stopped(ctx context.Context) bool {
	select {
	case <-e.haltCh:
		return true
	default:
		return ctx.Err() != nil
	}
}

// endErr is the error a run ends with: fatal journal error, halt, the
// spending cap, ctx.
func (e *Engine) endErr(ctx context.Context) error {
	e.haltMu.Lock()
	defer e.haltMu.Unlock()
	switch {
	case e.fatal != nil:
		return e.fatal
	case e.halt != nil:
		return e.halt
	case e.capHalt != nil:
		return e.capHalt
	}
	return ctx.Err()
}

// append writes recs (fsynced) and folds them into the book. The write
// runs on a context that a Ctrl-C does not cancel: an answer that came
// back is never lost.
func (e *Engine) append(ctx context.Context, recs ...*journal.Record) error {
	return e.appendReserved(ctx, 0, recs...)
}

// appendReserved is append for the intent of an order that reserve
// added reserved to pending for: the reservation moves from pending into
// the book in one step.
func (e *Engine) appendReserved(ctx context.Context, reserved juhe.Money, recs ...*journal.Record) error {
	now := e.wall().UnixMilli()
	for _, r := range recs {
		if r.At == 0 {
			r.At = now
		}
	}
	if err := e.j.Append(context.WithoutCancel(ctx), recs...); err != nil {
		err = fmt.Errorf("writing the journal: %w", err)
		e.triggerFatal(err) // first: nothing leaves after it, so the reservation may go
		e.mu.Lock()
		e.release(recs, reserved)
		e.mu.Unlock()
		return err
	}
	e.mu.Lock()
	for _, r := range recs {
		id := recordOrderID(r)
		before := e.book.tallyOf(id)
		e.book.Apply(r)
		e.prog.move(before, e.book.tallyOf(id))
	}
	e.release(recs, reserved)
	e.mu.Unlock()
	return nil
}

// snapshot copies an order's state under the lock.
func (e *Engine) snapshot(orderID string) (OrderState, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	o, ok := e.book.Order(orderID)
	if !ok {
		return OrderState{}, false
	}
	return *o, true
}

// permit waits for the rate limiter, then reports whether the request may
// still leave (no halt, ctx not done).
func (e *Engine) permit(ctx context.Context) error {
	if err := e.lim.Wait(ctx); err != nil {
		return errStopped
	}
	if e.stopped(ctx) {
		return errStopped
	}
	return nil
}

// permitInFlight waits for a permit for a request whose intent is already
// on disk: a cancelled ctx does not stop the wait, a halt does (errStopped),
// and so does the deadline (errLate).
func (e *Engine) permitInFlight(ctx context.Context, deadline time.Time) error {
	wctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	go func() {
		select {
		case <-e.haltCh:
			cancel()
		case <-wctx.Done():
		}
	}()
	if err := e.lim.Wait(wctx); err != nil {
		if e.stopped(ctx) {
			return errStopped
		}
		return errLate
	}
	return nil
}

// noteAnswer feeds AIMD and the persistent-throttle halt. It returns a
// halt when the provider has throttled without a break for too long.
func (e *Engine) noteAnswer(o *OrderState, out juhe.Outcome) *HaltError {
	e.throttleMu.Lock()
	defer e.throttleMu.Unlock()
	if out.Class != juhe.ClassThrottled {
		e.throttleSince = time.Time{}
		return nil
	}
	e.prog.Throttled.Add(1)
	e.lim.Throttled()
	now := time.Now()
	if e.throttleSince.IsZero() {
		e.throttleSince = now
		return nil
	}
	if now.Sub(e.throttleSince) < e.opts.ThrottleHaltAfter {
		return nil
	}
	return &HaltError{
		Line: o.Line, OrderID: o.OrderID, Code: out.Code,
		Reason: fmt.Sprintf("the provider keeps throttling (every answer for %s): maybe a daily quota", roundDuration(e.opts.ThrottleHaltAfter)),
		Advice: "wait until the limit resets, then run the same command again",
	}
}

// backoff is the delay before the n-th retry (n from 0): QueryBackoff
// doubling up to MaxQueryBackoff, drawn uniformly from [d/2, d].
func (e *Engine) backoff(n int) time.Duration {
	d := e.opts.QueryBackoff
	for i := 0; i < n && d < e.opts.MaxQueryBackoff; i++ {
		d *= 2
	}
	d = min(d, e.opts.MaxQueryBackoff)
	return d/2 + rand.N(d/2+1)
}

// sleep waits d, or until the run stops.
func (e *Engine) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
	case <-e.haltCh:
	}
	return errStopped
}

// Submit sends every order of the latest input that needs it, in input
// order: an order never sent is submitted; an order with an intent but
// no definitive outcome is queried first; a final, charging or rejected
// order is skipped.
//
// It returns when every order has been handled, or soon after ctx is done
// or the provider said halt: no new order is started then, requests in
// flight finish and their answers are journaled. A halt returns a
// *HaltError, a cancelled ctx its error; the Result is valid either way.
func (e *Engine) Submit(ctx context.Context) (Result, error) {
	start := time.Now()
	var ids []string
	var res Result
	e.mu.Lock()
	err := e.book.Orders(func(o *OrderState) error {
		if !o.InInput {
			return nil
		}
		res.Orders++
		if submitDone(o) {
			res.Skipped++
			return nil
		}
		ids = append(ids, o.OrderID)
		return nil
	})
	e.mu.Unlock()
	if err != nil {
		return res, fmt.Errorf("listing orders: %w", err)
	}
	e.mu.Lock()
	e.prog.seed(e.book.Counts())
	e.mu.Unlock()
	e.prog.Total.Store(int64(res.Orders))
	e.prog.Done.Store(int64(res.Skipped))
	e.prog.Start(PhaseSubmit)
	defer e.prog.Stop()

	submits0, queries0 := e.prog.Submits.Load(), e.prog.Queries.Load()
	// An order whose 210511 came within the grace period is set aside and
	// taken again when it is due, so that waiting holds up no other row.
	// Submit ends only when no order waits any more.
	round := make([]waiting, len(ids))
	for i, id := range ids {
		round[i] = waiting{id: id}
	}
	for len(round) > 0 && !e.stopped(ctx) {
		round = e.submitRound(ctx, round)
	}
	res.Submits = e.prog.Submits.Load() - submits0
	res.Queries = e.prog.Queries.Load() - queries0
	res.Duration = time.Since(start)
	e.mu.Lock()
	res.Totals = e.book.Counts()
	e.mu.Unlock()
	return res, e.withProof(e.endErr(ctx))
}

// waiting is an order Submit takes again at due (zero: now); step counts
// the times it was set aside, for the backoff, resubmits the submits this
// run sent it again after a 210511 and unknowns its queries that got no
// answer: the bounds hold across waits.
type waiting struct {
	id        string
	due       time.Time
	step      int
	resubmits int
	unknowns  int
}

// submitRound runs the orders of one round through the workers, each when
// it is due, in the order given, and returns those set aside again.
func (e *Engine) submitRound(ctx context.Context, round []waiting) []waiting {
	slices.SortStableFunc(round, func(a, b waiting) int { return a.due.Compare(b.due) })
	var mu sync.Mutex
	var next []waiting
	work := make(chan waiting)
	var wg sync.WaitGroup
	for range e.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for w := range work {
				if again, ok := e.submitOrder(ctx, w); ok {
					mu.Lock()
					next = append(next, again)
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, w := range round {
		if d := time.Until(w.due); d > 0 && e.sleep(ctx, d) != nil {
			break
		}
		if e.stopped(ctx) {
			break
		}
		select {
		case work <- w:
		case <-ctx.Done():
			break feed
		case <-e.haltCh:
			break feed
		}
	}
	close(work)
	wg.Wait()
	return next
}

// submitDone reports whether Submit has nothing to do for o.
func submitDone(o *OrderState) bool {
	s := o.Status()
	return s != StatusUnknown && s != StatusNotSubmitted
}

// submitOrder runs one order's state machine until it has a definitive
// submit outcome, or the run stops. Whatever happens, the journal holds
// every request's intent and every answer that came back. When the
// provider says 210511 within the grace period, or a query gets no answer,
// it returns the time to take the order again (ok): then it is neither
// found nor "not found" yet. Its queries are QueryInterval apart, as
// Settle's; only the first follows an unknown submit answer at once.
// w says how often the order was set aside and resubmitted before.
func (e *Engine) submitOrder(ctx context.Context, w waiting) (again waiting, ok bool) {
	o, found := e.snapshot(w.id)
	if !found || submitDone(&o) {
		e.prog.Done.Add(1)
		return waiting{}, false
	}
	defer func() {
		if !ok {
			e.prog.Done.Add(1)
		}
	}()
	query := o.Status() == StatusUnknown // may exist: query first
	resubmits, throttles, unknowns := w.resubmits, 0, w.unknowns
	for {
		if e.stopped(ctx) {
			return waiting{}, false
		}
		if !query {
			was := o.PreExisting
			out, err := e.submitOnce(ctx, &o)
			if errors.Is(err, errLate) {
				continue // not sent: a new intent, a new wait
			}
			if err != nil {
				return waiting{}, false
			}
			if o.PreExisting && !was {
				e.opts.Logf(NotePreExisting,
					journal.Thousands(o.Line), o.OrderID, e.book.Header.BatchID)
			}
			switch out.Class {
			case juhe.ClassAccepted, juhe.ClassRejected:
				return waiting{}, false
			case juhe.ClassThrottled:
				if e.sleep(ctx, e.backoff(throttles)) != nil {
					return waiting{}, false
				}
				throttles++
			case juhe.ClassHalt:
				return waiting{}, false
			default: // unknown: the order may exist
				query = true
			}
			continue
		}
		sent := time.Now()
		out, err := e.queryOnce(ctx, &o)
		if err != nil {
			return waiting{}, false
		}
		switch {
		case out.Class == juhe.ClassAccepted:
			return waiting{}, false
		case out.Class == juhe.ClassNotFound:
			if resubmits >= e.opts.MaxResubmits {
				e.opts.Logf(NoteNoSuchOrderIn,
					journal.Thousands(o.Line), o.OrderID, resubmits)
				return waiting{}, false
			}
			resubmits++
			query = false
		case out.Class == juhe.ClassHalt:
			return waiting{}, false
		case e.notFoundYet(&o, out):
			// Not settled: query again when the grace period has
			// passed, or sooner with the backoff, but never within
			// QueryInterval of this query: a 210511 within the grace
			// decides nothing, so querying harder would not resubmit
			// any sooner. Then resubmit if it is still not found.
			wait := min(e.backoff(w.step), e.graceLeft(&o, sent, e.wall().Add(-time.Since(sent))))
			wait = max(wait, e.opts.QueryInterval)
			return waiting{id: w.id, due: sent.Add(max(wait, 0) + time.Millisecond), step: w.step + 1, resubmits: resubmits, unknowns: unknowns}, true
		case out.Foreign != "":
			// Settle keeps querying it; a worker waiting here for the
			// provider to tell the truth would hold up other rows.
			return waiting{}, false
		default: // unknown or throttled: ask again later
			if unknowns >= e.opts.MaxUnknownQueries {
				e.opts.Logf(NoteStillUnknown,
					journal.Thousands(o.Line), o.OrderID, unknowns+1)
				return waiting{}, false
			}
			// Set aside, as Settle would: QueryInterval apart at the
			// least, and no worker is held up waiting.
			wait := max(e.backoff(unknowns), e.opts.QueryInterval)
			return waiting{id: w.id, due: sent.Add(wait), step: w.step, resubmits: resubmits, unknowns: unknowns + 1}, true
		}
	}
}

// attemptEnded is when the latest attempt to submit o ended: with its
// answer, or, when none came (a crash, or a halt before it was sent), at
// the latest when the client would have given up on it: its request left
// within RequestTimeout of the intent (submitOnce), and took at most
// RequestTimeout.
func (e *Engine) attemptEnded(o *OrderState) time.Time {
	if o.intentSeq > o.outcomeSeq {
		return time.UnixMilli(o.LastIntentAt).Add(2 * e.opts.RequestTimeout)
	}
	return time.UnixMilli(o.LastOutcomeAt)
}

// graceLeft is how much of the grace period is left at a query sent at
// sent (time.Now(), wallSent on e.wall): once it is not positive, the
// query's 210511 means "no such order".
//
// When this process saw the latest attempt end, the monotonic clock says
// how long ago that was: a wall clock stepped forward would end the grace
// early (and a lagging provider would charge the resubmit twice), one
// stepped back would stretch it. Otherwise (a run that crashed, then a
// resume) only the journal's wall-clock times are left.
func (e *Engine) graceLeft(o *OrderState, sent, wallSent time.Time) time.Duration {
	e.endedMu.Lock()
	end, ok := e.ended[o.OrderID]
	e.endedMu.Unlock()
	if ok && end.intents == o.Intents && o.outcomeSeq > o.intentSeq {
		return e.opts.ResubmitGrace - sent.Sub(end.at)
	}
	return e.attemptEnded(o).Add(e.opts.ResubmitGrace).Sub(wallSent)
}

// notFoundYet reports whether out is a 210511 that came within the grace
// period for an order nothing proved to exist.
func (e *Engine) notFoundYet(o *OrderState, out juhe.Outcome) bool {
	return out.Class == juhe.ClassUnknown && out.Code == codeNotFound && out.Foreign == "" && !o.Exists
}

// codeNotFound is the provider's "no such order" (210511).
const codeNotFound = 210511

// submitOnce journals an intent, sends the submit and journals its answer.
// It returns errStopped (nothing sent) when the run stops first.
func (e *Engine) submitOnce(ctx context.Context, o *OrderState) (juhe.Outcome, error) {
	intent := &journal.Intent{OrderID: o.OrderID, Attempt: o.Intents + 1}
	// Under a spending cap the worst case is reserved before the intent
	// is written, and the intent carries it: workers reserve one at a
	// time, and a resume sums the same intents.
	added, err := e.reserve(o, intent)
	if err != nil {
		return juhe.Outcome{}, err
	}
	intentAt := time.Now()
	if err := e.appendReserved(ctx, added, &journal.Record{Type: journal.RecIntent, Intent: intent}); err != nil {
		return juhe.Outcome{}, err
	}
	// The permit comes after the intent's fsync, right before the request
	// leaves: permits taken before it would be released together when a
	// group fsync returns, and the requests would reach the provider in a
	// burst past the limit. An intent on disk is in flight, so an
	// interrupt does not abandon it; only a halt does (then the intent
	// stays without an answer and the next run queries it first).
	//
	// The request leaves within RequestTimeout of its intent, or not at
	// all: after a crash, attemptEnded counts on it. A permit that comes
	// later (a low rate, many workers, throttling) is not used.
	if err := e.permitInFlight(ctx, intentAt.Add(e.opts.RequestTimeout)); err != nil {
		e.refresh(o)
		if errors.Is(err, errStopped) {
			e.noteUnsent(o.OrderID)
		}
		return juhe.Outcome{}, err
	}
	select {
	case <-e.haltCh:
		// Another worker got a halt while this intent was written. Send
		// nothing more: the next run queries this order, finds it absent
		// and submits it then.
		e.noteUnsent(o.OrderID)
		return juhe.Outcome{}, errStopped
	default:
	}
	e.prog.Submits.Add(1)
	out := e.p.Submit(context.WithoutCancel(ctx), juhe.SubmitRequest{Phone: o.Phone, Pid: o.Pid, OrderID: o.OrderID, CBURL: e.opts.CBURL})
	ended := time.Now()
	out = e.vet(o, out)
	e.count(out)
	rec := &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{
		Answer: answerOf(o.OrderID, out), CardName: out.CardName,
	}}
	if err := e.append(ctx, rec); err != nil {
		return out, err
	}
	e.refresh(o)
	// Only an unknown answer leads to a query whose 210511 the grace
	// decides; the map stays small on a batch of millions.
	e.endedMu.Lock()
	if out.Class == juhe.ClassUnknown {
		e.ended[o.OrderID] = attemptEnd{at: ended, intents: o.Intents}
	} else {
		delete(e.ended, o.OrderID)
	}
	e.endedMu.Unlock()
	e.afterAnswer(o, out)
	return out, nil
}

// queryOnce sends a query and journals its answer: always for a definitive
// answer (accepted, not found, halt), and for unknown or throttled only
// when the code differs from the order's last journaled query, so an
// outage does not fill the journal with identical lines.
func (e *Engine) queryOnce(ctx context.Context, o *OrderState) (juhe.Outcome, error) {
	if err := e.permit(ctx); err != nil {
		return juhe.Outcome{}, err
	}
	e.prog.Queries.Add(1)
	sent, wallSent := time.Now(), e.wall()
	out := e.p.Query(context.WithoutCancel(ctx), o.OrderID)
	if out.Class == juhe.ClassRejected {
		out.Class = juhe.ClassUnknown // a query cannot reject; it did not answer
	}
	out = e.vet(o, out)
	if out.Class == juhe.ClassAccepted && o.SporderID == "" {
		// The first sporder_id this order gets: nothing known shows that
		// the answer is about this order and not another, so a second
		// answer must name the same sporder_id before it is believed.
		if err := e.permit(ctx); err != nil {
			return juhe.Outcome{}, err
		}
		e.prog.Queries.Add(1)
		again := e.vet(o, e.p.Query(context.WithoutCancel(ctx), o.OrderID))
		switch {
		case again.Class == juhe.ClassAccepted && again.SporderID == out.SporderID:
			out = again // the newer state
		case again.Class == juhe.ClassAccepted || again.Foreign != "":
			why := fmt.Sprintf("answer about another order: two answers in a row name sporder_id %q, then %q", journal.Clip(out.SporderID), journal.Clip(again.SporderID))
			if again.Foreign != "" {
				why = fmt.Sprintf("answer about another order: an answer naming sporder_id %q, then %s", journal.Clip(out.SporderID), again.Foreign)
			}
			out = juhe.Outcome{Class: juhe.ClassUnknown, Code: out.Code, HTTPStatus: out.HTTPStatus, State: juhe.StateNone,
				Foreign: why, Reason: conflictMark + why}
			e.opts.Logf(NoteStaysOpen, journal.Thousands(o.Line), o.OrderID, why)
		case again.Class == juhe.ClassNotFound:
			// A lookup that named a sporder_id for this orderid a moment
			// ago has not settled on "no such order", whatever the grace:
			// one replica may see the charge and another not yet, and a
			// resubmit would be charged again. Unknown, flagged.
			why := fmt.Sprintf("answers disagree: one names sporder_id %q, the next says there is no such order (%d)", journal.Clip(out.SporderID), again.Code)
			out = juhe.Outcome{Class: juhe.ClassUnknown, Code: again.Code, HTTPStatus: again.HTTPStatus, State: juhe.StateNone,
				Foreign: why, Reason: conflictMark + why}
			e.opts.Logf(NoteStaysOpen, journal.Thousands(o.Line), o.OrderID, why)
		default:
			out = again // no answer to confirm the first: ask again later
		}
	}
	return e.recordQuery(ctx, o, out, sent, wallSent)
}

// recordQuery journals a vetted answer to a query of o sent at sent
// (wallSent on e.wall), as queryOnce describes, and returns it as the
// engine acts on it. A flow/batchquery item is recorded here too, as a
// query of its own order.
func (e *Engine) recordQuery(ctx context.Context, o *OrderState, out juhe.Outcome, sent, wallSent time.Time) (juhe.Outcome, error) {
	if out.Class == juhe.ClassNotFound && e.graceLeft(o, sent, wallSent) > 0 {
		// Not settled yet: a provider whose lookup lags behind its charge
		// says 210511 for an order it has just charged.
		out.Class = juhe.ClassUnknown
		out.Reason = appendNote(out.Reason, fmt.Sprintf("not found yet: within the %s grace period after the last submit ended",
			roundDuration(e.opts.ResubmitGrace)))
	}
	if queryChanged(o, out) {
		rec := &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{
			Answer: answerOf(o.OrderID, out), State: out.State,
		}}
		if err := e.append(ctx, rec); err != nil {
			return out, err
		}
		e.refresh(o)
	}
	e.afterAnswer(o, out)
	if out.Class == juhe.ClassNotFound && o.Exists {
		// The book flagged the conflict; the order exists, so it is
		// queried again and never submitted again.
		e.opts.Logf(NoteExistsYetNone,
			journal.Thousands(o.Line), o.OrderID)
		out.Class = juhe.ClassUnknown
	}
	return out, nil
}

// vet makes an answer about another order unknown: one that names another
// orderid (the client found it) or a sporder_id other than the one already
// known for o. Nothing of such an answer is kept but its code; its reason
// starts with conflictMark, so that the book flags it. A provider's own
// reason never starts so.
func (e *Engine) vet(o *OrderState, out juhe.Outcome) juhe.Outcome {
	if out.Foreign == "" && out.SporderID != "" {
		why := ""
		if o.SporderID != "" && out.SporderID != o.SporderID {
			why = fmt.Sprintf("answer about another order: names sporder_id %q, this order's is %q", journal.Clip(out.SporderID), o.SporderID)
		} else {
			e.mu.Lock()
			owner, ok := e.book.SporderOwner(out.SporderID)
			e.mu.Unlock()
			if ok && owner != o.OrderID {
				why = fmt.Sprintf("answer about another order: names sporder_id %q, which is order %s's", journal.Clip(out.SporderID), owner)
			}
		}
		if why != "" {
			out = juhe.Outcome{Class: juhe.ClassUnknown, Code: out.Code, HTTPStatus: out.HTTPStatus, State: juhe.StateNone, Foreign: why}
		}
	}
	if out.Foreign != "" {
		out.Reason = conflictMark + out.Foreign
		e.opts.Logf(NoteStaysOpen, journal.Thousands(o.Line), o.OrderID, out.Foreign)
		return out
	}
	if strings.HasPrefix(out.Reason, conflictMark) {
		out.Reason = "provider: " + out.Reason
	}
	return out
}

// appendNote adds our note to a provider's reason.
func appendNote(reason, note string) string {
	if reason == "" {
		return note
	}
	return reason + "; " + note
}

// queryChanged reports whether out is worth a journal record for o.
func queryChanged(o *OrderState, out juhe.Outcome) bool {
	switch out.Class {
	case juhe.ClassAccepted:
		return o.QueryClass != out.Class || o.QueryState != out.State || o.SporderID != out.SporderID ||
			o.QueryCost != out.Cost || o.QueryHasCost != out.HasCost || o.QueryCode != out.Code
	case juhe.ClassUnknown, juhe.ClassThrottled:
		// An answer about another order is journaled until the order is
		// flagged, even when its code is the last query's (a 210511 "not
		// found yet", then a pair that disagrees, also 210511).
		return o.QueryClass != out.Class || o.QueryCode != out.Code || out.Foreign != "" && o.Conflict == ""
	}
	return true
}

// answerOf is what the journal keeps of the answer out about orderID.
func answerOf(orderID string, out juhe.Outcome) journal.Answer {
	return journal.Answer{OrderID: orderID, Class: out.Class, Code: out.Code, Reason: out.Reason,
		SporderID: out.SporderID, Cost: out.Cost, HasCost: out.HasCost}
}

// refresh reloads o from the book after a journal write.
func (e *Engine) refresh(o *OrderState) {
	if n, ok := e.snapshot(o.OrderID); ok {
		*o = n
	}
}

func (e *Engine) count(out juhe.Outcome) {
	switch out.Class {
	case juhe.ClassAccepted:
		e.prog.Accepted.Add(1)
	case juhe.ClassRejected:
		e.prog.Rejected.Add(1)
	case juhe.ClassUnknown:
		e.prog.Unknown.Add(1)
	}
}

// afterAnswer turns a halt answer, or unbroken throttling, into a halt.
func (e *Engine) afterAnswer(o *OrderState, out juhe.Outcome) {
	if out.Class == juhe.ClassHalt {
		e.triggerHalt(newHaltError(o, out))
		return
	}
	if h := e.noteAnswer(o, out); h != nil {
		e.triggerHalt(h)
	}
}

// AppendCallback journals a verified callback, folds it into the book and
// moves the order's next query to now. The callback is advice: only a
// query settles the order.
func (e *Engine) AppendCallback(ctx context.Context, c *journal.CallbackNote) error {
	if err := e.append(ctx, &journal.Record{Type: journal.RecCallback, Callback: c}); err != nil {
		return err
	}
	e.Nudge(c.OrderID)
	return nil
}

// Order returns a copy of the order's state as the engine's book knows
// it; safe while the engine runs.
func (e *Engine) Order(orderID string) (OrderState, bool) { return e.snapshot(orderID) }

// JournalPath is the path of the journal the engine writes.
func (e *Engine) JournalPath() string { return e.j.Path() }

func roundDuration(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Second)
	}
	return d.Round(time.Millisecond)
}
