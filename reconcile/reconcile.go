// Package reconcile turns a batch journal into the reconciliation workbook
// that finance and auditors sign off on, and optionally a CSV of its Orders
// table.
//
// It promises:
//   - The workbook is a function of the journal alone (with
//     Options.Provider, of the journal, the statement file and the other
//     journals of the workspace, all read without a lock); only the
//     "generated at" cells depend on the clock (Options.Now).
//   - Money is exact: every amount is summed in juhe.Money (厘) and written
//     as the double nearest its three-decimal value, formatted 0.000.
//   - Totals on the Summary are live formulas over the Orders sheets, with
//     the value computed in Go cached, so the file is right with or without
//     recalculation; the control total input rows = the sum of the seven
//     state counts is shown with a check cell.
//   - Phones, pids and orderids are text cells.
//   - With Options.Mask, the workbook and CSV are a masked copy (mask.go):
//     no phone whole, no orderid or sporder_id, only the kept extra
//     columns; the Summary, and every printed page, say it is masked.
//   - The file appears whole or not at all: it is written to a temporary
//     file beside the target with mode 0600, synced and renamed.
//   - Memory stays bounded: every sheet but the small Charts sheet
//     (normal mode: a stream-written sheet cannot carry a drawing) is
//     written with excelize's StreamWriter, and the journal's rows are
//     streamed from disk once
//     (twice with a CSV). Column widths are measured on the first
//     Options.WidthSample rows and, past those, estimated from the
//     book's orders, which it holds in memory anyway.
package reconcile

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// MaxRowsPerSheet is the most data rows one sheet holds (Excel's limit
// less the header row).
const MaxRowsPerSheet = excelize.TotalRows - 1

// Options says how to write the workbook.
type Options struct {
	Lang string           // "zh" (default) or "en"
	Now  func() time.Time // the "generated at" cell; nil is time.Now
	CSV  string           // also write the Orders table here, if set
	// MaxOrdersPerSheet is the number of data rows after which Orders
	// (and Exceptions) continue on a new sheet; 0 is MaxRowsPerSheet.
	MaxOrdersPerSheet int
	// WidthSample is how many rows of a table are held back and measured
	// before its sheet starts (a stream writer needs the widths first);
	// 0 is DefaultWidthSample. A table that fits in the sample gets exact
	// widths; a longer one adds estimates from the book for the rest.
	WidthSample int
	// Attest also writes the attestation ID.attest.json beside the
	// workbook (see attest.go), and shows its sha256 on the Summary. An
	// earlier attestation there that the journal no longer reaches stops
	// Write before anything is written.
	Attest      bool
	ToolVersion string // the attestation's tool_version, also on the Summary
	// GroupBy names an extra column of the input (as the journal names
	// it) to count and sum by on the Summary and the Charts; "" picks a
	// column named 部门 or department, if there is one.
	GroupBy string
	// Retry also writes the retry file here (.csv or .xlsx; see retry.go).
	Retry string
	// StatementUncharged reports that the provider's statement shows no
	// charge for an order: the hook the statement leg (issue 12) sets, so
	// that a game_state -1 row may enter the retry file. nil: every such
	// row is held back.
	StatementUncharged func(orderID string) bool
	// Mask makes the workbook (and the CSV) a masked copy for wider
	// circulation (see mask.go). A masked copy is not the audit anchor:
	// it is never attested (Attest must be false), but an attestation
	// beside it or beside the journal still holds the journal, so a cut
	// journal is refused. It cannot be set with Retry: a retry file needs
	// the real phones.
	Mask *MaskOptions
	// Provider adds the provider's books (provider.go): the Provider
	// sheet, the three-way block and the balance roll-forward. nil leaves
	// them out.
	Provider *ProviderLeg
}

// DefaultWidthSample is the default Options.WidthSample.
const DefaultWidthSample = 10000

