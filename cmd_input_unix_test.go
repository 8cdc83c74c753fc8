//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Named pipes and /dev/zero are Unix's.

// TestInputThatIsNoFile: an -in or a -plan-file that is a named pipe, a
// directory or a device is refused at once, saying what it is, with the
// exit code of any unreadable file of its kind: 3 for -in, 2 for
// -plan-file. A named pipe with no writer once hung check, submit and
// run for good, and /dev/zero was hashed for ever.
func TestInputThatIsNoFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes:", err)
	}
	sub, zero := filepath.Join(dir, "dir.csv"), filepath.Join(dir, "zero.xlsx")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("phone\n13900000001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"JUHE_KEY": "k", "JUHE_OPENID": "o", "JUHE_BASE_URL": "http://127.0.0.1:1"}
	type tc struct {
		name string
		args []string
		code int
		want string
	}
	var cases []tc
	for _, p := range []struct{ path, kind string }{{fifo, "a named pipe"}, {sub, "a directory"}, {zero, "a device"}} {
		want := "it is " + p.kind + ", not a saved file"
		out := filepath.Join(dir, "out-"+filepath.Base(p.path)+".xlsx")
		cases = append(cases,
			tc{"check -in " + filepath.Base(p.path), []string{"check", "-in", p.path, "-prices", "none"}, ExitInvalid, want},
			tc{"submit -in " + filepath.Base(p.path), []string{"submit", "-in", p.path, "-batch", "B1", "-journal", filepath.Join(dir, "s.journal")}, ExitInvalid, want},
			tc{"run -in " + filepath.Base(p.path), []string{"run", "-in", p.path, "-batch", "B2", "-journal", filepath.Join(dir, "r.journal"), "-out", out}, ExitInvalid, want},
			tc{"check -plan-file " + filepath.Base(p.path), []string{"check", "-in", in, "-prices", "none", "-plan-file", p.path}, ExitUsage, want},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			stderr, code := runPromptly(t, vars, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, want %d saying %q:\n%s", c.args, code, c.code, c.want, stderr)
			}
		})
	}
}

// TestAttestationOrMaskedOutputThatIsNoFile: verify's -attest, and a
// masked copy's -out and -csv (read to see whether they hold a masked
// copy already), that are a named pipe answer at once; they once hung.
func TestAttestationOrMaskedOutputThatIsNoFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no named pipes:", err)
	}
	for _, ext := range []string{".json", ".xlsx", ".csv"} {
		if err := os.Symlink(fifo, fifo+ext); err != nil {
			t.Fatal(err)
		}
	}
	j := reconcileJournal(t)
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"verify -attest", []string{"verify", "-journal", j, "-attest", fifo + ".json"}, ExitError, "it is a named pipe, not a saved file"},
		{"reconcile -mask -out", []string{"reconcile", "-journal", j, "-mask", "-out", fifo + ".xlsx"}, ExitUsage, "is not a masked copy"},
		{"reconcile -mask -csv", []string{"reconcile", "-journal", j, "-mask", "-out", filepath.Join(dir, "m.xlsx"), "-csv", fifo + ".csv"}, ExitUsage, "is not a masked copy"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stderr, code := runPromptly(t, nil, c.args...)
			if code != c.code || !strings.Contains(stderr, c.want) {
				t.Errorf("%v: exit %d, want %d saying %q:\n%s", c.args, code, c.code, c.want, stderr)
			}
		})
	}
}
