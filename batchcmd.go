package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
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
}

// tableFlags say where the list is in the file; check, submit and run share them.
type tableFlags struct {
	pid, phoneCol, pidCol, hiddenRows string
}

func addTableFlags(fs *flag.FlagSet) *tableFlags {
	t := &tableFlags{}
	fs.StringVar(&t.pid, "pid", "", "give every row this product `id`: for a list without a product column (journaled: a resume must give the same)")
	fs.StringVar(&t.phoneCol, "phone-col", "", "the phone column, by header `name` or letter (settles two candidate columns)")
	fs.StringVar(&t.pidCol, "pid-col", "", "the product column, by header `name` or letter")
	fs.StringVar(&t.hiddenRows, "hidden-rows", "", "hidden or filtered-out rows, and hidden phone or pid columns: `skip` or include (default: refuse the file, listing them)")
	return t
}

func (t *tableFlags) apply(o *input.Options) {
	o.Pid, o.PhoneCol, o.PidCol, o.HiddenRows = t.pid, t.phoneCol, t.pidCol, t.hiddenRows
}

func (t *tableFlags) check(cmd string) error {
	switch t.hiddenRows {
	case input.HiddenRefuse, input.HiddenSkip, input.HiddenInclude:
	default:
		return usageErr("%s: -hidden-rows %q: use skip or include", cmd, t.hiddenRows)
	}
	return nil
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
	f.ws = addWorkspaceFlags(fs)
	fs.DurationVar(&f.resubmitGrace, "resubmit-grace", batch.DefaultResubmitGrace,
		"a 210511 means \"no such order\" only this long after the order's last submit ended; until then it is queried again, never resubmitted")
	f.table = addTableFlags(fs)
	return f
}

