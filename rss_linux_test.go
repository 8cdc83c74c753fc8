package main

import (
	"os"
	"syscall"
)

// peakRSSKiB is the peak resident set of a finished child, in KiB.
func peakRSSKiB(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss, true // KiB on Linux
}
