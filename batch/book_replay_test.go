package batch

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// referenceBook folds a journal the plain way, every record decoded to a
// Record and applied: what replay's in-place parsing must agree with.
func referenceBook(ctx context.Context, path string) (*Book, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := newBook(path)
	s := newScanner(path, f)
	if _, err := s.run(ctx, func(r *Record, off int64) error { b.apply(r, off); return nil }); err != nil {
		return nil, err
	}
	if s.recs == 0 {
		return nil, &DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record"}
	}
	b.Records, b.HeadHash = s.recs, string(s.prevHex[:])
	return b, nil
}

// sameBooks reports how two books differ, or "" when they do not.
func sameBooks(got, want *Book) string {
	if got.Records != want.Records || got.HeadHash != want.HeadHash {
		return fmt.Sprintf("records %d head %s, want %d %s", got.Records, got.HeadHash, want.Records, want.HeadHash)
	}
	if !reflect.DeepEqual(got.Header, want.Header) || !reflect.DeepEqual(got.Input, want.Input) {
		return fmt.Sprintf("header/input %+v %+v, want %+v %+v", got.Header, got.Input, want.Header, want.Input)
	}
	if g, w := got.Counts(), want.Counts(); !reflect.DeepEqual(g, w) {
		return fmt.Sprintf("counts %+v, want %+v", g, w)
	}
	list := func(b *Book) (out []OrderState) {
		b.Orders(func(o *OrderState) error { out = append(out, *o); return nil })
		return out
	}
	g, w := list(got), list(want)
	if len(g) != len(w) {
		return fmt.Sprintf("%d orders, want %d", len(g), len(w))
	}
	for i := range g {
		if !reflect.DeepEqual(g[i], w[i]) {
			return fmt.Sprintf("order %d:\n got %+v\nwant %+v", i, g[i], w[i])
		}
		if o, ok := got.Order(w[i].OrderID); !ok || !reflect.DeepEqual(*o, w[i]) {
			return fmt.Sprintf("Order(%q) = %+v, %v", w[i].OrderID, o, ok)
		}
	}
	return ""
}

