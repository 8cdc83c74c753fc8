package batch

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const (
	engKey    = "engine-test-key"
	engOpenID = "engine-test-openid"
	engBatch  = "enginetest"
	engPid    = "105000" // 全国移动1G, 19.630
	engPrice  = juhe.Money(19630)
)

// engSim starts the simulator with the test credentials.
func engSim(t testing.TB, cfg juhesim.Config) *juhesim.Server {
	t.Helper()
	cfg.Key, cfg.OpenID = engKey, engOpenID
	s := juhesim.NewServer(cfg)
	t.Cleanup(s.Close)
	return s
}

func engClient(t testing.TB, url, key, openID string) *juhe.Client {
	t.Helper()
	c, err := juhe.NewClient(juhe.Config{BaseURL: url, Key: key, OpenID: openID, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// engPhone is the i-th test number, a China Mobile one.
func engPhone(i int) string { return fmt.Sprintf("1390%07d", i) }

// engPlan creates a journal in a temp dir with an input section of n
// valid rows (lines 2…n+1) and returns it open.
func engPlan(t testing.TB, n int) (string, *journal.Journal, *Book) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), engBatch+".journal")
	j, book, err := CreateJournal(ctx, path, journal.Header{BatchID: engBatch, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	recs := []*journal.Record{{Type: journal.RecInput, At: 1, Input: &journal.InputInfo{Name: "in.csv", SHA256: "00", Rows: n, Format: "csv"}}}
	for i := 0; i < n; i++ {
		ph := engPhone(i)
		recs = append(recs, &journal.Record{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{
			Line: i + 2, Phone: ph, Pid: engPid, OrderID: input.OrderID(engBatch, ph, engPid, 1), Occurrence: 1, Status: journal.RowValid,
		}})
	}
	recs = append(recs, &journal.Record{Type: journal.RecPlanned, At: 1, Planned: &journal.Planned{Rows: n}})
	if err := appendApply(ctx, j, book, recs...); err != nil {
		t.Fatal(err)
	}
	return path, j, book
}

// engReopen closes j and opens the journal again, as a new run would.
func engReopen(t testing.TB, path string, j *journal.Journal) (*journal.Journal, *Book) {
	t.Helper()
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	j, book, err := OpenJournal(context.Background(), path, func(w string) { t.Logf("open: %s", w) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j, book
}

// engFast are options that keep tests quick.
func engFast() EngineOptions {
	return EngineOptions{Rate: 1000, Workers: 8, QueryBackoff: 10 * time.Millisecond, MaxQueryBackoff: 100 * time.Millisecond,
		ResubmitGrace: 200 * time.Millisecond, FirstQueryDelay: -1, QueryInterval: -1}
}

// checkChargedOnce asserts that the ledger holds exactly the orders of the
// book's input, each once, and that the journal agrees with the ledger on
// which orders exist.
func checkChargedOnce(t *testing.T, sim *juhesim.Server, book *Book, wantCharged int) {
	t.Helper()
	led := sim.Ledger()
	seen := map[string]juhesim.LedgerOrder{}
	for _, lo := range led.Orders {
		if _, dup := seen[lo.OrderID]; dup {
			t.Errorf("orderid %s charged twice", lo.OrderID)
		}
		seen[lo.OrderID] = lo
	}
	if len(led.Orders) != wantCharged {
		t.Errorf("ledger has %d orders, want %d", len(led.Orders), wantCharged)
	}
	n := 0
	book.Orders(func(o *OrderState) error {
		if !o.InInput {
			return nil
		}
		n++
		lo, charged := seen[o.OrderID]
		st := o.Status()
		switch {
		case !charged && (st == StatusCharging || st == StatusSuccess || st == StatusFailed):
			t.Errorf("row %d: journal says %s, ledger has no such order", o.Line, st)
		case charged && st != StatusCharging && st != StatusSuccess && st != StatusFailed:
			t.Errorf("row %d: ledger charged it (state %d), journal says %s", o.Line, lo.State, st)
		case charged && o.SporderID != lo.SporderID:
			t.Errorf("row %d: journal sporder_id %q, ledger %q", o.Line, o.SporderID, lo.SporderID)
		}
		delete(seen, o.OrderID)
		return nil
	})
	for id := range seen {
		t.Errorf("ledger charged %s, which is no order of the input", id)
	}
}

func TestSubmitHappyPath(t *testing.T) {
	const n = 200
	sim := engSim(t, juhesim.Config{})
	path, j, book := engPlan(t, n)
	defer j.Close()
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), engFast())
	res, err := e.Submit(context.Background())
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if res.Submits != n || res.Queries != 0 || res.Unsubmitted() != 0 || res.Orders != n {
		t.Errorf("result %+v: want %d submits, no queries, nothing unsubmitted", res, n)
	}
	if got := res.Totals.ByStatus[StatusCharging] + res.Totals.ByStatus[StatusSuccess]; got != n {
		t.Errorf("charging+success = %d, want %d (%v)", got, n, res.Totals.ByStatus)
	}
	checkChargedOnce(t, sim, book, n)

	// The book the engine kept is the book the journal replays to.
	j2, book2 := engReopen(t, path, j)
	if book2.HeadHash != book.HeadHash || book2.Records != book.Records {
		t.Errorf("replayed head %s/%d, engine's %s/%d", book2.HeadHash, book2.Records, book.HeadHash, book.Records)
	}
	// Running again sends nothing.
	before := sim.Requests()
	res, err = NewEngine(j2, book2, engClient(t, sim.URL, engKey, engOpenID), engFast()).Submit(context.Background())
	if err != nil || res.Skipped != n || res.Requests() != 0 {
		t.Errorf("second Submit: %+v, %v; want everything skipped", res, err)
	}
	if after := sim.Requests(); after.Submits != before.Submits || after.Queries != before.Queries {
		t.Errorf("second Submit sent requests: %+v → %+v", before, after)
	}
}

func TestSubmitFaults(t *testing.T) {
	const n = 200
	sim := engSim(t, juhesim.Config{
		Seed: 7,
		QPS:  400,
		Faults: juhesim.Faults{
			DropAfterCharge:     0.3,
			Err10014AfterCharge: 0.2,
			HTML502Before:       0.1,
			HTML502After:        0.1,
		},
	})
	_, j, book := engPlan(t, n)
	defer j.Close()
	opts := engFast()
	opts.Rate = 500
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	res, err := e.Submit(context.Background())
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if res.Unsubmitted() != 0 {
		t.Errorf("%d rows unresolved: %v", res.Unsubmitted(), res.Totals.ByStatus)
	}
	if res.Queries == 0 {
		t.Errorf("no queries: the faults did not bite")
	}
	c := sim.Requests()
	if c.Dropped == 0 || c.HTML502 == 0 || c.SubmitCodes[10014] == 0 {
		t.Errorf("faults not exercised: %+v", c)
	}
	checkChargedOnce(t, sim, book, n)
}

func TestSubmitThrottleLowersRate(t *testing.T) {
	const n = 60
	sim := engSim(t, juhesim.Config{QPS: 20})
	_, j, book := engPlan(t, n)
	defer j.Close()
	opts := engFast()
	opts.Rate = 50
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	res, err := e.Submit(context.Background())
	if err != nil {
		t.Fatalf("Submit: %v", err)
	}
	if res.Unsubmitted() != 0 {
		t.Errorf("%d rows unresolved", res.Unsubmitted())
	}
	if got := e.lim.Limit(); got >= 50 {
		t.Errorf("limit %v after throttling, want below 50", got)
	}
	if sim.Requests().SubmitCodes[10012] == 0 {
		t.Errorf("the simulator never throttled")
	}
	checkChargedOnce(t, sim, book, n)
}

func TestSubmitPersistentThrottleHalts(t *testing.T) {
	sim := engSim(t, juhesim.Config{QPS: 1})
	_, j, book := engPlan(t, 50)
	defer j.Close()
	opts := engFast()
	opts.Rate = 50
	opts.ThrottleHaltAfter = 300 * time.Millisecond
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	_, err := e.Submit(context.Background())
	var h *HaltError
	if !errors.As(err, &h) || h.Code != 10012 {
		t.Fatalf("Submit: %v, want a halt on 10012", err)
	}
	t.Logf("halt: %v", h)
	// A halted engine sends nothing more.
	before := sim.Requests()
	if _, err := e.Settle(context.Background(), time.Second); !errors.As(err, &h) {
		t.Errorf("Settle after halt: %v", err)
	}
	if after := sim.Requests(); after.Submits+after.Queries != before.Submits+before.Queries {
		t.Errorf("requests sent after the halt")
	}
}

func TestSubmitHaltBalanceThenResume(t *testing.T) {
	const n, affordable = 30, 10
	sim := engSim(t, juhesim.Config{})
	sim.SetBalance(affordable * engPrice)
	path, j, book := engPlan(t, n)
	opts := engFast()
	opts.Workers = 4
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	res, err := e.Submit(context.Background())
	var h *HaltError
	if !errors.As(err, &h) || h.Code != 210505 {
		t.Fatalf("Submit: %v, want a halt on 210505", err)
	}
	if h.Line < 2 || h.OrderID == "" || h.Advice == "" {
		t.Errorf("halt without row or advice: %+v", h)
	}
	if h.NothingCharged {
		t.Errorf("a halt after %d charges says nothing was charged", affordable)
	}
	t.Logf("halt: %v", h)
	if got := sim.Requests().SubmitCodes[210505]; got > opts.Workers {
		t.Errorf("%d submits answered 210505, want at most %d (workers)", got, opts.Workers)
	}
	if len(sim.Ledger().Orders) != affordable || res.Totals.ByStatus[StatusCharging] != affordable {
		t.Errorf("charged %d, journal charging %d; want %d", len(sim.Ledger().Orders), res.Totals.ByStatus[StatusCharging], affordable)
	}

	sim.SetBalance(1000 * engPrice)
	j, book = engReopen(t, path, j)
	res, err = NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts).Submit(context.Background())
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("resumed Submit: %v, %v", err, res.Totals.ByStatus)
	}
	checkChargedOnce(t, sim, book, n)
}

