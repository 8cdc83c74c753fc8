package journal

import (
	"bytes"

	"github.com/flowbatch/flowbatch/juhe"
)

// Raw is one record as a scan yields it: sealed (checksum, seq and place
// in the chain checked), its type and time read, its fields not yet.
// The views (Row, Intent, Submit, Query, Callback) read the fields in
// place, without allocating; Header, Input and Planned read the rare
// types; Record decodes any type into a Record, built on the same views.
// Each of them checks every field of the record and returns an error
// when the record is not valid: a visitor returns that error as it is,
// and the scan reports damage at the record.
//
// A Raw, and every byte slice a view returns, is valid only until the
// visitor returns.
type Raw struct {
	Pos  Pos // where the record starts: its offset, its seq, the hash before it
	Type RecordType
	At   int64 // unix milliseconds

	line   []byte // the sealed line, without LF
	fields []byte // the type's fields: after at, before the prev hash
	st     *rawState
}

// rawState is what the Raws of one scan share: the unescaped text of the
// current record and the interned strings.
type rawState struct {
	scratch []byte
	intern  map[string]string
}

// Hash is the record's chained hash (hex).
func (r *Raw) Hash() string { return string(r.line[len(r.line)-hashHexLen:]) }

// prevHash is the hash of the record before it (hex).
func (r *Raw) prevHash() string {
	return string(r.line[len(r.line)-2*hashHexLen-1 : len(r.line)-hashHexLen-1])
}

// readRaw reads the seq, type and time of a sealed line (prevAt from the
// seal) into r. It checks the header's place: record 1, and only it.
func readRaw(r *Raw, st *rawState, line []byte, prevAt int, pos Pos) error {
	*r = Raw{Pos: pos, line: line, st: st}
	body := line[:prevAt-1]
	i := bytes.IndexByte(body, '\t') // after seq: checked by the seal
	body = body[i+1:]
	if len(body) < 2 || body[1] != '\t' {
		j := bytes.IndexByte(body, '\t')
		if j < 0 {
			return errFieldCount
		}
		return lineErr("bad record type %q", clip(body[:j]))
	}
	r.Type = RecordType(body[0])
	switch r.Type {
	case RecHeader, RecInput, RecRow, RecPlanned, RecIntent, RecSubmit, RecQuery, RecCallback,
		RecBalance, RecWindow, RecLine, RecWindowEnd, RecSpendCap:
	default:
		return lineErr("unknown record type %q", string(rune(r.Type)))
	}
	body = body[2:]
	j := bytes.IndexByte(body, '\t')
	if j < 0 {
		return errFieldCount
	}
	at, ok := parseInt(body[:j])
	if !ok {
		return lineErr("bad time %q", clip(body[:j]))
	}
	r.At = at
	r.fields = body[j+1:]
	if (r.Type == RecHeader) != (pos.Seq == 1) {
		return errHeaderPlace
	}
	return nil
}

var errHeaderPlace = &lineError{"the header must be record 1, and only record 1"}

// fields reads r's fields in order and keeps the first error.
func (r *Raw) reader(want RecordType) fieldReader {
	if r.Type != want {
		return fieldReader{err: lineErr("record %c read as %c", r.Type, want)}
	}
	r.st.scratch = r.st.scratch[:0]
	return fieldReader{rest: r.fields, st: r.st}
}

// fieldReader is the one reader of a record's fields.
type fieldReader struct {
	rest []byte // fields not yet read
	done bool   // the last field has been read
	err  error
	st   *rawState
}

func (p *fieldReader) fail(err error) {
	if p.err == nil {
		p.err = err
	}
}

func (p *fieldReader) next() []byte {
	if p.err != nil {
		return nil
	}
	if p.done {
		p.err = errFieldCount
		return nil
	}
	i := bytes.IndexByte(p.rest, '\t')
	if i < 0 {
		f := p.rest
		p.rest, p.done = nil, true
		return f
	}
	f := p.rest[:i]
	p.rest = p.rest[i+1:]
	return f
}

// str returns a text field unescaped, valid until the next record.
func (p *fieldReader) str() []byte {
	f := p.next()
	if p.err != nil || bytes.IndexByte(f, '\\') < 0 {
		return f
	}
	start := len(p.st.scratch)
	out, err := unescape(p.st.scratch, f)
	if err != nil {
		p.fail(err)
		return nil
	}
	p.st.scratch = out
	return out[start:len(out):len(out)]
}

func (p *fieldReader) int() int {
	f := p.next()
	if p.err != nil {
		return 0
	}
	n, ok := parseInt(f)
	if !ok || n != int64(int(n)) {
		p.fail(lineErr("bad number %q", clip(f)))
	}
	return int(n)
}

