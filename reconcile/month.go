package reconcile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
)

// The month workbook rolls up every batch of a workspace whose orders
// fall in one Beijing month: a Summary with a table of batches, sheets by
// group, product and carrier, the repeats across batches, All orders in
// stream mode, the Charts, and the place of the provider's three-way
// match. It promises what the batch workbook promises (exact money, live
// formulas with cached values, text phones, whole file or none, a masked
// copy that holds no phone whole), and:
//   - every journal is verified before a row of it is used (checksums
//     and chain, by loading it; and every anchor given: its attestation,
//     the head the workspace index keeps). One that fails is listed on
//     the Summary's first screen, never skipped;
//   - an order's month is the month of its charge time (ChargedAt; see
//     monthWords.rules), so a batch across a month's end is split, and a
//     refund that arrives later stays in the month of its charge, marked
//     late.
//   - memory is the books of the month's journals (as compact as one
//     batch's book of the same orders) plus a small entry per charged
//     order for the repeats; rows stream from the journals once.

// MonthJournal is one journal of the workspace, as the caller found it.
type MonthJournal struct {
	Path    string
	BatchID string // as the workspace index knows it, for a journal that cannot be read
	// Failed says why the workspace found it not OK (missing, cut,
	// damaged); "" when it did not.
	Failed string
	// Anchors are the heads it must still reach: its attestation, the
	// head the workspace index keeps as attested.
	Anchors []MonthAnchor
}

// MonthAnchor is one head a journal must reach, and where it came from.
type MonthAnchor struct {
	From   string // "ID.attest.json", "workspace index"
	Anchor journal.Anchor
}

// ProviderTable is the provider's three-way match for the month (one
// statement pull, matched against every journal of the workspace): the
// Provider sheet writes its header and rows as they are. Nil leaves the
// sheet saying the match is not part of the workbook.
type ProviderTable interface {
	Header(lang string) []string
	Rows(ctx context.Context, lang string, fn func(cells []any) error) error
}

// MonthOptions says how to write the month workbook.
type MonthOptions struct {
	Month       string // YYYY-MM, Beijing time
	Lang        string
	Now         func() time.Time
	ToolVersion string
	Workspace   string // the directory, shown on the Summary
	GroupBy     string // as Options.GroupBy, over every batch's extra columns
	Mask        *MaskOptions
	// MaxOrdersPerSheet and WidthSample are as in Options.
	MaxOrdersPerSheet int
	WidthSample       int
	// Statement is the provider's statement of the month: the Provider
	// sheet is the three-way match (Match) of it against every journal
	// of the month, all as own. StatementWhy says why there is none.
	Statement    *statement.Statement
	StatementWhy string
	// Provider is any other table for the Provider sheet, when there is
	// no Statement.
	Provider ProviderTable
}

// MonthSummary is what the month workbook says, for the terminal.
type MonthSummary struct {
	Path      string
	Month     string
	Batches   []MonthBatch
	Failed    []MonthFailure
	People    int
	Rows      int // input rows of the month over every batch
	ByStatus  map[batch.Status]int
	Spend     juhe.Money
	Refunded  juhe.Money
	Charging  juhe.Money
	Open      int
	Late      int // refunds that arrived in a later month
	Orphans   int
	Provider  *ThreeWay // the three-way match, with MonthOptions.Statement
	Repeats   int       // repeat rows on the Repeats sheet
	Unmeant   int       // of them, not intended
	AllOrders []string
}

// MonthBatch is one batch's part of the month.
type MonthBatch struct {
	BatchID, Path, Input string
	User, Host           string
	ConsoleUser          string
	ConfirmedBy          string
	HeadHash             string
	Records              int64
	Rows                 int
	ByStatus             map[batch.Status]int
	Spend, Refunded      juhe.Money
	Charging             juhe.Money
	Orphans              int
	Months               map[string]int // input rows per month, every month of the batch
	Attested             bool
	Failed               string
}

// MonthFailure is a journal that failed verification.
type MonthFailure struct {
	Path, BatchID, Why string
}

// Header settings the month reads beside workspace's: who ran the batch
// in the console, and who confirmed it there.
const (
	SettingConsoleUser = "console_user"
	SettingConfirmedBy = "confirmed_by"
)

// monthLine is one All orders row.
type monthLine struct {
	line
	batch       string
	chargedAt   int64
	chargedText string // chargedAt as text
	late        string // the late mark of a refund that came in a later month
}

