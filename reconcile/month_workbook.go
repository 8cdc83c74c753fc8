package reconcile

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// monthSummaryCols is the month Summary's width: the batch table's.
const monthSummaryCols = 15

func (m *monthPlan) write(ctx context.Context, out io.Writer, tmpDir string) error {
	w := m.w
	f, zw, st, err := newWorkbook(out, tmpDir, m.masked)
	if err != nil {
		return err
	}
	defer f.Close()
	groupSheet := ""
	if m.groupCol >= 0 {
		groupSheet = w.byGroup(m.extra[m.groupCol])
	}
	if err := f.SetSheetName("Sheet1", w.summary); err != nil {
		return err
	}
	for _, name := range []string{w.charts, groupSheet, w.byProduct, w.byCarrier, w.repeats, w.provider, w.allOrders} {
		if name == "" {
			continue
		}
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	if err := m.pg.set(f, w.summary, onePage); err != nil {
		return err
	}
	summary, err := f.NewStreamWriter(w.summary)
	if err != nil {
		return err
	}

	// All orders streams first; every other sheet needs its totals.
	orders := &series{f: f, base: w.allOrders, names: []string{w.allOrders}, perSheet: m.perSheet, st: st,
		paper: func(name string, widths []float64) error { return m.pg.set(f, name, ordersPaper(widths)) }}
	cells := newRowCells(w.words, nil, st)
	var held []monthLine
	open := false
	start := func(all bool) error {
		orders.header = append(m.t.header(w.words), m.extra...)
		orders.widths, open = m.measure(held, orders.header, all), true
		for i := range held {
			if err := orders.add(m.cells(cells, &held[i], len(orders.header))); err != nil {
				return err
			}
		}
		held = nil
		return nil
	}
	total := 0
	err = m.each(ctx, func(_ int, l *monthLine) error {
		total++
		if !open {
			if held = append(held, *l); len(held) >= m.sample {
				return start(false)
			}
			return nil
		}
		return orders.add(m.cells(cells, l, len(orders.header)))
	})
	if err != nil {
		return err
	}
	if !open {
		if err := start(true); err != nil {
			return err
		}
	}
	if err := orders.close(); err != nil {
		return err
	}
	for i, name := range orders.names {
		n := min(m.perSheet, total-i*m.perSheet)
		m.sheets = append(m.sheets, monthSheet{name: name, rows: max(n, 0)})
	}
	m.findRepeats()

	var groupBlock block
	if groupSheet != "" {
		if groupBlock, err = m.writeTally(f, st, groupSheet, m.groupHeader(), m.groupRows(st)); err != nil {
			return fmt.Errorf("sheet %s: %w", groupSheet, err)
		}
	}
	b, err := m.writeTally(f, st, w.byProduct, w.productHeader, m.productRows(st))
	if err != nil {
		return fmt.Errorf("sheet %s: %w", w.byProduct, err)
	}
	productBlock := b
	if b, err = m.writeTally(f, st, w.byCarrier, w.carrierHeader, m.carrierRows(st)); err != nil {
		return fmt.Errorf("sheet %s: %w", w.byCarrier, err)
	}
	carrierBlock := b
	if err := m.writeRepeats(f, st); err != nil {
		return fmt.Errorf("sheet %s: %w", w.repeats, err)
	}
	if err := m.writeProvider(ctx, f, st); err != nil {
		return fmt.Errorf("sheet %s: %w", w.provider, err)
	}
	sum := m.buildSummary(st)
	if err := writeSummaryRows(summary, sum); err != nil {
		return fmt.Errorf("sheet %s: %w", w.summary, err)
	}
	charts := []chartSpec{
		{w.chartStates, excelize.Pie, w.summary, sum.states, "B"},
		{w.chartProducts, excelize.Col, w.byProduct, productBlock, "E"},
		{w.chartCarriers, excelize.Col, w.byCarrier, carrierBlock, "D"},
	}
	if groupSheet != "" {
		charts = append(charts, chartSpec{w.chartGroup(m.extra[m.groupCol]), excelize.Bar, groupSheet, groupBlock, "D"})
	}
	if err := drawCharts(f, w.charts, charts, m.pg); err != nil {
		return fmt.Errorf("sheet %s: %w", w.charts, err)
	}
	if _, err := f.WriteTo(out); err != nil {
		return err
	}
	return zw.err
}

// cells is the All orders row of l, at least cols cells wide.
func (m *monthPlan) cells(c *rowCells, l *monthLine, cols int) []any {
	c.reset(max(cols, len(m.t)))
	m.t.cells(c, l)
	for _, x := range l.extra {
		c.any = append(c.any, strCell(x))
	}
	for len(c.any) < cols {
		c.any = append(c.any, nil)
	}
	return c.any
}

// measure gives the All orders widths from the rows held back; past
// them (all false), the columns whose text the books bound are widened
// for every batch.
func (m *monthPlan) measure(held []monthLine, header []string, all bool) []float64 {
	ws := headerWidths(header)
	var text []string
	for i := range held {
		text = append(m.t.text(m.w.words, &held[i], text), held[i].extra...)
		fit(ws, text)
	}
	if all {
		return ws
	}
	ts := float64(len(timeLayout) + padding)
	for _, c := range []column{colChargedAt, colSubmitted, colFinal} {
		if i := monthAt[c]; ws[i] < ts {
			ws[i] = ts
		}
	}
	for _, b := range m.batches {
		fitOne(ws, monthAt[colBatch], b.BatchID)
	}
	for _, c := range []column{colCost, colCharged, colRefunded} {
		ws[monthAt[c]] = max(ws[monthAt[c]], 10)
	}
	fitOne(ws, monthAt[colPhone], "13800000000")
	return ws
}

// Formulas over the All orders sheets.

// over joins one term per All orders sheet with rows with "+", or gives
// "0". A term names the range of a column, by its letter, with r.
func (m *monthPlan) over(term func(r func(letter string) string) string) string {
	var terms []string
	for _, s := range m.sheets {
		if s.rows == 0 {
			continue
		}
		terms = append(terms, term(func(l string) string { return rangeRef(s.name, l, 2, s.rows+1) }))
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

// overCol is over for a column of the table.
func (m *monthPlan) overCol(term func(r func(column) string) string) string {
	return m.over(func(r func(string) string) string {
		return term(func(c column) string { return r(monthLetter[c]) })
	})
}

// countWhere counts the input rows (the row cell filled) where each
// column holds its criterion.
func (m *monthPlan) countWhere(conds ...any) string {
	return m.over(func(r func(string) string) string {
		args := []string{r(monthLetter[colRow]), `"<>"`}
		for i := 0; i < len(conds); i += 2 {
			args = append(args, r(letterOf(conds[i])), conds[i+1].(string))
		}
		return "COUNTIFS(" + strings.Join(args, ",") + ")"
	})
}

// sumWhere sums a money column over the input rows where each column
// holds its criterion.
func (m *monthPlan) sumWhere(sum column, conds ...any) string {
	return m.over(func(r func(string) string) string {
		args := []string{r(monthLetter[sum]), r(monthLetter[colRow]), `"<>"`}
		for i := 0; i < len(conds); i += 2 {
			args = append(args, r(letterOf(conds[i])), conds[i+1].(string))
		}
		return "SUMIFS(" + strings.Join(args, ",") + ")"
	})
}

// letterOf is the letter of a column of the table, or a letter as is.
func letterOf(c any) string {
	switch x := c.(type) {
	case column:
		return monthLetter[x]
	case string:
		return x
	}
	panic(fmt.Sprintf("letterOf %T", c))
}

func (m *monthPlan) groupLetter() string {
	l, _ := excelize.ColumnNumberToName(len(m.t) + m.groupCol + 1)
	return l
}

// A tally sheet (by group, product, carrier): a header and one row per
// value, with live formulas over All orders.

type tallyRow struct {
	lead []any // the value's cells: name (and card name)
	t    *tally
	crit string // the criterion for the column, "" for the rest row
	col  any    // the column (or letter) the criterion is for
}

func (m *monthPlan) tallyCells(st styles, r tallyRow) []any {
	cell := func(style int, v any, formula string) excelize.Cell {
		return excelize.Cell{StyleID: style, Value: v, Formula: formula}
	}
	notInvalid := notCriterion(m.w.states[batch.StatusInvalid])
	success := criterion(m.w.states[batch.StatusSuccess])
	out := append([]any(nil), r.lead...)
	if r.crit == "" {
		return append(out, cell(st.integer, r.t.count, ""), cell(st.integer, r.t.successes, ""), cell(st.cost, costValue(r.t.spend), ""))
	}
	return append(out,
		cell(st.integer, r.t.count, m.countWhere(r.col, r.crit, colState, notInvalid)),
		cell(st.integer, r.t.successes, m.countWhere(r.col, r.crit, colState, success)),
		cell(st.cost, costValue(r.t.spend), m.sumWhere(colCost, r.col, r.crit, colState, success)))
}

func (m *monthPlan) productRows(st styles) []tallyRow {
	var ps []*product
	for _, p := range m.products {
		ps = append(ps, p)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].pid < ps[j].pid })
	var rows []tallyRow
	for _, p := range ps {
		rows = append(rows, tallyRow{lead: []any{textCell(st, p.pid), strCell(p.cardName)}, t: &p.tally, crit: criterion(p.pid), col: colPid})
	}
	return rows
}

func (m *monthPlan) carrierRows(st styles) []tallyRow {
	var rows []tallyRow
	for _, c := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		if t := m.carriers[c]; t != nil {
			word := m.w.carriers[c]
			rows = append(rows, tallyRow{lead: []any{strCell(word)}, t: t, crit: criterion(word), col: colCarrier})
		}
	}
	return rows
}