// check validates the flags and decides the workspace and the journal;
// cmd names the command in messages.
func (f *submitFlags) check(e *env, cmd string) error {
	switch {
	case f.in == "":
		return usageErr("%s: -in is required", cmd).hint("Try: flowbatch %s -in FILE -batch ID", cmd)
	case f.batchID == "":
		return usageErr("%s: -batch is required", cmd).hint("Try: flowbatch %s -in %s -batch ID", cmd, shellQuote(f.in))
	case !(f.rate > 0 && f.rate <= 10000): // also refuses NaN
		return usageErr("%s: -rate %v: want a number of requests per second above 0", cmd, f.rate)
	case f.workers < 0 || f.workers > 1024:
		return usageErr("%s: -workers %d: want 0 (automatic) to 1024", cmd, f.workers)
	case f.resubmitGrace <= 0:
		return usageErr("%s: -resubmit-grace %v: want a positive duration, e.g. 2m", cmd, f.resubmitGrace)
	}
	if err := input.ValidateBatchID(f.batchID); err != nil {
		return usageErr("%s: -batch: %v", cmd, err)
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
		return usageErr("%s: -journal %s is the input file %s", cmd, f.journal, f.in).
			hint("Try: -journal %s.journal, or leave -journal out", f.batchID)
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
	return map[string]string{
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
	}
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
		return nil, (&exitError{code: ExitUsage, msg: fmt.Sprintf("%s not set: the provider key and OpenID come from the environment", strings.Join(missing, " and "))}).
			hint("Try: export JUHE_KEY=… JUHE_OPENID=… (from the provider's 个人中心), or run against `flowbatch sim`")
	}
	c, err := juhe.NewClient(juhe.Config{BaseURL: providerBaseURL(e, baseURL), Key: e.getenv("JUHE_KEY"), OpenID: e.getenv("JUHE_OPENID")})
	if err != nil {
		return nil, &exitError{code: ExitUsage, msg: "provider", err: err}
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
	warn := warnTo(e.stderr)
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
			return nil, nil, usageErr("%s: journal %s belongs to batch %q, not %q", cmd, f.journal, book.Header.BatchID, f.batchID).
				hint("Try: -batch %s, or another -journal", shellQuote(book.Header.BatchID))
		}
		// -pid decides every row's product and so its orderid: a resume
		// with another would plan other orders for the same people.
		if was := book.Header.Settings["pid"]; was != f.table.pid {
			j.Close()
			try := "Try: the same command without -pid"
			if was != "" {
				try = "Try: the same command with -pid " + shellQuote(was)
			}
			return nil, nil, usageErr("%s: journal %s was started with -pid %q, not %q; nothing was submitted", cmd, f.journal, was, f.table.pid).hint("%s", try)
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
	if e.start != nil {
		rows.sum = sha256.New()
	}
	var keys []uint64 // of each row as today's reader reads it
	collect := rows.collect(book)
	rep, err := input.Read(ctx, f.in, f.inputOptions(), func(r *journal.RowRecord) error {
		keys = append(keys, rowKey(r))
		return collect(r)
	})
	if err != nil {
		if ctx.Err() != nil {
			return fail(err)
		}
		return fail(&exitError{code: ExitInvalid, msg: cmd, err: err})
	}
	// A resume takes its rows from the journal, never from a newer
	// reading of the same file: the rules that find the table may have
	// changed since, and the orders planned are the ones to finish.
	if book != nil && book.Input.SHA256 != "" && book.Input.SHA256 == rep.Info.SHA256 {
		if err := compareJournalRows(ctx, e.stderr, book, keys); err != nil {
			return fail(err)
		}
	}
	keys = nil
	if why, fixes := inputRefusal(rep, f.skipInvalid, f.allowDups); why != nil {
		printProblems(e.stderr, rep, maxListed)
		printHidden(e.stderr, rep, maxListed)
		return fail((&exitError{code: ExitInvalid, msg: fmt.Sprintf("%s: %s has %s; nothing was submitted", cmd, rep.Info.Name, strings.Join(why, " and "))}).
			hint("Try: fix the rows above, or add %s", strings.Join(fixes, ", and ")))
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
	est, _ := estimate(rows.byPid, pre.catalogue)
	for _, n := range pre.notes(rows.byPid) {
		fmt.Fprintf(e.stderr, "flowbatch: %s\n", n)
	}
	if pre.balanceKnown() {
		fmt.Fprintf(e.stderr, "flowbatch: balance %s yuan; estimate for the %s to send %s yuan\n", pre.balance.Money, plural(len(rows.phones), "row"), est)
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
		} else if rows := regiftedList(found); rows != "" {
			if err := appendSideNote(regiftSidePath(f.journal), sideNote{Kind: "allow-regift", Batch: f.batchID, Regift: rows}); err != nil {
				return &exitError{code: ExitError, msg: cmd, err: err}
			}
		}
		if book.Input.SHA256 == rep.Info.SHA256 {
			return nil
		}
		// A new journal, a crash while planning, or -allow-changed-input.
		if err := batch.AppendInput(ctx, j, book, f.in, f.inputOptions(), rep); err != nil {
			if ctx.Err() != nil {
				return err
			}
			return &exitError{code: ExitError, msg: cmd, err: err}
		}
		reportAbsent(e.stderr, book)
		return nil
	})
	if err != nil {
		return fail(err)
	}
	if err := recordBalance(f.journal, f.batchID, "before", pre); err != nil {
		return fail(&exitError{code: ExitError, msg: cmd, err: err})
	}
	return j, book, nil
}

// rowKey sums up what a row is, to compare two readings of one file.
func rowKey(r *journal.RowRecord) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00%s\x00%s\x00%d", r.Line, r.Phone, r.Pid, r.OrderID, r.Status, len(r.Extra))
	for _, x := range r.Extra {
		fmt.Fprintf(h, "\x00%s", x)
	}
	return h.Sum64()
}

// compareJournalRows says so when today's reading of the journal's own
// file (keys) differs from the rows the journal holds. The journal's rows
// are kept.
func compareJournalRows(ctx context.Context, w io.Writer, book *batch.Book, keys []uint64) error {
	const keep = "the journal's rows, read when the batch started, are kept: they are the orders planned"
	n, first := 0, 0
	err := book.Rows(ctx, func(r *journal.RowRecord) error {
		if first == 0 && (n >= len(keys) || keys[n] != rowKey(r)) {
			first = r.Line
		}
		n++
		return nil
	})
	if err != nil {
		return journalErr("resume", book.Path, err)
	}
	switch {
	case first != 0:
		fmt.Fprintf(w, "flowbatch: warning: today's reader reads %s from %s where the journal has %d rows, first differing at row %d of the journal; %s\n",
			plural(len(keys), "row"), book.Input.Name, n, first, keep)
	case n != len(keys):
		fmt.Fprintf(w, "flowbatch: warning: today's reader reads %s from %s where the journal has %d rows; %s\n", plural(len(keys), "row"), book.Input.Name, n, keep)
	}
	return nil
}

