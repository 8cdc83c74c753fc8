package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
)

// The workspace around a batch (README "The workspace"): where its
// journal lives by default, the period it declares, and the guard that
// runs, under the workspace lock, at every start and every resume.

// Header settings the commands add beside workspace's own keys.
const (
	settingWorkspace   = "workspace" // the workspace directory at the start
	settingAllowRegift = workspace.SettingAllowRegift
	settingRegifted    = workspace.SettingRegifted
	// settingUnchargedElsewhere lists the rows the guard let through at
	// the start because another batch's journal showed them final and
	// uncharged (a retry batch): "LINE:PHONE@BATCH,…".
	settingUnchargedElsewhere = "uncharged-elsewhere"
)

// workspaceFlags are the flags of the commands that start, resume or
// check a batch.
type workspaceFlags struct {
	dir         string
	period      string
	allowRegift bool
}

func addWorkspaceFlags(fs *flag.FlagSet) *workspaceFlags {
	w := &workspaceFlags{}
	fs.StringVar(&w.dir, "workspace", "", "workspace `directory` (default $"+workspace.EnvDir+", else your data directory; see README)")
	fs.StringVar(&w.period, "period", "", "the month the batch gifts for, `YYYY-MM` (default: this month in Beijing time; a resume keeps the journal's)")
	fs.BoolVar(&w.allowRegift, "allow-regift", false, "send on purpose to phones another batch of the workspace already sent in the period, or a file another batch submitted; the journal records it")
	return w
}

// periodFlag parses -period; "" when not given.
func (w *workspaceFlags) periodFlag(cmd string) (workspace.Period, error) {
	if w.period == "" {
		return "", nil
	}
	p, err := workspace.ParsePeriod(w.period)
	if err != nil {
		return "", usageErr(msgPeriodBad, cmd, periodErr{w.period, err})
	}
	return p, nil
}

// periodErr is a -period or -month that is no month: the workspace's
// words in English, the form wanted in Chinese.
type periodErr struct {
	value string
	err   error
}

func (p periodErr) in(l lang) string {
	if l != langZH {
		return p.err.Error()
	}
	v := []rune(p.value)
	if len(v) > 40 {
		v = append(v[:40], '…')
	}
	return msgPeriodForm.f(l, string(v))
}

// batchPeriod is the period of a batch: the journal's, if it declares
// one (a different -period is refused), else -period, else this month.
func batchPeriod(cmd string, w *workspaceFlags, book *batch.Book) (workspace.Period, error) {
	flagged, err := w.periodFlag(cmd)
	if err != nil {
		return "", err
	}
	if book != nil {
		if s := book.Header.Settings[workspace.SettingPeriod]; s != "" {
			p, err := workspace.ParsePeriod(s)
			if err != nil {
				return "", errOf(ExitDamaged, msgPeriodDamaged, cmd, book.Path, s)
			}
			if flagged != "" && flagged != p {
				return "", usageErr(msgPeriodOther, cmd, flagged, book.Path, book.Header.BatchID, p).
					try(msgPeriodOtherTry, flagged)
			}
			return p, nil
		}
	}
	if flagged != "" {
		return flagged, nil
	}
	return workspace.CurrentPeriod(), nil
}

// resolveJournal decides the workspace and, when -journal is not given,
// the journal in it. A journal left in the current folder by an older
// flowbatch is never silently replaced by a new one in the workspace.
func resolveJournal(e *env, cmd string, w *workspaceFlags, batchID string, journal *string) (string, error) {
	return locateJournal(e, cmd, w, batchID, journal, workspace.Dir)
}

// locateJournal is resolveJournal with the way the workspace is found:
// workspace.Dir creates it, workspace.Locate (for check) does not.
func locateJournal(e *env, cmd string, w *workspaceFlags, batchID string, journal *string,
	locate func(string, func(string) string) (string, error)) (string, error) {
	dir, err := locate(w.dir, e.getenv)
	if err != nil {
		return "", usageErr(msgCmdErr, cmd, err)
	}
	if *journal == "" {
		local := batchID + ".journal"
		if fi, err := os.Stat(local); err == nil && fi.Mode().IsRegular() {
			if abs, err := filepath.Abs(local); err == nil && filepath.Dir(abs) != dir {
				return "", usageErr(msgLocalJournal, cmd, local, dir).
					try(msgLocalJournalTry, shellQuote(local))
			}
		}
		*journal = filepath.Join(dir, batchID+".journal")
	}
	return dir, nil
}

// guardedRows are the rows of a batch not sent yet, as the guard takes
// them.
type guardedRows struct {
	phones []string
	lines  []int
	byPid  map[string]int // for the estimate
	// sum, when set before collecting, hashes every row kept: line,
	// phone, pid, orderid (what the console binds; nil on the command line).
	sum hash.Hash
}

