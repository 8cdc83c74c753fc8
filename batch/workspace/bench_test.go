package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
)

// benchPhone is the i-th benchmark number, distinct for i < 10^8/7.
func benchPhone(i int) string { return fmt.Sprint(13800000000 + int64(i)*7) }

// writeSentJournal writes a journal of rows rows, every one sent (an
// Input, the Rows, a Planned and one intent per row), phones from
// benchPhone(first). Appends go in large groups: one fsync each.
func writeSentJournal(tb testing.TB, path, id string, period Period, first, rows int) {
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: id, ToolVersion: "bench",
		Settings: map[string]string{SettingPeriod: string(period)}})
	if err != nil {
		tb.Fatal(err)
	}
	defer j.Close()
	const chunk = 8192
	recs := make([]*journal.Record, 0, chunk)
	add := func(r *journal.Record) {
		recs = append(recs, r)
		if len(recs) == chunk {
			if err := j.Append(ctx, recs...); err != nil {
				tb.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	at := period.Start().Add(time.Hour).UnixMilli()
	add(&journal.Record{Type: journal.RecInput, At: at, Input: &journal.InputInfo{Name: id + ".xlsx", SHA256: fmt.Sprintf("%064x", first), Rows: rows, Format: "xlsx"}})
	ids := make([]string, rows)
	for i := range rows {
		ph := benchPhone(first + i)
		ids[i] = input.OrderID(id, ph, testPid, 1)
		add(&journal.Record{Type: journal.RecRow, At: at, Row: &journal.RowRecord{Line: i + 2, Phone: ph, Pid: testPid, OrderID: ids[i], Occurrence: 1, Status: journal.RowValid}})
	}
	add(&journal.Record{Type: journal.RecPlanned, At: at, Planned: &journal.Planned{Rows: rows}})
	for i := range rows {
		add(&journal.Record{Type: journal.RecIntent, At: at + int64(i), Intent: &journal.Intent{OrderID: ids[i], Attempt: 1}})
	}
	if err := j.Append(ctx, recs...); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkGuard: the guard of a 50,000-row batch over a workspace of 12
// journals of 50,000 sent rows each, all in the batch's period (the
// worst case: every phone set is compared). Warm: the index is up to
// date, no journal is read. Cold: no index, every journal is read.
// Summarize-one, the reading of one such journal, is the baseline to
// compare both with on a noisy machine.
func BenchmarkGuard(b *testing.B) {
	const journals, rows = 12, 50000
	dir := b.TempDir()
	ws, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	const period Period = "2026-12"
	for k := range journals {
		id := fmt.Sprintf("gift-%02d", k)
		writeSentJournal(b, filepath.Join(dir, id+".journal"), id, period, k*rows, rows)
	}
	nb := NewBatch{ID: "new", Period: period, InputSHA256: fmt.Sprintf("%064x", 1<<40)}
	for i := range rows {
		nb.Phones = append(nb.Phones, benchPhone(journals*rows+i))
	}
	ctx := context.Background()
	run := func(b *testing.B) {
		l, err := ws.Lock(ctx)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Unlock()
		f, err := Guard(ctx, l, nb)
		if err != nil || f.Refused() || f.Compared != journals {
			b.Fatalf("%v, %v", f, err)
		}
	}
	b.Run("warm", func(b *testing.B) {
		run(b) // the index is made once
		b.ResetTimer()
		for b.Loop() {
			run(b)
		}
	})
	b.Run("summarize-one", func(b *testing.B) {
		for b.Loop() {
			if _, err := Summarize(ctx, filepath.Join(dir, "gift-00.journal")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			os.Remove(ws.indexPath())
			os.RemoveAll(filepath.Join(dir, rowsDirName))
			b.StartTimer()
			run(b)
		}
	})
}
