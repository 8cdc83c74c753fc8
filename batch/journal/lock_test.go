//go:build unix

package journal

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// otherNames gives the journal at path other names for the same file: a
// symlink, a hard link, a path through a symlinked directory and a ../
// form.
func otherNames(t *testing.T, path string) map[string]string {
	t.Helper()
	dir := filepath.Dir(path)
	other := t.TempDir()
	names := map[string]string{
		"symlink":          filepath.Join(other, "sym.journal"),
		"hard link":        filepath.Join(dir, "hard.journal"),
		"symlinked dir":    filepath.Join(other, "dirlink", filepath.Base(path)),
		"dot-dot":          filepath.Join(dir, "sub", "..", filepath.Base(path)),
		"relative symlink": filepath.Join(dir, "rel.journal"),
	}
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(path, names["symlink"]))
	must(os.Link(path, names["hard link"]))
	must(os.Symlink(dir, filepath.Join(other, "dirlink")))
	must(os.Mkdir(filepath.Join(dir, "sub"), 0o700))
	must(os.Symlink(filepath.Base(path), names["relative symlink"]))
	return names
}

// TestLockIsPerFile: the lock holds for the file however it is named. A
// lock on the side file of the path let two writers in through a symlink
// or a hard link; both then appended and broke the chain.
func TestLockIsPerFile(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	ctx := context.Background()
	for name, alt := range otherNames(t, path) {
		t.Run(name, func(t *testing.T) {
			for _, holder := range []string{path, alt} {
				j, _, err := openJournal(ctx, holder, nil)
				if err != nil {
					t.Fatal(err)
				}
				other := alt
				if holder == alt {
					other = path
				}
				_, err = Lock(other)
				var le *LockedError
				if !errors.As(err, &le) {
					j.Close()
					t.Fatalf("held through %s, Lock(%s) = %v, want a LockedError", holder, other, err)
				}
				// Through a hard link only the kernel's list of locks
				// (Linux's /proc/locks) names the holder.
				_, procErr := os.Stat("/proc/locks")
				if le.PID != os.Getpid() && (name != "hard link" || procErr == nil) {
					t.Errorf("held through %s, the error through %s names PID %d, want %d", holder, other, le.PID, os.Getpid())
				}
				if _, _, err := openJournal(ctx, other, nil); !errors.As(err, &le) {
					t.Errorf("openJournal(%s) while held through %s: %v", other, holder, err)
				}
				if pid, held, err := Holder(other); err != nil || !held || pid != os.Getpid() {
					t.Errorf("Holder(%s) while held through %s: %d %v %v", other, holder, pid, held, err)
				}
				if err := j.Close(); err != nil {
					t.Fatal(err)
				}
				if _, held, err := Holder(other); err != nil || held {
					t.Errorf("Holder(%s) after close: %v %v", other, held, err)
				}
			}
		})
	}
}

// TestCreateHoldsTheLock: a journal being created is locked before it is
// linked into place, and a creator on a held journal's path is told who
// holds it.
func TestCreateHoldsTheLock(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new.journal")
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	j, _, err := Create(ctx, filepath.Join(link, "new.journal"), testHeader())
	if err != nil {
		t.Fatal(err)
	}
	var le *LockedError
	if _, err := Lock(path); !errors.As(err, &le) || le.PID != os.Getpid() {
		t.Errorf("Lock on a journal just created: %v", err)
	}
	if _, _, err := Create(ctx, path, testHeader()); !errors.As(err, &le) {
		t.Errorf("CreateJournal on a held journal: %v, want a LockedError", err)
	}
	j.Close()
	if _, _, err := Create(ctx, path, testHeader()); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateJournal on an existing free journal: %v, want an 'exists' error", err)
	}
	if _, err := os.Lstat(path + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s.new left behind: %v", path, err)
	}
}

// TestStaleNewIsRemoved: a creator killed after linking the journal into
// place leaves PATH.new as a second name of the journal; the next open
// removes it and leaves the journal as it was.
func TestStaleNewIsRemoved(t *testing.T) {
	path, _ := newTestJournal(t, 2)
	before, _ := os.ReadFile(path)
	if err := os.Link(path, path+".new"); err != nil {
		t.Fatal(err)
	}
	j, _, err := openJournal(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if _, err := os.Lstat(path + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%s.new is still there: %v", path, err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("the journal changed")
	}
}

// TestLockOtherNamesTwoProcesses: a real second process holds the
// journal; this one is refused through every other name, told the
// holder's PID, and gets it once the holder is killed.
func TestLockOtherNamesTwoProcesses(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	names := otherNames(t, path)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldJournal$")
	cmd.Env = append(os.Environ(), "FLOWBATCH_HOLD_JOURNAL="+names["symlink"])
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if pid, held, err := Holder(path); err != nil {
			t.Fatal(err)
		} else if held && pid == cmd.Process.Pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("helper never took the lock")
		}
		time.Sleep(10 * time.Millisecond)
	}
	for name, alt := range names {
		_, _, err := openJournal(context.Background(), alt, nil)
		var le *LockedError
		if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
			t.Errorf("%s: open while the helper holds the journal: %v", name, err)
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	j, _, err := openJournal(context.Background(), names["hard link"], nil)
	if err != nil {
		t.Fatalf("open after the holder was killed: %v", err)
	}
	j.Close()
}
