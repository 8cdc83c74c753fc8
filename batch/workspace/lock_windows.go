//go:build windows

package workspace

import (
	"errors"
	"os"

	"golang.org/x/sys/windows"
)

// On Windows the workspace lock is LockFileEx on workspace.lock, which
// holds the owner's PID for messages. The system drops it when its holder
// dies, and the file is never removed. A Windows byte-range lock is
// mandatory, so it covers one byte far past the PID (the last of the
// 64-bit range), which every process may still read.

// tryLock takes the lock of f without waiting; false when another holds it.
func tryLock(f *os.File) (bool, error) {
	ol := windows.Overlapped{Offset: ^uint32(0), OffsetHigh: ^uint32(0)}
	err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
	if errors.Is(err, windows.ERROR_LOCK_VIOLATION) || errors.Is(err, windows.ERROR_IO_PENDING) {
		return false, nil
	}
	return err == nil, err
}
