package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/reconcile"
)

// What the commands print: summaries, problem lists, counts and the
// command lines a user can paste back into a shell.

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
		journal.Thousands(res.Submits), journal.Thousands(res.Queries), res.Duration.Round(100*time.Millisecond), rate)
	var parts []string
	for _, s := range batch.Statuses {
		if n := t.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", s, journal.Thousands(n)))
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
	fmt.Fprintf(tw, "head:\t%s (%s records)\n", book.HeadHash, journal.Thousands(book.Records))
	tw.Flush()
}

// printWorkbookSummary prints where the workbook went and its short table.
func printWorkbookSummary(w io.Writer, s *reconcile.Summary) {
	fmt.Fprintf(w, "wrote %s\n", s.Path)
	if s.CSVPath != "" {
		fmt.Fprintf(w, "wrote %s\n", s.CSVPath)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "batch\t%s\t\n", s.BatchID)
	fmt.Fprintf(tw, "input rows\t%d\t\n", s.InputRows)
	for _, st := range batch.Statuses {
		// English words on the terminal: tabwriter cannot align CJK.
		fmt.Fprintf(tw, "%s\t%d\t\n", st, s.ByStatus[st])
	}
	check := "OK"
	if !s.ControlOK {
		check = "MISMATCH"
	}
	fmt.Fprintf(tw, "control total\t%s\t\n", check)
	fmt.Fprintf(tw, "spend (yuan)\t%s\t\n", s.Spend)
	fmt.Fprintf(tw, "charging (yuan)\t%s\t\n", s.Charging)
	fmt.Fprintf(tw, "refunded (yuan)\t%s\t\n", s.Refunded)
	if s.Orphans > 0 {
		fmt.Fprintf(tw, "not in input\t%d\t\n", s.Orphans)
		fmt.Fprintf(tw, "their spend (yuan)\t%s\t\n", s.OrphanSpend)
	}
	fmt.Fprintf(tw, "open rows\t%d\t\n", s.Open)
	fmt.Fprintf(tw, "exceptions\t%d\t\n", s.Exceptions)
	tw.Flush()
	fmt.Fprintf(w, "journal head %s (%d records)\n", s.HeadHash, s.Records)
	if s.AttestPath != "" {
		fmt.Fprintf(w, "wrote %s\nattestation sha256 %s\n", s.AttestPath, s.AttestSHA256)
	}
	if r := s.Retry; r != nil {
		fmt.Fprintf(w, "wrote %s (%d rows to retry)\n", r.Path, r.Rows)
		if r.NotePath != "" {
			fmt.Fprintf(w, "wrote %s\n", r.NotePath)
		}
		for _, l := range r.Note {
			fmt.Fprintf(w, "# %s\n", l)
		}
	}
}

// printProblems lists invalid and duplicate rows together in row order.
func printProblems(w io.Writer, rep *input.Report, max int) {
	total := len(rep.Invalid) + len(rep.Duplicates)
	if total == 0 {
		fmt.Fprintf(w, "\nproblems: none\n")
		return
	}
	fmt.Fprintf(w, "\nproblems: %d\n", total)
	inv, dup := rep.Invalid, rep.Duplicates
	for n := 0; len(inv) > 0 || len(dup) > 0; n++ {
		var p input.Problem
		if len(dup) == 0 || len(inv) > 0 && inv[0].Line < dup[0].Line {
			p, inv = inv[0], inv[1:]
		} else {
			p, dup = dup[0], dup[1:]
		}
		if n == max {
			fmt.Fprintf(w, "  … and %d more\n", total-max)
			return
		}
		fmt.Fprintf(w, "  row %d: %s\n", p.Line, p.Reason)
	}
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
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