func (m *monthPlan) groupHeader() []string {
	return append([]string{m.extra[m.groupCol]}, m.w.groupHeader[1:]...)
}

func (m *monthPlan) groupRows(st styles) []tallyRow {
	vs, rest := m.sortedGroups()
	var rows []tallyRow
	for _, v := range vs {
		name := v
		if v == "" {
			name = m.w.blank
		}
		rows = append(rows, tallyRow{lead: []any{textCell(st, name)}, t: m.groups[v], crit: criterion(v), col: m.groupLetter()})
	}
	if rest.count > 0 {
		r := rest
		rows = append(rows, tallyRow{lead: []any{strCell(m.w.others)}, t: &r})
	}
	return rows
}

// writeTally writes a tally sheet; its block is the rows a chart draws.
func (m *monthPlan) writeTally(f *excelize.File, st styles, sheet string, header []string, rows []tallyRow) (block, error) {
	cells := make([][]any, len(rows))
	for i, r := range rows {
		cells[i] = m.tallyCells(st, r)
	}
	if err := m.writeTable(f, st, sheet, header, cells); err != nil {
		return block{}, err
	}
	if len(rows) == 0 {
		return block{}, nil
	}
	return block{title: 1, first: 2, last: len(rows) + 1}, nil
}

// writeTable writes a small table sheet whole: a header, rows, widths
// fitted to the text, a frozen header and an autofilter.
func (m *monthPlan) writeTable(f *excelize.File, st styles, sheet string, header []string, rows [][]any) error {
	ws := headerWidths(header)
	for _, r := range rows {
		for i, c := range r {
			if i < len(ws) {
				fitOne(ws, i, cellText(c))
			}
		}
	}
	for i := range ws {
		ws[i] = max(ws[i], 10)
	}
	if err := m.pg.set(f, sheet, onePageWide); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := startSheet(sw, ws); err != nil {
		return err
	}
	if err := sw.SetRow("A1", headerCells(st, header)); err != nil {
		return err
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), r); err != nil {
			return err
		}
	}
	return endSheet(f, sw, len(header), len(rows)+1)
}

