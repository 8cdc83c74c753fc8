package batch

import (
	"context"
	"math"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// TestOrderIs128Bytes: the compact order is most of reconcile's memory on
// a million orders (BENCHMARKS.md §4b: under 400 MB). A field added to it
// must come out of its room, or the benchmark must be measured again.
func TestOrderIs128Bytes(t *testing.T) {
	if n := unsafe.Sizeof(order{}); n > 128 {
		t.Errorf("order is %d bytes, more than 128", n)
	}
}

// wideInt is v as an int: past 32 bits it is the value itself on a 64-bit
// platform, and what int(v) keeps of it on a 32-bit one, where no row
// number or code can be wider (the test files build for GOARCH=386).
func wideInt(v int64) int { return int(v) }

// TestWideNumbersKeepTheirValues: times, row numbers, costs, counts and
// callback states that do not fit the compact order's narrow fields read
// back exactly, through Apply and through the journal's in-place replay,
// and the times and costs that do fit read back too.
func TestWideNumbersKeepTheirValues(t *testing.T) {
	const (
		t0  = int64(1_767_225_600_000) // 2026-01-01 00:00 UTC: the first time the book keeps
		day = int64(86_400_000)
	)
	ms := func(d int64) int64 { return t0 + d }
	row := func(line, dupOf int, oid string, st journal.RowStatus) *journal.Record {
		return &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: line, Phone: "15925601712", Pid: "10", OrderID: oid, Occurrence: 1, Status: st, DupOf: dupOf}}
	}
	at := func(when int64, r *journal.Record) *journal.Record { r.At = when; return r }
	intent := func(id string) *journal.Record {
		return &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}}
	}
	submit := func(id string, cost juhe.Money) *journal.Record {
		return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id, Cost: cost, HasCost: true}}}
	}
	query := func(id string, cost juhe.Money, st juhe.GameState) *journal.Record {
		return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id, Cost: cost, HasCost: true}, State: st}}
	}
	callback := func(id string, st juhe.GameState) *journal.Record {
		return &journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: id, SporderID: "J" + id, State: st}}
	}

	recs := []*journal.Record{
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "in.csv", Rows: 4}},
		row(2, 0, "A", journal.RowValid),
		row(wideInt(1<<40), 0, "B", journal.RowValid),
		row(wideInt(math.MaxInt32+1), wideInt(-(1 << 33)), "C", journal.RowDuplicate),
		row(5, 2, "D", journal.RowDuplicate),
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 4}},
		// A: every time fits (the epoch is t0 less 1 ms); costs fit.
		at(ms(0), intent("A")), at(ms(1), submit("A", 19_630)),
		at(ms(-10*day), callback("A", juhe.StateSuccess)), at(ms(20*day), query("A", 19_000, juhe.StateSuccess)),
		// B: times a month away and before the epoch's range, a cost past
		// 32 bits, a callback state past 8 bits.
		at(ms(40*day), intent("B")), at(ms(-30*day), submit("B", 1<<40)),
		at(ms(-1), callback("B", 1000)), at(ms(int64(math.MinInt32)-1), query("B", -(1<<35), juhe.StateFailed)),
		// C: the epoch itself (an offset of 0 is "no time"), the last offset
		// that fits, and one past 32 bits.
		at(ms(-1), intent("C")), at(ms(int64(math.MinInt32)-1+1), submit("C", -7)),
		at(ms(1<<45), callback("C", -200)),
	}
	// D: more intents and outcomes than 16 bits count.
	const many = 1<<16 + 3
	for k := 0; k < many; k++ {
		recs = append(recs, at(ms(2), intent("D")))
		if k < many-1 {
			recs = append(recs, at(ms(3), &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "D", Class: juhe.ClassThrottled, Code: 10012}}}))
		}
	}

	want := map[string]OrderState{
		"A": {Line: 2, Intents: 1, Outcomes: 1, SubmittedAt: ms(0), LastIntentAt: ms(0), LastOutcomeAt: ms(1), ChargedAt: ms(1),
			SubmitCost: 19_630, QueryCost: 19_000, QueryAt: ms(20 * day), FinalAt: ms(20 * day), CallbackAt: ms(-10 * day), CallbackState: juhe.StateSuccess},
		"B": {Line: wideInt(1 << 40), Intents: 1, Outcomes: 1, SubmittedAt: ms(40 * day), LastIntentAt: ms(40 * day), LastOutcomeAt: ms(-30 * day), ChargedAt: ms(-30 * day),
			SubmitCost: 1 << 40, QueryCost: -(1 << 35), QueryAt: ms(int64(math.MinInt32) - 1), FinalAt: ms(int64(math.MinInt32) - 1), CallbackAt: ms(-1), CallbackState: 1000},
		"C": {Line: wideInt(math.MaxInt32 + 1), DupOf: wideInt(-(1 << 33)), Intents: 1, Outcomes: 1, SubmittedAt: ms(-1), LastIntentAt: ms(-1), LastOutcomeAt: ms(int64(math.MinInt32)), ChargedAt: ms(int64(math.MinInt32)),
			SubmitCost: -7, CallbackAt: ms(1 << 45), CallbackState: -200},
		"D": {Line: 5, DupOf: 2, Intents: many, Outcomes: many - 1, SubmittedAt: ms(2), LastIntentAt: ms(2), LastOutcomeAt: ms(3), CallbackState: juhe.StateNone},
	}
	check := func(t *testing.T, how string, b *Book) {
		t.Helper()
		for id, w := range want {
			o, ok := b.Order(id)
			if !ok {
				t.Fatalf("%s: no order %s", how, id)
			}
			got := OrderState{Line: o.Line, DupOf: o.DupOf, Intents: o.Intents, Outcomes: o.Outcomes,
				SubmittedAt: o.SubmittedAt, LastIntentAt: o.LastIntentAt, LastOutcomeAt: o.LastOutcomeAt, ChargedAt: o.ChargedAt,
				SubmitCost: o.SubmitCost, QueryCost: o.QueryCost, QueryAt: o.QueryAt, FinalAt: o.FinalAt,
				CallbackAt: o.CallbackAt, CallbackState: o.CallbackState}
			if got != w {
				t.Errorf("%s: order %s\n got %+v\nwant %+v", how, id, got, w)
			}
		}
		if o, _ := b.Order("D"); o.Status() != StatusUnknown {
			t.Errorf("%s: order D is %s, want unknown (its last intent has no outcome)", how, o.Status())
		}
		if o, _ := b.Order("B"); o.Status() != StatusFailed {
			t.Errorf("%s: order B is %s", how, o.Status())
		} else if c, ok := o.Cost(); !ok || c != -(1<<35) {
			t.Errorf("%s: order B costs %d, %v", how, c, ok)
		}
	}

	// Through Apply, record by record, as the engine does.
	applied := newBook("")
	seq := uint64(1)
	applied.Apply(&journal.Record{Seq: seq, Type: journal.RecHeader, Header: &journal.Header{BatchID: "B"}})
	for _, r := range recs {
		seq++
		r.Seq = seq
		applied.Apply(r)
	}
	check(t, "Apply", applied)

	// Through a journal on disk, replayed in place as LoadBook and
	// OpenJournal do.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.journal")
	j, _, err := CreateJournal(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		r.Seq = 0
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	loaded, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "LoadBook", loaded)
}