func (p *fieldReader) int64() int64 {
	f := p.next()
	if p.err != nil {
		return 0
	}
	n, ok := parseInt(f)
	if !ok {
		p.fail(lineErr("bad number %q", clip(f)))
	}
	return n
}

func (p *fieldReader) cost() (juhe.Money, bool) {
	f := p.next()
	if p.err != nil || len(f) == 0 {
		return 0, false
	}
	n, ok := parseInt(f)
	if !ok {
		p.fail(lineErr("bad cost %q", clip(f)))
	}
	return juhe.Money(n), true
}

// amount reads money that must be there and not negative: an optional
// field, or one that has a single encoding.
func (p *fieldReader) amount(what string) (juhe.Money, bool) {
	f := p.next()
	if p.err != nil {
		return 0, false
	}
	n, ok := parseInt(f)
	if !ok || n < 0 {
		p.fail(lineErr("bad %s %q", what, clip(f)))
		return 0, false
	}
	return juhe.Money(n), true
}

// more reports whether a field is left: for an optional last field.
func (p *fieldReader) more() bool { return p.err == nil && !p.done }

func (p *fieldReader) class() juhe.Class {
	f := p.next()
	if p.err != nil {
		return 0
	}
	c, ok := juhe.ParseClass(string(f))
	if !ok {
		p.fail(lineErr("bad class %q", clip(f)))
	}
	return c
}

// count reads a list length that must fit in the fields left, per
// fields an item.
func (p *fieldReader) count(per int) int {
	n := p.int()
	if p.err != nil {
		return 0
	}
	left := 0
	if !p.done {
		left = bytes.Count(p.rest, []byte{'\t'}) + 1
	}
	if n < 0 || n > left/per {
		p.fail(errFieldCount)
		return 0
	}
	return n
}

// list checks a count and that many text fields; it returns the count
// and the fields as they are in the line, for listOf.
func (p *fieldReader) list() (int, []byte) {
	n := p.count(1)
	start := p.rest
	for i := 0; i < n && p.err == nil; i++ {
		if f := p.next(); bytes.IndexByte(f, '\\') >= 0 {
			if _, err := unescape(p.st.scratch[len(p.st.scratch):], f); err != nil {
				p.fail(err)
			}
		}
	}
	if n == 0 || p.err != nil {
		return 0, nil
	}
	if p.done {
		return n, start
	}
	return n, start[:len(start)-len(p.rest)-1]
}

// end checks that every field was read.
func (p *fieldReader) end() error {
	if p.err == nil && !p.done {
		p.err = errFieldCount
	}
	return p.err
}

// listOf decodes n text fields checked by fieldReader.list.
func listOf(n int, raw []byte) []string {
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for _, f := range bytes.Split(raw, []byte{'\t'}) {
		if bytes.IndexByte(f, '\\') >= 0 {
			f, _ = unescape(nil, f)
		}
		out = append(out, string(f))
	}
	return out
}

// RowView is a row record read in place.
type RowView struct {
	Line       int
	Status     RowStatus
	Phone      []byte
	Pid        []byte
	OrderID    []byte
	Occurrence int
	DupOf      int
	Reason     []byte
	Chosen     []byte // how a plan chose the pid, see RowRecord.Chosen

	nExtra int
	extra  []byte
}

// Submittable is the rule of which rows become orders.
func (v *RowView) Submittable() bool { return submittable(len(v.OrderID) > 0, v.Status) }

// Extra decodes the row's extra cells.
func (v *RowView) Extra() []string { return listOf(v.nExtra, v.extra) }

// Row reads a row record.
func (r *Raw) Row() (RowView, error) {
	var v RowView
	p := r.reader(RecRow)
	v.Line = p.int()
	switch st := p.str(); string(st) {
	case string(RowValid):
		v.Status = RowValid
	case string(RowInvalid):
		v.Status = RowInvalid
	case string(RowDuplicate):
		v.Status = RowDuplicate
	default:
		p.fail(lineErr("bad row status"))
	}
	v.Phone = p.str()
	v.Pid = p.str()
	v.OrderID = p.str()
	v.Occurrence = p.int()
	v.DupOf = p.int()
	v.Reason = p.str()
	v.nExtra, v.extra = p.list()
	if p.err == nil && !p.done {
		// The optional last field: present only when not empty.
		if v.Chosen = p.str(); len(v.Chosen) == 0 || !validChosen(string(v.Chosen)) {
			p.fail(lineErr("bad row chosen %q", clip(v.Chosen)))
		}
	}
	return v, p.end()
}

// IntentView is an intent record read in place.
type IntentView struct {
	OrderID     []byte
	Attempt     int
	Reserved    juhe.Money
	HasReserved bool
}

// Intent reads an intent record.
func (r *Raw) Intent() (IntentView, error) {
	p := r.reader(RecIntent)
	v := IntentView{OrderID: p.str(), Attempt: p.int()}
	if p.more() {
		v.Reserved, v.HasReserved = p.amount("reserved")
	}
	return v, p.end()
}