// monthTable is the All orders columns: the batch, then the Orders
// sheet's row, phone and state, the charge time and the late mark, then
// the rest of the Orders columns.
func monthTable(orders table[line]) table[monthLine] {
	get := func(m *monthLine) *line { return &m.line }
	lifted := lift(orders, get)
	t := table[monthLine]{textField(colBatch, func(m *monthLine) string { return m.batch })}
	t = append(t, lifted[:3]...)
	t = append(t, timeField(colChargedAt, func(m *monthLine) (string, int64) { return m.chargedText, m.chargedAt }),
		plainField(colLate, func(m *monthLine) string { return m.late }))
	return append(t, lifted[3:]...)
}

// lift makes the fields of a table of Rs the fields of a table of Ss
// that each hold an R.
func lift[R, S any](t table[R], get func(*S) *R) table[S] {
	out := make(table[S], len(t))
	for i, f := range t {
		out[i] = field[S]{f.col,
			func(w *words, s *S) string { return f.text(w, get(s)) },
			func(c *rowCells, i int, s *S) any { return f.cell(c, i, get(s)) }}
	}
	return out
}

var (
	monthOrdersTable       = monthTable(ordersTable)
	maskedMonthOrdersTable = monthTable(maskedOrdersTable)
	monthAt                = monthOrdersTable.positions()
	monthLetter            = monthOrdersTable.letters()
)

// monthPlan is the month being written.
type monthPlan struct {
	w         *monthWords
	opts      MonthOptions
	month     string
	generated string
	perSheet  int
	sample    int
	masked    bool
	t         table[monthLine]
	pg        *pages

	books   []*batch.Book // the readable journals, in batch order
	batches []*MonthBatch
	failed  []MonthFailure

	extra    []string // the extra columns of every batch, by name, in order of first appearance
	groupCol int      // index in extra of the group column, -1 for none
	groupBy  string

	byStatus                  map[batch.Status]int
	spend, refunded, charging juhe.Money
	rows, orphans, late       int
	breakdown

	charges []charge // the month's charged orders, for repeats and people
	pids    []string // charge.pid indexes these
	pidIdx  map[string]uint32
	repeats []repeat
	people  int

	sheets []monthSheet // the All orders sheets and their data rows
	match  *ThreeWay    // with MonthOptions.Statement
}

type monthSheet struct {
	name string
	rows int
}

// charge is one order of the month the provider charged and kept (not
// failed): compact, one per order.
type charge struct {
	phone     uint64
	pid       uint32
	batch     uint16
	success   bool
	chargedAt int64
	cost      juhe.Money
}

// repeat is one row of the Repeats sheet.
type repeat struct {
	pair     bool // a (phone, pid) repeat, else a phone repeat
	phone    string
	pid      string
	batches  string
	count    int
	amount   juhe.Money
	intended bool
}

// WriteMonth verifies the journals, and writes the month workbook of
// those with orders in opts.Month to path. A journal that fails
// verification is listed, never dropped: the workbook is written all the
// same, and MonthSummary.Failed says so (the command exits 7).
func WriteMonth(ctx context.Context, journals []MonthJournal, path string, opts MonthOptions) (*MonthSummary, error) {
	w, err := lookupMonthWords(opts.Lang)
	if err != nil {
		return nil, err
	}
	if _, err := time.ParseInLocation("2006-01", opts.Month, shanghai); err != nil || len(opts.Month) != 7 {
		return nil, fmt.Errorf("month %q: want YYYY-MM", opts.Month)
	}
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	m := &monthPlan{w: w, opts: opts, month: opts.Month, generated: now().In(shanghai).Format(timeLayout),
		perSheet: opts.MaxOrdersPerSheet, sample: opts.WidthSample, masked: opts.Mask != nil,
		byStatus: map[batch.Status]int{}, breakdown: newBreakdown(),
		pidIdx: map[string]uint32{}, groupCol: -1}
	if m.perSheet <= 0 || m.perSheet > MaxRowsPerSheet {
		m.perSheet = MaxRowsPerSheet
	}
	if m.sample <= 0 {
		m.sample = DefaultWidthSample
	}
	m.t = monthOrdersTable
	if m.masked {
		m.t = maskedMonthOrdersTable
	}
	m.pg = &pages{header: maskedHeader(w.words, w.pageHeader(opts.Month), m.masked), footer: w.pageFooter,
		plain: map[string]bool{w.summary: true, w.charts: true}}
	if err := m.verify(ctx, journals); err != nil {
		return nil, err
	}
	if err := m.columns(); err != nil {
		return nil, err
	}
	removeStale(path)
	tmpDir, err := privateTempDir(path)
	if err != nil {
		return nil, fmt.Errorf("writing workbook %s: %w", path, err)
	}
	defer os.RemoveAll(tmpDir)
	if err := journal.WriteAtomic(path, true, func(out io.Writer) error { return m.write(ctx, out, tmpDir) }); err != nil {
		return nil, fmt.Errorf("writing workbook %s: %w", path, err)
	}
	return m.summary(path), nil
}

