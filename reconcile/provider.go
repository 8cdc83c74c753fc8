package reconcile

import (
	"cmp"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// The provider's books: the Provider sheet (every line of the three-way
// match that needs a person), and on the Summary the three-way block and
// the balance roll-forward. They are made from the journal, the statement
// file and the other journals of the workspace, all read-only.

// ProviderLeg is what Options.Provider gives the workbook.
type ProviderLeg struct {
	// Statement is the statement file as read; nil when there is none or
	// it could not be read, and NotAvailable says why.
	Statement    *statement.Statement
	NotAvailable string
	// Others are the other journals of the workspace, for "other batch".
	Others []*batch.Book
	// SideBalances are balance snapshots an older run kept beside the
	// journal (before the journal had a record for them).
	SideBalances []batch.Balance
}

// ProviderSummary is what the Summary says of the provider's books.
type ProviderSummary struct {
	NotAvailable string // "" when the match was made
	Totals       map[Result]ResultTotal
	Agrees       bool
	// The roll-forward; HasRoll is false when a balance was not read.
	HasRoll                  bool
	Opening, Closing         juhe.Money
	Other, Unexplained       juhe.Money
	Expected, Difference     juhe.Money
	StatementHead, Statement string
}

// providerPlan is the provider leg laid out for the workbook.
type providerPlan struct {
	pw      *providerWords
	leg     *ProviderLeg
	why     string // the leg is not available: why
	match   *ThreeWay
	opening *batch.Balance
	closing *batch.Balance
	openWhy string
	shutWhy string
	other   juhe.Money // charged in the window for other batches
	unexpl  juhe.Money // and unexplained
	lines   []*MatchLine
}

func (p *plan) prepareProvider(leg *ProviderLeg) {
	pp := &providerPlan{pw: p.w.provider, leg: leg}
	p.prov = pp
	pp.balances(append(p.book.Balances(), leg.SideBalances...))
	st := leg.Statement
	switch {
	case st == nil && leg.NotAvailable != "":
		pp.why = leg.NotAvailable
	case st == nil:
		pp.why = pp.pw.notPulled
	case st.NotWhole() != "":
		pp.why = st.NotWhole()
	}
	if pp.why != "" {
		return
	}
	m, err := Match(st, []*batch.Book{p.book}, leg.Others)
	if err != nil {
		pp.why = err.Error()
		return
	}
	if m.Uncovered > 0 {
		// Nothing said of them is not agreement: the check is not made.
		f := &m.FirstUncovered
		pp.why = pp.pw.notCovered(m.Uncovered, f.Row, bj(f.Submitted/1000))
		return
	}
	pp.match = m
	for i := range m.Lines {
		if m.Lines[i].Result.Flagged() {
			pp.lines = append(pp.lines, &m.Lines[i])
		}
	}
	if pp.opening != nil && pp.closing != nil {
		pp.other, pp.unexpl = m.ChargedBetween(pp.opening.At, pp.closing.At)
	}
}

// balances picks the opening balance (the first read before a first
// request) and the closing one (the last read after a last answer).
func (pp *providerPlan) balances(bs []batch.Balance) {
	sort.SliceStable(bs, func(i, j int) bool { return bs[i].At < bs[j].At })
	// openWhy and shutWhy stay "" when the journal has no snapshot at all:
	// the label says so, in the workbook's language.
	for i := range bs {
		b := &bs[i]
		if b.When != journal.BalanceBefore {
			continue
		}
		if b.Known {
			pp.opening = b
			break
		}
		if pp.openWhy == "" {
			pp.openWhy = b.Reply
		}
	}
	for i := len(bs) - 1; i >= 0; i-- {
		b := &bs[i]
		if b.When != journal.BalanceAfter || pp.opening != nil && b.At < pp.opening.At {
			continue
		}
		if b.Known {
			pp.closing = b
			break
		}
		if pp.shutWhy == "" {
			pp.shutWhy = b.Reply
		}
	}
}

// providerColumns are the Provider sheet's columns, in the order of
// providerWords.header: each one's cell for a line.
var providerColumns = []func(p *plan, c *providerCells, l *MatchLine) any{
	func(p *plan, c *providerCells, l *MatchLine) any { return p.prov.pw.results[l.Result] },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.text(l.BatchID) },
	func(p *plan, c *providerCells, l *MatchLine) any { return rowCell(l.Row) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.text(p.maskedPhone(l.Phone)) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.text(l.Pid) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.text(p.maskedID(l.OrderID)) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.text(p.maskedID(l.SporderID)) },
	func(p *plan, c *providerCells, l *MatchLine) any { return strCell(p.w.states[l.Ours]) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.money(l.OurCost, l.OurHasCost) },
	func(p *plan, c *providerCells, l *MatchLine) any { return strCell(p.providerState(l.Theirs)) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.money(l.TheirCost, l.TheirHas) },
	func(p *plan, c *providerCells, l *MatchLine) any {
		if l.AddTime == 0 {
			return nil
		}
		return bj(l.AddTime)
	},
	func(p *plan, c *providerCells, l *MatchLine) any { return c.money(l.Money(), true) },
	func(p *plan, c *providerCells, l *MatchLine) any { return c.wrap(p.prov.pw.actions[l.Result]) },
}

