package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"maps"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Book is the state of a batch folded from its journal: what each order
// is known to be. It keeps a small fixed amount per order, without
// pointers (see order), and no row extras; Rows streams those from the
// journal again when needed. Order and Orders hand out OrderState values
// materialised from that compact form.
//
// A Book is not safe for concurrent use; the engine guards it. Order may
// be called by many readers at once while nothing applies records.
type Book struct {
	Path     string
	Header   journal.Header
	Input    journal.InputInfo // the latest complete input
	InputAt  int64             // unix ms of that input's Input record, 0 if none
	HeadHash string            // hash of the last record
	Records  int64             // records in the journal

	orders []order // in the order each was first planned
	index  orderIndex
	hint   int32 // the order after the last one found by a hex orderid
	seed   maphash.Seed
	text   textStore
	wide   wideMap // numbers too wide for their field in order
	epoch  int64   // order times are ms after it (see putTime)
	// hasEpoch: putTime has set epoch.
	hasEpoch bool
	// sporders finds an order by its sporder_id: an answer naming the
	// sporder_id of another order is about that order.
	sporders orderIndex
	// cbReasons holds the err_msg of an order's latest callback that had one.
	cbReasons map[int32]uint32
	cur       *section // the latest complete input section
	pend      *section // an input section whose Planned has not come yet
	balances  []Balance
	spend     spend // what the orders committed against the spending cap
}

// Balance is one balance snapshot of the journal: what the balance
// endpoint said before the first request or after the last answer of a
// session, at At (unix ms).
type Balance struct {
	At int64
	journal.BalanceNote
}

// Balances returns the journal's balance snapshots, in journal order.
func (b *Book) Balances() []Balance { return append([]Balance(nil), b.balances...) }

// section is one input section: an Input record, its rows, a Planned.
type section struct {
	info    journal.InputInfo
	pos     journal.Pos // where the Input record starts; Off is -1 when unknown
	at      int64       // unix ms of the Input record
	n       int         // rows read, invalid ones included
	rows    []order     // pending: rows with an order, only id and row fields set
	wide    wideMap     // pending: the rows' numbers too wide for their field, by index in rows
	members []int32     // planned: the orders of the rows with one, in input order
	invalid int         // rows without an order
}

