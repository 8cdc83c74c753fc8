//go:build unix

package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Named pipes and /dev/zero are Unix's.

// TestJournalThatIsNoFile: a -journal that is a directory, a named pipe or
// a device is a wrong argument (exit 2), said so at once: a named pipe
// with no writer once hung every command for good, /dev/zero was read
// for 64 MiB and called a damaged journal.
func TestJournalThatIsNoFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.journal")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes:", err)
	}
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n"), 0o600)
	vars := map[string]string{"JUHE_KEY": "k", "JUHE_OPENID": "o", "JUHE_BASE_URL": "http://127.0.0.1:1"}
	for _, tc := range []struct {
		journal, want string
	}{
		{dir, "(it is a directory)"},
		{fifo, "(it is a named pipe)"},
		{"/dev/zero", "(it is a device)"},
	} {
		for _, args := range [][]string{
			{"verify", "-journal", tc.journal},
			{"reconcile", "-journal", tc.journal, "-out", filepath.Join(dir, "r.xlsx")},
			{"status", "-journal", tc.journal},
			{"query", "-journal", tc.journal},
			{"submit", "-in", in, "-batch", "B1", "-journal", tc.journal},
		} {
			t.Run(args[0]+" "+tc.journal, func(t *testing.T) {
				stderr, code := runPromptly(t, vars, args...)
				if code != ExitUsage || !strings.Contains(stderr, "is not a flowbatch journal "+tc.want) {
					t.Errorf("exit %d, want %d saying %q:\n%s", code, ExitUsage, tc.want, stderr)
				}
			})
		}
	}
}

// runPromptly runs flowbatch with args as runCmd does, failing the test
// if it has not answered within 20 s: a named pipe with no writer once
// hung commands for good.
func runPromptly(t *testing.T, vars map[string]string, args ...string) (stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, stderr, code = runCmd(ctx, t, vars, args...)
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("%v hangs", args)
	}
	return stderr, code
}
