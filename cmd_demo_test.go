package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// demo is the main job on the built-in simulator: it must finish with
// every row final, write the workbook, and tie out to the ledger.
func TestDemo(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("runs a whole batch with realistic latency")
	}
	dir := t.TempDir()
	stdout, stderr, code := runCmd(context.Background(), t, map[string]string{}, "demo", "-out", dir, "-lang", "en", "-seed", "42")
	if code != ExitOK {
		t.Fatalf("demo: exit %d\n%s%s", code, stdout, stderr)
	}
	var spend, ledgerSpend string
	for _, l := range strings.Split(stdout, "\n") {
		if f := strings.Fields(l); len(f) >= 3 && f[0] == "spend" && f[1] == "(yuan)" {
			spend = f[2]
		}
		if _, after, ok := strings.Cut(l, "simulator ledger:"); ok {
			_, s, _ := strings.Cut(after, "spend ")
			ledgerSpend, _, _ = strings.Cut(s, " ")
		}
	}
	if spend == "" || spend != ledgerSpend {
		t.Errorf("workbook spend %q, ledger spend %q:\n%s", spend, ledgerSpend, stdout)
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "demo-*.xlsx"))
	if len(matches) != 1 {
		t.Fatalf("workbooks in %s: %v", dir, matches)
	}
	// Every order matched the statement: the Provider sheet says there
	// is nothing to follow up, rather than standing empty under its header.
	f, err := excelize.OpenFile(matches[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if v, _ := f.GetCellValue("Provider", "A2"); !strings.Contains(v, "nothing to follow up") {
		t.Errorf("the Provider sheet's first line is %q, want the nothing-to-follow-up notice", v)
	}
	if !strings.Contains(stdout, "workbook: ") || !strings.Contains(stdout, "open rows        0") {
		t.Errorf("demo output lacks the workbook path or shows open rows:\n%s", stdout)
	}
}
