package reconcile

import (
	"context"
	"encoding/csv"
	"io"

	"github.com/gocarina/gocsv"
)

// csvRow is the fixed part of one CSV line. The header words depend on
// the language and the input's extra columns are dynamic, so the header
// line is written here and gocsv marshals the body without headers; the
// csv tags only fix the field order. No gocsv package setting is changed.
type csvRow struct {
	Row       string `csv:"row"`
	Phone     string `csv:"phone"`
	Pid       string `csv:"pid"`
	CardName  string `csv:"cardname"`
	OrderID   string `csv:"orderid"`
	SporderID string `csv:"sporder_id"`
	Cost      string `csv:"cost"`
	State     string `csv:"state"`
	Submitted string `csv:"submitted_at"`
	Final     string `csv:"final_at"`
	Source    string `csv:"source"`
	Code      string `csv:"error_code"`
	Reason    string `csv:"reason"`
}

// extraWriter is the gocsv.CSVWriter that appends the current line's
// extra columns to the fixed fields gocsv hands it. Flush is left to the
// end of the file, not done per line.
type extraWriter struct {
	w     *csv.Writer
	extra []string
	buf   []string
}

func (x *extraWriter) Write(fields []string) error {
	x.buf = append(append(x.buf[:0], fields...), x.extra...)
	return x.w.Write(x.buf)
}
func (x *extraWriter) Flush()       {}
func (x *extraWriter) Error() error { return x.w.Error() }

// writeCSV writes the Orders table as UTF-8 with a BOM, so Excel reads
// the Chinese text right.
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
	x := &extraWriter{w: cw}
	var text []string
	one := make([]csvRow, 1)
	err := p.each(ctx, func(l *line) error {
		text = l.ordersText(p.w, text)
		one[0] = csvRow{text[0], text[1], text[2], text[3], text[4], text[5], text[6],
			text[7], text[8], text[9], text[10], text[11], text[12]}
		x.extra = text[13:]
		for len(x.extra) < len(p.extraNames) { // as many fields as the header
			x.extra = append(x.extra, "")
		}
		return gocsv.MarshalCSVWithoutHeaders(one, x)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}
