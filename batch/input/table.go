package input

import (
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Finding the table in a sheet as people make it: a title or notes above
// the header, footers (合计, 制表…) and blank rows below it, the user's own
// column names. One set of rules, here, serves every format and the
// choice of a sheet.

// HeaderSearchRows is how far down a sheet the header row is looked for.
const HeaderSearchRows = 20

// Hidden-row policies (Options.HiddenRows).
const (
	HiddenRefuse  = ""        // a hidden row holding data, or a hidden phone or pid column, refuses the file
	HiddenSkip    = "skip"    // hidden rows and columns are not read
	HiddenInclude = "include" // they are read like the others
)

// footerWords start a row below the table that is not data: totals,
// signatures, notes. Compared with the row's first non-blank cell, folded.
var footerWords = []string{
	"合计", "总计", "小计", "共计", "总数", "累计", "制表", "审核", "复核", "审批", "批准",
	"备注", "说明", "注:", "签字", "签名", "经办", "负责人", "填表", "total", "subtotal", "sum",
}

// totalWords start a footer whose count is a control total of the rows.
// A 小计 (subtotal) counts only its group, so it is not one.
var totalWords = []string{"合计", "总计", "共计", "总数", "total"}

// normalizeHeader folds a header cell for comparison: fullwidth to
// narrow, lower case, without spaces, '*', a bracketed remark such as
// （必填） or (11位), brackets around the name (【手机号】) or a colon.
func normalizeHeader(s string) string {
	s = strings.ToLower(width.Fold.String(trimCell(strings.TrimPrefix(s, "\ufeff"))))
	var b strings.Builder
	depth := 0
	for _, r := range s {
		switch {
		case r == '(':
			depth++
		case r == ')':
			if depth > 0 {
				depth--
			}
		case depth > 0:
		case r == '*' || r == ':' || isCellSpace(r) || unicode.IsSpace(r):
		case strings.ContainsRune("[]【】〔〕「」『』<>《》", r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// foldCell is a cell folded for the footer words: fullwidth to narrow,
// lower case, trimmed.
func foldCell(s string) string {
	return strings.ToLower(width.Fold.String(trimCell(s)))
}

// role is what a header cell names.
type role byte

const (
	roleNone role = iota
	rolePhone
	rolePid
)

var headerRoles = func() map[string]role {
	m := map[string]role{}
	for _, h := range PhoneHeaders {
		m[normalizeHeader(h)] = rolePhone
	}
	for _, h := range PidHeaders {
		m[normalizeHeader(h)] = rolePid
	}
	return m
}()

func headerRole(h string) role { return headerRoles[normalizeHeader(h)] }

// colChoice is a -phone-col or -pid-col value: a header's name or a
// column's letters.
type colChoice string

// letter is the column the choice names by its letters, or -1.
func (c colChoice) letter() int {
	s := strings.ToUpper(strings.TrimSpace(string(c)))
	if s == "" || len(s) > 3 {
		return -1
	}
	col, _, ok := parseCellRef(s + "1")
	if !ok || col >= MaxColumns {
		return -1
	}
	return col
}

// find is the column of the choice in a header row: a cell with that
// name (as typed, or folded), else the column of those letters; -1 when
// neither.
func (c colChoice) find(cells []string) int {
	want := normalizeHeader(string(c))
	for i, cell := range cells {
		if trimCell(cell) == strings.TrimSpace(string(c)) || want != "" && normalizeHeader(cell) == want {
			return i
		}
	}
	return c.letter()
}

// names reports whether some cell of the row has the choice's name.
func (c colChoice) names(cells []string) bool {
	want := normalizeHeader(string(c))
	if want == "" {
		return false
	}
	for _, cell := range cells {
		if normalizeHeader(cell) == want {
			return true
		}
	}
	return false
}

// tableRules is what reading a table needs from the options.
type tableRules struct {
	phoneCol, pidCol colChoice
	pid              string // -pid, or a plan's product: the file has no product column
	pidFlag          string // how the user gave it, for messages: "-pid 105000", "-plan 1G"
	pidGives         string // what it gives every row, for messages
	hidden           string // HiddenRefuse, HiddenSkip, HiddenInclude
}

func (o Options) rules() tableRules {
	r := tableRules{phoneCol: colChoice(o.PhoneCol), pidCol: colChoice(o.PidCol), pid: o.Pid, hidden: o.HiddenRows}
	r.pidFlag, r.pidGives = "-pid "+o.Pid, "one product"
	if o.Plan != "" {
		r.pid, r.pidFlag, r.pidGives = o.Plan, o.PlanFlag, "its carrier's product"
	}
	return r
}

// headerFinder looks for the header among a sheet's first
// HeaderSearchRows rows. Rows above it (a title, notes, blank rows) are
// not data. It keeps the first rows it saw, for the message when no row
// is a header.
type headerFinder struct {
	rules tableRules
	seen  seenRows // the first non-blank rows, as read, for the message
}

const headerSeenRows = 6

// looksLikeHeader reports whether a row names a phone or product column,
// or the column -phone-col / -pid-col names.
func (f *headerFinder) looksLikeHeader(cells []string) bool {
	for _, c := range cells {
		if headerRole(c) != roleNone {
			return true
		}
	}
	return f.rules.phoneCol.names(cells) || f.rules.pidCol.names(cells)
}

// feed offers the next row. It returns the header when this row is it,
// an error when the row is a header that cannot be used, or when the
// search is over without one.
func (f *headerFinder) feed(raw *rawRow) (*header, error) {
	if raw.Line > HeaderSearchRows {
		return nil, f.fail()
	}
	if raw.Err != nil {
		return nil, wrap(AtHeaderSearch, raw.Err, raw.Line)
	}
	cells := raw.Cells
	if blank(cells) {
		return nil, nil
	}
	is := f.looksLikeHeader(cells)
	// A list whose columns -phone-col names by letter may have headers of
	// any name: its header is the first row with text in those columns
	// and another (a title has one cell).
	if !is && f.rules.phoneCol.letter() >= 0 && !f.rules.phoneCol.names(cells) {
		filled := func(c colChoice) bool {
			i := c.letter()
			return i >= 0 && trimCell(cellAt(cells, i)) != ""
		}
		n := 0
		for _, c := range cells {
			if trimCell(c) != "" {
				n++
			}
		}
		is = n >= 2 && filled(f.rules.phoneCol) && (f.rules.pidCol == "" || f.rules.pidCol.names(cells) || filled(f.rules.pidCol))
	}
	if !is {
		if len(f.seen) < headerSeenRows {
			f.seen = append(f.seen, seenRow{raw.Line, quoteCells(cells)})
		}
		return nil, nil
	}
	h, err := parseHeader(cells, f.rules, raw.HiddenCols)
	if err != nil {
		return nil, wrap(AtHeaderRow, err, raw.Line)
	}
	h.line = raw.Line
	return &h, nil
}

// fail is the error when no header was found.
func (f *headerFinder) fail() error {
	accepted := strings.Join(PhoneHeaders, ", ")
	if len(f.seen) == 0 {
		return refuse(NoHeaderBlank, HeaderSearchRows, accepted)
	}
	return refuse(NoHeader, HeaderSearchRows, accepted, f.seen)
}

// quoteCells shows a row's cells as read, for a message: blank cells as
// "", at most eight, each clipped.
func quoteCells(cells []string) string {
	n := len(cells)
	for n > 0 && trimCell(cells[n-1]) == "" {
		n--
	}
	var parts []string
	for i := 0; i < n && i < 8; i++ {
		parts = append(parts, strconv.Quote(journal.Clip(trimCell(cells[i]))))
	}
	if n > 8 {
		parts = append(parts, fmt.Sprintf("… (%d cells)", n))
	}
	return strings.Join(parts, " | ")
}

// header is where a header row puts each column.
type header struct {
	line             int
	phoneCol, pidCol int // pidCol is -1 under -pid
	extraCols        []int
	extra            []string // the extra columns' names
}

func hiddenCol(ranges []colRange, col int) bool {
	for _, r := range ranges {
		if col >= r.min && col <= r.max {
			return true
		}
	}
	return false
}

// parseHeader finds the phone and product columns of a header row, or
// says why it is not one. Two columns that could be the phone (or the
// pid) are refused, never chosen between: -phone-col (-pid-col) says.
func parseHeader(cells []string, rules tableRules, hidden []colRange) (header, error) {
	h := header{phoneCol: -1, pidCol: -1}
	// Trailing empty header cells are not columns.
	n := len(cells)
	for n > 0 && trimCell(cells[n-1]) == "" {
		n--
	}
	skip := func(i int) bool { return rules.hidden == HiddenSkip && hiddenCol(hidden, i) }
	pick := func(choice colChoice, flag string) (int, error) {
		c := choice.find(cells[:n])
		if c < 0 || skip(c) {
			return -1, refuse(NoSuchColumn, flag, string(choice), quoteCells(cells))
		}
		return c, nil
	}
	var err error
	if rules.phoneCol != "" {
		if h.phoneCol, err = pick(rules.phoneCol, "-phone-col"); err != nil {
			return h, err
		}
	}
	if rules.pidCol != "" {
		if rules.pid != "" {
			return h, refuse(PidColTogether, rules.pidFlag, rules.pidFlag, rules.pidGives)
		}
		if h.pidCol, err = pick(rules.pidCol, "-pid-col"); err != nil {
			return h, err
		}
	}
	var phones, pids []int
	for i := 0; i < n; i++ {
		if skip(i) || i == h.phoneCol || i == h.pidCol {
			continue
		}
		switch headerRole(cells[i]) {
		case rolePhone:
			phones = append(phones, i)
		case rolePid:
			pids = append(pids, i)
		}
	}
	name := func(i int) string { return fmt.Sprintf("%q (column %s)", trimCell(cells[i]), columnName(i)) }
	if rules.hidden == HiddenRefuse {
		for _, c := range append(append([]int{h.phoneCol, h.pidCol}, phones...), pids...) {
			if c >= 0 && hiddenCol(hidden, c) {
				what := "phone"
				if c == h.pidCol || headerRole(cells[c]) == rolePid {
					what = "product"
				}
				return h, refuse(ColumnHidden, what, columnName(c), trimCell(cells[c]))
			}
		}
	}
	if h.phoneCol < 0 {
		switch len(phones) {
		case 0:
		case 1:
			h.phoneCol, phones = phones[0], nil
		default:
			return h, refuse(PhoneColumns, len(phones), joinNames(phones, name), columnName(phones[0]), trimCell(cells[phones[0]]))
		}
	}
	if h.pidCol < 0 && rules.pid == "" {
		switch len(pids) {
		case 0:
		case 1:
			h.pidCol, pids = pids[0], nil
		default:
			return h, refuse(PidColumns, len(pids), joinNames(pids, name), columnName(pids[0]), trimCell(cells[pids[0]]))
		}
	}
	if rules.pid != "" && len(pids) > 0 {
		return h, refuse(PidColumnPresent, rules.pidFlag, rules.pidGives, name(pids[0]))
	}
	noPhone, noPid := h.phoneCol < 0, h.pidCol < 0 && rules.pid == ""
	phoneNames, pidNames := strings.Join(PhoneHeaders, ", "), strings.Join(PidHeaders, ", ")
	switch {
	case noPhone && noPid:
		return h, refuse(NoColumns, phoneNames, pidNames)
	case noPhone:
		return h, refuse(NoPhoneColumn, phoneNames)
	case noPid:
		return h, refuse(NoPidColumn, pidNames)
	}
	for i := 0; i < n; i++ {
		if i == h.phoneCol || i == h.pidCol || skip(i) {
			continue
		}
		name := trimCell(cells[i])
		if name == "" {
			name = "column " + columnName(i)
		}
		h.extraCols = append(h.extraCols, i)
		h.extra = append(h.extra, name)
	}
	return h, nil
}

func joinNames(cols []int, name func(int) string) string {
	var s []string
	for _, c := range cols {
		s = append(s, name(c))
	}
	return strings.Join(s, " and ")
}

// Footer is a row below the table that is not data: a total, a
// signature, a note, or a blank row at the end.
type Footer struct {
	Line int
	Text string // its cells as read
}

// ControlTotal is a count a footer states (合计 60人), compared with the
// rows read.
type ControlTotal struct {
	Line  int
	Count int
	Text  string
}

// footerWord is the footer word the row's first non-blank cell starts
// with, or "".
func footerWord(cells []string) string {
	for _, c := range cells {
		f := foldCell(c)
		if f == "" {
			continue
		}
		f = strings.ReplaceAll(f, " ", "")
		for _, w := range footerWords {
			if strings.HasPrefix(f, w) {
				return w
			}
		}
		return ""
	}
	return ""
}

// countRE is a count with its unit: 60人, 60 名, 60条, 60 rows.
var countRE = regexp.MustCompile(`(?i)([0-9]+)\s*(人|名|个|位|条|行|户|份|rows?\b|people\b|persons?\b)`)

// statedCount reads the count a total footer states: "60人" in any cell,
// a number right after the word (合计:60), the number in the phone
// column (a COUNTA there), or the one whole number elsewhere in the row
// but the product column. ok is false when the footer states none.
func statedCount(cells []string, word string, phoneCol, pidCol int) (n int, ok bool) {
	isTotal := false
	for _, w := range totalWords {
		isTotal = isTotal || w == word
	}
	if !isTotal {
		return 0, false
	}
	atoi := func(s string) (int, bool) {
		s = strings.TrimSuffix(s, ".0")
		if s == "" || len(s) > 7 {
			return 0, false
		}
		for _, r := range s {
			if r < '0' || r > '9' {
				return 0, false
			}
		}
		v, _ := strconv.Atoi(s)
		return v, true
	}
	for _, c := range cells {
		if m := countRE.FindStringSubmatch(foldCell(c)); m != nil {
			return atoi(m[1])
		}
	}
	first := -1
	for i, c := range cells {
		if foldCell(c) != "" {
			first = i
			break
		}
	}
	rest := strings.ReplaceAll(strings.TrimPrefix(strings.ReplaceAll(foldCell(cells[first]), " ", ""), word), ":", "")
	if v, ok := atoi(rest); ok {
		return v, true
	}
	if phoneCol < len(cells) && phoneCol != first {
		if v, ok := atoi(foldCell(cells[phoneCol])); ok {
			return v, true
		}
	}
	found := -1
	for i, c := range cells {
		if i == first || i == pidCol {
			continue
		}
		if v, ok := atoi(foldCell(c)); ok {
			if found >= 0 {
				return 0, false // two numbers: which one counts is not clear
			}
			found = v
		}
	}
	return found, found >= 0
}
