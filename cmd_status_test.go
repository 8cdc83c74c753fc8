package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
)

func TestStatusCommand(t *testing.T) {
	t.Parallel()
	path := writeSmallJournal(t)
	out, errOut, code := runJournalCmd("status", "-journal", path)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"batch     B7", "gift.csv", "rows      2", "success        1", "invalid        1", "not_submitted  0", "spend     19.630 yuan", "open rows  0", "held by   nobody"} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(want), " ")) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
	for _, s := range batch.Statuses {
		if !strings.Contains(out, string(s)) {
			t.Errorf("status output lacks state %s", s)
		}
	}

	// While a process holds the journal, status still works and says so.
	j, _, err := batch.OpenJournal(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	out, _, code = runJournalCmd("status", "-journal", path)
	if code != ExitOK || !strings.Contains(out, fmt.Sprintf("process %d", os.Getpid())) {
		t.Errorf("held journal: exit %d\n%s", code, out)
	}
	// A record being written (no line end yet) is left out.
	f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString("9\tT\t1\tO9")
	f.Close()
	if _, errOut, code := runJournalCmd("status", "-journal", path); code != ExitOK {
		t.Errorf("partial last line: exit %d: %s", code, errOut)
	}
	if _, _, code := runJournalCmd("status"); code != ExitUsage {
		t.Errorf("no -journal: exit %d", code)
	}
}
