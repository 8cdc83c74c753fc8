package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

func TestQueryCommandOpen(t *testing.T) {
	t.Parallel()
	// Orders still charging when -wait runs out: exit 5 with a hint.
	_, vars := subSim(t, juhesim.Config{SettleDelay: time.Hour})
	dir := t.TempDir()
	in := subCSV(t, dir, 3)
	jp := filepath.Join(dir, "b.journal")
	ctx := context.Background()
	if _, errOut, code := runCmd(ctx, t, vars, "submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500"); code != ExitOK {
		t.Fatal(errOut)
	}
	out, errOut, code := runCmd(ctx, t, vars, "query", "-journal", jp, "-wait", "0")
	if code != ExitOpen || !strings.Contains(errOut, "3 rows not final") || !strings.Contains(errOut, "Try: flowbatch query -journal") {
		t.Errorf("exit %d\n%s%s", code, out, errOut)
	}
	if _, errOut, code := runCmd(ctx, t, vars, "query"); code != ExitUsage || !strings.Contains(errOut, "-journal is required") {
		t.Errorf("no -journal: exit %d %s", code, errOut)
	}
}
