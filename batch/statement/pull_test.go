package statement

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
)

// scripted answers each OrdersByDate with the next of its replies; a page
// that answers OK holds lines orders, numbered from the page.
type scripted struct {
	replies []juhe.ReplyStatus
	lines   int // orders on each OK page before the empty one
	pages   int // OK pages with orders
	asked   []int
	onAsk   func()
}

func (s *scripted) OrdersByDate(ctx context.Context, start, end time.Time, page, size int) (juhe.StatementPage, juhe.Reply) {
	s.asked = append(s.asked, page)
	if s.onAsk != nil {
		s.onAsk()
	}
	st := juhe.ReplyOK
	if len(s.replies) > 0 {
		st, s.replies = s.replies[0], s.replies[1:]
	}
	r := juhe.Reply{Endpoint: "flow/ordersbydate", Status: st, Code: juhe.NoCode}
	if st == juhe.ReplyNotAvailable {
		r.Code, r.Reason = 10002, "该KEY无请求权限"
	}
	if st != juhe.ReplyOK || page > s.pages {
		return juhe.StatementPage{}, r
	}
	var p juhe.StatementPage
	for i := range s.lines {
		// Each page repeats the last order of the page before: newest
		// first, an order taken while paging pushes one down.
		n := (page-1)*s.lines + i
		if page > 1 && i == 0 {
			n = (page-1)*s.lines - 1
		}
		p.Orders = append(p.Orders, juhe.StatementOrder{OrderID: fmt.Sprintf("FB%010d", n), SporderID: fmt.Sprintf("J%d", n), State: juhe.StateSuccess, Cost: 2940, HasCost: true})
	}
	return p, r
}

func TestPullRules(t *testing.T) {
	from := time.Date(2026, 11, 3, 10, 0, 0, 0, juhe.Beijing)
	for _, tc := range []struct {
		name     string
		src      *scripted
		cancel   int // cancel ctx at this request
		whole    bool
		lines    int
		requests int
		why      string
	}{
		{name: "two pages, the empty one ends it", src: &scripted{lines: 3, pages: 2}, whole: true, lines: 5, requests: 3},
		{name: "unknown answers are asked again", src: &scripted{lines: 3, pages: 1, replies: []juhe.ReplyStatus{juhe.ReplyUnknown, juhe.ReplyUnknown, juhe.ReplyOK, juhe.ReplyUnknown}}, whole: true, lines: 3, requests: 5},
		{name: "three unknown in a row give the period up", src: &scripted{lines: 3, pages: 1, replies: []juhe.ReplyStatus{juhe.ReplyOK, juhe.ReplyUnknown, juhe.ReplyUnknown, juhe.ReplyUnknown}}, lines: 3, requests: 4, why: "no readable answer 3 times"},
		{name: "throttled is asked again", src: &scripted{lines: 3, pages: 1, replies: []juhe.ReplyStatus{juhe.ReplyThrottled, juhe.ReplyOK}}, whole: true, lines: 3, requests: 3},
		{name: "not available stops at once", src: &scripted{replies: []juhe.ReplyStatus{juhe.ReplyNotAvailable}}, requests: 1, why: "10002"},
		{name: "cancelled", src: &scripted{lines: 3, pages: 5}, cancel: 2, lines: 3, requests: 2, why: "interrupted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel > 0 {
				tc.src.onAsk = func() {
					if len(tc.src.asked) == tc.cancel {
						cancel()
					}
				}
			}
			path := filepath.Join(t.TempDir(), "b.journal.statement")
			rep, err := Pull(ctx, tc.src, path, Periods(from, from.Add(time.Hour)), PullOptions{BatchID: "B",
				Limiter: batch.NewLimiter(1000), RetryPause: time.Millisecond})
			if (err != nil) != (tc.cancel > 0) || tc.cancel > 0 && !errors.Is(err, context.Canceled) {
				t.Fatalf("pull: %v", err)
			}
			if rep.Requests != tc.requests || (rep.Whole == 1) != tc.whole || rep.Lines != tc.lines {
				t.Errorf("report %+v; asked pages %v", rep, tc.src.asked)
			}
			st, err := Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			p := st.Periods[0]
			if len(p.Lines) != tc.lines || p.Whole() != tc.whole || !strings.Contains(st.NotWhole(), tc.why) {
				t.Errorf("read: %d lines, whole %v, why %q", len(p.Lines), p.Whole(), st.NotWhole())
			}
		})
	}
}
