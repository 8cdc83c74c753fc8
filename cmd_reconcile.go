package main

import (
	"context"
	"flag"

	"github.com/flowbatch/flowbatch/reconcile"
)

const reconcileUsage = `Usage: flowbatch reconcile -journal PATH -out FILE.xlsx [-lang zh|en] [-csv FILE] [-group-by COLUMN] [-retry FILE]

Writes the reconciliation workbook (Summary, Orders, Exceptions) from the
journal alone. It only reads the journal, so it may run beside a batch that is
still running. Open rows are marked in the workbook; the exit code is 0 once
the workbook is written.

Flags:
`

func runReconcile(ctx context.Context, e *env, args []string) error {
	fset := flag.NewFlagSet("reconcile", flag.ContinueOnError)
	journal := fset.String("journal", "", "journal `path` of the batch")
	out := fset.String("out", "", "workbook `file` to write (.xlsx)")
	lang := fset.String("lang", "zh", "labels: zh or en (en names are the scripting contract)")
	csvPath := fset.String("csv", "", "also write the Orders table to this `file` (UTF-8 CSV with a BOM)")
	groupBy := fset.String("group-by", "", "count and sum by this extra input `column` on the Summary (default: a 部门/department column)")
	retry := fset.String("retry", "", "also write the rows that ended uncharged (failed, rejected, invalid) as an input `file` (.csv or .xlsx)")
	if help, err := parseFlags(e, fset, reconcileUsage, args, "Try: flowbatch reconcile -journal PATH -out FILE.xlsx"); help || err != nil {
		return err
	}
	switch {
	case *journal == "":
		return usageErr("reconcile: -journal is required").hint("Try: flowbatch reconcile -journal PATH -out FILE.xlsx")
	case *out == "":
		return usageErr("reconcile: -out is required").hint("Try: flowbatch reconcile -journal %s -out reconciliation.xlsx", *journal)
	case *lang != "zh" && *lang != "en":
		return usageErr("reconcile: -lang %q: use zh or en", *lang)
	}
	if err := checkOutputs("reconcile", *out, *csvPath, namedPath{"-journal", *journal}); err != nil {
		return err
	}
	if err := checkRetry("reconcile", *retry, *journal, *out, *csvPath); err != nil {
		return err
	}

	s, _, err := writeWorkbook(ctx, e, "reconcile", *journal, *out, reconcile.Options{Lang: *lang, CSV: *csvPath, GroupBy: *groupBy, Retry: *retry})
	if err != nil {
		return err
	}
	printWorkbookSummary(e.stdout, s)
	return nil
}
