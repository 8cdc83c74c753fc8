package main

import (
	"bytes"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
)

// lockedBuffer is a bytes.Buffer the drawing goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgressPlainLines(t *testing.T) {
	var w lockedBuffer
	p := &batch.Progress{}
	sc := newScreen(&w, langEN)
	sc.every = 10 * time.Millisecond
	p.Screen = sc
	p.Total.Store(5000)
	p.Start(batch.PhaseSubmit)
	p.Done.Store(1204)
	p.Success.Store(300)
	p.Failed.Store(2)
	p.Spent.Store(int64(juhe.Money(5889000)))
	p.Submits.Store(1204)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	line := strings.SplitN(w.String(), "\n", 2)[0]
	for _, want := range []string{"submit: rows 1,204/5,000 sent (24%)", "success 300 · failed 2 · spent 5889.000 yuan", "/s", "· eta "} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	// Stopped: nothing more is drawn.
	n := len(w.String())
	time.Sleep(30 * time.Millisecond)
	if len(w.String()) != n {
		t.Errorf("drawing went on after Stop")
	}
}

// The progress display in both languages, through its rendering
// function: rows done out of rows (never answers ahead of them), the
// phase by name, the tallies, and an ETA from this run's work only.
func TestProgressView(t *testing.T) {
	for _, tc := range []struct {
		name   string
		v      progressView
		l      lang
		want   string
		absent []string
	}{
		{"submit", progressView{phase: batch.PhaseSubmit, total: 5000, done: 1000, success: 0, spent: 0, elapsed: 100 * time.Second}, langEN,
			"submit: rows 1,000/5,000 sent (20%) · eta 6m40s · success 0 · failed 0 · spent 0.000 yuan · 10.0/s", nil},
		{"submit zh", progressView{phase: batch.PhaseSubmit, total: 5000, done: 1000, elapsed: 100 * time.Second}, langZH,
			"提交: 已发送 1,000/5,000 行 (20%) · 预计还需 6m40s · 成功 0 · 失败 0 · 已花 0.000 元 · 每秒 10.0", nil},
		// A resume skipped 4,000 rows done before: 100 rows in 10s is
		// 10 rows/s, and 900 rows are left: 1m30s, not 2s.
		{"resume", progressView{phase: batch.PhaseSubmit, total: 5000, done: 4100, base: 4000, success: 3900, fail: 20, spent: 76557000, elapsed: 10 * time.Second}, langEN,
			"submit: rows 4,100/5,000 sent (82%) · eta 1m30s · success 3,900 · failed 20 · spent 76557.000 yuan · 10.0/s", nil},
		{"settle", progressView{phase: batch.PhaseSettle, total: 1200, done: 300, success: 3000, fail: 25, spent: 58890000, throttled: 4, elapsed: 30 * time.Second}, langEN,
			"settle: orders 300/1,200 final (25%) · eta 1m30s · success 3,000 · failed 25 · spent 58890.000 yuan · 10.0/s · throttled 4", nil},
		{"settle zh", progressView{phase: batch.PhaseSettle, total: 1200, done: 300, success: 3000, fail: 25, spent: 58890000, elapsed: 30 * time.Second}, langZH,
			"查询结果: 已定 300/1,200 个订单 (25%) · 预计还需 1m30s · 成功 3,000 · 失败 25 · 已花 58890.000 元 · 每秒 10.0", nil},
		// Nothing done in this run yet: no rate, so no ETA at all.
		{"no eta yet", progressView{phase: batch.PhaseSubmit, total: 10, done: 4, base: 4, elapsed: time.Second}, langEN,
			"submit: rows 4/10 sent (40%) · success 0 · failed 0 · spent 0.000 yuan · 0.0/s", []string{"eta"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.v.line(tc.l); got != tc.want {
				t.Errorf("line\n got %q\nwant %q", got, tc.want)
			}
			for _, a := range tc.absent {
				if strings.Contains(tc.v.line(tc.l), a) {
					t.Errorf("line has %q", a)
				}
			}
		})
	}
}

// Done is never drawn above Total, whatever the counters say for a moment.
func TestProgressViewNeverAheadOfRows(t *testing.T) {
	p := &batch.Progress{}
	p.Total.Store(10)
	p.Start(batch.PhaseSubmit)
	p.Done.Store(12)
	p.Accepted.Store(40)
	v := viewOf(p, time.Now())
	if v.done != 10 || !strings.Contains(v.line(langEN), "rows 10/10 sent (100%)") {
		t.Errorf("line %q", v.line(langEN))
	}
	if strings.Contains(v.line(langEN), "accepted") {
		t.Errorf("answers shown beside rows: %q", v.line(langEN))
	}
}

// lastFrame is the last line progressbar drew on w: what stays on screen.
func lastFrame(w string) string {
	frames := regexp.MustCompile(`\r|\n`).Split(w, -1)
	for i := len(frames) - 1; i >= 0; i-- {
		if strings.TrimSpace(frames[i]) != "" {
			return frames[i]
		}
	}
	return ""
}

// The terminal line fits its width in columns, Chinese characters being
// two, one column short of the edge; its counts are ours, after the bar.
func TestProgressBarFitsTheTerminal(t *testing.T) {
	v := progressView{phase: batch.PhaseSettle, total: 1200, done: 600, success: 3000, fail: 25, spent: 58890000, elapsed: 30 * time.Second}
	for _, l := range []lang{langEN, langZH} {
		for _, cols := range []int{20, 40, 79, 200} {
			var w bytes.Buffer
			newTerminalBar(&w, l, cols).draw(v)
			for _, f := range regexp.MustCompile(`\r|\n`).Split(w.String(), -1) {
				if n := displayWidth(f); n >= cols {
					t.Errorf("%s, %d columns: %d wide: %q", l, cols, n, f)
				}
			}
		}
		var w bytes.Buffer
		newTerminalBar(&w, l, 200).draw(v)
		s := lastFrame(w.String())
		if !strings.Contains(s, " 50% [==========          ]  ") || !strings.Contains(s, v.counted(l)) || !strings.Contains(s, msgProgTally.f(l, "3,000", "25", v.spent)) {
			t.Errorf("%s: no half bar with its counts in %q", l, s)
		}
	}
}

// A phase's last frame carries its last counts, though the bar filled
// before them (progressbar draws a full bar once and no more by itself).
func TestProgressBarLastFrameIsTheLastState(t *testing.T) {
	var w bytes.Buffer
	tb := newTerminalBar(&w, langEN, 120)
	v := progressView{phase: batch.PhaseSubmit, total: 10, done: 9, success: 1, elapsed: time.Second}
	tb.draw(v)
	v.done = 10
	tb.draw(v)
	v.success, v.spent = 4, 57000
	tb.draw(v)
	s := lastFrame(w.String())
	if !strings.Contains(s, "100% [====================]") || !strings.Contains(s, "rows 10/10 sent") || !strings.Contains(s, "success 4 ·") {
		t.Errorf("last frame %q", s)
	}
	// Nothing to do is done, not a bar that never fills.
	w.Reset()
	newTerminalBar(&w, langEN, 120).draw(progressView{phase: batch.PhaseSettle})
	if s := lastFrame(w.String()); !strings.Contains(s, "100% [") || !strings.Contains(s, "orders 0/0 final") {
		t.Errorf("empty phase %q", s)
	}
}
