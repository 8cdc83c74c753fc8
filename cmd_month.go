package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/reconcile"
)

const monthUsage = `Usage: flowbatch month -month YYYY-MM -out FILE.xlsx [-workspace DIR] [-lang zh|en] [-group-by COLUMN] [-statement FILE]
       flowbatch month -month YYYY-MM -mask [-keep-col COLUMN]... -out FILE.masked.xlsx

Writes one workbook for the auditors of every batch of the workspace whose
orders fall in the month (Beijing time): a Summary with a table of batches
and the month's control totals, By department (or -group-by), By product,
By carrier, Repeats (phones charged in more than one batch, intended with
-allow-regift or not), All orders, the Charts, and the Provider sheet: the
three-way match of the month's statement (-statement, else the latest whole
pull of the month beside a journal) against every journal of the month.

An order belongs to the month of its charge time: when flowbatch journaled
the provider's accepted answer to its submit. A batch across a month's end
appears in both months; a refund that arrives in a later month stays in the
month of its charge, marked late. The Summary states these rules.

Every journal of the workspace is verified first: checksums, hash chain,
the attestation beside it and the attested head the workspace index keeps.
A journal that fails is listed on the Summary's first screen; the workbook
is written all the same, and month exits 7.

Flags:
`

func runMonth(ctx context.Context, e *env, args []string) error {
	fset := flag.NewFlagSet("month", flag.ContinueOnError)
	month := fset.String("month", "", "the month, `YYYY-MM` in Beijing time")
	out := fset.String("out", "", "workbook `file` to write (.xlsx)")
	wsDir := fset.String("workspace", "", "workspace `directory` (default $"+workspace.EnvDir+", else your data directory)")
	lang := fset.String("lang", "zh", "labels: zh or en")
	groupBy := fset.String("group-by", "", "count and sum by this extra input `column` (default: a 部门/department column)")
	stmt := fset.String("statement", "", "the provider's statement `file` for the month (default: the latest whole pull of the month beside a journal of the workspace)")
	mask := fset.Bool("mask", false, "write a masked copy for wider circulation (PIPL): phones 138****1234, no orderid or sporder_id, extra columns only with -keep-col")
	keep := keepColFlag(fset)
	if help, err := parseFlags(e, fset, monthUsage, args, msgMonthTry.with()); help || err != nil {
		return err
	}
	switch {
	case *month == "":
		return usageErr(msgFlagIsRequired, "month", "-month").try(msgMonthTry)
	case *out == "":
		return usageErr(msgFlagIsRequired, "month", "-out").try(msgMonthOutTry, *month, *month)
	case *lang != "zh" && *lang != "en":
		return usageErr(msgBadLang, "month", *lang)
	case len(*keep) > 0 && !*mask:
		return usageErr(msgKeepColNoMask, "month").try(msgKeepColTry)
	}
	period, err := workspace.ParsePeriod(*month)
	if err != nil {
		return usageErr(msgMonthBad, periodErr{*month, err}).try(msgMonthTry)
	}
	if err := checkOutputs("month", *out, ""); err != nil {
		return err
	}
	if *mask {
		if err := checkMaskedOut(*out, ""); err != nil {
			return err
		}
	}
	dir, err := workspace.Locate(*wsDir, e.getenv)
	if err != nil {
		return usageErr(msgCmdErr, "month", err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return usageErr(msgMonthWorkspace, dir, err).try(msgMonthWorkspaceTry)
	}
	js, err := ws.Journals(ctx)
	if err != nil {
		return errOf(ExitError, msgMonthWorkspaceErr, dir).cause(err)
	}
	for _, j := range js {
		if err := checkNotJournal("month", *out, j.Path); err != nil {
			return err
		}
	}
	opts := reconcile.MonthOptions{Month: string(period), Lang: *lang, ToolVersion: version, Workspace: ws.Dir, GroupBy: *groupBy}
	if *mask {
		opts.Mask = &reconcile.MaskOptions{KeepCols: *keep}
	}
	opts.Statement, opts.StatementWhy, err = monthStatement(ctx, *stmt, string(period), js)
	if err != nil {
		return err
	}
	defer lowerGCPercent(e)()
	s, err := reconcile.WriteMonth(ctx, monthJournals(js), *out, opts)
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		if ge := (*reconcile.GroupByError)(nil); errors.As(err, &ge) {
			return usageErr(msgFlagNothingWritten, "month", ge)
		}
		if ke := (*reconcile.KeepColError)(nil); errors.As(err, &ke) {
			return usageErr(msgFlagNothingWritten, "month", ke)
		}
		return errOf(ExitError, msgWritingWorkbook, "month").cause(err)
	}
	printMonthSummary(e.stdout, e.lang, s)
	switch m := s.Provider; {
	case m != nil && m.Agrees():
		fmt.Fprintln(e.stdout, msgMonthAgrees.f(e.lang, m.Statement.Path))
	case m != nil:
		fmt.Fprintln(e.stdout, msgMonthDisagrees.f(e.lang, m.Statement.Path))
	case opts.StatementWhy != "":
		fmt.Fprintln(e.stdout, msgMonthNoMatch.f(e.lang, opts.StatementWhy))
	}
	if *mask {
		fmt.Fprintln(e.stdout, msgMonthMasked.in(e.lang))
	}
	if len(s.Failed) > 0 {
		for _, f := range s.Failed {
			fmt.Fprintln(e.stderr, "flowbatch: "+msgMonthFailedLine.f(e.lang, f.Path, f.BatchID, f.Why))
		}
		return errOf(ExitDamaged, msgMonthFailed, len(s.Failed))
	}
	return nil
}