// The columns the Summary's formulas name.
const (
	providerResultCol = "A"
	providerAmountCol = "M"
)

type providerCells struct{ st styles }

func (c *providerCells) text(s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: c.st.text, Value: s}
}

func (c *providerCells) wrap(s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: c.st.wrap, Value: s}
}

func (c *providerCells) money(m juhe.Money, ok bool) any {
	if !ok {
		return nil
	}
	return excelize.Cell{StyleID: c.st.cost, Value: costValue(m)}
}

func (p *plan) maskedPhone(s string) string {
	if p.masked {
		return maskPhone(s)
	}
	return s
}

func (p *plan) maskedID(s string) string {
	if p.masked {
		return ""
	}
	return s
}

func (p *plan) providerState(s juhe.GameState) string {
	switch s {
	case juhe.StateNone:
		return ""
	case juhe.StateSubmitFailed:
		return p.prov.pw.submitFailed
	}
	return gameWord(p.w, s)
}

// writeProvider writes the Provider sheet: every line of the match that
// needs a person, or one line saying why the leg was not available, or
// that no line needs one.
func (p *plan) writeProvider(f *excelize.File, st styles) error {
	pp := p.prov
	c := &providerCells{st: st}
	rows := make([][]any, 0, len(pp.lines)+1)
	switch {
	case pp.why != "":
		rows = append(rows, []any{pp.pw.notAvailable(pp.why)})
	case len(pp.lines) == 0:
		// An empty sheet under its header reads as missing; say so.
		rows = append(rows, []any{pp.pw.nothingFlagged})
	}
	for _, l := range pp.lines {
		r := make([]any, len(providerColumns))
		for i, col := range providerColumns {
			r[i] = col(p, c, l)
		}
		rows = append(rows, r)
	}
	ws := headerWidths(pp.pw.header)
	for _, r := range rows {
		if len(r) == 1 {
			continue // the notice spills over the empty cells beside it
		}
		text := make([]string, len(r))
		for i, v := range r {
			switch x := v.(type) {
			case excelize.Cell:
				text[i] = fmt.Sprint(x.Value)
				if f, ok := x.Value.(float64); ok {
					text[i] = strconv.FormatFloat(f, 'f', 3, 64) // as 0.000 shows it
				}
			case nil:
			default:
				text[i] = fmt.Sprint(x)
			}
		}
		fit(ws, text)
	}
	last := len(ws) - 1
	ws[last] = min(ws[last], maxActionWidth)
	s := &series{f: f, base: pp.pw.sheet, names: []string{pp.pw.sheet}, perSheet: p.perSheet, st: st, header: pp.pw.header, widths: ws,
		paper: func(name string, _ []float64) error { return p.paper(f, name, onePageWide) }}
	for _, r := range rows {
		var opts []excelize.RowOpts
		if c, ok := cellAt(r, last); ok {
			if n := wrappedLines(fmt.Sprint(c.Value), ws[last]); n > 1 {
				opts = append(opts, excelize.RowOpts{Height: 15 * float64(n)})
			}
		}
		if err := s.add(r, opts...); err != nil {
			return err
		}
	}
	if err := s.close(); err != nil {
		return err
	}
	p.providerSheets = s.names
	return nil
}

