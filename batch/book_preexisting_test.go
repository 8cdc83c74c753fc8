package batch

import (
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// An orderid the provider already had when this journal first sent it
// (210508 on the first answer to the first request) is flagged: its batch
// id was probably used before. A 210508 after a resubmit is the ordinary
// "our own earlier request got there after all" and is not.
func TestOrderPreExisting(t *testing.T) {
	dup := func() *journal.Record {
		return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: codeDuplicate}}}
	}
	lost := func() *journal.Record {
		return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: juhe.NoCode}}}
	}
	foreignDup := func() *journal.Record {
		return &journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O", Class: juhe.ClassUnknown, Code: codeDuplicate, Reason: conflictMark + `answer about another order: names orderid "X", not "O"`}}}
	}
	intent := func(n int) *journal.Record {
		return &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "O", Attempt: n}}
	}
	for _, tc := range []struct {
		name string
		recs []*journal.Record
		want bool
	}{
		{"first answer 210508", []*journal.Record{intent(1), dup(), bkQuery(juhe.ClassAccepted, 1)}, true},
		{"first answer lost, then 210508 after not found", []*journal.Record{intent(1), lost(), bkQuery(juhe.ClassNotFound, juhe.StateNone), intent(2), dup()}, false},
		{"accepted", []*journal.Record{intent(1), bkSubmit(juhe.ClassAccepted)}, false},
		{"crash after the intent, resubmitted, 210508", []*journal.Record{intent(1), bkQuery(juhe.ClassNotFound, juhe.StateNone), intent(2), dup()}, false},
		// Issue 8: a provider that charged our own first request and
		// answered it 210508 (an internal retry hit its duplicate check):
		// the order is still charging when first seen, so it is young
		// and this journal's own. It was flagged before.
		{"first answer 210508, then charging", []*journal.Record{intent(1), dup(), bkQuery(juhe.ClassAccepted, 0), bkQuery(juhe.ClassAccepted, 1)}, false},
		{"first answer 210508 about another order", []*journal.Record{intent(1), foreignDup(), bkQuery(juhe.ClassAccepted, 1)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := plannedBook(t)
			applyInOrder(b, tc.recs)
			o, _ := b.Order("O")
			if o.PreExisting != tc.want {
				t.Errorf("PreExisting = %v, want %v", o.PreExisting, tc.want)
			}
		})
	}
}
