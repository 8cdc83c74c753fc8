package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Bad month command lines are refused with exit 2 and write nothing.
func TestMonthCommandErrors(t *testing.T) {
	dir := t.TempDir()
	ws := testWorkspace(t)
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.xlsx")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no month", []string{"-out", out}, "-month is required"},
		{"no out", []string{"-month", "2026-11"}, "-out is required"},
		{"bad month", []string{"-month", "2026-13", "-out", out}, "-month"},
		{"not xlsx", []string{"-month", "2026-11", "-out", filepath.Join(dir, "m.csv")}, "the file written is .xlsx"},
		{"keep-col without mask", []string{"-month", "2026-11", "-out", out, "-keep-col", "部门"}, "-keep-col is for a masked copy"},
		{"bad lang", []string{"-month", "2026-11", "-out", out, "-lang", "fr"}, "-lang"},
		{"no workspace", []string{"-month", "2026-11", "-out", out, "-workspace", filepath.Join(dir, "none")}, "workspace"},
		{"group-by not there", []string{"-month", "2026-11", "-out", out, "-group-by", "科室"}, `"科室"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(context.Background(), t, map[string]string{"FLOWBATCH_WORKSPACE": ws}, append([]string{"month"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, ExitUsage, tc.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused month wrote %s", out)
			}
		})
	}
}

// TestMonthHoldsToTheAttestationBesideTheJournal: with the index rebuilt
// (its memory of the journal's head gone), the attestation beside the
// journal still catches records cut from its end.
func TestMonthHoldsToTheAttestationBesideTheJournal(t *testing.T) {
	ctx := context.Background()
	ws := testWorkspace(t)
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	jpath := filepath.Join(ws, "BIG.journal")
	month := smallJournal(t, jpath, 20)
	vars := map[string]string{"FLOWBATCH_WORKSPACE": ws}
	if _, stderr, code := runCmd(ctx, t, vars, "reconcile", "-journal", jpath, "-out", filepath.Join(ws, "BIG.xlsx")); code != ExitOK {
		t.Fatalf("reconcile: exit %d\n%s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "m.xlsx")
	if _, stderr, code := runCmd(ctx, t, vars, "month", "-month", month, "-out", out); code != ExitOK {
		t.Fatalf("month before the cut: exit %d\n%s", code, stderr)
	}
	if err := os.Remove(filepath.Join(ws, "index.json")); err != nil {
		t.Fatal(err)
	}
	truncateRecords(t, jpath, 2)
	_, stderr, code := runCmd(ctx, t, vars, "month", "-month", month, "-out", out)
	if code != ExitDamaged || !strings.Contains(stderr, "held to BIG.attest.json") || !strings.Contains(stderr, "2 records cut from its end") {
		t.Errorf("month after the cut: exit %d, want %d, naming the attestation:\n%s", code, ExitDamaged, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no workbook: %v", err)
	}
}

// smallJournal writes a journal of n settled orders, stamped now, and
// returns their Beijing month.
func smallJournal(t *testing.T, path string, n int) string {
	t.Helper()
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: "BIG", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	now := time.Now()
	at := now.UnixMilli()
	var recs []*journal.Record
	add := func(r *journal.Record) { r.At = at; recs = append(recs, r) }
	add(&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "small.csv", SHA256: strings.Repeat("1", 64),
		Rows: n, Format: "csv", Encoding: "utf-8"}})
	ids := make([]string, n)
	for i := range n {
		phone := strconv.Itoa(13800000000 + i)
		ids[i] = input.OrderID("BIG", phone, "105000", 1)
		add(&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: i + 2, Phone: phone, Pid: "105000", OrderID: ids[i],
			Occurrence: 1, Status: journal.RowValid}})
	}
	add(&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: n}})
	for _, id := range ids {
		add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}})
		add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id[:20], Cost: 19630, HasCost: true}}})
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	return now.In(time.FixedZone("CST", 8*3600)).Format("2006-01")
}
