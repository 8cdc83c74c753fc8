package batch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// referenceBook folds a journal the plain way, every record decoded to a
// Record and applied: what replay's in-place views must agree with.
func referenceBook(ctx context.Context, path string) (*Book, error) {
	b := newBook(path)
	end, err := journal.ScanFrom(ctx, path, journal.Pos{}, func(raw *journal.Raw) error {
		r, err := raw.Record()
		if err != nil {
			return err
		}
		b.Apply(r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if end.Seq <= 1 {
		return nil, &journal.DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record"}
	}
	b.Records, b.HeadHash = end.Records(), end.Head()
	return b, nil
}

// committedByOrders sums the spending cap's rule order by order, from
// scratch: what the book keeps as it applies records must equal it.
func committedByOrders(b *Book) juhe.Money {
	var sum juhe.Money
	b.Orders(func(o *OrderState) error {
		if o.Intents == 0 {
			return nil
		}
		switch st := o.Status(); st {
		case StatusRejected:
			if o.notFoundSeq == 0 {
				return nil
			}
		case StatusCharging, StatusSuccess, StatusFailed:
			c, ok := o.Cost()
			if o.SubmitHasCost && ok {
				c = max(c, o.SubmitCost) // a lower cost answered later never lowers it
			}
			var key order
			if i, found := b.find([]byte(o.OrderID), &key); found {
				if k, has := b.spend.kept[i]; has {
					c, ok = max(c, k), true // an earlier query's, higher
				}
			}
			if ok {
				sum += c
				return nil
			}
		}
		sum += b.Price(o.Pid, nil)
		return nil
	})
	return sum
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
	if g, w := got.Committed(nil), want.Committed(nil); g != w || !reflect.DeepEqual(got.spend, want.spend) {
		return fmt.Sprintf("committed %s (%+v), want %s (%+v)", g, got.spend, w, want.spend)
	}
	if g, w := got.Committed(nil), committedByOrders(got); g != w {
		return fmt.Sprintf("committed %s as kept, %s summed order by order", g, w)
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
	hexA, hexB := input.OrderID("B", "15925601712", "10", 1), input.OrderID("B", "15925601713", "20", 1)
	row := func(line int, phone, pid, oid string, st journal.RowStatus) *journal.Record {
		return &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: line, Phone: phone, Pid: pid, OrderID: oid, Occurrence: 1, Status: st, DupOf: line - 1, Reason: "r\tx", Extra: []string{"a\\b", ""}}}
	}
	recs := []*journal.Record{
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v1.csv", Rows: 2, Extra: []string{"x"}}},
		row(2, "15925601712", "10", hexA, journal.RowValid), row(3, "059", "p\t1", "text-id\\1", journal.RowValid),
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 2}},
		{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "STRAY", Attempt: 1}},
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v2.csv", Rows: 5, Extra: []string{"名", "d\tx"}}},
		row(2, "15925601712", "10", hexA, journal.RowValid), row(3, "", "", "", journal.RowInvalid),
		row(4, "1592560171X", "20", hexB, journal.RowDuplicate), row(5, "15925601713", "20", hexB, journal.RowValid),
		row(6, "9999999999999999999", "10", "UPPER"+hexA[5:], journal.RowValid),
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 5}},
		{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: hexA, Attempt: 1}},
		{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: hexA, Class: juhe.ClassAccepted, Code: 0, Reason: "成功", SporderID: "J1", Cost: 19630, HasCost: true}, CardName: "移动\\1G"}},
		{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: hexA, SporderID: "J1", State: juhe.StateSuccess, ErrMsg: "e\n"}},
		{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: hexA, Class: juhe.ClassAccepted, SporderID: "J1", Cost: 19000, HasCost: true}, State: juhe.StateSuccess}},
		{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: hexA, Class: juhe.ClassAccepted, SporderID: "J2", Cost: 19000, HasCost: true}, State: juhe.StateFailed}},
		{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: hexB, Attempt: 1}},
		{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: hexB, Class: juhe.ClassUnknown, Code: wideInt(1 << 40), Reason: "timeout"}}},
		{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: hexB, Class: juhe.ClassNotFound, Code: wideInt(-(1 << 35)), Reason: "no such order"}}},
		{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "text-id\\1", Attempt: 1}},
		{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "text-id\\1", Class: juhe.ClassThrottled, Code: 10012}}},
		{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: "UNKNOWN", SporderID: "S9", State: juhe.GameState(wideInt(1 << 33))}},
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v3-crashed.csv", Rows: 9}},
		row(2, "15925601719", "10", "Z", journal.RowValid),
	}
	path := filepath.Join(t.TempDir(), "r.journal")
	j, _, err := CreateJournal(ctx, path, journal.Header{BatchID: "B", Settings: map[string]string{"rate": "10"}})
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
	if o, _ := got.Order(hexB); o.QueryCode != wideInt(-(1<<35)) || o.SubmitCode != wideInt(1<<40) || o.Phone != "15925601713" {
		t.Errorf("wide numbers or phone lost: %+v", o)
	}
	if o, _ := got.Order("UNKNOWN"); o.CallbackState != juhe.GameState(wideInt(1<<33)) || o.InInput {
		t.Errorf("callback-only order: %+v", o)
	}
}

