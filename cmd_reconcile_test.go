package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
)

// reconcileJournal writes a small journal: one success, one unknown, one
// invalid row.
func reconcileJournal(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	j, _, err := batch.CreateJournal(ctx, path, batch.Header{BatchID: "B1", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	recs := []*batch.Record{
		{Type: batch.RecInput, At: 1, Input: &batch.InputInfo{Name: "in.csv", SHA256: strings.Repeat("0", 64), Rows: 3, Format: "csv"}},
		{Type: batch.RecRow, At: 1, Row: &batch.RowRecord{Line: 2, Phone: "13800000001", Pid: "10", OrderID: "a1", Occurrence: 1, Status: batch.RowValid}},
		{Type: batch.RecRow, At: 1, Row: &batch.RowRecord{Line: 3, Phone: "13800000002", Pid: "10", OrderID: "a2", Occurrence: 1, Status: batch.RowValid}},
		{Type: batch.RecRow, At: 1, Row: &batch.RowRecord{Line: 4, Phone: "x", Pid: "10", Status: batch.RowInvalid, Reason: "bad phone"}},
		{Type: batch.RecPlanned, At: 1, Planned: &batch.Planned{Rows: 3}},
		{Type: batch.RecIntent, At: 2, Intent: &batch.Intent{OrderID: "a1", Attempt: 1}},
		{Type: batch.RecSubmit, At: 3, Submit: &batch.SubmitResult{OrderID: "a1", Class: juhe.ClassAccepted, SporderID: "J1", Cost: 19630, HasCost: true}},
		{Type: batch.RecQuery, At: 4, Query: &batch.QueryResult{OrderID: "a1", Class: juhe.ClassAccepted, State: juhe.StateSuccess, Cost: 19630, HasCost: true}},
		{Type: batch.RecIntent, At: 5, Intent: &batch.Intent{OrderID: "a2", Attempt: 1}},
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReconcileCommand(t *testing.T) {
	journal := reconcileJournal(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.xlsx")
	csvPath := filepath.Join(dir, "r.csv")
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if err := Run(context.Background(), e, []string{"reconcile", "-journal", journal, "-out", out, "-lang", "en", "-csv", csvPath}); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, stderr.String())
	}
	for _, p := range []string{out, csvPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	got := strings.Join(strings.Fields(stdout.String()), " ")
	for _, want := range []string{"wrote " + out, "wrote " + csvPath, "success 1", "unknown 1", "invalid 1",
		"control total OK", "spend (yuan) 19.630", "open rows 1", "journal head "} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestReconcileCommandErrors(t *testing.T) {
	journal := reconcileJournal(t)
	missing := filepath.Join(t.TempDir(), "nope.journal")
	out := filepath.Join(t.TempDir(), "r.xlsx")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no journal flag", []string{"-out", out}, ExitUsage, "-journal is required"},
		{"no out", []string{"-journal", journal}, ExitUsage, "-out is required"},
		{"bad lang", []string{"-journal", journal, "-out", out, "-lang", "fr"}, ExitUsage, "-lang"},
		{"missing journal", []string{"-journal", missing, "-out", out}, ExitError, "no journal at " + missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			err := Run(context.Background(), e, append([]string{"reconcile"}, tc.args...))
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != tc.code || !strings.Contains(ee.Error(), tc.want) {
				t.Fatalf("err = %v, want code %d with %q", err, tc.code, tc.want)
			}
			if tc.name == "missing journal" && ee.tip == "" {
				t.Errorf("no hint for a missing journal")
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("workbook written on error")
			}
		})
	}
	// -h prints the usage and succeeds.
	var stderr bytes.Buffer
	e := &env{stdout: &stderr, stderr: &stderr, getenv: func(string) string { return "" }}
	if err := Run(context.Background(), e, []string{"reconcile", "-h"}); err != nil || !strings.Contains(stderr.String(), "Usage: flowbatch reconcile") {
		t.Errorf("-h: %v\n%s", err, stderr.String())
	}
}

func TestReconcileGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"default", nil, reconcileGCPercent},
		{"user GOGC", map[string]string{"GOGC": "200"}, 100},
		{"user GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			restore := lowerGCPercent(&env{getenv: func(k string) string { return tc.env[k] }})
			if got := debug.SetGCPercent(-1); got != tc.want {
				t.Errorf("GOGC during the command %d, want %d", got, tc.want)
			}
			debug.SetGCPercent(tc.want) // undo the probe
			restore()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GOGC after the command %d, want 100 restored", got)
			}
		})
	}
}
