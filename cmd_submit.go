package main

import (
	"context"
	"flag"

	"github.com/flowbatch/flowbatch/batch"
)

const submitUsage = `Usage: flowbatch submit -in FILE -batch ID [flags]

Submits every valid row of the input file exactly once, journaling each
request before it leaves. Run the same command again after any interruption
to continue: rows with an outcome are skipped, rows whose outcome was lost
are queried first, rows never started are submitted.

The key and the OpenID come from JUHE_KEY and JUHE_OPENID, the provider
address from JUHE_BASE_URL (default http://v.juhe.cn) or -base-url.

Exit codes: 0 every valid row has an outcome (accepted or rejected);
3 invalid input, or the input changed since the journal was started;
4 the provider said stop (balance, key, sign, quota), or the spending cap
(-max-spend, journaled) is reached: raise it, then run again; 5 some rows are still
unknown or not submitted; 6 the journal is in use; 7 the journal is damaged;
130 interrupted.

Flags:
`

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	f := addSubmitFlags(fs)
	if help, err := parseFlags(e, fs, submitUsage, args, phrase{}); help || err != nil {
		return err
	}
	if err := f.check(e, "submit"); err != nil {
		return err
	}
	client, err := newProviderClient(e, f.baseURL)
	if err != nil {
		return err
	}
	j, book, err := prepareJournal(ctx, e, "submit", f, client)
	if err != nil {
		return err
	}
	defer j.Close()

	prog := newProgress(e.stderr, e.lang)
	first, every := f.politeQueries(fs)
	eng := batch.NewEngine(j, book, client, batch.EngineOptions{
		Rate: f.rate, Workers: f.workers, CBURL: f.cburl, ResubmitGrace: f.engineGrace(fs, book, warnTo(e.stderr, e.lang)),
		FirstQueryDelay: first, QueryInterval: every,
		Prices:   f.prices,
		Progress: prog, Logf: logTo(e.stderr, e.lang),
	})
	_, stopImports := importSideCallbacks(ctx, eng, client, f.journal, f.batchID, logTo(e.stderr, e.lang))
	res, err := eng.Submit(ctx)
	stopImports()
	balanceAfter(ctx, e, client, j, book)
	closeErr := j.Close()
	printBatchSummary(e.stdout, e.lang, "submit", book, res)
	if err := submitExit(ctx, "submit", args, res, err); err != nil {
		return err
	}
	if closeErr != nil {
		return &exitError{code: ExitError, msg: "submit", err: closeErr}
	}
	return nil
}
