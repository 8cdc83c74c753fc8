package batch

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter is the one request-rate limit shared by every submit and query
// of an engine, with AIMD on top: a throttled answer halves the rate (at
// most once per window, never below minRate), and after a quiet window
// without throttling the rate climbs back by a tenth of the configured
// rate per window, up to the configured rate.
//
// The burst is 1, so the limit is never exceeded, even after idling.
type limiter struct {
	lim *rate.Limiter
	now func() time.Time

	mu           sync.Mutex
	max, min     float64
	cur          float64
	window       time.Duration // at most one decrease, or one increase, per window
	quiet        time.Duration // no throttle for this long before climbing back
	lastDecrease time.Time
	lastIncrease time.Time
	lastThrottle time.Time

	// sent holds the times of the permits of the last second, oldest
	// first: a sliding-window check on top of the token bucket, so that
	// late wake-ups of some waiters never let more than the rate through
	// in any one second.
	sent []time.Time
}

const (
	aimdWindow = 5 * time.Second
	aimdQuiet  = 10 * time.Second
)

func newLimiter(perSecond float64, now func() time.Time) *limiter {
	if now == nil {
		now = time.Now
	}
	l := &limiter{
		lim:    rate.NewLimiter(rate.Limit(perSecond), 1),
		now:    now,
		max:    perSecond,
		min:    min(1, perSecond),
		cur:    perSecond,
		window: aimdWindow,
		quiet:  aimdQuiet,
	}
	t := now()
	l.lastIncrease = t
	// The bucket starts full; take its token so the first second is not
	// one request over the limit.
	l.lim.AllowN(t, 1)
	return l
}

// Wait blocks until one request may be sent, or ctx is done.
func (l *limiter) Wait(ctx context.Context) error {
	l.recover(l.now())
	if err := l.lim.Wait(ctx); err != nil {
		return err
	}
	for {
		d := l.slideAt(l.now())
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// slideAt takes a place in the sliding one-second window at t and returns
// 0, or returns how long to wait before the window has room.
func (l *limiter) slideAt(t time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for i < len(l.sent) && t.Sub(l.sent[i]) >= time.Second {
		i++
	}
	l.sent = l.sent[i:]
	n := max(1, int(l.cur))
	if len(l.sent) < n {
		l.sent = append(l.sent, t)
		return 0
	}
	return l.sent[len(l.sent)-n].Add(time.Second).Sub(t)
}

// allowAt takes a permit at t if one is available; tests use it with a
// fake clock.
func (l *limiter) allowAt(t time.Time) bool {
	l.recover(t)
	return l.lim.AllowN(t, 1)
}

// Throttled tells the limiter the provider answered "too many requests".
func (l *limiter) Throttled() { l.throttledAt(l.now()) }

func (l *limiter) throttledAt(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lastThrottle = t
	if !l.lastDecrease.IsZero() && t.Sub(l.lastDecrease) < l.window {
		return
	}
	l.lastDecrease = t
	l.cur = max(l.cur/2, l.min)
	l.lim.SetLimitAt(t, rate.Limit(l.cur))
}

// recover climbs back towards the configured rate after a quiet window.
func (l *limiter) recover(t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur >= l.max || t.Sub(l.lastThrottle) < l.quiet || t.Sub(l.lastIncrease) < l.window {
		return
	}
	l.lastIncrease = t
	l.cur = min(l.cur+l.max/10, l.max)
	l.lim.SetLimitAt(t, rate.Limit(l.cur))
}

// Limit is the current rate in requests per second.
func (l *limiter) Limit() float64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.cur
}

// Limiter is the rate limit every request of an engine goes under, for
// the other requests to the same provider (the statement pull) to go
// under too: Wait for a permit before each request, and say Throttled
// when the provider answered "too many requests".
type Limiter interface {
	Wait(ctx context.Context) error
	Throttled()
}

// NewLimiter is a Limiter of perSecond requests a second, with the
// engine's rules, for requests made without an engine.
func NewLimiter(perSecond float64) Limiter { return newLimiter(perSecond, nil) }

// Limiter is the engine's own rate limit.
func (e *Engine) Limiter() Limiter { return e.lim }
