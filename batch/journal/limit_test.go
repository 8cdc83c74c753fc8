package journal

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
)

// TestJournalLineLimit holds the writer and the reader to one limit:
// the longest record the writer accepts, with the longest seq, is a line
// of exactly maxLine bytes, which the reader reads; a byte more and the
// writer refuses it, and the reader would too.
func TestJournalLineLimit(t *testing.T) {
	rec := func(n int) *Record {
		return &Record{Type: RecCallback, At: 1, Callback: &CallbackNote{OrderID: "A", State: 9, ErrMsg: strings.Repeat("\t", n/2) + strings.Repeat("x", n%2)}}
	}
	base, err := appendBody(nil, rec(0))
	if err != nil {
		t.Fatal(err)
	}
	fits := maxBody - len(base) // escaped: each TAB is two bytes
	body, err := appendBody(nil, rec(fits))
	if err != nil || len(body) != maxBody {
		t.Fatalf("a body of exactly %d bytes: %d bytes, %v", maxBody, len(body), err)
	}
	if _, err := appendBody(nil, rec(fits+1)); err == nil || !strings.Contains(err.Error(), "longer than a journal line holds") {
		t.Fatalf("a body one byte over: %v", err)
	}

	var zero [32]byte
	line, _ := sealLine(nil, math.MaxUint64, body, &zero, zeroHashHex)
	if len(line) != maxLine {
		t.Fatalf("the longest line the writer makes is %d bytes, the reader reads %d", len(line), maxLine)
	}
	s := newScanner("x", bytes.NewReader(line))
	if got, err := s.readLine(); err != nil || len(got) != maxLine {
		t.Fatalf("reader on a line of maxLine bytes: %d bytes, %v", len(got), err)
	}
	over := append(bytes.Clone(line[:len(line)-1]), 'x', '\n')
	s = newScanner("x", bytes.NewReader(over))
	if _, err := s.readLine(); err != errLineTooLong {
		t.Fatalf("reader on a line of maxLine+1 bytes: %v", err)
	}

	// And through a real journal: the record that just fits is written,
	// read back and verified.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "big.journal")
	j, _, err := Create(ctx, path, Header{BatchID: "B", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, rec(fits)); err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, rec(fits+1)); err == nil {
		t.Fatal("Append took a record longer than a journal line")
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if v, err := Verify(ctx, path); err != nil || v.Records != 2 {
		t.Fatalf("verify: %+v %v", v, err)
	}
}
