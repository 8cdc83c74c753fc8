//go:build unix

package journal

import (
	"bufio"
	"errors"
	"fmt"
	"os"
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

// errWouldBlock is what lockNB returns when another file holds the lock.
var errWouldBlock error = syscall.EWOULDBLOCK

// lockNB takes the flock of f without waiting: exclusive, or shared.
func lockNB(f *os.File, exclusive bool) error {
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	for {
		err := syscall.Flock(int(f.Fd()), how|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

func unlockNB(f *os.File) error { return syscall.Flock(int(f.Fd()), syscall.LOCK_UN) }

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
