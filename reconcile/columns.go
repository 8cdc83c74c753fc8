package reconcile

import (
	"strconv"

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
	colState
	colSubmitted
	colFinal
	colSource
	colCode
	colReason
	colException
	colAction
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
// columns follow them.
var ordersTable = table[line]{
	{colRow, func(_ *words, l *line) string { return rowText(l.row) }, func(_ *rowCells, _ int, l *line) any { return rowCell(l.row) }},
	textField(colPhone, func(l *line) string { return l.phone }),
	textField(colPid, func(l *line) string { return l.pid }),
	plainField(colCardName, func(l *line) string { return l.cardName }),
	textField(colOrderID, func(l *line) string { return l.orderID }),
	textField(colSporderID, func(l *line) string { return l.sporderID }),
	{colCost, func(_ *words, l *line) string {
		if !l.hasCost {
			return ""
		}
		return l.cost.String()
	}, func(c *rowCells, i int, l *line) any {
		if !l.hasCost {
			return nil
		}
		return c.styled(i, c.st.cost, costValue(l.cost))
	}},
	{colState, func(w *words, l *line) string { return w.states[l.status] }, func(c *rowCells, _ int, l *line) any { return c.states[l.status] }},
	plainField(colSubmitted, func(l *line) string { return l.submitted }),
	plainField(colFinal, func(l *line) string { return l.final }),
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
}

// exceptionsTable is the Exceptions sheet's columns.
var exceptionsTable = table[excRow]{
	{colRow, func(_ *words, x *excRow) string { return rowText(x.row) }, func(_ *rowCells, _ int, x *excRow) any { return rowCell(x.row) }},
	textField(colPhone, func(x *excRow) string { return x.phone }),
	textField(colPid, func(x *excRow) string { return x.pid }),
	textField(colOrderID, func(x *excRow) string { return x.orderID }),
	{colState, func(w *words, x *excRow) string { return w.states[x.status] }, func(c *rowCells, _ int, x *excRow) any { return c.states[x.status] }},
	{colException, func(w *words, x *excRow) string { return w.kinds[x.kind] }, func(c *rowCells, _ int, x *excRow) any { return c.kinds[x.kind] }},
	plainField(colReason, func(x *excRow) string { return x.reason }),
	{colAction, func(w *words, x *excRow) string { return w.actions[x.kind] }, func(c *rowCells, _ int, x *excRow) any { return c.actions[x.kind] }},
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