// cellText is the text a cell shows, for its width.
func cellText(c any) string {
	switch x := c.(type) {
	case nil:
		return ""
	case excelize.Cell:
		if f, ok := x.Value.(float64); ok {
			return fmt.Sprintf("%.3f", f)
		}
		return fmt.Sprint(x.Value)
	case *excelize.Cell:
		return cellText(*x)
	}
	return fmt.Sprint(c)
}

func (m *monthPlan) writeRepeats(f *excelize.File, st styles) error {
	w := m.w
	var rows [][]any
	for _, r := range m.repeats {
		kind, meant := w.repeatPhone, w.notIntended
		if r.pair {
			kind = w.repeatPair
		}
		if r.intended {
			meant = w.intended
		}
		rows = append(rows, []any{strCell(kind), textCell(st, r.phone), textCell(st, r.pid), strCell(r.batches),
			excelize.Cell{StyleID: st.integer, Value: r.count}, excelize.Cell{StyleID: st.cost, Value: costValue(r.amount)}, strCell(meant)})
	}
	if len(rows) == 0 {
		rows = append(rows, []any{strCell(w.noRepeats)})
	}
	return m.writeTable(f, st, w.repeats, w.repeatHeader, rows)
}

// writeProvider writes the provider's three-way match, when there is
// one (MonthOptions.Provider), else says it is not part of the workbook.
func (m *monthPlan) writeProvider(ctx context.Context, f *excelize.File, st styles) error {
	if m.opts.Statement != nil || m.opts.StatementWhy != "" {
		return m.writeMatch(f, st)
	}
	pt := m.opts.Provider
	if pt == nil {
		if err := m.pg.set(f, m.w.provider, onePageWide); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(m.w.provider)
		if err != nil {
			return err
		}
		if err := sw.SetColWidth(1, 1, 100); err != nil {
			return err
		}
		if err := sw.SetRow("A1", []any{m.w.providerMissing}); err != nil {
			return err
		}
		return sw.Flush()
	}
	var rows [][]any
	err := pt.Rows(ctx, m.opts.Lang, func(cells []any) error {
		rows = append(rows, append([]any(nil), cells...))
		return nil
	})
	if err != nil {
		return err
	}
	return m.writeTable(f, st, m.w.provider, pt.Header(m.opts.Lang), rows)
}

