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
	"github.com/flowbatch/flowbatch/juhe"
	"golang.org/x/term"
	"golang.org/x/text/width"
)

// screen draws a batch.Progress on w: one line redrawn in place, with a
// bar, when w is a terminal; otherwise one plain line every every. It
// implements batch.Screen; one goroutine draws while a phase runs.
//
// What it shows (progressView): the phase by name ("submit: rows 1,204/5,000
// sent", "settle: orders 300/1,200 final"), so that a count never runs
// ahead of its rows; the batch's success, failed and yuan spent so far;
// the rate and an ETA from this run's work only, so that a resume that
// skipped 4,000 done rows does not promise the rest in a second.
type screen struct {
	w     io.Writer
	lang  lang
	tty   bool
	cols  func() int    // terminal width
	every time.Duration // plain-line interval, default 5s

	mu   sync.Mutex
	stop chan struct{}
	done chan struct{}
}

// newProgress returns counters for an engine that are drawn on w in l. A
// bar is drawn only when w is an *os.File on a terminal; nil w draws nothing.
func newProgress(w io.Writer, l lang) *batch.Progress {
	p := &batch.Progress{}
	if w != nil {
		p.Screen = newScreen(w, l)
	}
	return p
}

func newScreen(w io.Writer, l lang) *screen {
	s := &screen{w: w, lang: l, every: 5 * time.Second, cols: func() int { return 80 }}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		s.tty = true
		s.cols = func() int {
			if c, _, err := term.GetSize(int(f.Fd())); err == nil && c > 0 {
				return c
			}
			return 80
		}
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
				fmt.Fprintln(s.w, viewOf(p, time.Now()).line(s.lang))
			}
		}
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		// \r, the line, and erase to its end: the line is cut to the
		// terminal's width, so that it never wraps.
		fmt.Fprintf(s.w, "\r%s\x1b[K", viewOf(p, time.Now()).bar(s.lang, s.cols()-1))
		select {
		case <-stop:
			// The last state stays on screen for the summary below it.
			fmt.Fprintf(s.w, "\r%s\x1b[K\n", viewOf(p, time.Now()).bar(s.lang, s.cols()-1))
			return
		case <-t.C:
		}
	}
}

// progressView is what one drawing shows: a snapshot of the counters.
type progressView struct {
	phase         string // batch.PhaseSubmit or batch.PhaseSettle
	total, done   int64
	base          int64 // done before this run started the phase
	success, fail int64
	spent         juhe.Money
	throttled     int64
	elapsed       time.Duration
}

func viewOf(p *batch.Progress, now time.Time) progressView {
	verb, started := p.Phase()
	v := progressView{
		phase: verb, total: p.Total.Load(), done: p.Done.Load(), base: p.Base(),
		success: p.Success.Load(), fail: p.Failed.Load(), spent: p.Spend(),
		throttled: p.Throttled.Load(), elapsed: now.Sub(started),
	}
	v.done = min(v.done, v.total)
	return v
}

func (v progressView) label(l lang) string {
	if v.phase == batch.PhaseSettle {
		return msgPhaseSettle.in(l)
	}
	return msgPhaseSubmit.in(l)
}

func (v progressView) counted(l lang) string {
	m := msgProgSubmit
	if v.phase == batch.PhaseSettle {
		m = msgProgSettle
	}
	return m.f(l, journal.Thousands(v.done), journal.Thousands(v.total))
}

func (v progressView) percent() int64 {
	if v.total <= 0 {
		return 100
	}
	return 100 * v.done / v.total
}

// rate is this run's rows per second in the phase: rows done before it
// started are no work of this run.
func (v progressView) rate() float64 {
	s := v.elapsed.Seconds()
	if s <= 0 || v.done <= v.base {
		return 0
	}
	return float64(v.done-v.base) / s
}

// tail is what follows the counts: the ETA first (a narrow terminal
// cuts the end of the line), the tallies, the rate, throttling.
func (v progressView) tail(l lang) []string {
	var parts []string
	r := v.rate()
	if left := v.total - v.done; left > 0 && r > 0 {
		eta := time.Duration(float64(left) / r * float64(time.Second))
		parts = append(parts, msgProgETA.f(l, eta.Round(time.Second)))
	}
	parts = append(parts, msgProgTally.f(l, journal.Thousands(v.success), journal.Thousands(v.fail), v.spent))
	parts = append(parts, msgProgRate.f(l, r))
	if v.throttled > 0 {
		parts = append(parts, msgProgThrot.f(l, journal.Thousands(v.throttled)))
	}
	return parts
}

// line is the plain progress line, e.g.
// "submit: rows 1,204/5,000 sent (24%) · eta 38s · success 300 · failed 2 · spent 5889.000 yuan · 98.7/s".
func (v progressView) line(l lang) string {
	head := fmt.Sprintf("%s: %s (%d%%)", v.label(l), v.counted(l), v.percent())
	return strings.Join(append([]string{head}, v.tail(l)...), " · ")
}

// barCells is the width of the bar itself.
const barCells = 20

// bar is the terminal line: the phase, a bar, the counts and the tail,
// cut to cols display columns (a Chinese character takes two).
func (v progressView) bar(l lang, cols int) string {
	filled := barCells
	if v.total > 0 {
		filled = int(int64(barCells) * v.done / v.total)
	}
	b := "[" + strings.Repeat("=", filled) + strings.Repeat(" ", barCells-filled) + "]"
	s := fmt.Sprintf("%s %s %3d%% %s", v.label(l), b, v.percent(), v.counted(l))
	s = strings.Join(append([]string{s}, v.tail(l)...), " · ")
	return cutToWidth(s, cols)
}

// cutToWidth cuts s to at most cols display columns.
func cutToWidth(s string, cols int) string {
	n := 0
	for i, r := range s {
		w := 1
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			w = 2
		}
		if n+w > cols {
			return s[:i]
		}
		n += w
	}
	return s
}

// displayWidth is the number of columns s takes on a terminal.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