// SpendCap reads a spend cap record.
func (r *Raw) SpendCap() (SpendCap, error) {
	p := r.reader(RecSpendCap)
	m, _ := p.amount("spend cap")
	if p.err == nil && m == 0 {
		p.fail(lineErr("spend cap 0"))
	}
	return SpendCap{Max: m}, p.end()
}

// AnswerView is what a submit and a query answer share, read in place.
type AnswerView struct {
	OrderID   []byte
	Class     juhe.Class
	Code      int
	SporderID []byte
	Cost      juhe.Money
	HasCost   bool
	Reason    []byte
}

// SubmitView is a submit answer read in place.
type SubmitView struct {
	AnswerView
	CardName []byte
}

// Submit reads a submit answer.
func (r *Raw) Submit() (SubmitView, error) {
	var v SubmitView
	p := r.reader(RecSubmit)
	v.OrderID = p.str()
	v.Class = p.class()
	v.Code = p.int()
	v.SporderID = p.str()
	v.Cost, v.HasCost = p.cost()
	v.CardName = p.str()
	v.Reason = p.str()
	return v, p.end()
}

// QueryView is a query answer read in place.
type QueryView struct {
	AnswerView
	State juhe.GameState
}

// Query reads a query answer.
func (r *Raw) Query() (QueryView, error) {
	var v QueryView
	p := r.reader(RecQuery)
	v.OrderID = p.str()
	v.Class = p.class()
	v.Code = p.int()
	v.State = juhe.GameState(p.int())
	v.SporderID = p.str()
	v.Cost, v.HasCost = p.cost()
	v.Reason = p.str()
	return v, p.end()
}

// CallbackView is a callback record read in place.
type CallbackView struct {
	OrderID   []byte
	SporderID []byte
	State     juhe.GameState
	ErrMsg    []byte
}

// Callback reads a callback record.
func (r *Raw) Callback() (CallbackView, error) {
	var v CallbackView
	p := r.reader(RecCallback)
	v.OrderID = p.str()
	v.SporderID = p.str()
	v.State = juhe.GameState(p.int())
	v.ErrMsg = p.str()
	return v, p.end()
}

// Header reads the header record.
func (r *Raw) Header() (*Header, error) {
	p := r.reader(RecHeader)
	if v := p.str(); string(v) != journalFormat && p.err == nil {
		return nil, lineErr("unknown journal format %q", clip(v))
	}
	h := &Header{BatchID: string(p.str()), ToolVersion: string(p.str())}
	n := p.count(2)
	h.Settings = make(map[string]string, n)
	var last []byte
	for i := 0; i < n && p.err == nil; i++ {
		k := p.str()
		if i > 0 && bytes.Compare(k, last) <= 0 {
			p.fail(lineErr("settings not sorted or repeated"))
		}
		last = k
		h.Settings[string(k)] = string(p.str())
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return h, nil
}

// Input reads an input record.
func (r *Raw) Input() (*InputInfo, error) {
	p := r.reader(RecInput)
	in := &InputInfo{Name: string(p.str()), SHA256: string(p.str()), Rows: p.int(),
		Format: r.st.str(p.str()), Encoding: r.st.str(p.str()), Sheet: string(p.str())}
	in.Extra = listOf(p.list())
	if err := p.end(); err != nil {
		return nil, err
	}
	return in, nil
}

// Planned reads a planned record.
func (r *Raw) Planned() (Planned, error) {
	p := r.reader(RecPlanned)
	v := Planned{Rows: p.int()}
	return v, p.end()
}

const maxInterned = 1 << 14

// str returns b as a string, interned: for the fields that repeat.
func (st *rawState) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > 64 {
		return string(b)
	}
	if s, ok := st.intern[string(b)]; ok {
		return s
	}
	s := string(b)
	if st.intern == nil {
		st.intern = make(map[string]string)
	}
	if len(st.intern) < maxInterned {
		st.intern[s] = s
	}
	return s
}

