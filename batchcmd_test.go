package main

import (
	"runtime/debug"
	"testing"
)

// Not parallel: GOGC is the process's, and parallel tests reconcile in
// process; serial tests run before any parallel one starts.
func TestReconcileGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
	}{
		{"default", nil, reconcileGCPercent},
		{"user GOGC", map[string]string{"GOGC": "200"}, 100},
		{"user GOMEMLIMIT", map[string]string{"GOMEMLIMIT": "1GiB"}, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := debug.SetGCPercent(100)
			defer debug.SetGCPercent(before)
			restore := lowerGCPercent(&env{getenv: func(k string) string { return tc.env[k] }})
			if got := debug.SetGCPercent(-1); got != tc.want {
				t.Errorf("GOGC during the command %d, want %d", got, tc.want)
			}
			debug.SetGCPercent(tc.want) // undo the probe
			restore()
			if got := debug.SetGCPercent(100); got != 100 {
				t.Errorf("GOGC after the command %d, want 100 restored", got)
			}
		})
	}
}
