package batch

import (
	"github.com/flowbatch/flowbatch/juhe"
)

// spend is what the orders of a book have committed against a spending
// cap. The book keeps it as it applies each record, live or replayed, by
// one rule (weigh), so that a resume after a crash sees the very sum the
// crashed run saw.
//
// An order commits:
//   - nothing before its first intent, or once the provider rejected it
//     (not created), unless an earlier request of it was settled only by
//     a 210511: then its price (below);
//   - its confirmed cost once it is charging, a success or failed: a
//     refund can come late or not at all, so it gives nothing back, nor
//     does a later answer with a lower cost (a refund shown as 0): the
//     highest cost answered counts;
//   - else its pid's price: in flight, unknown, final without a cost, and
//     also "not submitted" again after an intent (a settled 210511, a
//     throttled answer). Such an order is submitted again with the same
//     orderid, so it is the same order, and its room is kept for it: were
//     the 210511 wrong (a provider whose lookup lags behind its charge),
//     the room freed would be spent on another row while this one was
//     charged too.
//
// A pid's price is the highest of what any intent of it was reserved at
// (the catalogue price then, see Intent.Reserved) and any cost the
// provider answered for it: the provider's real charge can differ from
// its list. Refunds and lower costs never lower it.
type spend struct {
	max  juhe.Money // the cap in force: the latest spend cap record, else the header's; 0 when none
	caps int        // spend cap records
	// fromHeader: the batch was started with a cap (SettingMaxSpend).
	fromHeader bool
	costed     juhe.Money            // the costs of the orders that count at their cost
	open       map[uint32]int64      // pid (intern id) → orders that count at its price
	high       map[uint32]juhe.Money // pid → the highest price reserved or cost seen
	// kept is, for an order whose cost an answer lowered (a refund shown
	// as 订单消耗金额 0), the highest cost it was answered: what it counts
	// at, since the refund can come late or not at all. Sparse.
	kept map[int32]juhe.Money
	// was is the cost of the order between unweigh and weigh.
	was   juhe.Money
	wasOK bool
}

// weightKind is how an order counts against the cap.
type weightKind uint8

const (
	weightNone  weightKind = iota // not submitted, or rejected
	weightCost                    // its confirmed cost
	weightPrice                   // its pid's price
)

func (b *Book) weighOf(i int32) (weightKind, juhe.Money) {
	o := &b.orders[i]
	if o.intents == 0 {
		return weightNone, 0
	}
	switch st := b.status(i); st {
	case StatusRejected:
		if b.getSeq(i, fNotFoundSeq, o.notFoundSeq) == 0 {
			return weightNone, 0
		}
		// An earlier request of it only a lookup's 210511 settled: the
		// rejection is about a later one, and were the 210511 wrong the
		// earlier one is charged. It keeps its room.
	case StatusCharging, StatusSuccess, StatusFailed:
		if c, ok := b.costOf(i); ok {
			return weightCost, c
		}
	}
	return weightPrice, 0
}

// costOf is order i's cost for the cap: the highest any answer gave it.
func (b *Book) costOf(i int32) (juhe.Money, bool) {
	c, ok := b.cost(i)
	if k, has := b.spend.kept[i]; has && (!ok || k > c) {
		return k, true
	}
	return c, ok
}

// unweigh takes order i out of the sum before a record changes it; weigh
// puts it back after. Every change of an order's state or pid is between
// the two.
func (b *Book) unweigh(i int32) {
	b.spend.was, b.spend.wasOK = b.costOf(i)
	switch k, c := b.weighOf(i); k {
	case weightCost:
		b.spend.costed -= c
	case weightPrice:
		b.spend.open[b.orders[i].pid]--
	}
}