func TestSubmitHaltSendsNoMore(t *testing.T) {
	for _, tc := range []struct {
		name, key, openID string
		code              int
	}{
		{"wrong key", "not-the-key", engOpenID, 10001},
		{"wrong openid", engKey, "not-the-openid", 210506},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := engSim(t, juhesim.Config{})
			_, j, book := engPlan(t, 100)
			defer j.Close()
			opts := engFast()
			opts.Workers = 4
			e := NewEngine(j, book, engClient(t, sim.URL, tc.key, tc.openID), opts)
			res, err := e.Submit(context.Background())
			var h *HaltError
			if !errors.As(err, &h) || h.Code != tc.code {
				t.Fatalf("Submit: %v, want a halt on %d", err, tc.code)
			}
			c := sim.Requests()
			if sent := c.Submits + c.Queries; sent > opts.Workers || int64(sent) != res.Requests() {
				t.Errorf("%d requests reached the simulator (engine says %d), want at most %d", sent, res.Requests(), opts.Workers)
			}
			if len(sim.Ledger().Orders) != 0 {
				t.Errorf("something was charged")
			}
			if !h.NothingCharged {
				t.Errorf("every submit was refused with %d, none unknown, yet the halt does not say nothing was charged", tc.code)
			}
		})
	}
}

