package batch

import (
	"context"
	"fmt"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"time"
)

// planChunk is how many Row records share one Append (one fsync).
const planChunk = 1000

// AppendInput writes an input section to j: the Input record, one Row
// record per row of the file at path (read again, streaming), and the
// Planned record that completes the section; book follows. want is the
// report of an earlier full reading of the same file (validation): if the
// file changed since (another sha256), the section is left incomplete,
// which a Book ignores, and an error says so.
//
// Call it before an Engine runs on the book.
func AppendInput(ctx context.Context, j *journal.Journal, book *Book, path string, opts input.InputOptions, want *input.InputReport) error {
	now := time.Now().UnixMilli()
	info := want.Info
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecInput, At: now, Input: &info}); err != nil {
		return fmt.Errorf("planning %s: %w", info.Name, err)
	}
	chunk := make([]*journal.Record, 0, planChunk)
	rows := 0
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := appendApply(ctx, j, book, chunk...); err != nil {
			return err
		}
		chunk = chunk[:0]
		return nil
	}
	rep, err := input.ReadInput(ctx, path, opts, func(r *journal.RowRecord) error {
		row := *r
		chunk = append(chunk, &journal.Record{Type: journal.RecRow, At: now, Row: &row})
		rows++
		if len(chunk) == planChunk {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return fmt.Errorf("planning %s: %w", info.Name, err)
	}
	if rep.Info.SHA256 != want.Info.SHA256 {
		return fmt.Errorf("planning %s: the file changed while it was read (sha256 %s, then %s); nothing was submitted: run the command again",
			info.Name, short(want.Info.SHA256), short(rep.Info.SHA256))
	}
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecPlanned, At: time.Now().UnixMilli(), Planned: &journal.Planned{Rows: rows}}); err != nil {
		return fmt.Errorf("planning %s: %w", info.Name, err)
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
