//go:build !linux

package main

import "os"

// peakRSSKiB: only Linux gives Maxrss in KiB (macOS in bytes, Windows
// not at all); elsewhere the peak is not measured.
func peakRSSKiB(*os.ProcessState) (int64, bool) { return 0, false }
