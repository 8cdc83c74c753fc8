package journal

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"sort"
	"strconv"

	"github.com/flowbatch/flowbatch/juhe"
)

// The journal file format, version 1.
//
// One record per line, tab-separated:
//
//	seq TAB type TAB at TAB <fields of the type…> TAB prev TAB hash LF
//
// seq counts from 1. type is one RecordType letter. at is unix
// milliseconds. prev is the previous record's hash (64 zeros for the
// first record) and hash is hex(sha256(raw prev || every byte of the line
// up to and including the TAB before hash)), so each record carries its
// checksum and the hash of the record before it: a hash chain.
//
// Text fields escape \ TAB LF CR as \\ \t \n \r. Numbers are canonical
// decimal integers (no +, no leading zeros), money is integer 厘, an
// unknown cost is an empty field. A list is a count followed by that many
// fields; settings are a count followed by key, value pairs, sorted by key.
// A field in brackets is optional, written only when not empty: a journal
// without it reads as before.
// Fields per type:
//
//	H version batch_id tool_version n_settings (key value)…
//	I name sha256 rows format encoding sheet n_extra extra…
//	R line status phone pid orderid occurrence dupof reason n_extra extra… [chosen]
//	P rows
//	T orderid attempt [reserved]
//	S orderid class code sporder_id cost cardname reason
//	Q orderid class code state sporder_id cost reason
//	C orderid sporder_id state err_msg
//
// Added since, each an optional record type (a version-1 reader never
// meets one in a version-1 journal):
//
//	B when account balance reply            (balance empty when not known)
//	W start end page_size account           (statement file)
//	L orderid sporder_id phone pid cardname cost state addtime (statement file)
//	E complete lines pages requests total_count reply (statement file; complete is 1 or 0)
//	M max                                   (the batch's spending cap, changed)
//
// An intent (T) may end with one more field, reserved: the price it was
// reserved at against the spending cap, there only when a cap was in
// force; an intent without it is the line it always was. reserved and
// max are money, at or above 0 and above 0, never empty: each record has
// one encoding.
const journalFormat = "flowbatch-journal/1"

const hashHexLen = 64

var zeroHashHex = bytes.Repeat([]byte{'0'}, hashHexLen)

// maxSeal is what sealLine adds to a body: the longest seq, its TAB, the
// prev hash and its TAB, the hash and the LF.
const maxSeal = len("18446744073709551615") + 1 + hashHexLen + 1 + hashHexLen + 1

// MaxLine is the longest line of a journal, LF included: the writer
// refuses a longer record, and the reader calls a longer line damage.
const MaxLine = maxLine

// maxBody is the longest body appendBody writes: its line, whatever its
// seq, is no longer than the scanner reads (maxLine).
const maxBody = maxLine - maxSeal

// appendBody appends "type TAB at TAB fields… TAB" for r: everything
// between the seq and the prev hash. It refuses records the reader would
// not accept back, a line longer than the reader reads among them.
func appendBody(dst []byte, r *Record) ([]byte, error) {
	start := len(dst)
	bad := func(why string) ([]byte, error) {
		return dst[:start], fmt.Errorf("journal record %c: %s", r.Type, why)
	}
	dst, err := appendFields(dst, r, bad)
	if err != nil {
		return dst, err
	}
	if n := len(dst) - start; n > maxBody {
		return bad(fmt.Sprintf("%d bytes, longer than a journal line holds (%d)", n, maxBody))
	}
	return dst, nil
}

