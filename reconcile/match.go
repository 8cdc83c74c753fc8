package reconcile

import (
	"fmt"
	"sort"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
)

// The three-way match: the provider's statement against the journals
// (and, through them, the input rows they were planned from). A line of
// the statement is matched by orderid, then by sporder_id, first with the
// journals the match is about (own), then with the other journals of the
// workspace (others). The month's workbook passes every journal as own.

// Result is what the match says of one order.
type Result int

const (
	Matched           Result = iota // same orderid, same final state (a rejected submit agrees with a failed order: neither was charged), same cost to the 厘
	StateDiffers                    // the statement gives another state
	CostDiffers                     // same state, another cost
	MissingAtProvider               // we hold it as success or charging; the statement does not list it
	Unexplained                     // on the statement, in no journal of the workspace: the leak detector
	OtherBatch                      // on the statement and in another journal of the workspace: counted, not flagged
)

// Results in the order the workbook shows them.
var Results = []Result{Matched, StateDiffers, CostDiffers, MissingAtProvider, Unexplained, OtherBatch}

// Flagged reports whether a result needs a person.
func (r Result) Flagged() bool { return r != Matched && r != OtherBatch }

// MatchLine is one order the match is about: a statement line, a journal
// order, or both.
type MatchLine struct {
	Result  Result
	BatchID string // the journal that holds the order; "" when none does
	Row     int    // its input row, 0 when none
	OrderID, SporderID,
	Phone, Pid string
	Ours       batch.Status // "" when no journal holds it
	OurCost    juhe.Money
	OurHasCost bool
	Theirs     juhe.GameState // StateNone when the statement does not list it
	TheirCost  juhe.Money
	TheirHas   bool
	AddTime    int64 // the statement's addtime, unix seconds; 0 when none
	Submitted  int64 // the journal's first intent, unix ms; 0 when none
}

// Charged reports whether the statement shows the line's cost as taken
// from the balance: success, or still charging. A failed order is refunded.
func (l *MatchLine) Charged() bool {
	return l.TheirHas && (l.Theirs == juhe.StateSuccess || l.Theirs == juhe.StateCharging)
}

// Money is the line's amount for its result's total: what the statement
// charged, or for an order missing at the provider, what we hold it cost.
func (l *MatchLine) Money() juhe.Money {
	if l.Result == MissingAtProvider {
		if l.OurHasCost {
			return l.OurCost
		}
		return 0
	}
	if l.Charged() {
		return l.TheirCost
	}
	return 0
}

// ResultTotal is the count and money of one result.
type ResultTotal struct {
	Count int
	Money juhe.Money
}

// ThreeWay is the match's answer.
type ThreeWay struct {
	Account   string
	Totals    map[Result]ResultTotal
	Lines     []MatchLine // every line but the matched ones, by result, then time
	Skipped   []string    // other journals left out: another account
	Statement *statement.Statement
	// Uncovered counts the own orders sent (an intent) at a time no
	// period of the statement holds, and that it does not list: it says
	// nothing of them (pulled before a resume sent more, or for another
	// span), so the match cannot agree about them. FirstUncovered is the
	// first of them.
	Uncovered      int
	FirstUncovered MatchLine

	listed map[string]juhe.GameState // own orders the statement lists, by orderid: its state
}

// Uncharged reports whether the statement confirms that the provider
// charged nothing for the own order orderID, submitted at submittedAt
// (unix ms): it lists the order as failed (9 or -1), or it covers the
// time the order was sent and does not list it. A row whose final state
// came from game_state -1 may go into a retry file only then.
func (m *ThreeWay) Uncharged(orderID string, submittedAt int64) bool {
	if st, ok := m.listed[orderID]; ok {
		return st == juhe.StateFailed || st == juhe.StateSubmitFailed
	}
	return submittedAt > 0 && m.Statement.Covers(submittedAt)
}

