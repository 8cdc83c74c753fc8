package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// ending is what became of one order of an earlier batch, as records to
// journal after its intent.
type ending struct {
	name      string
	planned   bool // no intent at all: the batch sends it when it resumes
	recs      func(id string) []*journal.Record
	uncharged bool // the guard lets a retry of the phone through
}

func submitRec(id string, c juhe.Class, code int) *journal.Record {
	return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: c, Code: code}}}
}

func queryRec(id string, st juhe.GameState) *journal.Record {
	return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "S" + id}, State: st}}
}

func notFoundRec(id string) *journal.Record {
	return &journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassNotFound, Code: 210511}, State: juhe.StateNone}}
}

func callbackRec(id string, st juhe.GameState) *journal.Record {
	return &journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: id, SporderID: "S" + id, State: st}}
}

func intentRec(id string) *journal.Record {
	return &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 2}}
}

func seq(rs ...*journal.Record) func(string) []*journal.Record {
	return func(string) []*journal.Record { return rs }
}

// endings covers the Book's states: only failed (game_state 9) and a
// definite rejection are uncharged.
var endings = []ending{
	{name: "rejected", uncharged: true, recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassRejected, 210504)}
	}},
	{name: "failed and refunded", uncharged: true, recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateFailed)}
	}},
	{name: "failed, a callback agrees", uncharged: true, recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), callbackRec(id, juhe.StateFailed), queryRec(id, juhe.StateFailed)}
	}},
	{name: "success", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateSuccess)}
	}},
	{name: "charging", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateCharging)}
	}},
	{name: "accepted, never queried", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0)}
	}},
	{name: "in flight", recs: seq()},
	{name: "submit unknown", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassUnknown, 10014)}
	}},
	{name: "not found: it sends it again", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassUnknown, 10014), notFoundRec(id)}
	}},
	{name: "planned", planned: true},
	{name: "failed, then a callback said success", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateFailed), callbackRec(id, juhe.StateSuccess)}
	}},
	{name: "failed, then a query said success (conflict)", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateFailed), queryRec(id, juhe.StateSuccess)}
	}},
	{name: "rejected, then sent again and in flight", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassRejected, 210504), intentRec(id)}
	}},
	{name: "rejected, then a signed callback: it exists", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassRejected, 210504), callbackRec(id, juhe.StateFailed)}
	}},
	// The first attempt's fate is known only from a lookup that said
	// 210511, which may lag behind a charge: within the batch a resend
	// under the same orderid is safe (the provider takes an orderid
	// once), a retry batch's new orderid is not.
	{name: "unknown, not found, sent again, rejected", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassUnknown, 10014), notFoundRec(id), intentRec(id), submitRec(id, juhe.ClassRejected, 210503)}
	}},
	{name: "throttled, sent again, rejected", uncharged: true, recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassThrottled, 10012), intentRec(id), submitRec(id, juhe.ClassRejected, 210503)}
	}},
	{name: "game_state -1 after an accepted submit", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateSubmitFailed)}
	}},
	{name: "game_state -1 after a rejected submit", recs: func(id string) []*journal.Record {
		return []*journal.Record{submitRec(id, juhe.ClassRejected, 210504), queryRec(id, juhe.StateSubmitFailed)}
	}},
}

// makeEndings writes journal "dec-a" for period 2026-12 whose row i+2 is
// phoneN(i) ending as endings[i], and returns the journal's path.
func makeEndings(t *testing.T, ws *Workspace) string {
	t.Helper()
	in := writeCSV(t, t.TempDir(), "dec.csv", phones(0, len(endings)))
	path := filepath.Join(ws.Dir, "dec-a.journal")
	j, book := openPlanned(t, path, batchSpec{id: "dec-a", period: "2026-12", in: in})
	defer j.Close()
	at := time.Now().UnixMilli()
	for i, e := range endings {
		if e.planned {
			continue
		}
		id := input.OrderID("dec-a", phoneN(i), testPid, 1)
		appendRecs(t, j, book, append([]*journal.Record{{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}}}, e.recs(id)...), at)
	}
	return path
}

func appendRecs(t *testing.T, j *journal.Journal, book *batch.Book, recs []*journal.Record, at int64) {
	t.Helper()
	for _, r := range recs {
		r.At = at
		if err := j.Append(context.Background(), r); err != nil {
			t.Fatal(err)
		}
		book.Apply(r)
	}
}