// writeSummaryRows streams a laid-out Summary.
func writeSummaryRows(sw *excelize.StreamWriter, s *summarySheet) error {
	p := &plan{}
	return p.writeSummary(sw, s)
}

// buildSummary lays the month's Summary out: the answer on the first
// screen (with the journals that failed verification), the cut-off
// rules, the batches, the control totals, the audit block and the
// sign-off.
func (m *monthPlan) buildSummary(st styles) *summarySheet {
	w := m.w
	s := &summarySheet{}
	cell := func(style int, v any, formula string) excelize.Cell {
		return excelize.Cell{StyleID: style, Value: v, Formula: formula}
	}
	integer := func(v int, formula string) excelize.Cell { return cell(st.integer, v, formula) }
	money := func(v juhe.Money, formula string) excelize.Cell { return cell(st.cost, costValue(v), formula) }
	wide := func(style int, text string, height float64) {
		s.merge(s.add(height, cell(style, text, "")), 1, monthSummaryCols)
	}
	listed := m.listed()
	sumRows := 0
	for _, i := range listed {
		sumRows += m.batches[i].Rows
	}
	check := w.ok
	if m.controlTotal() != sumRows {
		check = w.mismatch
	}

	s.merge(s.add(28, cell(st.title, w.title(m.month), "")), 1, monthSummaryCols)
	wide(st.headline, w.headline(m.people, groupThousands(m.spend), groupThousands(m.refunded), m.open(), len(m.failed), check), 24)
	var notice []string
	if m.masked {
		notice = append(notice, w.maskedNotice)
	}
	if len(m.failed) > 0 {
		notice = append(notice, w.failedNotice(len(m.failed)))
	}
	if len(notice) > 0 {
		wide(st.masked, strings.Join(notice, " "), 32*float64(len(notice)))
	} else {
		s.blank()
	}
	labels := make([]any, len(w.tiles))
	for i, t := range w.tiles {
		labels[i] = cell(st.tileLabel, t, "")
	}
	s.add(0, labels...)
	tilesRow := s.add(34)
	s.blank()
	wide(0, w.generatedAt+": "+m.generated+" ("+w.zoneName+")", 0)
	s.blank()

	if len(m.failed) > 0 {
		s.add(20, cell(st.block, w.verifyBlock, ""))
		h := w.verifyHeader
		s.merge(s.add(0, cell(st.header, h[0], ""), cell(st.header, h[1], ""), cell(st.header, h[2], "")), 3, monthSummaryCols)
		for _, x := range m.failed {
			if m.masked { // an error can quote what a record held
				x.Why = maskText(x.Why)
			}
			row := s.add(15*float64(wrappedLines(x.Why, 150)), cell(st.hash, x.Path, ""), textCell(st, x.BatchID), cell(st.label, x.Why, ""))
			s.merge(row, 3, monthSummaryCols)
		}
		s.blank()
	}

	s.add(20, cell(st.block, w.rulesBlock, ""))
	for _, r := range w.rules {
		wide(st.label, r, 15*float64(wrappedLines(r, 180)))
	}
	s.blank()

	// The batches.
	s.add(20, cell(st.block, w.batchBlock, ""))
	s.add(0, headerCells(st, w.batchHeader)...)
	first := s.next()
	var batchRows []int
	yesNo := func(b *MonthBatch) string {
		switch {
		case b.Failed != "":
			return w.failed
		case b.Attested:
			return w.yes
		}
		return w.no
	}
	success, failed := criterion(w.states[batch.StatusSuccess]), criterion(w.states[batch.StatusFailed])
	for _, i := range listed {
		b := m.batches[i]
		id := criterion(b.BatchID)
		var openTerms []string
		for _, x := range openStatuses {
			openTerms = append(openTerms, m.countWhere(colBatch, id, colState, criterion(w.states[x])))
		}
		open := 0
		for _, x := range openStatuses {
			open += b.ByStatus[x]
		}
		batchRows = append(batchRows, s.add(0, textCell(st, b.BatchID), strCell(b.Input), strCell(b.User), strCell(b.Host), strCell(b.ConsoleUser), strCell(b.ConfirmedBy),
			integer(b.Rows, m.countWhere(colBatch, id)),
			integer(b.ByStatus[batch.StatusSuccess], m.countWhere(colBatch, id, colState, success)),
			integer(b.ByStatus[batch.StatusFailed], m.countWhere(colBatch, id, colState, failed)),
			integer(open, strings.Join(openTerms, "+")),
			money(b.Spend, m.sumWhere(colCharged, colBatch, id)+"-("+m.sumWhere(colRefunded, colBatch, id)+")"),
			money(b.Refunded, m.sumWhere(colRefunded, colBatch, id)),
			strCell(splitText(b.Months)), cell(st.hash, b.HeadHash, ""), strCell(yesNo(b))))
	}
	last := s.next() - 1
	sumCol := func(col string) string {
		if last < first {
			return "0"
		}
		return fmt.Sprintf("SUM(%s%d:%s%d)", col, first, col, last)
	}
	var bt struct {
		rows, success, failed, open int
		spend, refunded             juhe.Money
	}
	for _, i := range listed {
		b := m.batches[i]
		bt.rows += b.Rows
		bt.success += b.ByStatus[batch.StatusSuccess]
		bt.failed += b.ByStatus[batch.StatusFailed]
		for _, x := range openStatuses {
			bt.open += b.ByStatus[x]
		}
		bt.spend += b.Spend
		bt.refunded += b.Refunded
	}
	totalRow := s.add(0, cell(st.header, w.totalWord, ""), nil, nil, nil, nil, nil,
		integer(bt.rows, sumCol("G")), integer(bt.success, sumCol("H")), integer(bt.failed, sumCol("I")),
		integer(bt.open, sumCol("J")), money(bt.spend, sumCol("K")), money(bt.refunded, sumCol("L")))
	s.blank()

	// The control totals of the month.
	controlTitle := s.add(20, cell(st.block, w.controlBlock, ""))
	s.add(0, headerCells(st, w.summaryHeader)...)
	stateRow := map[batch.Status]int{}
	for _, x := range batch.Statuses {
		stateRow[x] = s.add(0, cell(st.label, w.states[x], ""), integer(m.byStatus[x], m.countWhere(colState, criterion(w.states[x]))))
	}
	s.states = block{controlTitle, stateRow[batch.Statuses[0]], stateRow[batch.Statuses[len(batch.Statuses)-1]]}
	controlRow := s.add(0, cell(st.label, w.controlTotal, ""), integer(m.controlTotal(), fmt.Sprintf("SUM(B%d:B%d)", s.states.first, s.states.last)))
	monthRow := s.add(0, cell(st.label, w.monthTotal, ""), integer(sumRows, fmt.Sprintf("G%d", totalRow)))
	checkRow := s.add(0, cell(st.label, w.monthCheck, ""), cell(0, check,
		fmt.Sprintf(`IF(B%d=B%d,"%s","%s")`, controlRow, monthRow, w.ok, w.mismatch)))
	spendRow := s.add(0, cell(st.label, w.spend, ""), money(m.spend, m.overCol(func(r func(column) string) string {
		return fmt.Sprintf("SUM(%s)-SUM(%s)", r(colCharged), r(colRefunded))
	})))
	s.add(0, cell(st.label, w.charging, ""), money(m.charging, m.sumWhere(colCost, colState, criterion(w.states[batch.StatusCharging]))))
	refundedRow := s.add(0, cell(st.label, w.refunded, ""), money(m.refunded, m.overCol(func(r func(column) string) string {
		return fmt.Sprintf("SUM(%s)", r(colRefunded))
	})))
	s.add(0, cell(st.label, w.lateRefunds, ""), integer(m.late, m.overCol(func(r func(column) string) string {
		return fmt.Sprintf(`COUNTIF(%s,"?*")`, r(colLate))
	})))
	s.add(0, cell(st.label, w.orphans, ""), integer(m.orphans, m.overCol(func(r func(column) string) string {
		return fmt.Sprintf(`COUNTIFS(%s,"?*",%s,"=")`, r(colBatch), r(colRow))
	})))
	var openRefs []string
	for _, x := range openStatuses {
		openRefs = append(openRefs, fmt.Sprintf("B%d", stateRow[x]))
	}
	openRow := s.add(0, cell(st.label, w.open, ""), integer(m.open(), strings.Join(openRefs, "+")))
	peopleRow := s.add(0, cell(st.label, w.people, ""), integer(m.people, ""))
	s.add(0, cell(st.label, w.batches, ""), integer(len(listed), ""))

	ref := func(row int) string { return fmt.Sprintf("B%d", row) }
	s.rows[tilesRow-1].cells = []any{
		cell(st.tileCount, m.people, ref(peopleRow)),
		cell(st.tileMoney, costValue(m.spend), ref(spendRow)),
		cell(st.tileMoney, costValue(m.refunded), ref(refundedRow)),
		cell(st.tileCount, m.open(), ref(openRow)),
		cell(st.tileCount, len(listed), ""),
		cell(st.tileWord, check, ref(checkRow)),
	}

	// The audit block.
	s.blank()
	s.add(20, cell(st.block, w.auditBlock, ""))
	audit := func(name string, v string) {
		row := s.add(0, cell(st.label, name, ""), cell(st.hash, v, ""))
		s.merge(row, 2, monthSummaryCols)
	}
	audit(w.month, m.month)
	audit(w.workspace, m.opts.Workspace)
	audit(w.generatedAt, m.generated)
	audit(w.timeZone, w.zoneName)
	audit(w.chargeTime, w.rules[0])
	audit(w.toolVersion, m.opts.ToolVersion)
	if m.masked {
		audit(w.masking, w.maskingValue(m.extra))
	}

	s.blank()
	s.add(20, cell(st.block, w.signoffBlock, ""))
	sh := w.signoffHeader
	s.merge(s.add(0, cell(st.header, sh[0], ""), cell(st.header, sh[1], ""), cell(st.header, sh[2], ""),
		cell(st.header, sh[3], ""), cell(st.header, nil, ""), cell(st.header, nil, "")), 4, 6)
	for _, role := range w.roles {
		line := cell(st.signLine, nil, "")
		s.merge(s.add(36, cell(st.label, role, ""), line, line, line, line, line), 4, 6)
	}

	// Widths: fitted to the batch table, within bounds; labels wrap.
	s.widths = headerWidths(w.batchHeader)
	s.widths[0] = max(s.widths[0], labelWidthMin)
	for _, i := range listed {
		b := m.batches[i]
		fit(s.widths, []string{b.BatchID, b.Input, b.User, b.Host, b.ConsoleUser, b.ConfirmedBy, "", "", "", "", "", "", splitText(b.Months)})
	}
	// Column A also holds the labels beside their values: as wide as
	// they are, within bounds; a label still wider wraps, its row as tall
	// as its lines (the month's Summary has one pane, so no row beside it
	// stretches).
	wrapped := map[int]string{}
	labelFit := []float64{0}
	for i, r := range s.rows {
		if r.height > 0 || len(r.cells) == 0 || s.mergeAt(i+1, 1) >= 0 {
			continue
		}
		if c, ok := r.cells[0].(excelize.Cell); ok && c.StyleID == st.label {
			if text, ok := c.Value.(string); ok {
				wrapped[i] = text
				fit(labelFit, []string{text})
			}
		}
	}
	s.widths[0] = max(s.widths[0], min(labelFit[0], monthLabelWidth))
	for i := range s.widths {
		s.widths[i] = max(min(s.widths[i], labelWidthMax), 12)
	}
	// The head hash in two lines: the page is fitted to its width, and a
	// 66-wide column shrank every letter on it.
	s.widths[13] = hashHalfWidth
	for _, row := range batchRows {
		wrapped[row-1] = s.rows[row-1].cells[13].(excelize.Cell).Value.(string)
	}
	for i, text := range wrapped {
		width := s.widths[0]
		if slices.Contains(batchRows, i+1) {
			width = s.widths[13]
		}
		if n := textLines(text, width); n > 1 {
			s.rows[i].height = 15 * float64(n)
		}
	}
	return s
}

