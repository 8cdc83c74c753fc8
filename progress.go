package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// screen draws a batch.Progress on w: a progress bar when w is a
// terminal, otherwise one plain line every every. It implements
// batch.Screen; one goroutine draws while a phase runs.
type screen struct {
	w     io.Writer
	tty   bool
	every time.Duration // plain-line interval, default 5s

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// newProgress returns counters for an engine that are drawn on w. A bar
// is drawn only when w is an *os.File on a terminal; nil w draws nothing.
func newProgress(w io.Writer) *batch.Progress {
	p := &batch.Progress{}
	if w != nil {
		p.Screen = newScreen(w)
	}
	return p
}

func newScreen(w io.Writer) *screen {
	s := &screen{w: w, every: 5 * time.Second}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s.tty = true
	}
	return s
}

// Start begins drawing p.
func (s *screen) Start(p *batch.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return
	}
	s.stop, s.done = make(chan struct{}), make(chan struct{})
	go s.draw(p, s.stop, s.done)
}

// Stop draws a last time, clears the bar and waits for the drawer to end.
func (s *screen) Stop() {
	s.mu.Lock()
	stop, done := s.stop, s.done
	s.stop, s.done = nil, nil
	s.mu.Unlock()
	if stop == nil {
		return
	}
	close(stop)
	<-done
}

func (s *screen) draw(p *batch.Progress, stop, done chan struct{}) {
	defer close(done)
	if !s.tty {
		t := time.NewTicker(s.every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fmt.Fprintln(s.w, progressLine(p))
			}
		}
	}
	verb, _ := p.Phase()
	bar := progressbar.NewOptions64(max(p.Total.Load(), 1),
		progressbar.OptionSetWriter(s.w),
		progressbar.OptionSetDescription(verb),
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
		bar.Describe(verb + " · " + progressCounts(p))
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

func progressCounts(p *batch.Progress) string {
	return fmt.Sprintf("accepted %s · rejected %s · unknown %s",
		journal.Thousands(p.Accepted.Load()), journal.Thousands(p.Rejected.Load()), journal.Thousands(p.Unknown.Load()))
}

// progressLine is the plain progress line, e.g.
// "submitted 1,204/5,000 (24%) · 98.7/s · accepted 1,200 rejected 3 unknown 1 · eta 38s".
func progressLine(p *batch.Progress) string {
	verb, started := p.Phase()
	done, total := p.Done.Load(), p.Total.Load()
	pct := 0.0
	if total > 0 {
		pct = 100 * float64(done) / float64(total)
	}
	el := time.Since(started).Seconds()
	perSec := 0.0
	if el > 0 {
		perSec = float64(p.Requests()) / el
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
