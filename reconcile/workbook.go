package reconcile

import (
	"archive/zip"
	"compress/flate"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

type styles struct {
	header, text, cost, integer, datetime, wrap int
	// The Summary's own.
	title, headline, tileLabel, tileCount, tileMoney, tileWord, block, label, hash, auditNumber, signLine, masked int
}

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	costFmt, moneyFmt, timeFmt := "0.000", "#,##0.000", "yyyy-mm-dd hh:mm:ss"
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "center"}
	line := []excelize.Border{{Type: "bottom", Color: "000000", Style: 1}}
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, &excelize.Style{Font: &excelize.Font{Bold: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}},
		{&s.text, &excelize.Style{NumFmt: 49}}, // "@": stays text if edited
		{&s.cost, &excelize.Style{CustomNumFmt: &costFmt}},
		{&s.integer, &excelize.Style{NumFmt: 1}}, // "0"
		{&s.datetime, &excelize.Style{CustomNumFmt: &timeFmt}},
		// Bottom-aligned like the cells beside it, so a row reads level.
		{&s.wrap, &excelize.Style{Alignment: &excelize.Alignment{WrapText: true}}},
		{&s.title, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 16}}},
		{&s.headline, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Vertical: "center"}}},
		{&s.tileLabel, &excelize.Style{Font: &excelize.Font{Color: "595959"}, Alignment: center,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"F2F2F2"}}}},
		{&s.tileCount, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 18}, NumFmt: 3, Alignment: center}}, // #,##0
		{&s.tileMoney, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 18}, CustomNumFmt: &moneyFmt, Alignment: center}},
		{&s.tileWord, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 18}, Alignment: center}},
		{&s.block, &excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}},
		{&s.label, &excelize.Style{Alignment: top}},
		{&s.hash, &excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}}},
		{&s.auditNumber, &excelize.Style{NumFmt: 1, Alignment: &excelize.Alignment{Horizontal: "left"}}},
		{&s.signLine, &excelize.Style{Border: line}},
		{&s.masked, &excelize.Style{Font: &excelize.Font{Bold: true, Color: "9C0006"},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}},
			Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}}},
	} {
		if *st.id, err = f.NewStyle(st.style); err != nil {
			return s, fmt.Errorf("creating a cell style: %w", err)
		}
	}
	return s, nil
}

// newWorkbook opens a workbook streamed straight to out (see directZip),
// with its cell styles; a masked one is marked so.
func newWorkbook(out io.Writer, tmpDir string, masked bool) (*excelize.File, *directZip, styles, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: tmpDir})
	zw := &directZip{out: out}
	f.SetZipWriter(zw.open)
	st, err := newStyles(f)
	if err == nil && masked {
		// Marks the file for IsMaskedCopy, and for anyone's file viewer.
		err = f.SetDocProps(&excelize.DocProperties{ContentStatus: maskedContentStatus})
	}
	if err != nil {
		f.Close()
		return nil, nil, st, err
	}
	return f, zw, st, nil
}

