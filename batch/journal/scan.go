package journal

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
)

const (
	maxLine      = 64 << 20 // the longest line, LF included; the writer holds to it (appendBody), a longer one is damage
	maxTornTail  = 64 << 20 // a zero-led tail longer than this is damage
	scanBufSize  = 1 << 20
	ctxCheckMask = 1<<13 - 1
)

// scanner reads a journal from the start (or from a known record) and
// checks framing, checksums, seq and the hash chain of every line.
type scanner struct {
	path    string
	br      *bufio.Reader
	off     int64 // offset of the next unread byte
	recs    int64 // good records read, counting those before the start
	prevHex [hashHexLen]byte
	prevRaw [32]byte
	nextRaw [32]byte // hash of the record just checked, until accepted
	h       hash.Hash
	long    []byte
}

func newScanner(path string, r io.Reader) *scanner {
	size := scanBufSize
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Size() < int64(size) {
			size = max(int(fi.Size())+1, 4096)
		}
	}
	s := &scanner{path: path, br: bufio.NewReaderSize(r, size), h: sha256.New()}
	copy(s.prevHex[:], zeroHashHex)
	return s
}

// tail is what follows the last good record when it is not a clean end.
type tail struct {
	off int64 // where the bad bytes start (= end of the good records)
	n   int64 // how many bytes there are
}

// readLine returns the next line with its LF, or without one at EOF.
func (s *scanner) readLine() ([]byte, error) {
	b, err := s.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], b...)
		for err == bufio.ErrBufferFull {
			if len(s.long) > maxLine {
				return nil, errLineTooLong
			}
			b, err = s.br.ReadSlice('\n')
			s.long = append(s.long, b...)
		}
		b = s.long
	}
	if len(b) > maxLine {
		return nil, errLineTooLong
	}
	if err == io.EOF {
		if len(b) == 0 {
			return nil, io.EOF
		}
		return b, nil
	}
	return b, err
}

var errLineTooLong = errors.New("line longer than 64 MiB")

func (s *scanner) damage(why string) *DamageError {
	return &DamageError{Path: s.path, Record: s.recs + 1, Offset: s.off, Why: why}
}

// Pos is a point between two records of a journal: Off is the byte
// offset of the next record, Seq its seq, Prev the hash (hex) of the
// record before it. The zero Pos is the start of the journal. A Raw's
// Pos is where the record starts.
type Pos struct {
	Off  int64
	Seq  uint64
	Prev [hashHexLen]byte
}

// Records is how many records come before p.
func (p Pos) Records() int64 { return max(int64(p.Seq)-1, 0) }

// Head is the hash of the record before p ("" at the start).
func (p Pos) Head() string {
	if p.Seq <= 1 {
		return ""
	}
	return string(p.Prev[:])
}

// pos is where the scan stands: before the next unread record.
func (s *scanner) pos() Pos {
	return Pos{Off: s.off, Seq: uint64(s.recs) + 1, Prev: s.prevHex}
}

// startAt positions a scanner at p, in the middle of a journal.
func (s *scanner) startAt(p Pos) bool {
	if !decodeHash(p.Prev[:], &s.prevRaw) {
		return false
	}
	s.prevHex = p.Prev
	s.off = p.Off
	s.recs = int64(p.Seq) - 1
	return true
}

// seal checks a line's checksum and its place in the chain. The prev
// field must equal the previous record's hash, so its raw bytes are
// already known and only the line is hashed.
func (s *scanner) seal(line []byte) (prevAt, hashAt int, err error) {
	hashAt = bytes.LastIndexByte(line, '\t') + 1
	if hashAt < hashHexLen+2 || line[hashAt-hashHexLen-2] != '\t' || len(line)-hashAt != hashHexLen {
		return 0, 0, lineErr("not a journal record")
	}
	prevAt = hashAt - hashHexLen - 1
	if !bytes.Equal(line[prevAt:hashAt-1], s.prevHex[:]) {
		if _, _, err := checkSeal(line); err != nil {
			return 0, 0, err
		}
		return 0, 0, lineErr("prev hash does not match the record before it (the chain is broken)")
	}
	s.h.Reset()
	s.h.Write(s.prevRaw[:])
	s.h.Write(line[:hashAt])
	s.h.Sum(s.nextRaw[:0])
	var sumHex [hashHexLen]byte
	appendHex(sumHex[:0], s.nextRaw[:])
	if !bytes.Equal(sumHex[:], line[hashAt:]) {
		return 0, 0, lineErr("checksum mismatch")
	}
	want := uint64(s.recs + 1)
	i := bytes.IndexByte(line, '\t')
	seq, ok := parseUint(line[:i])
	if !ok {
		return 0, 0, lineErr("bad seq")
	}
	if seq != want {
		return 0, 0, lineErr("seq %d where %d was expected (a record is missing, moved or repeated)", seq, want)
	}
	return prevAt, hashAt, nil
}

