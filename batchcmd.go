package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

// The plumbing the batch commands share: submit's flags (run has them
// too), the provider client, the journal made ready for an input,
// callbacks imported into a running engine, and the workbook that run and
// reconcile write.

// submitFlags are the flags submit and run share.
type submitFlags struct {
	in, batchID, journal   string
	rate                   float64
	workers                int
	cburl                  string
	skipInvalid, allowDups bool
	allowChanged           bool
	encoding, sheet        string
	table                  *tableFlags
	baseURL                string
	ws                     *workspaceFlags
	allowShortBalance      bool
	wsDir                  string // the workspace, once check has run
	resubmitGrace          time.Duration
	firstQuery, queryEvery time.Duration
	maxSpend               maxSpendFlag          // -max-spend or FLOWBATCH_MAX_SPEND
	prices                 map[string]juhe.Money // the catalogue's, once prepareJournal has run; for the engine's cap
}

// tableFlags say where the list is in the file; check, submit and run share them.
type tableFlags struct {
	pid, phoneCol, pidCol, hiddenRows string
	plan, planFile                    string
	loaded                            *batch.Plan // the plan, once check has read it
}

func addTableFlags(fs *flag.FlagSet) *tableFlags {
	t := &tableFlags{}
	fs.StringVar(&t.pid, "pid", "", "give every row this product `id`: for a list without a product column (journaled: a resume must give the same)")
	fs.StringVar(&t.phoneCol, "phone-col", "", "the phone column, by header `name` or letter (settles two candidate columns)")
	fs.StringVar(&t.pidCol, "pid-col", "", "the product column, by header `name` or letter")
	fs.StringVar(&t.plan, "plan", "", "give each number its carrier's product of this `volume` (1G, 500M) from the provider's catalogue: for a list without a product column (journaled: a resume must give the same)")
	fs.StringVar(&t.planFile, "plan-file", "", "give each number its carrier's product as this CSV `file` lists it: columns carrier,pid, one row per carrier (its sha256 is journaled)")
	fs.StringVar(&t.hiddenRows, "hidden-rows", "", "hidden or filtered-out rows, and hidden phone or pid columns: `skip` or include (default: refuse the file, listing them)")
	return t
}

func (t *tableFlags) apply(o *input.Options) {
	o.Pid, o.PhoneCol, o.PidCol, o.HiddenRows = t.pid, t.phoneCol, t.pidCol, t.hiddenRows
	if t.loaded != nil {
		o.Plan, o.PlanFlag = t.loaded.Product(), t.loaded.Flag()
	}
}

func (t *tableFlags) check(cmd string) error {
	switch t.hiddenRows {
	case input.HiddenRefuse, input.HiddenSkip, input.HiddenInclude:
	default:
		return usageErr(msgHiddenRowsBad, cmd, t.hiddenRows)
	}
	return t.loadPlan(cmd)
}