// Agrees reports whether nothing is unexplained and nothing missing: the
// check cell's 一致.
func (m *ThreeWay) Agrees() bool {
	return m.Totals[Unexplained].Count == 0 && m.Totals[MissingAtProvider].Count == 0
}

// ChargedBetween sums what the statement charged, between from and to
// (unix ms), for orders of other batches and for unexplained ones. An
// other batch's order is placed by its own journal's first intent (ms);
// an unexplained one only has the provider's addtime, whole seconds, so
// one in the second of from counts as after it.
func (m *ThreeWay) ChargedBetween(from, to int64) (other, unexplained juhe.Money) {
	for i := range m.Lines {
		l := &m.Lines[i]
		if !l.Charged() {
			continue
		}
		switch {
		case l.Result == OtherBatch && l.Submitted > 0:
			if l.Submitted >= from && l.Submitted <= to {
				other += l.TheirCost
			}
		case l.Result == OtherBatch || l.Result == Unexplained:
			if l.AddTime == 0 || l.AddTime*1000 < from-999 || l.AddTime*1000 > to {
				continue
			}
			if l.Result == OtherBatch {
				other += l.TheirCost
			} else {
				unexplained += l.TheirCost
			}
		}
	}
	return other, unexplained
}

// AccountMismatchError refuses a match of a journal run on one account
// against the statement of another.
type AccountMismatchError struct {
	BatchID, Journal, Statement string
}

func (e *AccountMismatchError) Error() string {
	return fmt.Sprintf("batch %s ran on account %s; the statement is of account %s: two accounts are never matched", e.BatchID, e.Journal, e.Statement)
}

// Match matches the statement st against the journals own (the batch, or
// every journal of a month) and others (the rest of the workspace). A
// journal records its account in its header when the balance endpoint
// said it: an own journal of another account than the statement's is an
// error, another journal of another account is left out (Skipped). The
// statement must be whole (statement.Statement.NotWhole).
func Match(st *statement.Statement, own, others []*batch.Book) (*ThreeWay, error) {
	m := &ThreeWay{Account: st.Account, Totals: make(map[Result]ResultTotal), Statement: st, listed: make(map[string]juhe.GameState)}
	for _, b := range own {
		if acc := b.Header.Settings[workspace.SettingAccount]; acc != "" && st.Account != "" && acc != st.Account {
			return nil, &AccountMismatchError{BatchID: b.Header.BatchID, Journal: acc, Statement: st.Account}
		}
	}
	var kept []*batch.Book
	for _, b := range others {
		if acc := b.Header.Settings[workspace.SettingAccount]; acc != "" && st.Account != "" && acc != st.Account {
			m.Skipped = append(m.Skipped, fmt.Sprintf("%s (account %s)", b.Header.BatchID, acc))
			continue
		}
		kept = append(kept, b)
	}
	type key struct {
		book int
		id   string
	}
	listed := make(map[key]bool)
	firstSporder := make(map[key]string) // the sporder_id of an own order's first line
	find := func(books []*batch.Book, orderID, sporderID string) (int, *batch.OrderState) {
		for i, b := range books {
			if orderID != "" {
				if o, ok := b.Order(orderID); ok {
					return i, o
				}
			}
			// By sporder_id only a line that names no orderid: one that
			// names another orderid is that order, not ours.
			if sporderID != "" && orderID == "" {
				if id, ok := b.SporderOwner(sporderID); ok {
					if o, ok := b.Order(id); ok {
						return i, o
					}
				}
			}
		}
		return -1, nil
	}
	st.Lines(func(_ *statement.Period, l *juheLine) {
		ml := MatchLine{OrderID: l.OrderID, SporderID: l.SporderID, Phone: l.Phone, Pid: l.Pid,
			Theirs: l.State, TheirCost: l.Cost, TheirHas: l.HasCost, AddTime: l.AddTime}
		if i, o := find(own, l.OrderID, l.SporderID); o != nil {
			k := key{i, o.OrderID}
			if listed[k] {
				if first := firstSporder[k]; l.SporderID == "" || first == "" || l.SporderID == first {
					return // the same order twice on the statement: once is enough
				}
				// One orderid under a second sporder_id: a second
				// charge, which no journal explains.
				ours(&ml, own[i], o)
				ml.SporderID = l.SporderID
				ml.Result = Unexplained
				m.add(ml)
				if l.State != juhe.StateFailed && l.State != juhe.StateSubmitFailed {
					m.listed[o.OrderID] = l.State // not uncharged, whatever the first line said
				}
				return
			}
			listed[k] = true
			firstSporder[k] = l.SporderID
			m.listed[o.OrderID] = l.State
			ours(&ml, own[i], o)
			ml.Result = compare(o, l.State, l.Cost, l.HasCost)
		} else if i, o := find(kept, l.OrderID, l.SporderID); o != nil {
			ours(&ml, kept[i], o)
			ml.Result = OtherBatch
		} else {
			ml.Result = Unexplained
		}
		m.add(ml)
	})
	for i, b := range own {
		_ = b.Orders(func(o *batch.OrderState) error {
			if o.Intents > 0 && !listed[key{i, o.OrderID}] && (!st.Covers(o.SubmittedAt) || !st.Covers(o.LastIntentAt)) {
				if m.Uncovered++; m.Uncovered == 1 {
					ours(&m.FirstUncovered, b, o)
				}
			}
			s := o.Status()
			if (s != batch.StatusSuccess && s != batch.StatusCharging) || listed[key{i, o.OrderID}] || !st.Covers(o.SubmittedAt) {
				return nil
			}
			ml := MatchLine{Result: MissingAtProvider, Theirs: juhe.StateNone}
			ours(&ml, b, o)
			m.add(ml)
			return nil
		})
	}
	sort.SliceStable(m.Lines, func(i, j int) bool {
		a, b := &m.Lines[i], &m.Lines[j]
		if a.Result != b.Result {
			return a.Result < b.Result
		}
		return a.when() < b.when()
	})
	return m, nil
}

