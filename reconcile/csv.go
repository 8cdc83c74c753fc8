package reconcile

import (
	"context"
	"encoding/csv"
	"io"
)

// writeCSV writes the Orders table as UTF-8 with a BOM, so Excel reads
// the Chinese text right: the header, then each line's text, at least as
// many fields as the header.
//
// The fields come from ordersTable, as the sheet's do; a struct with csv
// tags for gocsv would declare the layout a second time, and could hold
// neither the language's header words nor the input's extra columns.
func (p *plan) writeCSV(ctx context.Context, out io.Writer) error {
	if _, err := io.WriteString(out, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(out)
	cw.UseCRLF = true
	header := p.ordersHeader()
	if err := cw.Write(header); err != nil {
		return err
	}
	var text []string
	err := p.each(ctx, func(l *line) error {
		text = p.ordersText(l, text)
		for len(text) < len(header) {
			text = append(text, "")
		}
		return cw.Write(text)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
