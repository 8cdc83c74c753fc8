package reconcile

import (
	"strconv"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// column is what a table column holds. A column the Orders and
// Exceptions tables share holds the same values in both and has the same
// header word, words.columns[c].
type column int

const (
	colRow column = iota
	colPhone
	colPid
	colCardName
	colOrderID
	colSporderID
	colCost
	colCharged
	colRefunded
	colCarrier
	colState
	colSubmitted
	colFinal
	colSource
	colCode
	colReason
	colException
	colAction
	// The month's All orders columns (month.go).
	colBatch
	colChargedAt
	colLate
	numColumns
)

// field is one column of a table of Rs: what it holds, its text (shown,
// written to the CSV, measured for widths) and its cell. cell's i is the
// column's index, which a styled cell needs for its buffer (rowCells.styled).
type field[R any] struct {
	col  column
	text func(w *words, r *R) string
	cell func(c *rowCells, i int, r *R) any
}

// table is a sheet's columns, in order. A column's index and letter are
// its position here, so moving a field moves its header, text, cell,
// width and every formula that names it.
type table[R any] []field[R]

// ordersTable is the Orders sheet's fixed columns; the input's extra
// columns follow them. Row, phone and state come first: printed in column
// blocks, they are repeated on every page (paper.go). The amounts, right
// aligned, follow the carrier's word, not the left-aligned pid text they
// would read as one number with.
//
// The money columns: cost is the order's price as the provider gave it,
// in any state; charged is the cost of a success or a failed input row
// (the provider deducted it); refunded is the cost of a failed input row
// (the provider gave it back). So sum(charged) - sum(refunded) is the
// Summary's spend. A charging, unknown or orphan row fills neither.
var ordersTable = table[line]{
	{colRow, func(_ *words, l *line) string { return rowText(l.row) }, func(_ *rowCells, _ int, l *line) any { return rowCell(l.row) }},
	textField(colPhone, func(l *line) string { return l.phone }),
	{colState, func(w *words, l *line) string { return w.states[l.status] }, func(c *rowCells, _ int, l *line) any { return c.states[l.status] }},
	textField(colPid, func(l *line) string { return l.pid }),
	plainField(colCardName, func(l *line) string { return l.cardName }),
	{colCarrier, func(w *words, l *line) string { return l.carrierWord(w) }, func(c *rowCells, _ int, l *line) any {
		if l.status == batch.StatusInvalid {
			return nil
		}
		return c.carriers[l.carrier]
	}},
	moneyField(colCharged, (*line).charged),
	moneyField(colRefunded, (*line).refundedCost),
	moneyField(colCost, func(l *line) (juhe.Money, bool) { return l.cost, l.hasCost }),
	timeField(colSubmitted, func(l *line) (string, int64) { return l.submitted, l.submittedAt }),
	timeField(colFinal, func(l *line) (string, int64) { return l.final, l.finalAt }),
	{colSource, func(_ *words, l *line) string { return l.source }, func(c *rowCells, _ int, l *line) any { return wordCell(c.sources, l.source) }},
	{colCode, func(_ *words, l *line) string {
		if l.code == 0 {
			return ""
		}
		return strconv.Itoa(l.code)
	}, func(_ *rowCells, _ int, l *line) any {
		if l.code == 0 {
			return nil
		}
		return l.code
	}},
	plainField(colReason, func(l *line) string { return l.reason }),
	textField(colOrderID, func(l *line) string { return l.orderID }),
	textField(colSporderID, func(l *line) string { return l.sporderID }),
}

// exceptionsTable is the Exceptions sheet's fixed columns; the input's
// extra columns (name, department) follow them, as on Orders.
var exceptionsTable = table[excRow]{
	{colRow, func(_ *words, x *excRow) string { return rowText(x.row) }, func(_ *rowCells, _ int, x *excRow) any { return rowCell(x.row) }},
	textField(colPhone, func(x *excRow) string { return x.phone }),
	{colState, func(w *words, x *excRow) string { return w.states[x.status] }, func(c *rowCells, _ int, x *excRow) any { return c.states[x.status] }},
	{colException, func(w *words, x *excRow) string { return w.kinds[x.kind] }, func(c *rowCells, _ int, x *excRow) any { return c.kinds[x.kind] }},
	moneyField(colCost, func(x *excRow) (juhe.Money, bool) { return x.cost, x.hasCost }),
	wrapField(colReason, func(x *excRow) string { return x.reason }),
	{colAction, func(w *words, x *excRow) string { return w.actions[x.kind] }, func(c *rowCells, i int, x *excRow) any {
		return c.styled(i, c.st.wrap, c.actions[x.kind])
	}},
	textField(colPid, func(x *excRow) string { return x.pid }),
	textField(colOrderID, func(x *excRow) string { return x.orderID }),
}

// moneyField is a column of amounts in yuan, 0.000, blank when there is none.
func moneyField[R any](col column, get func(*R) (juhe.Money, bool)) field[R] {
	return field[R]{col,
		func(_ *words, r *R) string {
			if m, ok := get(r); ok {
				return m.String()
			}
			return ""
		},
		func(c *rowCells, i int, r *R) any {
			if m, ok := get(r); ok {
				return c.styled(i, c.st.cost, costValue(m))
			}
			return nil
		}}
}

// timeField is a column of date-time cells in Beijing time; its text (the
// CSV's) is the same time as yyyy-mm-dd hh:mm:ss.
func timeField[R any](col column, get func(*R) (string, int64)) field[R] {
	return field[R]{col,
		func(_ *words, r *R) string { s, _ := get(r); return s },
		func(c *rowCells, i int, r *R) any {
			if _, ms := get(r); ms > 0 {
				return c.styled(i, c.st.datetime, serialTime(ms))
			}
			return nil
		}}
}

// wrapField is a column of general cells that wrap: long reasons.
func wrapField[R any](col column, get func(*R) string) field[R] {
	return field[R]{col,
		func(_ *words, r *R) string { return get(r) },
		func(c *rowCells, i int, r *R) any {
			if s := get(r); s != "" {
				return c.styled(i, c.st.wrap, s)
			}
			return nil
		}}
}

// Where the width estimates and the formulas find a column.
var (
	ordersAt, exceptionsAt = ordersTable.positions(), exceptionsTable.positions()
	ordersLetter           = ordersTable.letters()
	exceptionsLetter       = exceptionsTable.letters()
)

// textField is a column of text cells ("@"): phones, pids and orderids
// stay text if edited.
func textField[R any](col column, get func(*R) string) field[R] {
	return field[R]{col,
		func(_ *words, r *R) string { return get(r) },
		func(c *rowCells, i int, r *R) any { return c.text(i, get(r)) }}
}

// plainField is a column of general cells.
func plainField[R any](col column, get func(*R) string) field[R] {
	return field[R]{col,
		func(_ *words, r *R) string { return get(r) },
		func(_ *rowCells, _ int, r *R) any { return strCell(get(r)) }}
}

// rowText and rowCell show an input row number; 0 (an orphan) is blank.
func rowText(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func rowCell(n int) any {
	if n <= 0 {
		return nil
	}
	return n
}

func (t table[R]) header(w *words) []string {
	h := make([]string, len(t))
	for i, f := range t {
		h[i] = w.columns[f.col]
	}
	return h
}

// text appends the text of r's cells to dst[:0].
func (t table[R]) text(w *words, r *R, dst []string) []string {
	dst = dst[:0]
	for _, f := range t {
		dst = append(dst, f.text(w, r))
	}
	return dst
}

// cells appends r's cells to c.any, which reset has readied.
func (t table[R]) cells(c *rowCells, r *R) {
	for i, f := range t {
		c.any = append(c.any, f.cell(c, i, r))
	}
}

// positions is each column's index, or -1 where the table has none.
func (t table[R]) positions() [numColumns]int {
	var at [numColumns]int
	for i := range at {
		at[i] = -1
	}
	for i, f := range t {
		at[f.col] = i
	}
	return at
}

// letters is each column's letter, or "" where the table has none.
func (t table[R]) letters() [numColumns]string {
	var ls [numColumns]string
	for i, f := range t {
		l, err := excelize.ColumnNumberToName(i + 1)
		if err != nil {
			panic(err) // a table of more columns than a sheet holds
		}
		ls[f.col] = l
	}
	return ls
}
