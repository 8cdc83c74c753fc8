package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// TestGuardRules: each refusal, and what passes, against real journals.
// The workspace holds "nov" (phones 0–39, period 2026-11, all sent) and
// "dec-a" (phones 100–139, 2026-12, the first 30 sent: 130–139 are
// planned, and count too, since dec-a sends them when it resumes).
func TestGuardRules(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	novIn := writeCSV(t, tmp, "nov.csv", phones(0, 40))
	decIn := writeCSV(t, tmp, "dec.csv", phones(100, 140))
	makeJournal(t, filepath.Join(ws.Dir, "nov.journal"), batchSpec{id: "nov", period: "2026-11", in: novIn, send: -1})
	makeJournal(t, filepath.Join(ws.Dir, "dec-a.journal"), batchSpec{id: "dec-a", period: "2026-12", in: decIn, send: 30})
	other := filepath.Join(tmp, "elsewhere", "dec-a.journal")
	os.MkdirAll(filepath.Dir(other), 0o700)

	fresh := writeCSV(t, tmp, "fresh.csv", phones(500, 510))
	overlap := append(phones(125, 135), phones(600, 605)...) // 125–129 sent by dec-a; 130–134 only planned
	tests := []struct {
		name  string
		nb    NewBatch
		want  []string
		check func(t *testing.T, f Findings)
	}{
		{"fresh batch", NewBatch{ID: "dec-b", Period: "2026-12", InputSHA256: inputSHA(t, fresh), Phones: phones(500, 510)}, nil, nil},
		{"same phones, another period", NewBatch{ID: "dec-b", Period: "2026-12", Phones: phones(0, 40)}, nil, nil},
		{"resume of its own journal", NewBatch{ID: "dec-a", Period: "2026-12", InputSHA256: inputSHA(t, decIn),
			Journal: filepath.Join(ws.Dir, "dec-a.journal"), Phones: phones(130, 140)}, nil, nil},
		{"same input under another id", NewBatch{ID: "nov-again", Period: "2026-12", InputSHA256: inputSHA(t, novIn), InputName: "nov.csv"},
			[]string{"!same_input"}, func(t *testing.T, f Findings) {
				x := f.List[0]
				if x.Other.BatchID != "nov" || x.Count != 40 || x.Sent != 40 || x.Other.Journal != filepath.Join(ws.Dir, "nov.journal") {
					t.Errorf("finding %+v", x)
				}
			}},
		{"regift in the period", NewBatch{ID: "dec-b", Period: "2026-12", Phones: overlap, Lines: []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}},
			[]string{"!regift"}, func(t *testing.T, f Findings) {
				x := f.List[0]
				var want []RowHit
				for i := range 10 {
					want = append(want, RowHit{Phone: phoneN(125 + i), Line: 2 + i, OtherLine: int64(27 + i), OtherSent: i < 5})
				}
				if !slices.Equal(x.Rows, want) || x.Count != 10 || x.Sent != 5 || x.Other.BatchID != "dec-a" {
					t.Errorf("rows %v (count %d, sent %d), want %v", x.Rows, x.Count, x.Sent, want)
				}
				if s := x.String(); !strings.Contains(s, "5 sent, 5 planned") || !strings.Contains(s, "row 7 here, row 32 there, planned") {
					t.Errorf("text: %s", s)
				}
			}},
		{"same input allowed on purpose", NewBatch{ID: "nov-again", Period: "2026-12", InputSHA256: inputSHA(t, novIn), AllowRegift: true},
			[]string{"same_input"}, nil},
		{"regift allowed", NewBatch{ID: "dec-b", Period: "2026-12", Phones: overlap, AllowRegift: true},
			[]string{"regift"}, func(t *testing.T, f Findings) {
				if got := f.Regifted(); len(got) != 10 || got[0].Phone != phoneN(125) || got[0].OtherLine != 27 {
					t.Errorf("Regifted %v", got)
				}
			}},
		{"clash: case and separators", NewBatch{ID: "Dec_A", Period: "2026-12", Phones: phones(700, 701)},
			[]string{"!clash"}, func(t *testing.T, f Findings) {
				if s := f.String(); !strings.Contains(s, `"Dec_A" is batch "dec-a" spelled differently`) {
					t.Errorf("text:\n%s", s)
				}
			}},
		{"clash with its own journal", NewBatch{ID: "Dec-A", Period: "2026-12", Journal: filepath.Join(ws.Dir, "dec-a.journal"), Phones: phones(130, 140)},
			[]string{"!clash"}, nil},
		{"clash: dots", NewBatch{ID: "DEC.A", Period: "2026-11", Phones: phones(700, 701)}, []string{"!clash"}, nil},
		{"same id from another folder", NewBatch{ID: "dec-a", Period: "2026-12", Journal: other, Phones: phones(130, 140)},
			[]string{"!elsewhere", "!regift"}, nil},
		{"everything at once", NewBatch{ID: "Dec-A", Period: "2026-11", InputSHA256: inputSHA(t, novIn), Journal: other, Phones: phones(0, 3)},
			[]string{"!regift", "!clash", "!same_input"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := guard(t, ws, tt.nb)
			got := kinds(f)
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("findings %v, want %v:\n%s", kinds(f), tt.want, f)
			}
			if f.Refused() != slices.ContainsFunc(want, func(s string) bool { return s[0] == '!' }) || (f.Err() != nil) != f.Refused() {
				t.Errorf("Refused %v, Err %v", f.Refused(), f.Err())
			}
			if f.Compared != 2 && tt.nb.Journal == "" {
				t.Errorf("compared %d journals, want 2", f.Compared)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

// TestPreview: check's guard finds what Guard finds, and writes nothing:
// no index, no rows files.
func TestPreview(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "nov.csv", phones(0, 10))
	makeJournal(t, filepath.Join(ws.Dir, "nov.journal"), batchSpec{id: "nov", period: "2026-11", in: in, send: -1})
	for _, name := range []string{indexName, rowsDirName} {
		os.RemoveAll(filepath.Join(ws.Dir, name))
	}
	nb := NewBatch{ID: "Nov", Period: "2026-11", InputSHA256: inputSHA(t, in), Phones: phones(5, 8)}
	p, err := ws.Preview(context.Background(), nb)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{indexName, rowsDirName} {
		if _, err := os.Stat(filepath.Join(ws.Dir, name)); err == nil {
			t.Errorf("Preview wrote %s", name)
		}
	}
	g := guard(t, ws, nb)
	if got, want := kinds(p), kinds(g); !slices.Equal(got, want) || p.String() != g.String() {
		t.Errorf("Preview found %v, Guard %v:\n%s\n%s", got, want, p, g)
	}
}

// TestGuardCountsUnknownAndFailed: rows sent through the engine count
// whatever became of them: charged, failed, or never answered.
func TestGuardCountsUnknownAndFailed(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	const key, openID = "ws-key", "ws-openid"
	sim := juhesim.NewServer(juhesim.Config{Key: key, OpenID: openID, SuccessRatio: -1, SettleDelay: -1})
	t.Cleanup(sim.Close)
	in := writeCSV(t, tmp, "in.csv", phones(0, 20))
	path := filepath.Join(ws.Dir, "sent.journal")
	j, book := openPlanned(t, path, batchSpec{id: "sent", period: "2026-12", in: in})
	c, err := juhe.NewClient(juhe.Config{BaseURL: sim.URL, Key: key, OpenID: openID, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := batch.NewEngine(j, book, c, batch.EngineOptions{Rate: 1000}).Submit(context.Background()); err != nil {
		t.Fatal(err)
	}
	// One more intent that never got an answer, as after a crash.
	j.Append(context.Background(), &journal.Record{Type: journal.RecIntent, At: time.Now().UnixMilli(),
		Intent: &journal.Intent{OrderID: input.OrderID("sent", phoneN(0), testPid, 1), Attempt: 2}})
	j.Close()
	if n := len(sim.Ledger().Orders); n != 20 {
		t.Fatalf("the simulator charged %d orders, want 20", n)
	}
	f := guard(t, ws, NewBatch{ID: "again", Period: "2026-12", Phones: phones(0, 25)})
	if !f.Refused() || len(f.List) != 1 || f.List[0].Count != 20 {
		t.Fatalf("findings:\n%s", f)
	}
}

// TestGuardPeriodDerived: a journal without a period setting counts in
// the month of its first intent, Beijing time, and the text says so.
func TestGuardPeriodDerived(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "old.csv", phones(0, 5))
	// 2026-11-30 17:00 UTC is 1 December 01:00 in Beijing.
	at := time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC)
	makeJournal(t, filepath.Join(ws.Dir, "old.journal"), batchSpec{id: "old", in: in, send: -1, at: at})
	if f := guard(t, ws, NewBatch{ID: "n", Period: "2026-11", Phones: phones(0, 5)}); f.Refused() {
		t.Fatalf("November refused:\n%s", f)
	}
	f := guard(t, ws, NewBatch{ID: "n", Period: "2026-12", Phones: phones(0, 5)})
	if !f.Refused() || !strings.Contains(f.String(), "declares no period") {
		t.Fatalf("December:\n%s", f)
	}
}

// TestGuardLockRace: two batches with overlapping phones start at the
// same moment, each with its own Workspace as two processes would: the
// lock lets exactly one pass the guard and plan its rows; it sends them
// after letting go of the lock, as the network calls come after it, and
// only once the other's guard is done, so that the planned rows alone
// must stop it.
func TestGuardLockRace(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	var guarded sync.WaitGroup
	run := func(id string) (bool, error) {
		done := sync.OnceFunc(guarded.Done)
		defer done()
		w, err := Open(ws.Dir)
		if err != nil {
			return false, err
		}
		w.LockWait = 20 * time.Second
		ctx := context.Background()
		l, err := w.Lock(ctx)
		if err != nil {
			return false, err
		}
		defer l.Unlock()
		f, err := Guard(ctx, l, NewBatch{ID: id, Period: "2026-12", Phones: phones(0, 10)})
		if err != nil || f.Refused() {
			done()
			return false, err
		}
		in, err := writeCSVFile(tmp, id+".csv", phones(0, 10))
		if err != nil {
			return false, err
		}
		path := filepath.Join(w.Dir, id+".journal")
		j, book, err := plan(path, batchSpec{id: id, period: "2026-12", in: in})
		if err != nil {
			return false, err
		}
		defer j.Close()
		if _, err := l.Register(ctx, path); err != nil {
			return false, err
		}
		l.Unlock()
		done()
		guarded.Wait()
		return true, send(j, book, -1, time.Time{})
	}
	for round := range 5 {
		a, b := fmt.Sprintf("a%d", round), fmt.Sprintf("b%d", round)
		type res struct {
			ok  bool
			err error
		}
		ch := make(chan res, 2)
		guarded.Add(2)
		for _, id := range []string{a, b} {
			go func() { ok, err := run(id); ch <- res{ok, err} }()
		}
		r1, r2 := <-ch, <-ch
		if r1.err != nil || r2.err != nil {
			t.Fatal(r1.err, r2.err)
		}
		if r1.ok == r2.ok {
			t.Fatalf("round %d: passed %v and %v; want exactly one", round, r1.ok, r2.ok)
		}
		// Clear the workspace for the next round.
		for _, id := range []string{a, b} {
			os.Remove(filepath.Join(ws.Dir, id+".journal"))
		}
		os.Remove(filepath.Join(ws.Dir, indexName))
	}
}

func TestFindingsText(t *testing.T) {
	f := Findings{Workspace: "/ws", Batch: "dec-b", Period: "2026-12", List: []Finding{
		{Kind: KindRegift, Other: Other{BatchID: "dec-a", Journal: "/ws/dec-a.journal", Period: "2026-12"}, Count: 12},
		{Kind: KindMissing, Other: Other{BatchID: "nov", Journal: "/x/nov.journal", Records: 9, Head: strings.Repeat("ab", 32),
			LastSeen: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)}},
	}}
	for i := range 12 {
		f.List[0].Rows = append(f.List[0].Rows, RowHit{Phone: phoneN(i), Line: i + 2, OtherLine: int64(i + 5), OtherSent: true})
	}
	f.List[0].Sent = 12
	s := f.String()
	for _, want := range []string{
		"the workspace guard refuses batch dec-b (period 2026-12); nothing was sent:",
		`12 rows of this batch are already in batch "dec-a" for period 2026-12 (journal /ws/dec-a.journal; 12 sent): 13900000000 (row 2 here, row 5 there, sent), `,
		"13900000009 (row 11 here, row 14 there, sent) and 2 more. One gift per person per period.",
		"pass -allow-regift",
		`journal /x/nov.journal of batch "nov" has gone missing (last seen 2026-11-30 10:00 UTC, 9 records, head abababababab).`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("text lacks %q:\n%s", want, s)
		}
	}
	f.List = f.List[:1]
	f.List[0].Allowed = true
	if s := f.String(); !strings.Contains(s, "passed") || !strings.Contains(s, "let through on purpose (-allow-regift):") || strings.Contains(s, "Try:") {
		t.Errorf("allowed text:\n%s", s)
	}
}

func TestGuardBadInput(t *testing.T) {
	ws := openWS(t)
	l, err := ws.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, nb := range []NewBatch{
		{Period: "2026-12"},
		{ID: "a", Period: "2026-13"},
		{ID: "a", Period: "2026-12", Phones: []string{"1390000000x"}},
		{ID: "a", Period: "2026-12", Phones: []string{"13900000000"}, Lines: []int{1, 2}},
	} {
		if _, err := Guard(context.Background(), l, nb); err == nil {
			t.Errorf("Guard(%+v) passed", nb)
		}
	}
	l.Unlock()
	if _, err := Guard(context.Background(), l, NewBatch{ID: "a", Period: "2026-12"}); err == nil {
		t.Error("Guard after Unlock passed")
	}
}
