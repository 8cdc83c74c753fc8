package reconcile

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// chartSpec is one chart of a Charts sheet: a series over the rows of a
// block of a sheet, the categories in column A and the values in column
// values.
type chartSpec struct {
	title  string
	kind   excelize.ChartType
	sheet  string // where the block is
	b      block
	values string
}

// writeCharts draws the Charts sheet: a pie of the orders by state, and
// bars of spend by product, by carrier and, when grouped, by group. Every
// series names the Summary's cells, so the charts follow its formulas.
func (p *plan) writeCharts(f *excelize.File, s *summarySheet) error {
	w := p.w
	charts := []chartSpec{
		{w.chartStates, excelize.Pie, w.summary, s.states, "B"},
		{w.chartProducts, excelize.Col, w.summary, s.products, "E"},
		{w.chartCarriers, excelize.Col, w.summary, s.carriers, "D"},
	}
	if s.groupName != "" {
		charts = append(charts, chartSpec{w.chartGroup(s.groupName), excelize.Bar, w.summary, s.groups, "D"})
	}
	return drawCharts(f, w.charts, charts, p.pages())
}

// drawCharts draws up to four charts on the sheet named sheet, two by
// two on one landscape page, and sets its page setup. A chart whose
// block is empty is left out.
func drawCharts(f *excelize.File, sheet string, charts []chartSpec, pg *pages) error {
	at := []string{"A1", "J1", "A22", "J22"}
	n := 0
	for _, c := range charts {
		if c.b.empty() || n == len(at) {
			continue
		}
		src := sheetRef(c.sheet)
		rng := func(col string) string {
			return fmt.Sprintf("%s!$%s$%d:$%s$%d", src, col, c.b.first, col, c.b.last)
		}
		ch := &excelize.Chart{
			Type:      c.kind,
			Series:    []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$A$%d", src, c.b.title), Categories: rng("A"), Values: rng(c.values)}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.title}}},
			Dimension: excelize.ChartDimension{Width: 560, Height: 380},
			Format:    excelize.GraphicOptions{OffsetX: 4, OffsetY: 4},
			Legend:    excelize.ChartLegend{Position: "none"},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true},
		}
		if c.kind == excelize.Pie {
			ch.Legend.Position = "right"
			ch.PlotArea = excelize.ChartPlotArea{ShowPercent: true, ShowLeaderLines: true}
		} else {
			ch.PlotArea.NumFmt = excelize.ChartNumFmt{CustomNumFmt: "#,##0.000"}
		}
		if err := f.AddChart(sheet, at[n], ch); err != nil {
			return fmt.Errorf("chart %s: %w", c.title, err)
		}
		n++
	}
	if err := pg.set(f, sheet, onePage); err != nil {
		return err
	}
	// A sheet of drawings only has no used range to print by.
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: sheetRef(sheet) + "!$A$1:$S$42", Scope: sheet})
}
