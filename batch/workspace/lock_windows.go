//go:build windows

package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/windows"
)

// On Windows the workspace lock is LockFileEx on workspace.lock, which
// holds the owner's PID for messages. The system drops it when its holder
// dies, and the file is never removed. A Windows byte-range lock is
// mandatory, so it covers one byte far past the PID (the last of the
// 64-bit range), which every process may still read.

// lockPoll is how often Lock tries again while another process holds it.
const lockPoll = 25 * time.Millisecond

// Lock takes the workspace lock, waiting up to ws.LockWait (10 s by
// default) for another holder. A holder that keeps it longer is named in
// a *LockedError. Hold it only for the guard and the writing of the new
// batch's rows, never across a network call.
func (ws *Workspace) Lock(ctx context.Context) (*Locked, error) {
	path := filepath.Join(ws.Dir, lockName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking workspace %s: %w", ws.Dir, err)
	}
	wait := ws.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	deadline := time.Now().Add(wait)
	var tick *time.Ticker
	for {
		ol := windows.Overlapped{Offset: ^uint32(0), OffsetHigh: ^uint32(0)}
		err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK|windows.LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &ol)
		if err == nil {
			break
		}
		if !errors.Is(err, windows.ERROR_LOCK_VIOLATION) && !errors.Is(err, windows.ERROR_IO_PENDING) {
			f.Close()
			return nil, fmt.Errorf("locking workspace %s: %w", ws.Dir, err)
		}
		if !time.Now().Before(deadline) {
			pid := readPID(f)
			f.Close()
			return nil, &LockedError{Dir: ws.Dir, PID: pid, Waited: wait}
		}
		if tick == nil {
			tick = time.NewTicker(lockPoll)
			defer tick.Stop()
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-tick.C:
		}
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Locked{ws: ws, unlock: func() error {
		// Closing the handle releases the lock.
		if err := f.Close(); err != nil {
			return fmt.Errorf("unlocking workspace %s: %w", ws.Dir, err)
		}
		return nil
	}}, nil
}

func readPID(f *os.File) int {
	buf := make([]byte, 32)
	n, _ := f.ReadAt(buf, 0)
	pid, err := strconv.Atoi(strings.TrimSpace(string(buf[:n])))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
