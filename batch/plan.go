package batch

// Where an input row becomes an order. AppendInput journals an input
// section: the Input record, a Row record per row of the file, and the
// Planned record that completes it. The Book folds the section as it is
// written (or replayed): a pending section collects the submittable rows
// (journal.RowView.Submittable), and only once its Planned record shows
// every row was written does it become the input, its rows the orders.

import (
	"context"
	"slices"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
)

// planChunk is how many Row records share one Append (one fsync), and
// planChunkBytes about how much text at most: rows may be 1 MiB each.
const (
	planChunk      = 1000
	planChunkBytes = 8 << 20
)

// AppendInput writes an input section to j: the Input record, one Row
// record per row of the file at path (read again, streaming), and the
// Planned record that completes the section; book follows. want is the
// report of an earlier full reading of the same file (validation): if the
// file changed since (another sha256), the section is left incomplete,
// which a Book ignores, and an error says so.
//
// Call it before an Engine runs on the book.
func AppendInput(ctx context.Context, j *journal.Journal, book *Book, path string, opts input.Options, want *input.Report) error {
	return AppendPlanInput(ctx, j, book, path, opts, want, nil)
}

// AppendPlanInput is AppendInput for a file read with a plan
// (opts.Plan): ch gives each row its pid before the row is journaled,
// the same pid for the same row as when want was read (ch decided them
// all before), and the pid is journaled with the row.
func AppendPlanInput(ctx context.Context, j *journal.Journal, book *Book, path string, opts input.Options, want *input.Report, ch *Chooser) error {
	now := time.Now().UnixMilli()
	// Only want's Info is needed: its problems (a million of them can
	// take a hundred megabytes) are not kept alive through the reading.
	info := want.Info
	wantSHA := want.Info.SHA256
	want = nil
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecInput, At: now, Input: &info}); err != nil {
		return input.Wrap(input.Planning, err, info.Name)
	}
	chunk := make([]*journal.Record, 0, planChunk)
	rows, size := 0, 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := appendApply(ctx, j, book, chunk...); err != nil {
			return err
		}
		chunk, size = chunk[:0], 0
		return nil
	}
	// The same bytes as want's need no second decision of their encoding.
	opts.Known = &info
	rep, err := input.ReadRows(ctx, path, opts, func(r *journal.RowRecord) error {
		row := *r
		if ch != nil {
			ch.Apply(&row)
		}
		chunk = append(chunk, &journal.Record{Type: journal.RecRow, At: now, Row: &row})
		rows++
		size += 64 + len(row.Phone) + len(row.Pid) + len(row.Reason)
		for _, e := range row.Extra {
			size += len(e)
		}
		if len(chunk) == planChunk || size >= planChunkBytes {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return input.Wrap(input.Planning, err, info.Name)
	}
	if rep.Info.SHA256 != wantSHA {
		return input.Refuse(input.PlanningChanged, info.Name, short(wantSHA), short(rep.Info.SHA256))
	}
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecPlanned, At: time.Now().UnixMilli(), Planned: &journal.Planned{Rows: rows}}); err != nil {
		return input.Wrap(input.Planning, err, info.Name)
	}
	return nil
}

func appendApply(ctx context.Context, j *journal.Journal, book *Book, recs ...*journal.Record) error {
	if err := j.Append(ctx, recs...); err != nil {
		return err
	}
	for _, r := range recs {
		book.Apply(r)
	}
	return nil
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// beginInput starts a pending input section.
func (b *Book) beginInput(in *journal.InputInfo, pos journal.Pos, at int64) {
	info := *in
	info.Extra = slices.Clone(info.Extra) // the workbook shows these names
	b.pend = &section{info: info, pos: pos, at: at}
	if n := info.Rows; n > 0 {
		b.pend.rows = make([]order, 0, min(n, 1<<22))
	}
}

// addRow adds a row of the pending section. The view's bytes are only
// read during the call.
func (b *Book) addRow(w *journal.RowView) {
	p := b.pend
	if p == nil {
		return
	}
	p.n++
	if !w.Submittable() {
		p.invalid++
		return
	}
	var o order
	b.setID(&o, w.OrderID)
	b.setPhone(&o, w.Phone)
	o.pid = b.text.intern(w.Pid)
	k := int32(len(p.rows))
	o.line, o.dupOf = p.wide.put32(k, fLine, int64(w.Line)), p.wide.put32(k, fDupOf, int64(w.DupOf))
	if w.Status == journal.RowDuplicate {
		o.flags |= fDup
	}
	p.rows = append(p.rows, o)
}

// planned closes the pending section; it becomes the input when all its
// rows were read, and is ignored otherwise.
func (b *Book) planned(rows int) {
	p := b.pend
	b.pend = nil
	if p == nil || rows != p.n {
		return
	}
	if b.cur != nil {
		for _, i := range b.cur.members {
			b.orders[i].flags &^= fInInput
		}
	}
	pending := p.rows
	p.rows = nil
	p.members = make([]int32, 0, len(pending))
	b.index.reserve(len(b.orders) + len(pending))
	if len(b.orders) == 0 {
		// The first input: its rows become the orders in place. A row
		// is copied out before its slot can be written, and new orders
		// never overtake the rows still to be read.
		b.orders = pending[:0]
	} else {
		b.orders = slices.Grow(b.orders, len(pending))
	}
	for k := range pending {
		r := pending[k]
		i := b.lookupOrAdd(&r)
		o := &b.orders[i]
		repriced := o.pid != r.pid && o.intents > 0 // an order of an earlier input, under its pid
		if repriced {
			b.unweigh(i)
		}
		o.line = b.wide.put32(i, fLine, p.wide.get32(int32(k), fLine, r.line))
		o.dupOf = b.wide.put32(i, fDupOf, p.wide.get32(int32(k), fDupOf, r.dupOf))
		o.phone, o.pid = r.phone, r.pid
		if repriced {
			b.weigh(i)
		}
		o.flags = o.flags&^(fDup|fPhoneText) | r.flags&(fDup|fPhoneText) | fInInput
		p.members = append(p.members, i)
	}
	p.wide = nil
	b.cur = p
	b.Input, b.InputAt = p.info, p.at
}
