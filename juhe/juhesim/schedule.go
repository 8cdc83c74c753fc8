package juhesim

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// One goroutine and one min-heap schedule every settlement and callback
// retry, so a million open orders cost a million small heap entries, not a
// million timers.

const (
	evSettle uint8 = iota + 1
	evCallback
)

type event struct {
	due     int64 // unix nanoseconds
	idx     int32 // index into Server.orders
	kind    uint8
	attempt uint8 // callback attempts already made
}

type eventHeap []event

func (h *eventHeap) push(e event) {
	*h = append(*h, e)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p].due <= a[i].due {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *eventHeap) pop() event {
	a := *h
	top := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < n && a[l].due < a[m].due {
			m = l
		}
		if r < n && a[r].due < a[m].due {
			m = r
		}
		if m == i {
			break
		}
		a[m], a[i] = a[i], a[m]
		i = m
	}
	*h = a
	return top
}

// at schedules e after d. Call with s.mu held.
func (s *Server) at(d time.Duration, e event) {
	e.due = time.Now().Add(d).UnixNano()
	s.events.push(e)
	if s.events[0] == e {
		notify(s.wake)
	}
}

// queueCallback makes a callback ready to send now. Call with s.mu held.
func (s *Server) queueCallback(e event) {
	s.ready = append(s.ready, e)
	notify(s.cbWake)
}

func notify(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// runDue runs the events that are due and returns the time it used (unix
// nanoseconds). The lookups call it too, so that an order is settled
// SettleDelay after its charge whenever the scheduler gets to run.
// Call with s.mu held.
func (s *Server) runDue() int64 {
	now := time.Now().UnixNano()
	for len(s.events) > 0 && s.events[0].due <= now {
		e := s.events.pop()
		switch e.kind {
		case evSettle:
			s.settle(int(e.idx))
		case evCallback:
			s.queueCallback(e)
		}
	}
	return now
}

// schedule runs due events until Close.
func (s *Server) schedule() {
	defer s.wg.Done()
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	for {
		s.mu.Lock()
		now := s.runDue()
		wait := time.Hour
		if len(s.events) > 0 {
			wait = time.Duration(s.events[0].due - now)
		}
		s.mu.Unlock()
		t.Reset(wait)
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-t.C:
		}
	}
}

// sendCallbacks is one callback worker: it sends ready callbacks and
// schedules a retry while no response body comes back.
func (s *Server) sendCallbacks() {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		for len(s.ready) == 0 {
			s.mu.Unlock()
			select {
			case <-s.ctx.Done():
				return
			case <-s.cbWake:
			}
			s.mu.Lock()
		}
		e := s.ready[0]
		s.ready = s.ready[1:]
		if len(s.ready) > 0 {
			notify(s.cbWake)
		}
		o := &s.orders[e.idx]
		form := url.Values{
			"sporder_id": {sporderID(int(e.idx), o.chargedAt)},
			"orderid":    {o.id()},
			"sta":        {itoaState(o.state)},
		}
		form.Set("sign", juhe.CallbackSign(s.cfg.Key, form.Get("sporder_id"), o.id()))
		if o.state == 9 {
			form.Set("err_msg", "充值失败")
		}
		cburl := s.cburls[o.cburl-1]
		s.counts.Callbacks++
		s.mu.Unlock()

		err := s.deliver(cburl, form)

		s.mu.Lock()
		o = &s.orders[e.idx] // orders may have grown and moved
		if o.cbTries < 255 {
			o.cbTries++
		}
		switch {
		case err == nil:
			o.cbDone = true
			s.counts.CallbacksDelivered++
		case s.ctx.Err() != nil:
		case int(e.attempt) < s.cfg.CallbackRetries:
			e.attempt++
			s.at(s.cfg.CallbackInterval, e)
		}
		s.mu.Unlock()
		if err != nil && s.ctx.Err() == nil {
			s.logf("callback %s attempt %d: %v", form.Get("orderid"), e.attempt+1, err)
		}
	}
}

func itoaState(st uint8) string {
	if st == 1 {
		return "1"
	}
	return "9"
}

type emptyBody struct{ status int }

func (e emptyBody) Error() string {
	return "no response body (HTTP " + http.StatusText(e.status) + ")"
}

// deliver sends one callback; it succeeds when any response body comes back.
func (s *Server) deliver(cburl string, form url.Values) error {
	var req *http.Request
	var err error
	if s.cfg.CallbackMethod == http.MethodPost {
		req, err = http.NewRequestWithContext(s.ctx, http.MethodPost, cburl, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		sep := "?"
		if strings.Contains(cburl, "?") {
			sep = "&"
		}
		req, err = http.NewRequestWithContext(s.ctx, http.MethodGet, cburl+sep+form.Encode(), nil)
	}
	if err != nil {
		return err
	}
	resp, err := s.cb.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if len(b) == 0 {
		return emptyBody{resp.StatusCode}
	}
	return nil
}