// TestWideSeqsAndCodes: seqs past 2^32 and codes past int32, which the
// compact order keeps aside, still order the status rules and read back.
func TestWideSeqsAndCodes(t *testing.T) {
	const big = uint64(1) << 33
	b := plannedBook(t)
	for _, step := range []struct {
		r    *journal.Record
		want Status
		code int
	}{
		{bkIntent(), StatusUnknown, 0},
		{&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassThrottled, Code: wideInt(1 << 40)}}}, StatusNotSubmitted, wideInt(1 << 40)},
		{bkIntent(), StatusUnknown, wideInt(1 << 40)},
		{&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: 7}}}, StatusUnknown, 7},
		{&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassNotFound, Code: wideInt(-(1 << 35))}}}, StatusNotSubmitted, wideInt(-(1 << 35))},
		{bkIntent(), StatusUnknown, wideInt(-(1 << 35))},
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

// FuzzBookReplay: LoadBook, which replays through the journal's views,
// agrees with folding every decoded record, on whatever the journal
// reader accepts, and refuses what it refuses. It starts from the journal
// package's FuzzJournal seeds.
func FuzzBookReplay(f *testing.F) {
	seeds, err := filepath.Glob("journal/testdata/fuzz/FuzzJournal/*")
	if err != nil || len(seeds) == 0 {
		f.Fatalf("no FuzzJournal seeds: %v", err)
	}
	for _, p := range seeds {
		f.Add(readCorpusBytes(f, p))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.journal")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		b, lerr := LoadBook(ctx, path)
		ref, rerr := referenceBook(ctx, path)
		if (rerr == nil) != (lerr == nil) {
			t.Fatalf("LoadBook: %v; decoding every record: %v", lerr, rerr)
		}
		if lerr != nil {
			return
		}
		if d := sameBooks(b, ref); d != "" {
			t.Fatalf("LoadBook and decoding every record differ: %s", d)
		}
		b.Counts()
		b.Orders(func(o *OrderState) error { o.Status(); o.Source(); o.Cost(); return nil })
		b.Rows(ctx, func(*journal.RowRecord) error { return nil })
	})
}

// readCorpusBytes reads a one-[]byte file of go's fuzz corpus format.
func readCorpusBytes(tb testing.TB, path string) []byte {
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	lines := strings.SplitN(string(raw), "\n", 2)
	if len(lines) != 2 || lines[0] != "go test fuzz v1" {
		tb.Fatalf("%s: not a fuzz corpus file", path)
	}
	lit := strings.TrimSpace(lines[1])
	if !strings.HasPrefix(lit, "[]byte(") || !strings.HasSuffix(lit, ")") {
		tb.Fatalf("%s: not one []byte", path)
	}
	s, err := strconv.Unquote(lit[len("[]byte(") : len(lit)-1])
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return []byte(s)
}
