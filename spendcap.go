package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
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
		return usageErr("%s: %v", cmd, err).hint("Try: %s 150 or %s 150.5 (yuan, at most three decimals)", m.from, m.from)
	}
	if v <= 0 {
		return usageErr("%s: %s %s: want an amount above 0 yuan", cmd, m.from, s)
	}
	m.max, m.set = v, true
	return nil
}

func addMaxSpendFlag(fs *flag.FlagSet, m *maxSpendFlag) {
	fs.StringVar(&m.text, "max-spend", "", "spending cap in `yuan` over all runs of the batch (default $"+envMaxSpend+"; journaled: a resume keeps it, a higher or lower one changes it)")
}

// capSource says where the cap in force comes from.
func capSource(book *batch.Book, m maxSpendFlag) string {
	if m.set {
		if book != nil {
			if was, ok := book.SpendCap(); ok && was == m.max {
				return "journaled"
			}
		}
		return "from " + m.from
	}
	return "journaled"
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

// prices are the catalogue's prices per pid; nil when it did not answer.
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

// capMsg holds the words about the cap, in one place for the catalogue.
var capMsg = struct {
	line, halts, noCatalog, unpriced, unpricedHint, set, raised, lowered, noCatalogHint, haltHint string
}{
	line:          "spending cap %s yuan (%s); committed %s yuan; estimate for the %s to send %s yuan",
	halts:         "the rows to send, %s yuan at the catalogue prices, with %s yuan committed, exceed the spending cap of %s yuan: %d of the %s fit, then the batch halts at the cap",
	noCatalog:     "refused to start: the spending cap needs the catalogue's prices, and the catalogue did not answer (%s); nothing was sent",
	noCatalogHint: "Try: the same command again when the provider's flow/list answers",
	unpriced:      "refused to start: under the spending cap every pid needs a price, and the catalogue has none for %s; nothing was sent",
	unpricedHint:  "Try: correct the pid of those rows (flowbatch check lists the catalogue's), or take them out of the file",
	set:           "spending cap set: %s yuan",
	raised:        "spending cap raised: %s yuan, was %s yuan (journaled)",
	lowered:       "spending cap lowered: %s yuan, was %s yuan (journaled)",
	haltHint:      "Try: flowbatch %s",
}

// line is the cap against the estimate, for stderr (run) and stdout (check).
func (p capPlan) line(source string) string {
	s := fmt.Sprintf(capMsg.line, p.max, source, p.committed, plural(p.rows, "row"), p.estimate)
	if p.halts() {
		s += "\n  warning: " + fmt.Sprintf(capMsg.halts, p.estimate, p.committed, p.max, p.fit, plural(p.rows, "row"))
	}
	return s
}

// refusal is exit 3 (a pid without a price) or 4 (no catalogue) before
// anything is sent; nil when the cap can be held. check predicts it in
// the same words.
func (p capPlan) refusal(cmd string) error {
	if p.noCatalog != "" && (p.rows > 0 || len(p.unpriced) > 0) { // with nothing to send, nothing needs a price
		return (&exitError{code: ExitHalted, msg: fmt.Sprintf("%s: %s: %s", cmd, wouldBe(cmd, "refused to start"),
			strings.TrimPrefix(fmt.Sprintf(capMsg.noCatalog, p.noCatalog), "refused to start: "))}).hint("%s", capMsg.noCatalogHint)
	}
	if len(p.unpriced) == 0 {
		return nil
	}
	pids := make([]string, 0, len(p.unpriced))
	for pid := range p.unpriced {
		pids = append(pids, pid)
	}
	sort.Strings(pids)
	var parts []string
	for _, pid := range pids {
		lines := p.unpriced[pid]
		sort.Ints(lines)
		shown := lines
		if len(shown) > maxListed {
			shown = shown[:maxListed]
		}
		s := make([]string, len(shown))
		for i, l := range shown {
			s[i] = fmt.Sprint(l)
		}
		more := ""
		if len(lines) > len(shown) {
			more = fmt.Sprintf(" … and %d more", len(lines)-len(shown))
		}
		word := "rows"
		if len(lines) == 1 {
			word = "row"
		}
		parts = append(parts, fmt.Sprintf("pid %s (%s %s%s)", shellQuote(pid), word, strings.Join(s, ", "), more))
	}
	return (&exitError{code: ExitInvalid, msg: fmt.Sprintf("%s: %s: %s", cmd, wouldBe(cmd, "refused to start"),
		strings.TrimPrefix(fmt.Sprintf(capMsg.unpriced, strings.Join(parts, "; ")), "refused to start: "))}).hint("%s", capMsg.unpricedHint)
}

// capChange is the note for a -max-spend that sets or changes the
// journal's cap; "" when it does not.
func capChange(book *batch.Book, m maxSpendFlag) string {
	if !m.set {
		return ""
	}
	was, ok := book.SpendCap()
	switch {
	case !ok:
		return fmt.Sprintf(capMsg.set, m.max)
	case m.max > was:
		return fmt.Sprintf(capMsg.raised, m.max, was)
	case m.max < was:
		return fmt.Sprintf(capMsg.lowered, m.max, was)
	}
	return ""
}

// capHaltErr words a halt at the spending cap for cmd, with the command
// that goes on; nil when err is no such halt.
func capHaltErr(cmd string, args []string, err error) error {
	var h *batch.HaltError
	if !errors.As(err, &h) || h.SpendCap == nil {
		return nil
	}
	c := h.SpendCap
	return (&exitError{code: ExitHalted, msg: fmt.Sprintf("%s: halted: %v", cmd, h)}).
		hint(capMsg.haltHint, quoteArgs(withMaxSpend(cmd, args, c.Committed+c.Rest)))
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

// printSpendCap is status's lines about the cap: the cap, what the
// journal commits against it (prices from the journal alone: what its
// intents reserved and the costs it saw), and what is left.
func printSpendCap(w io.Writer, b *batch.Book) {
	max, ok := b.SpendCap()
	if !ok {
		fmt.Fprintf(w, "spending cap\tnone\n")
		return
	}
	changed := ""
	if n := b.SpendCapChanges(); n > 0 {
		changed = fmt.Sprintf(" (changed %s after the start)", plural(n, "time"))
	}
	c := b.Committed(nil)
	fmt.Fprintf(w, "spending cap\t%s yuan%s\n", max, changed)
	fmt.Fprintf(w, "committed\t%s yuan (confirmed costs, and the price of every order in flight or unknown)\n", c)
	fmt.Fprintf(w, "cap left\t%s yuan\n", max-c)
}
