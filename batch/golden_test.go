package batch

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

var update = flag.Bool("update", false, "rewrite testdata/v1.book.golden (review the diff)")

// TestV1Journal: a journal written by version 1 (journal/testdata/
// v1.journal, never regenerated) reads to the same book forever: its
// counts, every order's state, its head and record count, and its rows.
// Only the dump may be rewritten, with -update, and reviewed.
func TestV1Journal(t *testing.T) {
	const path = "journal/testdata/v1.journal"
	ctx := context.Background()
	b, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	var w bytes.Buffer
	fmt.Fprintf(&w, "records %d\nhead %s\nbatch %s\ninput %s rows %d sheet %q extra %q\n",
		b.Records, b.HeadHash, b.Header.BatchID, b.Input.Name, b.Input.Rows, b.Input.Sheet, b.Input.Extra)
	t0 := b.Counts()
	fmt.Fprintf(&w, "counts rows %d spend %d charging %d refunded %d orphans %d open %d\n",
		t0.Rows, t0.Spend, t0.Charging, t0.Refunded, t0.Orphans, t0.OpenCount)
	for _, s := range Statuses {
		fmt.Fprintf(&w, "  %s %d\n", s, t0.ByStatus[s])
	}
	b.Orders(func(o *OrderState) error {
		cost, has := o.Cost()
		fmt.Fprintf(&w, "order %s line %d phone %s pid %q dup %v/%d in %v intents %d outcomes %d status %s cost %d/%v source %s sporder %q card %q code %d reason %q query %d callback %d final %d conflict %q preexisting %v\n",
			o.OrderID, o.Line, o.Phone, o.Pid, o.Dup, o.DupOf, o.InInput, o.Intents, o.Outcomes, o.Status(), cost, has, o.Source(),
			o.SporderID, o.CardName, o.Code, o.Reason, o.QueryState, o.CallbackState, o.FinalAt, o.Conflict, o.PreExisting)
		return nil
	})
	if err := b.Rows(ctx, func(r *journal.RowRecord) error {
		fmt.Fprintf(&w, "row %d %s %q %q %s occ %d dupof %d reason %q extra %q submittable %v\n",
			r.Line, r.Status, r.Phone, r.Pid, r.OrderID, r.Occurrence, r.DupOf, r.Reason, r.Extra, r.Submittable())
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	v, err := journal.Verify(ctx, path)
	if err != nil || v.Records != b.Records || v.HeadHash != b.HeadHash {
		t.Fatalf("verify %+v %v, book %d %s", v, err, b.Records, b.HeadHash)
	}
	const golden = "testdata/v1.book.golden"
	if *update {
		if err := os.WriteFile(golden, w.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(w.Bytes(), want) {
		t.Errorf("the v1 journal reads to another book:\n%s\nwant:\n%s", w.Bytes(), want)
	}
}
