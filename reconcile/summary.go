package reconcile

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// The Summary reads top down: the answer in rows 1–8 (a title, one plain
// sentence, and tiles), then the control totals, the blocks per product,
// carrier and group, the audit block, and a sign-off block. It is small,
// so it is laid out whole in memory, then streamed.

// summaryCols is the Summary's width in columns: the six tiles.
const summaryCols = 6

// summarySheet is the Summary laid out: its rows, merges and widths, and
// where the blocks the charts draw are.
type summarySheet struct {
	rows   []summaryRow
	merges [][2]string
	widths []float64

	// A pane is a summarySheet of its own placed beside the main one:
	// col0 columns to its left, its first row at row base+1. The batch
	// Summary puts the provider's books, the audit and the sign-off in a
	// right pane, so that the page is used in its width and prints one
	// page at a size a person reads.
	col0, base int
	side       *summarySheet

	// fit, when set, sizes the pane's rows itself: a cell whose text
	// takes k lines spans k rows of the default height, as a row k lines
	// tall would stretch the other pane's row beside it and open a gap
	// in the middle of its block. Without it the caller sets heights.
	fit     *rowFit
	settled int // rows fitted so far

	states, products, carriers, groups block
	groupName                          string
}

// rowFit is how a pane fits its rows: which styles wrap their text, and
// its column widths (the first grows with the labels put in it).
type rowFit struct {
	wraps                  map[int]bool
	labelWidth, valueWidth float64
}

type summaryRow struct {
	cells  []any
	height float64 // 0 is the default
}

// block is the rows of one table on the Summary, 0, 0 when it has none.
type block struct{ title, first, last int }

func (b block) empty() bool { return b.first == 0 }

// A row of the Summary under construction.
func (s *summarySheet) add(height float64, cells ...any) int {
	s.settle()
	s.rows = append(s.rows, summaryRow{cells: cells, height: height})
	return s.base + len(s.rows)
}

func (s *summarySheet) next() int {
	s.settle()
	return s.base + len(s.rows) + 1
}

// settle fits the pane's last row once its merges are known, before the
// next row is added: each of its cells that wraps spans as many rows as
// its text takes lines, the rows after it left blank in the pane. A row
// the caller gave a height keeps it.
func (s *summarySheet) settle() {
	if s.fit == nil || s.settled == len(s.rows) {
		return
	}
	s.settled = len(s.rows)
	row := s.base + len(s.rows)
	r := s.rows[len(s.rows)-1]
	if r.height > 0 {
		return
	}
	type span struct{ from, to int }
	var spans []span
	lines := 1
	for i, c := range r.cells {
		x, ok := c.(excelize.Cell)
		text, isText := x.Value.(string)
		if !ok || !isText || !s.fit.wraps[x.StyleID] {
			continue
		}
		sp := span{i + 1, i + 1}
		if m := s.mergeAt(row, sp.from); m >= 0 {
			sp.to, _, _ = excelize.CellNameToCoordinates(s.merges[m][1])
			sp.to -= s.col0
		}
		width := 0.0
		for col := sp.from; col <= sp.to; col++ {
			width += s.fit.width(col)
		}
		lines = max(lines, textLines(text, width))
		spans = append(spans, sp)
	}
	if lines == 1 {
		return
	}
	last := row + lines - 1
	for _, sp := range spans {
		end, _ := excelize.CoordinatesToCellName(s.col0+sp.to, last)
		if m := s.mergeAt(row, sp.from); m >= 0 {
			s.merges[m][1] = end
		} else {
			start, _ := excelize.CoordinatesToCellName(s.col0+sp.from, row)
			s.merges = append(s.merges, [2]string{start, end})
		}
	}
	for range lines - 1 {
		s.rows = append(s.rows, summaryRow{})
	}
	s.settled = len(s.rows)
}

// mergeAt is the index of the pane's merge that starts at its column col
// in row, -1 if none does.
func (s *summarySheet) mergeAt(row, col int) int {
	start, _ := excelize.CoordinatesToCellName(s.col0+col, row)
	return slices.IndexFunc(s.merges, func(m [2]string) bool { return m[0] == start })
}

// width is the width of the pane's column col (1 its first).
func (f *rowFit) width(col int) float64 {
	if col == 1 {
		return f.labelWidth
	}
	return f.valueWidth
}

// merge merges the pane's columns fromCol to toCol (1 its first) in row.
func (s *summarySheet) merge(row, fromCol, toCol int) {
	a, _ := excelize.CoordinatesToCellName(s.col0+fromCol, row)
	b, _ := excelize.CoordinatesToCellName(s.col0+toCol, row)
	s.merges = append(s.merges, [2]string{a, b})
}