// verify loads every journal (which checks every checksum and the
// chain) and holds it to its anchors. The books of the journals that
// load are kept, in batch order, failed or not: their rows are counted
// as the journal now reads, and marked.
func (m *monthPlan) verify(ctx context.Context, journals []MonthJournal) error {
	js := append([]MonthJournal(nil), journals...)
	sort.SliceStable(js, func(i, j int) bool {
		if js[i].BatchID != js[j].BatchID {
			return js[i].BatchID < js[j].BatchID
		}
		return js[i].Path < js[j].Path
	})
	for _, j := range js {
		why := j.Failed
		book, err := batch.LoadBook(ctx, j.Path)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if errors.Is(err, fs.ErrNotExist) && why == "" {
				err = errors.New("the file is gone")
			}
			m.failed = append(m.failed, MonthFailure{Path: j.Path, BatchID: j.BatchID, Why: join(why, err.Error())})
			continue
		}
		attested := len(j.Anchors) > 0
		for _, a := range j.Anchors {
			if err := bookReaches(ctx, book, a.Anchor); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				why = join(why, fmt.Sprintf("held to %s: %v", a.From, err))
				attested = false
			}
		}
		if why != "" {
			m.failed = append(m.failed, MonthFailure{Path: j.Path, BatchID: book.Header.BatchID, Why: why})
		}
		if !touches(book, m.month) {
			continue // verified; its book is not kept: a workspace holds many months
		}
		if len(m.books) >= 1<<16-1 {
			return fmt.Errorf("more than %d journals", 1<<16-1)
		}
		h := book.Header.Settings
		m.books = append(m.books, book)
		m.batches = append(m.batches, &MonthBatch{BatchID: book.Header.BatchID, Path: book.Path, Input: book.Input.Name,
			User: h["os-user"], Host: h["host"], ConsoleUser: h[SettingConsoleUser], ConfirmedBy: h[SettingConfirmedBy],
			HeadHash: book.HeadHash, Records: book.Records, ByStatus: map[batch.Status]int{}, Months: map[string]int{},
			Attested: attested && why == "", Failed: why})
	}
	return nil
}

// columns decides the extra columns of All orders: every batch's, by
// name; with a mask only the kept ones. And the group column.
func (m *monthPlan) columns() error {
	var all []string
	for _, b := range m.books {
		for _, e := range b.Input.Extra {
			if indexOf(all, e) < 0 {
				all = append(all, e)
			}
		}
	}
	m.extra = all
	if m.masked {
		keep, err := keptColumns(all, m.opts.Mask.KeepCols)
		if err != nil {
			return err
		}
		m.extra = nil
		for _, k := range keep {
			m.extra = append(m.extra, all[k])
		}
	}
	g, err := groupColumn(all, m.opts.GroupBy)
	if err != nil {
		return err
	}
	if g >= 0 {
		m.groupBy = all[g]
		m.groupCol = indexOf(m.extra, all[g])
		if m.groupCol < 0 && m.opts.GroupBy != "" {
			return &GroupByError{Column: m.opts.GroupBy, Extra: all, NotKept: true}
		}
	}
	return nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if sameColumn(n, name) {
			return i
		}
	}
	return -1
}

// touches reports whether any row of the book belongs to month: from
// the book in memory, without reading the journal again.
func touches(book *batch.Book, month string) bool {
	if book.InputAt > 0 && monthOf(book.InputAt) == month {
		return true // its invalid and unsent rows, if any
	}
	found := errors.New("found")
	var c months
	err := book.Orders(func(o *batch.OrderState) error {
		if c.of(orderTime(book, o)) == month {
			return found
		}
		return nil
	})
	return err == found
}

// monthOf is the Beijing month of a unix ms time.
func monthOf(ms int64) string { return time.UnixMilli(ms).In(shanghai).Format("2006-01") }

