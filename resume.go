package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// A resume reads the journal, not a newer reading of the file (README
// "Input files"): the rules that find the table may have changed since,
// and the orders planned are the ones to finish.

// readForResume reads the input at path as input.Read does, calling fn
// with each row. When the file is the one the journal (book, nil for a
// new batch) was started with, byte for byte, but today's reader reads
// other rows from it or refuses it, that is said on w and the journal's
// rows are taken instead, with the report the reader gave when the batch
// started: reset is called first, to drop what fn kept of today's
// reading, then fn gets each of the journal's rows.
func readForResume(ctx context.Context, w io.Writer, l lang, path string, opts input.Options, book *batch.Book,
	reset func(), fn func(*journal.RowRecord) error) (*input.Report, error) {
	if book == nil || book.Input.SHA256 == "" {
		return input.Read(ctx, path, opts, fn)
	}
	// A plan's rows are compared without their pid, which only the
	// journal has: the plan chose it when the batch started.
	key := rowKey
	if opts.Plan != "" {
		key = planRowKey
	}
	var keys []uint64 // of each row as today's reader reads it
	rep, err := input.Read(ctx, path, opts, func(r *journal.RowRecord) error {
		keys = append(keys, key(r))
		return fn(r)
	})
	switch {
	case err != nil && ctx.Err() != nil:
		return nil, err
	case err != nil:
		if sum, serr := input.InputSHA256(path); serr != nil || sum != book.Input.SHA256 {
			return nil, err
		}
		fmt.Fprint(w, msgResumeRefused.f(l, book.Input.Name, errIn{err}, book.Path, shortHash(book.Input.SHA256), msgResumeKeep))
	case rep.Info.SHA256 != book.Input.SHA256:
		return rep, nil // another file: -allow-changed-input decides
	default:
		same, err := sameRows(ctx, w, l, book, keys, key)
		if err != nil || same && opts.Plan == "" {
			return rep, err
		}
		// A plan's rows always come from the journal: a resume never
		// chooses again.
	}
	keys = nil
	reset()
	rep, err = journalReport(ctx, book, fn)
	if err != nil {
		return nil, journalErr("resume", book.Path, err)
	}
	return rep, nil
}

// rowKey sums up what a row is, to compare two readings of one file.
func rowKey(r *journal.RowRecord) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%d", r.Line, r.Phone, r.Pid, r.OrderID, r.Status, len(r.Extra))
	for _, x := range r.Extra {
		fmt.Fprintf(h, "\x00%s", x)
	}
	return h.Sum64()
}

// planRowKey is rowKey for the rows of a plan: their line, phone and
// extra cells, and whether they repeat another; not their pid, orderid
// or validity, which the plan's choice may have changed.
func planRowKey(r *journal.RowRecord) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d\x00%d", r.Line, r.Phone, r.DupOf, len(r.Extra))
	for _, x := range r.Extra {
		fmt.Fprintf(h, "\x00%s", x)
	}
	return h.Sum64()
}

// sameRows reports whether today's reading of the journal's own file
// (keys) gives the rows the journal holds, and says so on w when not.
func sameRows(ctx context.Context, w io.Writer, l lang, book *batch.Book, keys []uint64, key func(*journal.RowRecord) uint64) (bool, error) {
	n, first := 0, 0
	err := book.Rows(ctx, func(r *journal.RowRecord) error {
		if first == 0 && (n >= len(keys) || keys[n] != key(r)) {
			first = r.Line
		}
		n++
		return nil
	})
	if err != nil {
		return false, journalErr("resume", book.Path, err)
	}
	switch {
	case first != 0:
		fmt.Fprint(w, msgResumeDiffersAt.f(l, count{len(keys), nounRow}, book.Input.Name, n, first, msgResumeKeep))
	case n != len(keys):
		fmt.Fprint(w, msgResumeDiffers.f(l, count{len(keys), nounRow}, book.Input.Name, n, msgResumeKeep))
	default:
		return true, nil
	}
	return false, nil
}

// journalReport is the report of the journal's latest input as the
// reader gave it when the batch started: the same counts and problems,
// so that the same refusal rule applies.
func journalReport(ctx context.Context, book *batch.Book, fn func(*journal.RowRecord) error) (*input.Report, error) {
	rep := &input.Report{Info: book.Input, ByPid: map[string]int{}, ByCarrier: map[juhe.Carrier]int{}}
	rep.Info.Rows = 0
	err := book.Rows(ctx, func(r *journal.RowRecord) error {
		rep.Info.Rows++
		switch r.Status {
		case journal.RowInvalid:
			rep.Invalid = append(rep.Invalid, input.Problem{Line: r.Line, Reason: r.Reason})
		case journal.RowDuplicate:
			rep.Duplicates = append(rep.Duplicates, input.Problem{Line: r.Line, Reason: r.Reason, DupOf: r.DupOf})
		}
		if r.Submittable() {
			rep.Valid++
			rep.ByPid[r.Pid]++
			rep.ByCarrier[juhe.CarrierOf(r.Phone)]++
		}
		return fn(r)
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
