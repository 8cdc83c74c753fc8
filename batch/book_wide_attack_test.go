package batch

// Attacks on the compact order (book_compact.go): every number the Book
// keeps in a narrow field, with a sentinel or an offset from the book's
// epoch, must read back as it was applied, through Apply and through
// LoadBook's in-place replay. The values are chosen at the marks: 0 (no
// time), the epoch itself, the wide marks (MinInt32, MaxUint32, MinInt8,
// MaxUint16), the last values that fit and the first that do not, and
// fields rewritten from wide to narrow and back.
//
// The constants stay within 32 bits so that the file builds for
// GOARCH=386; values wider than an int there come from int64 variables.

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

const atkT0 = int64(1_767_225_600_000) // 2026-01-01 00:00 UTC

func atkIntent(at int64, id string) *journal.Record {
	return &journal.Record{Type: journal.RecIntent, At: at, Intent: &journal.Intent{OrderID: id, Attempt: 1}}
}

func atkSubmit(at int64, id string, class juhe.Class, cost juhe.Money) *journal.Record {
	a := journal.Answer{OrderID: id, Class: class, Code: 10012}
	if class == juhe.ClassAccepted {
		a = journal.Answer{OrderID: id, Class: class, SporderID: "J" + id, Cost: cost, HasCost: true}
	}
	return &journal.Record{Type: journal.RecSubmit, At: at, Submit: &journal.SubmitResult{Answer: a}}
}

func atkQuery(at int64, id string, st juhe.GameState, cost juhe.Money) *journal.Record {
	return &journal.Record{Type: journal.RecQuery, At: at, Query: &journal.QueryResult{State: st,
		Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id, Cost: cost, HasCost: cost != 0}}}
}

func atkCallback(at int64, id string, st juhe.GameState) *journal.Record {
	return &journal.Record{Type: journal.RecCallback, At: at, Callback: &journal.CallbackNote{OrderID: id, SporderID: "J" + id, State: st}}
}

func atkRow(line, dupOf int, id string) *journal.Record {
	st := journal.RowValid
	if dupOf != 0 {
		st = journal.RowDuplicate
	}
	return &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: line, Phone: "15925601712", Pid: "10",
		OrderID: id, Occurrence: 1, Status: st, DupOf: dupOf}}
}

func atkInput(name string, rows int) *journal.Record {
	return &journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: name, Rows: rows}}
}

func atkPlanned(rows int) *journal.Record {
	return &journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: rows}}
}

// atkApply folds recs into a new book through Apply, as the engine does,
// with seqs from 2 (1 is the header).
func atkApply(recs []*journal.Record) *Book {
	b := newBook("")
	b.Apply(&journal.Record{Seq: 1, Type: journal.RecHeader, Header: &journal.Header{BatchID: "B"}})
	for k, r := range recs {
		c := *r
		c.Seq = uint64(k + 2)
		b.Apply(&c)
	}
	return b
}

