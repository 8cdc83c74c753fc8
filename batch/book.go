package batch

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"

	"github.com/flowbatch/flowbatch/juhe"
)

// Book is the state of a batch folded from its journal: what each order
// is known to be. It keeps a small fixed amount per order and no row
// extras; Rows streams those from the journal again when needed.
//
// A Book is not safe for concurrent use; the engine guards it.
type Book struct {
	Path     string
	Header   Header
	Input    InputInfo // the latest complete input
	HeadHash string    // hash of the last record
	Records  int64     // records in the journal

	orders map[string]*OrderState
	list   []*OrderState // in the order each was first planned
	cur    *section      // the latest complete input section
	pend   *section      // an input section whose Planned has not come yet
	last   *OrderState   // the order the decoder just looked up (replay)
}

// section is one input section: an Input record, its rows, a Planned.
type section struct {
	info    InputInfo
	seq     uint64 // seq of the Input record
	prev    string // hash of the record before it
	off     int64  // byte offset of the Input record, -1 if unknown
	rows    []pendingRow
	orders  []*OrderState // rows with an order, in input order
	invalid int           // rows without an order
}

type pendingRow struct {
	line, dupOf int
	phone, pid  string
	orderID     string
	dup         bool
}

// OrderState is one order as the journal knows it.
//
// Status rules, applied in this order (the README repeats them):
//  1. No intent written: not_submitted.
//  2. A query confirmed a game_state: 1 success, 9 failed, 0 charging.
//     A final state (1 or 9) never moves back; a contradicting later
//     answer only sets Conflict.
//  3. An intent written after the latest submit outcome and after the
//     latest "not found" query: the request is in flight, unknown.
//  4. The latest submit outcome was accepted: charging (the order was
//     seen created; a later 210511 does not undo that); rejected:
//     rejected.
//  5. A query said not_found (210511) after the latest submit outcome:
//     not_submitted (resume submits it again with the same orderid).
//  6. The latest submit outcome was throttled or halt (refused, not
//     created): not_submitted.
//  7. Anything else (no outcome, unknown submit, unknown query): unknown.
//
// A query that answers unknown, throttled or halt changes only
// QueryClass, QueryCode, Code and Reason. A callback never changes the
// status: it sets CallbackState and CallbackAt, and reconcile flags a
// disagreement with the query.
type OrderState struct {
	OrderID    string
	Line       int // row number in the input it was planned from
	Phone, Pid string
	Dup        bool // a duplicate (phone, pid) submitted under -allow-duplicates
	DupOf      int
	InInput    bool // planned in the latest complete input

	Intents     int   // intents written
	Outcomes    int   // submit outcomes written
	SubmittedAt int64 // ms of the first intent, 0 if none

	SubmitClass   juhe.Class // of the latest submit outcome, 0 if none
	SubmitCode    int
	SubmitCost    juhe.Money
	SubmitHasCost bool

	SporderID string
	CardName  string

	QueryClass   juhe.Class // of the latest query, 0 if none
	QueryCode    int
	QueryState   juhe.GameState // latest state a query confirmed, StateNone if none
	QueryCost    juhe.Money
	QueryHasCost bool
	QueryAt      int64

	CallbackState juhe.GameState // latest callback's sta, StateNone if none
	CallbackAt    int64

	FinalAt int64  // ms when a query first confirmed state 1 or 9
	Code    int    // latest provider code seen for this order
	Reason  string // latest provider reason seen for this order

	// Conflict describes an impossible transition seen in the journal,
	// e.g. a query answering failed after one confirmed success. Empty
	// when none.
	Conflict string

	intentSeq   uint64 // seq of the latest intent
	outcomeSeq  uint64 // seq of the latest submit outcome
	notFoundSeq uint64 // seq of the latest not_found query
	viaCallback bool   // a callback reported the final state before the query did
}

// Status derives the workbook state of o. See the rules on OrderState.
func (o *OrderState) Status() Status {
	if o.Intents == 0 {
		return StatusNotSubmitted
	}
	switch o.QueryState {
	case juhe.StateSuccess:
		return StatusSuccess
	case juhe.StateFailed:
		return StatusFailed
	case juhe.StateCharging:
		return StatusCharging
	}
	if o.intentSeq > o.outcomeSeq && o.intentSeq > o.notFoundSeq {
		return StatusUnknown // in flight
	}
	switch o.SubmitClass {
	case juhe.ClassAccepted:
		return StatusCharging // seen created; a later 210511 does not undo that
	case juhe.ClassRejected:
		return StatusRejected
	}
	if o.notFoundSeq > o.outcomeSeq {
		return StatusNotSubmitted
	}
	switch o.SubmitClass {
	case juhe.ClassThrottled, juhe.ClassHalt:
		return StatusNotSubmitted
	}
	return StatusUnknown
}

// Cost is the cost to report: the query's when known, else the submit's.
func (o *OrderState) Cost() (juhe.Money, bool) {
	if o.QueryHasCost {
		return o.QueryCost, true
	}
	return o.SubmitCost, o.SubmitHasCost
}

