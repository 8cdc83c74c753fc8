package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReconcileRetry writes the retry file with reconcile -retry: the
// invalid row is in it, the open (unknown) one is not, and the note names
// the new batch id on the terminal and beside the CSV.
func TestReconcileRetry(t *testing.T) {
	t.Parallel()
	journal := reconcileJournal(t)
	dir := t.TempDir()
	retry := filepath.Join(dir, "retry.csv")
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	err := Run(context.Background(), e, []string{"reconcile", "-journal", journal, "-out", filepath.Join(dir, "r.xlsx"), "-lang", "en", "-retry", retry})
	if err != nil {
		t.Fatalf("reconcile: %v\n%s", err, stderr.String())
	}
	data, err := os.ReadFile(retry)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimPrefix(string(data), "\ufeff"); got != "phone,pid\r\nx,10\r\n" {
		t.Errorf("retry file %q", got)
	}
	note, err := os.ReadFile(filepath.Join(dir, "retry.note.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{stdout.String(), string(note)} {
		if !strings.Contains(s, "B1-retry1") {
			t.Errorf("no new batch id in %q", s)
		}
	}
}

func TestReconcileRetryAndGroupByErrors(t *testing.T) {
	t.Parallel()
	journal := reconcileJournal(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-retry", filepath.Join(dir, "retry.txt")}, ".csv or .xlsx"},
		{[]string{"-retry", filepath.Join(dir, "r.xlsx")}, "same file"},
		{[]string{"-group-by", "部门"}, `group by "部门"`},
	} {
		var stdout, stderr bytes.Buffer
		e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
		args := append([]string{"reconcile", "-journal", journal, "-out", filepath.Join(dir, "r.xlsx")}, tc.args...)
		err := Run(context.Background(), e, args)
		var ee *exitError
		if !errors.As(err, &ee) || ee.code != ExitUsage || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err %v, want exit %d saying %q", tc.args, err, ExitUsage, tc.want)
		}
		if _, err := os.Stat(filepath.Join(dir, "r.xlsx")); err == nil {
			t.Errorf("%q: the workbook was written", tc.args)
		}
	}
}
