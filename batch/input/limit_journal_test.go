package input

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// The input limits keep the largest row far inside a journal line: a row
// of MaxRowBytes of text, every byte escaped, with its reason.
func TestInputLimitsFitTheJournal(t *testing.T) {
	cell := strings.Repeat("\\", MaxCellChars)
	var extra []string
	for n := 0; n+len(cell) <= MaxRowBytes; n += len(cell) {
		extra = append(extra, cell)
	}
	r := &journal.Record{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{Line: MaxRows, Status: journal.RowInvalid, Phone: cell, Pid: cell,
		Reason: "bad phone: " + journal.Clip(cell), Extra: extra}}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "l.journal")
	j, _, err := journal.Create(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(ctx, r); err != nil {
		t.Fatal(err)
	}
	j.Close()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	line := data[bytes.IndexByte(data, '\n')+1:]
	if len(line) > journal.MaxLine/16 {
		t.Fatalf("the largest row record is %d bytes; want it far below a journal line (%d)", len(line), journal.MaxLine)
	}
}
