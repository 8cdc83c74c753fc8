package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/flowbatch/flowbatch/batch"
)

const verifyUsage = `Usage: flowbatch verify -journal PATH

Checks every record's checksum and the whole hash chain of a journal,
without changing it or taking its lock. Prints the record count, the head
hash (the Summary sheet of the workbook shows the same) and the batch id.
Exit 0 when the journal is intact, 7 on any change: a changed byte, a
removed, repeated or reordered record, or a torn tail.

Flags:
`

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("journal", "", "journal `file` to check")
	fs.Usage = func() {
		fmt.Fprint(e.stderr, verifyUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErr("verify: %v", err)
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("verify: unexpected argument %q", fs.Arg(0)).hint("Try: flowbatch verify -journal PATH")
	case *path == "":
		return usageErr("verify: -journal is required").hint("Try: flowbatch verify -journal BATCH.journal")
	}
	v, err := batch.VerifyJournal(ctx, *path)
	if err != nil {
		var de *batch.DamageError
		if errors.As(err, &de) {
			return &exitError{code: ExitDamaged, msg: "verify: FAILED", err: err}
		}
		return journalErr("verify", *path, err)
	}
	fmt.Fprintf(e.stdout, "ok: %d records, head %s, batch %s\n", v.Records, v.HeadHash, v.BatchID)
	return nil
}