func appendFields(dst []byte, r *Record, bad func(string) ([]byte, error)) ([]byte, error) {
	dst = append(dst, byte(r.Type), '\t')
	dst = strconv.AppendInt(dst, r.At, 10)
	dst = append(dst, '\t')
	str := func(s string) { dst = appendEscaped(dst, s); dst = append(dst, '\t') }
	num := func(n int64) { dst = strconv.AppendInt(dst, n, 10); dst = append(dst, '\t') }
	list := func(l []string) {
		num(int64(len(l)))
		for _, s := range l {
			str(s)
		}
	}
	cost := func(m juhe.Money, has bool) {
		if has {
			dst = strconv.AppendInt(dst, int64(m), 10)
		}
		dst = append(dst, '\t')
	}
	class := func(c juhe.Class) bool {
		if _, ok := juhe.ParseClass(c.String()); !ok {
			return false
		}
		str(c.String())
		return true
	}
	n := 0
	for _, p := range []bool{r.Header != nil, r.Input != nil, r.Row != nil, r.Planned != nil, r.Intent != nil, r.Submit != nil, r.Query != nil, r.Callback != nil,
		r.Balance != nil, r.Window != nil, r.Line != nil, r.WindowEnd != nil, r.SpendCap != nil} {
		if p {
			n++
		}
	}
	if n != 1 {
		return bad("exactly one payload must be set")
	}
	switch r.Type {
	case RecHeader:
		h := r.Header
		if h == nil {
			return bad("no header")
		}
		str(journalFormat)
		str(h.BatchID)
		str(h.ToolVersion)
		keys := make([]string, 0, len(h.Settings))
		for k := range h.Settings {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		num(int64(len(keys)))
		for _, k := range keys {
			str(k)
			str(h.Settings[k])
		}
	case RecInput:
		in := r.Input
		if in == nil {
			return bad("no input")
		}
		str(in.Name)
		str(in.SHA256)
		num(int64(in.Rows))
		str(in.Format)
		str(in.Encoding)
		str(in.Sheet)
		list(in.Extra)
	case RecRow:
		w := r.Row
		if w == nil {
			return bad("no row")
		}
		switch w.Status {
		case RowValid, RowInvalid, RowDuplicate:
		default:
			return bad(fmt.Sprintf("row status %q", w.Status))
		}
		num(int64(w.Line))
		str(string(w.Status))
		str(w.Phone)
		str(w.Pid)
		str(w.OrderID)
		num(int64(w.Occurrence))
		num(int64(w.DupOf))
		str(w.Reason)
		list(w.Extra)
		if !validChosen(w.Chosen) {
			return bad(fmt.Sprintf("row chosen %q", w.Chosen))
		}
		if w.Chosen != "" {
			str(w.Chosen)
		}
	case RecPlanned:
		if r.Planned == nil {
			return bad("no planned")
		}
		num(int64(r.Planned.Rows))
	case RecIntent:
		t := r.Intent
		if t == nil {
			return bad("no intent")
		}
		str(t.OrderID)
		num(int64(t.Attempt))
		if t.HasReserved {
			if t.Reserved < 0 {
				return bad(fmt.Sprintf("reserved %d", t.Reserved))
			}
			num(int64(t.Reserved))
		}
	case RecSubmit:
		s := r.Submit
		if s == nil {
			return bad("no submit")
		}
		str(s.OrderID)
		if !class(s.Class) {
			return bad(fmt.Sprintf("class %d", s.Class))
		}
		num(int64(s.Code))
		str(s.SporderID)
		cost(s.Cost, s.HasCost)
		str(s.CardName)
		str(s.Reason)
	case RecQuery:
		q := r.Query
		if q == nil {
			return bad("no query")
		}
		str(q.OrderID)
		if !class(q.Class) {
			return bad(fmt.Sprintf("class %d", q.Class))
		}
		num(int64(q.Code))
		num(int64(q.State))
		str(q.SporderID)
		cost(q.Cost, q.HasCost)
		str(q.Reason)
	case RecCallback:
		c := r.Callback
		if c == nil {
			return bad("no callback")
		}
		str(c.OrderID)
		str(c.SporderID)
		num(int64(c.State))
		str(c.ErrMsg)
	case RecBalance:
		b := r.Balance
		if b == nil {
			return bad("no balance")
		}
		if b.When != BalanceBefore && b.When != BalanceAfter {
			return bad(fmt.Sprintf("balance when %q", b.When))
		}
		str(b.When)
		str(b.Account)
		cost(b.Money, b.Known)
		str(b.Reply)
	case RecWindow:
		w := r.Window
		if w == nil {
			return bad("no window")
		}
		if w.End < w.Start || w.PageSize < 1 {
			return bad("window ends before it starts, or no page size")
		}
		num(w.Start)
		num(w.End)
		num(int64(w.PageSize))
		str(w.Account)
	case RecLine:
		l := r.Line
		if l == nil {
			return bad("no statement line")
		}
		if !LineState(l.State) || l.HasCost && l.Cost < 0 || l.AddTime < 0 {
			return bad(fmt.Sprintf("statement line state %d, cost %d, addtime %d", l.State, l.Cost, l.AddTime))
		}
		str(l.OrderID)
		str(l.SporderID)
		str(l.Phone)
		str(l.Pid)
		str(l.CardName)
		cost(l.Cost, l.HasCost)
		num(int64(l.State))
		num(l.AddTime)
	case RecWindowEnd:
		e := r.WindowEnd
		if e == nil {
			return bad("no window end")
		}
		if e.Complete {
			num(1)
		} else {
			num(0)
		}
		num(int64(e.Lines))
		num(int64(e.Pages))
		num(int64(e.Requests))
		num(int64(e.TotalCount))
		str(e.Reply)
	case RecSpendCap:
		c := r.SpendCap
		if c == nil {
			return bad("no spend cap")
		}
		if c.Max <= 0 {
			return bad(fmt.Sprintf("spend cap %d", c.Max))
		}
		num(int64(c.Max))
	default:
		return bad("unknown record type")
	}
	return dst, nil
}

func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// sealLine appends the complete line for a record with the given seq and
// body to dst, chained to prev, and returns it with the new hash.
func sealLine(dst []byte, seq uint64, body []byte, prevRaw *[32]byte, prevHex []byte) ([]byte, [32]byte) {
	start := len(dst)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, '\t')
	dst = append(dst, body...)
	dst = append(dst, prevHex...)
	dst = append(dst, '\t')
	sum := chainHash(prevRaw, dst[start:])
	dst = appendHex(dst, sum[:])
	dst = append(dst, '\n')
	return dst, sum
}