// Source is what settled the reported state: "submit", "query" or "callback".
func (o *OrderState) Source() string {
	if o.QueryState == juhe.StateNone {
		return "submit"
	}
	if o.viaCallback {
		return "callback"
	}
	return "query"
}

// NeedsSubmit reports whether the order may be sent (again) now: never
// started, or last known to be absent at the provider (query said 210511,
// or the last submit was definitively refused by throttle/halt).
func (o *OrderState) NeedsSubmit() bool { return o.Status() == StatusNotSubmitted }

// NeedsQuery reports whether the order may exist but is not final.
func (o *OrderState) NeedsQuery() bool {
	s := o.Status()
	return s == StatusCharging || s == StatusUnknown
}

func newBook(path string) *Book {
	return &Book{Path: path, orders: make(map[string]*OrderState)}
}

// LoadBook reads and verifies the journal at path and folds it into a Book.
// It does not lock or repair the file; use OpenJournal to write. It may
// run while another process appends: an incomplete last line (or a torn
// tail a crash left) is ignored; damage anywhere else is a *DamageError.
func LoadBook(ctx context.Context, path string) (*Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("loading journal: %w", err)
	}
	defer f.Close()
	b := newBook(path)
	s := newScanner(path, f)
	s.dec.noHashes = true
	s.dec.orderID = func(id []byte) (string, bool) {
		o, ok := b.orders[string(id)]
		if ok {
			b.last = o
			return o.OrderID, true
		}
		return "", false
	}
	if _, err := s.run(ctx, func(r *Record, off int64) error {
		b.apply(r, off)
		return nil
	}); err != nil {
		return nil, err
	}
	if s.recs == 0 {
		return nil, &DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record"}
	}
	b.last = nil
	b.Records = s.recs
	b.HeadHash = string(s.prevHex[:])
	return b, nil
}

// Apply folds one record into the book. Replay and the live engine share
// it. Apply records after Journal.Append returns (Seq and Hash set), in
// journal order. The book keeps no reference to r.
func (b *Book) Apply(r *Record) { b.apply(r, -1) }

// apply folds r, read at byte offset off (-1 when unknown).
func (b *Book) apply(r *Record, off int64) {
	if r.Seq > 0 {
		b.Records = int64(r.Seq)
	} else {
		b.Records++
	}
	if r.Hash != "" {
		b.HeadHash = r.Hash
	}
	switch {
	case r.Header != nil:
		h := *r.Header
		h.Settings = maps.Clone(h.Settings)
		b.Header = h
	case r.Input != nil:
		in := *r.Input
		in.Extra = slices.Clone(in.Extra) // the workbook shows these names
		b.pend = &section{info: in, seq: r.Seq, prev: r.Prev, off: off}
	case r.Row != nil:
		if b.pend == nil {
			return
		}
		w := r.Row
		if w.OrderID == "" || w.Status == RowInvalid {
			b.pend.invalid++
			b.pend.rows = append(b.pend.rows, pendingRow{line: w.Line})
			return
		}
		b.pend.rows = append(b.pend.rows, pendingRow{
			line: w.Line, dupOf: w.DupOf, phone: w.Phone, pid: w.Pid,
			orderID: w.OrderID, dup: w.Status == RowDuplicate,
		})
	case r.Planned != nil:
		if b.pend == nil || r.Planned.Rows != len(b.pend.rows) {
			b.pend = nil // not a complete section: ignored
			return
		}
		b.plan(b.pend)
		b.pend = nil
	case r.Intent != nil:
		o := b.order(r.Intent.OrderID)
		o.Intents++
		o.intentSeq = r.Seq
		if o.SubmittedAt == 0 {
			o.SubmittedAt = r.At
		}
	case r.Submit != nil:
		b.applySubmit(r)
	case r.Query != nil:
		b.applyQuery(r)
	case r.Callback != nil:
		c := r.Callback
		o := b.order(c.OrderID)
		o.CallbackState = c.State
		o.CallbackAt = r.At
		if o.SporderID == "" {
			o.SporderID = c.SporderID
		}
	}
}

// plan makes s the current input: its orders are now "in the input".
func (b *Book) plan(s *section) {
	if b.cur != nil {
		for _, o := range b.cur.orders {
			o.InInput = false
		}
	}
	s.orders = make([]*OrderState, 0, len(s.rows)-s.invalid)
	if len(b.orders) == 0 {
		b.orders = make(map[string]*OrderState, len(s.rows))
		b.list = make([]*OrderState, 0, len(s.rows))
	}
	for _, p := range s.rows {
		if p.orderID == "" {
			continue
		}
		o := b.order(p.orderID)
		o.Line, o.Phone, o.Pid, o.Dup, o.DupOf = p.line, p.phone, p.pid, p.dup, p.dupOf
		o.InInput = true
		s.orders = append(s.orders, o)
	}
	s.rows = nil
	b.cur = s
	b.Input = s.info
}