func TestSubmitResumeQueriesFirst(t *testing.T) {
	sim := engSim(t, juhesim.Config{})
	path, j, book := engPlan(t, 3)
	ctx := context.Background()
	c := engClient(t, sim.URL, engKey, engOpenID)
	id := func(i int) string { return input.OrderID(engBatch, engPhone(i), engPid, 1) }

	// A crash after the intents of rows 0 and 1; row 1's request had
	// reached the provider, row 0's had not.
	for i := 0; i < 2; i++ {
		if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: id(i), Attempt: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	if out := c.Submit(ctx, juhe.SubmitRequest{Phone: engPhone(1), Pid: engPid, OrderID: id(1)}); out.Class != juhe.ClassAccepted {
		t.Fatalf("direct submit: %+v", out)
	}
	j, book = engReopen(t, path, j)
	for i := 0; i < 2; i++ {
		if o, _ := book.Order(id(i)); o.Status() != StatusUnknown {
			t.Fatalf("row %d after the crash: %s, want unknown", i, o.Status())
		}
	}
	res, err := NewEngine(j, book, c, engFast()).Submit(ctx)
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("Submit: %v, %v", err, res.Totals.ByStatus)
	}
	// Issue 8: row 1's first sporder_id comes from a query, so a second
	// query confirms it before it is believed (3 queries, not 2).
	if res.Queries != 3 || res.Submits != 2 {
		t.Errorf("%d queries, %d submits; want 3 and 2 (query both unknowns, confirm row 1, submit rows 0 and 2)", res.Queries, res.Submits)
	}
	for i, want := range []int{2, 1, 1} { // intents: row 0 again after 210511
		o, _ := book.Order(id(i))
		if o.Intents != want {
			t.Errorf("row %d: %d intents, want %d", i, o.Intents, want)
		}
	}
	if lo, _ := sim.Order(id(1)); lo.Submits != 1 {
		t.Errorf("row 1 was submitted %d times, want once", lo.Submits)
	}
	checkChargedOnce(t, sim, book, 3)
}

