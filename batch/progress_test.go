package batch

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// watchScreen samples a Progress while a phase runs and remembers the
// worst it saw: Done above Total.
type watchScreen struct {
	mu      sync.Mutex
	stop    chan struct{}
	done    chan struct{}
	overrun atomic.Bool
	phases  []string
}

func (w *watchScreen) Start(p *Progress) {
	verb, _ := p.Phase()
	w.mu.Lock()
	w.phases = append(w.phases, verb)
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	stop, done := w.stop, w.done
	w.mu.Unlock()
	go func() {
		defer close(done)
		for {
			if p.Done.Load() > p.Total.Load() {
				w.overrun.Store(true)
			}
			select {
			case <-stop:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
}

func (w *watchScreen) Stop() {
	w.mu.Lock()
	stop, done := w.stop, w.done
	w.mu.Unlock()
	close(stop)
	<-done
}

// The tallies a screen shows (success, failed, spent) are the book's at
// every phase's end, and after a resume they start from the journal, not
// from zero; Done never runs ahead of Total; Base is the work done before.
func TestProgressTalliesFollowTheBook(t *testing.T) {
	const n = 40
	sim := engSim(t, juhesim.Config{SettleDelay: 100 * time.Millisecond, SuccessRatio: 0.7, Seed: 5})
	path, j, book := engPlan(t, n)
	opts := engFast()
	opts.QueryBackoff, opts.MaxQueryBackoff = 20*time.Millisecond, 100*time.Millisecond
	scr := &watchScreen{}
	opts.Progress = &Progress{Screen: scr}
	e := NewEngine(j, book, engClient(t, sim.URL, engKey, engOpenID), opts)
	ctx := context.Background()
	if _, err := e.Submit(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := e.Settle(ctx, 20*time.Second)
	if err != nil || res.Open() != 0 {
		t.Fatalf("Settle: %v, %d open", err, res.Open())
	}
	check := func(p *Progress, tot Totals, when string) {
		t.Helper()
		if got, want := p.Success.Load(), int64(tot.ByStatus[StatusSuccess]); got != want {
			t.Errorf("%s: success %d, book %d", when, got, want)
		}
		if got, want := p.Failed.Load(), int64(tot.ByStatus[StatusFailed]); got != want {
			t.Errorf("%s: failed %d, book %d", when, got, want)
		}
		if p.Spend() != tot.Spend {
			t.Errorf("%s: spent %s, book %s", when, p.Spend(), tot.Spend)
		}
	}
	check(opts.Progress, res.Totals, "first run")
	if res.Totals.ByStatus[StatusSuccess] == 0 || res.Totals.ByStatus[StatusFailed] == 0 {
		t.Errorf("want both outcomes: %v", res.Totals.ByStatus)
	}
	if scr.overrun.Load() {
		t.Errorf("Done ran ahead of Total")
	}
	if len(scr.phases) != 2 || scr.phases[0] != PhaseSubmit || scr.phases[1] != PhaseSettle {
		t.Errorf("phases %v", scr.phases)
	}

	// A resume: every row is done already; the tallies start from the
	// journal and the whole of Done is Base (no work of this run).
	j2, book2 := engReopen(t, path, j)
	p2 := &Progress{}
	opts.Progress = p2
	e2 := NewEngine(j2, book2, engClient(t, sim.URL, engKey, engOpenID), opts)
	res2, err := e2.Submit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	check(p2, res2.Totals, "resume")
	if p2.Base() != n || p2.Done.Load() != n || p2.Total.Load() != n {
		t.Errorf("resume: base %d done %d total %d, want %d each", p2.Base(), p2.Done.Load(), p2.Total.Load(), n)
	}
}
