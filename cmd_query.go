package main

import (
	"context"
	"flag"
	"time"

	"github.com/flowbatch/flowbatch/batch"
)

const queryUsage = `Usage: flowbatch query -journal PATH [flags]

Queries every order of the batch that may exist but is not final (charging,
or unknown) until each is final (success or failed) or -wait runs out, 50
orders a request with flow/batchquery while the provider answers it, else
one by one. The polite settings the batch was started with hold (submit's
-first-query and -query-interval, default 1m each): an order is first
queried that long after its submit was accepted, and again no sooner, nor
before its own backoff (2s rising to 60s, with jitter); a callback brings
its next query forward. All queries share -rate. Every change of state goes
into the journal. Run it again to continue.

Exit codes: 0 every row is final; 4 the provider said stop; 5 some rows are
still open (charging, unknown or not submitted); 6 the journal is in use;
7 the journal is damaged; 130 interrupted.

Flags:
`

func runQuery(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	journal := fs.String("journal", "", "journal `path`")
	wait := fs.Duration("wait", 30*time.Minute, "give up on orders still open after this `long` (0: query each once)")
	rate := fs.Float64("rate", 10, "requests per `second` to the provider")
	workers := fs.Int("workers", 0, "requests in flight at most (default rate/4, at least 8, at most 64)")
	baseURL := fs.String("base-url", "", "provider base `URL` (default $JUHE_BASE_URL or http://v.juhe.cn)")
	if help, err := parseFlags(e, fs, queryUsage, args, phrase{}); help || err != nil {
		return err
	}
	switch {
	case *journal == "":
		return usageErr(msgFlagIsRequired, "query", "-journal").try(msgQueryRequiredTry)
	case !(*rate > 0 && *rate <= 10000): // also refuses NaN
		return usageErr(msgRateBad, "query", *rate)
	case *workers < 0 || *workers > 1024:
		return usageErr(msgWorkersBad, "query", *workers)
	case *wait < 0:
		return usageErr(msgNotNegative, "query", "-wait")
	}
	client, err := newProviderClient(e, *baseURL)
	if err != nil {
		return err
	}
	j, book, err := batch.OpenJournal(ctx, *journal, warnTo(e.stderr, e.lang))
	if err != nil {
		return journalErr("query", *journal, err)
	}
	defer j.Close()

	eng := batch.NewEngine(j, book, client, batch.EngineOptions{
		Rate: *rate, Workers: *workers,
		Progress: newProgress(e.stderr, e.lang), Logf: logTo(e.stderr, e.lang),
	})
	_, stopImports := importSideCallbacks(ctx, eng, client, *journal, book.Header.BatchID, logTo(e.stderr, e.lang))
	res, err := eng.Settle(ctx, *wait)
	stopImports()
	closeErr := j.Close()
	printBatchSummary(e.stdout, e.lang, "query", book, res)
	if err := engineErr(ctx, "query", args, err); err != nil {
		return err
	}
	if closeErr != nil {
		return &exitError{code: ExitError, msg: "query", err: closeErr}
	}
	if n := openOrphans(book); n > 0 {
		return errOf(ExitOpen, msgOrphansOpen, "query", count{n, nounOrder}).try(msgLaterTry)
	}
	return queryOpen(res, *journal)
}
