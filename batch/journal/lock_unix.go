//go:build unix

package journal

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// The journal's lock is an flock(2) on the journal file itself: a lock on
// its inode, so it holds however the file is named (a symlink, a hard
// link, a path through ../). The kernel drops it when its holder dies,
// however it dies.
//
// The side file PATH.lock, at the path with every symlink resolved, has
// two smaller jobs: it holds the holder's PID, for messages only, and its
// own flock makes creators of one path take turns (a file that does not
// exist yet has no inode to lock). It is never removed: removing it while
// another creator waits on it would let two creators "hold" two
// different files.

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
	if err := flockNB(f, syscall.LOCK_EX); err != nil {
		pid := holderPID(f, lockPath(path))
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	}
	// The path must still name the file locked: a file renamed over it
	// between the open and the flock would be unlocked.
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
		// Closing the descriptor releases the flock.
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
	if err := flockNB(f, syscall.LOCK_EX); err != nil {
		pid := notePID(f, nil)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
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
	if err := flockNB(f, syscall.LOCK_EX); err != nil {
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
	if err := flockNB(f, syscall.LOCK_SH); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return holderPID(f, lockPath(path)), true, nil
		}
		return 0, false, fmt.Errorf("checking the lock of journal %s: %w", path, err)
	}
	return 0, false, nil
}

func flockNB(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

// The PID note is "pid dev inode": the note names the holder of that one
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

// holderPID finds the PID of the process holding journal's lock: from the
// note when it is about this file, else (a hard link elsewhere) from the
// kernel's list of locks where there is one. 0 when unknown.
func holderPID(journal *os.File, notePath string) int {
	if nf, err := os.Open(notePath); err == nil {
		pid := notePID(nf, journal)
		nf.Close()
		if pid > 0 {
			return pid
		}
	}
	return procLocksPID(journal)
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

// alive reports whether a process with this PID exists.
func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

func fileID(f *os.File) (dev, ino uint64, ok bool) {
	fi, err := f.Stat()
	if err != nil {
		return 0, 0, false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true
}

// procLocksPID looks the file up in Linux's /proc/locks ("1: FLOCK
// ADVISORY WRITE 1234 08:01:5678 0 EOF"). 0 elsewhere, or when absent.
func procLocksPID(journal *os.File) int {
	dev, ino, ok := fileID(journal)
	if !ok {
		return 0
	}
	pl, err := os.Open("/proc/locks")
	if err != nil {
		return 0
	}
	defer pl.Close()
	major := (dev>>8)&0xfff | (dev>>32)&^0xfff
	minor := dev&0xff | (dev>>12)&^0xff
	want := fmt.Sprintf("%02x:%02x:%d", major, minor, ino)
	sc := bufio.NewScanner(pl)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// A waiting lock has "->" after the number.
		if len(f) < 6 || f[1] != "FLOCK" || f[3] != "WRITE" || f[5] != want {
			continue
		}
		if pid, err := strconv.Atoi(f[4]); err == nil && pid > 0 {
			return pid
		}
	}
	return 0
}

// openNonblock opens a named pipe without waiting for a writer.
const openNonblock = syscall.O_NONBLOCK
