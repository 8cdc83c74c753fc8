package batch

import (
	"context"
	"fmt"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// CapHalt is what a halt at the spending cap says: the cap, what was
// committed against it when the next request did not fit, and what is
// left.
type CapHalt struct {
	Max       juhe.Money // the cap in force
	Committed juhe.Money // the worst case of the orders journaled (Book.Committed), intents being written included
	Next      juhe.Money // the price of the request that did not fit (what it adds may be less: see reserve)
	Pid       string     // its pid
	RowsLeft  int        // orders of the latest input not submitted yet, that one included
	// Rest is the price (Book.Price) of those never sent (the others
	// count in Committed already): a cap of Committed+Rest would let
	// every one of them leave.
	Rest juhe.Money
}

// reserve reserves the worst case of the request for o against the
// journal's spending cap, and notes it in intent, before the intent is
// written. Without a cap it does nothing. A request that does not fit
// halts the engine at the cap (errStopped): no request that adds to the
// worst case is reserved after it, and those reserved before it still
// leave, since they fit. A pid without a price halts as the provider's
// halts do.
//
// The worst case is Book.Committed with the catalogue prices, plus what
// the intents being written add to it (pending), plus what this one adds:
// o's price, less what o counts for already (an intent written again for
// the same order is one order at the provider: its orderid is the same).
// The intent carries o's whole price; added, what it adds, goes into
// pending until the intent is in the book.
func (e *Engine) reserve(o *OrderState, intent *journal.Intent) (added juhe.Money, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	limit, ok := e.book.SpendCap()
	if !ok {
		return 0, nil
	}
	price := e.book.Price(o.Pid, e.opts.Prices)
	if price <= 0 {
		e.triggerHalt(&HaltError{Line: o.Line, OrderID: o.OrderID, Code: juhe.NoCode,
			Reason: fmt.Sprintf(spendMsg.noPrice, o.Pid), Advice: spendMsg.noPriceAdvice})
		return 0, errStopped
	}
	committed := e.book.Committed(e.opts.Prices) + e.pending
	added = max(price-e.book.weight(o.OrderID, e.opts.Prices), 0)
	if added > 0 && e.capped() {
		return 0, errStopped // halted at the cap already
	}
	if committed+added > limit {
		h := &CapHalt{Max: limit, Committed: committed, Next: price, Pid: o.Pid}
		e.book.Orders(func(x *OrderState) error {
			if !x.InInput || x.Status() != StatusNotSubmitted || e.pendingIDs[x.OrderID] {
				return nil
			}
			h.RowsLeft++
			if x.Intents == 0 { // the others count in committed already
				h.Rest += e.book.Price(x.Pid, e.opts.Prices)
			}
			return nil
		})
		e.triggerCap(&HaltError{Line: o.Line, OrderID: o.OrderID, Code: juhe.NoCode, SpendCap: h,
			Reason: fmt.Sprintf(spendMsg.reached, limit, committed, price),
			Advice: fmt.Sprintf(spendMsg.advice, h.RowsLeft, h.Rest, committed+h.Rest)})
		return 0, errStopped
	}
	e.pending += added
	if e.pendingIDs == nil {
		e.pendingIDs = make(map[string]bool)
	}
	e.pendingIDs[o.OrderID] = true
	intent.Reserved, intent.HasReserved = price, true
	return added, nil
}

// release takes an intent's reservation out of pending, under e.mu.
func (e *Engine) release(recs []*journal.Record, added juhe.Money) {
	for _, r := range recs {
		if r.Intent != nil && r.Intent.HasReserved {
			e.pending -= added
			delete(e.pendingIDs, r.Intent.OrderID)
		}
	}
}

// spendMsg holds the engine's words about the spending cap, in one place
// for the message catalogue.
var spendMsg = struct {
	noPrice, noPriceAdvice, reached, advice string
}{
	noPrice:       "no price for pid %s under the spending cap: the worst case of its order is unknown",
	noPriceAdvice: "run again when the provider's catalogue lists it, or without the rows of that pid",
	reached: "the spending cap of %s yuan is reached: %s yuan committed (the confirmed cost of every order, " +
		"and the price of every one in flight or unknown), and the next request, at %s yuan, does not fit",
	advice: "%d rows not sent yet (%s yuan at the catalogue prices); raise the cap with -max-spend " +
		"(-max-spend %s covers them all), then run the same command again",
}

// SetSpendCap journals max as the batch's spending cap: the first cap, a
// higher one or a lower one. It is a no-op when max is the cap in force.
func SetSpendCap(ctx context.Context, j *journal.Journal, b *Book, max juhe.Money) error {
	if max <= 0 {
		return fmt.Errorf("spending cap %s yuan: want an amount above 0", max)
	}
	if cur, ok := b.SpendCap(); ok && cur == max {
		return nil
	}
	r := &journal.Record{Type: journal.RecSpendCap, At: time.Now().UnixMilli(), SpendCap: &journal.SpendCap{Max: max}}
	if err := j.Append(ctx, r); err != nil {
		return fmt.Errorf("journaling the spending cap: %w", err)
	}
	b.Apply(r)
	return nil
}
