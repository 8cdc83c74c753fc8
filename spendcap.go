package main

import (
	"errors"
	"flag"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// The spending cap as the commands see it: -max-spend (or
// FLOWBATCH_MAX_SPEND) on submit, run and check, the cap journaled with
// the batch, the prices it needs, and what run and check say about it.
// The engine holds it (batch.Engine reserve); this file words it.

// envMaxSpend is the environment variable -max-spend falls back to.
const envMaxSpend = "FLOWBATCH_MAX_SPEND"

// maxSpendFlag is -max-spend as given: set is false when neither the
// flag nor the variable is; a resume then keeps the journaled cap.
type maxSpendFlag struct {
	text string     // the flag's text
	max  juhe.Money // parsed, in 厘
	set  bool
	from string // "-max-spend" or "FLOWBATCH_MAX_SPEND", for messages
}

// parse reads the flag's text, else the variable's. Junk, a sign, more
// than three decimals and zero are exit 2.
func (m *maxSpendFlag) parse(e *env, cmd string) error {
	m.from = "-max-spend"
	s := m.text
	if s == "" {
		if s = strings.TrimSpace(e.getenv(envMaxSpend)); s == "" {
			return nil
		}
		m.from = envMaxSpend
	}
	v, err := juhe.ParseMoney(m.from, s)
	if err != nil {
		return errOf(ExitUsage, msgCapBad, cmd, err).try(msgCapBadTry, m.from, m.from)
	}
	if v <= 0 {
		return errOf(ExitUsage, msgCapNotAbove0, cmd, m.from, s)
	}
	m.max, m.set = v, true
	return nil
}

// keepJournaled drops a cap from FLOWBATCH_MAX_SPEND that would raise
// the one the journal holds (book nil for a new batch), and says so: a
// variable left in a shell must not raise a batch's cap; raising is on
// purpose, with -max-spend. A variable may still set a first cap or lower
// one. nil when nothing is dropped.
func (m *maxSpendFlag) keepJournaled(book *batch.Book) localized {
	if !m.set || m.from != envMaxSpend || book == nil {
		return nil
	}
	was, ok := book.SpendCap()
	if !ok || m.max <= was {
		return nil
	}
	note := msgCapEnvNoRaise.with(envMaxSpend, m.max, was)
	m.max, m.set = 0, false
	return note
}

func addMaxSpendFlag(fs *flag.FlagSet, m *maxSpendFlag) {
	fs.StringVar(&m.text, "max-spend", "", "spending cap in `yuan` over all runs of the batch (default $"+envMaxSpend+"; journaled: a resume keeps it, a higher or lower one changes it)")
}

// capSource says where the cap in force comes from.
func capSource(book *batch.Book, m maxSpendFlag) localized {
	if m.set {
		if book != nil {
			if was, ok := book.SpendCap(); ok && was == m.max {
				return msgCapJournaled
			}
		}
		return msgCapFromFlag.with(m.from)
	}
	return msgCapJournaled
}

// inForce is the cap a command works under: the one given, else the
// journal's (book nil for a new batch).
func (m *maxSpendFlag) inForce(book *batch.Book) (juhe.Money, bool) {
	if m.set {
		return m.max, true
	}
	if book != nil {
		return book.SpendCap()
	}
	return 0, false
}

// capRows are the rows never sent, per pid, with their lines: they add to
// the worst case when they leave. Every row sent before, whatever became
// of it, is in Book.Committed already, or counts nothing.
type capRows struct {
	lines map[string][]int
	n     int
}

func (c *capRows) add(book *batch.Book, orderID, pid string, line int) {
	if book != nil {
		if o, ok := book.Order(orderID); ok && o.Intents > 0 {
			return // in Book.Committed already, until it is rejected or costed
		}
	}
	if c.lines == nil {
		c.lines = map[string][]int{}
	}
	c.lines[pid] = append(c.lines[pid], line)
	c.n++
}

// catalogPrices are the catalogue's prices per pid; nil when it did not answer.
func catalogPrices(catalogue map[string]juhe.Product) map[string]juhe.Money {
	if catalogue == nil {
		return nil
	}
	p := make(map[string]juhe.Money, len(catalogue))
	for pid, x := range catalogue {
		p[pid] = x.Price
	}
	return p
}

// capPlan is what a cap means for the rows to send, before the first
// request: run and check both build it, from the same catalogue.
type capPlan struct {
	max       juhe.Money
	committed juhe.Money // Book.Committed with the catalogue's prices
	estimate  juhe.Money // the rows to send at Book.Price
	rows      int
	fit       int // how many of them fit, in input order
	unpriced  map[string][]int
	noCatalog string // why there are no prices at all
}

// planCap prices the rows to send under the cap max.
func planCap(book *batch.Book, max juhe.Money, rows *capRows, catalogue map[string]juhe.Product, catNote string) capPlan {
	prices := catalogPrices(catalogue)
	p := capPlan{max: max, rows: rows.n}
	if catalogue == nil {
		p.noCatalog = catNote
	}
	price := func(pid string) juhe.Money {
		if book == nil {
			return prices[pid]
		}
		return book.Price(pid, prices)
	}
	if book != nil {
		p.committed = book.Committed(prices)
		book.UnpricedOpen(prices, func(o *batch.OrderState) {
			p.addUnpriced(o.Pid, o.Line)
		})
	}
	var all []struct {
		line  int
		price juhe.Money
	}
	for pid, lines := range rows.lines {
		pr := price(pid)
		if pr <= 0 {
			for _, l := range lines {
				p.addUnpriced(pid, l)
			}
			continue
		}
		for _, l := range lines {
			all = append(all, struct {
				line  int
				price juhe.Money
			}{l, pr})
			p.estimate += pr
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].line < all[j].line })
	sum := p.committed
	for _, r := range all {
		if sum+r.price > max {
			break
		}
		sum += r.price
		p.fit++
	}
	return p
}