// visitor turns visit into a lineFunc: each sealed line becomes a Raw.
// An error of the Raw's own readers (a *lineError) is the line's damage;
// any other error stops the scan as it is.
func visitor(visit func(*Raw) error) lineFunc {
	var raw Raw
	st := &rawState{}
	return func(l sealed) (bad, err error) {
		pos := Pos{Off: l.off, Seq: l.seq}
		copy(pos.Prev[:], l.body[l.prevAt:l.hashAt-1])
		if bad := readRaw(&raw, st, l.body, l.prevAt, pos); bad != nil {
			return bad, nil
		}
		err = visit(&raw)
		if le, ok := err.(*lineError); ok {
			return le, nil
		}
		return nil, err
	}
}

// sealed is one line (without LF) whose framing, checksum, seq and place
// in the chain are checked.
type sealed struct {
	body           []byte
	prevAt, hashAt int
	seq            uint64
	off            int64 // byte offset of the line
}

// lineFunc takes a sealed line. It returns bad when the line is not a
// valid record, before acting on it; err stops the scan as it is.
type lineFunc func(l sealed) (bad, err error)

// next reads and seals the next line. At the end of the lines it returns
// done and the scan's result, as run returns it. A line that is not a
// record comes back with bad set.
func (s *scanner) next(ctx context.Context) (l sealed, line []byte, bad error, done bool, t *tail, err error) {
	if s.recs&ctxCheckMask == 0 {
		if err := ctx.Err(); err != nil {
			return l, nil, nil, true, nil, err
		}
	}
	line, err = s.readLine()
	switch {
	case err == io.EOF:
		return l, nil, nil, true, nil, nil
	case err == errLineTooLong:
		return l, nil, nil, true, nil, s.damage(err.Error())
	case err != nil:
		return l, nil, nil, true, nil, fmt.Errorf("reading journal %s at byte %d: %w", s.path, s.off, err)
	case line[len(line)-1] != '\n':
		t, err := s.incomplete(line)
		return l, nil, nil, true, t, err
	}
	l = sealed{body: line[:len(line)-1], seq: uint64(s.recs + 1), off: s.off}
	if len(l.body) == 0 {
		bad = lineErr("empty line")
	} else {
		l.prevAt, l.hashAt, bad = s.seal(l.body)
	}
	return l, line, bad, false, nil, nil
}

// refuse ends a scan at a line that is not a record: a torn tail when it
// starts with a zero byte and nothing intact follows, damage otherwise.
func (s *scanner) refuse(line []byte, bad error) (*tail, error) {
	if len(line) > 1 && line[0] == 0 {
		return s.zeroLed(line)
	}
	return nil, s.damage(bad.Error())
}

// loop reads lines to the end, checks each one and hands it to fn. It
// returns as run does.
func (s *scanner) loop(ctx context.Context, fn lineFunc) (t *tail, err error) {
	for {
		l, line, bad, done, t, err := s.next(ctx)
		if done {
			return t, err
		}
		if bad == nil {
			if bad, err = fn(l); err != nil {
				return nil, err
			}
		}
		if bad != nil {
			return s.refuse(line, bad)
		}
		s.accept(l.body)
		s.off += int64(len(line))
	}
}

// loopAhead is loop on two goroutines: this one reads, hashes and checks
// the chain (which must be sequential), and copies the sealed lines in
// batches to fn on another. The result is the same as loop's: lines are
// handed to fn in order, and a line fn calls bad is damage at that line
// even when the reader has gone past it.
func (s *scanner) loopAhead(ctx context.Context, fn lineFunc) (*tail, error) {
	type batch struct {
		buf   []byte
		lines []sealed // bodies point into buf
	}
	const batchBytes = 1 << 20
	free := make(chan *batch, 4)
	full := make(chan *batch, 4)
	stop := make(chan struct{})
	for range cap(free) {
		free <- &batch{buf: make([]byte, 0, batchBytes+4096)}
	}
	var (
		endTail *tail
		endErr  error
	)
	go func() {
		defer close(full)
		send := func(b *batch) bool {
			select {
			case full <- b:
				return true
			case <-stop:
				return false
			}
		}
		b := <-free
		for {
			l, line, bad, done, t, err := s.next(ctx)
			if done {
				endTail, endErr = t, err
				break
			}
			if bad != nil {
				endTail, endErr = s.refuse(line, bad)
				break
			}
			if len(b.buf)+len(l.body) > cap(b.buf) && len(b.lines) > 0 {
				if !send(b) {
					return
				}
				select {
				case b = <-free:
				case <-stop:
					return
				}
			}
			start := len(b.buf)
			b.buf = append(b.buf, l.body...)
			l.body = b.buf[start:len(b.buf):len(b.buf)]
			b.lines = append(b.lines, l)
			s.accept(l.body)
			s.off += int64(len(line))
		}
		if len(b.lines) > 0 {
			send(b)
		}
	}()
	fail := func(err error) (*tail, error) {
		close(stop)
		for range full { // wait for the reader to stop
		}
		return nil, err
	}
	for b := range full {
		for _, l := range b.lines {
			bad, err := fn(l)
			if err != nil {
				return fail(err)
			}
			if bad != nil {
				return fail(&DamageError{Path: s.path, Record: int64(l.seq), Offset: l.off, Why: bad.Error()})
			}
		}
		b.buf, b.lines = b.buf[:0], b.lines[:0]
		free <- b
	}
	return endTail, endErr
}

