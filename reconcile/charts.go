package reconcile

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// writeCharts draws the Charts sheet: a pie of the orders by state, and
// bars of spend by product, by carrier and, when grouped, by group. Every
// series names the Summary's cells, so the charts follow its formulas.
func (p *plan) writeCharts(f *excelize.File, s *summarySheet) error {
	w := p.w
	sum := sheetRef(w.summary)
	rng := func(col string, b block) string {
		return fmt.Sprintf("%s!$%s$%d:$%s$%d", sum, col, b.first, col, b.last)
	}
	type chart struct {
		title  string
		kind   excelize.ChartType
		b      block
		values string // the column of the values on the Summary
	}
	charts := []chart{
		{w.chartStates, excelize.Pie, s.states, "B"},
		{w.chartProducts, excelize.Col, s.products, "E"},
		{w.chartCarriers, excelize.Col, s.carriers, "D"},
	}
	if s.groupName != "" {
		charts = append(charts, chart{w.chartGroup(s.groupName), excelize.Bar, s.groups, "D"})
	}
	// Two by two on one landscape page.
	at := []string{"A1", "J1", "A22", "J22"}
	n := 0
	for _, c := range charts {
		if c.b.empty() {
			continue
		}
		ch := &excelize.Chart{
			Type:      c.kind,
			Series:    []excelize.ChartSeries{{Name: fmt.Sprintf("%s!$A$%d", sum, c.b.title), Categories: rng("A", c.b), Values: rng(c.values, c.b)}},
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
		if err := f.AddChart(w.charts, at[n], ch); err != nil {
			return fmt.Errorf("chart %s: %w", c.title, err)
		}
		n++
	}
	if err := p.paper(f, w.charts, onePage); err != nil {
		return err
	}
	// A sheet of drawings only has no used range to print by.
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: sheetRef(w.charts) + "!$A$1:$S$42", Scope: w.charts})
}
