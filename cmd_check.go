package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const checkUsage = `Usage: flowbatch check -in FILE [-batch ID] [flags]

Reads and validates the whole input file, prints every problem with its row
number, the rows per product and per carrier and an estimated cost. It submits
nothing and writes nothing. With the same flags as submit or run, it says what
they will do, by the same rules and in the same words:

  3  the input would be refused (invalid or duplicate rows), the journal of
     this batch holds another file, the workspace guard refuses the batch,
     or a pid has no price under a spending cap;
  4  the key or the OpenID is wrong (the balance endpoint, signed with the
     OpenID, says so), or the estimate exceeds the balance, or the rows do
     not all fit under the spending cap (-max-spend, or the journal's), or
     the catalogue did not answer under a cap;
  0  submit would go ahead. What could not be verified (the OpenID when the
     balance endpoint is not open to the key, the balance when it does not
     answer) is said by name, never turned into an "ok".

A pid the catalogue does not have, and a pid for another carrier than the
number's, are listed with their rows: the provider will reject them (no
charge), unless the number was ported to the product's carrier.

Flags:
`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	in := fs.String("in", "", "input `file`: .csv, .txt, .xlsx or .xlsm")
	encoding := fs.String("encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect from the bytes)")
	sheet := fs.String("sheet", "", "XLSX or ODS sheet `name` (default: the visible sheet with a header in its first 20 rows; hidden sheets are never read)")
	batchID := fs.String("batch", "", "batch `id`: with it, check reads its journal and runs the workspace guard, as submit would")
	journalPath := fs.String("journal", "", "as submit: the batch's journal `path` (default WORKSPACE/ID.journal)")
	skipInvalid := fs.Bool("skip-invalid", false, "as submit: invalid rows are recorded and the rest submitted")
	allowDups := fs.Bool("allow-duplicates", false, "as submit: a repeated (phone, pid) is submitted as its own order")
	allowChanged := fs.Bool("allow-changed-input", false, "as submit: continue a journal whose input file changed")
	allowShort := fs.Bool("allow-short-balance", false, "as submit: start even when the estimate exceeds the balance")
	var maxSpend maxSpendFlag
	addMaxSpendFlag(fs, &maxSpend)
	wsFlags := addWorkspaceFlags(fs)
	prices := fs.String("prices", "auto", "price source: auto (provider when JUHE_KEY is set, else sim), sim, provider or none")
	maxProblems := fs.Int("max-problems", 50, "print at most `n` problems")
	baseURL := fs.String("base-url", "", "provider base URL (default $JUHE_BASE_URL or http://v.juhe.cn)")
	rate := fs.Float64("rate", 10, "as submit: requests per `second` to the provider (flow/telcheck, for a plan)")
	table := addTableFlags(fs)
	if help, err := parseFlags(e, fs, checkUsage, args, msgCheckTry.with()); help || err != nil {
		return err
	}
	switch {
	case *in == "":
		return usageErr(msgFlagIsRequired, "check", "-in").try(msgCheckInTry)
	case *maxProblems < 0:
		return usageErr(msgNotNegative, "check", "-max-problems")
	}
	switch *prices {
	case "auto", "sim", "provider", "none":
	default:
		return usageErr(msgCheckPricesBad, *prices)
	}
	if err := table.check("check"); err != nil {
		return err
	}
	if err := maxSpend.parse(e, "check"); err != nil {
		return err
	}
	if _, err := wsFlags.periodFlag("check"); err != nil {
		return err
	}

	// With a batch id, the journal of the batch as submit would find it:
	// read, never locked or written.
	var book *batch.Book
	var wsDir string
	var capNote localized // FLOWBATCH_MAX_SPEND not raising the journal's cap
	if *batchID != "" {
		if err := input.ValidateBatchID(*batchID); err != nil {
			return usageErr(msgBatchIDBad, "check", err)
		}
		var err error
		if wsDir, err = locateJournal(e, "check", wsFlags, *batchID, journalPath, workspace.Locate); err != nil {
			return err
		}
		if _, statErr := os.Stat(*journalPath); statErr == nil {
			if book, err = batch.LoadBook(ctx, *journalPath); err != nil {
				return journalErr("check", *journalPath, err)
			}
			if book.Header.BatchID != *batchID {
				return usageErr(msgOtherBatch, "check", *journalPath, book.Header.BatchID, *batchID).
					try(msgOtherBatchTry, shellQuote(book.Header.BatchID))
			}
			capNote = maxSpend.keepJournaled(book)
		}
	}

	// Per pid, the rows to send and their carriers by prefix: a Unicom
	// number sent to a China Mobile product is refused by the provider.
	var rows guardedRows
	var toSend capRows
	collect := rows.collect(book)
	carriers := map[string]map[juhe.Carrier]int{}
	byPid := map[string][]pidRow{}
	opts := input.Options{Encoding: *encoding, Sheet: *sheet, BatchID: *batchID, AllowDuplicates: *allowDups}
	table.apply(&opts)
	var kept planRows // the rows a plan gives their pid, once it has chosen
	var chooser *batch.Chooser
	reset := func() {
		rows, carriers, byPid, kept = guardedRows{}, map[string]map[juhe.Carrier]int{}, map[string][]pidRow{}, planRows{}
	}
	read := func(r *journal.RowRecord) error {
		if r.OrderID == "" {
			return nil
		}
		if r.Status != journal.RowInvalid {
			toSend.add(book, r.OrderID, r.Pid, r.Line)
		}
		n := len(rows.phones)
		if err := collect(r); err != nil || len(rows.phones) == n {
			return err // sent already: run would not send it again
		}
		c := juhe.CarrierOf(r.Phone)
		if chooser != nil && r.Chosen == journal.ChosenTelcheck {
			c = chooser.Carriers.ByPhone[r.Phone].Carrier // ported numbers included
		}
		m := carriers[r.Pid]
		if m == nil {
			m = map[juhe.Carrier]int{}
			carriers[r.Pid] = m
		}
		m[c]++
		byPid[r.Pid] = append(byPid[r.Pid], pidRow{line: r.Line, phone: r.Phone, carrier: c})
		return nil
	}
	rep, err := readForResume(ctx, e.stderr, e.lang, *in, opts, book, reset, kept.keep(read))
	if err != nil {
		var ee *exitError
		if ctx.Err() != nil || errors.As(err, &ee) {
			return err
		}
		return &exitError{code: ExitInvalid, msg: "check", err: err}
	}

	// The provider, asked as submit asks it: the balance proves the key
	// and the OpenID, the catalogue prices the estimate.
	var pre *preflight
	var tc batch.Telchecker
	var credsNote string
	if strings.TrimSpace(e.getenv("JUHE_KEY")) == "" || strings.TrimSpace(e.getenv("JUHE_OPENID")) == "" {
		credsNote = e.tr(msgCredsNotSet)
	} else if c, err := juhe.NewClient(juhe.Config{BaseURL: providerBaseURL(e, *baseURL), Key: e.getenv("JUHE_KEY"), OpenID: e.getenv("JUHE_OPENID"), Timeout: 20 * time.Second}); err != nil {
		credsNote = e.tr(msgCredsNotVerified, err)
	} else {
		p := readPreflight(ctx, c)
		pre, tc = &p, c
		credsNote = p.verified(e.lang)
	}
	// A plan chooses as submit will: telcheck for each number, the
	// catalogue for each carrier's product.
	if plan := table.loaded; plan != nil && len(kept.rows) > 0 {
		if pre != nil && pre.credentialsRefusal() != "" {
			tc = nil // submit would stop before it asks
		}
		_, cat, _ := checkPrices(*prices, e, pre)
		catNote := ""
		if pre != nil {
			catNote = pre.catNote
		}
		if chooser, err = choosePlan(ctx, "check", plan, &kept, book, tc, catalogueProducts(cat), catNote, *rate); err != nil {
			return err
		}
		if tc == nil {
			chooser.Carriers.Notes = append(chooser.Carriers.Notes, input.Reason{Kind: input.TelcheckNotAsked})
		}
		if err := applyPlan(rep, &kept, chooser, read); err != nil {
			return err
		}
	}

	w, l := e.stdout, e.lang
	info := rep.Info
	fmt.Fprint(w, e.tr(msgCheckFile, info.Name))
	switch info.Format {
	case "xlsx", "ods":
		fmt.Fprint(w, e.tr(msgCheckSheet, info.Format, info.Sheet))
	default:
		fmt.Fprint(w, e.tr(msgCheckEncoding, info.Format, info.Encoding))
	}
	fmt.Fprint(w, e.tr(msgCheckSHA, info.SHA256))
	fmt.Fprint(w, e.tr(msgCheckRows, info.Rows, rep.Valid, len(rep.Invalid), len(rep.Duplicates)))
	if len(info.Extra) > 0 {
		fmt.Fprint(w, e.tr(msgCheckCarried, strings.Join(info.Extra, e.tr(msgListSep))))
	}
	printTable(w, l, rep, *maxProblems)
	if chooser != nil {
		printPlan(w, l, chooser)
	}
	if book != nil && rep.Valid != len(rows.phones) {
		fmt.Fprint(w, e.tr(msgCheckSent, *journalPath, rep.Valid-len(rows.phones), len(rows.phones)))
	}

	printProblems(w, l, rep, *maxProblems)
	printCounts(w, l, rep)

	label, catalogue, note := checkPrices(*prices, e, pre)
	printCost(w, l, rep, carriers, label, catalogue, note)
	nCat := printCatalogueProblems(w, l, byPid, catalogue, *maxProblems)

	var balanceLine string
	if pre != nil && pre.balanceKnown() {
		est, unknown := estimate(rows.byPid, pre.catalogue)
		balanceLine = e.tr(msgCheckBalance, pre.balance.Money, orNone(pre.balance.AccountID), count{len(rows.phones), nounRow}, est)
		if len(unknown) > 0 {
			balanceLine += e.tr(msgPlusUnknown, strings.Join(unknown, ", "))
		}
		if short := pre.shortfall(est); short > 0 {
			balanceLine += e.tr(msgBalanceShortBy, short)
		}
	} else if pre != nil {
		balanceLine = e.tr(msgBalanceNotRead, pre.reply)
	}
	if balanceLine != "" {
		fmt.Fprintf(w, "\n%s\n", balanceLine)
	}
	// The cap, priced as run prices it: with the provider's catalogue
	// when the provider answered, else with check's (said so).
	var plan *capPlan
	if capNote != nil {
		fmt.Fprintf(w, "%s\n", capNote.in(e.lang))
	}
	if max, capped := maxSpend.inForce(book); capped {
		p := planCap(book, max, &toSend, catalogue, note)
		if pre != nil {
			p = planCap(book, max, &toSend, pre.catalogue, pre.catNote)
		}
		plan = &p
		fmt.Fprintf(w, "%s\n", p.line(e.lang, capSource(book, maxSpend)))
		if pre == nil {
			fmt.Fprint(w, e.tr(msgCapPricedWith, label))
		}
	}
	fmt.Fprint(w, e.tr(msgCheckCreds, credsNote))

	// What submit would do, in its order and with its words.
	if why, fixes := inputRefusal(rep, *skipInvalid, *allowDups, e.lang); why != nil {
		return errOf(ExitInvalid, msgCheckWouldRefuse, strings.Join(why, e.tr(msgAnd))).
			try(msgInputFixTry, strings.Join(fixes, e.tr(msgCommaAnd)))
	}
	if book != nil {
		if err := changedInputErr("check", *journalPath, book, rep, *allowChanged); err != nil {
			return err
		}
	}
	if pre != nil {
		if err := pre.credentialsErr("check"); err != nil {
			return err
		}
		if plan != nil {
			if err := plan.refusal("check"); err != nil {
				return err
			}
		}
		est, _ := estimate(rows.byPid, pre.catalogue)
		if plan != nil {
			est = min(est, plan.room())
		}
		if err := pre.shortBalanceErr("check", est, len(rows.phones), *allowShort); err != nil {
			return err
		}
		if *allowShort && pre.shortfall(est) > 0 {
			return errOf(ExitHalted, msgCheckShortAllowed, shortWhy{*pre, est, len(rows.phones)}).try(msgTopUpTry)
		}
	}
	guardNote := e.tr(msgGuardNotChecked)
	if *batchID != "" {
		period, err := batchPeriod("check", wsFlags, book)
		if err != nil {
			return err
		}
		if guardNote, err = previewGuard(ctx, e.lang, wsDir, workspace.NewBatch{
			ID: *batchID, Period: period, InputSHA256: info.SHA256, InputName: info.Name,
			Journal: *journalPath, Phones: rows.phones, Lines: rows.lines, AllowRegift: wsFlags.allowRegift,
		}); err != nil {
			return err
		}
	}
	fmt.Fprintln(w, guardNote)
	if plan != nil && pre != nil && plan.halts() && len(rows.phones) > 0 {
		return errOf(ExitHalted, msgCapWouldHalt, plan.halting()).try(msgCapWouldTry, plan.committed+plan.estimate)
	}

	if rep.Valid == 0 || len(rows.phones) == 0 {
		fmt.Fprint(w, e.tr(msgCheckNothing))
		return nil
	}
	verdict := e.tr(msgCheckWouldSend, len(rows.phones))
	if nCat > 0 {
		verdict += e.tr(msgCheckWouldReject, nCat)
	}
	if pre != nil && pre.balance.Credentials == juhe.CredsVerified && nCat == 0 {
		fmt.Fprint(w, e.tr(msgCheckOK, verdict))
		return nil
	}
	fmt.Fprint(w, e.tr(msgCheckVerdict, verdict, strings.TrimSuffix(firstLine(credsNote), ".")))
	return nil
}

