package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
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
4 the provider said stop (balance, key, sign, quota); 5 some rows are still
unknown or not submitted; 6 the journal is in use; 7 the journal is damaged;
130 interrupted.

Flags:
`

// submitFlags are the flags submit and run share.
type submitFlags struct {
	in, batchID, journal   string
	rate                   float64
	workers                int
	cburl                  string
	skipInvalid, allowDups bool
	allowChanged           bool
	encoding, sheet        string
	baseURL                string
	resubmitGrace          time.Duration
}

func addSubmitFlags(fs *flag.FlagSet) *submitFlags {
	f := &submitFlags{}
	fs.StringVar(&f.in, "in", "", "input `file`: .csv, .txt, .xlsx or .xlsm")
	fs.StringVar(&f.batchID, "batch", "", "batch `id`: letters, digits, '-', '_', '.'; orderids derive from it")
	fs.StringVar(&f.journal, "journal", "", "journal `path` (default ID.journal)")
	fs.Float64Var(&f.rate, "rate", 10, "requests per `second` to the provider, over all workers")
	fs.IntVar(&f.workers, "workers", 0, "requests in flight at most (default rate/4, at least 8, at most 64)")
	fs.StringVar(&f.cburl, "cburl", "", "callback `URL` passed to the provider with every order")
	fs.BoolVar(&f.skipInvalid, "skip-invalid", false, "record invalid rows as invalid and submit the rest")
	fs.BoolVar(&f.allowDups, "allow-duplicates", false, "submit a repeated (phone, pid) as its own order")
	fs.BoolVar(&f.allowChanged, "allow-changed-input", false, "continue a journal whose input file changed; rows no longer in the file are never submitted")
	fs.StringVar(&f.encoding, "encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect from the bytes)")
	fs.StringVar(&f.sheet, "sheet", "", "XLSX sheet `name` (default: the first sheet)")
	fs.StringVar(&f.baseURL, "base-url", "", "provider base `URL` (default $JUHE_BASE_URL or http://v.juhe.cn)")
	fs.DurationVar(&f.resubmitGrace, "resubmit-grace", batch.DefaultResubmitGrace,
		"a 210511 means \"no such order\" only this long after the order's last submit ended; until then it is queried again, never resubmitted")
	return f
}

// check validates the flags; cmd names the command in messages.
func (f *submitFlags) check(cmd string) error {
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
	if err := batch.ValidateBatchID(f.batchID); err != nil {
		return usageErr("%s: -batch: %v", cmd, err)
	}
	if f.journal == "" {
		f.journal = f.batchID + ".journal"
	}
	return nil
}

func (f *submitFlags) inputOptions() batch.InputOptions {
	return batch.InputOptions{Encoding: f.encoding, Sheet: f.sheet, BatchID: f.batchID, AllowDuplicates: f.allowDups}
}

func runSubmit(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("submit", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	f := addSubmitFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, submitUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageErr("submit: %v", err)
	}
	if fs.NArg() > 0 {
		return usageErr("submit: unexpected argument %q", fs.Arg(0))
	}
	if err := f.check("submit"); err != nil {
		return err
	}
	client, err := newProviderClient(e, f.baseURL)
	if err != nil {
		return err
	}
	j, book, err := prepareJournal(ctx, e, "submit", f)
	if err != nil {
		return err
	}
	defer j.Close()

	prog := batch.NewProgress(e.stderr)
	eng := batch.NewEngine(j, book, client, batch.EngineOptions{
		Rate: f.rate, Workers: f.workers, CBURL: f.cburl, ResubmitGrace: f.resubmitGrace,
		Progress: prog, Logf: logTo(e.stderr),
	})
	_, stopImports := importSideCallbacks(ctx, eng, client, f.journal, f.batchID, logTo(e.stderr))
	res, err := eng.Submit(ctx)
	stopImports()
	closeErr := j.Close()
	printBatchSummary(e.stdout, "submit", book, res)
	if err := submitExit(ctx, "submit", args, res, err); err != nil {
		return err
	}
	if closeErr != nil {
		return &exitError{code: ExitError, msg: "submit", err: closeErr}
	}
	return nil
}

// submitExit maps what Submit returned to the user's error and exit code.
func submitExit(ctx context.Context, cmd string, args []string, res batch.Result, err error) error {
	if err := engineErr(ctx, cmd, args, err); err != nil {
		return err
	}
	if n := res.Unsubmitted(); n > 0 {
		return (&exitError{code: ExitOpen, msg: fmt.Sprintf("%s: %s still without a submit outcome", cmd, plural(n, "row"))}).
			hint("Try: the same command again: flowbatch %s", quoteArgs(args))
	}
	return nil
}

// engineErr maps a halt, an interrupt or a journal failure; nil stays nil.
func engineErr(ctx context.Context, cmd string, args []string, err error) error {
	if err == nil {
		return nil
	}
	var h *batch.HaltError
	switch {
	case errors.As(err, &h):
		return &exitError{code: ExitHalted, msg: fmt.Sprintf("%s: halted: %v", cmd, h)}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return &exitError{code: ExitInterrupted,
			msg: fmt.Sprintf("interrupted: run the same command again to continue: flowbatch %s %s", cmd, quoteArgs(args))}
	}
	return &exitError{code: ExitError, msg: cmd, err: err}
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

// maxListed bounds the problems and absent rows printed.
const maxListed = 50

// prepareJournal validates the whole input, then opens (or creates) the
// journal and makes sure its latest complete input section is this file.
// Nothing is written or sent when the input is refused.
func prepareJournal(ctx context.Context, e *env, cmd string, f *submitFlags) (*batch.Journal, *batch.Book, error) {
	rep, err := batch.ReadInput(ctx, f.in, f.inputOptions(), nil)
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, &exitError{code: ExitInvalid, msg: cmd, err: err}
	}
	if why, fixes := inputRefusal(rep, f.skipInvalid, f.allowDups); why != nil {
		printProblems(e.stderr, rep, maxListed)
		return nil, nil, (&exitError{code: ExitInvalid, msg: fmt.Sprintf("%s: %s has %s; nothing was submitted", cmd, rep.Info.Name, strings.Join(why, " and "))}).
			hint("Try: fix the rows above, or add %s", strings.Join(fixes, ", and "))
	}

	warn := warnTo(e.stderr)
	var j *batch.Journal
	var book *batch.Book
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
	} else if errors.Is(statErr, os.ErrNotExist) {
		j, book, err = batch.CreateJournal(ctx, f.journal, batch.Header{
			BatchID:     f.batchID,
			ToolVersion: version,
			Settings:    f.settings(),
		})
		if err != nil {
			return nil, nil, journalErr(cmd, f.journal, err)
		}
	} else {
		return nil, nil, &exitError{code: ExitError, msg: cmd, err: statErr}
	}

	switch {
	case book.Input.SHA256 == "":
		// New journal, or a crash while planning: (re)write the input.
	case book.Input.SHA256 == rep.Info.SHA256:
		return j, book, nil
	case !f.allowChanged:
		j.Close()
		return nil, nil, (&exitError{code: ExitInvalid, msg: fmt.Sprintf(
			"%s: %s is not the file journal %s was started with (sha256 %s…, now %s…); nothing was submitted",
			cmd, rep.Info.Name, f.journal, shortHash(book.Input.SHA256), shortHash(rep.Info.SHA256))}).
			hint("Try: the original file, or -allow-changed-input to continue with this one (rows no longer in it are never submitted)")
	}
	if err := batch.AppendInput(ctx, j, book, f.in, f.inputOptions(), rep); err != nil {
		j.Close()
		if ctx.Err() != nil {
			return nil, nil, err
		}
		return nil, nil, &exitError{code: ExitError, msg: cmd, err: err}
	}
	reportAbsent(e.stderr, book)
	return j, book, nil
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

		batch.SettingResubmitGrace: f.resubmitGrace.String(),
	}
}

// journalErr maps an error from opening, creating or reading a journal to
// the user's message and exit code. It is the one place that does.
func journalErr(cmd, path string, err error) error {
	var le *batch.LockedError
	var de *batch.DamageError
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &le):
		return (&exitError{code: ExitLocked, msg: fmt.Sprintf("%s: %v", cmd, le)}).
			hint("Try: wait for that process to finish, or stop it (Ctrl-C); the journal stays safe")
	case errors.As(err, &de):
		return (&exitError{code: ExitDamaged, msg: fmt.Sprintf("%s: journal damaged", cmd), err: de}).
			hint("Try: flowbatch verify -journal %s; keep the file for the audit and do not edit it", shellQuote(path))
	case errors.Is(err, fs.ErrNotExist):
		return (&exitError{code: ExitError, msg: fmt.Sprintf("%s: no journal at %s", cmd, path)}).
			hint("Try: the -journal path that submit or run used")
	}
	return &exitError{code: ExitError, msg: cmd, err: err}
}

// printBatchSummary prints where a batch stands after submit or query.
func printBatchSummary(w io.Writer, cmd string, book *batch.Book, res batch.Result) {
	t := res.Totals
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "batch:\t%s\n", book.Header.BatchID)
	fmt.Fprintf(tw, "journal:\t%s\n", book.Path)
	if book.Input.Name != "" {
		fmt.Fprintf(tw, "input:\t%s (sha256 %s…), %s\n", book.Input.Name, shortHash(book.Input.SHA256), plural(t.Rows, "row"))
	}
	rate := 0.0
	if s := res.Duration.Seconds(); s > 0 {
		rate = float64(res.Requests()) / s
	}
	fmt.Fprintf(tw, "%s:\t%s submits, %s queries in %s (%.1f requests/s)\n", cmd,
		batch.Thousands(res.Submits), batch.Thousands(res.Queries), res.Duration.Round(100*time.Millisecond), rate)
	var parts []string
	for _, s := range batch.Statuses {
		if n := t.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", s, batch.Thousands(n)))
		}
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	fmt.Fprintf(tw, "rows:\t%s\n", strings.Join(parts, " · "))
	fmt.Fprintf(tw, "spend:\t%s yuan (success), %s yuan still charging, %s yuan refunded\n", t.Spend, t.Charging, t.Refunded)
	if t.Orphans > 0 {
		fmt.Fprintf(tw, "absent:\t%s journaled earlier, not in this input\n", plural(t.Orphans, "order"))
	}
	fmt.Fprintf(tw, "head:\t%s (%s records)\n", book.HeadHash, batch.Thousands(book.Records))
	tw.Flush()
}

// providerBaseURL is the -base-url flag, else $JUHE_BASE_URL; empty means
// the juhe client's default.
func providerBaseURL(e *env, flag string) string {
	if flag != "" {
		return flag
	}
	return e.getenv("JUHE_BASE_URL")
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

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// quoteArgs renders args for a shell, so the user can paste it.
func quoteArgs(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-_./:=,+@%", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