// collect is the ReadInput callback that keeps the rows not sent yet:
// every row with an orderid that book (nil for a new batch) holds no
// intent for.
func (g *guardedRows) collect(book *batch.Book) func(*journal.RowRecord) error {
	return func(r *journal.RowRecord) error {
		if r.OrderID == "" {
			return nil
		}
		if book != nil {
			if o, ok := book.Order(r.OrderID); ok && o.Intents > 0 {
				return nil
			}
		}
		if g.sum != nil {
			fmt.Fprintf(g.sum, "%d\x00%s\x00%s\x00%s\x00", r.Line, r.Phone, r.Pid, r.OrderID)
		}
		g.phones = append(g.phones, r.Phone)
		g.lines = append(g.lines, r.Line)
		if g.byPid == nil {
			g.byPid = map[string]int{}
		}
		g.byPid[r.Pid]++
		return nil
	}
}

// guardedStart is what prepareJournal hands the workspace step.
type guardedStart struct {
	dir     string
	period  workspace.Period
	rep     *input.Report
	rows    guardedRows
	account string // from the balance endpoint, "" when it did not say
}

// underWorkspaceLock runs the guard for the batch and, when it passes,
// write (which creates the journal if needed and journals the input)
// and the registration of the journal, all under the workspace lock. The
// lock is let go before anything is sent. A refusal is exit 3 and
// nothing is written.
func underWorkspaceLock(ctx context.Context, e *env, cmd string, f *submitFlags, g *guardedStart,
	write func(workspace.Findings) error) error {
	ws, err := workspace.Open(g.dir)
	if err != nil {
		return &exitError{code: ExitError, msg: cmd, err: err}
	}
	l, err := ws.Lock(ctx)
	if err != nil {
		var le *workspace.LockedError
		if errors.As(err, &le) {
			return wsLockedErr(cmd, le)
		}
		return &exitError{code: ExitError, msg: cmd, err: err}
	}
	defer l.Unlock()
	found, err := workspace.Guard(ctx, l, workspace.NewBatch{
		ID: f.batchID, Period: g.period,
		InputSHA256: g.rep.Info.SHA256, InputName: g.rep.Info.Name,
		Journal: f.journal, Phones: g.rows.phones, Lines: g.rows.lines,
		AllowRegift: f.ws.allowRegift,
	})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return errOf(ExitError, msgGuardFailed, cmd).cause(err)
	}
	// What a person confirmed in the console is checked first, so that a
	// guard refusing now because another batch started since says so.
	if err := e.start.check(g, found); err != nil {
		return err
	}
	if found.Refused() {
		return errOf(ExitInvalid, msgGuardRefused, cmd, guardLines{found})
	}
	for _, line := range found.LinesIn(string(e.lang)) {
		fmt.Fprint(e.stderr, e.tr(msgGuardLine, line))
	}
	if err := write(found); err != nil {
		return err
	}
	if _, err := l.Register(ctx, f.journal); err != nil {
		return &exitError{code: ExitError, msg: cmd + ": workspace", err: err}
	}
	return l.Unlock()
}

// startSettings are the header settings a new batch adds for the
// workspace: the period, who runs it, the account, and what
// -allow-regift let through.
func startSettings(g *guardedStart, allowRegift bool, found workspace.Findings) map[string]string {
	who := workspace.Who()
	s := map[string]string{
		workspace.SettingPeriod: string(g.period),
		workspace.SettingUser:   who.User,
		workspace.SettingHost:   who.Host,
		settingWorkspace:        g.dir,
		settingAllowRegift:      strconv.FormatBool(allowRegift),
	}
	if g.account != "" {
		s[workspace.SettingAccount] = g.account
	}
	if rows := workspace.RegiftedList(found); rows != "" {
		s[settingRegifted] = rows
	}
	if rows := unchargedList(found); rows != "" {
		s[settingUnchargedElsewhere] = rows
	}
	return s
}

// unchargedList is the rows the guard let through as uncharged in
// another batch, "LINE:PHONE@BATCH,…".
func unchargedList(found workspace.Findings) string {
	var parts []string
	for _, x := range found.List {
		if x.Kind == workspace.KindUncharged {
			for _, r := range x.Rows {
				parts = append(parts, fmt.Sprintf("%d:%s@%s", r.Line, r.Phone, x.Other.BatchID))
			}
		}
	}
	return strings.Join(parts, ",")
}

// printWorkspaceLine names the workspace of a journal for status.
func printWorkspaceLine(ctx context.Context, w io.Writer, e *env, flagDir, journal string) {
	line := func(m msg, a ...any) { fmt.Fprintf(w, "%s\t%s\n", e.tr(msgStWorkspace), e.tr(m, a...)) }
	dir, err := workspace.Locate(flagDir, e.getenv)
	if err != nil {
		line(msgStWsUnknown, err)
		return
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		line(msgStWsNone, dir)
		return
	}
	js, err := ws.Journals(ctx)
	if err != nil {
		line(msgStWsUnread, ws.Dir, err)
		return
	}
	fi, statErr := os.Stat(journal)
	for _, j := range js {
		if jf, err := os.Stat(j.Path); statErr == nil && err == nil && os.SameFile(fi, jf) {
			how := msgStWsRegistered
			if j.InDir {
				how = msgStWsInDir
			}
			line(msgStWsIn, ws.Dir, how, j.Period, count{len(js) - 1, nounOtherJournal})
			return
		}
	}
	line(msgStWsNotIn, ws.Dir)
}