// printTable says where the list was found in the file: its header row,
// the rows skipped inside it, the footers below it, the hidden rows.
func printTable(w io.Writer, l lang, rep *input.Report, max int) {
	above := ""
	if rep.HeaderRow > 1 {
		above = msgCheckAbove.in(l)
	}
	fmt.Fprint(w, msgCheckHeader.f(l, rep.HeaderRow, above))
	if rep.BlankRows > 0 {
		fmt.Fprint(w, msgCheckBlank.f(l, count{rep.BlankRows, nounBlank}))
	}
	if rep.HiddenSkipped > 0 {
		fmt.Fprint(w, msgCheckHiddenSkip.f(l, count{rep.HiddenSkipped, nounHiddenRow}))
	}
	if len(rep.Footers) > 0 || rep.TrailingBlank > 0 {
		fmt.Fprint(w, msgCheckFooters.in(l))
		for i, f := range rep.Footers {
			if i == max {
				fmt.Fprint(w, msgCheckMoreRows.f(l, len(rep.Footers)-max))
				break
			}
			fmt.Fprint(w, msgProblemRow.f(l, f.Line, f.Text))
		}
		if rep.TrailingBlank > 0 {
			fmt.Fprint(w, msgCheckTrailing.f(l, count{rep.TrailingBlank, nounBlank}))
		}
	}
	for _, t := range rep.Totals {
		fmt.Fprint(w, msgCheckTotal.f(l, t.Line, t.Count, rep.Info.Rows))
	}
	printHidden(w, l, rep, max)
}

