package batch

import (
	"bytes"
	"encoding/hex"
	"hash/maphash"
	"math"
	"strconv"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// order is one order in a Book, kept without pointers so that a book of
// a million orders is one flat slice the garbage collector need not scan.
// Strings that repeat (pid, card name, reason, conflict) are numbers in
// the book's intern table; the rest live in its byte arena. An orderid of
// 32 lowercase hex digits (every orderid flowbatch makes) is kept as its
// 16 bytes, a phone of decimal digits as a number; anything else is kept
// as text in the arena, flagged.
type order struct {
	id      [16]byte // the decoded orderid, or its arena text (fIDText)
	phone   uint64   // the phone's digits, or its arena text (fPhoneText)
	sporder txt

	// Numbers are kept in 32 bits or fewer when they fit their field, and
	// in Book.wide otherwise (see wideMap): times as ms after the book's
	// epoch (0 is no time), row numbers, costs in 厘, seqs, codes. A
	// million orders of 128 bytes is the most of reconcile's memory
	// (BENCHMARKS.md §4b).
	submittedAt, queryAt, callbackAt, finalAt int32
	chargedAt                                 int32 // when fExists was first set
	// When the latest attempt ended, for the resubmit grace period: the
	// latest intent and the latest submit outcome.
	lastIntentAt, lastOutcomeAt int32
	line, dupOf                 int32
	submitCost, queryCost       int32

	intentSeq, outcomeSeq, notFoundSeq uint32 // a seq past 2^32-2 would take a journal of terabytes
	submitCode, queryCode              int32

	pid, cardName, reason, conflict uint32 // in the intern table

	intents, outcomes       uint16
	flags                   uint16
	submitClass, queryClass uint8
	queryState              int8 // StateNone, or a confirmed 0, 1, 9 or StateSubmitFailed
	callbackState           int8
}

const (
	fInInput uint16 = 1 << iota
	fDup
	fSubmitHasCost
	fQueryHasCost
	fViaCallback
	fIDText
	fPhoneText
	fCodeFromQuery // Code is the query's code, else the submit's
	fPreExisting   // the first answer to the first request was 210508
	fExists        // something proved the order exists at the provider
)

func (o *order) setFlag(f uint16, on bool) {
	if on {
		o.flags |= f
	} else {
		o.flags &^= f
	}
}

// proven records that something at ms at proved the order exists; the
// first proof is its charge time.
func (b *Book) proven(i int32, at int64) {
	o := &b.orders[i]
	if o.flags&fExists == 0 {
		o.chargedAt = b.putTime(i, fChargedAt, at)
	}
	o.flags |= fExists
}

func (b *Book) status(i int32) Status {
	o := &b.orders[i]
	return statusOf(o.intents > 0, o.flags&fExists != 0, juhe.GameState(o.queryState), juhe.Class(o.submitClass),
		b.getSeq(i, fIntentSeq, o.intentSeq), b.getSeq(i, fOutcomeSeq, o.outcomeSeq), b.getSeq(i, fNotFoundSeq, o.notFoundSeq))
}

// cost is order i's cost: the query's when a query gave one, else the
// submit's.
func (b *Book) cost(i int32) (juhe.Money, bool) {
	o := &b.orders[i]
	if o.flags&fQueryHasCost != 0 {
		return juhe.Money(b.wide.get32(i, fQueryCost, o.queryCost)), true
	}
	return juhe.Money(b.wide.get32(i, fSubmitCost, o.submitCost)), o.flags&fSubmitHasCost != 0
}

// A wide number does not fit in its field: the field holds wide (or
// wideSeq, wide8, wide16) and the value is in a wideMap under the order
// and field.
const (
	wide    = math.MinInt32
	wideSeq = math.MaxUint32
	wide8   = math.MinInt8
	wide16  = math.MaxUint16
)

type wideField uint8

const (
	fSubmitCode wideField = iota
	fQueryCode
	fCallbackState
	fIntentSeq
	fOutcomeSeq
	fNotFoundSeq
	fSubmittedAt
	fQueryAt
	fCallbackAt
	fFinalAt
	fChargedAt
	fLastIntentAt
	fLastOutcomeAt
	fLine
	fDupOf
	fSubmitCost
	fQueryCost
	fIntents
	fOutcomes
)

type wideKey struct {
	order int32
	field wideField
}

// wideMap holds the numbers too wide for their field in order, by order
// index (or, for a pending input section, by row index) and field. Few
// orders ever have one.
type wideMap map[wideKey]int64

func (m *wideMap) set(i int32, f wideField, v int64) {
	if *m == nil {
		*m = make(wideMap)
	}
	(*m)[wideKey{i, f}] = v
}

func (m *wideMap) put32(i int32, f wideField, v int64) int32 {
	if v != wide && v == int64(int32(v)) {
		return int32(v)
	}
	m.set(i, f, v)
	return wide
}

func (m wideMap) get32(i int32, f wideField, v int32) int64 {
	if v != wide {
		return int64(v)
	}
	return m[wideKey{i, f}]
}

func (b *Book) putWide(i int32, f wideField, v int) int32 { return b.wide.put32(i, f, int64(v)) }

func (b *Book) getWide(i int32, f wideField, v int32) int { return int(b.wide.get32(i, f, v)) }

func (b *Book) putSeq(i int32, f wideField, seq uint64) uint32 {
	if seq < wideSeq {
		return uint32(seq)
	}
	b.wide.set(i, f, int64(seq))
	return wideSeq
}

func (b *Book) getSeq(i int32, f wideField, v uint32) uint64 {
	if v != wideSeq {
		return uint64(v)
	}
	return uint64(b.wide[wideKey{i, f}])
}

// putTime keeps the unix ms at as ms after the book's epoch: the first
// time it keeps, less 1 ms, so that 0 stays "no time". Within ±24 days
// of it a time fits the field; anything else is wide.
func (b *Book) putTime(i int32, f wideField, at int64) int32 {
	if at == 0 {
		return 0
	}
	if !b.hasEpoch {
		// A flag, not epoch 0: a first time of 1 ms has epoch 0.
		b.epoch, b.hasEpoch = at-1, true
	}
	if d := at - b.epoch; d != 0 && d != wide && d == int64(int32(d)) {
		return int32(d)
	}
	b.wide.set(i, f, at)
	return wide
}

func (b *Book) getTime(i int32, f wideField, v int32) int64 {
	switch v {
	case 0:
		return 0
	case wide:
		return b.wide[wideKey{i, f}]
	}
	return b.epoch + int64(v)
}

// count adds one to an intents or outcomes count.
func (b *Book) count(i int32, f wideField, n *uint16) {
	if *n < wide16-1 {
		*n++
		return
	}
	b.wide.set(i, f, b.getCount(i, f, *n)+1)
	*n = wide16
}

func (b *Book) getCount(i int32, f wideField, n uint16) int64 {
	if n != wide16 {
		return int64(n)
	}
	return b.wide[wideKey{i, f}]
}

func (b *Book) putState(i int32, f wideField, s juhe.GameState) int8 {
	if s != wide8 && s == juhe.GameState(int8(s)) {
		return int8(s)
	}
	b.wide.set(i, f, int64(s))
	return wide8
}

func (b *Book) callbackState(i int32) juhe.GameState {
	if v := b.orders[i].callbackState; v != wide8 {
		return juhe.GameState(v)
	}
	return juhe.GameState(b.wide[wideKey{i, fCallbackState}])
}

// txt is a string in a textStore's arena: chunk<<46 | offset<<26 |
// length. Journal lines are at most 64 MiB, so a field's length fits in
// 26 bits; a string longer than a chunk gets a chunk of its own. 0 is "".
type txt uint64

const (
	txtLenBits = 26
	txtOffBits = 20
	chunkSize  = 1 << txtOffBits
)

// textStore holds a book's strings: an arena for strings that do not
// repeat, in chunks that are never moved (no garbage as it grows), and
// an intern table for those that do (0 is "").
type textStore struct {
	chunks [][]byte
	strs   []string
	ids    map[string]uint32
}

func (t *textStore) put(s []byte) txt {
	if len(s) == 0 {
		return 0
	}
	n := len(t.chunks)
	if n == 0 || len(t.chunks[n-1])+len(s) > cap(t.chunks[n-1]) {
		t.chunks = append(t.chunks, make([]byte, 0, max(chunkSize, len(s))))
		n++
	}
	c := &t.chunks[n-1]
	off := len(*c)
	*c = append(*c, s...)
	return txt(uint64(n-1)<<(txtOffBits+txtLenBits) | uint64(off)<<txtLenBits | uint64(len(s)))
}

func (t *textStore) bytes(x txt) []byte {
	c := uint64(x) >> (txtOffBits + txtLenBits)
	off := uint64(x) >> txtLenBits & (1<<txtOffBits - 1)
	n := uint64(x) & (1<<txtLenBits - 1)
	return t.chunks[c][off : off+n]
}

func (t *textStore) get(x txt) string {
	if x == 0 {
		return ""
	}
	return string(t.bytes(x))
}

func (t *textStore) intern(s []byte) uint32 {
	if len(s) == 0 {
		return 0
	}
	if i, ok := t.ids[string(s)]; ok {
		return i
	}
	if t.ids == nil {
		t.ids = make(map[string]uint32)
		t.strs = append(t.strs, "")
	}
	i := uint32(len(t.strs))
	str := string(s)
	t.strs = append(t.strs, str)
	t.ids[str] = i
	return i
}

func (t *textStore) str(i uint32) string {
	if i == 0 {
		return ""
	}
	return t.strs[i]
}

func (o *order) idText() txt {
	var n uint64
	for i := 0; i < 8; i++ {
		n |= uint64(o.id[i]) << (8 * i)
	}
	return txt(n)
}

func (b *Book) setID(o *order, id []byte) {
	if raw, ok := journal.HexOrderID(id); ok {
		o.id = raw
		o.flags &^= fIDText
		return
	}
	x := uint64(b.text.put(id))
	o.id = [16]byte{}
	for i := 0; i < 8; i++ {
		o.id[i] = byte(x >> (8 * i))
	}
	o.flags |= fIDText
}

func (b *Book) idString(o *order) string {
	if o.flags&fIDText != 0 {
		return b.text.get(o.idText())
	}
	return hex.EncodeToString(o.id[:])
}

// setPhone keeps a phone of 1 to 19 decimal digits without a leading zero
// as a number; any other text (rare: phones are normalised) in the arena.
func (b *Book) setPhone(o *order, p []byte) {
	if n, ok := journal.Digits(p); ok && len(p) > 0 && p[0] != '0' {
		o.phone = n
		o.flags &^= fPhoneText
		return
	}
	o.phone = uint64(b.text.put(p))
	o.flags |= fPhoneText
}

func (b *Book) phoneString(o *order) string {
	if o.flags&fPhoneText != 0 {
		return b.text.get(txt(o.phone))
	}
	return strconv.FormatUint(o.phone, 10)
}

func (b *Book) setSporder(i int32, s []byte) {
	o := &b.orders[i]
	if o.sporder != 0 && bytes.Equal(b.text.bytes(o.sporder), s) {
		return
	}
	o.sporder = b.text.put(s)
	b.sporders.add(maphash.Bytes(b.seed, s), i)
}

// sporderOwner returns the order that holds the sporder_id s. The index
// may keep an order under a sporder_id it no longer holds; the text is
// compared.
func (b *Book) sporderOwner(s []byte) (int32, bool) {
	x := &b.sporders
	if len(x.slots) == 0 || len(s) == 0 {
		return 0, false
	}
	mask := uint64(len(x.slots) - 1)
	hi := maphash.Bytes(b.seed, s) >> 32
	for p := hi & mask; ; p = (p + 1) & mask {
		v := x.slots[p]
		if v == 0 {
			return 0, false
		}
		if v>>32 != hi {
			continue
		}
		if i := int32(uint32(v) - 1); b.orders[i].sporder != 0 && bytes.Equal(b.text.bytes(b.orders[i].sporder), s) {
			return i, true
		}
	}
}

// SporderOwner returns the orderid of the order that holds sporder_id sp,
// if any order of the journal does.
func (b *Book) SporderOwner(sp string) (string, bool) {
	i, ok := b.sporderOwner([]byte(sp))
	if !ok {
		return "", false
	}
	return b.idString(&b.orders[i]), true
}

// hashOf hashes an order's id as find hashes the same id's text.
func (b *Book) hashOf(o *order) uint64 {
	if o.flags&fIDText != 0 {
		return maphash.Bytes(b.seed, b.text.bytes(o.idText()))
	}
	return maphash.Bytes(b.seed, o.id[:])
}

func (b *Book) sameID(a, c *order) bool {
	if a.flags&fIDText != c.flags&fIDText {
		return false
	}
	if a.flags&fIDText != 0 {
		return bytes.Equal(b.text.bytes(a.idText()), b.text.bytes(c.idText()))
	}
	return a.id == c.id
}

// find looks up the order with the orderid id. It fills key with the id
// when it is hex, so that the caller can add it without decoding again.
// It does not change the book.
func (b *Book) find(id []byte, key *order) (int32, bool) {
	x := &b.index
	if len(x.slots) == 0 {
		return 0, false
	}
	mask := uint64(len(x.slots) - 1)
	raw, isHex := journal.HexOrderID(id)
	var hi uint64
	if isHex {
		key.id = raw
		// Outcomes and queries mostly come in the order of the rows:
		// try the order after the last one found before hashing.
		if h := b.hint; h < int32(len(b.orders)) && b.orders[h].id == raw && b.orders[h].flags&fIDText == 0 {
			return h, true
		}
		hi = maphash.Bytes(b.seed, raw[:]) >> 32
	} else {
		hi = maphash.Bytes(b.seed, id) >> 32
	}
	for p := hi & mask; ; p = (p + 1) & mask {
		s := x.slots[p]
		if s == 0 {
			return 0, false
		}
		if s>>32 != hi {
			continue
		}
		i := int32(uint32(s) - 1)
		o := &b.orders[i]
		if isHex {
			if o.flags&fIDText == 0 && o.id == raw {
				return i, true
			}
		} else if o.flags&fIDText != 0 && bytes.Equal(b.text.bytes(o.idText()), id) {
			return i, true
		}
	}
}

// lookupOrAdd returns the index of the order with r's id, adding a new
// order (not in any input) when there is none.
func (b *Book) lookupOrAdd(r *order) int32 {
	h := b.hashOf(r)
	x := &b.index
	if len(x.slots) > 0 {
		mask := uint64(len(x.slots) - 1)
		hi := h >> 32
		for p := hi & mask; ; p = (p + 1) & mask {
			s := x.slots[p]
			if s == 0 {
				break
			}
			if i := int32(uint32(s) - 1); s>>32 == hi && b.sameID(&b.orders[i], r) {
				return i
			}
		}
	}
	i := int32(len(b.orders))
	b.orders = append(b.orders, order{id: r.id, flags: r.flags & fIDText,
		queryState: int8(juhe.StateNone), callbackState: int8(juhe.StateNone)})
	x.add(h, i)
	return i
}

// orderIndex maps orderids to order indexes: open addressing with linear
// probing over slots holding the upper 32 bits of the id's hash and the
// index+1 (0 is an empty slot).
type orderIndex struct {
	slots []uint64
	n     int
}

// add inserts index i for hash h; the id must not be in the index.
func (x *orderIndex) add(h uint64, i int32) {
	x.reserve(x.n + 1)
	x.insert(h>>32<<32 | uint64(uint32(i)+1))
	x.n++
}

func (x *orderIndex) insert(s uint64) {
	mask := uint64(len(x.slots) - 1)
	p := s >> 32 & mask
	for x.slots[p] != 0 {
		p = (p + 1) & mask
	}
	x.slots[p] = s
}

// reserve makes room for n ids at a load of at most 3/4.
func (x *orderIndex) reserve(n int) {
	size := max(len(x.slots), 8)
	for n*4 > size*3 {
		size *= 2
	}
	if size == len(x.slots) {
		return
	}
	old := x.slots
	x.slots = make([]uint64, size)
	for _, s := range old {
		if s != 0 {
			x.insert(s)
		}
	}
}

// state materialises order i into o.
func (b *Book) state(i int32, o *OrderState) {
	r := &b.orders[i]
	*o = OrderState{
		OrderID:       b.idString(r),
		Line:          int(b.wide.get32(i, fLine, r.line)),
		Phone:         b.phoneString(r),
		Pid:           b.text.str(r.pid),
		Dup:           r.flags&fDup != 0,
		DupOf:         int(b.wide.get32(i, fDupOf, r.dupOf)),
		InInput:       r.flags&fInInput != 0,
		Intents:       int(b.getCount(i, fIntents, r.intents)),
		Outcomes:      int(b.getCount(i, fOutcomes, r.outcomes)),
		SubmittedAt:   b.getTime(i, fSubmittedAt, r.submittedAt),
		LastIntentAt:  b.getTime(i, fLastIntentAt, r.lastIntentAt),
		LastOutcomeAt: b.getTime(i, fLastOutcomeAt, r.lastOutcomeAt),
		Exists:        r.flags&fExists != 0,
		SubmitClass:   juhe.Class(r.submitClass),
		SubmitCode:    b.getWide(i, fSubmitCode, r.submitCode),
		SubmitCost:    juhe.Money(b.wide.get32(i, fSubmitCost, r.submitCost)),
		SubmitHasCost: r.flags&fSubmitHasCost != 0,
		SporderID:     b.text.get(r.sporder),
		CardName:      b.text.str(r.cardName),
		QueryClass:    juhe.Class(r.queryClass),
		QueryCode:     b.getWide(i, fQueryCode, r.queryCode),
		QueryState:    juhe.GameState(r.queryState),
		QueryCost:     juhe.Money(b.wide.get32(i, fQueryCost, r.queryCost)),
		QueryHasCost:  r.flags&fQueryHasCost != 0,
		QueryAt:       b.getTime(i, fQueryAt, r.queryAt),
		CallbackState: b.callbackState(i),
		CallbackAt:    b.getTime(i, fCallbackAt, r.callbackAt),
		FinalAt:       b.getTime(i, fFinalAt, r.finalAt),
		ChargedAt:     b.getTime(i, fChargedAt, r.chargedAt),
		Code:          b.getWide(i, fSubmitCode, r.submitCode),
		Reason:        b.text.str(r.reason),
		Conflict:      b.text.str(r.conflict),
		intentSeq:     b.getSeq(i, fIntentSeq, r.intentSeq),
		outcomeSeq:    b.getSeq(i, fOutcomeSeq, r.outcomeSeq),
		notFoundSeq:   b.getSeq(i, fNotFoundSeq, r.notFoundSeq),
		viaCallback:   r.flags&fViaCallback != 0,
		PreExisting:   r.flags&fPreExisting != 0,
	}
	if r.flags&fCodeFromQuery != 0 {
		o.Code = o.QueryCode
	}
	o.CallbackReason = b.text.str(b.cbReasons[i])
}