// The month Summary's column A is at most monthLabelWidth wide for its
// labels (a longer one wraps); its head hashes wrap at hashHalfWidth.
const (
	monthLabelWidth = 34
	hashHalfWidth   = 35
)

// splitText shows a batch's rows per month: "2026-10: 120; 2026-11: 80".
func splitText(months map[string]int) string {
	ks := make([]string, 0, len(months))
	for k := range months {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = fmt.Sprintf("%s: %s", k, thousands(int64(months[k])))
	}
	return strings.Join(parts, "; ")
}

// writeMatch writes the Provider sheet as the batch workbook does (its
// columns, words and masking), from the three-way match of the month's
// statement against every journal of the month.
func (m *monthPlan) writeMatch(f *excelize.File, st styles) error {
	pw := m.w.words.provider
	pp := &providerPlan{pw: pw, why: m.opts.StatementWhy}
	if s := m.opts.Statement; s != nil && pp.why == "" {
		pp.why = s.NotWhole()
	}
	if pp.why == "" {
		match, err := Match(m.opts.Statement, m.booksOfMonth(), nil)
		if err != nil {
			pp.why = err.Error()
		} else {
			pp.match, m.match = match, match
			for i := range match.Lines {
				if match.Lines[i].Result.Flagged() {
					pp.lines = append(pp.lines, &match.Lines[i])
				}
			}
		}
	}
	if pw.sheet != m.w.provider {
		// The batch workbook's sheet name is the month's place for it.
		pw2 := *pw
		pw2.sheet = m.w.provider
		pp.pw = &pw2
	}
	p := &plan{w: m.w.words, masked: m.masked, perSheet: m.perSheet, prov: pp, pg: m.pg}
	return p.writeProvider(f, st)
}

// booksOfMonth is the books of the journals with rows in the month.
func (m *monthPlan) booksOfMonth() []*batch.Book {
	var bs []*batch.Book
	for _, i := range m.listed() {
		bs = append(bs, m.books[i])
	}
	return bs
}