// atkLoad writes recs to a journal and loads it, as LoadBook does.
func atkLoad(t *testing.T, recs []*journal.Record) *Book {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.journal")
	j, _, err := CreateJournal(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	cp := make([]*journal.Record, len(recs))
	for k, r := range recs {
		c := *r
		c.Seq = 0
		cp[k] = &c
	}
	if err := j.Append(ctx, cp...); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// atkBoth runs check on the book of recs through Apply and through LoadBook.
func atkBoth(t *testing.T, recs []*journal.Record, check func(t *testing.T, b *Book)) {
	t.Helper()
	t.Run("Apply", func(t *testing.T) { check(t, atkApply(recs)) })
	t.Run("LoadBook", func(t *testing.T) { check(t, atkLoad(t, recs)) })
}

func atkOrder(t *testing.T, b *Book, id string) *OrderState {
	t.Helper()
	o, ok := b.Order(id)
	if !ok {
		t.Fatalf("no order %s", id)
	}
	return o
}

type atkTimes struct {
	SubmittedAt, LastIntentAt, LastOutcomeAt, ChargedAt, QueryAt, FinalAt, CallbackAt int64
}

func atkTimesOf(o *OrderState) atkTimes {
	return atkTimes{o.SubmittedAt, o.LastIntentAt, o.LastOutcomeAt, o.ChargedAt, o.QueryAt, o.FinalAt, o.CallbackAt}
}

// TestWideTimeAtOneMillisecond: a first time of 1 ms after the unix epoch
// makes the book's epoch 0, which putTime takes for "no epoch yet": the
// next time it keeps moves the epoch, and every time kept against the old
// one reads back moved with it. The journal takes any time; a machine
// whose clock is at 1970 (no RTC, no NTP yet) writes such times.
func TestWideTimeAtOneMillisecond(t *testing.T) {
	recs := []*journal.Record{
		atkIntent(1, "A"), atkSubmit(1, "A", juhe.ClassAccepted, 19_630),
		atkIntent(atkT0, "B"),
	}
	atkBoth(t, recs, func(t *testing.T, b *Book) {
		if got, want := atkTimesOf(atkOrder(t, b, "A")), (atkTimes{SubmittedAt: 1, LastIntentAt: 1, LastOutcomeAt: 1, ChargedAt: 1}); got != want {
			t.Errorf("order A's times\n got %+v\nwant %+v", got, want)
		}
		if got := atkOrder(t, b, "B").LastIntentAt; got != atkT0 {
			t.Errorf("order B's last intent at %d, want %d", got, atkT0)
		}
	})
}

// TestWideTimesAtTheMarks: every time field of an order, at each time
// near a mark of the epoch's offsets, reads back; the epoch is pinned by
// an earlier order at atkT0 (epoch atkT0-1).
func TestWideTimesAtTheMarks(t *testing.T) {
	epoch := atkT0 - 1
	times := []int64{
		epoch, epoch + 1, epoch - 1, // offset 0 is "no time"
		epoch + math.MaxInt32, epoch + math.MaxInt32 + 1,
		epoch + math.MinInt32, epoch + math.MinInt32 + 1, epoch + math.MinInt32 - 1,
		epoch - math.MaxUint32, epoch + math.MaxUint32, epoch + math.MaxUint16,
		-1, 1, 2, -epoch, math.MinInt32, math.MaxInt32,
		999_999_999_999_999_999, -999_999_999_999_999_999, // the journal's widest times
	}
	recs := []*journal.Record{atkIntent(atkT0, "E")}
	for k, at := range times {
		id := fmt.Sprintf("T%d", k)
		recs = append(recs, atkIntent(at, id), atkSubmit(at, id, juhe.ClassAccepted, 100),
			atkCallback(at, id, juhe.StateSuccess), atkQuery(at, id, juhe.StateSuccess, 100))
	}
	atkBoth(t, recs, func(t *testing.T, b *Book) {
		for k, at := range times {
			o := atkOrder(t, b, fmt.Sprintf("T%d", k))
			want := atkTimes{at, at, at, at, at, at, at}
			if got := atkTimesOf(o); got != want {
				t.Errorf("times at %d (epoch%+d)\n got %+v\nwant %+v", at, at-epoch, got, want)
			}
		}
		if got := atkOrder(t, b, "E").LastIntentAt; got != atkT0 {
			t.Errorf("order E's last intent at %d, want %d", got, atkT0)
		}
	})
}

// TestWideTimesRewritten: the times a later record rewrites (last intent,
// last outcome, query, callback) go from narrow to wide and back, and each
// step reads back; the first ones (submitted, charged, final) keep theirs.
func TestWideTimesRewritten(t *testing.T) {
	epoch := atkT0 - 1
	steps := []int64{atkT0 + 5, epoch + 1<<40, atkT0 + 7, epoch, atkT0 + 9, epoch + math.MinInt32, -3, atkT0 + 11}
	var recs []*journal.Record
	for k, at := range steps {
		recs = append(recs, atkIntent(at, "R"), atkSubmit(at+1, "R", juhe.ClassThrottled, 0),
			atkCallback(at+2, "R", juhe.StateCharging), atkQuery(at+3, "R", juhe.StateCharging, 0))
		n := len(recs)
		want := atkTimes{SubmittedAt: steps[0], LastIntentAt: at, LastOutcomeAt: at + 1, ChargedAt: steps[0] + 2, QueryAt: at + 3, CallbackAt: at + 2}
		t.Run(fmt.Sprintf("step%d", k), func(t *testing.T) {
			atkBoth(t, recs[:n:n], func(t *testing.T, b *Book) {
				if got := atkTimesOf(atkOrder(t, b, "R")); got != want {
					t.Errorf("after the intent at %d (epoch%+d)\n got %+v\nwant %+v", at, at-epoch, got, want)
				}
			})
		})
	}
	// A final state confirmed at a wide time, then charging answers at
	// narrow times: FinalAt keeps the first.
	recs = append(recs, atkQuery(epoch+1<<33, "R", juhe.StateSuccess, 0), atkQuery(atkT0+20, "R", juhe.StateSuccess, 0))
	atkBoth(t, recs, func(t *testing.T, b *Book) {
		o := atkOrder(t, b, "R")
		if o.FinalAt != epoch+1<<33 || o.QueryAt != epoch+1<<33 {
			t.Errorf("final at %d, query at %d, want both %d", o.FinalAt, o.QueryAt, epoch+1<<33)
		}
	})
}

// TestWideCountsAtTheBoundary: the intents and outcomes counts read back
// at every value around the 16-bit field's top (65534 is the last narrow
// value, 65535 the mark), and the status follows the last record.
func TestWideCountsAtTheBoundary(t *testing.T) {
	const lo, hi = wide16 - 4, wide16 + 4
	b := atkApply(nil)
	for n := 1; n <= hi; n++ {
		b.Apply(&journal.Record{Seq: uint64(2 * n), Type: journal.RecIntent, At: atkT0, Intent: &journal.Intent{OrderID: "C", Attempt: 1}})
		if n >= lo {
			o := atkOrder(t, b, "C")
			if o.Intents != n || o.Outcomes != n-1 || o.Status() != StatusUnknown {
				t.Fatalf("after intent %d: %d intents, %d outcomes, %s", n, o.Intents, o.Outcomes, o.Status())
			}
		}
		b.Apply(&journal.Record{Seq: uint64(2*n + 1), Type: journal.RecSubmit, At: atkT0 + 1, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "C", Class: juhe.ClassThrottled, Code: 10012}}})
		if n >= lo {
			o := atkOrder(t, b, "C")
			if o.Intents != n || o.Outcomes != n || o.Status() != StatusNotSubmitted {
				t.Fatalf("after outcome %d: %d intents, %d outcomes, %s", n, o.Intents, o.Outcomes, o.Status())
			}
		}
	}
}

