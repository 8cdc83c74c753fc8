package reconcile

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/juhe"
)

// TestProviderStatementNotCovering: a statement file read whole, but
// pulled for another span than the batch's (pulled before the batch was
// resumed and sent more, or a period of another month), says nothing of
// the orders sent outside its periods. The three-way check must not say
// 一致 of them: the leg is not available, and says why.
func TestProviderStatementNotCovering(t *testing.T) {
	sec := func(ms int64) int64 { return ms / 1000 }
	for _, tc := range []struct {
		name string
		edit func(st *statement.Statement)
	}{
		{"a month before the batch, no lines", func(st *statement.Statement) {
			p := &st.Periods[0]
			p.Start, p.End = sec(t0)-40*86400, sec(t0)-35*86400
			p.Lines, p.Closed.Lines = nil, 0
		}},
		{"pulled before the batch was resumed", func(st *statement.Statement) {
			// The window ends before the last order was sent: that
			// order is on no period of it.
			p := &st.Periods[0]
			p.End = sec(t0 + 10000)
			var kept []journal.StatementLine
			for _, l := range p.Lines {
				if l.AddTime <= p.End {
					kept = append(kept, l)
				}
			}
			p.Lines, p.Closed.Lines = kept, len(kept)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			book := okBook(t)
			st := sampleStatement()
			st.Periods[0].Lines = nil
			st.Periods[0].Closed.Lines = 0
			// Every order of okBook on the statement, as the journal has it.
			_ = book.Orders(func(o *batch.OrderState) error {
				if o.Intents > 0 {
					c, _ := o.Cost()
					st.Periods[0].Lines = append(st.Periods[0].Lines, journal.StatementLine{OrderID: o.OrderID, SporderID: o.SporderID,
						State: juhe.StateSuccess, Cost: c, HasCost: true, AddTime: sec(o.SubmittedAt)})
				}
				return nil
			})
			st.Periods[0].Closed.Lines = len(st.Periods[0].Lines)
			whole, err := Write(context.Background(), book, filepath.Join(t.TempDir(), "whole.xlsx"), Options{Lang: "en", Now: fixedNow, Provider: &ProviderLeg{Statement: st}})
			if err != nil {
				t.Fatal(err)
			}
			if whole.Provider.NotAvailable != "" || !whole.Provider.Agrees {
				t.Fatalf("the statement as pulled: %+v", whole.Provider)
			}
			tc.edit(st)
			s, err := Write(context.Background(), book, filepath.Join(t.TempDir(), "p.xlsx"), Options{Lang: "en", Now: fixedNow, Provider: &ProviderLeg{Statement: st}})
			if err != nil {
				t.Fatal(err)
			}
			if s.Provider.NotAvailable == "" || s.Provider.Agrees {
				t.Errorf("a statement that does not cover the batch: agrees %v, not available %q", s.Provider.Agrees, s.Provider.NotAvailable)
			}
			if !strings.Contains(s.Provider.NotAvailable, "does not cover") {
				t.Errorf("why: %q", s.Provider.NotAvailable)
			}
		})
	}
}

// okBook is a batch of three orders, each a success at its own time.
func okBook(t *testing.T) *batch.Book {
	b := newJournal(t, "B2025-03")
	b.input("in.csv", nil, valid(2, "13800000001", "10", "o-a"), valid(3, "13800000002", "10", "o-b"), valid(4, "13800000003", "10", "o-c"))
	for _, id := range []string{"o-a", "o-b", "o-c"} {
		b.intent(id)
		b.submit(id, juhe.ClassAccepted, 0, "提交成功", 19630)
		b.query(id, juhe.StateSuccess, 19630)
	}
	return b.book()
}

// TestMatchOneOrderidChargedTwice: the statement lists an order of the
// batch twice, under two sporder_ids: the provider charged it twice. The
// second is a charge no journal explains, never folded into the first.
func TestMatchOneOrderidChargedTwice(t *testing.T) {
	book := okBook(t)
	st := sampleStatement()
	var lines []journal.StatementLine
	_ = book.Orders(func(o *batch.OrderState) error {
		c, _ := o.Cost()
		lines = append(lines, journal.StatementLine{OrderID: o.OrderID, SporderID: o.SporderID, State: juhe.StateSuccess, Cost: c, HasCost: true, AddTime: o.SubmittedAt / 1000})
		return nil
	})
	// The same line again (a page shifted): once is enough.
	lines = append(lines, lines[1])
	again := lines[0]
	again.SporderID = "J-second"
	lines = append(lines, again)
	st.Periods[0].Lines, st.Periods[0].Closed.Lines = lines, len(lines)
	m, err := Match(st, []*batch.Book{book}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Agrees() || m.Totals[Matched].Count != 3 || m.Totals[Unexplained] != (ResultTotal{1, 19630}) {
		t.Fatalf("agrees %v, totals %+v", m.Agrees(), m.Totals)
	}
	if l := m.Lines[0]; l.OrderID != again.OrderID || l.SporderID != "J-second" || l.Row != 2 {
		t.Errorf("the second charge: %+v", l)
	}
	// The first line failed, the second charged: the statement does not
	// say the order was uncharged.
	lines[0].State = juhe.StateFailed
	if m, _ = Match(st, []*batch.Book{book}, nil); m.Uncharged(again.OrderID, lines[0].AddTime*1000) {
		t.Error("an order charged under a second sporder_id is uncharged by the statement")
	}
}

// TestMatchForeignOrderidSameSporder: a line that names another orderid
// is that order, even when its sporder_id is one of ours: it never stands
// in for our order (which would hide that the statement lacks it), and
// its charge stays unexplained.
func TestMatchForeignOrderidSameSporder(t *testing.T) {
	book := okBook(t)
	st := sampleStatement()
	var lines []journal.StatementLine
	_ = book.Orders(func(o *batch.OrderState) error {
		c, _ := o.Cost()
		l := journal.StatementLine{OrderID: o.OrderID, SporderID: o.SporderID, State: juhe.StateSuccess, Cost: c, HasCost: true, AddTime: o.SubmittedAt / 1000}
		if o.Line == 4 {
			l.OrderID = "LEAK0000000042" // ours is not on the statement
		}
		lines = append(lines, l)
		return nil
	})
	st.Periods[0].Lines, st.Periods[0].Closed.Lines = lines, len(lines)
	m, err := Match(st, []*batch.Book{book}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Agrees() || m.Totals[Matched].Count != 2 || m.Totals[Unexplained].Count != 1 || m.Totals[MissingAtProvider].Count != 1 {
		t.Errorf("agrees %v, totals %+v", m.Agrees(), m.Totals)
	}
}