// monthJournals is what the workspace found of each journal, with the
// heads each must still reach: the attestation beside it, and the
// attested head the index keeps.
func monthJournals(js []*workspace.Journal) []reconcile.MonthJournal {
	var out []reconcile.MonthJournal
	for _, j := range js {
		m := reconcile.MonthJournal{Path: j.Path, BatchID: j.BatchID}
		if j.State != workspace.StateOK {
			m.Failed = fmt.Sprintf("%s: %s", j.State, j.Why)
		}
		if a := j.Attested; a != nil {
			m.Anchors = append(m.Anchors, reconcile.MonthAnchor{From: "the workspace index", Anchor: journal.Anchor{Records: a.Records, Head: a.Head}})
		}
		if j.BatchID != "" {
			path := reconcile.AttestationPath(j.Path, j.BatchID)
			a, _, err := reconcile.ReadAttestation(path)
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				m.Failed = joinWhy(m.Failed, err.Error())
			case a.Journal != "" && a.Journal != filepath.Base(j.Path):
				// Another journal's of the same batch: not this one's anchor.
			default:
				m.Anchors = append(m.Anchors, reconcile.MonthAnchor{From: filepath.Base(path), Anchor: a.Anchor()})
			}
		}
		out = append(out, m)
	}
	return out
}

func joinWhy(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// checkNotJournal refuses an -out that is a journal of the workspace.
func checkNotJournal(cmd, out, journal string) error {
	return checkOutputs(cmd, out, "", namedPath{msgWsJournal, journal})
}

func printMonthSummary(w io.Writer, l lang, s *reconcile.MonthSummary) {
	fmt.Fprintf(w, "wrote %s\n", s.Path)
	var tb table
	tb.add(msgMonthMonth.in(l), s.Month)
	tb.add(msgMonthBatches.in(l), fmt.Sprint(len(s.Batches)))
	tb.add(msgMonthRows.in(l), fmt.Sprint(s.Rows))
	for _, st := range batch.Statuses {
		tb.add(stateName(l, st), fmt.Sprint(s.ByStatus[st]))
	}
	tb.add(msgMonthPeople.in(l), fmt.Sprint(s.People))
	tb.add(msgWbSpend.in(l), s.Spend.String())
	tb.add(msgWbRefunded.in(l), s.Refunded.String())
	tb.add(msgMonthLate.in(l), fmt.Sprint(s.Late))
	tb.add(msgWbOpenRows.in(l), fmt.Sprint(s.Open))
	tb.add(msgMonthRepeats.in(l), msgMonthRepeatsN.f(l, s.Repeats, s.Unmeant))
	tb.add(msgMonthFailedN.in(l), fmt.Sprint(len(s.Failed)))
	tb.write(w)
}

// monthStatement is the provider's statement of the month, cut to that
// month's period: the file given, else the latest whole pull of the month
// found beside a journal of the workspace. Without one, why.
func monthStatement(ctx context.Context, path, month string, js []*workspace.Journal) (*statement.Statement, string, error) {
	var paths []string
	if path != "" {
		paths = []string{path}
	} else {
		for _, j := range js {
			paths = append(paths, statement.Path(j.Path))
		}
	}
	var best *statement.Statement
	var bestAt int64
	for _, p := range paths {
		st, err := statement.Read(ctx, p)
		if err != nil {
			if path == "" {
				continue // a batch without a statement, or a damaged one: not this month's
			}
			return nil, "", usageErr(msgMonthStatementBad, p, err)
		}
		for _, per := range st.Periods {
			if per.Whole() && monthOfUnix(per.Start) == month && per.PulledAt >= bestAt {
				cut := *st
				cut.Periods = []statement.Period{per}
				best, bestAt = &cut, per.PulledAt
			}
		}
	}
	if best == nil {
		if path != "" {
			return nil, "", usageErr(msgMonthStatementNone, path, month)
		}
		return nil, fmt.Sprintf(msgMonthNoStatement, month), nil
	}
	return best, "", nil
}

func monthOfUnix(sec int64) string {
	return time.Unix(sec, 0).In(time.FixedZone("CST", 8*3600)).Format("2006-01")
}
