package main

import (
	"context"
	"strings"
	"testing"
)

// Every command's flag prologue: -h is usage and exit 0, a bad flag and
// a left-over argument are exit 2 with the command's name.
func TestFlagPrologue(t *testing.T) {
	for _, c := range commands() {
		if c.name == "version" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			for _, tc := range []struct {
				args     []string
				code     int
				inStderr string
			}{
				{[]string{"-h"}, ExitOK, "Usage: flowbatch " + c.name},
				{[]string{"-no-such-flag"}, ExitUsage, "flowbatch: " + c.name + ": flag provided but not defined: -no-such-flag"},
				{[]string{"stray"}, ExitUsage, "flowbatch: " + c.name + ": unexpected argument \"stray\""},
			} {
				_, stderr, code := runCmd(context.Background(), t, nil, append([]string{c.name}, tc.args...)...)
				if code != tc.code || !strings.Contains(stderr, tc.inStderr) {
					t.Errorf("%v: exit %d, want %d with %q in:\n%s", tc.args, code, tc.code, tc.inStderr, stderr)
				}
			}
		})
	}
}