type juheLine = journal.StatementLine

func (m *ThreeWay) add(l MatchLine) {
	t := m.Totals[l.Result]
	t.Count++
	t.Money += l.Money()
	m.Totals[l.Result] = t
	if l.Result != Matched {
		m.Lines = append(m.Lines, l)
	}
}

func (l *MatchLine) when() int64 {
	if l.AddTime > 0 {
		return l.AddTime * 1000
	}
	return l.Submitted
}

func ours(ml *MatchLine, b *batch.Book, o *batch.OrderState) {
	ml.BatchID, ml.Row, ml.Ours, ml.Submitted = b.Header.BatchID, o.Line, o.Status(), o.SubmittedAt
	if ml.OrderID == "" {
		ml.OrderID = o.OrderID
	}
	if ml.SporderID == "" {
		ml.SporderID = o.SporderID
	}
	if ml.Phone == "" {
		ml.Phone = o.Phone
	}
	if ml.Pid == "" {
		ml.Pid = o.Pid
	}
	ml.OurCost, ml.OurHasCost = o.Cost()
}

// compare is the result for an order both sides know.
func compare(o *batch.OrderState, theirs juhe.GameState, cost juhe.Money, hasCost bool) Result {
	s := o.Status()
	uncharged := theirs == juhe.StateFailed || theirs == juhe.StateSubmitFailed
	// A rejected submit and a failed order were both never charged.
	same := s == batch.StatusSuccess && theirs == juhe.StateSuccess ||
		s == batch.StatusCharging && theirs == juhe.StateCharging ||
		(s == batch.StatusFailed || s == batch.StatusRejected) && uncharged
	if !same {
		return StateDiffers
	}
	if !uncharged {
		if c, ok := o.Cost(); ok && hasCost && c != cost {
			return CostDiffers
		}
	}
	return Matched
}