// changedInputErr refuses an input that is not the file the journal was
// started with, unless -allow-changed-input; check predicts it.
func changedInputErr(cmd, journal string, book *batch.Book, rep *input.Report, allowChanged bool) error {
	if book.Input.SHA256 == "" || book.Input.SHA256 == rep.Info.SHA256 || allowChanged {
		return nil
	}
	return (&exitError{code: ExitInvalid, msg: fmt.Sprintf(
		"%s: %s is not the file journal %s was started with: that was %s%s (sha256 %s…, now %s…); nothing was submitted",
		cmd, rep.Info.Name, journal, book.Input.Name, plannedWhen(book), shortHash(book.Input.SHA256), shortHash(rep.Info.SHA256))}).
		hint("Try: the original file, or -allow-changed-input to continue with this one (rows no longer in it are never submitted)")
}

// plannedWhen is ", read 2026-11-30 14:02 UTC": when the journal's
// latest input was read; "" when unknown.
func plannedWhen(book *batch.Book) string {
	if book.InputAt <= 0 {
		return ""
	}
	return ", read " + time.UnixMilli(book.InputAt).UTC().Format("2006-01-02 15:04 UTC")
}

// inputRefusal is the one rule by which submit (and run) refuse an input,
// and check predicts it: why lists the problems, fixes the flags that
// would accept them. Both are nil when the input may be submitted.
func inputRefusal(rep *input.Report, skipInvalid, allowDups bool) (why, fixes []string) {
	if rep.HiddenCount > 0 {
		why = append(why, plural(rep.HiddenCount, "hidden or filtered-out row"))
		fixes = append(fixes, "-hidden-rows skip to leave them out or -hidden-rows include to submit them too")
	}
	// Hidden rows are invalid rows too (never charged), but -skip-invalid
	// does not settle them: -hidden-rows does.
	if n := len(rep.Invalid) - rep.HiddenCount; n > 0 && !skipInvalid {
		why = append(why, plural(n, "invalid row"))
		fixes = append(fixes, "-skip-invalid to record them as invalid and submit the rest")
	}
	if len(rep.Duplicates) > 0 && !allowDups {
		why = append(why, plural(len(rep.Duplicates), "duplicate row"))
		fixes = append(fixes, "-allow-duplicates to submit each repeat as its own order")
	}
	return why, fixes
}

// reportAbsent lists orders journaled before but not in the latest input.
func reportAbsent(w io.Writer, book *batch.Book) {
	var lines []string
	n := 0
	book.Orders(func(o *batch.OrderState) error {
		if o.InInput {
			return nil
		}
		n++
		if len(lines) < maxListed {
			lines = append(lines, fmt.Sprintf("  row %d of the earlier file: %s %s (%s): %s", o.Line, o.Phone, o.Pid, o.OrderID, o.Status()))
		}
		return nil
	})
	if n == 0 {
		return
	}
	fmt.Fprintf(w, "flowbatch: %s journaled earlier no longer in the input; they will not be submitted:\n", plural(n, "order"))
	for _, l := range lines {
		fmt.Fprintln(w, l)
	}
	if n > len(lines) {
		fmt.Fprintf(w, "  … and %d more\n", n-len(lines))
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
			logf("importing callbacks: %v", err)
		} else if n > 0 {
			logf("imported %s from the callback server", plural(n, "callback"))
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
	s, err := reconcile.Write(ctx, book, out, opts)
	if err != nil {
		if ee := attestErr(cmd, journal, failedAttestation(err, reconcile.AttestationPath(out, book.Header.BatchID)), err); ee != nil {
			return nil, nil, ee
		}
		if ge := (*reconcile.GroupByError)(nil); errors.As(err, &ge) {
			return nil, nil, usageErr("%s: -%v; nothing was written", cmd, ge)
		}
		if ke := (*reconcile.KeepColError)(nil); errors.As(err, &ke) {
			return nil, nil, usageErr("%s: -%v; nothing was written", cmd, ke)
		}
		return nil, nil, &exitError{code: ExitError, msg: cmd + ": writing the workbook", err: err}
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
// default 100 the heap grows to twice the Book before a collection. At 50
// a 1M-order reconcile peaks at ~405 MB instead of ~525 MB, for the same
// CPU time (measured; the compact Book is cheap to mark).
const reconcileGCPercent = 50

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
func warnTo(w io.Writer) func(string) {
	return func(s string) { fmt.Fprintf(w, "flowbatch: warning: %s\n", s) }
}

func logTo(w io.Writer) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(w, "flowbatch: "+format+"\n", args...)
	}
}
