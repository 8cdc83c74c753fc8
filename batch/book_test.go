package batch

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Shorthands for Status table tests.
func bkIntent() *journal.Record {
	return &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "O", Attempt: 1}}
}
func bkSubmit(c juhe.Class) *journal.Record {
	return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: c, Cost: 1000, HasCost: c == juhe.ClassAccepted}}}
}
func bkQuery(c juhe.Class, st juhe.GameState) *journal.Record {
	return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "O", Class: c, Cost: 990, HasCost: c == juhe.ClassAccepted}, State: st}}
}
func bkCallback(st juhe.GameState) *journal.Record {
	return &journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: "O", State: st}}
}

func bkDup() *journal.Record {
	return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: codeDuplicate}}}
}
func bkSubmitSp(c juhe.Class, sp string) *journal.Record {
	r := bkSubmit(c)
	r.Submit.SporderID = sp
	return r
}
func bkQuerySp(st juhe.GameState, sp string) *journal.Record {
	r := bkQuery(juhe.ClassAccepted, st)
	r.Query.SporderID = sp
	return r
}

// bkNotFoundYet is a 210511 the engine journals within the grace period.
func bkNotFoundYet() *journal.Record {
	return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: 210511, Reason: "订单号错误; not found yet: within the resubmit grace period"}, State: juhe.StateNone}}
}

// bkForeignQuery is an answer about another order, as the engine journals it.
func bkForeignQuery() *journal.Record {
	return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: 0, Reason: conflictMark + `answer about another order: names orderid "X", not "O"`}, State: juhe.StateNone}}
}

// applyInOrder applies recs to b as the journal would number and time them.
func applyInOrder(b *Book, recs []*journal.Record) {
	for i, r := range recs {
		r.Seq = uint64(b.Records) + 1
		r.At = int64(100 + i)
		b.Apply(r)
	}
}