func addSubmitFlags(fs *flag.FlagSet) *submitFlags {
	f := &submitFlags{}
	fs.StringVar(&f.in, "in", "", "input `file`: .csv, .txt, .xlsx or .xlsm")
	fs.StringVar(&f.batchID, "batch", "", "batch `id`: letters, digits, '-', '_', '.'; orderids derive from it")
	fs.StringVar(&f.journal, "journal", "", "journal `path` (default WORKSPACE/ID.journal; one elsewhere is registered in the workspace)")
	fs.Float64Var(&f.rate, "rate", 10, "requests per `second` to the provider, over all workers")
	fs.IntVar(&f.workers, "workers", 0, "requests in flight at most (default rate/4, at least 8, at most 64)")
	fs.StringVar(&f.cburl, "cburl", "", "callback `URL` passed to the provider with every order")
	fs.BoolVar(&f.skipInvalid, "skip-invalid", false, "record invalid rows as invalid and submit the rest")
	fs.BoolVar(&f.allowDups, "allow-duplicates", false, "submit a repeated (phone, pid) as its own order")
	fs.BoolVar(&f.allowChanged, "allow-changed-input", false, "continue a journal whose input file changed; rows no longer in the file are never submitted")
	fs.StringVar(&f.encoding, "encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect from the bytes)")
	fs.StringVar(&f.sheet, "sheet", "", "XLSX or ODS sheet `name` (default: the visible sheet with a header in its first 20 rows; hidden sheets are never read)")
	fs.StringVar(&f.baseURL, "base-url", "", "provider base `URL` (default $JUHE_BASE_URL or http://v.juhe.cn)")
	fs.BoolVar(&f.allowShortBalance, "allow-short-balance", false, "start even when the estimate exceeds the balance; the provider's 210505 stops it")
	addMaxSpendFlag(fs, &f.maxSpend)
	f.ws = addWorkspaceFlags(fs)
	fs.DurationVar(&f.resubmitGrace, "resubmit-grace", batch.DefaultResubmitGrace,
		"a 210511 means \"no such order\" only this long after the order's last submit ended; until then it is queried again, never resubmitted")
	fs.DurationVar(&f.firstQuery, "first-query", batch.DefaultFirstQueryDelay,
		"first query of an order this long after its submit was accepted (0: at once; a callback queries it at once)")
	fs.DurationVar(&f.queryEvery, "query-interval", batch.DefaultQueryInterval,
		"at least this long between two queries of one order while settling (0: the backoff alone, 2s rising to 60s)")
	f.table = addTableFlags(fs)
	return f
}

// check validates the flags and decides the workspace and the journal;
// cmd names the command in messages.
func (f *submitFlags) check(e *env, cmd string) error {
	switch {
	case f.in == "":
		return errOf(ExitUsage, msgFlagIsRequired, cmd, "-in").try(msgRequiredTry, cmd)
	case f.batchID == "":
		return errOf(ExitUsage, msgFlagIsRequired, cmd, "-batch").try(msgRequiredBTry, cmd, shellQuote(f.in))
	case !(f.rate > 0 && f.rate <= 10000): // also refuses NaN
		return usageErr(msgRateBad, cmd, f.rate)
	case f.workers < 0 || f.workers > 1024:
		return usageErr(msgWorkersBad, cmd, f.workers)
	case f.resubmitGrace <= 0:
		return usageErr(msgGraceBad, cmd, f.resubmitGrace)
	case f.firstQuery < 0:
		return usageErr(msgDurationNegative, cmd, "-first-query", f.firstQuery)
	case f.queryEvery < 0:
		return usageErr(msgDurationNegative, cmd, "-query-interval", f.queryEvery)
	}
	if err := input.ValidateBatchID(f.batchID); err != nil {
		return usageErr(msgBatchIDBad, cmd, err)
	}
	if err := f.maxSpend.parse(e, cmd); err != nil {
		return err
	}
	if err := f.table.check(cmd); err != nil {
		return err
	}
	if _, err := f.ws.periodFlag(cmd); err != nil {
		return err
	}
	dir, err := resolveJournal(e, cmd, f.ws, f.batchID, &f.journal)
	if err != nil {
		return err
	}
	f.wsDir = dir
	if samePath(f.in, f.journal) {
		return usageErr(msgJournalIsInput, cmd, f.journal, f.in).
			try(msgJournalIsInputTry, f.batchID)
	}
	return nil
}

func (f *submitFlags) inputOptions() input.Options {
	o := input.Options{Encoding: f.encoding, Sheet: f.sheet, BatchID: f.batchID, AllowDuplicates: f.allowDups}
	f.table.apply(&o)
	return o
}

