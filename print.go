package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/reconcile"
)

// What the commands print: summaries, problem lists, counts and the
// command lines a user can paste back into a shell.

// printBatchSummary prints where a batch stands after submit or query, in l.
func printBatchSummary(w io.Writer, l lang, cmd string, book *batch.Book, res batch.Result) {
	t := res.Totals
	var tb table
	tb.add(msgSumBatch.in(l), book.Header.BatchID)
	tb.add(msgSumJournal.in(l), book.Path)
	if book.Input.Name != "" {
		tb.add(msgSumInput.in(l), msgSumInputLine.f(l, book.Input.Name, shortHash(book.Input.SHA256), count{t.Rows, nounRow}))
	}
	rate := 0.0
	if s := res.Duration.Seconds(); s > 0 {
		rate = float64(res.Requests()) / s
	}
	tb.add(msgSumCmd.f(l, cmd), msgSumRequests.f(l, journal.Thousands(res.Submits), journal.Thousands(res.Queries), res.Duration.Round(100*time.Millisecond), rate))
	var parts []string
	for _, s := range batch.Statuses {
		if n := t.ByStatus[s]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", stateName(l, s), journal.Thousands(n)))
		}
	}
	if len(parts) == 0 {
		parts = []string{msgSumNone.in(l)}
	}
	tb.add(msgSumRows.in(l), strings.Join(parts, " · "))
	tb.add(msgSumSpend.in(l), msgSumSpendLine.f(l, t.Spend, t.Charging, t.Refunded))
	if t.Orphans > 0 {
		tb.add(msgSumAbsent.in(l), msgSumAbsentL.f(l, count{t.Orphans, nounOrder}))
	}
	tb.add(msgSumHead.in(l), msgSumHeadLine.f(l, book.HeadHash, journal.Thousands(book.Records)))
	tb.write(w)
}

// printWorkbookSummary prints where the workbook went and its short
// table, in l. The lines a script may read (README "Reading flowbatch
// from a script") stay English: "wrote PATH", "journal head HEX (N
// records)", "attestation sha256 HEX".
func printWorkbookSummary(w io.Writer, l lang, s *reconcile.Summary) {
	fmt.Fprintf(w, "wrote %s\n", s.Path)
	if s.CSVPath != "" {
		fmt.Fprintf(w, "wrote %s\n", s.CSVPath)
	}
	var tb table
	tb.add(msgWbBatch.in(l), s.BatchID)
	tb.add(msgWbInputRows.in(l), fmt.Sprint(s.InputRows))
	for _, st := range batch.Statuses {
		tb.add(stateName(l, st), fmt.Sprint(s.ByStatus[st]))
	}
	check := msgWbOK.in(l)
	if !s.ControlOK {
		check = msgWbMismatch.in(l)
	}
	tb.add(msgWbControl.in(l), check)
	tb.add(msgWbSpend.in(l), s.Spend.String())
	tb.add(msgWbCharging.in(l), s.Charging.String())
	tb.add(msgWbRefunded.in(l), s.Refunded.String())
	if s.Orphans > 0 {
		tb.add(msgWbNotInInput.in(l), fmt.Sprint(s.Orphans))
		tb.add(msgWbTheirSpend.in(l), s.OrphanSpend.String())
	}
	tb.add(msgWbOpenRows.in(l), fmt.Sprint(s.Open))
	tb.add(msgWbExceptions.in(l), fmt.Sprint(s.Exceptions))
	tb.write(w)
	fmt.Fprintf(w, "journal head %s (%d records)\n", s.HeadHash, s.Records)
	if s.AttestPath != "" {
		fmt.Fprintf(w, "wrote %s\nattestation sha256 %s\n", s.AttestPath, s.AttestSHA256)
	}
	if r := s.Retry; r != nil {
		fmt.Fprintf(w, "wrote %s %s\n", r.Path, msgWbRetryRows.f(l, r.Rows))
		if r.NotePath != "" {
			fmt.Fprintf(w, "wrote %s\n", r.NotePath)
		}
		for _, line := range r.Note {
			fmt.Fprintf(w, "# %s\n", line)
		}
	}
}

// table aligns columns by their width on a terminal, where a Chinese
// character takes two columns (text/tabwriter counts it as one).
type table struct{ rows [][]string }

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) {
	var widths []int
	for _, r := range t.rows {
		for i, c := range r[:len(r)-1] {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		b.WriteString("\n")
	}
	io.WriteString(w, b.String())
}

// printProblems lists invalid and duplicate rows together in row order.
func printProblems(w io.Writer, l lang, rep *input.Report, max int) {
	total := len(rep.Invalid) + len(rep.Duplicates)
	if total == 0 {
		fmt.Fprint(w, msgProblemsNone.in(l))
		return
	}
	fmt.Fprint(w, msgProblemsCount.f(l, total))
	inv, dup := rep.Invalid, rep.Duplicates
	for n := 0; len(inv) > 0 || len(dup) > 0; n++ {
		var p input.Problem
		if len(dup) == 0 || len(inv) > 0 && inv[0].Line < dup[0].Line {
			p, inv = inv[0], inv[1:]
		} else {
			p, dup = dup[0], dup[1:]
		}
		if n == max {
			fmt.Fprint(w, msgProblemsMore.f(l, total-max))
			return
		}
		fmt.Fprint(w, msgProblemRow.f(l, p.Line, p.In(string(l))))
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