// TestWideSeqsAtTheMark: seqs at and past 2^32-1 (the mark) keep the
// order of the status rules.
func TestWideSeqsAtTheMark(t *testing.T) {
	steps := []struct {
		seq  uint64
		rec  *journal.Record
		want Status
	}{
		{wideSeq - 1, atkIntent(atkT0, "S"), StatusUnknown},
		{wideSeq, atkSubmit(atkT0, "S", juhe.ClassThrottled, 0), StatusNotSubmitted},
		{wideSeq + 1, atkIntent(atkT0, "S"), StatusUnknown},
		{wideSeq + 2, atkSubmit(atkT0, "S", juhe.ClassThrottled, 0), StatusNotSubmitted},
		{1 << 40, atkIntent(atkT0, "S"), StatusUnknown},
	}
	b := atkApply(nil)
	for _, s := range steps {
		r := *s.rec
		r.Seq = s.seq
		b.Apply(&r)
		if got := atkOrder(t, b, "S").Status(); got != s.want {
			t.Errorf("after seq %d: %s, want %s", s.seq, got, s.want)
		}
		if got := b.status(0); got != s.want {
			t.Errorf("after seq %d: the compact order is %s, want %s", s.seq, got, s.want)
		}
	}
}

// TestWideCostsInTheSums: costs at the 32-bit marks, and rewritten from
// narrow to wide and back, read back and sum exactly into the control
// totals and the cap's commitment.
func TestWideCostsInTheSums(t *testing.T) {
	big := int64(1) << 40
	costs := []juhe.Money{math.MinInt32 * -1, math.MaxInt32, math.MaxInt32 + 1, juhe.Money(big), juhe.Money(big + 1), 1, math.MaxUint32}
	recs := []*journal.Record{atkInput("in.csv", len(costs)+1)}
	for k := range costs {
		recs = append(recs, atkRow(k+2, 0, fmt.Sprintf("P%d", k)))
	}
	recs = append(recs, atkRow(len(costs)+2, 0, "W"), atkPlanned(len(costs)+1))
	var sum juhe.Money
	for k, c := range costs {
		id := fmt.Sprintf("P%d", k)
		recs = append(recs, atkIntent(atkT0, id), atkSubmit(atkT0, id, juhe.ClassAccepted, c), atkQuery(atkT0, id, juhe.StateSuccess, c))
		sum += c
	}
	// W: a submit cost that fits, a query cost past 32 bits, then one at
	// the mark: the highest counts for the cap, the latest is reported.
	recs = append(recs, atkIntent(atkT0, "W"), atkSubmit(atkT0, "W", juhe.ClassAccepted, 5),
		atkQuery(atkT0, "W", juhe.StateCharging, juhe.Money(big)), atkQuery(atkT0, "W", juhe.StateSuccess, math.MinInt32*-1))
	atkBoth(t, recs, func(t *testing.T, b *Book) {
		for k, c := range costs {
			if got, ok := atkOrder(t, b, fmt.Sprintf("P%d", k)).Cost(); !ok || got != c {
				t.Errorf("order P%d costs %d, %v, want %d", k, got, ok, c)
			}
		}
		w := atkOrder(t, b, "W")
		if got, ok := w.Cost(); !ok || got != math.MinInt32*-1 || w.SubmitCost != 5 {
			t.Errorf("order W costs %d, %v (submit %d)", got, ok, w.SubmitCost)
		}
		if got, want := b.Counts().Spend, sum+math.MinInt32*-1; got != want {
			t.Errorf("spend %d, want %d", got, want)
		}
		if got, want := b.Committed(nil), sum+juhe.Money(big); got != want {
			t.Errorf("committed %d, want %d", got, want)
		}
	})
	// The mark itself (MinInt32, a negative cost a hostile journal may
	// hold) reads back as itself.
	atkBoth(t, []*journal.Record{atkIntent(atkT0, "M"), atkSubmit(atkT0, "M", juhe.ClassAccepted, math.MinInt32)}, func(t *testing.T, b *Book) {
		if got, ok := atkOrder(t, b, "M").Cost(); !ok || got != math.MinInt32 {
			t.Errorf("order M costs %d, %v", got, ok)
		}
	})
}

