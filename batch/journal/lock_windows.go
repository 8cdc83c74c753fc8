//go:build windows

package journal

import (
	"errors"
	"os"

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
func fileID(f *os.File) (vol, idx uint64, ok bool) {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return 0, 0, false
	}
	return uint64(info.VolumeSerialNumber), uint64(info.FileIndexHigh)<<32 | uint64(info.FileIndexLow), true
}

// openNonblock: Windows has no O_NONBLOCK to open a named pipe with.
const openNonblock = 0
