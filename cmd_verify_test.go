package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
)

// writeJournal writes a small journal with one input of two rows, one
// order accepted and settled, one invalid row.
func writeSmallJournal(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.journal")
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, path, batch.Header{BatchID: "B7", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	err = j.Append(ctx,
		&batch.Record{Type: batch.RecInput, Input: &batch.InputInfo{Name: "gift.csv", SHA256: "ab", Rows: 2, Format: "csv"}},
		&batch.Record{Type: batch.RecRow, Row: &batch.RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "O1", Occurrence: 1, Status: batch.RowValid}},
		&batch.Record{Type: batch.RecRow, Row: &batch.RowRecord{Line: 3, Phone: "x", Status: batch.RowInvalid, Reason: "bad phone"}},
		&batch.Record{Type: batch.RecPlanned, Planned: &batch.Planned{Rows: 2}},
		&batch.Record{Type: batch.RecIntent, Intent: &batch.Intent{OrderID: "O1", Attempt: 1}},
		&batch.Record{Type: batch.RecSubmit, Submit: &batch.SubmitResult{OrderID: "O1", Class: juhe.ClassAccepted, SporderID: "S1", Cost: 19630, HasCost: true}},
		&batch.Record{Type: batch.RecQuery, Query: &batch.QueryResult{OrderID: "O1", Class: juhe.ClassAccepted, State: juhe.StateSuccess, Cost: 19630, HasCost: true}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func runJournalCmd(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	err := Run(context.Background(), &env{stdout: &o, stderr: &e, getenv: func(string) string { return "" }}, args)
	code = report(&e, err)
	return o.String(), e.String(), code
}

func TestVerifyCommand(t *testing.T) {
	path := writeSmallJournal(t)
	out, errOut, code := runJournalCmd("verify", "-journal", path)
	if code != ExitOK || !strings.HasPrefix(out, "ok: 8 records, head ") || !strings.Contains(out, "batch B7") {
		t.Fatalf("intact journal: exit %d, out %q, err %q", code, out, errOut)
	}
	raw, _ := os.ReadFile(path)
	i := bytes.Index(raw, []byte("\t19630\t"))
	raw[i+3] = '7' // one digit of the cost
	bad := filepath.Join(t.TempDir(), "bad.journal")
	os.WriteFile(bad, raw, 0o600)
	out, errOut, code = runJournalCmd("verify", "-journal", bad)
	if code != ExitDamaged || out != "" || !strings.Contains(errOut, "record 7") {
		t.Errorf("changed digit: exit %d, out %q, err %q", code, out, errOut)
	}
	if _, _, code := runJournalCmd("verify"); code != ExitUsage {
		t.Errorf("no -journal: exit %d", code)
	}
	if _, errOut, code := runJournalCmd("verify", "-h"); code != ExitOK || !strings.Contains(errOut, "Usage: flowbatch verify") {
		t.Errorf("-h: exit %d, %q", code, errOut)
	}
}
