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
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
	"golang.org/x/text/width"
)

// screen draws a batch.Progress on w: one line redrawn in place, a
// progressbar bar (terminalBar), when w is a terminal; otherwise one plain
// line every every. It implements batch.Screen; one goroutine draws while
// a phase runs.
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
		// progressbar draws in place with \r; a log or a pipe gets whole
		// lines instead, one every s.every.
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
	var tb *terminalBar
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		// One bar per phase, made again if the terminal was resized.
		if cols := s.cols(); tb == nil || tb.cols != cols {
			tb = newTerminalBar(s.w, s.lang, cols)
		}
		tb.draw(viewOf(p, time.Now()))
		select {
		case <-stop:
			// The last state stays on screen for the summary below it.
			tb.draw(viewOf(p, time.Now()))
			fmt.Fprintln(s.w)
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

// barCells is the width of the bar itself, on a terminal wide enough.
const barCells = 20

// barFixed is the columns progressbar's line takes besides the bar and
// the description: "\r%4d%% " before the bar, two spaces after it (its
// count and rate, which we leave out, stand between them), one at the end.
const barFixed = 5 + 1 + 2 + 2 + 1

// barTheme is "[=====     ]": ASCII, so that every terminal font draws it
// at one column a cell.
var barTheme = progressbar.Theme{Saucer: "=", SaucerPadding: " ", BarStart: "[", BarEnd: "]"}

// terminalBar is one phase's line on a terminal, drawn by progressbar:
// the percent and the bar, then our description ("submit: rows
// 1,204/5,000 sent · eta 38s · success … · 98.7/s"), cut and padded to
// the terminal's width so that a line never wraps and a shorter one
// leaves nothing of the longer behind it.
//
// progressbar keeps the bar and the percent; the counts, the tallies, the
// rate and the ETA are ours (progressView): its own count would show
// answers, not rows, and its ETA counts from its start, so a resume that
// skipped 4,000 done rows would promise the rest in a second.
type terminalBar struct {
	pb   *progressbar.ProgressBar
	lang lang
	cols int // the terminal's width
	room int // columns left for the description
	max  int64
}

func newTerminalBar(w io.Writer, l lang, cols int) *terminalBar {
	// The line ends one column short of the edge: a terminal that wraps
	// at the last column would push the next frame down a line.
	line := max(cols-1, 0)
	cells := min(barCells, max(0, (line-barFixed)/3))
	tb := &terminalBar{lang: l, cols: cols, room: max(0, line-barFixed-cells), max: 1}
	tb.pb = progressbar.NewOptions64(tb.max,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(cells),
		progressbar.OptionSetTheme(barTheme),
		progressbar.OptionShowDescriptionAtLineEnd(),
		progressbar.OptionSetPredictTime(false),
		progressbar.OptionSetElapsedTime(false),
		// Not progressbar's ANSI mode: once a bar is full, that mode
		// draws no more, and the last tallies of a phase come after
		// its last row. The line is padded to its width anyway.
		progressbar.OptionUseANSICodes(false),
	)
	return tb
}

// draw shows v. The description goes first: a bar that fills draws
// itself once more and no more, and it must carry the last counts.
func (tb *terminalBar) draw(v progressView) {
	if m := max(v.total, 1); m != tb.max {
		tb.max = m
		tb.pb.ChangeMax64(m)
	}
	tb.pb.Describe(tb.describe(v))
	done := v.done
	if v.total <= 0 {
		done = 1 // nothing to do is all done
	}
	_ = tb.pb.Set64(done)
}

// describe is what follows the bar: the phase, its counts and the tail,
// cut and padded to the room the terminal leaves.
func (tb *terminalBar) describe(v progressView) string {
	s := fmt.Sprintf("%s: %s", v.label(tb.lang), v.counted(tb.lang))
	s = cutToWidth(strings.Join(append([]string{s}, v.tail(tb.lang)...), " · "), tb.room)
	return s + strings.Repeat(" ", tb.room-displayWidth(s))
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
