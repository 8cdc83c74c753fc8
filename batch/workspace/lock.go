//go:build unix || windows

package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

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
		got, err := tryLock(f)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("locking workspace %s: %w", ws.Dir, err)
		}
		if got {
			break
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
	_ = f.Chmod(0o600)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return &Locked{ws: ws, unlock: func() error {
		// Closing the file releases its lock.
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
