package batch

import (
	"context"
	"fmt"
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
func AppendInput(ctx context.Context, j *journal.Journal, book *Book, path string, opts input.InputOptions, want *input.InputReport) error {
	now := time.Now().UnixMilli()
	// Only want's Info is needed: its problems (a million of them can
	// take a hundred megabytes) are not kept alive through the reading.
	info := want.Info
	wantSHA := want.Info.SHA256
	want = nil
	if err := appendApply(ctx, j, book, &journal.Record{Type: journal.RecInput, At: now, Input: &info}); err != nil {
		return fmt.Errorf("planning %s: %w", info.Name, err)
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
	rep, err := input.ReadRows(ctx, path, opts, func(r *journal.RowRecord) error {
		row := *r
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
		return fmt.Errorf("planning %s: %w", info.Name, err)
	}
	if rep.Info.SHA256 != wantSHA {
		return fmt.Errorf("planning %s: the file changed while it was read (sha256 %s, then %s); nothing was submitted: run the command again",
			info.Name, short(wantSHA), short(rep.Info.SHA256))
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
