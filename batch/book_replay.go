package batch

import (
	"bytes"
	"context"

	"github.com/flowbatch/flowbatch/juhe"
)

// replay reads the whole journal into b, checking it as run does. Rows,
// intents, outcomes and callbacks (nearly every record) are parsed in
// place from the line and applied without building a Record: only what
// the book keeps is copied. The other types go through the decoder and
// Book.apply. Either way a line is checked completely before anything of
// it is applied, and refused exactly when the decoder refuses it.
func (s *scanner) replay(ctx context.Context, b *Book) (*tail, error) {
	var p lineParser
	t, err := s.loopAhead(ctx, func(l sealed) (bad, err error) {
		if typ, ok := fastType(l.body); ok {
			return p.apply(b, typ, l.seq, l.body[:l.prevAt-1]), nil
		}
		rec, bad := s.decodeRecord(l.body, l.prevAt, l.hashAt)
		if bad != nil {
			return bad, nil
		}
		b.apply(rec, l.off)
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	if s.recs > 0 {
		b.Records = s.recs
		b.HeadHash = string(s.prevHex[:])
	}
	return t, nil
}

// fastType reports the record type of a line when replay parses it in
// place: "seq TAB type TAB" with type one of R T S Q C.
func fastType(body []byte) (RecordType, bool) {
	i := bytes.IndexByte(body, '\t')
	if i < 0 || len(body) < i+3 || body[i+2] != '\t' {
		return 0, false
	}
	switch t := RecordType(body[i+1]); t {
	case RecRow, RecIntent, RecSubmit, RecQuery, RecCallback:
		return t, true
	}
	return 0, false
}

// lineParser reads the fields of one line in place, with the checks of
// decoder.decode, keeping the first error.
type lineParser struct {
	rest    []byte // fields not yet read
	done    bool   // the last field has been read
	err     error
	scratch []byte // unescaped text fields of the current line
	first   bool   // the line is record 1
}

func (p *lineParser) next() []byte {
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

// str returns a text field unescaped. The bytes are valid until the next
// line.
func (p *lineParser) str() []byte {
	f := p.next()
	if p.err != nil || bytes.IndexByte(f, '\\') < 0 {
		return f
	}
	start := len(p.scratch)
	out, err := unescape(p.scratch, f)
	if err != nil {
		p.err = err
		return nil
	}
	p.scratch = out
	return out[start:len(out):len(out)]
}

func (p *lineParser) int() int {
	f := p.next()
	if p.err != nil {
		return 0
	}
	n, ok := parseInt(f)
	if !ok || n != int64(int(n)) {
		p.err = lineErr("bad number %q", clip(f))
	}
	return int(n)
}

func (p *lineParser) cost() (juhe.Money, bool) {
	f := p.next()
	if p.err != nil || len(f) == 0 {
		return 0, false
	}
	n, ok := parseInt(f)
	if !ok {
		p.err = lineErr("bad cost %q", clip(f))
	}
	return juhe.Money(n), true
}

func (p *lineParser) class() juhe.Class {
	f := p.next()
	if p.err != nil {
		return 0
	}
	c, ok := juhe.ParseClass(string(f))
	if !ok {
		p.err = lineErr("bad class %q", clip(f))
	}
	return c
}

// skipList checks a count and that many text fields, keeping none.
func (p *lineParser) skipList() {
	n := p.int()
	if p.err != nil {
		return
	}
	left := 0
	if !p.done {
		left = bytes.Count(p.rest, []byte{'\t'}) + 1
	}
	if n < 0 || n > left {
		p.err = errFieldCount
		return
	}
	for i := 0; i < n && p.err == nil; i++ {
		if f := p.next(); bytes.IndexByte(f, '\\') >= 0 {
			if _, err := unescape(p.scratch[len(p.scratch):], f); err != nil {
				p.err = err
			}
		}
	}
}

// apply parses body (the line up to its prev field) of a record of type
// typ and, if it is valid, applies it to b. It returns why it is not.
func (p *lineParser) apply(b *Book, typ RecordType, seq uint64, body []byte) error {
	*p = lineParser{rest: body, scratch: p.scratch[:0], first: seq == 1}
	p.next() // seq: checked by the scanner
	p.next() // type
	f := p.next()
	at, ok := parseInt(f)
	if !ok {
		return lineErr("bad time %q", clip(f))
	}
	switch typ {
	case RecRow:
		var w rowFields
		w.line = p.int()
		switch st := p.str(); string(st) {
		case string(RowValid):
			w.status = RowValid
		case string(RowInvalid):
			w.status = RowInvalid
		case string(RowDuplicate):
			w.status = RowDuplicate
		default:
			if p.err == nil {
				p.err = lineErr("bad row status")
			}
		}
		w.phone = p.str()
		w.pid = p.str()
		w.orderID = p.str()
		p.int() // occurrence
		w.dupOf = p.int()
		p.str() // reason
		p.skipList()
		if err := p.end(); err != nil {
			return err
		}
		b.addRow(w)
	case RecIntent:
		id := p.str()
		p.int() // attempt
		if err := p.end(); err != nil {
			return err
		}
		b.applyIntent(id, seq, int64(at))
	case RecSubmit:
		var f submitFields
		f.orderID = p.str()
		f.class = p.class()
		f.code = p.int()
		f.sporderID = p.str()
		f.cost, f.hasCost = p.cost()
		f.cardName = p.str()
		f.reason = p.str()
		if err := p.end(); err != nil {
			return err
		}
		b.applySubmit(seq, int64(at), &f)
	case RecQuery:
		var f queryFields
		f.orderID = p.str()
		f.class = p.class()
		f.code = p.int()
		f.state = juhe.GameState(p.int())
		f.sporderID = p.str()
		f.cost, f.hasCost = p.cost()
		f.reason = p.str()
		if err := p.end(); err != nil {
			return err
		}
		b.applyQuery(seq, int64(at), &f)
	case RecCallback:
		id := p.str()
		sp := p.str()
		st := juhe.GameState(p.int())
		p.str() // err_msg
		if err := p.end(); err != nil {
			return err
		}
		b.applyCallback(id, int64(at), sp, st)
	}
	return nil
}

// end checks that every field was read, and that the record is not
// the first: that is the header's place.
func (p *lineParser) end() error {
	if p.err == nil && !p.done {
		p.err = errFieldCount
	}
	if p.err == nil && p.first {
		p.err = errHeaderPlace
	}
	return p.err
}