// val is the letter of the pane's value column, its second: B on the
// left, for formulas over the pane's own rows.
func (s *summarySheet) val() string {
	c, _ := excelize.ColumnNumberToName(s.col0 + 2)
	return c
}

// row is the pane's row n of the sheet (1 its first), nil past its end.
func (s *summarySheet) row(n int) *summaryRow {
	if i := n - s.base - 1; i >= 0 && i < len(s.rows) {
		return &s.rows[i]
	}
	return nil
}

// sheetRows is the sheet's rows: the main pane's with the side pane's
// cells after its own, column col0+1 on.
func (s *summarySheet) sheetRows() []summaryRow {
	if s.side == nil {
		return s.rows
	}
	n := max(len(s.rows), s.side.base+len(s.side.rows))
	out := make([]summaryRow, n)
	for i := range out {
		var r summaryRow
		if i < len(s.rows) {
			r = s.rows[i]
		}
		if sr := s.side.row(i + 1); sr != nil {
			cells := make([]any, s.side.col0, s.side.col0+len(sr.cells))
			copy(cells, r.cells)
			r.cells = append(cells, sr.cells...)
			r.height = max(r.height, sr.height)
		}
		out[i] = r
	}
	return out
}

func (s *summarySheet) blank() { s.add(0) }

// Summary column widths: A holds labels, B–F values and tiles.
const (
	labelWidthMin, labelWidthMax = 18, 44
	valueWidth                   = 17
	gapWidth                     = 3  // between the panes
	sideValueWidth               = 14 // the side pane's value columns
)

