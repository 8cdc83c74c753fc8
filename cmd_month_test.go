package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad month command lines are refused with exit 2 and write nothing.
func TestMonthCommandErrors(t *testing.T) {
	dir := t.TempDir()
	ws := testWorkspace(t)
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.xlsx")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no month", []string{"-out", out}, "-month is required"},
		{"no out", []string{"-month", "2026-11"}, "-out is required"},
		{"bad month", []string{"-month", "2026-13", "-out", out}, "-month"},
		{"not xlsx", []string{"-month", "2026-11", "-out", filepath.Join(dir, "m.csv")}, "the file written is .xlsx"},
		{"keep-col without mask", []string{"-month", "2026-11", "-out", out, "-keep-col", "部门"}, "-keep-col is for a masked copy"},
		{"bad lang", []string{"-month", "2026-11", "-out", out, "-lang", "fr"}, "-lang"},
		{"no workspace", []string{"-month", "2026-11", "-out", out, "-workspace", filepath.Join(dir, "none")}, "workspace"},
		{"group-by not there", []string{"-month", "2026-11", "-out", out, "-group-by", "科室"}, `"科室"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(context.Background(), t, map[string]string{"FLOWBATCH_WORKSPACE": ws}, append([]string{"month"}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d with %q:\n%s", code, ExitUsage, tc.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused month wrote %s", out)
			}
		})
	}
}