// months names the Beijing month of unix ms times, remembering the last
// month's bounds: consecutive orders mostly share a month.
type months struct {
	start, end int64
	name       string
}

func (c *months) of(ms int64) string {
	if c.name == "" || ms < c.start || ms >= c.end {
		t := time.UnixMilli(ms).In(shanghai)
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, shanghai)
		c.start, c.end, c.name = first.UnixMilli(), first.AddDate(0, 1, 0).UnixMilli(), first.Format("2006-01")
	}
	return c.name
}

// orderTime is the time that decides a row's month: its charge time,
// else its first submit, else the time its batch read the input.
func orderTime(book *batch.Book, o *batch.OrderState) int64 {
	switch {
	case o == nil:
		return book.InputAt
	case o.ChargedAt > 0:
		return o.ChargedAt
	case o.SubmittedAt > 0:
		return o.SubmittedAt
	}
	return book.InputAt
}

// each streams every row of the month, batch by batch: the latest
// input's rows, then the orders absent from it. fn must not keep l.
func (m *monthPlan) each(ctx context.Context, fn func(bi int, l *monthLine) error) error {
	lines := newLineMaker(m.w.words)
	var charged secondText
	var mc months
	for bi, book := range m.books {
		b := m.batches[bi]
		remap := make([]int, len(book.Input.Extra))
		for i, e := range book.Input.Extra {
			remap[i] = indexOf(m.extra, e)
		}
		keep := make([]int, len(m.extra))
		for i := range keep {
			keep[i] = i
		}
		emit := func(l line, o *batch.OrderState) error {
			mon := mc.of(orderTime(book, o))
			if l.row > 0 {
				b.Months[mon]++
			}
			if mon != m.month {
				return nil
			}
			ml := monthLine{line: l, batch: b.BatchID}
			if o != nil && o.ChargedAt > 0 {
				ml.chargedAt, ml.chargedText = o.ChargedAt, charged.format(o.ChargedAt)
			}
			if l.status == batch.StatusFailed && o != nil && o.FinalAt > 0 {
				if fm := monthOf(o.FinalAt); fm > m.month {
					ml.late = m.w.late(fm)
				}
			}
			ex := make([]string, len(m.extra))
			for i, v := range l.extra {
				if i < len(remap) && remap[i] >= 0 {
					ex[remap[i]] = v
				}
			}
			ml.extra, ml.exc = ex, nil
			if m.masked {
				maskLine(&ml.line, keep)
			}
			m.count(bi, &ml, o)
			return fn(bi, &ml)
		}
		n := 0
		err := book.Rows(ctx, func(r *journal.RowRecord) error {
			if n++; n&4095 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			var o *batch.OrderState
			if r.OrderID != "" {
				o, _ = book.Order(r.OrderID)
			}
			return emit(lines.fromRow(r, o), o)
		})
		if err != nil {
			return fmt.Errorf("reading the input rows from journal %s: %w", book.Path, err)
		}
		err = book.Orders(func(o *batch.OrderState) error {
			if o.InInput {
				return nil
			}
			return emit(lines.fromOrphan(o), o)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// count adds one row of the month to the totals.
func (m *monthPlan) count(bi int, l *monthLine, o *batch.OrderState) {
	b := m.batches[bi]
	if o != nil && o.ChargedAt > 0 && l.status != batch.StatusFailed {
		if p, err := strconv.ParseUint(o.Phone, 10, 64); err == nil {
			pi, ok := m.pidIdx[o.Pid]
			if !ok {
				pi = uint32(len(m.pids))
				m.pids = append(m.pids, o.Pid)
				m.pidIdx[o.Pid] = pi
			}
			c, _ := o.Cost()
			m.charges = append(m.charges, charge{phone: p, pid: pi, batch: uint16(bi),
				success: l.status == batch.StatusSuccess, chargedAt: o.ChargedAt, cost: c})
		}
	}
	if l.late != "" {
		m.late++
	}
	if l.row == 0 {
		m.orphans++
		b.Orphans++
		return
	}
	m.rows++
	b.Rows++
	m.byStatus[l.status]++
	b.ByStatus[l.status]++
	if c, ok := l.charged(); ok {
		if l.status == batch.StatusSuccess {
			m.spend += c
			b.Spend += c
		}
	}
	if c, ok := l.refundedCost(); ok {
		m.refunded += c
		b.Refunded += c
	}
	if l.status == batch.StatusCharging && l.hasCost {
		m.charging += l.cost
		b.Charging += l.cost
	}
	if l.status == batch.StatusInvalid {
		return
	}
	m.breakdown.add(&l.line, m.groupCol)
}

func (m *monthPlan) open() int { return countIn(m.byStatus, openStatuses) }

func (m *monthPlan) controlTotal() int { return countIn(m.byStatus, batch.Statuses) }

// listed is the batches with rows in the month, and their indexes.
func (m *monthPlan) listed() []int {
	var idx []int
	for i, b := range m.batches {
		if b.Rows > 0 || b.Orphans > 0 {
			idx = append(idx, i)
		}
	}
	return idx
}

// findRepeats lists every (phone, pid) and every phone charged in more
// than one batch of the month, and counts the people: the phones with a
// success.
func (m *monthPlan) findRepeats() {
	cs := m.charges
	sort.Slice(cs, func(i, j int) bool {
		a, b := &cs[i], &cs[j]
		if a.phone != b.phone {
			return a.phone < b.phone
		}
		if a.pid != b.pid {
			return m.pids[a.pid] < m.pids[b.pid]
		}
		if a.chargedAt != b.chargedAt {
			return a.chargedAt < b.chargedAt
		}
		return a.batch < b.batch
	})
	regifts := m.regifts()
	for i := 0; i < len(cs); {
		j := i
		success := false
		for j < len(cs) && cs[j].phone == cs[i].phone {
			success = success || cs[j].success
			j++
		}
		if success {
			m.people++
		}
		group := cs[i:j]
		for k := 0; k < len(group); {
			l := k
			for l < len(group) && group[l].pid == group[k].pid {
				l++
			}
			if r, ok := m.repeatOf(group[k:l], true, regifts); ok {
				m.repeats = append(m.repeats, r)
			}
			k = l
		}
		if r, ok := m.repeatOf(group, false, regifts); ok {
			m.repeats = append(m.repeats, r)
		}
		i = j
	}
	m.charges, m.pidIdx = nil, nil
}

// repeatOf is the repeat of the charges cs of one phone (and one pid,
// with pair), when they are in more than one batch. It is intended when
// every batch but the first charged the phone under -allow-regift.
func (m *monthPlan) repeatOf(cs []charge, pair bool, regifts []workspace.Regifts) (repeat, bool) {
	first := cs[0]
	for _, c := range cs {
		if c.chargedAt < first.chargedAt {
			first = c
		}
	}
	batches := map[uint16]bool{}
	for _, c := range cs {
		batches[c.batch] = true
	}
	if len(batches) < 2 {
		return repeat{}, false
	}
	phone := strconv.FormatUint(first.phone, 10)
	r := repeat{pair: pair, phone: phone, count: len(cs), intended: true}
	if pair {
		r.pid = m.pids[first.pid]
	}
	var parts []string
	for _, c := range cs {
		r.amount += c.cost
		parts = append(parts, m.batches[c.batch].BatchID+" "+c.cost.String())
		if c.batch != first.batch && !regifts[c.batch].Has(phone) {
			r.intended = false
		}
	}
	r.batches = strings.Join(parts, "; ")
	if m.masked {
		r.phone = maskPhone(r.phone)
	}
	return r, true
}

// regifts reads what each batch's header (and its side notes, from
// resumes) records of -allow-regift.
func (m *monthPlan) regifts() []workspace.Regifts {
	out := make([]workspace.Regifts, len(m.books))
	for i, b := range m.books {
		out[i].Add(b.Header.Settings[workspace.SettingRegifted])
		for _, list := range workspace.SideRegifts(workspace.RegiftPath(b.Path)) {
			out[i].Add(list)
		}
	}
	return out
}

func (m *monthPlan) summary(path string) *MonthSummary {
	s := &MonthSummary{Path: path, Month: m.month, Failed: m.failed, People: m.people, Rows: m.rows,
		ByStatus: map[batch.Status]int{}, Spend: m.spend, Refunded: m.refunded, Charging: m.charging,
		Open: m.open(), Late: m.late, Orphans: m.orphans, Repeats: len(m.repeats)}
	for _, st := range batch.Statuses {
		s.ByStatus[st] = m.byStatus[st]
	}
	for _, i := range m.listed() {
		s.Batches = append(s.Batches, *m.batches[i])
	}
	for _, r := range m.repeats {
		if !r.intended {
			s.Unmeant++
		}
	}
	for _, sh := range m.sheets {
		s.AllOrders = append(s.AllOrders, sh.name)
	}
	s.Provider = m.match
	return s
}
