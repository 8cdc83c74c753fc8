package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

// writeJournal writes a small journal with one input of two rows, one
// order accepted and settled, one invalid row.
func writeSmallJournal(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.journal")
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: "B7", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	err = j.Append(ctx,
		&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "gift.csv", SHA256: "ab", Rows: 2, Format: "csv"}},
		&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "O1", Occurrence: 1, Status: journal.RowValid}},
		&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: 3, Phone: "x", Status: journal.RowInvalid, Reason: "bad phone"}},
		&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: 2}},
		&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "O1", Attempt: 1}},
		&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "O1", Class: juhe.ClassAccepted, SporderID: "S1", Cost: 19630, HasCost: true}}},
		&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "O1", Class: juhe.ClassAccepted, Cost: 19630, HasCost: true}, State: juhe.StateSuccess}},
	)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func TestVerifyCommand(t *testing.T) {
	t.Parallel()
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

// cutJournal copies the journal at path without its last n records.
func cutJournal(t *testing.T, path string, n int) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), filepath.Base(path))
	if err := os.WriteFile(cut, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	truncateRecords(t, cut, n)
	return cut
}

// TestVerifyAnchors: records cut from a journal's end pass the chain
// check, and fail against every anchor printed before the cut: the head
// and count, the attestation, the attestation's sha256.
func TestVerifyAnchors(t *testing.T) {
	t.Parallel()
	journal := writeSmallJournal(t)
	dir := t.TempDir()
	out, _, code := runJournalCmd("reconcile", "-journal", journal, "-out", filepath.Join(dir, "b.xlsx"))
	if code != ExitOK {
		t.Fatalf("reconcile: exit %d: %s", code, out)
	}
	attest := filepath.Join(dir, "B7.attest.json")
	att, sum, err := reconcile.ReadAttestation(attest)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "attestation sha256 "+sum) {
		t.Errorf("reconcile does not print the attestation's sha256 %s:\n%s", sum, out)
	}
	head, records := att.JournalHead, fmt.Sprint(att.JournalRecords)
	cut := cutJournal(t, journal, 2)
	changed := filepath.Join(t.TempDir(), "changed.attest.json")
	raw, _ := os.ReadFile(attest)
	os.WriteFile(changed, bytes.Replace(raw, []byte(`"spend_yuan": "19.630"`), []byte(`"spend_yuan": "9.630"`), 1), 0o600)
	beside := filepath.Join(filepath.Dir(journal), "B7.attest.json")
	os.WriteFile(beside, raw, 0o600)

	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"intact, head", []string{"-journal", journal, "-head", head, "-records", records}, ExitOK, "ok: reaches record 8"},
		{"intact, attestation", []string{"-journal", journal, "-attest", attest}, ExitOK, "B7.attest.json"},
		{"intact, attestation and hash", []string{"-journal", journal, "-attest", attest, "-attest-hash", sum}, ExitOK, "ok: reaches"},
		{"intact, hash of the one beside", []string{"-journal", journal, "-attest-hash", strings.ToUpper(sum)}, ExitOK, "ok: reaches"},
		{"cut, no anchor", []string{"-journal", cut}, ExitOK, "ok: 6 records"},
		{"cut, head", []string{"-journal", cut, "-head", head, "-records", records}, ExitDamaged,
			"has 6 records, attested 8: 2 records cut from its end"},
		{"cut, attestation", []string{"-journal", cut, "-attest", attest}, ExitDamaged, "2 records cut from its end"},
		{"cut, hash", []string{"-journal", cut, "-attest", attest, "-attest-hash", sum}, ExitDamaged, "2 records cut"},
		{"cut, hash, attestation gone", []string{"-journal", cut, "-attest-hash", sum}, ExitDamaged, "is missing"},
		{"changed attestation", []string{"-journal", journal, "-attest", changed, "-attest-hash", sum}, ExitDamaged,
			"not the file whose hash was printed"},
		{"another head", []string{"-journal", journal, "-head", strings.Repeat("ab", 32), "-records", records}, ExitDamaged,
			"no longer reaches the attested head"},
		{"head without records", []string{"-journal", journal, "-head", head}, ExitUsage, "go together"},
		{"records without head", []string{"-journal", journal, "-records", "3"}, ExitUsage, "go together"},
		{"bad head", []string{"-journal", journal, "-head", "xyz", "-records", "3"}, ExitUsage, "64 hex digits"},
		{"bad hash", []string{"-journal", journal, "-attest-hash", "12"}, ExitUsage, "64 hex digits"},
		{"no such attestation", []string{"-journal", journal, "-attest", filepath.Join(dir, "nope.json")}, ExitUsage, "no attestation"},
		{"not an attestation", []string{"-journal", journal, "-attest", journal}, ExitDamaged, "not readable JSON"},
		{"not a journal", []string{"-journal", attest}, ExitUsage, "is not a flowbatch journal (it starts with \"{"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runJournalCmd(append([]string{"verify"}, tc.args...)...)
			if code != tc.code || !strings.Contains(out+errOut, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s%s", code, tc.code, tc.want, out, errOut)
			}
		})
	}
}