func TestSubmitInterrupt(t *testing.T) {
	const n = 300
	sim := engSim(t, juhesim.Config{Faults: juhesim.Faults{Latency: 1, LatencyMin: 5 * time.Millisecond, LatencyMax: 20 * time.Millisecond}})
	path, j, book := engPlan(t, n)
	opts := engFast()
	opts.Rate = 200
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var res Result
	var err error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); res, err = e.Submit(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for sim.Requests().Submits < 50 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	cancel()
	cancelled := time.Now()
	wg.Wait()
	if d := time.Since(cancelled); d > 2*time.Second {
		t.Errorf("Submit took %v to return after cancel", d)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Submit: %v, want context.Canceled", err)
	}
	if res.Submits >= n {
		t.Fatalf("all %d sent before the cancel; the test proves nothing", n)
	}
	// Every request that left has its answer journaled.
	j, book = engReopen(t, path, j)
	if c := book.Counts(); c.ByStatus[StatusUnknown] != 0 {
		t.Errorf("%d unknown after an interrupt without faults: an answer was lost", c.ByStatus[StatusUnknown])
	}
	checkChargedOnce(t, sim, book, len(sim.Ledger().Orders))

	res, err = NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), engFast()).Submit(context.Background())
	if err != nil || res.Unsubmitted() != 0 {
		t.Fatalf("resumed Submit: %v, %v", err, res.Totals.ByStatus)
	}
	checkChargedOnce(t, sim, book, n)
}

func TestSettle(t *testing.T) {
	const n = 60
	sim := engSim(t, juhesim.Config{SettleDelay: 200 * time.Millisecond, SuccessRatio: 0.7, Seed: 3})
	_, j, book := engPlan(t, n)
	defer j.Close()
	opts := engFast()
	opts.QueryBackoff, opts.MaxQueryBackoff = 50*time.Millisecond, 200*time.Millisecond
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := e.Settle(ctx, 20*time.Second)
	if err != nil {
		t.Fatalf("Settle: %v", err)
	}
	if res.Open() != 0 {
		t.Fatalf("%d open after Settle: %v", res.Open(), res.Totals.ByStatus)
	}
	if res.Totals.ByStatus[StatusFailed] == 0 || res.Totals.ByStatus[StatusSuccess] == 0 {
		t.Errorf("want both outcomes at ratio 0.7: %v", res.Totals.ByStatus)
	}
	var spend, refunded juhe.Money
	for _, lo := range sim.Ledger().Orders {
		o, ok := book.Order(lo.OrderID)
		if !ok {
			t.Fatalf("ledger order %s not in the journal", lo.OrderID)
		}
		want := map[juhe.GameState]Status{juhe.StateSuccess: StatusSuccess, juhe.StateFailed: StatusFailed}[lo.State]
		if o.Status() != want {
			t.Errorf("row %d: journal %s, ledger state %d", o.Line, o.Status(), lo.State)
		}
		if lo.State == juhe.StateFailed && !lo.Refunded {
			t.Errorf("row %d failed but was not refunded", o.Line)
		}
		if lo.State == juhe.StateSuccess {
			spend += lo.Cost
		} else {
			refunded += lo.Cost
		}
	}
	if res.Totals.Spend != spend || res.Totals.Refunded != refunded {
		t.Errorf("journal spend %s refunded %s, ledger %s and %s", res.Totals.Spend, res.Totals.Refunded, spend, refunded)
	}
	// "Still charging" is not journaled again and again: at most a few
	// query records per order (charging, final, maybe an unknown).
	if q := res.Queries; q > 0 && book.Records > int64(1+2+n+n*2+n*3) {
		t.Errorf("%d records for %d orders after %d queries: answers journaled without change", book.Records, n, q)
	}
	checkChargedOnce(t, sim, book, n)
}