// buildSummary lays the Summary out. Totals are formulas over the Orders
// sheets with the value computed in Go cached; the tiles and the
// headline repeat the totals below them.
func (p *plan) buildSummary(st styles) *summarySheet {
	w := p.w
	// Both panes fit their rows (see settle): every row they share is of
	// the default height, so that neither pane's blocks open gaps where
	// the other has a tall row.
	wraps := map[int]bool{st.label: true, st.hash: true, st.masked: true}
	s := &summarySheet{fit: &rowFit{wraps: wraps, labelWidth: labelWidthMin, valueWidth: valueWidth}}
	in := p.book.Input
	cell := func(style int, v any, formula string) excelize.Cell {
		return excelize.Cell{StyleID: style, Value: v, Formula: formula}
	}
	// label is column 1 of an item row of a pane, which grows to hold it,
	// up to labelWidthMax; a label wider than that wraps, over as many
	// rows as it takes (settle).
	labelIn := func(pane *summarySheet) func(string) excelize.Cell {
		return func(text string) excelize.Cell {
			pane.fit.labelWidth = max(pane.fit.labelWidth, min(float64(displayWidth(text)+padding), labelWidthMax))
			return cell(st.label, text, "")
		}
	}
	label := labelIn(s)

	// Rows 1–8: the answer.
	check := w.ok
	if p.controlTotal() != in.Rows {
		check = w.mismatch
	}
	// The title, the headline and the notes span both panes.
	const wide = 2*summaryCols + 1
	s.merge(s.add(28, cell(st.title, w.title(p.book.Header.BatchID), "")), 1, wide)
	s.merge(s.add(24, cell(st.headline, w.headline(p.byStatus[batch.StatusSuccess], groupThousands(p.spend),
		p.byStatus[batch.StatusFailed], groupThousands(p.refunded), p.open(), check), "")), 1, wide)
	if p.masked {
		// Row 3, blank otherwise: the rows below keep their numbers.
		s.merge(s.add(32, cell(st.masked, w.maskedNotice, "")), 1, wide)
	} else {
		s.blank()
	}
	tileLabels := make([]any, len(w.tiles))
	for i, t := range w.tiles {
		tileLabels[i] = cell(st.tileLabel, t, "")
	}
	s.add(0, tileLabels...)
	tilesRow := s.add(34) // filled once the items' rows are known
	s.blank()
	s.merge(s.add(0, cell(0, w.generatedAt+": "+p.generated+" ("+w.zoneName+")", "")), 1, wide)
	s.blank()

	// The blocks: the counts and money on the left; the provider's books,
	// the audit and the sign-off in a pane on the right, from this row.
	// Below here every row is of the default height, block titles too.
	side := &summarySheet{col0: summaryCols + 1, base: s.next() - 1,
		fit: &rowFit{wraps: wraps, labelWidth: labelWidthMin, valueWidth: sideValueWidth}}
	s.side = side
	sideLabel := labelIn(side)

	// The control totals.
	controlTitle := s.add(0, cell(st.block, w.controlBlock, ""))
	s.add(0, headerCells(st, w.summaryHeader)...)
	integer := func(v int, formula string) excelize.Cell { return cell(st.integer, v, formula) }
	money := func(m juhe.Money, formula string) excelize.Cell { return cell(st.cost, costValue(m), formula) }
	inputRowsRow := s.add(0, label(w.inputRows), integer(in.Rows, ""))
	stateRow := map[batch.Status]int{}
	for _, x := range batch.Statuses {
		stateRow[x] = s.add(0, label(w.states[x]), integer(p.byStatus[x], p.countState(x)))
	}
	s.states = block{controlTitle, stateRow[batch.Statuses[0]], stateRow[batch.Statuses[len(batch.Statuses)-1]]}
	controlRow := s.add(0, label(w.controlTotal), integer(p.controlTotal(), fmt.Sprintf("SUM(B%d:B%d)", s.states.first, s.states.last)))
	checkRow := s.add(0, label(w.controlCheck), cell(0, check,
		fmt.Sprintf(`IF(B%d=B%d,"%s","%s")`, inputRowsRow, controlRow, w.ok, w.mismatch)))
	spendRow := s.add(0, label(w.spend), money(p.spend, p.over(false, func(r func(column) string) string {
		return fmt.Sprintf("SUM(%s)-SUM(%s)", r(colCharged), r(colRefunded))
	})))
	chargingRow := s.add(0, label(w.charging), money(p.charging, p.sumState(false, batch.StatusCharging)))
	refundedRow := s.add(0, label(w.refunded), money(p.refunded, p.over(false, func(r func(column) string) string {
		return fmt.Sprintf("SUM(%s)", r(colRefunded))
	})))
	s.add(0, label(w.orphans), integer(p.orphans, p.over(true, func(r func(column) string) string { return "ROWS(" + r(colState) + ")" })))
	orphanSpendRow := s.add(0, label(w.orphanSpend), money(p.orphanSpend, p.sumState(true, batch.StatusSuccess)))
	var openRefs []string
	for _, x := range openStatuses {
		openRefs = append(openRefs, fmt.Sprintf("B%d", stateRow[x]))
	}
	openRow := s.add(0, label(w.open), integer(p.open(), strings.Join(openRefs, "+")))
	s.add(0, label(w.exceptionRows), integer(p.exceptions, p.exceptionCount()))

	ref := func(row int) string { return fmt.Sprintf("B%d", row) }
	s.rows[tilesRow-1].cells = []any{
		cell(st.tileCount, p.byStatus[batch.StatusSuccess], ref(stateRow[batch.StatusSuccess])),
		cell(st.tileMoney, costValue(p.spend), ref(spendRow)),
		cell(st.tileCount, p.byStatus[batch.StatusFailed], ref(stateRow[batch.StatusFailed])),
		cell(st.tileMoney, costValue(p.refunded), ref(refundedRow)),
		cell(st.tileCount, p.open(), ref(openRow)),
		cell(st.tileWord, check, ref(checkRow)),
	}

	notInvalid := notCriterion(w.states[batch.StatusInvalid])
	success := criterion(w.states[batch.StatusSuccess])
	// tallyCells are the count, successes and spend of the input rows
	// whose column c holds crit.
	tallyCells := func(t *tally, letter func(ordersSheet) string, crit string) []any {
		f := func(format string, c column) string {
			return p.overLetter(false, func(s ordersSheet, r func(string) string) string {
				return fmt.Sprintf(format, r(ordersLetter[c]), r(letter(s)), crit, r(ordersLetter[colState]))
			})
		}
		return []any{
			integer(t.count, f("COUNTIFS(%[2]s,%[3]s,%[4]s,"+notInvalid+")", colState)),
			integer(t.successes, f("COUNTIFS(%[2]s,%[3]s,%[4]s,"+success+")", colState)),
			money(t.spend, f("SUMIFS(%[1]s,%[2]s,%[3]s,%[4]s,"+success+")", colCost)),
		}
	}
	column := func(c column) func(ordersSheet) string { return func(ordersSheet) string { return ordersLetter[c] } }

	// Per product.
	s.blank()
	s.products.title = s.add(0, cell(st.block, w.productBlock, ""))
	s.add(0, headerCells(st, w.productHeader)...)
	for _, pr := range p.sortedProducts() {
		row := s.add(0, append([]any{textCell(st, pr.pid), strCell(pr.cardName)}, tallyCells(&pr.tally, column(colPid), criterion(pr.pid))...)...)
		s.products = s.products.with(row)
	}

	// Per carrier.
	s.blank()
	s.carriers.title = s.add(0, cell(st.block, w.carrierBlock, ""))
	s.add(0, headerCells(st, w.carrierHeader)...)
	for _, c := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		t := p.carriers[c]
		if t == nil {
			continue
		}
		row := s.add(0, append([]any{strCell(w.carriers[c])}, tallyCells(t, column(colCarrier), criterion(w.carriers[c]))...)...)
		s.carriers = s.carriers.with(row)
	}

	// Per group (department, or the -group-by column).
	if p.groupCol >= 0 {
		s.groupName = p.extraNames[p.groupCol]
		letter, _ := excelize.ColumnNumberToName(len(p.ordersT) + p.groupCol + 1)
		s.blank()
		s.groups.title = s.add(0, cell(st.block, w.groupBlock(s.groupName), ""))
		h := append([]string{s.groupName}, w.groupHeader[1:]...)
		s.add(0, headerCells(st, h)...)
		values, rest := p.sortedGroups()
		for _, v := range values {
			name := v
			if v == "" {
				name = w.blank
			}
			row := s.add(0, append([]any{textCell(st, name)}, tallyCells(p.groups[v], func(ordersSheet) string { return letter }, criterion(v))...)...)
			s.groups = s.groups.with(row)
		}
		if rest.count > 0 {
			// The rest is what the listed rows leave of the totals.
			first, last := s.groups.first, s.groups.last
			minus := func(col string, total string) string {
				if first == 0 {
					return total
				}
				return fmt.Sprintf("%s-SUM(%s%d:%s%d)", total, col, first, col, last)
			}
			all := p.overLetter(false, func(_ ordersSheet, r func(string) string) string {
				return fmt.Sprintf("COUNTIF(%s,%s)", r(ordersLetter[colState]), notInvalid)
			})
			row := s.add(0, strCell(w.others),
				integer(rest.count, minus("B", "("+all+")")),
				integer(rest.successes, minus("C", ref(stateRow[batch.StatusSuccess]))),
				money(rest.spend, minus("D", ref(spendRow))))
			s.groups = s.groups.with(row)
		}
	}

	// The provider's books.
	if p.prov != nil {
		p.addProviderBlocks(side, st, summaryCells{label: sideLabel, integer: integer, money: money, cell: cell},
			providerRefs{spend: spendRow, orphanSpend: orphanSpendRow, charging: chargingRow})
		side.blank()
	}

	// The audit block: what this workbook was made from.
	side.add(0, cell(st.block, w.auditBlock, ""))
	audit := func(name string, v any) {
		switch x := v.(type) {
		case string:
			v = cell(st.hash, x, "")
		case int64:
			v = cell(st.auditNumber, x, "")
		}
		row := side.add(0, sideLabel(name), v)
		side.merge(row, 2, summaryCols)
	}
	audit(w.batchID, p.book.Header.BatchID)
	audit(w.inputFile, in.Name)
	audit(w.inputSHA, in.SHA256)
	audit(w.headHash, p.book.HeadHash)
	audit(w.records, p.book.Records)
	audit(w.generatedAt, p.generated)
	audit(w.timeZone, w.zoneName)
	audit(w.toolVersion, p.toolVersion)
	if p.attesting {
		audit(w.attestSHA, p.attestSum)
	}
	if p.masked {
		audit(w.masking, w.maskingValue(p.inputExtra))
	}

	// The sign-off block: a name, a date and a signature line per role,
	// two rows of the default height above the line to write in.
	side.blank()
	side.add(0, cell(st.block, w.signoffBlock, ""))
	sh := w.signoffHeader
	side.merge(side.add(0, cell(st.header, sh[0], ""), cell(st.header, sh[1], ""), cell(st.header, sh[2], ""),
		cell(st.header, sh[3], ""), cell(st.header, nil, ""), cell(st.header, nil, "")), 4, summaryCols)
	for _, role := range w.roles {
		line := cell(st.signLine, nil, "")
		side.add(0, cell(st.label, role, ""))
		side.merge(side.add(0, nil, line, line, line, line, line), 4, summaryCols)
	}
	s.settle()
	side.settle()

	// Widths: labels in A, values in B–F; a gap column between the
	// panes; the side pane's values are narrower, as it has no table of
	// five value columns.
	s.widths = []float64{s.fit.labelWidth}
	for range summaryCols - 1 {
		s.widths = append(s.widths, valueWidth)
	}
	s.widths = append(s.widths, gapWidth, side.fit.labelWidth)
	for range summaryCols - 1 {
		s.widths = append(s.widths, sideValueWidth)
	}
	return s
}

