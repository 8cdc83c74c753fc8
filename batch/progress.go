package batch

import (
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"io"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress holds the counters of a running submit or settle. Workers bump
// them; one goroutine started by Start draws them: a progress bar when the
// writer is a terminal, otherwise one plain line every Every.
//
// The counters live here, outside the bar, so a Result never depends on
// what was drawn.
type Progress struct {
	Total     atomic.Int64 // orders to handle
	Done      atomic.Int64 // orders handled (including those already done before)
	Accepted  atomic.Int64 // answers: order exists
	Rejected  atomic.Int64 // answers: definitively not created
	Unknown   atomic.Int64 // answers: may exist, resolved by query
	Throttled atomic.Int64 // answers: over a rate limit
	Requests  atomic.Int64 // requests sent (submits and queries)

	w     io.Writer
	tty   bool
	Every time.Duration // plain-line interval, default 5s

	mu      sync.Mutex
	verb    string
	started time.Time
	stop    chan struct{}
	done    chan struct{}
}

// NewProgress returns a Progress that draws on w. A bar is drawn only when
// w is an *os.File on a terminal; nil w draws nothing.
func NewProgress(w io.Writer) *Progress {
	p := &Progress{w: w, Every: 5 * time.Second}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

// Start begins drawing; verb names the work ("submitted", "settled").
// Stop must be called before Start again.
func (p *Progress) Start(verb string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.verb = verb
	p.started = time.Now()
	// Each phase (submitting, settling) counts its own answers.
	p.Accepted.Store(0)
	p.Rejected.Store(0)
	p.Unknown.Store(0)
	p.Throttled.Store(0)
	if p.w == nil || p.stop != nil {
		return
	}
	p.stop, p.done = make(chan struct{}), make(chan struct{})
	go p.draw(p.stop, p.done)
}

// Stop draws a last time, clears the bar and waits for the drawer to end.
func (p *Progress) Stop() {
	p.mu.Lock()
	stop, done := p.stop, p.done
	p.stop, p.done = nil, nil
	p.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
}

func (p *Progress) draw(stop, done chan struct{}) {
	defer close(done)
	if !p.tty {
		t := time.NewTicker(p.Every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fmt.Fprintln(p.w, p.Line())
			}
		}
	}
	bar := progressbar.NewOptions64(max(p.Total.Load(), 1),
		progressbar.OptionSetWriter(p.w),
		progressbar.OptionSetDescription(p.verb),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("rows"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionFullWidth(),
	)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		if total := p.Total.Load(); total > 0 && int64(bar.GetMax64()) != total {
			bar.ChangeMax64(total)
		}
		bar.Describe(p.verb + " · " + p.counts())
		_ = bar.Set64(p.Done.Load())
		select {
		case <-stop:
			_ = bar.Clear()
			_ = bar.Exit()
			return
		case <-t.C:
		}
	}
}

func (p *Progress) counts() string {
	return fmt.Sprintf("accepted %s · rejected %s · unknown %s",
		journal.Thousands(p.Accepted.Load()), journal.Thousands(p.Rejected.Load()), journal.Thousands(p.Unknown.Load()))
}

// Line is the plain progress line, e.g.
// "submitted 1,204/5,000 (24%) · 98.7/s · accepted 1,200 rejected 3 unknown 1 · eta 38s".
func (p *Progress) Line() string {
	p.mu.Lock()
	verb, started := p.verb, p.started
	p.mu.Unlock()
	done, total := p.Done.Load(), p.Total.Load()
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	el := time.Since(started).Seconds()
	perSec := 0.0
	if el > 0 {
		perSec = float64(p.Requests.Load()) / el
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s/%s (%.0f%%) · %.1f/s · accepted %s rejected %s unknown %s",
		verb, journal.Thousands(done), journal.Thousands(total), pct, perSec,
		journal.Thousands(p.Accepted.Load()), journal.Thousands(p.Rejected.Load()), journal.Thousands(p.Unknown.Load()))
	if n := p.Throttled.Load(); n > 0 {
		fmt.Fprintf(&b, " throttled %s", journal.Thousands(n))
	}
	rowsPerSec := 0.0
	if el > 0 {
		rowsPerSec = float64(done) / el
	}
	if left := total - done; left > 0 && rowsPerSec > 0 {
		eta := time.Duration(float64(left) / rowsPerSec * float64(time.Second))
		fmt.Fprintf(&b, " · eta %s", eta.Round(time.Second))
	}
	return b.String()
}
