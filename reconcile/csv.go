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
// The values are the workbook's text. The text columns (phone, pid,
// orderid, sporder_id and the input's own columns) are always quoted, and
// one that a spreadsheet would take for a number, a date or a formula
// (it starts with a digit, a sign, '=', '@', '.' or '(') starts with a TAB
// (textGuard): LibreOffice, quoted fields as text or not, and Excel then
// open it as text, never as 1.38E+10, a 32-digit orderid rounded, or a
// formula. Quoting alone does not do it: LibreOffice's default import
// reads "13800138000" as a number (README: The workbook). A `="…"` would
// be a formula, text only when quoted fields are not taken as text, and
// refused by the input reader once saved as .xlsx; the TAB is blank space
// to the input reader, so the file reads back as it was.
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
		f = textGuard(f)
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(f, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteString("\r\n")
}

// textGuard is a text value as a CSV holds it so that a spreadsheet
// opens it as text: with a leading TAB when it starts as a number, a
// date or a formula does. Spreadsheets show the TAB as nothing; the input
// reader trims it.
func textGuard(s string) string {
	if s == "" {
		return s
	}
	switch c := s[0]; {
	case c >= '0' && c <= '9', c == '+', c == '-', c == '=', c == '@', c == '.', c == '(':
		return "\t" + s
	}
	return s
}