// textLines is about how many lines text wraps to in a cell width wide:
// words fill a line in turn, a word longer than a line is broken, and a
// CJK character may start a line. It measures letters narrower than a
// digit (the unit of a column's width) as they print, so that a row is
// not split for a line it does not need.
func textLines(text string, width float64) int {
	room := width - 1
	lines, used, word := 1, 0.0, 0.0
	put := func() {
		if used > 0 && used+word > room {
			lines, used = lines+1, 0
		}
		for word > room {
			lines, word = lines+1, word-room
		}
		used, word = used+word, 0
	}
	for _, r := range text {
		w := charWidth(r)
		switch {
		case r == ' ':
			put()
			used += w
		case w == 2: // CJK
			put()
			word = w
			put()
		default:
			word += w
		}
	}
	put()
	return lines
}

// charWidth is how wide r prints, in digits of the default font.
func charWidth(r rune) float64 {
	switch {
	case r >= 0x1100 && displayWidth(string(r)) == 2:
		return 2
	case strings.ContainsRune(" iljI.,:;'|!", r):
		return 0.5
	case strings.ContainsRune("frt()[]-/", r):
		return 0.7
	case strings.ContainsRune("mwMW", r):
		return 1.5
	case r >= 'A' && r <= 'Z':
		return 1.2
	}
	return 1
}