func (p *plan) writeWorkbook(ctx context.Context, out io.Writer) error {
	f, zw, st, err := newWorkbook(out, p.tmpDir, p.masked)
	if err != nil {
		return err
	}
	defer f.Close()
	// Create the sheets first, in order: rows arrive interleaved, and the
	// Summary, which needs the totals, is written last. Further
	// Exceptions sheets are appended as they fill, after all of these.
	if err := f.SetSheetName("Sheet1", p.w.summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(p.w.charts); err != nil {
		return err
	}
	var ordersNames []string
	for _, s := range p.ordersSheets {
		if _, err := f.NewSheet(s.name); err != nil {
			return err
		}
		ordersNames = append(ordersNames, s.name)
	}
	if _, err := f.NewSheet(p.w.exceptions); err != nil {
		return err
	}
	if p.prov != nil {
		if _, err := f.NewSheet(p.prov.pw.sheet); err != nil {
			return err
		}
	}
	summary, err := p.startSummary(f)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", p.w.summary, err)
	}
	orders := &series{f: f, base: p.w.orders, names: ordersNames, fixed: true, perSheet: p.perSheet, st: st,
		paper: func(name string, widths []float64) error { return p.paper(f, name, ordersPaper(widths)) }}
	excs := &series{f: f, base: p.w.exceptions, names: []string{p.w.exceptions}, perSheet: p.perSheet, st: st,
		paper: func(name string, _ []float64) error { return p.paper(f, name, onePageWide) }}

	// The first rows of each table are held back until their widths are
	// measured; then the sheet starts and rows stream straight through.
	var held []line
	var heldExc []excRow
	ordersOpen, excOpen := false, false
	cells := newRowCells(p.w, p.actions, st)
	cells.ordersT, cells.excT = p.ordersT, p.excT
	startOrders := func(all bool) error {
		orders.widths = p.measureOrders(held, all)
		orders.header = p.ordersHeader()
		ordersOpen = true
		for i := range held {
			if err := orders.add(cells.orders(&held[i], len(orders.header))); err != nil {
				return err
			}
		}
		held = nil
		return nil
	}
	startExceptions := func(all bool) error {
		if !ordersOpen { // the shared columns' estimates come from Orders
			if err := startOrders(false); err != nil {
				return err
			}
		}
		excs.header = p.exceptionsHeader()
		excs.widths, excOpen = p.measureExceptions(heldExc, all, orders.widths), true
		for i := range heldExc {
			if err := excs.add(cells.exception(&heldExc[i]), p.excHeight(&heldExc[i], excs.widths)...); err != nil {
				return err
			}
		}
		heldExc = nil
		return nil
	}

	// One excRow, reused: its address goes through the table's cell
	// functions, so one per exception would be a heap allocation each.
	var x excRow
	err = p.each(ctx, func(l *line) error {
		p.count(l)
		for _, e := range l.exc {
			x = l.excRow(e)
			if !excOpen {
				if heldExc = append(heldExc, x); len(heldExc) >= p.sample {
					if err := startExceptions(false); err != nil {
						return err
					}
				}
				continue
			}
			if err := excs.add(cells.exception(&x), p.excHeight(&x, excs.widths)...); err != nil {
				return err
			}
		}
		if !ordersOpen {
			if held = append(held, *l); len(held) >= p.sample {
				return startOrders(false)
			}
			return nil
		}
		return orders.add(cells.orders(l, len(orders.header)))
	})
	if err != nil {
		return err
	}
	if p.inputRows != p.plannedRows || p.orphans != p.plannedOrphans {
		return fmt.Errorf("the journal's rows (%d, %d not in the input) differ from its book (%d, %d)",
			p.inputRows, p.orphans, p.plannedRows, p.plannedOrphans)
	}
	if !ordersOpen {
		if err := startOrders(true); err != nil {
			return err
		}
	}
	if !excOpen {
		if err := startExceptions(true); err != nil {
			return err
		}
	}
	if err := orders.close(); err != nil {
		return err
	}
	if err := excs.close(); err != nil {
		return err
	}
	p.excSheets = excs.names
	if p.prov != nil {
		if err := p.writeProvider(f, st); err != nil {
			return fmt.Errorf("sheet %s: %w", p.prov.pw.sheet, err)
		}
	}
	if p.attesting {
		// The attestation holds the totals, not the workbook, so it is
		// made now and the Summary can show its sha256.
		if p.attestData, err = p.attestation(); err != nil {
			return fmt.Errorf("attestation: %w", err)
		}
		sum := sha256.Sum256(p.attestData)
		p.attestSum = hex.EncodeToString(sum[:])
	}
	sum := p.buildSummary(st)
	if err := p.writeSummary(summary, sum); err != nil {
		return fmt.Errorf("sheet %s: %w", p.w.summary, err)
	}
	// The charts sheet is in normal mode: a stream-written sheet cannot
	// carry a drawing. Its charts name the Summary's cells, which the
	// stream above wrote.
	if err := p.writeCharts(f, sum); err != nil {
		return fmt.Errorf("sheet %s: %w", p.w.charts, err)
	}
	// The Summary is the first sheet and already the active one. Not
	// f.SetActiveSheet: it parses every stream-written sheet still in
	// memory (a big Exceptions sheet) back into cells, for nothing.
	if _, err := f.WriteTo(out); err != nil {
		return err
	}
	return zw.err
}

// directZip makes excelize write the archive straight to out instead of
// into the in-memory buffer WriteTo hands it: excelize v2.11 assembles the
// whole compressed file in a bytes.Buffer before writing a byte
// (qax-os/excelize#2276, #2357), which on a 1M-row workbook costs about as
// much memory as the file, doubled while the buffer grows. It also
// deflates at BestSpeed: the sheets are repetitive XML, and the default
// level spent most of the save time for a file only somewhat smaller.
//
// The price: excelize patches the local headers of zip64 entries (a part
// over 4 GiB uncompressed) in that buffer for Excel's sake, and cannot
// here. A part that large fails the write instead of giving a file Excel
// may refuse. An Orders sheet of 1M rows is ~0.8 GiB of XML, so only rows
// several times wider (long extra columns) would get there.
type directZip struct {
	out io.Writer
	zw  *zip.Writer
	err error
}