func (f *submitFlags) settings() map[string]string {
	workers := "auto"
	if f.workers > 0 {
		workers = strconv.Itoa(f.workers)
	}
	s := map[string]string{
		"input":            filepath.Base(f.in),
		"rate":             strconv.FormatFloat(f.rate, 'f', -1, 64),
		"workers":          workers,
		"cburl":            f.cburl,
		"skip-invalid":     strconv.FormatBool(f.skipInvalid),
		"allow-duplicates": strconv.FormatBool(f.allowDups),
		"encoding":         f.encoding,
		"sheet":            f.sheet,
		"pid":              f.table.pid,
		"phone-col":        f.table.phoneCol,
		"pid-col":          f.table.pidCol,
		"hidden-rows":      f.table.hiddenRows,

		batch.SettingResubmitGrace: f.resubmitGrace.String(),
		batch.SettingFirstQuery:    f.firstQuery.String(),
		batch.SettingQueryInterval: f.queryEvery.String(),
	}
	if f.table.loaded != nil {
		maps.Copy(s, f.table.planSettings())
	}
	if f.maxSpend.set {
		s[batch.SettingMaxSpend] = f.maxSpend.max.String()
	}
	return s
}

// politeQueries are the engine's FirstQueryDelay and QueryInterval: a
// flag given wins (0 as "none"); a flag left out is 0, so that the engine
// takes what the journal was started with.
func (f *submitFlags) politeQueries(fs *flag.FlagSet) (first, every time.Duration) {
	opt := func(name string, d time.Duration) time.Duration {
		given := false
		fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == name })
		switch {
		case !given:
			return 0
		case d == 0:
			return -1
		}
		return d
	}
	return opt("first-query", f.firstQuery), opt("query-interval", f.queryEvery)
}

// engineGrace is the resubmit grace to run with: the flag when it was
// given, else 0, so that the engine takes the grace the journal was
// started with (else the default). A batch started with a long grace for a
// provider known to lag that long must not fall back to the default
// because a resume left the flag out. A given flag shorter than the
// journal's is the person's choice, and said.
func (f *submitFlags) engineGrace(fs *flag.FlagSet, book *batch.Book, warn func(string)) time.Duration {
	given := false
	fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == "resubmit-grace" })
	if !given {
		return 0
	}
	if d, err := time.ParseDuration(book.Header.Settings[batch.SettingResubmitGrace]); err == nil && f.resubmitGrace < d {
		warn(fmt.Sprintf("-resubmit-grace %v is shorter than the %v journal %s was started with: a provider that lags longer than %v charges a resubmit twice",
			f.resubmitGrace, d, f.journal, f.resubmitGrace))
	}
	return f.resubmitGrace
}

// newProviderClient builds the juhe client from the environment. The
// messages name the variables, never their values.
func newProviderClient(e *env, baseURL string) (*juhe.Client, error) {
	var missing []string
	for _, v := range []string{"JUHE_KEY", "JUHE_OPENID"} {
		if strings.TrimSpace(e.getenv(v)) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		return nil, errOf(ExitUsage, msgNoCredsEnv, strings.Join(missing, msgAnd.in(e.lang))).try(msgNoCredsTry)
	}
	c, err := juhe.NewClient(juhe.Config{BaseURL: providerBaseURL(e, baseURL), Key: e.getenv("JUHE_KEY"), OpenID: e.getenv("JUHE_OPENID")})
	if err != nil {
		return nil, usageErr(msgProviderConfig).cause(err)
	}
	return c, nil
}

// providerBaseURL is the -base-url flag, else $JUHE_BASE_URL; empty means
// the juhe client's default.
func providerBaseURL(e *env, flag string) string {
	if flag != "" {
		return flag
	}
	return e.getenv("JUHE_BASE_URL")
}

// maxListed bounds the problems and absent rows printed.
const maxListed = 50