// TestWideCallbackStates: callback states at the 8-bit marks, rewritten
// wide to narrow and back.
func TestWideCallbackStates(t *testing.T) {
	states := []juhe.GameState{math.MinInt8, math.MaxInt8, math.MaxInt8 + 1, math.MinInt8 - 1, juhe.StateSuccess,
		1 << 20, juhe.StateNone, math.MinInt8, juhe.StateFailed}
	var recs []*journal.Record
	for k, st := range states {
		recs = append(recs, atkCallback(atkT0+int64(k), "K", st))
		n := len(recs)
		t.Run(strconv.Itoa(k), func(t *testing.T) {
			atkBoth(t, recs[:n:n], func(t *testing.T, b *Book) {
				if got := atkOrder(t, b, "K").CallbackState; got != st {
					t.Errorf("callback state %d, want %d", got, st)
				}
			})
		})
	}
	// A query confirming the callback's (narrow) state: the callback
	// settled it.
	recs = append(recs, atkIntent(atkT0, "K"), atkQuery(atkT0+100, "K", juhe.StateFailed, 0))
	atkBoth(t, recs, func(t *testing.T, b *Book) {
		if got := atkOrder(t, b, "K").Source(); got != "callback" {
			t.Errorf("source %q, want callback", got)
		}
	})
}