func (d *directZip) open(io.Writer) excelize.ZipWriter {
	d.zw = zip.NewWriter(d.out)
	d.zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	return d
}

func (d *directZip) Create(name string) (io.Writer, error) {
	w, err := d.zw.Create(name)
	if err != nil {
		return nil, err
	}
	return &partWriter{d: d, name: name, w: w}, nil
}

func (d *directZip) AddFS(fsys fs.FS) error { return d.zw.AddFS(fsys) }

func (d *directZip) Close() error { return d.zw.Close() }

// partWriter refuses a part past what a plain (non-zip64) local header
// can describe.
type partWriter struct {
	d    *directZip
	name string
	w    io.Writer
	n    int64
}

var errPartTooBig = errors.New("over 4 GiB uncompressed, which needs zip64 local headers this writer does not patch")

func (p *partWriter) Write(b []byte) (int, error) {
	if p.n += int64(len(b)); p.n > math.MaxUint32 {
		if p.d.err == nil {
			p.d.err = fmt.Errorf("workbook part %s: %w", p.name, errPartTooBig)
		}
		return 0, p.d.err
	}
	return p.w.Write(b)
}

// rowCells builds the cells of one row in buffers reused for every row:
// SetRow takes *excelize.Cell, so a styled cell costs no allocation of its
// own, and the fixed words (states, sources, kinds, actions) are boxed
// once.
type rowCells struct {
	ordersT  table[line]
	excT     table[excRow]
	st       styles
	any      []any
	cells    []excelize.Cell
	states   map[batch.Status]any
	sources  map[string]any
	kinds    map[kind]any
	actions  map[kind]any
	carriers map[juhe.Carrier]any
}

func newRowCells(w *words, actions map[kind]string, st styles) *rowCells {
	c := &rowCells{ordersT: ordersTable, excT: exceptionsTable, st: st, states: map[batch.Status]any{}, sources: map[string]any{}, kinds: map[kind]any{}, actions: map[kind]any{},
		carriers: map[juhe.Carrier]any{}}
	for k, v := range w.carriers {
		c.carriers[k] = v
	}
	for k, v := range w.states {
		c.states[k] = v
	}
	for _, v := range w.sources {
		c.sources[v] = v
	}
	for k, v := range w.kinds {
		c.kinds[k] = v
	}
	for k, v := range actions {
		c.actions[k] = v
	}
	return c
}

// styled sets the i-th reused cell and returns it as a cell value.
func (c *rowCells) styled(i, style int, v any) any {
	c.cells[i] = excelize.Cell{StyleID: style, Value: v}
	return &c.cells[i]
}

func (c *rowCells) text(i int, s string) any {
	if s == "" {
		return nil
	}
	return c.styled(i, c.st.text, s)
}