func TestOrderStatus(t *testing.T) {
	A, U, R, T, H, N := juhe.ClassAccepted, juhe.ClassUnknown, juhe.ClassRejected, juhe.ClassThrottled, juhe.ClassHalt, juhe.ClassNotFound
	for _, tc := range []struct {
		name     string
		recs     []*journal.Record
		want     Status
		source   string
		conflict bool
	}{
		{"planned only", nil, StatusNotSubmitted, "submit", false},
		{"intent only", []*journal.Record{bkIntent()}, StatusUnknown, "submit", false},
		{"intent, unknown", []*journal.Record{bkIntent(), bkSubmit(U)}, StatusUnknown, "submit", false},
		{"accepted", []*journal.Record{bkIntent(), bkSubmit(A)}, StatusCharging, "submit", false},
		{"accepted, query 0", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(A, 0)}, StatusCharging, "query", false},
		{"accepted, query 1", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(A, 1)}, StatusSuccess, "query", false},
		{"accepted, query 9", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(A, 9)}, StatusFailed, "query", false},
		{"unknown, query 1", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(A, 1)}, StatusSuccess, "query", false},
		{"rejected", []*journal.Record{bkIntent(), bkSubmit(R)}, StatusRejected, "submit", false},
		{"halt", []*journal.Record{bkIntent(), bkSubmit(H)}, StatusNotSubmitted, "submit", false},
		{"throttled", []*journal.Record{bkIntent(), bkSubmit(T)}, StatusNotSubmitted, "submit", false},
		{"throttled, new intent", []*journal.Record{bkIntent(), bkSubmit(T), bkIntent()}, StatusUnknown, "submit", false},
		{"unknown, not found", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(N, juhe.StateNone)}, StatusNotSubmitted, "submit", false},
		{"not found, new intent", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(N, juhe.StateNone), bkIntent()}, StatusUnknown, "submit", false},
		{"not found, new intent, unknown", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(N, juhe.StateNone), bkIntent(), bkSubmit(U)}, StatusUnknown, "submit", false},
		{"not found, new intent, accepted", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(N, juhe.StateNone), bkIntent(), bkSubmit(A)}, StatusCharging, "submit", false},
		// Issue 8: an accepted submit proves the order exists, so a settled
		// 210511 after it is a conflict (it was not flagged before).
		{"accepted, then not found", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(N, juhe.StateNone)}, StatusCharging, "submit", true},
		{"accepted, then 210511 within the grace", []*journal.Record{bkIntent(), bkSubmit(A), bkNotFoundYet()}, StatusCharging, "submit", false},
		{"unknown, 210511 within the grace", []*journal.Record{bkIntent(), bkSubmit(U), bkNotFoundYet()}, StatusUnknown, "submit", false},
		{"210508, then not found", []*journal.Record{bkIntent(), bkDup(), bkQuery(N, juhe.StateNone)}, StatusUnknown, "submit", true},
		{"sporder_id on an unknown submit, then not found", []*journal.Record{bkIntent(), bkSubmitSp(U, "SP1"), bkQuery(N, juhe.StateNone)}, StatusUnknown, "submit", true},
		{"callback, then not found", []*journal.Record{bkIntent(), bkSubmit(U), bkCallback(1), bkQuery(N, juhe.StateNone)}, StatusUnknown, "submit", true},
		{"not found, then callback", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(N, juhe.StateNone), bkCallback(1)}, StatusUnknown, "submit", false},
		{"rejected with a sporder_id", []*journal.Record{bkIntent(), bkSubmitSp(R, "SP1")}, StatusRejected, "submit", false},
		{"210508, then rejected", []*journal.Record{bkIntent(), bkDup(), bkIntent(), bkSubmit(R)}, StatusUnknown, "submit", true},
		{"query about another order", []*journal.Record{bkIntent(), bkSubmit(U), bkForeignQuery()}, StatusUnknown, "submit", true},
		{"query names another sporder_id", []*journal.Record{bkIntent(), bkSubmitSp(A, "SP1"), bkQuerySp(1, "SP2")}, StatusCharging, "submit", true},
		{"query names the same sporder_id", []*journal.Record{bkIntent(), bkSubmitSp(A, "SP1"), bkQuerySp(1, "SP1")}, StatusSuccess, "query", false},
		{"unknown query changes nothing", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(U, juhe.StateNone), bkQuery(T, juhe.StateNone), bkQuery(H, juhe.StateNone)}, StatusCharging, "submit", false},
		{"callback then query", []*journal.Record{bkIntent(), bkSubmit(A), bkCallback(1), bkQuery(A, 1)}, StatusSuccess, "callback", false},
		{"callback alone changes nothing", []*journal.Record{bkIntent(), bkSubmit(A), bkCallback(1)}, StatusCharging, "submit", false},
		{"callback disagrees", []*journal.Record{bkIntent(), bkSubmit(A), bkCallback(9), bkQuery(A, 1)}, StatusSuccess, "query", false},
		{"final then late unknown", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(A, 1), bkQuery(U, juhe.StateNone), bkQuery(A, 0)}, StatusSuccess, "query", false},
		{"success then failed", []*journal.Record{bkIntent(), bkSubmit(A), bkQuery(A, 1), bkQuery(A, 9)}, StatusSuccess, "query", true},
		{"seen charging then not found", []*journal.Record{bkIntent(), bkSubmit(U), bkQuery(A, 0), bkQuery(N, juhe.StateNone)}, StatusCharging, "query", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := plannedBook(t)
			applyInOrder(b, tc.recs)
			o, ok := b.Order("O")
			if !ok {
				t.Fatal("order O unknown")
			}
			if got := o.Status(); got != tc.want {
				t.Errorf("status %s, want %s", got, tc.want)
			}
			if got := o.Source(); got != tc.source {
				t.Errorf("source %s, want %s", got, tc.source)
			}
			if (o.Conflict != "") != tc.conflict {
				t.Errorf("conflict %q", o.Conflict)
			}
			if o.NeedsSubmit() != (tc.want == StatusNotSubmitted) || o.NeedsQuery() != (tc.want == StatusCharging || tc.want == StatusUnknown) {
				t.Errorf("needs submit %v query %v", o.NeedsSubmit(), o.NeedsQuery())
			}
		})
	}
}

// plannedBook is a book with order O planned from a one-row input.
func plannedBook(t *testing.T) *Book {
	b := newBook("")
	for i, r := range []*journal.Record{
		{Type: journal.RecHeader, Header: &journal.Header{BatchID: "B"}},
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "in.csv", Rows: 1}},
		{Type: journal.RecRow, Row: &journal.RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "O", Occurrence: 1, Status: journal.RowValid}},
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 1}},
	} {
		r.Seq = uint64(i + 1)
		b.Apply(r)
	}
	return b
}