// TestWideLinesWhenSectionsReplan: row numbers and duplicates' first rows
// at the 32-bit mark and past it, in a first input (planned in place), a
// second input that re-plans some orders at other row indexes (so a row's
// index in the pending section is not its order's index), rows without an
// order in between, and a third that re-plans them narrow. Each input is
// checked once planned.
func TestWideLinesWhenSectionsReplan(t *testing.T) {
	wideLine := math.MinInt32 // the mark itself: a valid int everywhere
	if strconv.IntSize == 64 {
		w := int64(1) << 40
		wideLine = int(w)
	}
	invalid := &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: 99, Status: journal.RowInvalid, Reason: "bad"}}
	type want struct{ line, dupOf int }
	sections := []struct {
		rows []*journal.Record
		want map[string]want
	}{
		{
			rows: []*journal.Record{atkRow(2, 0, "A"), invalid, atkRow(wideLine, 0, "B"), atkRow(math.MinInt32, wideLine, "C"),
				atkRow(math.MaxInt32, 0, "D")},
			want: map[string]want{"A": {2, 0}, "B": {wideLine, 0}, "C": {math.MinInt32, wideLine}, "D": {math.MaxInt32, 0}},
		},
		{
			rows: []*journal.Record{invalid, atkRow(wideLine, 3, "N1"), atkRow(3, 0, "B"), invalid, atkRow(math.MinInt32, 0, "A"),
				atkRow(4, 0, "N2"), atkRow(math.MinInt32+1, math.MinInt32, "C")},
			want: map[string]want{"A": {math.MinInt32, 0}, "B": {3, 0}, "C": {math.MinInt32 + 1, math.MinInt32}, "D": {math.MaxInt32, 0},
				"N1": {wideLine, 3}, "N2": {4, 0}},
		},
		{
			rows: []*journal.Record{atkRow(5, 0, "C"), atkRow(wideLine, 0, "N2"), atkRow(6, 0, "A"), atkRow(7, 0, "N1")},
			want: map[string]want{"A": {6, 0}, "B": {3, 0}, "C": {5, 0}, "D": {math.MaxInt32, 0}, "N1": {7, 0}, "N2": {wideLine, 0}},
		},
	}
	for _, orphanFirst := range []bool{false, true} {
		var recs []*journal.Record
		if orphanFirst {
			// An order out of any input first: the first input is not
			// planned in place.
			recs = append(recs, atkIntent(atkT0, "O"))
		}
		for k, s := range sections {
			recs = append(recs, atkInput(fmt.Sprintf("in%d.csv", k), len(s.rows)))
			recs = append(recs, s.rows...)
			recs = append(recs, atkPlanned(len(s.rows)))
			n := len(recs)
			t.Run(fmt.Sprintf("orphan=%v/input%d", orphanFirst, k), func(t *testing.T) {
				atkBoth(t, recs[:n:n], func(t *testing.T, b *Book) {
					for id, w := range s.want {
						o := atkOrder(t, b, id)
						if o.Line != w.line || o.DupOf != w.dupOf {
							t.Errorf("order %s: line %d dup of %d, want %d, %d", id, o.Line, o.DupOf, w.line, w.dupOf)
						}
					}
				})
			})
		}
	}
}

// TestWideReadersDoNotWrite: Order, Orders, Counts and the cap's sums may
// run from many readers at once while nothing applies: they must leave
// the epoch, the wide numbers and the hint as they were.
func TestWideReadersDoNotWrite(t *testing.T) {
	recs := []*journal.Record{atkInput("in.csv", 2), atkRow(2, 0, "A"), atkRow(math.MinInt32, 0, "B"), atkPlanned(2),
		atkIntent(atkT0, "A"), atkSubmit(atkT0+1<<40, "A", juhe.ClassAccepted, math.MinInt32),
		atkIntent(atkT0-1<<35, "B"), atkCallback(atkT0, "B", 1<<20)}
	b := atkLoad(t, recs)
	epoch, hint, wide := b.epoch, b.hint, fmt.Sprint(b.wide)
	done := make(chan struct{})
	for g := 0; g < 4; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := 0; k < 100; k++ {
				b.Order("A")
				b.Order("B")
				b.Order("nope")
				b.Orders(func(*OrderState) error { return nil })
				b.Counts()
				b.Committed(nil)
				b.weight("B", nil)
				b.tallyOf("A")
			}
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
	if b.epoch != epoch || b.hint != hint || fmt.Sprint(b.wide) != wide {
		t.Errorf("reading changed the book: epoch %d→%d, hint %d→%d, wide %s→%s", epoch, b.epoch, hint, b.hint, wide, fmt.Sprint(b.wide))
	}
}