func strCell(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func wordCell(m map[string]any, s string) any {
	if v, ok := m[s]; ok {
		return v
	}
	return strCell(s)
}

func (c *rowCells) reset(n int) {
	c.any = c.any[:0]
	if len(c.cells) < n {
		c.cells = make([]excelize.Cell, n)
	}
}

// orders is the Orders row of l, at least cols cells wide.
func (c *rowCells) orders(l *line, cols int) []any {
	c.reset(max(cols, len(c.ordersT)))
	c.ordersT.cells(c, l)
	for _, x := range l.extra {
		c.any = append(c.any, strCell(x))
	}
	for len(c.any) < cols { // keep every row as wide as the header
		c.any = append(c.any, nil)
	}
	return c.any
}

func (c *rowCells) exception(x *excRow) []any {
	c.reset(len(c.excT))
	c.excT.cells(c, x)
	for _, v := range x.extra {
		c.any = append(c.any, strCell(v))
	}
	return c.any
}

func textCell(st styles, s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{StyleID: st.text, Value: s}
}

// series writes a table that continues on "Name (2)", "Name (3)"… past
// perSheet data rows. Each sheet gets the header, a frozen first row,
// an autofilter and the column widths.
type series struct {
	f        *excelize.File
	base     string   // the first sheet's name
	names    []string // the sheets so far (or all of them, if fixed)
	fixed    bool     // no sheets beyond names
	perSheet int
	header   []string
	widths   []float64
	st       styles
	// paper sets a sheet's page setup; it runs before the sheet's stream
	// starts, which writes the sheet properties first.
	paper func(name string, widths []float64) error

	next int // index of the next sheet to open
	sw   *excelize.StreamWriter
	rows int // data rows on the open sheet
}

func (s *series) add(cells []any, opts ...excelize.RowOpts) error {
	if s.sw == nil || s.rows == s.perSheet {
		if err := s.finish(); err != nil {
			return err
		}
		if err := s.open(); err != nil {
			return err
		}
	}
	s.rows++
	cell, err := excelize.CoordinatesToCellName(1, s.rows+1)
	if err != nil {
		return err
	}
	if err := s.sw.SetRow(cell, cells, opts...); err != nil {
		return fmt.Errorf("sheet %s row %d: %w", s.sw.Sheet, s.rows+1, err)
	}
	return nil
}

func (s *series) open() error {
	if s.next >= len(s.names) {
		if s.fixed {
			return fmt.Errorf("more rows than planned for %s", s.base)
		}
		name := seriesName(s.base, s.next)
		if _, err := s.f.NewSheet(name); err != nil {
			return err
		}
		s.names = append(s.names, name)
	}
	name := s.names[s.next]
	s.next++
	if err := s.paper(name, s.widths); err != nil {
		return fmt.Errorf("sheet %s: page setup: %w", name, err)
	}
	sw, err := s.f.NewStreamWriter(name)
	if err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	if err := startSheet(sw, s.widths); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	if err := sw.SetRow("A1", headerCells(s.st, s.header)); err != nil {
		return fmt.Errorf("sheet %s: %w", name, err)
	}
	s.sw, s.rows = sw, 0
	return nil
}

func (s *series) finish() error {
	if s.sw == nil {
		return nil
	}
	if err := endSheet(s.f, s.sw, len(s.header), s.rows+1); err != nil {
		return fmt.Errorf("sheet %s: %w", s.sw.Sheet, err)
	}
	s.sw = nil
	return nil
}

// close finishes the open sheet and gives any sheet that got no rows
// (the only one of an empty table, or a planned one) its header.
func (s *series) close() error {
	if err := s.finish(); err != nil {
		return err
	}
	for s.next < len(s.names) {
		if err := s.open(); err != nil {
			return err
		}
		if err := s.finish(); err != nil {
			return err
		}
	}
	return nil
}

// startSheet sets what the stream writer needs before the first row.
func startSheet(sw *excelize.StreamWriter, widths []float64) error {
	for i, wd := range widths {
		if err := sw.SetColWidth(i+1, i+1, wd); err != nil {
			return err
		}
	}
	return sw.SetPanes(&excelize.Panes{
		Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}},
	})
}

// endSheet puts an autofilter over the table (header and lastRow) and
// flushes the sheet.
func endSheet(f *excelize.File, sw *excelize.StreamWriter, cols, lastRow int) error {
	ref, err := excelize.CoordinatesToCellName(cols, lastRow)
	if err != nil {
		return err
	}
	if err := f.AutoFilter(sw.Sheet, "A1:"+ref, nil); err != nil {
		return fmt.Errorf("autofilter: %w", err)
	}
	return sw.Flush()
}

func headerCells(st styles, names []string) []any {
	cells := make([]any, len(names))
	for i, n := range names {
		cells[i] = excelize.Cell{StyleID: st.header, Value: n}
	}
	return cells
}

// excHeight is the height of an Exceptions row whose reason or action
// wraps onto more lines than one: a stream-written row gets no automatic
// height, and the lines would print over each other.
func (p *plan) excHeight(x *excRow, widths []float64) []excelize.RowOpts {
	at := &exceptionsAt
	lines := max(wrappedLines(x.reason, widths[at[colReason]]), wrappedLines(p.actions[x.kind], widths[at[colAction]]))
	if lines <= 1 {
		return nil
	}
	return []excelize.RowOpts{{Height: 15 * float64(lines)}}
}

// exceptionCount counts the filled "exception" column on every Exceptions sheet.
func (p *plan) exceptionCount() string {
	if p.exceptions == 0 {
		return "0"
	}
	var terms []string
	left := p.exceptions
	for _, name := range p.excSheets {
		n := min(left, p.perSheet)
		left -= n
		if n == 0 {
			continue
		}
		terms = append(terms, fmt.Sprintf("COUNTA(%s)", rangeRef(name, exceptionsLetter[colException], 2, n+1)))
	}
	return strings.Join(terms, "+")
}
