package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/flowbatch/flowbatch/reconcile"
)

const reconcileUsage = `Usage: flowbatch reconcile -journal PATH -out FILE.xlsx [-provider] [-lang zh|en] [-csv FILE] [-group-by COLUMN] [-retry FILE]
       flowbatch reconcile -mask [-keep-col COLUMN]... -journal PATH -out FILE.masked.xlsx [-csv FILE]

Writes the reconciliation workbook (Summary, Orders, Exceptions) from the
journal alone. It only reads the journal, so it may run beside a batch that is
still running. Open rows are marked in the workbook; the exit code is 0 once
the workbook is written.

With -mask it writes a masked copy for wider circulation instead: phones read
138****1234, the orderid and sporder_id columns are left out, and of the
input's extra columns only those named with -keep-col are kept (the CSV too).
A masked copy is never attested; see "Personal data" in the README.

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
	provider := fset.Bool("provider", false, "first pull the provider's statement for the batch's period (flow/ordersbydate, with JUHE_KEY) into the statement file beside the journal, and match it")
	baseURL := fset.String("base-url", "", "with -provider, the provider's `URL` (default $JUHE_BASE_URL, else http://v.juhe.cn)")
	rate := fset.Float64("rate", 5, "with -provider, at most this many `requests` a second")
	mask := fset.Bool("mask", false, "write a masked copy for wider circulation (PIPL) as -out: phones 138****1234, no orderid or sporder_id, extra columns only with -keep-col")
	keep := keepColFlag(fset)
	if help, err := parseFlags(e, fset, reconcileUsage, args, msgReconcileTry.with()); help || err != nil {
		return err
	}
	switch {
	case *journal == "":
		return usageErr(msgFlagIsRequired, "reconcile", "-journal").try(msgReconcileTry)
	case *out == "":
		return usageErr(msgFlagIsRequired, "reconcile", "-out").try(msgReconcileOutTry, *journal)
	case *lang != "zh" && *lang != "en":
		return usageErr(msgBadLang, "reconcile", *lang)
	case len(*keep) > 0 && !*mask:
		return usageErr(msgKeepColNoMask, "reconcile").try(msgKeepColTry)
	case *mask && *retry != "":
		return usageErr(msgRetryMask).try(msgRetryMaskTry)
	}
	if err := checkOutputs("reconcile", *out, *csvPath, namedPath{"-journal", *journal}); err != nil {
		return err
	}
	if err := checkRetry("reconcile", *retry, *journal, *out, *csvPath); err != nil {
		return err
	}
	opts := reconcile.Options{Lang: *lang, CSV: *csvPath, GroupBy: *groupBy, Retry: *retry}
	if *mask {
		if err := checkMaskedOut(*out, *csvPath); err != nil {
			return err
		}
		opts.Mask = &reconcile.MaskOptions{KeepCols: *keep}
	}

	if *provider {
		if !(*rate > 0 && *rate <= 10000) {
			return usageErr(msgRateBad, "reconcile", *rate)
		}
		leg, err := pullForReconcile(ctx, e, *journal, *baseURL, *rate)
		if err != nil {
			return err
		}
		opts.Provider = leg
	}
	s, _, err := writeWorkbook(ctx, e, "reconcile", *journal, *out, opts)
	if err != nil {
		return err
	}
	printWorkbookSummary(e.stdout, e.lang, s)
	printProviderSummary(e.stdout, e.lang, s.Provider)
	if *mask {
		fmt.Fprintln(e.stdout, e.tr(msgMaskedNoAttest))
	}
	return nil
}

// checkMaskedOut refuses a masked copy written over a file that is not
// one: most likely the unmasked workbook or CSV, which would be lost.
func checkMaskedOut(out, csvPath string) error {
	for _, o := range []struct {
		flag, path string
		masked     func(string) (bool, error)
	}{{"-out", out, reconcile.IsMaskedCopy}, {"-csv", csvPath, reconcile.IsMaskedCSV}} {
		if o.path == "" {
			continue
		}
		if _, err := os.Stat(o.path); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if ok, _ := o.masked(o.path); ok {
			continue
		}
		ext := filepath.Ext(o.path)
		return usageErr(msgMaskOverUnmasked, o.flag, o.path).
			try(msgFlagValueTry, o.flag, shellQuote(strings.TrimSuffix(o.path, ext)+".masked"+ext))
	}
	return nil
}