// OrderState is one order as the journal knows it.
//
// Status rules, applied in this order (the README repeats them):
//  1. No intent written: not_submitted.
//  2. A query confirmed a game_state: 1 success, 9 failed, 0 charging,
//     -1 failed and never charged (SubmitFailed). A final state (1, 9 or
//     -1) never moves back; a contradicting later answer only sets Conflict.
//  3. An intent written after the latest submit outcome and after the
//     latest "not found" query: the request is in flight, unknown.
//  4. The latest submit outcome was accepted: charging (the order was
//     seen created; a later 210511 does not undo that); rejected:
//     rejected, unless something proved the order exists (then a
//     conflict, and rule 7).
//  5. A query said not_found (210511) after the latest submit outcome,
//     and nothing ever proved the order exists: not_submitted (resume
//     submits it again with the same orderid).
//  6. The latest submit outcome was throttled or halt (refused, not
//     created), and nothing proved the order exists: not_submitted.
//  7. Anything else (no outcome, unknown submit, unknown query): unknown.
//
// A query is journaled as not_found only when it is settled: the engine
// journals a 210511 that came within the resubmit grace period after the
// latest attempt ended as unknown (code 210511, "not found yet"). Proof
// that the order exists (Exists) is an accepted submit, a 210508 on a
// submit, a sporder_id, or a signed callback; a not_found after proof is
// a conflict (Conflict), never "not submitted". An answer about another
// order (the engine journals it unknown, its reason starting with
// "conflict: ") and a sporder_id that contradicts the known one set
// Conflict and change nothing else.
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

	Intents       int   // intents written
	Outcomes      int   // submit outcomes written
	SubmittedAt   int64 // ms of the first intent, 0 if none
	LastIntentAt  int64 // ms of the latest intent, 0 if none
	LastOutcomeAt int64 // ms of the latest submit outcome, 0 if none

	// Exists: something proved that the order exists at the provider (an
	// accepted submit, a 210508 on a submit, a sporder_id, a signed
	// callback). A later 210511 is then a conflict, never "not found".
	Exists bool

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
	// CallbackReason is the err_msg of the latest callback that gave one:
	// the provider's own word on why an order failed, which V2's query
	// does not give.
	CallbackReason string

	FinalAt int64 // ms when a query first confirmed state 1 or 9
	// ChargedAt is the charge time: ms of the record that first proved
	// the order exists (Exists). For nearly every order that is its
	// accepted submit answer; for an order whose submit answer was lost,
	// the 210508, the query with a sporder_id or a state, or the signed
	// callback that first showed it. 0 while nothing proved it.
	ChargedAt int64
	Code      int    // latest provider code seen for this order
	Reason    string // latest provider reason seen for this order

	// Conflict describes an impossible transition seen in the journal,
	// e.g. a query answering failed after one confirmed success. Empty
	// when none.
	Conflict string

	// PreExisting: the provider answered this journal's first request for
	// the orderid with 210508, so it had the orderid before this batch
	// sent it, and the first state a query confirmed was final, not
	// charging (an order of an earlier batch would long be final). The
	// batch id was probably used before, and the row may be counted as
	// another batch's order; reconcile lists it for a person.
	PreExisting bool

	intentSeq   uint64 // seq of the latest intent
	outcomeSeq  uint64 // seq of the latest submit outcome
	notFoundSeq uint64 // seq of the latest not_found query
	viaCallback bool   // a callback reported the final state before the query did
}

// Status derives the workbook state of o. See the rules on OrderState.
func (o *OrderState) Status() Status {
	return statusOf(o.Intents > 0, o.Exists, o.QueryState, o.SubmitClass, o.intentSeq, o.outcomeSeq, o.notFoundSeq)
}