// printHidden lists the hidden rows that refuse the file.
func printHidden(w io.Writer, l lang, rep *input.Report, max int) {
	if rep.HiddenCount == 0 {
		return
	}
	fmt.Fprint(w, msgCheckHidden.f(l, count{rep.HiddenCount, nounRow}))
	for i, l := range rep.HiddenRows {
		if i == max {
			break
		}
		fmt.Fprintf(w, " %d", l)
	}
	if rep.HiddenCount > min(max, len(rep.HiddenRows)) {
		fmt.Fprint(w, msgCheckMoreInline.f(l, rep.HiddenCount-min(max, len(rep.HiddenRows))))
	}
	fmt.Fprintln(w)
}

// orNone is s, or "not given" in the reader's language.
func orNone(s string) any {
	if s == "" {
		return msgNotGiven
	}
	return s
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// previewGuard is what the workspace guard would find now, as one line,
// or its refusal as submit words it (exit 3).
func previewGuard(ctx context.Context, l lang, dir string, nb workspace.NewBatch) (string, error) {
	ws, err := workspace.Open(dir)
	if err != nil {
		return msgGuardNoWorkspace.f(l, dir), nil
	}
	found, err := ws.Preview(ctx, nb)
	if err != nil {
		if ctx.Err() != nil {
			return "", err
		}
		return "", errOf(ExitError, msgGuardFailed, "check").cause(err)
	}
	if found.Refused() {
		return "", errOf(ExitInvalid, msgGuardRefused, "check", guardLines{found})
	}
	return strings.Join(found.LinesIn(string(l)), "\n"), nil
}

// pidRow is one row to send, for the catalogue's problems.
type pidRow struct {
	line    int
	phone   string
	carrier juhe.Carrier
}

// printCatalogueProblems lists the rows the provider will reject by the
// catalogue: a pid it does not have, and a pid for another carrier than
// the number's prefix. It returns how many rows.
func printCatalogueProblems(w io.Writer, l lang, byPid map[string][]pidRow, catalogue map[string]juhe.Product, max int) int {
	if len(catalogue) == 0 {
		return 0
	}
	pids := make([]string, 0, len(byPid))
	for p := range byPid {
		pids = append(pids, p)
	}
	sort.Strings(pids)
	var lines []string
	n := 0
	for _, pid := range pids {
		p, ok := catalogue[pid]
		for _, r := range byPid[pid] {
			var s string
			switch {
			case !ok:
				s = msgCatNotIn.f(l, r.line, pid)
			case p.Carrier != "" && p.Carrier != juhe.CarrierUnknown && r.carrier != juhe.CarrierUnknown && r.carrier != p.Carrier:
				s = msgCatOtherCarrier.f(l, r.line, r.phone, carrierWord{r.carrier}, pid, carrierWord{p.Carrier}, carrierWord{p.Carrier})
			default:
				continue
			}
			n++
			if len(lines) < max {
				lines = append(lines, "  "+s)
			}
		}
	}
	if n == 0 {
		return 0
	}
	fmt.Fprint(w, msgCatRejects.f(l, n))
	for _, s := range lines {
		fmt.Fprintln(w, s)
	}
	if n > len(lines) {
		fmt.Fprint(w, msgCheckMoreRows.f(l, n-len(lines)))
	}
	return n
}

func printCounts(w io.Writer, l lang, rep *input.Report) {
	if rep.Valid == 0 {
		return
	}
	fmt.Fprint(w, msgCheckByCarrier.in(l))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		if n := rep.ByCarrier[c]; n > 0 {
			name := c.English() + " (" + string(c) + ")"
			if l == langZH {
				name = string(c)
			}
			fmt.Fprintf(tw, "  %s\t%d\n", name, n)
		}
	}
	tw.Flush()
}

