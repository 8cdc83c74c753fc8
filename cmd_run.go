package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/reconcile"
)

const runUsage = `Usage: flowbatch run -in FILE -batch ID -out FILE.xlsx [flags]

Submits every valid row exactly once, queries every order until it is final
(or -wait runs out), and writes the reconciliation workbook. After any
interruption, run the same command again: it continues where it stopped and
never pays twice. The workbook is written in every case, with open rows
marked.

Callbacks: -callback-addr :PORT serves the provider's callbacks in this
process; -cburl must then be the public URL that reaches it. Callbacks that a
standalone 'flowbatch callback' took for this journal are imported too.

Exit codes: 0 every row is final (success, failed, rejected or invalid) and
the workbook is written; 3 invalid input, or the input changed; 4 the
provider said stop, or the spending cap (-max-spend) is reached; 5 some rows are still open (charging, unknown, not
submitted); 6 the journal is in use; 7 the journal is damaged;
130 interrupted.

Flags:
`

func runRun(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	f := addSubmitFlags(fs)
	out := fs.String("out", "", "workbook `file` to write (.xlsx)")
	wait := fs.Duration("wait", 30*time.Minute, "how long to query open orders before giving up for now")
	lang := fs.String("lang", "zh", "workbook labels: zh or en (en names are the scripting contract)")
	csvPath := fs.String("csv", "", "also write the Orders table to this `file` (UTF-8 CSV with a BOM)")
	retry := fs.String("retry", "", "also write the rows that ended uncharged (failed, rejected, invalid) as an input `file` (.csv or .xlsx)")
	cbAddr := fs.String("callback-addr", "", "serve provider callbacks on this `address` (e.g. :8088) while running")
	provider := fs.Bool("provider", true, "at the end, pull the provider's statement and match it in the workbook (the provider's books); -provider=false to skip")
	if help, err := parseFlags(e, fs, runUsage, args, phrase{}); help || err != nil {
		return err
	}
	if err := f.check(e, "run"); err != nil {
		return err
	}
	switch {
	case *out == "":
		return usageErr(msgFlagIsRequired, "run", "-out").try(msgRunOutTry, shellQuote(f.in), shellQuote(f.batchID), f.batchID)
	case *lang != "zh" && *lang != "en":
		return usageErr(msgBadLang, "run", *lang)
	case *wait < 0:
		return usageErr(msgRunWaitBad, *wait)
	}
	if err := checkRetry("run", *retry, f.in, f.journal, *out, *csvPath); err != nil {
		return err
	}
	if err := checkOutputs("run", *out, *csvPath, namedPath{"-in", f.in}, namedPath{"-journal", f.journal}); err != nil {
		return err
	}
	// A copy of the list as -out is refused at the end; refuse it before
	// anything is spent.
	if err := checkNotListFile("run", f.batchID, f.in, namedPath{"-out", *out}, namedPath{"-csv", *csvPath}); err != nil {
		return err
	}
	// A journal that no longer reaches the attestation beside the
	// workbook was cut (or replaced): nothing may be spent on it.
	attest := reconcile.AttestationPath(*out, f.batchID)
	if err := reconcile.CheckAttested(ctx, attest, f.journal); err != nil {
		if ee := attestErr("run", f.journal, attest, err); ee != nil {
			return ee
		}
		return journalErr("run", f.journal, err)
	}
	// The callback listener comes first: on a loopback address its URL is
	// the -cburl the provider is given.
	var cbLn net.Listener
	if *cbAddr != "" {
		var err error
		if cbLn, err = net.Listen("tcp", *cbAddr); err != nil {
			return usageErr(msgRunCallbackAddr).cause(err)
		}
		defer cbLn.Close()
		if f.cburl == "" {
			if tcp, ok := cbLn.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
				return usageErr(msgRunNeedsCburl, *cbAddr)
			}
			f.cburl = "http://" + cbLn.Addr().String() + "/"
		}
	}
	client, err := newProviderClient(e, f.baseURL)
	if err != nil {
		return err
	}
	j, book, err := prepareJournal(ctx, e, "run", f, client)
	if err != nil {
		return err
	}
	defer j.Close()

	logf := logTo(e.stderr, e.lang)
	first, every := f.politeQueries(fs)
	eng := batch.NewEngine(j, book, client, batch.EngineOptions{
		Rate: f.rate, Workers: f.workers, CBURL: f.cburl, ResubmitGrace: f.engineGrace(fs, book, warnTo(e.stderr, e.lang)),
		FirstQueryDelay: first, QueryInterval: every,
		Prices:   f.prices,
		Progress: newProgress(e.stderr, e.lang), Logf: logf,
	})
	cbOpts, stopImports := importSideCallbacks(ctx, eng, client, f.journal, f.batchID, logf)

	stopServing := func() {}
	if cbLn != nil {
		fmt.Fprint(e.stderr, e.tr(msgRunServingCallbacks, cbLn.Addr(), f.cburl))
		srvCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		srv := callback.NewServer(*cbAddr, callback.NewHandler(cbOpts))
		done := make(chan error, 1)
		go func() { done <- callback.Serve(srvCtx, srv, cbLn) }()
		stopServing = func() { cancel(); <-done }
	}

	res, runErr := settleAll(ctx, eng, *wait)
	// Stop taking callbacks before the journal closes, so none is answered
	// "success" without being on disk.
	stopServing()
	stopImports()
	balanceAfter(ctx, e, client, j, book)
	printBatchSummary(e.stdout, e.lang, "run", book, res)
	if err := j.Close(); err != nil && runErr == nil {
		runErr = err
	}
	var leg *reconcile.ProviderLeg
	if *provider && ctx.Err() == nil {
		leg = &reconcile.ProviderLeg{}
		if err := pullStatement(ctx, e, client, book, keyAccount(book), eng.Limiter()); err != nil {
			if ctx.Err() == nil {
				fmt.Fprint(e.stderr, e.tr(msgWarnStatement, err))
			}
			leg.NotAvailable = err.Error()
		}
	}

	// The workbook is written in every case, from the journal alone.
	s, final, err := writeWorkbook(context.WithoutCancel(ctx), e, "run", f.journal, *out, reconcile.Options{Lang: *lang, CSV: *csvPath, Retry: *retry, Provider: leg})
	if err != nil {
		return err
	}
	printWorkbookSummary(e.stdout, e.lang, s)
	printProviderSummary(e.stdout, e.lang, s.Provider)

	if err := engineErr(ctx, "run", args, runErr); err != nil {
		return err
	}
	if n := openOrphans(final); n > 0 {
		return errOf(ExitOpen, msgRunOrphansOpen, count{n, nounOrder}).try(msgQueryJournalTry, shellQuote(f.journal))
	}
	if s.Open > 0 {
		return errOf(ExitOpen, msgRunOpen, count{s.Open, nounRow}).try(msgRunLaterTry, quoteArgs(args))
	}
	return nil
}

// settleAll submits, then queries until every order is final or wait runs
// out. Orders a query found absent at the provider (210511) are submitted
// again, with the same orderid, a bounded number of rounds.
func settleAll(ctx context.Context, eng *batch.Engine, wait time.Duration) (batch.Result, error) {
	const rounds = 3
	deadline := time.Now().Add(wait)
	var total batch.Result
	for round := 1; ; round++ {
		res, err := eng.Submit(ctx)
		total = addResults(total, res)
		if err != nil && !batch.IsSpendCapHalt(err) { // at the cap, what was sent is still settled
			return total, err
		}
		res, err = eng.Settle(ctx, max(time.Until(deadline), 0))
		total = addResults(total, res)
		if err != nil || res.NotFound == 0 || round == rounds || time.Until(deadline) <= 0 {
			return total, err
		}
	}
}

// addResults adds b's request counts to a and takes b's totals, which are
// the newer picture of the batch.
func addResults(a, b batch.Result) batch.Result {
	b.Submits += a.Submits
	b.Queries += a.Queries
	b.Duration += a.Duration
	return b
}