func TestCostAndFinalAt(t *testing.T) {
	b := plannedBook(t)
	for i, r := range []*journal.Record{bkIntent(), bkSubmit(juhe.ClassAccepted)} {
		r.Seq, r.At = uint64(5+i), int64(10+i)
		b.Apply(r)
	}
	o, _ := b.Order("O")
	if c, ok := o.Cost(); !ok || c != 1000 {
		t.Errorf("submit cost %v %v", c, ok)
	}
	q := bkQuery(juhe.ClassAccepted, juhe.StateSuccess)
	q.Seq, q.At = 7, 50
	b.Apply(q)
	o, _ = b.Order("O") // a snapshot: fetch it again after Apply
	if c, ok := o.Cost(); !ok || c != 990 || o.FinalAt != 50 || o.SubmittedAt != 10 {
		t.Errorf("cost %v %v final %d submitted %d", c, ok, o.FinalAt, o.SubmittedAt)
	}
}

// TestBookFromJournal writes two input sections (the second changed, and
// a third one left incomplete by a "crash"), then checks the replayed
// counts, orphans and the Rows stream.
func TestBookFromJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "b.journal")
	ctx := context.Background()
	j, _, err := CreateJournal(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	row := func(line int, oid string, st journal.RowStatus) *journal.Record {
		return &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: line, Phone: "1592560171" + fmt.Sprint(line%10), Pid: "10", OrderID: oid, Occurrence: 1, Status: st, Extra: []string{"x\t" + oid}}}
	}
	money := func(oid string, c juhe.Class, st juhe.GameState, cost juhe.Money) []*journal.Record {
		return []*journal.Record{
			{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: oid, Attempt: 1}},
			{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: oid, Class: c, Cost: cost, HasCost: c == juhe.ClassAccepted}, CardName: "10M"}},
			{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: oid, Class: juhe.ClassAccepted, Cost: cost, HasCost: true}, State: st}},
		}
	}
	var recs []*journal.Record
	recs = append(recs,
		&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v1.csv", Rows: 3}},
		row(2, "A", journal.RowValid), row(3, "GONE", journal.RowValid), row(4, "", journal.RowInvalid),
		&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 3}})
	recs = append(recs, money("GONE", juhe.ClassAccepted, juhe.StateSuccess, 500)...)
	second := []*journal.Record{
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v2.csv", Rows: 6}},
		row(2, "A", journal.RowValid), row(3, "B", journal.RowValid), row(4, "", journal.RowInvalid), row(5, "C", journal.RowDuplicate), row(6, "", journal.RowDuplicate), row(7, "D", journal.RowValid),
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 6}},
	}
	recs = append(recs, second...)
	recs = append(recs, money("A", juhe.ClassAccepted, juhe.StateSuccess, 19630)...)
	recs = append(recs, money("B", juhe.ClassAccepted, juhe.StateFailed, 3000)...)
	recs = append(recs, money("C", juhe.ClassAccepted, juhe.StateCharging, 700)...)
	recs = append(recs, &journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v3-crashed.csv", Rows: 9}}, row(2, "Z", journal.RowValid))
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()

	b, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Input.Name != "v2.csv" {
		t.Errorf("input %q, want the latest complete one", b.Input.Name)
	}
	got := b.Counts()
	want := Totals{Rows: 6, Spend: 19630, Refunded: 3000, Charging: 700, Orphans: 1, OpenCount: 2,
		ByStatus: map[Status]int{StatusSuccess: 1, StatusFailed: 1, StatusCharging: 1, StatusInvalid: 2, StatusNotSubmitted: 1, StatusUnknown: 0, StatusRejected: 0}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
	sum := 0
	for _, n := range got.ByStatus {
		sum += n
	}
	if sum != got.Rows {
		t.Errorf("control total: %d rows, %d by status", got.Rows, sum)
	}
	if _, ok := b.Order("Z"); ok {
		t.Error("an order of an incomplete input section exists")
	}
	var ids []string
	b.Orders(func(o *OrderState) error {
		ids = append(ids, fmt.Sprintf("%s:%d:%v", o.OrderID, o.Line, o.InInput))
		return nil
	})
	if want := []string{"A:2:true", "GONE:3:false", "B:3:true", "C:5:true", "D:7:true"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("orders %v, want %v", ids, want)
	}
	if c, _ := b.Order("C"); !c.Dup {
		t.Error("C is a duplicate row")
	}
	var rows []journal.RowRecord
	if err := b.Rows(ctx, func(r *journal.RowRecord) error { rows = append(rows, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 6 {
		t.Fatalf("%d rows streamed, want 6", len(rows))
	}
	for i, r := range rows {
		if !reflect.DeepEqual(r, *second[i+1].Row) {
			t.Errorf("row %d: got %+v want %+v", i, r, *second[i+1].Row)
		}
	}
	// The live book (Apply after Append, offsets unknown) streams the same rows.
	j, live, err := OpenJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	third := []*journal.Record{{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v4.csv", Rows: 1}}, row(9, "E", journal.RowValid), {Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 1}}}
	if err := j.Append(ctx, third...); err != nil {
		t.Fatal(err)
	}
	for _, r := range third {
		live.Apply(r)
	}
	rows = rows[:0]
	if err := live.Rows(ctx, func(r *journal.RowRecord) error { rows = append(rows, *r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].OrderID != "E" || live.Counts().Orphans != 5 {
		t.Errorf("live rows %+v, orphans %d", rows, live.Counts().Orphans)
	}
}

// TestBookKeepsInputExtra: the extra column names of the latest complete
// input survive LoadBook, OpenJournal and live Apply, so the workbook can
// show them; an incomplete later section does not replace them.
func TestBookKeepsInputExtra(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.journal")
	ctx := context.Background()
	j, _, err := CreateJournal(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	recs := []*journal.Record{
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v1.csv", Rows: 1, Extra: []string{"old"}}},
		{Type: journal.RecRow, Row: &journal.RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "A", Occurrence: 1, Status: journal.RowValid, Extra: []string{"x"}}},
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 1}},
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v2.csv", Rows: 1, Extra: []string{"姓名", "dept\tname"}}},
		{Type: journal.RecRow, Row: &journal.RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "A", Occurrence: 1, Status: journal.RowValid, Extra: []string{"张三", "财务"}}},
		{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 1}},
		{Type: journal.RecInput, Input: &journal.InputInfo{Name: "v3-crashed.csv", Rows: 1, Extra: []string{"torn"}}},
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	want := []string{"姓名", "dept\tname"}

	b, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if b.Input.Name != "v2.csv" || !reflect.DeepEqual(b.Input.Extra, want) {
		t.Errorf("LoadBook: input %q extra %q, want v2.csv %q", b.Input.Name, b.Input.Extra, want)
	}
	j, live, err := OpenJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if live.Input.Name != "v2.csv" || !reflect.DeepEqual(live.Input.Extra, want) {
		t.Errorf("OpenJournal: input %q extra %q, want v2.csv %q", live.Input.Name, live.Input.Extra, want)
	}
	// Live Apply copies the names: the caller's record stays its own.
	in := &journal.InputInfo{Name: "v4.csv", Rows: 0, Extra: []string{"new"}}
	next := []*journal.Record{{Type: journal.RecInput, Input: in}, {Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 0}}}
	if err := j.Append(ctx, next...); err != nil {
		t.Fatal(err)
	}
	for _, r := range next {
		live.Apply(r)
	}
	in.Extra[0] = "changed by the caller"
	if !reflect.DeepEqual(live.Input.Extra, []string{"new"}) {
		t.Errorf("live Apply: extra %q, want [new]", live.Input.Extra)
	}
}

// TestChargedAt: the charge time is the time of the first record that
// proved the order exists; records are timed 100, 101, … in order.
func TestChargedAt(t *testing.T) {
	for _, tc := range []struct {
		name string
		recs []*journal.Record
		want int64
	}{
		{"accepted submit", []*journal.Record{bkIntent(), bkSubmit(juhe.ClassAccepted), bkQuery(juhe.ClassAccepted, juhe.StateSuccess)}, 101},
		{"lost answer, found by query", []*journal.Record{bkIntent(), bkSubmit(juhe.ClassUnknown), bkQuery(juhe.ClassUnknown, juhe.StateNone), bkQuery(juhe.ClassAccepted, juhe.StateSuccess)}, 103},
		{"210508 on submit", []*journal.Record{bkIntent(), bkDup(), bkQuery(juhe.ClassAccepted, juhe.StateSuccess)}, 101},
		{"callback first", []*journal.Record{bkIntent(), bkSubmit(juhe.ClassUnknown), bkCallback(juhe.StateSuccess), bkQuery(juhe.ClassAccepted, juhe.StateSuccess)}, 102},
		{"rejected: never", []*journal.Record{bkIntent(), bkSubmit(juhe.ClassRejected)}, 0},
		{"a later query does not move it", []*journal.Record{bkIntent(), bkSubmit(juhe.ClassAccepted), bkQuery(juhe.ClassAccepted, juhe.StateCharging), bkQuery(juhe.ClassAccepted, juhe.StateFailed)}, 101},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBook("")
			applyInOrder(b, tc.recs)
			o, _ := b.Order("O")
			if o.ChargedAt != tc.want {
				t.Errorf("ChargedAt = %d, want %d", o.ChargedAt, tc.want)
			}
		})
	}
}