func TestSettleNotFound(t *testing.T) {
	// An unknown order the provider never got: Settle journals the 210511,
	// leaves it not submitted and reports it.
	sim := engSim(t, juhesim.Config{})
	path, j, book := engPlan(t, 2)
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	if err := appendApply(context.Background(), j, book, &journal.Record{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: id, Attempt: 1}}); err != nil {
		t.Fatal(err)
	}
	j, book = engReopen(t, path, j)
	res, err := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), engFast()).Settle(context.Background(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.NotFound != 1 || res.Totals.ByStatus[StatusNotSubmitted] != 2 || res.Queries != 1 {
		t.Errorf("result %+v, want one not found, two not submitted, one query", res)
	}
}

func TestSettleNudge(t *testing.T) {
	// With a backoff of a minute, only a nudge gets a second query soon.
	sim := engSim(t, juhesim.Config{SettleDelay: 300 * time.Millisecond})
	_, j, book := engPlan(t, 1)
	defer j.Close()
	opts := engFast()
	opts.QueryBackoff, opts.MaxQueryBackoff = time.Minute, time.Minute
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	id := input.OrderID(engBatch, engPhone(0), engPid, 1)
	done := make(chan Result)
	go func() { res, _ := e.Settle(ctx, 10*time.Second); done <- res }()
	deadline := time.Now().Add(5 * time.Second)
	for sim.Requests().Queries < 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	for {
		if lo, _ := sim.Order(id); lo.State.Final() || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	e.Nudge(id)
	select {
	case res := <-done:
		if res.Open() != 0 || res.Queries != 2 {
			t.Errorf("after a nudge: %+v", res)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the nudge did not bring the query forward")
	}
}

func TestHaltErrorMessage(t *testing.T) {
	o := &OrderState{Line: 1204, OrderID: "abc12345"}
	for _, tc := range []struct {
		code int
		want string
	}{
		{210505, "balance insufficient (210505) at row 1,204: top up, then run the same command again"},
		{10001, "wrong key (10001) at row 1,204: fix JUHE_KEY, then run the same command again"},
	} {
		if got := newHaltError(o, juhe.Outcome{Class: juhe.ClassHalt, Code: tc.code}).Error(); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.code, got, tc.want)
		}
	}
}

// BenchmarkSubmitRate100 measures the achieved request rate at -rate 100
// over 1,500 rows against the simulator (a few ms of latency).
func BenchmarkSubmitRate100(b *testing.B) {
	const n = 1500
	for range b.N {
		sim := engSim(b, juhesim.Config{Faults: juhesim.Faults{Latency: 1, LatencyMin: 2 * time.Millisecond, LatencyMax: 5 * time.Millisecond}})
		_, j, book := engPlan(b, n)
		e := NewEngine(j, book, engClient(b, sim.URL, engKey, engOpenID), EngineOptions{Rate: 100})
		res, err := e.Submit(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		j.Close()
		b.ReportMetric(float64(res.Submits)/res.Duration.Seconds(), "req/s")
	}
}
