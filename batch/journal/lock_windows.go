//go:build windows

package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/windows"
)

// On Windows the journal's lock is LockFileEx on the journal file itself,
// held through its own handle: a lock on the file, so it holds however the
// file is named, and the system drops it when its holder dies. A Windows
// byte-range lock is mandatory (it blocks reads and writes of its range
// through every other handle, the writer's own included), so it covers
// one byte far past any journal's end, never read or written: the last
// byte of the 64-bit range, as bbolt does.
//
// PATH.lock has the jobs it has on unix: the holder's PID, for messages
// only, and its own lock makes creators of one path take turns.

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

// errWouldBlock is what lockNB returns when another handle holds the lock.
var errWouldBlock = errors.New("the lock is held")

// lockNB takes the lock byte of f without waiting: exclusive, or shared.
func lockNB(f *os.File, exclusive bool) error {
	flags := uint32(windows.LOCKFILE_FAIL_IMMEDIATELY)
	if exclusive {
		flags |= windows.LOCKFILE_EXCLUSIVE_LOCK
	}
	ol := lockByte()
	err := windows.LockFileEx(windows.Handle(f.Fd()), flags, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return errWouldBlock
	}
	return err
}

func unlockNB(f *os.File) error {
	ol := lockByte()
	return windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, &ol)
}

func lockByte() windows.Overlapped {
	return windows.Overlapped{Offset: ^uint32(0), OffsetHigh: ^uint32(0)}
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
		// Closing the handle releases the lock.
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

// Holder reports whether some process holds the journal's lock, and its
// PID when known. It takes and at once releases a shared lock when the
// journal is free, so a writer starting at that very instant may see this
// one.
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

// The PID note is "pid volume index": the note names the holder of that
// one file, and a note left by a holder of another file, or by a process
// that is gone, is not believed.

func writePIDNote(notePath string, journal *os.File) {
	vol, idx, ok := fileID(journal)
	if !ok {
		return
	}
	f, err := os.OpenFile(notePath, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return // the note is for messages only
	}
	defer f.Close()
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %d %d\n", os.Getpid(), vol, idx)), 0)
	}
}

// holderPID finds the PID of the process holding journal's lock from the
// note, when it is about this file. 0 when unknown.
func holderPID(journal *os.File, notePath string) int {
	nf, err := os.Open(notePath)
	if err != nil {
		return 0
	}
	defer nf.Close()
	return notePID(nf, journal)
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
		vol, idx, ok := fileID(journal)
		if !ok || len(fields) != 3 || fields[1] != strconv.FormatUint(uint64(vol), 10) || fields[2] != strconv.FormatUint(idx, 10) {
			return 0
		}
	}
	return pid
}

// stillActive is the exit code GetExitCodeProcess gives a running process.
const stillActive = 259

// alive reports whether a process with this PID is running.
func alive(pid int) bool {
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return errors.Is(err, windows.ERROR_ACCESS_DENIED) // it exists, another user's
	}
	defer windows.CloseHandle(h)
	var code uint32
	return windows.GetExitCodeProcess(h, &code) == nil && code == stillActive
}

// fileID is the file's volume serial number and file index: what tells
// two names of one file.
func fileID(f *os.File) (vol uint32, idx uint64, ok bool) {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return 0, 0, false
	}
	return info.VolumeSerialNumber, uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow), true
}

// openNonblock: Windows has no O_NONBLOCK to open a named pipe with.
const openNonblock = 0