func (b *Book) weigh(i int32) {
	o := &b.orders[i]
	c, ok := b.cost(i)
	if ok {
		b.raisePrice(o.pid, c)
	}
	if b.spend.wasOK && (!ok || c < b.spend.was) {
		if b.spend.kept == nil {
			b.spend.kept = make(map[int32]juhe.Money)
		}
		b.spend.kept[i] = b.spend.was
	}
	b.spend.was, b.spend.wasOK = 0, false
	switch k, c := b.weighOf(i); k {
	case weightCost:
		b.spend.costed += c
	case weightPrice:
		if b.spend.open == nil {
			b.spend.open = make(map[uint32]int64)
		}
		b.spend.open[o.pid]++
	}
}

func (b *Book) raisePrice(pid uint32, m juhe.Money) {
	if m <= b.spend.high[pid] {
		return
	}
	if b.spend.high == nil {
		b.spend.high = make(map[uint32]juhe.Money)
	}
	b.spend.high[pid] = m
}

// SpendCap is the spending cap in force: the latest spend cap record. ok
// is false when the batch has none.
func (b *Book) SpendCap() (max juhe.Money, ok bool) {
	return b.spend.max, b.spend.caps > 0 || b.spend.fromHeader
}

// SpendCapChanges is how many spend cap records the journal holds: the
// times the cap was set or changed after the batch started.
func (b *Book) SpendCapChanges() int { return b.spend.caps }

// Price is what a request for pid is reserved at: the higher of its
// catalogue price (prices, nil for none) and the highest price the
// journal reserved or cost it saw for pid. 0 when neither knows one.
func (b *Book) Price(pid string, prices map[string]juhe.Money) juhe.Money {
	p := prices[pid]
	if id, ok := b.text.ids[pid]; ok || pid == "" {
		p = max(p, b.spend.high[id])
	}
	return p
}

// Committed is the worst case of what the journal's orders cost: the
// confirmed cost of every charging, successful or failed order, and the
// price (see Price) of every other order that may exist. prices are the
// catalogue's, nil for the journal's alone.
func (b *Book) Committed(prices map[string]juhe.Money) juhe.Money {
	sum := b.spend.costed
	for pid, n := range b.spend.open {
		if n == 0 {
			continue
		}
		sum += juhe.Money(n) * max(prices[b.text.str(pid)], b.spend.high[pid])
	}
	return sum
}

// weight is what order orderID adds to Committed now.
func (b *Book) weight(orderID string, prices map[string]juhe.Money) juhe.Money {
	var key order
	i, ok := b.find([]byte(orderID), &key)
	if !ok {
		return 0
	}
	switch k, c := b.weighOf(i); k {
	case weightCost:
		return c
	case weightPrice:
		return b.Price(b.text.str(b.orders[i].pid), prices)
	}
	return 0
}

// UnpricedOpen calls fn for every order that counts at its pid's price
// while neither prices nor the journal know one for the pid: a cap cannot
// be held over it.
func (b *Book) UnpricedOpen(prices map[string]juhe.Money, fn func(*OrderState)) {
	var o OrderState
	for i := range b.orders {
		if k, _ := b.weighOf(int32(i)); k != weightPrice {
			continue
		}
		if b.Price(b.text.str(b.orders[i].pid), prices) > 0 {
			continue
		}
		b.state(int32(i), &o)
		fn(&o)
	}
}

// SettingMaxSpend names the journal header setting that holds the cap a
// batch was started with, in yuan ("150.000"); a spend cap record (M)
// changes it later. A batch started without one has none.
const SettingMaxSpend = "max-spend"

// headerCap takes the cap the batch was started with from the header. A
// setting that is no amount is ignored here; the commands refuse it.
func (b *Book) headerCap() {
	s, ok := b.Header.Settings[SettingMaxSpend]
	if !ok {
		return
	}
	if m, err := juhe.ParseMoney(SettingMaxSpend, s); err == nil && m > 0 {
		b.spend.max, b.spend.fromHeader = m, true
	}
}

func (b *Book) applySpendCap(max juhe.Money) {
	b.spend.max = max
	b.spend.caps++
}
