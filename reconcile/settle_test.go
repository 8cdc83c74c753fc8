package reconcile

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// settleBook has a failed order whose callback gave an err_msg, one
// failed without one, and one the provider answered game_state -1.
func settleBook(t *testing.T) *batch.Book {
	b := newJournal(t, "S1")
	const cost = 19630
	ids := []string{"0123456789abcdef0123456789abcd01", "0123456789abcdef0123456789abcd02", "0123456789abcdef0123456789abcd03"}
	b.input("in.csv", nil, valid(2, "13800000001", "10", ids[0]), valid(3, "13800000002", "10", ids[1]), valid(4, "13800000003", "10", ids[2]))
	for _, id := range ids {
		b.intent(id)
		b.submit(id, juhe.ClassAccepted, 0, "订单提交成功", cost)
	}
	b.add(&journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: ids[0], SporderID: "J" + ids[0], State: juhe.StateFailed, ErrMsg: "运营商维护"}})
	b.query(ids[0], juhe.StateFailed, cost)
	b.query(ids[1], juhe.StateFailed, cost)
	b.query(ids[2], juhe.StateSubmitFailed, 0)
	return b.book()
}

// The failed reason is the callback's err_msg when one came (issue 13,
// honest cells): before, the book dropped it and every failed row said
// 充值失败. A game_state -1 row says that nothing was charged, and shows
// no cost charged or refunded.
func TestFailedReasonAndSubmitFailed(t *testing.T) {
	book := settleBook(t)
	w, _ := lookupWords("zh")
	want := []struct {
		reason  string
		hasCost bool
	}{{"运营商维护", true}, {w.rechargeFailed, true}, {w.submitFailed, false}}
	i := 0
	err := book.Rows(context.Background(), func(r *journal.RowRecord) error {
		o, _ := book.Order(r.OrderID)
		l := newLineMaker(w).fromRow(r, o)
		if l.status != batch.StatusFailed || l.reason != want[i].reason || l.hasCost != want[i].hasCost {
			t.Errorf("row %d: %s %q cost %v, want failed %q cost %v", r.Line, l.status, l.reason, l.hasCost, want[i].reason, want[i].hasCost)
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tot := book.Counts(); tot.Refunded != 2*19630 {
		t.Errorf("refunded %s, want two orders' (the -1 was never charged)", tot.Refunded)
	}
}

// A game_state -1 row stays out of the retry file until the statement
// confirms that nothing was charged; the note says why.
func TestRetryHoldsSubmitFailed(t *testing.T) {
	book := settleBook(t)
	for _, tc := range []struct {
		name      string
		uncharged func(string) bool
		rows      int
		held      int
	}{
		{"no statement", nil, 2, 1},
		{"statement shows a charge", func(string) bool { return false }, 2, 1},
		{"statement confirms", func(id string) bool { return id == "0123456789abcdef0123456789abcd03" }, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := WriteRetry(context.Background(), book, filepath.Join(t.TempDir(), "r.csv"), "en", tc.uncharged)
			if err != nil {
				t.Fatal(err)
			}
			if r.Rows != tc.rows || r.Held != tc.held {
				t.Errorf("rows %d held %d, want %d and %d", r.Rows, r.Held, tc.rows, tc.held)
			}
			w, _ := lookupWords("en")
			hasNote := r.Note[len(r.Note)-1] == w.retryHeld(1)
			if hasNote != (tc.held > 0) {
				t.Errorf("note %q: the held-back line is there %v, want %v", r.Note, hasNote, tc.held > 0)
			}
		})
	}
}

// A success no answer gave a cost for (none, or 0) is an exception
// "cost unknown", never a row silently summed as 0 spend; a success whose
// submit gave the cost is not. Before, neither was flagged.
func TestSuccessWithoutCostIsAnException(t *testing.T) {
	b := newJournal(t, "S1")
	ids := []string{"0123456789abcdef0123456789abcd01", "0123456789abcdef0123456789abcd02"}
	b.input("in.csv", nil, valid(2, "13800000001", "10", ids[0]), valid(3, "13800000002", "10", ids[1]))
	for i, id := range ids {
		b.intent(id)
		b.submit(id, juhe.ClassAccepted, 0, "订单提交成功", juhe.Money(i*19630)) // the first without a cost
		b.query(id, juhe.StateSuccess, 0)
	}
	book := b.book()
	w, _ := lookupWords("en")
	want := []bool{true, false}
	i := 0
	err := book.Rows(context.Background(), func(r *journal.RowRecord) error {
		o, _ := book.Order(r.OrderID)
		l := newLineMaker(w).fromRow(r, o)
		got := false
		for _, x := range l.exc {
			got = got || x.kind == kindCostUnknown
		}
		if l.status != batch.StatusSuccess || got != want[i] {
			t.Errorf("row %d: %s, cost unknown flagged %v, want success, %v", r.Line, l.status, got, want[i])
		}
		i++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tot := book.Counts(); tot.Spend != 19630 || tot.CostUnknown != 1 {
		t.Errorf("spend %s, %d of unknown cost; want 19.630 and 1", tot.Spend, tot.CostUnknown)
	}
}
