package statement

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// pagingStandIn serves flow/ordersbydate over HTTP: total orders, 100 a
// page, newest first. totals (totalcount, totalpage) are what it says, or
// none when nil; ignorePage serves the first page whatever was asked.
type pagingStandIn struct {
	total      int
	totals     []int
	ignorePage bool
	clamp      bool // a page past the last is the last
}

func (s *pagingStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	page, _ := strconv.Atoi(r.Form.Get("page"))
	if s.ignorePage {
		page = 1
	}
	if last := (s.total + 99) / 100; s.clamp && page > last {
		page = last
	}
	var data []map[string]string
	for n := (page - 1) * 100; n < page*100 && n < s.total; n++ {
		data = append(data, map[string]string{"uorderid": fmt.Sprintf("FB%010d", n), "sporder_id": fmt.Sprintf("J%d", n),
			"game_state": "1", "uordercash": "2.940", "addtime": "2026-11-03 10:30:00"})
	}
	res := map[string]any{"data": data}
	if s.totals != nil {
		res["totalcount"], res["totalpage"] = s.totals[0], s.totals[1]
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"error_code": 0, "reason": "ok", "result": res})
}

// TestPullHostilePaging: the provider's totals and paging are believed
// only as far as the lines bear them out. A statement read short (totals
// that stop the pull early) or read in circles (a provider that ignores
// the page asked for) is never called whole: a whole statement that lacks
// lines hides the very charges the leak detector is for.
func TestPullHostilePaging(t *testing.T) {
	from := time.Date(2026, 11, 3, 10, 0, 0, 0, juhe.Beijing)
	for _, tc := range []struct {
		name  string
		src   *pagingStandIn
		whole bool
		lines int
	}{
		{"honest totals", &pagingStandIn{total: 150, totals: []int{150, 2}}, true, 150},
		{"no totals", &pagingStandIn{total: 150}, true, 150},
		{"totalpage 1 of 150 orders: read on to the empty page", &pagingStandIn{total: 150, totals: []int{150, 1}}, true, 150},
		// A provider that answers the last page again for any page past
		// it: its totals, borne out by the lines, end the pull first.
		{"the last page again past the end, totals", &pagingStandIn{total: 150, totals: []int{150, 2}, clamp: true}, true, 150},
		{"the last page again past the end, no totals", &pagingStandIn{total: 150, clamp: true}, false, 150},
		{"the page asked for is ignored, no totals", &pagingStandIn{total: 150, ignorePage: true}, false, 100},
		{"the page asked for is ignored, totals", &pagingStandIn{total: 300, totals: []int{300, 3}, ignorePage: true}, false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(tc.src)
			defer srv.Close()
			c, err := juhe.NewClient(juhe.Config{BaseURL: srv.URL, Key: "k0123456789abcdef0123456789abcde", OpenID: "JHopenid", Timeout: 5 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			path := filepath.Join(t.TempDir(), "b.journal.statement")
			rep, err := Pull(ctx, c, path, Periods(from, from.Add(time.Hour)), PullOptions{BatchID: "B", Limiter: batch.NewLimiter(1000), RetryPause: time.Millisecond})
			if err != nil {
				t.Fatalf("pull: %v (report %+v)", err, rep)
			}
			st, err := Read(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			if p := st.Periods[0]; p.Whole() != tc.whole || len(p.Lines) != tc.lines {
				t.Errorf("whole %v with %d lines, want %v with %d; why %q", p.Whole(), len(p.Lines), tc.whole, tc.lines, st.NotWhole())
			}
		})
	}
}

// doubleStandIn lists one orderid twice, under two sporder_ids: the
// provider charged it twice. A page that repeats a line (an order taken
// while paging pushes one down) repeats it whole.
type doubleStandIn struct{}

func (doubleStandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	var data []map[string]string
	line := func(oid, sp string) map[string]string {
		return map[string]string{"uorderid": oid, "sporder_id": sp, "game_state": "1", "uordercash": "2.940", "addtime": "2026-11-03 10:30:00"}
	}
	switch r.Form.Get("page") {
	case "1":
		data = []map[string]string{line("FB0000000001", "J1"), line("FB0000000002", "J2")}
	case "2":
		data = []map[string]string{line("FB0000000002", "J2"), line("FB0000000001", "J1-again")}
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"error_code": 0, "reason": "ok", "result": map[string]any{"data": data}})
}

// TestPullKeepsTwoChargesOfOneOrderid: a line repeated whole is kept
// once; a second line for an orderid under another sporder_id is another
// charge, and is kept for the match to see.
func TestPullKeepsTwoChargesOfOneOrderid(t *testing.T) {
	srv := httptest.NewServer(doubleStandIn{})
	defer srv.Close()
	c, err := juhe.NewClient(juhe.Config{BaseURL: srv.URL, Key: "k0123456789abcdef0123456789abcde", OpenID: "JHopenid", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 3, 10, 0, 0, 0, juhe.Beijing)
	path := filepath.Join(t.TempDir(), "b.journal.statement")
	if _, err := Pull(context.Background(), c, path, Periods(from, from.Add(time.Hour)), PullOptions{BatchID: "B", Limiter: batch.NewLimiter(1000)}); err != nil {
		t.Fatal(err)
	}
	st, err := Read(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	st.Lines(func(_ *Period, l *journal.StatementLine) { got = append(got, l.OrderID+"/"+l.SporderID) })
	if want := []string{"FB0000000001/J1", "FB0000000002/J2", "FB0000000001/J1-again"}; !slices.Equal(got, want) || !st.Whole() {
		t.Errorf("lines %v, want %v (whole %v)", got, want, st.Whole())
	}
}