// prepareJournal validates the whole input, opens (or creates) the
// journal, asks the provider what it can before anything is sent (the
// balance, which proves the key and the OpenID, and the catalogue for the
// estimate), runs the workspace guard over the rows not sent yet, and
// makes sure the journal's latest complete input section is this file,
// under the workspace lock. Nothing is written or sent when the input,
// the credentials, the balance or the guard refuse.
func prepareJournal(ctx context.Context, e *env, cmd string, f *submitFlags, client accountReader) (*journal.Journal, *batch.Book, error) {
	warn := warnTo(e.stderr, e.lang)
	var j *journal.Journal
	var book *batch.Book
	var err error
	if _, statErr := os.Stat(f.journal); statErr == nil {
		j, book, err = batch.OpenJournal(ctx, f.journal, warn)
		if err != nil {
			return nil, nil, journalErr(cmd, f.journal, err)
		}
		if book.Header.BatchID != f.batchID {
			j.Close()
			return nil, nil, errOf(ExitUsage, msgOtherBatch, cmd, f.journal, book.Header.BatchID, f.batchID).
				try(msgOtherBatchTry, shellQuote(book.Header.BatchID))
		}
		// -pid decides every row's product and so its orderid: a resume
		// with another would plan other orders for the same people.
		if was := book.Header.Settings["pid"]; was != f.table.pid {
			j.Close()
			ee := usageErr(msgPidResume, cmd, f.journal, was, f.table.pid).try(msgPidResumeNoneTry)
			if was != "" {
				ee.try(msgPlanResumeTry, "-pid "+shellQuote(was))
			}
			return nil, nil, ee
		}
		if note := f.maxSpend.keepJournaled(book); note != nil {
			fmt.Fprintf(e.stderr, "flowbatch: %s\n", note.in(e.lang))
		}
		// So does a plan: its label makes the orderids.
		if err := planResumeErr(cmd, f.journal, book, f.table); err != nil {
			j.Close()
			return nil, nil, err
		}
	} else if !errors.Is(statErr, os.ErrNotExist) {
		return nil, nil, &exitError{code: ExitError, msg: cmd, err: statErr}
	}
	fail := func(err error) (*journal.Journal, *batch.Book, error) {
		if j != nil {
			j.Close()
		}
		return nil, nil, err
	}

	var rows guardedRows
	var toSend capRows // the rows to send, priced for the spending cap
	var kept planRows  // the rows a plan gives their pid, once it has chosen
	var collect func(*journal.RowRecord) error
	reset := func() {
		rows, kept, toSend = guardedRows{}, planRows{}, capRows{}
		if e.start != nil {
			rows.sum = sha256.New() // what the console's confirmation bound
		}
		guarded := rows.collect(book)
		collect = func(r *journal.RowRecord) error {
			if r.OrderID != "" && r.Status != journal.RowInvalid {
				toSend.add(book, r.OrderID, r.Pid, r.Line)
			}
			return guarded(r)
		}
	}
	reset()
	rep, err := readForResume(ctx, e.stderr, e.lang, f.in, f.inputOptions(), book, reset, kept.keep(func(r *journal.RowRecord) error { return collect(r) }))
	if err != nil {
		if ctx.Err() != nil {
			return fail(err)
		}
		var ee *exitError
		if errors.As(err, &ee) {
			return fail(err)
		}
		return fail(&exitError{code: ExitInvalid, msg: cmd, err: err})
	}
	if why, fixes := inputRefusal(rep, f.skipInvalid, f.allowDups, e.lang); why != nil {
		printProblems(e.stderr, e.lang, rep, maxListed)
		printHidden(e.stderr, e.lang, rep, maxListed)
		return fail(errOf(ExitInvalid, msgInputRefused, cmd, rep.Info.Name, strings.Join(why, e.tr(msgAnd))).
			try(msgInputFixTry, strings.Join(fixes, e.tr(msgCommaAnd))))
	}
	if book != nil {
		if err := changedInputErr(cmd, f.journal, book, rep, f.allowChanged); err != nil {
			return fail(err)
		}
	}
	period, err := batchPeriod(cmd, f.ws, book)
	if err != nil {
		return fail(err)
	}

	// The provider is asked before the workspace lock is taken: the lock
	// is never held across a network call.
	pre := readPreflight(ctx, client)
	if err := pre.credentialsErr(cmd); err != nil {
		return fail(err)
	}
	// A plan chooses each new row's pid now, once: the rows journaled
	// already keep theirs.
	var chooser *batch.Chooser
	if plan := f.table.loaded; plan != nil && len(kept.rows) > 0 {
		tc, _ := client.(batch.Telchecker)
		chooser, err = choosePlan(ctx, cmd, plan, &kept, book, tc, catalogueProducts(pre.catalogue), pre.catNote, f.rate)
		if err != nil {
			return fail(err)
		}
		if err := applyPlan(rep, &kept, chooser, collect); err != nil {
			return fail(err)
		}
		kept = planRows{}
		printPlan(e.stderr, e.lang, chooser)
		if why, fixes := inputRefusal(rep, f.skipInvalid, f.allowDups, e.lang); why != nil {
			printProblems(e.stderr, e.lang, rep, maxListed)
			return fail(errOf(ExitInvalid, msgPlanRefused, cmd, rep.Info.Name, strings.Join(why, e.tr(msgAnd)), plan.Flag()).
				try(msgPlanFixTry, strings.Join(fixes, e.tr(msgCommaAnd))))
		}
	}
	f.prices = catalogPrices(pre.catalogue)
	est, _ := estimate(rows.byPid, pre.catalogue)
	for _, n := range pre.notes(rows.byPid, e.lang) {
		fmt.Fprintf(e.stderr, "flowbatch: %s\n", n)
	}
	// Under a spending cap every request needs a price before the first
	// leaves, and the cap bounds what the balance must cover.
	if max, capped := f.maxSpend.inForce(book); capped {
		plan := planCap(book, max, &toSend, pre.catalogue, pre.catNote)
		if err := plan.refusal(cmd); err != nil {
			return fail(err)
		}
		fmt.Fprintf(e.stderr, "flowbatch: %s\n", plan.line(e.lang, capSource(book, f.maxSpend)))
		est = min(est, plan.room())
	}
	if pre.balanceKnown() {
		fmt.Fprintln(e.stderr, e.tr(msgBalanceEstimate, pre.balance.Money, count{len(rows.phones), nounRow}, est))
	}
	if err := pre.shortBalanceErr(cmd, est, len(rows.phones), f.allowShortBalance); err != nil {
		return fail(err)
	}

	g := &guardedStart{dir: f.wsDir, period: period, rep: rep, rows: rows, account: pre.account()}
	err = underWorkspaceLock(ctx, e, cmd, f, g, func(found workspace.Findings) error {
		if j == nil {
			settings := f.settings()
			maps.Copy(settings, startSettings(g, f.ws.allowRegift, found))
			maps.Copy(settings, e.start.settings())
			j, book, err = batch.CreateJournal(ctx, f.journal, journal.Header{
				BatchID:     f.batchID,
				ToolVersion: version,
				Settings:    settings,
			})
			if err != nil {
				j = nil
				return journalErr(cmd, f.journal, err)
			}
		} else if rows := workspace.RegiftedList(found); rows != "" {
			note := workspace.SideNote{Kind: workspace.SideNoteRegift, Batch: f.batchID, Regift: rows}
			if err := workspace.AppendSideNote(workspace.RegiftPath(f.journal), note); err != nil {
				return &exitError{code: ExitError, msg: cmd, err: err}
			}
		}
		// A new batch has its cap in the header; a resume's -max-spend
		// that changes it is journaled before anything more is sent.
		if note := capChange(book, f.maxSpend); note != nil {
			if err := batch.SetSpendCap(ctx, j, book, f.maxSpend.max); err != nil {
				return &exitError{code: ExitError, msg: cmd, err: err}
			}
			fmt.Fprintf(e.stderr, "flowbatch: %s\n", note.in(e.lang))
		}
		if book.Input.SHA256 == rep.Info.SHA256 {
			return nil
		}
		// A new journal, a crash while planning, or -allow-changed-input.
		if err := batch.AppendPlanInput(ctx, j, book, f.in, f.inputOptions(), rep, chooser); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return &exitError{code: ExitError, msg: cmd, err: err}
		}
		reportAbsent(e.stderr, e.lang, book)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if err := recordBalance(ctx, j, book, journal.BalanceBefore, pre); err != nil {
		return fail(&exitError{code: ExitError, msg: cmd, err: err})
	}
	return j, book, nil
}

// changedInputErr refuses an input that is not the file the journal was
// started with, unless -allow-changed-input; check predicts it.
func changedInputErr(cmd, journal string, book *batch.Book, rep *input.Report, allowChanged bool) error {
	if book.Input.SHA256 == "" || book.Input.SHA256 == rep.Info.SHA256 || allowChanged {
		return nil
	}
	return errOf(ExitInvalid, msgChangedInput,
		cmd, rep.Info.Name, journal, book.Input.Name, plannedWhen(book), shortHash(book.Input.SHA256), shortHash(rep.Info.SHA256)).
		try(msgChangedInputTry)
}

// plannedWhen is ", read 2026-11-30 14:02 UTC": when the journal's
// latest input was read; "" when unknown.
func plannedWhen(book *batch.Book) localized {
	if book.InputAt <= 0 {
		return msg{}
	}
	return msgReadAt.with(time.UnixMilli(book.InputAt).UTC().Format("2006-01-02 15:04 UTC"))
}

// inputRefusal is the one rule by which submit (and run) refuse an input,
// and check predicts it: why lists the problems, fixes the flags that
// would accept them. Both are nil when the input may be submitted.
func inputRefusal(rep *input.Report, skipInvalid, allowDups bool, l lang) (why, fixes []string) {
	if rep.HiddenCount > 0 {
		why = append(why, count{rep.HiddenCount, nounHidden}.in(l))
		fixes = append(fixes, msgFixHidden.in(l))
	}
	// Hidden rows are invalid rows too (never charged), but -skip-invalid
	// does not settle them: -hidden-rows does.
	if n := len(rep.Invalid) - rep.HiddenCount; n > 0 && !skipInvalid {
		why = append(why, count{n, nounInvalid}.in(l))
		fixes = append(fixes, msgFixInvalid.in(l))
	}
	if len(rep.Duplicates) > 0 && !allowDups {
		why = append(why, count{len(rep.Duplicates), nounDup}.in(l))
		fixes = append(fixes, msgFixDup.in(l))
	}
	return why, fixes
}

// reportAbsent lists orders journaled before but not in the latest input.
func reportAbsent(w io.Writer, l lang, book *batch.Book) {
	var lines []string
	n := 0
	book.Orders(func(o *batch.OrderState) error {
		if o.InInput {
			return nil
		}
		n++
		if len(lines) < maxListed {
			lines = append(lines, msgAbsentRow.f(l, o.Line, o.Phone, o.Pid, o.OrderID, stateWord{o.Status()}))
		}
		return nil
	})
	if n == 0 {
		return
	}
	fmt.Fprint(w, msgAbsentHead.f(l, count{n, nounOrder}))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	if n > len(lines) {
		fmt.Fprint(w, msgProblemsMore.f(l, n-len(lines)))
	}
}

// importSideCallbacks imports, into a running engine, the callbacks that
// a standalone 'flowbatch callback' took for this journal: now, every few
// seconds, and once more when stop is called. The options it returns
// record callbacks through the engine, for a server in this process.
func importSideCallbacks(ctx context.Context, eng *batch.Engine, client *juhe.Client, journal, batchID string, logf func(string, ...any)) (callback.Options, func()) {
	const interval = 5 * time.Second
	opts := callback.ForEngine(eng)
	opts.Verifier, opts.Logf = client, logf
	ci := callback.NewImporter(callback.SidePath(journal))
	importOnce := func(ctx context.Context) {
		if n, err := ci.ImportTo(ctx, batchID, opts); err != nil && ctx.Err() == nil {
			logf(noteImportFailed, err)
		} else if n > 0 {
			logf(noteImported, count{n, nounCallback})
		}
	}
	tickCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			importOnce(tickCtx)
			select {
			case <-tickCtx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return opts, func() {
		cancel()
		<-done
		importOnce(context.WithoutCancel(ctx))
	}
}

// openOrphans counts orders journaled under an earlier input, absent from
// the latest, that may exist at the provider and are not final.
func openOrphans(book *batch.Book) int {
	n := 0
	book.Orders(func(o *batch.OrderState) error {
		if !o.InInput && o.NeedsQuery() {
			n++
		}
		return nil
	})
	return n
}

// writeWorkbook writes the workbook of the journal at path, built from the
// journal alone, and returns what it says with the book it was built from.
func writeWorkbook(ctx context.Context, e *env, cmd, journal, out string, opts reconcile.Options) (*reconcile.Summary, *batch.Book, error) {
	defer lowerGCPercent(e)()
	book, err := batch.LoadBook(ctx, journal)
	if err != nil {
		return nil, nil, journalErr(cmd, journal, err)
	}
	if err := checkNotInput(cmd, book, namedPath{"-out", out}, namedPath{"-csv", opts.CSV}, namedPath{"-retry", opts.Retry}); err != nil {
		return nil, nil, err
	}
	// A masked copy is not the audit anchor: it is held to an
	// attestation, never writes one.
	opts.Attest, opts.ToolVersion = opts.Mask == nil, version
	if opts.Provider, err = providerLeg(ctx, e, book, opts.Provider); err != nil {
		return nil, nil, errOf(ExitError, msgProviderBooks, cmd).cause(err)
	}
	s, err := reconcile.Write(ctx, book, out, opts)
	if err != nil {
		if ee := attestErr(cmd, journal, failedAttestation(err, reconcile.AttestationPath(out, book.Header.BatchID)), err); ee != nil {
			return nil, nil, ee
		}
		if ge := (*reconcile.GroupByError)(nil); errors.As(err, &ge) {
			return nil, nil, usageErr(msgFlagNothingWritten, cmd, ge)
		}
		if ke := (*reconcile.KeepColError)(nil); errors.As(err, &ke) {
			return nil, nil, usageErr(msgFlagNothingWritten, cmd, ke)
		}
		return nil, nil, errOf(ExitError, msgWritingWorkbook, cmd).cause(err)
	}
	if s.AttestPath != "" {
		recordAttested(ctx, e, book, s)
	}
	return s, book, nil
}

// failedAttestation is the attestation err is about, else def: a masked
// copy is held to the one beside the journal too.
func failedAttestation(err error, def string) string {
	var he *reconcile.HeldError
	var ae *reconcile.AttestationError
	var oe *reconcile.OtherJournalError
	switch {
	case errors.As(err, &he):
		return he.Path
	case errors.As(err, &ae):
		return ae.Path
	case errors.As(err, &oe):
		return oe.Path
	}
	return def
}

// reconcileGCPercent is the GOGC the reconcile command runs with unless the
// user set GOGC or GOMEMLIMIT. Its live heap is the Book plus a little,
// while writing a big workbook makes a lot of short-lived garbage; at the
// default 100 the heap grows to twice the Book before a collection. At 40
// a 1M-order reconcile peaks at ~355 MB instead of ~375 MB at 50, for the
// same CPU time (measured, BENCHMARKS.md §4b; the compact Book is
// pointer-free and cheap to mark).
const reconcileGCPercent = 40

// lowerGCPercent sets reconcileGCPercent for the command and returns the
// function that restores the previous setting.
func lowerGCPercent(e *env) func() {
	if e.getenv("GOGC") != "" || e.getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	old := debug.SetGCPercent(reconcileGCPercent)
	return func() { debug.SetGCPercent(old) }
}

// warnTo returns the warn func that journal recovery reports through.
func warnTo(w io.Writer, l lang) func(string) {
	return func(s string) { fmt.Fprint(w, msgWarning.f(l, s)) }
}

// logTo returns the Logf that the engine's and the callbacks' notes
// reach w through, one line each, in l.
func logTo(w io.Writer, l lang) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintln(w, msgNoteLine.f(l, noteIn(l, format, args...)))
	}
}