// Summary is what the workbook says, for a short table on the terminal.
type Summary struct {
	Path, CSVPath string
	BatchID       string
	HeadHash      string
	Records       int64
	InputRows     int // rows in the latest input, per the journal
	Listed        int // input rows listed on the Orders sheets
	ByStatus      map[batch.Status]int
	Spend         juhe.Money // success costs of input rows
	Charging      juhe.Money
	Refunded      juhe.Money
	Orphans       int
	OrphanSpend   juhe.Money // success costs of orders absent from the input
	Open          int        // charging + unknown + not_submitted
	Exceptions    int        // rows on the Exceptions sheet(s)
	OrdersSheets  []string
	ControlOK     bool   // InputRows equals the sum of ByStatus
	AttestPath    string // the attestation written, with Options.Attest
	AttestSHA256  string // the sha256 of its bytes
	Retry         *Retry // the retry file written, with Options.Retry
	// Provider is the provider's books, with Options.Provider.
	Provider *ProviderSummary
}

// Write writes the workbook for book to path, and the CSV if opts.CSV is set.
func Write(ctx context.Context, book *batch.Book, path string, opts Options) (*Summary, error) {
	w, err := lookupWords(opts.Lang)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	perSheet := opts.MaxOrdersPerSheet
	if perSheet <= 0 || perSheet > MaxRowsPerSheet {
		perSheet = MaxRowsPerSheet
	}

	sample := opts.WidthSample
	if sample <= 0 {
		sample = DefaultWidthSample
	}
	if opts.Mask != nil && (opts.Attest || opts.Retry != "") {
		return nil, fmt.Errorf("a masked copy is neither attested nor written with a retry file")
	}
	var attestPath string
	if opts.Attest {
		attestPath = AttestationPath(path, book.Header.BatchID)
		if err := checkSupersede(ctx, attestPath, book); err != nil {
			return nil, err
		}
	}
	if opts.Mask != nil {
		// Held to, as if it were to be superseded; never written.
		for _, a := range uniquePaths(AttestationPath(path, book.Header.BatchID), AttestationPath(book.Path, book.Header.BatchID)) {
			if err := checkSupersede(ctx, a, book); err != nil {
				return nil, err
			}
		}
	}
	for _, p := range []string{path, opts.CSV, attestPath} {
		if p != "" {
			removeStale(p)
		}
	}
	group, err := groupColumn(book.Input.Extra, opts.GroupBy)
	if err != nil {
		return nil, err
	}
	t := now()
	p := &plan{w: w, book: book, perSheet: perSheet, sample: sample, now: t,
		generated: t.In(shanghai).Format(timeLayout), lines: newLineMaker(w),
		attesting: opts.Attest, toolVersion: opts.ToolVersion, groupCol: group,
		ordersT: ordersTable, excT: exceptionsTable, inputExtra: book.Input.Extra}
	if opts.Mask != nil {
		if err := p.masking(opts.Mask, opts.GroupBy); err != nil {
			return nil, err
		}
	}
	p.prepare()
	if opts.Provider != nil {
		p.prepareProvider(opts.Provider)
	}
	tmpDir, err := privateTempDir(path)
	if err != nil {
		return nil, fmt.Errorf("writing workbook %s: %w", path, err)
	}
	defer os.RemoveAll(tmpDir)
	p.tmpDir = tmpDir
	if err := journal.WriteAtomic(path, true, func(out io.Writer) error { return p.writeWorkbook(ctx, out) }); err != nil {
		return nil, fmt.Errorf("writing workbook %s: %w", path, err)
	}
	s := p.summary()
	s.Path = path
	if opts.CSV != "" {
		if err := journal.WriteAtomic(opts.CSV, true, func(out io.Writer) error { return p.writeCSV(ctx, out) }); err != nil {
			return nil, fmt.Errorf("writing CSV %s: %w", opts.CSV, err)
		}
		s.CSVPath = opts.CSV
	}
	if opts.Attest {
		err := journal.WriteAtomic(attestPath, true, func(out io.Writer) error {
			_, err := out.Write(p.attestData)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("writing attestation %s: %w", attestPath, err)
		}
		s.AttestPath, s.AttestSHA256 = attestPath, p.attestSum
	}
	if opts.Retry != "" {
		if s.Retry, err = WriteRetry(ctx, book, opts.Retry, opts.Lang, opts.StatementUncharged); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// plan is where every row goes, and the totals and widths the pass over
// the journal's rows learns.
type plan struct {
	w         *words
	book      *batch.Book
	perSheet  int
	sample    int // rows measured for widths before a table starts
	now       time.Time
	generated string
	lines     *lineMaker
	tmpDir    string // excelize spills big sheets here

	attesting   bool
	masked      bool
	keep        []int // with masked, the extra columns kept
	toolVersion string
	attestData  []byte // the attestation, made once the totals are known
	attestSum   string // its sha256, shown on the Summary

	// From the book, before the pass: how many Orders rows there will be.
	plannedRows, plannedOrphans int

	inputRows, orphans, exceptions int
	byStatus                       map[batch.Status]int
	spend, charging, refunded      juhe.Money
	orphanSpend                    juhe.Money
	groupCol                       int // index of the -group-by extra column, -1 for none
	breakdown

	// actions are the words' actions with the journal's real path.
	actions map[kind]string

	// The tables written: the masked ones leave columns out.
	ordersT    table[line]
	excT       table[excRow]
	inputExtra []string // the input's extra columns written (the kept ones)
	extraNames []string // their names, and names for unnamed cells

	ordersSheets []ordersSheet
	excSheets    []string

	prov           *providerPlan // with Options.Provider
	pg             *pages        // the page setup, when not the batch's (the month's)
	providerSheets []string
}

type product struct {
	pid, cardName string
	tally
}

// tally is what the Summary shows of a product, a carrier or a group:
// its orders (input rows but the invalid), successes and their spend.
type tally struct {
	count, successes int
	spend            juhe.Money
}

func (t *tally) add(l *line) {
	t.count++
	if l.status == batch.StatusSuccess {
		t.successes++
		if l.hasCost {
			t.spend += l.cost
		}
	}
}

// maxGroupValues bounds the distinct values of the -group-by column held
// in memory (a column of names would be one per row); rows of further
// values are tallied together.
const maxGroupValues = 10000

// breakdown is the Summary's tallies of the input rows but the invalid:
// by product, by carrier and by value of the -group-by column.
type breakdown struct {
	products   map[string]*product
	carriers   map[juhe.Carrier]*tally
	groups     map[string]*tally
	groupsLeft tally // rows of values past maxGroupValues
}

func newBreakdown() breakdown {
	return breakdown{products: make(map[string]*product), carriers: make(map[juhe.Carrier]*tally),
		groups: make(map[string]*tally)}
}

// add tallies l; groupCol is the index in l.extra of the group column,
// -1 for none.
func (d *breakdown) add(l *line, groupCol int) {
	pr := d.products[l.pid]
	if pr == nil {
		pr = &product{pid: l.pid}
		d.products[l.pid] = pr
	}
	if pr.cardName == "" {
		pr.cardName = l.cardName
	}
	pr.add(l)
	ct := d.carriers[l.carrier]
	if ct == nil {
		ct = &tally{}
		d.carriers[l.carrier] = ct
	}
	ct.add(l)
	if groupCol < 0 {
		return
	}
	v := ""
	if groupCol < len(l.extra) {
		v = l.extra[groupCol]
	}
	g := d.groups[v]
	if g == nil && len(d.groups) < maxGroupValues {
		g = &tally{}
		d.groups[v] = g
	}
	if g == nil {
		g = &d.groupsLeft
	}
	g.add(l)
}

// ordersSheet says which rows of one Orders sheet hold input rows and
// which hold orphans (0, 0 when none).
type ordersSheet struct {
	name                    string
	inFirst, inLast         int
	orphanFirst, orphanLast int
}

// each calls fn with every Orders line: the latest input's rows in input
// order, then the orders absent from it in the order they were planned.
func (p *plan) each(ctx context.Context, fn func(*line) error) error {
	n := 0
	err := p.book.Rows(ctx, func(r *journal.RowRecord) error {
		if n++; n&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var o *batch.OrderState
		if r.OrderID != "" {
			o, _ = p.book.Order(r.OrderID)
		}
		l := p.lines.fromRow(r, o)
		if p.masked {
			p.mask(&l)
		}
		if err := fn(&l); err != nil {
			return fmt.Errorf("row %d: %w", r.Line, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("reading the input rows from journal %s: %w", p.book.Path, err)
	}
	return p.book.Orders(func(o *batch.OrderState) error {
		if o.InInput {
			return nil
		}
		l := p.lines.fromOrphan(o)
		if p.masked {
			p.mask(&l)
		}
		if err := fn(&l); err != nil {
			return fmt.Errorf("order %s: %w", o.OrderID, err)
		}
		return nil
	})
}

// prepare takes from the book what must be known before the first row:
// the number of Orders rows, hence the Orders sheets the Summary's
// formulas name.
func (p *plan) prepare() {
	p.byStatus = make(map[batch.Status]int)
	p.breakdown = newBreakdown()
	p.actions = make(map[kind]string, len(p.w.actions))
	journal := p.book.Path
	if abs, err := filepath.Abs(journal); err == nil {
		journal = abs
	}
	for k, a := range p.w.actions {
		p.actions[k] = strings.ReplaceAll(a, "<journal>", shellQuote(journal))
	}
	p.extraNames = append([]string(nil), p.inputExtra...)
	t := p.book.Counts()
	p.plannedRows, p.plannedOrphans = t.Rows, t.Orphans
	// The money totals are the book's (Book.Counts); the pass over the
	// rows only counts, and the control total checks the counts.
	p.spend, p.charging, p.refunded = t.Spend, t.Charging, t.Refunded
	p.layout()
}

// count adds one Orders line to the totals.
func (p *plan) count(l *line) {
	p.exceptions += len(l.exc)
	if l.row == 0 {
		p.orphans++
		if l.status == batch.StatusSuccess && l.hasCost {
			p.orphanSpend += l.cost
		}
		return
	}
	p.inputRows++
	p.byStatus[l.status]++
	if l.status == batch.StatusInvalid {
		return
	}
	p.breakdown.add(l, p.groupCol)
}

// measureOrders gives the Orders widths and header for the lines held
// back; all says they are the whole table. Rows may carry more extra
// cells than the journal names: the sample decides the header.
func (p *plan) measureOrders(held []line, all bool) []float64 {
	fixed := len(p.ordersT)
	ws := headerWidths(p.ordersT.header(p.w))
	var text []string
	for i := range held {
		text = p.ordersText(&held[i], text)
		for len(ws) < len(text) {
			ws = append(ws, 0)
		}
		fit(ws, text)
	}
	for i := len(p.extraNames); i < len(ws)-fixed; i++ {
		p.extraNames = append(p.extraNames, p.w.extraName(i+1))
	}
	for len(ws) < fixed+len(p.extraNames) {
		ws = append(ws, 0)
	}
	fit(ws, p.ordersHeader())
	if !all {
		p.estimateOrders(ws)
	}
	return ws
}

// measureExceptions is measureOrders for the Exceptions table;
// ordersWidths are the Orders sheet's, for the columns the two share.
func (p *plan) measureExceptions(held []excRow, all bool, ordersWidths []float64) []float64 {
	ws := headerWidths(p.exceptionsHeader())
	var text []string
	for i := range held {
		text = p.excText(&held[i], text)
		fit(ws, text)
	}
	if !all {
		// The extra columns hold the same values as on Orders.
		fixed, ordersFixed := len(p.excT), len(p.ordersT)
		for i := fixed; i < len(ws) && ordersFixed+i-fixed < len(ordersWidths); i++ {
			ws[i] = max(ws[i], ordersWidths[ordersFixed+i-fixed])
		}
		// A column the two tables share holds the same values in both,
		// so it starts from its Orders width. (For the state that is
		// never more than the state words fitted below.)
		for i, f := range p.excT {
			if from := ordersAt[f.col]; from >= 0 && ordersWidths[from] > ws[i] {
				ws[i] = ordersWidths[from]
			}
		}
		at := exceptionsAt
		for _, s := range p.w.states {
			fitOne(ws, at[colState], s)
		}
		for _, s := range p.w.kinds {
			fitOne(ws, at[colException], s)
		}
		for _, s := range p.actions {
			fitOne(ws, at[colAction], s)
		}
		p.estimateExceptionReasons(ws, at[colReason])
	}
	// The reason and the action wrap (excHeight): narrower columns keep
	// the sheet readable on one page's width.
	ws[exceptionsAt[colReason]] = min(ws[exceptionsAt[colReason]], maxReasonWidth)
	ws[exceptionsAt[colAction]] = min(ws[exceptionsAt[colAction]], maxActionWidth)
	return ws
}

// The widths of the Exceptions' wrapping columns.
const maxReasonWidth, maxActionWidth = 36, 48

// estimateOrders widens the widths measured on the sample for the rows
// past it, from every order in the book: exact for the order's own
// columns. Only the extra columns and the text of invalid rows (which
// have no order) rest on the sample.
func (p *plan) estimateOrders(ws []float64) {
	ts := float64(len(timeLayout) + padding)
	at := &ordersAt
	_ = p.book.Orders(func(o *batch.OrderState) error {
		fitN(ws, at[colRow], digits(int64(o.Line)))
		fitOne(ws, at[colPhone], o.Phone) // masked, as wide
		fitOne(ws, at[colPid], o.Pid)
		fitOne(ws, at[colCardName], o.CardName)
		if !p.masked {
			fitOne(ws, at[colOrderID], o.OrderID)
			fitOne(ws, at[colSporderID], o.SporderID)
		}
		st := o.Status()
		if c, ok := o.Cost(); ok {
			fitN(ws, at[colCost], moneyWidth(c))
			if st == batch.StatusSuccess || st == batch.StatusFailed {
				fitN(ws, at[colCharged], moneyWidth(c))
			}
			if st == batch.StatusFailed {
				fitN(ws, at[colRefunded], moneyWidth(c))
			}
		}
		fitOne(ws, at[colState], p.w.states[st])
		fitOne(ws, at[colCarrier], p.w.carriers[juhe.CarrierOf(o.Phone)])
		if i := at[colSubmitted]; o.SubmittedAt > 0 && ws[i] < ts {
			ws[i] = ts
		}
		if i := at[colFinal]; o.FinalAt > 0 && ws[i] < ts {
			ws[i] = ts
		}
		if st != batch.StatusNotSubmitted {
			fitOne(ws, at[colSource], p.lines.source(o.Source()))
		}
		if o.Code > 0 {
			fitN(ws, at[colCode], digits(int64(o.Code)))
		}
		reason := reasonOf(p.w, o, st)
		switch { // rare: allocating here is fine
		case !o.InInput:
			reason = join(p.w.orphanReason(o.Line), reason)
		case o.Dup:
			reason = join(p.w.dupReason(o.DupOf), reason)
		}
		fitOne(ws, at[colReason], reason)
		return nil
	})
}

// estimateExceptionReasons widens the Exceptions reason column, ws[col],
// for the reasons only an order's exceptions carry.
func (p *plan) estimateExceptionReasons(ws []float64, col int) {
	_ = p.book.Orders(func(o *batch.OrderState) error {
		var l line // no status: only the order's own disagreements
		l.exceptions(p.w, o)
		for _, e := range l.exc {
			fitOne(ws, col, e.reason)
		}
		return nil
	})
}

func (p *plan) ordersHeader() []string {
	return append(p.ordersT.header(p.w), p.extraNames...)
}

// exceptionsHeader is the Exceptions header: the journal's extra column
// names (the kept ones) follow the fixed ones (a row with more extra
// cells than the journal names shows them unnamed).
func (p *plan) exceptionsHeader() []string {
	return append(p.excT.header(p.w), p.inputExtra...)
}

// layout names the Orders sheets and places the rows on them.
func (p *plan) layout() {
	inputRows := p.plannedRows
	total := inputRows + p.plannedOrphans
	sheets := (total + p.perSheet - 1) / p.perSheet
	if sheets == 0 {
		sheets = 1
	}
	for i := 0; i < sheets; i++ {
		s := ordersSheet{name: seriesName(p.w.orders, i)}
		first, last := i*p.perSheet+1, min((i+1)*p.perSheet, total) // data row indexes, 1-based
		if first <= inputRows {
			s.inFirst, s.inLast = first-i*p.perSheet+1, min(last, inputRows)-i*p.perSheet+1
		}
		if last > inputRows {
			s.orphanFirst, s.orphanLast = max(first, inputRows+1)-i*p.perSheet+1, last-i*p.perSheet+1
		}
		p.ordersSheets = append(p.ordersSheets, s)
	}
}

func seriesName(base string, i int) string {
	if i == 0 {
		return base
	}
	return fmt.Sprintf("%s (%d)", base, i+1)
}

func (p *plan) summary() *Summary {
	s := &Summary{
		BatchID: p.book.Header.BatchID, HeadHash: p.book.HeadHash, Records: p.book.Records,
		InputRows: p.book.Input.Rows, Listed: p.inputRows, ByStatus: make(map[batch.Status]int),
		Spend: p.spend, Charging: p.charging, Refunded: p.refunded,
		Orphans: p.orphans, OrphanSpend: p.orphanSpend, Exceptions: p.exceptions,
	}
	for _, st := range batch.Statuses {
		s.ByStatus[st] = p.byStatus[st]
	}
	s.Open = p.open()
	s.Provider = p.providerSummary()
	s.ControlOK = p.controlTotal() == p.book.Input.Rows
	for _, o := range p.ordersSheets {
		s.OrdersSheets = append(s.OrdersSheets, o.name)
	}
	return s
}

// excRow is one Exceptions row: a line's fields and one of its exceptions.
type excRow struct {
	row                 int
	phone, pid, orderID string
	status              batch.Status
	cost                juhe.Money
	hasCost             bool
	extra               []string
	exception
}

func (l *line) excRow(e exception) excRow {
	return excRow{row: l.row, phone: l.phone, pid: l.pid, orderID: l.orderID, status: l.status,
		cost: l.cost, hasCost: l.hasCost, extra: l.extra, exception: e}
}

// excText is the text of an Exceptions row's cells, extra columns too.
func (p *plan) excText(x *excRow, dst []string) []string {
	return append(p.excT.text(p.w, x, dst), x.extra...)
}

// ordersText is the text of each Orders cell, as shown and as written to
// the CSV. Widths are measured on it.
func (p *plan) ordersText(l *line, dst []string) []string {
	return append(p.ordersT.text(p.w, l, dst), l.extra...)
}

// masking makes the plan write a masked copy: the masked tables, and of
// the extra columns only the kept ones. A -group-by column must be kept;
// the default department column is grouped by only when kept.
func (p *plan) masking(m *MaskOptions, groupBy string) error {
	keep, err := keptColumns(p.book.Input.Extra, m.KeepCols)
	if err != nil {
		return err
	}
	p.masked, p.keep = true, keep
	p.ordersT, p.excT = maskedOrdersTable, maskedExceptionsTable
	p.inputExtra = nil
	group := -1
	for i, k := range keep {
		p.inputExtra = append(p.inputExtra, p.book.Input.Extra[k])
		if k == p.groupCol {
			group = i
		}
	}
	if p.groupCol >= 0 && group < 0 && groupBy != "" {
		return &GroupByError{Column: groupBy, Extra: p.book.Input.Extra, NotKept: true}
	}
	p.groupCol = group
	return nil
}

// Formulas. Every range is absolute and names its sheet, so the Summary
// stays right if someone sorts or filters the Orders sheets.

func sheetRef(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

func rangeRef(sheet, col string, first, last int) string {
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", sheetRef(sheet), col, first, col, last)
}

var wildcards = strings.NewReplacer("~", "~~", "*", "~*", "?", "~?")

// criterion quotes s as an exact-match COUNTIF criterion.
func criterion(s string) string {
	s = wildcards.Replace(s)
	if s == "" || strings.ContainsAny(s[:1], "=<>") {
		s = "=" + s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// notCriterion quotes "anything but s" as a COUNTIFS criterion.
func notCriterion(s string) string {
	return `"<>` + strings.ReplaceAll(wildcards.Replace(s), `"`, `""`) + `"`
}

// over joins one term per sheet holding input rows (or orphan rows) with
// "+", or gives "0" when there is none. A term names the range of an
// Orders column on its sheet with r.
func (p *plan) over(orphans bool, term func(r func(column) string) string) string {
	return p.overLetter(orphans, func(_ ordersSheet, r func(string) string) string {
		return term(func(c column) string { return r(ordersLetter[c]) })
	})
}

// overLetter is over for a column named by its letter.
func (p *plan) overLetter(orphans bool, term func(s ordersSheet, r func(letter string) string) string) string {
	var terms []string
	for _, s := range p.ordersSheets {
		first, last := s.inFirst, s.inLast
		if orphans {
			first, last = s.orphanFirst, s.orphanLast
		}
		if first == 0 {
			continue
		}
		terms = append(terms, term(s, func(l string) string { return rangeRef(s.name, l, first, last) }))
	}
	if len(terms) == 0 {
		return "0"
	}
	return strings.Join(terms, "+")
}

func (p *plan) countState(st batch.Status) string {
	return p.over(false, func(r func(column) string) string {
		return fmt.Sprintf("COUNTIF(%s,%s)", r(colState), criterion(p.w.states[st]))
	})
}

func (p *plan) sumState(orphans bool, st batch.Status) string {
	return p.over(orphans, func(r func(column) string) string {
		return fmt.Sprintf("SUMIFS(%s,%s,%s)", r(colCost), r(colState), criterion(p.w.states[st]))
	})
}

// openStatuses are the states of the rows still open: not settled yet.
var openStatuses = []batch.Status{batch.StatusCharging, batch.StatusUnknown, batch.StatusNotSubmitted}

// open counts the input rows in openStatuses.
func (p *plan) open() int { return countIn(p.byStatus, openStatuses) }

// controlTotal is the sum of the input rows' state counts, which must
// equal the input's rows.
func (p *plan) controlTotal() int { return countIn(p.byStatus, batch.Statuses) }

// countIn sums the counts of the states sts: the batch's and the month's.
func countIn(byStatus map[batch.Status]int, sts []batch.Status) int {
	n := 0
	for _, st := range sts {
		n += byStatus[st]
	}
	return n
}

func (p *plan) sortedProducts() []*product {
	ps := make([]*product, 0, len(p.products))
	for _, pr := range p.products {
		ps = append(ps, pr)
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].pid < ps[j].pid })
	return ps
}

// groupColumn is the index among extra of the column to group by: name,
// compared as the input reader compares headers, or when name is "" a
// department column; -1 when there is none to group by.
func groupColumn(extra []string, name string) (int, error) {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	if name == "" {
		for i, e := range extra {
			switch norm(e) {
			case "部门", "department", "dept":
				return i, nil
			}
		}
		return -1, nil
	}
	for i, e := range extra {
		if norm(e) == norm(name) {
			return i, nil
		}
	}
	return -1, &GroupByError{Column: name, Extra: extra}
}

// GroupByError says the column to group by is not an extra column of the
// input: nothing was written.
type GroupByError struct {
	Column  string
	Extra   []string // the input's extra columns
	NotKept bool     // it is one, but a masked copy leaves it out
}

func (e *GroupByError) Error() string {
	if e.NotKept {
		return fmt.Sprintf("group by %q: a masked copy leaves the column out unless it is kept (-keep-col)", e.Column)
	}
	if len(e.Extra) == 0 {
		return fmt.Sprintf("group by %q: the input has no extra columns", e.Column)
	}
	return fmt.Sprintf("group by %q: the input has no such column; its extra columns are %s", e.Column, strings.Join(e.Extra, ", "))
}

// uniquePaths is paths without the repeats, compared as absolute paths.
func uniquePaths(paths ...string) []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			abs = p
		}
		if !seen[abs] {
			seen[abs] = true
			out = append(out, p)
		}
	}
	return out
}

// shellQuote quotes s for a POSIX shell when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:@%+=,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