func (p *capPlan) addUnpriced(pid string, line int) {
	if p.unpriced == nil {
		p.unpriced = map[string][]int{}
	}
	p.unpriced[pid] = append(p.unpriced[pid], line)
}

// halts reports whether the rows to send do not all fit under the cap.
func (p capPlan) halts() bool { return p.committed+p.estimate > p.max }

// room is what the cap leaves for the rows to send, for the balance check.
func (p capPlan) room() juhe.Money { return max(p.max-p.committed, 0) }

// halting is the warning that the rows do not all fit.
func (p capPlan) halting() phrase {
	return msgCapHalts.with(p.estimate, p.committed, p.max, p.fit, count{p.rows, nounRow})
}

// line is the cap against the estimate, for stderr (run) and stdout (check).
func (p capPlan) line(l lang, source localized) string {
	s := msgCapLine.f(l, p.max, source, p.committed, count{p.rows, nounRow}, p.estimate)
	if p.halts() {
		s += msgCapWarn.f(l, p.halting())
	}
	return s
}

// refusal is exit 3 (a pid without a price) or 4 (no catalogue) before
// anything is sent; nil when the cap can be held. check predicts it in
// the same words.
func (p capPlan) refusal(cmd string) error {
	if p.noCatalog != "" && (p.rows > 0 || len(p.unpriced) > 0) { // with nothing to send, nothing needs a price
		return errOf(ExitHalted, msgStartRefused, cmd, wouldBe(cmd, msgRefusedStart), msgCapNoCatalog.with(p.noCatalog)).try(msgCapNoCatTry)
	}
	if len(p.unpriced) == 0 {
		return nil
	}
	return errOf(ExitInvalid, msgStartRefused, cmd, wouldBe(cmd, msgRefusedStart), msgCapUnpriced.with(unpricedList(p.unpriced))).try(msgCapUnpricedTry)
}

// unpricedList is the pids without a price and their rows, for a person.
type unpricedList map[string][]int

func (u unpricedList) in(l lang) string {
	pids := make([]string, 0, len(u))
	for pid := range u {
		pids = append(pids, pid)
	}
	sort.Strings(pids)
	var parts []string
	for _, pid := range pids {
		lines := slices.Clone(u[pid])
		sort.Ints(lines)
		shown := lines[:min(len(lines), maxListed)]
		s := make([]string, len(shown))
		for i, n := range shown {
			s[i] = fmt.Sprint(n)
		}
		more := ""
		if len(lines) > len(shown) {
			more = msgCapMore.f(l, len(lines)-len(shown))
		}
		word := msgCapRowsWord
		if len(lines) == 1 {
			word = msgCapRowWord
		}
		parts = append(parts, msgCapPidRows.f(l, shellQuote(pid), word, strings.Join(s, ", "), more))
	}
	sep := "; "
	if l == langZH {
		sep = "；"
	}
	return strings.Join(parts, sep)
}

// capChange is the note for a -max-spend that sets or changes the
// journal's cap; nil when it does not.
func capChange(book *batch.Book, m maxSpendFlag) localized {
	if !m.set {
		return nil
	}
	was, ok := book.SpendCap()
	switch {
	case !ok:
		return msgCapSet.with(m.max)
	case m.max > was:
		return msgCapRaised.with(m.max, was)
	case m.max < was:
		return msgCapLowered.with(m.max, was)
	}
	return nil
}

// capHaltErr words a halt at the spending cap for cmd, with the command
// that goes on; nil when err is no such halt.
func capHaltErr(cmd string, args []string, err error) error {
	var h *batch.HaltError
	if !errors.As(err, &h) || h.SpendCap == nil {
		return nil
	}
	c := h.SpendCap
	return errOf(ExitHalted, msgCapHalted, cmd, c.Max, c.Committed, c.Next, journal.Thousands(h.Line),
		count{c.RowsLeft, nounRow}, c.Rest, c.Committed+c.Rest).
		try(msgCapHaltTry, quoteArgs(withMaxSpend(cmd, args, c.Committed+c.Rest)))
}

// withMaxSpend is args with -max-spend set to m (and cmd in front).
func withMaxSpend(cmd string, args []string, m juhe.Money) []string {
	out := []string{cmd}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-max-spend" || a == "--max-spend":
			i++
			continue
		case strings.HasPrefix(a, "-max-spend=") || strings.HasPrefix(a, "--max-spend="):
			continue
		}
		out = append(out, a)
	}
	return append(out, "-max-spend", m.String())
}

// addSpendCap is status's lines about the cap: the cap, what the journal
// commits against it (prices from the journal alone: what its intents
// reserved and the costs it saw), and what is left.
func addSpendCap(tb *table, l lang, b *batch.Book) {
	max, ok := b.SpendCap()
	if !ok {
		tb.add(msgStCap.in(l), msgStCapNone.in(l))
		return
	}
	if n := b.SpendCapChanges(); n > 0 {
		tb.add(msgStCap.in(l), msgStCapChanged.f(l, max, n))
	} else {
		tb.add(msgStCap.in(l), msgStYuan.f(l, max))
	}
	c := b.Committed(nil)
	tb.add(msgStCommitted.in(l), msgStCommittedIs.f(l, c))
	tb.add(msgStCapLeft.in(l), msgStYuan.f(l, max-c))
}
