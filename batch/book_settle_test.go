package batch

import (
	"context"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// The book keeps a callback's err_msg (before, it was dropped, and a
// failed order's reason could only be 充值失败), and a query's -1 makes
// the order failed, final and never charged; live and replayed alike.
func TestBookKeepsErrMsgAndSubmitFailed(t *testing.T) {
	path, j, book := engPlan(t, 2)
	ctx := context.Background()
	a, b := input.OrderID(engBatch, engPhone(0), engPid, 1), input.OrderID(engBatch, engPhone(1), engPid, 1)
	var recs []*journal.Record
	for _, id := range []string{a, b} {
		recs = append(recs,
			&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}},
			&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted,
				SporderID: "S" + id[:8], Cost: 19630, HasCost: true}}})
	}
	recs = append(recs,
		&journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: a, SporderID: "S" + a[:8], State: juhe.StateFailed, ErrMsg: "号码已停机"}},
		&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: a, Class: juhe.ClassAccepted, SporderID: "S" + a[:8]}, State: juhe.StateFailed}},
		&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: b, Class: juhe.ClassAccepted}, State: juhe.StateSubmitFailed}},
		// A later answer cannot move a final -1.
		&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: b, Class: juhe.ClassAccepted, SporderID: "S" + b[:8]}, State: juhe.StateCharging}},
	)
	if err := appendApply(ctx, j, book, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	replayed, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for name, bk := range map[string]*Book{"live": book, "replayed": replayed} {
		oa, _ := bk.Order(a)
		ob, _ := bk.Order(b)
		if oa.CallbackReason != "号码已停机" || oa.Status() != StatusFailed || oa.SubmitFailed() {
			t.Errorf("%s: err_msg %q, %s, submit failed %v", name, oa.CallbackReason, oa.Status(), oa.SubmitFailed())
		}
		if !ob.SubmitFailed() || ob.Status() != StatusFailed || ob.NeedsQuery() || ob.CallbackReason != "" {
			t.Errorf("%s: -1 order %s, submit failed %v, needs query %v", name, ob.Status(), ob.SubmitFailed(), ob.NeedsQuery())
		}
		if tot := bk.Counts(); tot.Refunded != 19630 || tot.OpenCount != 0 {
			t.Errorf("%s: refunded %s, open %d; want one refund (the -1 was never charged) and none open", name, tot.Refunded, tot.OpenCount)
		}
	}
}

// A journal an older version wrote, whose query recorded a success at
// 0.000 (HasCost set), is read as a success without a query cost: the
// submit's cost stands, or the cost is unknown; never a spend of 0.
func TestBookQueryCostZeroIsNoCost(t *testing.T) {
	for _, submitCost := range []juhe.Money{19630, 0} {
		t.Run(submitCost.String(), func(t *testing.T) {
			_, j, book := engPlan(t, 1)
			defer j.Close()
			var id string
			book.Orders(func(o *OrderState) error { id = o.OrderID; return nil })
			recs := []*journal.Record{
				{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: id, Attempt: 1}},
				{Type: journal.RecSubmit, At: 3, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "S1", Cost: submitCost, HasCost: submitCost != 0}}},
				{Type: journal.RecQuery, At: 4, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "S1", Cost: 0, HasCost: true}, State: juhe.StateSuccess}},
			}
			for _, r := range recs {
				book.Apply(r)
			}
			o, _ := book.Order(id)
			if c, has := o.Cost(); has != (submitCost != 0) || c != submitCost {
				t.Errorf("cost %s (has %v), want the submit's %s", c, has, submitCost)
			}
			want := 0
			if submitCost == 0 {
				want = 1
			}
			if tot := book.Counts(); tot.Spend != submitCost || tot.CostUnknown != want {
				t.Errorf("spend %s, %d of unknown cost; want %s and %d", tot.Spend, tot.CostUnknown, submitCost, want)
			}
		})
	}
}