// TestUnchargedEndings: Uncharged holds for failed and rejected orders
// only, as the Book states them.
func TestUnchargedEndings(t *testing.T) {
	ws := openWS(t)
	path := makeEndings(t, ws)
	book, err := batch.LoadBook(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range endings {
		o, ok := book.Order(input.OrderID("dec-a", phoneN(i), testPid, 1))
		if !ok {
			t.Fatalf("%s: no order", e.name)
		}
		if got := Uncharged(o); got != e.uncharged {
			t.Errorf("%s (status %s, conflict %q): Uncharged %v, want %v", e.name, o.Status(), o.Conflict, got, e.uncharged)
		}
	}
}

// TestGuardRetryBatch: a retry batch of the same period passes, without
// -allow-regift, for the phones whose orders the earlier journal shows
// final and uncharged, and is refused for every other, from the
// journal, from the rows file a new process reads, and in check's
// Preview alike.
func TestGuardRetryBatch(t *testing.T) {
	ws := openWS(t)
	path := makeEndings(t, ws)
	all := phones(0, len(endings))
	lines := make([]int, len(all))
	var wantPassed, wantHeld []string
	for i, e := range endings {
		lines[i] = 100 + i
		if e.uncharged {
			wantPassed = append(wantPassed, phoneN(i))
		} else {
			wantHeld = append(wantHeld, phoneN(i))
		}
	}
	nb := NewBatch{ID: "dec-a-retry1", Period: "2026-12", Phones: all, Lines: lines}
	check := func(t *testing.T, f Findings) {
		t.Helper()
		var passed, held []string
		for _, x := range f.List {
			for _, r := range x.Rows {
				switch {
				case x.Kind == KindUncharged && x.Allowed && r.OtherUncharged:
					passed = append(passed, r.Phone)
				case x.Kind == KindRegift && !x.Allowed && !r.OtherUncharged:
					held = append(held, r.Phone)
				default:
					t.Errorf("%s: row %+v", x.Kind, r)
				}
			}
		}
		if !slices.Equal(passed, wantPassed) || !slices.Equal(held, wantHeld) || !f.Refused() {
			t.Errorf("passed %v, want %v; held %v, want %v:\n%s", passed, wantPassed, held, wantHeld, f)
		}
		if got := f.Uncharged(); len(got) != len(wantPassed) {
			t.Errorf("Uncharged() %v", got)
		}
		s := f.String()
		for _, w := range []string{`sent by batch "dec-a" for period 2026-12`, "its journal " + path + " shows them final and uncharged",
			"row 100 here, row 2 there, final and uncharged", "these would pass, since the earlier batch's journal shows them final and uncharged"} {
			if !strings.Contains(s, w) {
				t.Errorf("text lacks %q:\n%s", w, s)
			}
		}
	}
	p, err := ws.Preview(context.Background(), nb)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("preview", func(t *testing.T) { check(t, p) })
	t.Run("guard", func(t *testing.T) { check(t, guard(t, ws, nb)) })
	// A second process: the index and the rows file, not the journal.
	ws2, err := Open(ws.Dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("from the rows file", func(t *testing.T) { check(t, guard(t, ws2, nb)) })

	// Only the uncharged phones: the retry batch passes.
	ok := NewBatch{ID: "dec-a-retry1", Period: "2026-12", Phones: wantPassed}
	if f := guard(t, ws2, ok); f.Refused() || len(f.List) != 1 || f.List[0].Kind != KindUncharged || f.List[0].Count != len(wantPassed) {
		t.Fatalf("retry of the uncharged rows:\n%s", f)
	}
}

// TestGuardRetryRechecked: the guard decides from the journal as it is
// at each start and resume. A late answer that contradicts a failure
// (a callback saying success) makes the retry refused. A rows file of the
// old format is not used: the journal is read again.
func TestGuardRetryRechecked(t *testing.T) {
	ws := openWS(t)
	in := writeCSV(t, t.TempDir(), "dec.csv", phones(0, 2))
	path := filepath.Join(ws.Dir, "dec-a.journal")
	j, book := openPlanned(t, path, batchSpec{id: "dec-a", period: "2026-12", in: in})
	at := time.Now().UnixMilli()
	for i := range 2 {
		id := input.OrderID("dec-a", phoneN(i), testPid, 1)
		appendRecs(t, j, book, []*journal.Record{{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}},
			submitRec(id, juhe.ClassAccepted, 0), queryRec(id, juhe.StateFailed)}, at)
	}
	nb := NewBatch{ID: "dec-a-retry1", Period: "2026-12", Phones: phones(0, 2)}
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("start:\n%s", f)
	}
	// A rows file from before the uncharged bit, for the same head.
	head := book.HeadHash
	old := []byte(strings.Replace(string(encodeRows(nil)), rowsMagic, "flowbatch-rows/1\n", 1))
	if err := os.WriteFile(ws.rowsPath(head), old, 0o600); err != nil {
		t.Fatal(err)
	}
	ws2, _ := Open(ws.Dir)
	if f := guard(t, ws2, nb); f.Refused() {
		t.Fatalf("with a rows/1 file:\n%s", f)
	}

	id := input.OrderID("dec-a", phoneN(1), testPid, 1)
	appendRecs(t, j, book, []*journal.Record{callbackRec(id, juhe.StateSuccess)}, at+1)
	j.Close()
	ws3, _ := Open(ws.Dir)
	f := guard(t, ws3, nb)
	if !f.Refused() || len(f.List) != 2 {
		t.Fatalf("after the late callback:\n%s", f)
	}
	for _, x := range f.List {
		want := phoneN(0)
		if x.Kind == KindRegift {
			want = phoneN(1)
		}
		if len(x.Rows) != 1 || x.Rows[0].Phone != want {
			t.Errorf("%s: %v", x.Kind, x.Rows)
		}
	}
}