// statusOf applies the status rules; OrderState and the compact order
// share it.
func statusOf(intent, exists bool, query juhe.GameState, submit juhe.Class, intentSeq, outcomeSeq, notFoundSeq uint64) Status {
	if !intent {
		return StatusNotSubmitted
	}
	switch query {
	case juhe.StateSuccess:
		return StatusSuccess
	case juhe.StateFailed, juhe.StateSubmitFailed:
		return StatusFailed
	case juhe.StateCharging:
		return StatusCharging
	}
	if intentSeq > outcomeSeq && intentSeq > notFoundSeq {
		return StatusUnknown // in flight
	}
	switch submit {
	case juhe.ClassAccepted:
		return StatusCharging // seen created; a later 210511 does not undo that
	case juhe.ClassRejected:
		if !exists {
			return StatusRejected
		}
	}
	if exists {
		return StatusUnknown // it exists, but nothing said its state yet
	}
	if notFoundSeq > outcomeSeq {
		return StatusNotSubmitted
	}
	switch submit {
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

// SubmitFailed reports whether a query answered game_state -1 (提交充值失败):
// the provider says the submit failed and nothing was charged. The status
// is failed. That code is known only from the provider's phone-bill demo
// code, so its "nothing charged" is not taken on trust: a retry file holds
// such a row back until the provider's statement shows no charge for it
// (reconcile.Options.StatementUncharged).
func (o *OrderState) SubmitFailed() bool { return o.QueryState == juhe.StateSubmitFailed }

// SettledNotFound reports whether a query ever settled on "no such order"
// (210511 past the grace period) for o: an attempt had ended without an
// answer, and only the provider's lookup, which may lag behind a charge,
// says it was not created. A resend under the same orderid is safe (the
// provider takes an orderid once); nothing else may take it as proof.
func (o *OrderState) SettledNotFound() bool { return o.notFoundSeq != 0 }

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
	return &Book{Path: path, seed: maphash.MakeSeed()}
}

// LoadBook reads and verifies the journal at path and folds it into a Book.
// It does not lock or repair the file; use OpenJournal to write. It may
// run while another process appends: an incomplete last line (or a torn
// tail a crash left) is ignored; damage anywhere else is a *DamageError.
func LoadBook(ctx context.Context, path string) (*Book, error) {
	b := newBook(path)
	end, err := journal.Scan(ctx, path, b.replay)
	if err != nil {
		return nil, err
	}
	if end.Seq <= 1 {
		return nil, &journal.DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record"}
	}
	b.replayed(end)
	return b, nil
}

// OpenJournal locks an existing journal, repairs a torn tail, refuses
// damage anywhere else (see journal.Open), and returns the journal with
// its replayed Book.
func OpenJournal(ctx context.Context, path string, warn func(string)) (*journal.Journal, *Book, error) {
	b := newBook(path)
	j, end, err := journal.Open(ctx, path, warn, b.replay)
	if err != nil {
		return nil, nil, err
	}
	b.replayed(end)
	return j, b, nil
}

// CreateJournal creates a new journal at path with the header h (see
// journal.Create) and returns it with its Book.
func CreateJournal(ctx context.Context, path string, h journal.Header) (*journal.Journal, *Book, error) {
	j, hdr, err := journal.Create(ctx, path, h)
	if err != nil {
		return nil, nil, err
	}
	b := newBook(path)
	b.Apply(hdr)
	return j, b, nil
}

// Apply folds one record into the book: what the live engine does after
// Journal.Append returns (Seq and Hash set), in journal order. Replay
// (book_replay.go) folds the records it reads in place through the same
// appliers. The book keeps no reference to r.
func (b *Book) Apply(r *journal.Record) {
	// The head only moves forward: the engine's workers apply their
	// records concurrently, so a lower seq may be applied after a higher.
	switch {
	case r.Seq == 0:
		b.Records++
		if r.Hash != "" {
			b.HeadHash = r.Hash
		}
	case int64(r.Seq) > b.Records:
		b.Records, b.HeadHash = int64(r.Seq), r.Hash
	}
	switch {
	case r.Header != nil:
		h := *r.Header
		h.Settings = maps.Clone(h.Settings)
		b.Header = h
		b.headerCap()
	case r.Input != nil:
		pos := journal.Pos{Off: -1, Seq: r.Seq}
		copy(pos.Prev[:], r.Prev)
		b.beginInput(r.Input, pos, r.At)
	case r.Row != nil:
		w := r.Row
		b.addRow(&journal.RowView{Line: w.Line, DupOf: w.DupOf, Status: w.Status,
			Phone: []byte(w.Phone), Pid: []byte(w.Pid), OrderID: []byte(w.OrderID)})
	case r.Planned != nil:
		b.planned(r.Planned.Rows)
	case r.Intent != nil:
		b.applyIntent([]byte(r.Intent.OrderID), r.Seq, r.At, r.Intent.Reserved)
	case r.Submit != nil:
		s := r.Submit
		b.applySubmit(r.Seq, r.At, &journal.SubmitView{AnswerView: answerView(&s.Answer), CardName: []byte(s.CardName)})
	case r.Query != nil:
		q := r.Query
		b.applyQuery(r.Seq, r.At, &journal.QueryView{AnswerView: answerView(&q.Answer), State: q.State})
	case r.Callback != nil:
		c := r.Callback
		b.applyCallback([]byte(c.OrderID), r.At, []byte(c.SporderID), c.State, []byte(c.ErrMsg))
	case r.SpendCap != nil:
		b.applySpendCap(r.SpendCap.Max)
	case r.Balance != nil:
		b.balances = append(b.balances, Balance{At: r.At, BalanceNote: *r.Balance})
	}
}

func answerView(a *journal.Answer) journal.AnswerView {
	return journal.AnswerView{OrderID: []byte(a.OrderID), Class: a.Class, Code: a.Code,
		SporderID: []byte(a.SporderID), Cost: a.Cost, HasCost: a.HasCost, Reason: []byte(a.Reason)}
}

// orderFor returns the index of the order id, creating it (as not in any
// input) if new.
func (b *Book) orderFor(id []byte) int32 {
	var key order
	if i, ok := b.find(id, &key); ok {
		b.hint = i + 1 // only here: find must not write, readers share it
		return i
	}
	b.setID(&key, id) // a text id is copied only now, when it is kept
	return b.lookupOrAdd(&key)
}

func (b *Book) applyIntent(id []byte, seq uint64, at int64, reserved juhe.Money) {
	i := b.orderFor(id)
	b.unweigh(i)
	defer b.weigh(i)
	o := &b.orders[i]
	b.raisePrice(o.pid, reserved)
	b.count(i, fIntents, &o.intents)
	o.intentSeq = b.putSeq(i, fIntentSeq, seq)
	o.lastIntentAt = b.putTime(i, fLastIntentAt, at)
	if o.submittedAt == 0 {
		o.submittedAt = b.putTime(i, fSubmittedAt, at)
	}
}

// codeDuplicate is the provider's "duplicate orderid" (210508).
const codeDuplicate = 210508

// conflictMark starts the reason of an answer the engine journals as
// unknown because it is about another order: the book flags it.
const conflictMark = "conflict: "

// isForeign reports whether an answer was journaled as being about
// another order.
func isForeign(class juhe.Class, reason []byte) bool {
	return class == juhe.ClassUnknown && bytes.HasPrefix(reason, []byte(conflictMark))
}

func (b *Book) applySubmit(seq uint64, at int64, s *journal.SubmitView) {
	i := b.orderFor(s.OrderID)
	b.unweigh(i)
	defer b.weigh(i)
	o := &b.orders[i]
	foreign := isForeign(s.Class, s.Reason)
	if !foreign && o.outcomes == 0 && o.intents == 1 && s.Code == codeDuplicate {
		// This journal had sent the orderid once, yet the provider's first
		// answer says it already had it: it came from somewhere else.
		o.flags |= fPreExisting
	}
	b.count(i, fOutcomes, &o.outcomes)
	o.outcomeSeq = b.putSeq(i, fOutcomeSeq, seq)
	o.lastOutcomeAt = b.putTime(i, fLastOutcomeAt, at)
	o.submitClass = uint8(s.Class)
	o.submitCode = b.putWide(i, fSubmitCode, s.Code)
	o.flags &^= fCodeFromQuery
	o.reason = b.text.intern(s.Reason)
	if foreign {
		o.conflict = o.reason
		return
	}
	if why := b.otherSporder(i, s.SporderID); why != nil {
		o.conflict = b.text.intern(append([]byte("submit answer "), why...))
		return
	}
	o.submitCost = b.wide.put32(i, fSubmitCost, int64(s.Cost))
	o.setFlag(fSubmitHasCost, s.HasCost)
	if len(s.SporderID) > 0 {
		b.setSporder(i, s.SporderID)
	}
	if s.Class == juhe.ClassRejected && o.flags&fExists != 0 {
		o.conflict = b.text.intern(fmt.Appendf(nil, "submit answer said not created (%d) after the provider had shown that the order exists", s.Code))
	}
	// A sporder_id is proof, but not on an answer that says the order was
	// not created.
	if s.Class == juhe.ClassAccepted || s.Code == codeDuplicate || len(s.SporderID) > 0 && s.Class != juhe.ClassRejected {
		b.proven(i, at)
	}
	if len(s.CardName) > 0 {
		o.cardName = b.text.intern(s.CardName)
	}
}

// otherSporder says why the sporder_id s, in an answer about order i, is
// another order's: i holds a different one, or another order holds s. nil
// when s agrees (or is empty).
func (b *Book) otherSporder(i int32, s []byte) []byte {
	if len(s) == 0 {
		return nil
	}
	o := &b.orders[i]
	if o.sporder != 0 && !bytes.Equal(b.text.bytes(o.sporder), s) {
		return fmt.Appendf(nil, "names sporder_id %q, the order's is %q", s, b.text.bytes(o.sporder))
	}
	if j, ok := b.sporderOwner(s); ok && j != i {
		return fmt.Appendf(nil, "names sporder_id %q, which is order %s's", s, b.idString(&b.orders[j]))
	}
	return nil
}

func (b *Book) applyQuery(seq uint64, at int64, q *journal.QueryView) {
	i := b.orderFor(q.OrderID)
	b.unweigh(i)
	defer b.weigh(i)
	o := &b.orders[i]
	o.queryClass = uint8(q.Class)
	o.queryCode = b.putWide(i, fQueryCode, q.Code)
	o.flags |= fCodeFromQuery
	o.reason = b.text.intern(q.Reason)
	qs := juhe.GameState(o.queryState)
	switch q.Class {
	case juhe.ClassUnknown:
		if isForeign(q.Class, q.Reason) {
			o.conflict = o.reason
		}
	case juhe.ClassNotFound:
		if qs != juhe.StateNone {
			o.conflict = b.text.intern(fmt.Appendf(nil, "query said the order does not exist after one said state %d", qs))
			return
		}
		if o.flags&fExists != 0 {
			o.conflict = b.text.intern([]byte("query said the order does not exist (210511) after the provider had shown that it exists"))
			return
		}
		o.notFoundSeq = b.putSeq(i, fNotFoundSeq, seq)
	case juhe.ClassAccepted:
		if why := b.otherSporder(i, q.SporderID); why != nil {
			o.conflict = b.text.intern(append([]byte("query answer "), why...))
			return
		}
		if len(q.SporderID) > 0 {
			b.setSporder(i, q.SporderID)
		}
		b.proven(i, at)
		// A cost of 0 is no cost (juhe's parse and batchOutcome drop it
		// now): a journal an older version wrote with a success at 0
		// keeps the submit's cost, or none, never a spend of 0.
		if q.HasCost && q.Cost != 0 {
			o.queryCost = b.wide.put32(i, fQueryCost, int64(q.Cost))
			o.flags |= fQueryHasCost
		}
		switch q.State {
		case juhe.StateCharging, juhe.StateSuccess, juhe.StateFailed, juhe.StateSubmitFailed:
		default:
			return
		}
		if qs.Final() {
			if q.State.Final() && q.State != qs {
				o.conflict = b.text.intern(fmt.Appendf(nil, "query said state %d after one confirmed state %d", q.State, qs))
			}
			return
		}
		if qs == juhe.StateNone && q.State == juhe.StateCharging {
			// Still charging when first seen: a young order, most likely
			// created by this journal's own request (a provider that
			// retries internally answers it 210508), not one left over
			// from an earlier batch, which would long be final.
			o.flags &^= fPreExisting
		}
		o.queryState, o.queryAt = int8(q.State), b.putTime(i, fQueryAt, at)
		if q.State.Final() {
			o.finalAt = b.putTime(i, fFinalAt, at)
			o.setFlag(fViaCallback, b.callbackState(i) == q.State)
		}
	}
}

func (b *Book) applyCallback(id []byte, at int64, sporderID []byte, state juhe.GameState, errMsg []byte) {
	i := b.orderFor(id)
	b.unweigh(i)
	defer b.weigh(i)
	o := &b.orders[i]
	o.callbackState = b.putState(i, fCallbackState, state)
	o.callbackAt = b.putTime(i, fCallbackAt, at)
	if len(errMsg) > 0 {
		// Few orders fail with a reason: a map, not a field of every order.
		if b.cbReasons == nil {
			b.cbReasons = make(map[int32]uint32)
		}
		b.cbReasons[i] = b.text.intern(errMsg)
	}
	b.proven(i, at) // a callback is journaled only when its sign verified
	if why := b.otherSporder(i, sporderID); why != nil {
		o.conflict = b.text.intern(append([]byte("callback "), why...))
	} else if len(sporderID) > 0 {
		b.setSporder(i, sporderID)
	}
}

// Order returns the state of orderID: a copy materialised from the book,
// the caller's to keep; it does not follow later records.
func (b *Book) Order(orderID string) (*OrderState, bool) {
	var key order
	i, ok := b.find([]byte(orderID), &key)
	if !ok {
		return nil, false
	}
	o := new(OrderState)
	b.state(i, o)
	return o, true
}

// Orders calls fn for every order the journal knows, in the order each
// was first planned. fn gets the same *OrderState every time, refilled:
// it must not keep the pointer (copy the value to keep it).
func (b *Book) Orders(fn func(*OrderState) error) error {
	var o OrderState
	for i := range b.orders {
		b.state(int32(i), &o)
		if err := fn(&o); err != nil {
			return err
		}
	}
	return nil
}

// Rows streams the RowRecords of the latest complete input from the
// journal file, in input order. It checks the checksum and chain of every
// record it reads. Each RowRecord is fn's to keep.
func (b *Book) Rows(ctx context.Context, fn func(*journal.RowRecord) error) error {
	s := b.cur
	if s == nil {
		return nil
	}
	from := s.pos
	if from.Off < 0 {
		from = journal.Pos{}
	}
	_, err := journal.ScanFrom(ctx, b.Path, from, func(raw *journal.Raw) error {
		r, err := raw.Record()
		if err != nil || r.Seq < s.pos.Seq {
			return err
		}
		switch {
		case r.Row != nil:
			return fn(r.Row)
		case r.Planned != nil:
			return errStopRows
		}
		return nil
	})
	if err == errStopRows {
		return nil
	}
	if err != nil {
		return err
	}
	return fmt.Errorf("journal %s: the input section at record %d ended before its Planned record", b.Path, s.pos.Seq)
}

var errStopRows = errors.New("stop: the section is read")

// Counts returns the number of latest-input rows per Status, including
// invalid rows, and the success spend, charging amount and failed refunds.
func (b *Book) Counts() Totals {
	t := Totals{ByStatus: make(map[Status]int, len(Statuses))}
	for _, s := range Statuses {
		t.ByStatus[s] = 0
	}
	if b.cur != nil {
		t.Rows = len(b.cur.members) + b.cur.invalid
		t.ByStatus[StatusInvalid] += b.cur.invalid
		for _, i := range b.cur.members {
			o := &b.orders[i]
			st := b.status(i)
			t.ByStatus[st]++
			if !st.Final() {
				t.OpenCount++
			}
			c, ok := b.cost(i)
			if !ok {
				if st == StatusSuccess {
					t.CostUnknown++ // never summed as 0
				}
				continue
			}
			switch st {
			case StatusSuccess:
				t.Spend += c
			case StatusCharging:
				t.Charging += c
			case StatusFailed:
				if juhe.GameState(o.queryState) != juhe.StateSubmitFailed { // never charged
					t.Refunded += c
				}
			}
		}
	}
	for i := range b.orders {
		if b.orders[i].flags&fInInput == 0 {
			t.Orphans++
		}
	}
	return t
}

// Totals are the control totals of a book.
type Totals struct {
	Rows     int // rows in the latest input
	ByStatus map[Status]int
	Spend    juhe.Money // sum of success costs
	Charging juhe.Money // sum of costs still charging
	Refunded juhe.Money // sum of costs of failed orders
	// CostUnknown counts the successes whose cost no answer gave (none,
	// or 0): they are not in Spend, which then falls short of the truth.
	CostUnknown int
	Orphans     int // orders journaled but absent from the latest input
	OpenCount   int // rows not in a final state
}