func chainHash(prevRaw *[32]byte, prefix []byte) [32]byte {
	h := sha256.New()
	h.Write(prevRaw[:])
	h.Write(prefix)
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}

const hexDigits = "0123456789abcdef"

func appendHex(dst, b []byte) []byte {
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// decodeHash decodes 64 lowercase hex digits.
func decodeHash(b []byte, out *[32]byte) bool {
	return len(b) == hashHexLen && decodeHex(out[:], b)
}

// decodeHex decodes lowercase hex digits src into dst (len(src) =
// 2*len(dst)), reporting whether all were hex.
func decodeHex(dst, src []byte) bool {
	var bad byte
	for i := range dst {
		hi, lo := hexVal[src[2*i]], hexVal[src[2*i+1]]
		bad |= hi | lo
		dst[i] = hi<<4 | lo&15
	}
	return bad&0x80 == 0
}

// hexVal is the value of a lowercase hex digit, 0xff for any other byte.
var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for i := 0; i < 16; i++ {
		t[hexDigits[i]] = byte(i)
	}
	return t
}()

// lineError is why one line is not a valid record.
type lineError struct{ why string }

func (e *lineError) Error() string { return e.why }

func lineErr(format string, a ...any) error { return &lineError{fmt.Sprintf(format, a...)} }

// checkSeal verifies a line's own checksum (without LF) and returns the
// index where its prev field starts. It does not look at the chain.
func checkSeal(line []byte) (prevAt int, hashAt int, err error) {
	hashAt = bytes.LastIndexByte(line, '\t') + 1
	if hashAt == 0 || hashAt < hashHexLen+2 || line[hashAt-hashHexLen-2] != '\t' {
		return 0, 0, lineErr("not a journal record")
	}
	prevAt = hashAt - hashHexLen - 1
	var prevRaw, want [32]byte
	if !decodeHash(line[prevAt:hashAt-1], &prevRaw) {
		return 0, 0, lineErr("bad prev hash field")
	}
	if !decodeHash(line[hashAt:], &want) {
		return 0, 0, lineErr("bad hash field")
	}
	if chainHash(&prevRaw, line[:hashAt]) != want {
		return 0, 0, lineErr("checksum mismatch")
	}
	return prevAt, hashAt, nil
}

// unescape appends the text field b, unescaped, to dst.
func unescape(dst, b []byte) ([]byte, error) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			dst = append(dst, c)
			continue
		}
		i++
		if i == len(b) {
			return dst, lineErr("dangling backslash")
		}
		switch b[i] {
		case '\\':
			dst = append(dst, '\\')
		case 't':
			dst = append(dst, '\t')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		default:
			return dst, lineErr("bad escape \\%c", b[i])
		}
	}
	return dst, nil
}

// parseInt parses a canonical decimal integer: no sign but a leading minus
// on a non-zero number, no leading zeros.
func parseInt(b []byte) (int64, bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && (len(b) > 1 || neg)) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

func parseUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 19 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	var n uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	return n, true
}

var errFieldCount = &lineError{"wrong number of fields"}

func clip(b []byte) string {
	if len(b) > 24 {
		return string(b[:24]) + "…"
	}
	return string(b)
}

// Digits parses a canonical decimal number without a sign (no leading
// zeros), as the journal writes seqs.
func Digits(b []byte) (uint64, bool) { return parseUint(b) }

// HexOrderID decodes an orderid of 32 lowercase hex digits, the form of
// every orderid flowbatch makes.
func HexOrderID(id []byte) (raw [16]byte, ok bool) {
	return raw, len(id) == 32 && decodeHex(raw[:], id)
}