// checkPrices picks the price list the -prices flag names: the
// provider's is the one preflight read. Failing to get one is a note
// for the user, never an error: check still answers. The label and the
// note are in the command's language.
func checkPrices(source string, e *env, pre *preflight) (label string, catalogue map[string]juhe.Product, note string) {
	if source == "auto" {
		source = "sim"
		if e.getenv("JUHE_KEY") != "" {
			source = "provider"
		}
	}
	switch source {
	case "none":
		return e.tr(msgPricesNone), nil, ""
	case "sim":
		catalogue = map[string]juhe.Product{}
		for _, p := range juhesim.DefaultCatalogue() {
			catalogue[p.Pid] = p
		}
		return e.tr(msgPricesSim), catalogue, ""
	}
	label = e.tr(msgPricesProvider)
	switch {
	case pre == nil:
		return label, map[string]juhe.Product{}, e.tr(msgNoPricesCreds)
	case pre.catalogue == nil:
		return label, map[string]juhe.Product{}, e.tr(msgNoPrices, pre.catNote)
	}
	return label, pre.catalogue, ""
}

func printCost(w io.Writer, l lang, rep *input.Report, carriers map[string]map[juhe.Carrier]int, label string, catalogue map[string]juhe.Product, note string) {
	if rep.Valid == 0 {
		return
	}
	pids := make([]string, 0, len(rep.ByPid))
	for p := range rep.ByPid {
		pids = append(pids, p)
	}
	sort.Strings(pids)
	fmt.Fprint(w, msgCheckByPid.f(l, label))
	if note != "" {
		fmt.Fprint(w, msgPlanNote.f(l, note))
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var total juhe.Money
	var unknown []string
	var warnings []string
	for _, pid := range pids {
		n := rep.ByPid[pid]
		p, ok := catalogue[pid]
		switch {
		case catalogue == nil:
			fmt.Fprintf(tw, "  %s\t%d\n", pid, n)
		case !ok:
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", pid, n, msgPriceUnknown.in(l))
			unknown = append(unknown, pid)
		default:
			cost := p.Price * juhe.Money(n)
			total += cost
			fmt.Fprintf(tw, "  %s\t%d\t× %s\t= %s\t%s\n", pid, n, p.Price, cost, p.Name)
			if p.Carrier != "" && p.Carrier != juhe.CarrierUnknown {
				for c, k := range carriers[pid] {
					if c != p.Carrier && c != juhe.CarrierUnknown {
						warnings = append(warnings, msgPidOtherCarrier.f(l, pid, carrierWord{p.Carrier}, k, carrierWord{c}))
					}
				}
			}
		}
	}
	tw.Flush()
	if catalogue == nil {
		return
	}
	sort.Strings(warnings)
	for _, s := range warnings {
		fmt.Fprint(w, msgCheckWarning.f(l, s))
	}
	switch {
	case len(unknown) == len(pids):
		fmt.Fprint(w, msgCostUnknown.in(l))
	case len(unknown) > 0:
		fmt.Fprint(w, msgCostPartial.f(l, total, strings.Join(unknown, ", ")))
	default:
		fmt.Fprint(w, msgCost.f(l, total))
	}
}
