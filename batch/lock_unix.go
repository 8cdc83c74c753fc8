//go:build unix

package batch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// The journal's lock is an flock(2) on the side file PATH.lock, which
// holds the owner's PID for messages. The kernel drops the lock when its
// holder dies, however it dies. The lock file is never removed: removing
// it while another process waits on it would let two processes "hold" two
// different files.

func lockPath(path string) string { return path + ".lock" }

// LockJournal takes the journal's OS lock without waiting. If another
// process (or another open in this process) holds it, the error is a
// *LockedError naming the holder's PID when known.
func LockJournal(path string) (unlock func() error, err error) {
	lp := lockPath(path)
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		pid := readPID(f)
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &LockedError{Path: path, PID: pid}
		}
		return nil, fmt.Errorf("locking journal %s: %w", path, err)
	}
	_ = f.Chmod(0o600)
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() error {
		// Closing the descriptor releases the flock.
		if err := f.Close(); err != nil {
			return fmt.Errorf("unlocking journal %s: %w", path, err)
		}
		return nil
	}, nil
}

// JournalHolder reports whether some process holds the journal's lock,
// and its PID when known. It takes and at once releases the lock when it
// is free, so a process starting at that very instant may see this one.
func JournalHolder(path string) (pid int, held bool, err error) {
	f, err := os.OpenFile(lockPath(path), os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("checking the lock of journal %s: %w", path, err)
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return readPID(f), true, nil
		}
		return 0, false, fmt.Errorf("checking the lock of journal %s: %w", path, err)
	}
	return 0, false, nil
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
