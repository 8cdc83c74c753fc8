//go:build unix

package workspace

import (
	"errors"
	"os"
	"syscall"
)

// The workspace lock is an flock(2) on workspace.lock, which holds the
// owner's PID for messages. As with the journal's lock, the kernel drops
// it when its holder dies, and the file is never removed.

// tryLock takes the lock of f without waiting; false when another holds it.
func tryLock(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}