// TestReplayMatchesDecoder: LoadBook and OpenJournal (in-place parsing,
// compact book) give the same book as decoding every record, for odd
// orderids, phones, escapes, wide numbers, repeated ids and sections.
func TestReplayMatchesDecoder(t *testing.T) {
	ctx := context.Background()
	hexA, hexB := OrderID("B", "15925601712", "10", 1), OrderID("B", "15925601713", "20", 1)
	row := func(line int, phone, pid, oid string, st RowStatus) *Record {
		return &Record{Type: RecRow, Row: &RowRecord{Line: line, Phone: phone, Pid: pid, OrderID: oid, Occurrence: 1, Status: st, DupOf: line - 1, Reason: "r\tx", Extra: []string{"a\\b", ""}}}
	}
	recs := []*Record{
		{Type: RecInput, Input: &InputInfo{Name: "v1.csv", Rows: 2, Extra: []string{"x"}}},
		row(2, "15925601712", "10", hexA, RowValid), row(3, "059", "p\t1", "text-id\\1", RowValid),
		{Type: RecPlanned, Planned: &Planned{Rows: 2}},
		{Type: RecIntent, Intent: &Intent{OrderID: "STRAY", Attempt: 1}},
		{Type: RecInput, Input: &InputInfo{Name: "v2.csv", Rows: 5, Extra: []string{"名", "d\tx"}}},
		row(2, "15925601712", "10", hexA, RowValid), row(3, "", "", "", RowInvalid),
		row(4, "1592560171X", "20", hexB, RowDuplicate), row(5, "15925601713", "20", hexB, RowValid),
		row(6, "9999999999999999999", "10", "UPPER"+hexA[5:], RowValid),
		{Type: RecPlanned, Planned: &Planned{Rows: 5}},
		{Type: RecIntent, Intent: &Intent{OrderID: hexA, Attempt: 1}},
		{Type: RecSubmit, Submit: &SubmitResult{OrderID: hexA, Class: juhe.ClassAccepted, Code: 0, Reason: "成功", SporderID: "J1", Cost: 19630, HasCost: true, CardName: "移动\\1G"}},
		{Type: RecCallback, Callback: &CallbackNote{OrderID: hexA, SporderID: "J1", State: juhe.StateSuccess, ErrMsg: "e\n"}},
		{Type: RecQuery, Query: &QueryResult{OrderID: hexA, Class: juhe.ClassAccepted, State: juhe.StateSuccess, SporderID: "J1", Cost: 19000, HasCost: true}},
		{Type: RecQuery, Query: &QueryResult{OrderID: hexA, Class: juhe.ClassAccepted, State: juhe.StateFailed, SporderID: "J2", Cost: 19000, HasCost: true}},
		{Type: RecIntent, Intent: &Intent{OrderID: hexB, Attempt: 1}},
		{Type: RecSubmit, Submit: &SubmitResult{OrderID: hexB, Class: juhe.ClassUnknown, Code: 1 << 40, Reason: "timeout"}},
		{Type: RecQuery, Query: &QueryResult{OrderID: hexB, Class: juhe.ClassNotFound, Code: -(1 << 35), Reason: "no such order"}},
		{Type: RecIntent, Intent: &Intent{OrderID: "text-id\\1", Attempt: 1}},
		{Type: RecSubmit, Submit: &SubmitResult{OrderID: "text-id\\1", Class: juhe.ClassThrottled, Code: 10012}},
		{Type: RecCallback, Callback: &CallbackNote{OrderID: "UNKNOWN", SporderID: "S9", State: juhe.GameState(1 << 33)}},
		{Type: RecInput, Input: &InputInfo{Name: "v3-crashed.csv", Rows: 9}},
		row(2, "15925601719", "10", "Z", RowValid),
	}
	path := filepath.Join(t.TempDir(), "r.journal")
	j, _, err := CreateJournal(ctx, path, Header{BatchID: "B", Settings: map[string]string{"rate": "10"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()

	want, err := referenceBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if d := sameBooks(got, want); d != "" {
		t.Errorf("LoadBook: %s", d)
	}
	j, open, err := OpenJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if d := sameBooks(open, want); d != "" {
		t.Errorf("OpenJournal: %s", d)
	}
	if o, _ := got.Order(hexB); o.QueryCode != -(1<<35) || o.SubmitCode != 1<<40 || o.Phone != "15925601713" {
		t.Errorf("wide numbers or phone lost: %+v", o)
	}
	if o, _ := got.Order("UNKNOWN"); o.CallbackState != juhe.GameState(1<<33) || o.InInput {
		t.Errorf("callback-only order: %+v", o)
	}
}

// TestReplayRefusesAsDecoder: a line with a valid checksum that the
// decoder refuses is damage for LoadBook too, at the same record.
func TestReplayRefusesAsDecoder(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, body string }{
		{"bad time", "R\tx\t2\tvalid\t1\t10\tO\t1\t0\t\t0\t"},
		{"bad row status", "R\t1\t2\tvalidish\t1\t10\tO\t1\t0\t\t0\t"},
		{"bad escape", "R\t1\t2\tvalid\t1\\q\t10\tO\t1\t0\t\t0\t"},
		{"extra count too big", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t3\ta\t"},
		{"extra count too small", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t0\ta\t"},
		{"bad extra escape", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t1\ta\\\t"},
		{"intent field missing", "T\t1\tO\t"},
		{"bad class", "S\t1\tO\tfine\t0\t\t\t\t\t"},
		{"bad cost", "Q\t1\tO\taccepted\t0\t1\t\t01\t\t"},
		{"non-canonical number", "T\t1\tO\t01\t"},
		{"callback too many fields", "C\t1\tO\t\t1\t\tx\t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.journal")
			j, _, err := createJournal(ctx, path, Header{BatchID: "B"}, true)
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			// Append a hand-made body, sealed as the writer would.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := VerifyJournal(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			var prevRaw [32]byte
			decodeHash([]byte(v.HeadHash), &prevRaw)
			data, _ = sealLine(data, 2, []byte(tc.body), &prevRaw, []byte(v.HeadHash))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, rerr := referenceBook(ctx, path)
			_, lerr := LoadBook(ctx, path)
			var rd, ld *DamageError
			if !errors.As(rerr, &rd) || !errors.As(lerr, &ld) {
				t.Fatalf("reference %v, LoadBook %v: both must be damage", rerr, lerr)
			}
			if rd.Record != ld.Record || rd.Offset != ld.Offset || rd.Why != ld.Why {
				t.Errorf("LoadBook %v, decoder %v", ld, rd)
			}
		})
	}
}

// TestWideSeqsAndCodes: seqs past 2^32 and codes past int32, which the
// compact order keeps aside, still order the status rules and read back.
func TestWideSeqsAndCodes(t *testing.T) {
	const big = uint64(1) << 33
	b := plannedBook(t)
	for _, step := range []struct {
		r    *Record
		want Status
		code int
	}{
		{bkIntent(), StatusUnknown, 0},
		{&Record{Type: RecSubmit, Submit: &SubmitResult{OrderID: "O", Class: juhe.ClassThrottled, Code: 1 << 40}}, StatusNotSubmitted, 1 << 40},
		{bkIntent(), StatusUnknown, 1 << 40},
		{&Record{Type: RecSubmit, Submit: &SubmitResult{OrderID: "O", Class: juhe.ClassUnknown, Code: 7}}, StatusUnknown, 7},
		{&Record{Type: RecQuery, Query: &QueryResult{OrderID: "O", Class: juhe.ClassNotFound, Code: -(1 << 35)}}, StatusNotSubmitted, -(1 << 35)},
		{bkIntent(), StatusUnknown, -(1 << 35)},
	} {
		big := big + uint64(b.Records)
		step.r.Seq = big
		b.Apply(step.r)
		o, _ := b.Order("O")
		if o.Status() != step.want || o.Code != step.code {
			t.Fatalf("after %c at seq %d: status %s code %d, want %s %d", step.r.Type, big, o.Status(), o.Code, step.want, step.code)
		}
		if got := b.Counts().ByStatus[step.want]; got != 1 {
			t.Fatalf("after %c: Counts has %d %s", step.r.Type, got, step.want)
		}
	}
}