// cellAt is row r's i-th cell when it is a styled one (the notice row
// has only its first).
func cellAt(r []any, i int) (excelize.Cell, bool) {
	if i >= len(r) {
		return excelize.Cell{}, false
	}
	c, ok := r[i].(excelize.Cell)
	return c, ok
}

// summaryCells are the Summary's cell makers, for the blocks built here.
type summaryCells struct {
	label   func(string) excelize.Cell
	integer func(int, string) excelize.Cell
	money   func(juhe.Money, string) excelize.Cell
	cell    func(style int, v any, formula string) excelize.Cell
}

// providerRefs are the Summary rows the roll-forward names.
type providerRefs struct{ spend, orphanSpend, charging int }

// addProviderBlocks adds the three-way block and the balance roll-forward
// to the Summary.
func (p *plan) addProviderBlocks(s *summarySheet, st styles, c summaryCells, refs providerRefs) {
	pp, w := p.prov, p.prov.pw
	s.blank()
	s.add(0, c.cell(st.block, w.block, ""))
	if pp.why != "" {
		row := s.add(0, c.cell(st.masked, w.notAvailable(pp.why), ""))
		s.merge(row, 1, summaryCols)
		s.add(0, c.label(w.check), c.cell(0, w.unavailable, ""))
	} else {
		s.add(0, headerCells(st, []string{p.w.summaryHeader[0], w.blockHeaderCount, w.blockHeaderMoney})...)
		rowOf := map[Result]int{}
		for _, r := range Results {
			t := pp.match.Totals[r]
			countF, moneyF := "", ""
			if r.Flagged() {
				countF, moneyF = p.providerCount(w.results[r]), p.providerSum(w.results[r])
			}
			rowOf[r] = s.add(0, c.label(w.results[r]), c.integer(t.Count, countF), c.money(t.Money, moneyF))
		}
		check := p.w.ok
		if !pp.match.Agrees() {
			check = p.w.mismatch
		}
		v := s.val()
		s.add(0, c.label(w.check), c.cell(0, check, fmt.Sprintf(`IF(AND(%s%d=0,%s%d=0),"%s","%s")`,
			v, rowOf[Unexplained], v, rowOf[MissingAtProvider], p.w.ok, p.w.mismatch)))
		stmt := pp.leg.Statement
		info := func(name, v string) {
			s.merge(s.add(0, c.label(name), c.cell(st.hash, v, "")), 2, summaryCols)
		}
		info(w.account, orDash(stmt.Account))
		info(w.statementFile, filepath.Base(stmt.Path))
		info(w.statementHead, stmt.HeadHash)
		info(w.statementRecords, journal.Thousands(stmt.Records))
		var periods []string
		for _, pr := range stmt.Periods {
			periods = append(periods, bj(pr.Start)+" – "+bj(pr.End))
		}
		info(w.periods, strings.Join(periods, "; "))
		if len(pp.match.Skipped) > 0 {
			info("", w.skipped(strings.Join(pp.match.Skipped, ", ")))
		}
	}

	// The roll-forward.
	s.blank()
	s.add(0, c.cell(st.block, w.roll, ""))
	if pp.opening == nil || pp.closing == nil {
		if pp.opening == nil {
			s.merge(s.add(0, c.label(w.noBalance(w.opening, cmp.Or(pp.openWhy, w.noSnapshot)))), 1, summaryCols)
		}
		if pp.closing == nil {
			s.merge(s.add(0, c.label(w.noBalance(w.actual, cmp.Or(pp.shutWhy, w.noSnapshot)))), 1, summaryCols)
		}
		return
	}
	stamp := func(b *batch.Balance) string { return w.at(time.UnixMilli(b.At).In(shanghai).Format(timeLayout)) }
	open := s.add(0, c.label(w.opening+stamp(pp.opening)), c.money(pp.opening.Money, ""))
	spend := s.add(0, c.label(w.spend), c.money(p.spend+p.orphanSpend, fmt.Sprintf("B%d+B%d", refs.spend, refs.orphanSpend)))
	charging := s.add(0, c.label(w.charging), c.money(p.charging, fmt.Sprintf("B%d", refs.charging)))
	var other, unexpl int
	if pp.match != nil {
		other = s.add(0, c.label(w.other), c.money(pp.other, ""))
		unexpl = s.add(0, c.label(w.unexplained), c.money(pp.unexpl, ""))
	} else {
		s.merge(s.add(0, c.label(w.other+": "+w.notAvailable(pp.why))), 1, summaryCols)
	}
	expected := pp.opening.Money - p.spend - p.orphanSpend - p.charging - pp.other - pp.unexpl
	v := s.val() // this pane's values; refs are the main pane's, in B
	formula := fmt.Sprintf("%s%d-%s%d-%s%d", v, open, v, spend, v, charging)
	if pp.match != nil {
		formula += fmt.Sprintf("-%s%d-%s%d", v, other, v, unexpl)
	}
	exp := s.add(0, c.label(w.expected), c.money(expected, formula))
	act := s.add(0, c.label(w.actual+stamp(pp.closing)), c.money(pp.closing.Money, ""))
	s.add(0, c.label(w.difference), c.money(pp.closing.Money-expected, fmt.Sprintf("%s%d-%s%d", v, act, v, exp)))
	s.merge(s.add(0, c.cell(st.label, w.rollNote, "")), 1, summaryCols)
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func bj(unix int64) string { return time.Unix(unix, 0).In(shanghai).Format(timeLayout) }

// providerCount counts the Provider sheet's lines of one result.
func (p *plan) providerCount(word string) string {
	return p.overProvider(func(r func(col string) string) string {
		return fmt.Sprintf("COUNTIF(%s,%s)", r(providerResultCol), criterion(word))
	})
}

// providerSum sums the amounts of the Provider sheet's lines of one result.
func (p *plan) providerSum(word string) string {
	return p.overProvider(func(r func(col string) string) string {
		return fmt.Sprintf("SUMIFS(%s,%s,%s)", r(providerAmountCol), r(providerResultCol), criterion(word))
	})
}

func (p *plan) overProvider(term func(r func(col string) string) string) string {
	left := len(p.prov.lines)
	var terms []string
	for _, name := range p.providerSheets {
		n := min(left, p.perSheet)
		left -= n
		if n == 0 {
			continue
		}
		terms = append(terms, term(func(col string) string { return rangeRef(name, col, 2, n+1) }))
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

// providerSummary is the provider leg for the terminal.
func (p *plan) providerSummary() *ProviderSummary {
	pp := p.prov
	if pp == nil {
		return nil
	}
	s := &ProviderSummary{NotAvailable: pp.why}
	if pp.match != nil {
		s.Totals, s.Agrees = pp.match.Totals, pp.match.Agrees()
		s.Other, s.Unexplained = pp.other, pp.unexpl
		s.Statement, s.StatementHead = pp.leg.Statement.Path, pp.leg.Statement.HeadHash
	}
	if pp.opening != nil && pp.closing != nil {
		s.HasRoll = true
		s.Opening, s.Closing = pp.opening.Money, pp.closing.Money
		s.Expected = pp.opening.Money - p.spend - p.orphanSpend - p.charging - pp.other - pp.unexpl
		s.Difference = s.Closing - s.Expected
	}
	return s
}
