package reconcile

import (
	"bufio"
	"context"
	"io"
	"strings"
)

// writeCSV writes the Orders table as UTF-8 with a BOM, so Excel reads
// the Chinese text right: the header, then each line's text, at least as
// many fields as the header.
//
// The values are exactly the workbook's text, with nothing added: a
// script reads the CSV as it is. The text columns (phone, pid, orderid,
// sporder_id and the input's own columns) are always quoted, so that a
// spreadsheet told to take quoted fields as text (LibreOffice's "Format
// quoted field as text", Excel's Data → From Text/CSV with those columns
// as Text) keeps them text: an 11-digit phone opened as a number shows
// as 1.38E+10. A `="…"` or a leading tab would force that on a double
// click, but changes the value every other reader sees (README: The
// workbook).
//
// The fields come from ordersTable, as the sheet's do; a struct with csv
// tags for gocsv would declare the layout a second time, and could hold
// neither the language's header words nor the input's extra columns.
func (p *plan) writeCSV(ctx context.Context, out io.Writer) error {
	bw := bufio.NewWriterSize(out, 64<<10)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return err
	}
	header := p.ordersHeader()
	quoted := make([]bool, len(header))
	for i := range quoted {
		quoted[i] = i >= len(ordersTable) || csvTextColumn(ordersTable[i].col)
	}
	writeCSVRecord(bw, header, nil)
	var text []string
	err := p.each(ctx, func(l *line) error {
		text = p.ordersText(l, text)
		for len(text) < len(header) {
			text = append(text, "")
		}
		writeCSVRecord(bw, text, quoted)
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

func csvTextColumn(c column) bool {
	switch c {
	case colPhone, colPid, colOrderID, colSporderID:
		return true
	}
	return false
}

// writeCSVRecord writes one RFC 4180 record, CRLF-terminated: a field is
// quoted when quoted says so (a field past it is) or when it must be.
func writeCSVRecord(w *bufio.Writer, fields []string, quoted []bool) {
	for i, f := range fields {
		if i > 0 {
			w.WriteByte(',')
		}
		q := i >= len(quoted) || quoted[i]
		if quoted == nil {
			q = false
		}
		if !q && (f != "" && (f[0] == ' ' || f[0] == '\t') || strings.ContainsAny(f, ",\"\r\n")) {
			q = true
		}
		if !q {
			w.WriteString(f)
			continue
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteString("\r\n")
}
