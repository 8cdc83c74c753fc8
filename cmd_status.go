package main

import (
	"context"
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
)

const statusUsage = `Usage: flowbatch status -journal PATH

Prints what a journal says about its batch: its period and workspace, the input, the rows per state,
the spend so far, the spending cap and what is committed against it, what is still charging or open, orders journaled but no
longer in the input, the head hash, and whether a process holds the journal
now. It reads without locking, so it works while a batch runs (a record
being written at that moment is left out). It is informational: exit 0
whatever the state of the batch; 7 if the journal is damaged.

Flags:
`

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	path := fs.String("journal", "", "journal `file` to read")
	wsDir := fs.String("workspace", "", "workspace `directory` to name (default $"+workspace.EnvDir+", else your data directory)")
	if help, err := parseFlags(e, fs, statusUsage, args, "Try: flowbatch status -journal PATH"); help || err != nil {
		return err
	}
	switch {
	case *path == "":
		return usageErr("status: -journal is required").hint("Try: flowbatch status -journal BATCH.journal")
	}
	b, err := batch.LoadBook(ctx, *path)
	if err != nil {
		return journalErr("status", *path, err)
	}
	t := b.Counts()
	w := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintf(w, "batch\t%s\n", b.Header.BatchID)
	if p := b.Header.Settings[workspace.SettingPeriod]; p != "" {
		fmt.Fprintf(w, "period\t%s\n", p)
	}
	printWorkspaceLine(ctx, w, e, *wsDir, *path)
	if b.Input.Name != "" {
		fmt.Fprintf(w, "input\t%s (sha256 %s)\n", b.Input.Name, b.Input.SHA256)
	} else {
		fmt.Fprintf(w, "input\tnone planned yet\n")
	}
	fmt.Fprintf(w, "rows\t%d\n", t.Rows)
	for _, s := range batch.Statuses {
		fmt.Fprintf(w, "  %s\t%d\n", s, t.ByStatus[s])
	}
	fmt.Fprintf(w, "spend\t%s yuan\n", t.Spend)
	fmt.Fprintf(w, "charging\t%s yuan\n", t.Charging)
	fmt.Fprintf(w, "refunded\t%s yuan\n", t.Refunded)
	printSpendCap(w, b)
	fmt.Fprintf(w, "open rows\t%d\n", t.OpenCount)
	fmt.Fprintf(w, "orphans\t%d\n", t.Orphans)
	fmt.Fprintf(w, "records\t%d\n", b.Records)
	fmt.Fprintf(w, "head\t%s\n", b.HeadHash)
	switch pid, held, err := journal.Holder(*path); {
	case err != nil:
		fmt.Fprintf(w, "held by\tunknown (%v)\n", err)
	case held && pid > 0:
		fmt.Fprintf(w, "held by\tprocess %d (running)\n", pid)
	case held:
		fmt.Fprintf(w, "held by\tanother process (running)\n")
	default:
		fmt.Fprintf(w, "held by\tnobody (stopped)\n")
	}
	return w.Flush()
}
