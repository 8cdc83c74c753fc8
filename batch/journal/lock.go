//go:build unix || windows

package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The lock's logic, the same on every system that has one; how a file is
// locked, named and its holder found is in lock_unix.go and
// lock_windows.go.

func lockPath(path string) string { return resolvePath(path) + ".lock" }

// resolvePath resolves every symlink of path, or of its directory when
// path does not exist yet; it is path itself when neither resolves.
func resolvePath(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(path)); err == nil {
		return filepath.Join(d, filepath.Base(path))
	}
	return path
}

// Lock takes the OS lock of the existing journal at path without
// waiting. If another process (or another open in this process) holds it,
// through this path or any other name of the same file, the error is a
// *LockedError naming the holder's PID when known.
func Lock(path string) (unlock func() error, err error) {
	f, err := openJournalFile(path)
	if err != nil {
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	}
	if err := lockNB(f, true); err != nil {
		pid := holderPID(f, lockPath(path))
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	}
	// The path must still name the file locked: a file renamed over it
	// between the open and the lock would be unlocked.
	if fi, err := f.Stat(); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	} else if now, err := os.Stat(path); err != nil || !os.SameFile(fi, now) {
		f.Close()
		return nil, fmt.Errorf("locking journal %s: the file was replaced while it was being locked", path)
	}
	writePIDNote(lockPath(path), f)
	return unlockFunc(path, f), nil
}

func unlockFunc(path string, f *os.File) func() error {
	return func() error {
		// Closing the file releases its lock.
		if err := f.Close(); err != nil {
			return fmt.Errorf("unlocking journal %s: %w", path, err)
		}
		return nil
	}
}

// createLock is held while a journal is created at path: it makes
// creators of one path take turns, and is released once the new journal,
// already locked, is linked into place.
type createLock struct{ f *os.File }

func lockCreate(path string) (*createLock, error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("creating journal %s: %w", path, err)
	}
	if err := lockNB(f, true); err != nil {
		pid := notePID(f, nil)
		f.Close()
		if errors.Is(err, errWouldBlock) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("creating journal %s: %w", path, err)
	}
	_ = f.Chmod(0o600)
	return &createLock{f: f}, nil
}

func (c *createLock) release() { c.f.Close() }

// lockNew takes the journal lock on a journal being created, before it is
// linked into place, so that no other process can take it in between.
func lockNew(tmp, path string) (func() error, error) {
	f, err := os.Open(tmp)
	if err != nil {
		return nil, err
	}
	if err := lockNB(f, true); err != nil {
		f.Close()
		return nil, err
	}
	return unlockFunc(path, f), nil
}

// noteHolder writes this process's PID note for the journal at path.
func noteHolder(path string) {
	if f, err := os.Open(path); err == nil {
		writePIDNote(lockPath(path), f)
		f.Close()
	}
}

// heldBy reports who holds the lock of the existing journal at path: a
// LockedError when some process does, nil when none does.
func heldBy(path string) error {
	pid, held, err := Holder(path)
	if err != nil || !held {
		return err
	}
	return &LockedError{Path: path, PID: pid}
}

// Holder reports whether some process holds the journal's lock,
// and its PID when known. It takes and at once releases a shared lock
// when the journal is free, so a writer starting at that very instant may
// see this one.
func Holder(path string) (pid int, held bool, err error) {
	f, err := openJournalFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("checking the lock of journal %s: %w", path, err)
	}
	defer f.Close()
	if err := lockNB(f, false); err != nil {
		if errors.Is(err, errWouldBlock) {
			return holderPID(f, lockPath(path)), true, nil
		}
		return 0, false, fmt.Errorf("checking the lock of journal %s: %w", path, err)
	}
	unlockNB(f)
	return 0, false, nil
}

// The PID note is "pid device file" (on unix the device and inode, on
// Windows the volume serial and file index): the note names the holder of that one
// file, and a note left by a holder of another file, or by a process
// that is gone, is not believed.

func writePIDNote(notePath string, journal *os.File) {
	dev, ino, ok := fileID(journal)
	if !ok {
		return
	}
	f, err := os.OpenFile(notePath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return // the note is for messages only
	}
	defer f.Close()
	_ = f.Chmod(0o600)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %d %d\n", os.Getpid(), dev, ino)), 0)
	}
}

// notePID reads a PID note; when journal is not nil the note must be
// about that file. The process must be alive.
func notePID(nf *os.File, journal *os.File) int {
	buf := make([]byte, 96)
	n, _ := nf.ReadAt(buf, 0)
	fields := strings.Fields(string(buf[:n]))
	if len(fields) == 0 {
		return 0
	}
	pid, err := strconv.Atoi(fields[0])
	if err != nil || pid <= 0 || !alive(pid) {
		return 0
	}
	if journal != nil {
		dev, ino, ok := fileID(journal)
		if !ok || len(fields) != 3 || fields[1] != strconv.FormatUint(dev, 10) || fields[2] != strconv.FormatUint(ino, 10) {
			return 0
		}
	}
	return pid
}