// TestGuardRetryDuplicates: a phone passes only when every order the
// other batch has for it is uncharged, whatever the pid.
func TestGuardRetryDuplicates(t *testing.T) {
	ws := openWS(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "two.csv")
	p := phoneN(7)
	const pid2 = "105001"
	os.WriteFile(in, []byte(fmt.Sprintf("phone,pid\n%s,%s\n%s,%s\n", p, testPid, p, pid2)), 0o600)
	path := filepath.Join(ws.Dir, "dec-a.journal")
	j, book := openPlanned(t, path, batchSpec{id: "dec-a", period: "2026-12", in: in})
	defer j.Close()
	at := time.Now().UnixMilli()
	id1, id2 := input.OrderID("dec-a", p, testPid, 1), input.OrderID("dec-a", p, pid2, 1)
	appendRecs(t, j, book, []*journal.Record{{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id1, Attempt: 1}},
		submitRec(id1, juhe.ClassAccepted, 0), queryRec(id1, juhe.StateFailed)}, at)
	nb := NewBatch{ID: "dec-b", Period: "2026-12", Phones: []string{p}}
	f := guard(t, ws, nb)
	if !f.Refused() || len(f.List) != 1 || f.List[0].Rows[0].OtherLine != 3 || f.List[0].Rows[0].OtherSent {
		t.Fatalf("one failed, one planned:\n%s", f)
	}
	appendRecs(t, j, book, []*journal.Record{{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id2, Attempt: 1}},
		submitRec(id2, juhe.ClassAccepted, 0), queryRec(id2, juhe.StateSuccess)}, at)
	f = guard(t, ws, nb)
	if !f.Refused() || len(f.List) != 1 || f.List[0].Rows[0].OtherLine != 3 || !f.List[0].Rows[0].OtherSent {
		t.Fatalf("one failed, one charged:\n%s", f)
	}
}

// TestRowsUnchargedBit: the rows file keeps the uncharged bit, and a
// row uncharged but not sent, which no journal gives, is refused.
func TestRowsUnchargedBit(t *testing.T) {
	rows := []PhoneRow{{13900000000, 2, true, true}, {13900000000, 7, false, false}, {18612345678, 3, true, false}}
	got, err := decodeRows(encodeRows(rows))
	if err != nil || !slices.Equal(got, rows) {
		t.Fatalf("round trip: %v, %v", got, err)
	}
	if _, err := decodeRows(encodeRows([]PhoneRow{{13900000000, 2, false, true}})); err == nil {
		t.Fatal("an unsent uncharged row was accepted")
	}
}
