package reconcile

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"
)

// How a sheet prints. Every sheet is A4 landscape with the batch id in
// the header and "page N of M" in the footer; a table's header row is
// repeated on every page.
type fitting int

const (
	onePage     fitting = iota // the Summary, the Charts
	onePageWide                // the Exceptions: as many pages down as it takes
	// inBlocks prints at ordersScale, in blocks of columns across and
	// down, the row, phone and state columns repeated on every page.
	inBlocks
)

// Paper, in inches and Excel's character units. A column of width w is
// about 7w+5 pixels at 96 per inch.
const (
	a4Paper                 = 9
	landscapeWidth          = 11.69
	sideMargin, edgeMargin  = 0.4, 0.5
	headerMargin            = 0.25
	ordersScale             = 75 // percent: an 11 pt font prints at 8.25 pt
	ordersRepeatedColumns   = 3  // row, phone, state (ordersTable)
	pixelsPerInch, pxPerCol = 96.0, 7.0
)

// ordersPaper says how an Orders sheet of these widths prints: one page
// wide when that keeps the font at 8 pt or more, else in blocks.
func ordersPaper(widths []float64) fitting {
	px := 0.0
	for _, w := range widths {
		px += pxPerCol*w + 5
	}
	printable := (landscapeWidth - 2*sideMargin) * pixelsPerInch
	if printable/px*11 >= 8 {
		return onePageWide
	}
	return inBlocks
}

// pages is how a workbook's sheets print: its page header, its footer,
// and which sheets are not tables (no header row to repeat). The batch
// workbook and the month's share it.
type pages struct {
	header, footer string
	plain          map[string]bool // the Summary, the Charts
}

// pages is the batch workbook's page setup: a masked copy says so in
// the header of every page.
func (p *plan) pages() *pages {
	if p.pg != nil {
		return p.pg
	}
	return &pages{header: maskedHeader(p.w, p.w.pageHeader(p.book.Header.BatchID), p.masked), footer: p.w.pageFooter,
		plain: map[string]bool{p.w.summary: true, p.w.charts: true}}
}

// paper sets the page setup of sheet.
func (p *plan) paper(f *excelize.File, sheet string, how fitting) error {
	return p.pages().set(f, sheet, how)
}

// set sets the page setup of sheet; it must run before the sheet's
// stream starts, which writes the sheet properties (fit to page) first.
func (pg *pages) set(f *excelize.File, sheet string, how fitting) error {
	size, landscape := a4Paper, "landscape"
	layout := &excelize.PageLayoutOptions{Size: &size, Orientation: &landscape}
	fitToPage := how != inBlocks
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fitToPage}); err != nil {
		return err
	}
	one, tall := 1, 0
	switch how {
	case onePage:
		layout.FitToWidth, layout.FitToHeight = &one, &one
	case onePageWide:
		layout.FitToWidth, layout.FitToHeight = &one, &tall
	case inBlocks:
		scale := uint(ordersScale)
		order := "overThenDown"
		layout.AdjustTo, layout.PageOrder = &scale, &order
	}
	if err := f.SetPageLayout(sheet, layout); err != nil {
		return err
	}
	side, edge, hf := sideMargin, edgeMargin, headerMargin
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{
		Left: &side, Right: &side, Top: &edge, Bottom: &edge, Header: &hf, Footer: &hf}); err != nil {
		return err
	}
	if err := f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{
		OddHeader: pg.header, OddFooter: pg.footer}); err != nil {
		return err
	}
	if pg.plain[sheet] {
		return nil
	}
	// A table's header row on every page; on Orders also its first
	// columns, for the blocks of columns.
	titles := fmt.Sprintf("%s!$1:$1", sheetRef(sheet))
	if how == inBlocks {
		last, _ := excelize.ColumnNumberToName(ordersRepeatedColumns)
		titles = fmt.Sprintf("%s!$A:$%s,%s", sheetRef(sheet), last, titles)
	}
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: titles, Scope: sheet})
}

// maskedHeader is a printed header h; a masked copy says so on every page.
func maskedHeader(w *words, h string, masked bool) string {
	if masked {
		h = strings.Replace(h, "&C", " · "+w.maskedTag+"&C", 1)
	}
	return h
}