// Record decodes the record into a new Record, the caller's to keep.
func (r *Raw) Record() (*Record, error) {
	rec := &Record{Seq: r.Pos.Seq, Type: r.Type, At: r.At, Prev: r.prevHash(), Hash: r.Hash()}
	st := r.st
	var err error
	switch r.Type {
	case RecHeader:
		rec.Header, err = r.Header()
	case RecInput:
		rec.Input, err = r.Input()
	case RecRow:
		var v RowView
		if v, err = r.Row(); err == nil {
			rec.Row = &RowRecord{Line: v.Line, Phone: string(v.Phone), Pid: st.str(v.Pid), OrderID: string(v.OrderID),
				Occurrence: v.Occurrence, Status: v.Status, Reason: st.str(v.Reason), DupOf: v.DupOf, Extra: v.Extra(), Chosen: st.str(v.Chosen)}
		}
	case RecPlanned:
		var v Planned
		if v, err = r.Planned(); err == nil {
			rec.Planned = &v
		}
	case RecIntent:
		var v IntentView
		if v, err = r.Intent(); err == nil {
			rec.Intent = &Intent{OrderID: string(v.OrderID), Attempt: v.Attempt, Reserved: v.Reserved, HasReserved: v.HasReserved}
		}
	case RecSubmit:
		var v SubmitView
		if v, err = r.Submit(); err == nil {
			rec.Submit = &SubmitResult{Answer: st.answer(&v.AnswerView), CardName: st.str(v.CardName)}
		}
	case RecQuery:
		var v QueryView
		if v, err = r.Query(); err == nil {
			rec.Query = &QueryResult{Answer: st.answer(&v.AnswerView), State: v.State}
		}
	case RecCallback:
		var v CallbackView
		if v, err = r.Callback(); err == nil {
			rec.Callback = &CallbackNote{OrderID: string(v.OrderID), SporderID: string(v.SporderID), State: v.State, ErrMsg: st.str(v.ErrMsg)}
		}
	case RecBalance:
		rec.Balance, err = r.Balance()
	case RecWindow:
		var v Window
		if v, err = r.Window(); err == nil {
			rec.Window = &v
		}
	case RecLine:
		var v StatementLine
		if v, err = r.Line(); err == nil {
			rec.Line = &v
		}
	case RecWindowEnd:
		var v WindowEnd
		if v, err = r.WindowEnd(); err == nil {
			rec.WindowEnd = &v
		}
	case RecSpendCap:
		var v SpendCap
		if v, err = r.SpendCap(); err == nil {
			rec.SpendCap = &v
		}
	}
	if err != nil {
		return nil, err
	}
	return rec, nil
}

func (st *rawState) answer(v *AnswerView) Answer {
	return Answer{OrderID: string(v.OrderID), Class: v.Class, Code: v.Code, SporderID: string(v.SporderID),
		Cost: v.Cost, HasCost: v.HasCost, Reason: st.str(v.Reason)}
}

// Balance reads a balance record.
func (r *Raw) Balance() (*BalanceNote, error) {
	p := r.reader(RecBalance)
	b := &BalanceNote{}
	switch w := p.str(); string(w) {
	case BalanceBefore:
		b.When = BalanceBefore
	case BalanceAfter:
		b.When = BalanceAfter
	default:
		p.fail(lineErr("bad balance moment %q", clip(w)))
	}
	b.Account = string(p.str())
	b.Money, b.Known = p.cost()
	b.Reply = r.st.str(p.str())
	if err := p.end(); err != nil {
		return nil, err
	}
	return b, nil
}

// Window reads a statement window record.
func (r *Raw) Window() (Window, error) {
	p := r.reader(RecWindow)
	v := Window{Start: p.int64(), End: p.int64(), PageSize: p.int()}
	v.Account = string(p.str())
	if p.err == nil && (v.End < v.Start || v.PageSize < 1) {
		p.fail(lineErr("bad window"))
	}
	return v, p.end()
}

// Line reads a statement line. Its strings are copies, the caller's to keep.
func (r *Raw) Line() (StatementLine, error) {
	p := r.reader(RecLine)
	v := StatementLine{OrderID: string(p.str()), SporderID: string(p.str()), Phone: string(p.str()),
		Pid: r.st.str(p.str()), CardName: r.st.str(p.str())}
	v.Cost, v.HasCost = p.cost()
	v.State = juhe.GameState(p.int())
	v.AddTime = p.int64()
	if p.err == nil && (v.HasCost && v.Cost < 0 || v.AddTime < 0 || !LineState(v.State)) {
		p.fail(lineErr("bad statement line"))
	}
	return v, p.end()
}

// WindowEnd reads the record that closes a statement window.
func (r *Raw) WindowEnd() (WindowEnd, error) {
	p := r.reader(RecWindowEnd)
	var v WindowEnd
	switch p.int() {
	case 1:
		v.Complete = true
	case 0:
	default:
		p.fail(lineErr("bad complete flag"))
	}
	v.Lines, v.Pages, v.Requests, v.TotalCount = p.int(), p.int(), p.int(), p.int()
	v.Reply = string(p.str())
	if p.err == nil && (v.Lines < 0 || v.Pages < 0 || v.Requests < 0 || v.TotalCount < -1) {
		p.fail(lineErr("bad window end"))
	}
	return v, p.end()
}

// LineState reports whether s is a state a statement line may hold.
func LineState(s juhe.GameState) bool {
	switch s {
	case juhe.StateCharging, juhe.StateSuccess, juhe.StateFailed, juhe.StateSubmitFailed:
		return true
	}
	return false
}
