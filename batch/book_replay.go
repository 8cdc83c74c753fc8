package batch

import (
	"github.com/flowbatch/flowbatch/batch/journal"
)

// replay is the Book's visitor for a scan of its journal (LoadBook,
// OpenJournal). Rows, intents, outcomes and callbacks (nearly every
// record) are read in place through the journal's views and applied
// without building a Record: only what the book keeps is copied. A view
// checks every field of its record before anything of it is applied, and
// its error, returned as it is, makes the scan refuse the record.
func (b *Book) replay(r *journal.Raw) error {
	seq := r.Pos.Seq
	switch r.Type {
	case journal.RecRow:
		v, err := r.Row()
		if err != nil {
			return err
		}
		b.addRow(&v)
	case journal.RecIntent:
		v, err := r.Intent()
		if err != nil {
			return err
		}
		b.applyIntent(v.OrderID, seq, r.At, v.Reserved)
	case journal.RecSubmit:
		v, err := r.Submit()
		if err != nil {
			return err
		}
		b.applySubmit(seq, r.At, &v)
	case journal.RecQuery:
		v, err := r.Query()
		if err != nil {
			return err
		}
		b.applyQuery(seq, r.At, &v)
	case journal.RecCallback:
		v, err := r.Callback()
		if err != nil {
			return err
		}
		b.applyCallback(v.OrderID, r.At, v.SporderID, v.State, v.ErrMsg)
	case journal.RecHeader:
		h, err := r.Header()
		if err != nil {
			return err
		}
		b.Header = *h
		b.headerCap()
	case journal.RecInput:
		in, err := r.Input()
		if err != nil {
			return err
		}
		b.beginInput(in, r.Pos, r.At)
	case journal.RecBalance:
		v, err := r.Balance()
		if err != nil {
			return err
		}
		b.balances = append(b.balances, Balance{At: r.At, BalanceNote: *v})
	case journal.RecPlanned:
		p, err := r.Planned()
		if err != nil {
			return err
		}
		b.planned(p.Rows)
	case journal.RecSpendCap:
		c, err := r.SpendCap()
		if err != nil {
			return err
		}
		b.applySpendCap(c.Max)
	}
	return nil
}

// replayed sets the head once a scan has reached end.
func (b *Book) replayed(end journal.Pos) {
	if end.Seq > 1 {
		b.Records, b.HeadHash = end.Records(), end.Head()
	}
}