func (s *scanner) accept(body []byte) {
	copy(s.prevHex[:], body[len(body)-hashHexLen:])
	s.prevRaw = s.nextRaw
	s.recs++
}

// record checks one line (without LF) completely and decodes it.
func (s *scanner) record(body []byte) (*Record, error) {
	if len(body) == 0 {
		return nil, lineErr("empty line")
	}
	prevAt, _, err := s.seal(body)
	if err != nil {
		return nil, err
	}
	// Its own state: under loopAhead, the visitor's belongs to the other
	// goroutine.
	var raw Raw
	pos := Pos{Off: s.off, Seq: uint64(s.recs + 1), Prev: s.prevHex}
	if err := readRaw(&raw, &rawState{}, body, prevAt, pos); err != nil {
		return nil, err
	}
	return raw.Record()
}

// incomplete classifies a last line without LF. It is a torn write,
// unless it is a whole valid record followed by one stray byte: then the
// line end itself was damaged and the record is refused, not dropped.
func (s *scanner) incomplete(line []byte) (*tail, error) {
	if len(line) >= 2 {
		if _, err := s.record(line[:len(line)-1]); err == nil {
			return nil, s.damage("the record is complete but its line end is damaged")
		}
	}
	return &tail{off: s.off, n: int64(len(line))}, nil
}

// zeroLed classifies a bad line that starts with a zero byte: the mark of
// file space that was allocated but never written before a crash. It is a
// torn tail unless an intact record follows somewhere after it.
func (s *scanner) zeroLed(line []byte) (*tail, error) {
	rest := append([]byte(nil), line...)
	for {
		b, err := s.br.ReadSlice('\n')
		rest = append(rest, b...)
		if len(rest) > maxTornTail {
			return nil, s.damage("bad bytes that do not look like a torn write")
		}
		if err == io.EOF {
			break
		}
		if err != nil && err != bufio.ErrBufferFull {
			return nil, fmt.Errorf("reading journal %s: %w", s.path, err)
		}
	}
	for seg := rest; len(seg) > 0; {
		i := bytes.IndexByte(seg, '\n')
		if i < 0 {
			break
		}
		cand := bytes.TrimLeft(seg[:i], "\x00")
		if len(cand) > 0 {
			if _, _, err := checkSeal(cand); err == nil {
				return nil, s.damage("zero bytes in the middle of the journal, followed by intact records")
			}
		}
		seg = seg[i+1:]
	}
	return &tail{off: s.off, n: int64(len(rest))}, nil
}

// Scan reads the journal at path from the start and calls visit with
// every record, in order, each checked completely (framing, checksum,
// seq, chain) before visit sees it. It reads ahead on a second goroutine.
// It does not lock, and an incomplete tail (a writer mid-append, or a
// torn tail a crash left) ends the scan quietly; damage anywhere else is
// a *DamageError. It returns the position after the last record.
func Scan(ctx context.Context, path string, visit func(*Raw) error) (Pos, error) {
	f, err := openJournalFile(path)
	if err != nil {
		return Pos{}, fmt.Errorf("loading journal: %w", err)
	}
	defer f.Close()
	s := newScanner(path, f)
	if _, err := s.loopAhead(ctx, visitor(visit)); err != nil {
		return Pos{}, err
	}
	return s.pos(), nil
}

// ScanFrom is Scan from the position from (the zero Pos is the start),
// on one goroutine: for short reads. It returns the position before the
// first record it did not finish with, also with an error.
func ScanFrom(ctx context.Context, path string, from Pos, visit func(*Raw) error) (Pos, error) {
	f, err := openJournalFile(path)
	if err != nil {
		return from, fmt.Errorf("reading journal: %w", err)
	}
	defer f.Close()
	if from.Seq > 1 {
		if _, err := f.Seek(from.Off, io.SeekStart); err != nil {
			return from, fmt.Errorf("reading journal %s: %w", path, err)
		}
	}
	s := newScanner(path, f)
	if from.Seq > 1 && !s.startAt(from) {
		return from, fmt.Errorf("journal %s: bad hash before record %d", path, from.Seq)
	}
	_, err = s.loop(ctx, visitor(visit))
	return s.pos(), err
}