// order returns the state of id, creating it (as not in any input) if new.
func (b *Book) order(id string) *OrderState {
	if b.last != nil && b.last.OrderID == id {
		return b.last
	}
	if o, ok := b.orders[id]; ok {
		return o
	}
	o := &OrderState{OrderID: id, QueryState: juhe.StateNone, CallbackState: juhe.StateNone}
	b.orders[id] = o
	b.list = append(b.list, o)
	return o
}

func (b *Book) applySubmit(r *Record) {
	s := r.Submit
	o := b.order(s.OrderID)
	o.Outcomes++
	o.outcomeSeq = r.Seq
	o.SubmitClass, o.SubmitCode = s.Class, s.Code
	o.SubmitCost, o.SubmitHasCost = s.Cost, s.HasCost
	if s.SporderID != "" {
		o.SporderID = s.SporderID
	}
	if s.CardName != "" {
		o.CardName = s.CardName
	}
	o.Code, o.Reason = s.Code, s.Reason
}

func (b *Book) applyQuery(r *Record) {
	q := r.Query
	o := b.order(q.OrderID)
	o.QueryClass, o.QueryCode = q.Class, q.Code
	o.Code, o.Reason = q.Code, q.Reason
	switch q.Class {
	case juhe.ClassNotFound:
		if o.QueryState != juhe.StateNone {
			o.Conflict = fmt.Sprintf("query said the order does not exist after one said state %d", o.QueryState)
			return
		}
		o.notFoundSeq = r.Seq
	case juhe.ClassAccepted:
		if q.SporderID != "" {
			o.SporderID = q.SporderID
		}
		if q.HasCost {
			o.QueryCost, o.QueryHasCost = q.Cost, true
		}
		switch q.State {
		case juhe.StateCharging, juhe.StateSuccess, juhe.StateFailed:
		default:
			return
		}
		if o.QueryState.Final() {
			if q.State.Final() && q.State != o.QueryState {
				o.Conflict = fmt.Sprintf("query said state %d after one confirmed state %d", q.State, o.QueryState)
			}
			return
		}
		o.QueryState, o.QueryAt = q.State, r.At
		if q.State.Final() {
			o.FinalAt = r.At
			o.viaCallback = o.CallbackState == q.State
		}
	}
}

// Order returns the state of orderID.
func (b *Book) Order(orderID string) (*OrderState, bool) {
	o, ok := b.orders[orderID]
	return o, ok
}

// Orders calls fn for every order the journal knows, in the order each
// was first planned.
func (b *Book) Orders(fn func(*OrderState) error) error {
	for _, o := range b.list {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// Rows streams the RowRecords of the latest complete input from the
// journal file, in input order. It checks the checksum and chain of every
// record it reads. Each RowRecord is fn's to keep.
func (b *Book) Rows(ctx context.Context, fn func(*RowRecord) error) error {
	s := b.cur
	if s == nil {
		return nil
	}
	f, err := os.Open(b.Path)
	if err != nil {
		return fmt.Errorf("reading rows from journal: %w", err)
	}
	defer f.Close()
	if s.off >= 0 {
		if _, err := f.Seek(s.off, 0); err != nil {
			return fmt.Errorf("reading rows from journal %s: %w", b.Path, err)
		}
	}
	sc := newScanner(b.Path, f)
	if s.off >= 0 && !sc.startAt(s.off, s.seq, s.prev) {
		return fmt.Errorf("journal %s: bad hash before the input section at record %d", b.Path, s.seq)
	}
	_, err = sc.run(ctx, func(r *Record, off int64) error {
		if r.Seq < s.seq {
			return nil
		}
		switch {
		case r.Row != nil:
			row := *r.Row
			return fn(&row)
		case r.Planned != nil:
			return errStopScan
		}
		return nil
	})
	if err == errStopScan {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("journal %s: the input section at record %d ended before its Planned record", b.Path, s.seq)
}

// Counts returns the number of latest-input rows per Status, including
// invalid rows, and the success spend, charging amount and failed refunds.
func (b *Book) Counts() Totals {
	t := Totals{ByStatus: make(map[Status]int, len(Statuses))}
	for _, s := range Statuses {
		t.ByStatus[s] = 0
	}
	if b.cur != nil {
		t.Rows = len(b.cur.orders) + b.cur.invalid
		t.ByStatus[StatusInvalid] += b.cur.invalid
		for _, o := range b.cur.orders {
			st := o.Status()
			t.ByStatus[st]++
			if !st.Final() {
				t.OpenCount++
			}
			c, ok := o.Cost()
			if !ok {
				continue
			}
			switch st {
			case StatusSuccess:
				t.Spend += c
			case StatusCharging:
				t.Charging += c
			case StatusFailed:
				t.Refunded += c
			}
		}
	}
	for _, o := range b.list {
		if !o.InInput {
			t.Orphans++
		}
	}
	return t
}

// Totals are the control totals of a book.
type Totals struct {
	Rows      int // rows in the latest input
	ByStatus  map[Status]int
	Spend     juhe.Money // sum of success costs
	Charging  juhe.Money // sum of costs still charging
	Refunded  juhe.Money // sum of costs of failed orders
	Orphans   int        // orders journaled but absent from the latest input
	OpenCount int        // rows not in a final state
}