// wrappedLines is about how many lines text takes in a cell width wide.
func wrappedLines(text string, width float64) int {
	return max(1, int(math.Ceil(float64(displayWidth(text))/(width-1))))
}

func (b block) with(row int) block {
	if b.first == 0 {
		b.first = row
	}
	b.last = row
	return b
}

// groupThousands writes m in yuan with thousands separators: 6,623.580.
func groupThousands(m juhe.Money) string {
	intPart, frac, _ := strings.Cut(m.String(), ".")
	return groupDigits(intPart) + "." + frac
}

// thousands writes n with thousands separators: 1,000,000.
func thousands(n int64) string { return groupDigits(strconv.FormatInt(n, 10)) }

func groupDigits(s string) string {
	var b strings.Builder
	if strings.HasPrefix(s, "-") {
		b.WriteByte('-')
		s = s[1:]
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// maxGroupRows is how many values of the group column the Summary lists,
// the most orders first; the rest share one row.
const maxGroupRows = 30

// sortedGroups is the group values to list, and the tally of the rest.
func (d *breakdown) sortedGroups() ([]string, tally) {
	vs := make([]string, 0, len(d.groups))
	for v := range d.groups {
		vs = append(vs, v)
	}
	sort.Slice(vs, func(i, j int) bool {
		a, b := d.groups[vs[i]], d.groups[vs[j]]
		if a.count != b.count {
			return a.count > b.count
		}
		return vs[i] < vs[j]
	})
	rest := d.groupsLeft
	if len(vs) > maxGroupRows {
		for _, v := range vs[maxGroupRows-1:] {
			g := d.groups[v]
			rest.count += g.count
			rest.successes += g.successes
			rest.spend += g.spend
		}
		vs = vs[:maxGroupRows-1]
	}
	return vs, rest
}

// startSummary sets the Summary's page setup and opens its stream; its
// rows are written last, when the totals are known.
func (p *plan) startSummary(f *excelize.File) (*excelize.StreamWriter, error) {
	if err := p.paper(f, p.w.summary, onePage); err != nil {
		return nil, fmt.Errorf("page setup: %w", err)
	}
	return f.NewStreamWriter(p.w.summary)
}

func (p *plan) writeSummary(sw *excelize.StreamWriter, s *summarySheet) error {
	for i, wd := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	for i, r := range s.sheetRows() {
		var opts []excelize.RowOpts
		if r.height > 0 {
			opts = append(opts, excelize.RowOpts{Height: r.height})
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+1), r.cells, opts...); err != nil {
			return err
		}
	}
	merges := s.merges
	if s.side != nil {
		merges = append(slices.Clip(merges), s.side.merges...)
	}
	for _, m := range merges {
		if err := sw.MergeCell(m[0], m[1]); err != nil {
			return err
		}
	}
	return sw.Flush()
}
