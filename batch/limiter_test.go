package batch

import (
	"math"
	"testing"
	"time"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }
func approx(got, want, tol float64) bool { return math.Abs(got-want) <= tol }
func permits(l *limiter, c *fakeClock, d time.Duration) int {
	n := 0
	end := c.t.Add(d)
	for c.t.Before(end) {
		// Ask far more often than the rate allows: a burst would show.
		if l.allowAt(c.t) {
			n++
		}
		c.add(500 * time.Microsecond)
	}
	return n
}

func TestLimiterHoldsRate(t *testing.T) {
	for _, rate := range []float64{1, 10, 100, 250} {
		c := newFakeClock()
		l := newLimiter(rate, c.now)
		// Idle first: a limiter that saved up tokens would burst now.
		c.add(10 * time.Second)
		got := permits(l, c, 10*time.Second)
		want := rate * 10
		if float64(got) > want+1 || float64(got) < want-1 {
			t.Errorf("rate %v: %d permits in 10s, want %v (±1)", rate, got, want)
		}
	}
}

func TestLimiterNeverBursts(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(100, c.now)
	c.add(time.Minute)
	var last time.Time
	for i := 0; i < 1000; i++ {
		if l.allowAt(c.t) {
			if !last.IsZero() && c.t.Sub(last) < 10*time.Millisecond-time.Microsecond {
				t.Fatalf("two permits %v apart at 100/s", c.t.Sub(last))
			}
			last = c.t
		}
		c.add(time.Millisecond)
	}
}

func TestLimiterAIMD(t *testing.T) {
	c := newFakeClock()
	l := newLimiter(100, c.now)

	// Many throttles inside one window halve the rate once.
	for i := 0; i < 20; i++ {
		l.throttledAt(c.t)
		c.add(100 * time.Millisecond)
	}
	if got := l.Limit(); got != 50 {
		t.Fatalf("after one window of throttling: limit %v, want 50", got)
	}
	// The next window halves again.
	c.add(aimdWindow)
	l.throttledAt(c.t)
	if got := l.Limit(); got != 25 {
		t.Fatalf("after a second window: limit %v, want 25", got)
	}
	// Never below 1/s.
	for i := 0; i < 20; i++ {
		c.add(aimdWindow)
		l.throttledAt(c.t)
	}
	if got := l.Limit(); got != 1 {
		t.Fatalf("after long throttling: limit %v, want 1", got)
	}
	// At the floor it still sends about one a second.
	c.add(time.Second)
	if n := permits(l, c, 5*time.Second); n < 4 || n > 6 {
		t.Fatalf("at 1/s: %d permits in 5s", n)
	}

	// Quiet: no increase before the quiet window has passed since the last throttle.
	l.throttledAt(c.t)
	c.add(aimdQuiet - time.Second)
	l.allowAt(c.t)
	if got := l.Limit(); got != 1 {
		t.Fatalf("inside the quiet window: limit %v, want 1", got)
	}
	// Then +10% of the configured rate per window, up to the configured rate.
	c.add(time.Second)
	l.allowAt(c.t)
	if got := l.Limit(); got != 11 {
		t.Fatalf("after the quiet window: limit %v, want 11", got)
	}
	for i := 0; i < 20; i++ {
		c.add(aimdWindow)
		l.allowAt(c.t)
	}
	if got := l.Limit(); got != 100 {
		t.Fatalf("after a long quiet: limit %v, want 100", got)
	}
	if n := permits(l, c, 2*time.Second); !approx(float64(n), 200, 1) {
		t.Fatalf("back at 100/s: %d permits in 2s", n)
	}
}

func TestLimiterSlowRate(t *testing.T) {
	// A configured rate under 1/s is its own floor.
	c := newFakeClock()
	l := newLimiter(0.5, c.now)
	l.throttledAt(c.t)
	if got := l.Limit(); got != 0.5 {
		t.Fatalf("limit %v, want 0.5", got)
	}
}

// The sliding window lets no more than the rate through in any one
// second, whatever the token bucket allowed: waiters that woke late and
// go together must not add up past it.
func TestLimiterSlidingWindow(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	l := newLimiter(10, func() time.Time { return t0 })
	for i := range 10 {
		if d := l.slideAt(t0.Add(time.Duration(i) * time.Millisecond)); d != 0 {
			t.Fatalf("permit %d waits %v inside the first 10", i+1, d)
		}
	}
	if d := l.slideAt(t0.Add(500 * time.Millisecond)); d != 500*time.Millisecond {
		t.Errorf("11th permit in the same second waits %v, want 500ms", d)
	}
	if d := l.slideAt(t0.Add(time.Second)); d != 0 {
		t.Errorf("a permit one second after the first waits %v, want 0", d)
	}
	if d := l.slideAt(t0.Add(time.Second)); d != time.Millisecond {
		t.Errorf("the next permit waits %v, want 1ms (until the second-oldest leaves the window)", d)
	}
}
