package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/xuri/excelize/v2"
)

// TestRetryFileReadsBack writes the sample's retry file in both formats
// and languages, reads it with flowbatch's own input reader, and finds
// exactly the rows that ended uncharged, in the input's columns.
func TestRetryFileReadsBack(t *testing.T) {
	book := sampleBook(t)
	// The sample's uncharged rows: failed (5), rejected (8), invalid (10).
	want := [][]string{
		{"13800000004", "20", "钱七", "销售部"},
		{"13800000007", "10", "吴十", "行政部"},
		{"1380000000x", "10", "错号", ""},
	}
	for _, ext := range []string{".csv", ".xlsx"} {
		for _, lang := range []string{"en", "zh"} {
			t.Run(lang+ext, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "retry"+ext)
				r, err := WriteRetry(context.Background(), book, path, lang, nil)
				if err != nil {
					t.Fatal(err)
				}
				if r.Rows != len(want) || r.BatchID != "B2025-03-retry1" {
					t.Errorf("retry %+v", r)
				}
				if !strings.Contains(strings.Join(r.Note, "\n"), "B2025-03-retry1") {
					t.Errorf("the note does not name the new batch id:\n%s", strings.Join(r.Note, "\n"))
				}
				var got [][]string
				rep, err := input.Read(context.Background(), path, input.Options{BatchID: r.BatchID}, func(row *journal.RowRecord) error {
					got = append(got, append([]string{row.Phone, row.Pid}, row.Extra...))
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
					t.Errorf("read back %q, want %q", got, want)
				}
				if !slices.Equal(rep.Info.Extra, book.Input.Extra) {
					t.Errorf("extra columns %q, want the input's %q", rep.Info.Extra, book.Input.Extra)
				}
				// The note: beside a CSV, on a second sheet of an xlsx.
				var note string
				if ext == ".csv" {
					data, err := os.ReadFile(RetryNotePath(path))
					if err != nil {
						t.Fatal(err)
					}
					note = string(data)
				} else {
					f, err := excelize.OpenFile(path)
					if err != nil {
						t.Fatal(err)
					}
					w, _ := lookupWords(lang)
					rows, _ := f.GetRows(w.retryNoteSheet)
					f.Close()
					for _, r := range rows {
						note += strings.Join(r, "") + "\n"
					}
				}
				if !strings.Contains(note, "B2025-03-retry1") {
					t.Errorf("note %q does not name the new batch id", note)
				}
			})
		}
	}
}

func TestRetryable(t *testing.T) {
	for _, st := range batch.Statuses {
		want := st == batch.StatusFailed || st == batch.StatusRejected || st == batch.StatusInvalid
		if Retryable(st) != want {
			t.Errorf("%s: Retryable %v", st, !want)
		}
	}
	for id, want := range map[string]string{"B1": "B1-retry1", "B1-retry1": "B1-retry2", "B1-retry9": "B1-retry10", "B-retryx": "B-retryx-retry1"} {
		if got := NextBatchID(id); got != want {
			t.Errorf("NextBatchID(%q) = %q, want %q", id, got, want)
		}
	}
}
