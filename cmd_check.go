package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const checkUsage = `Usage: flowbatch check -in FILE [flags]

Reads and validates the whole input file, prints every problem with its row
number, the rows per product and per carrier and an estimated cost. It submits
nothing and writes nothing. The exit code is 0 when submit with the same
flags would go ahead, 3 when it would refuse.

Flags:
`

func runCheck(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("check", flag.ContinueOnError)
	in := fs.String("in", "", "input `file`: .csv, .txt, .xlsx or .xlsm")
	encoding := fs.String("encoding", "", "CSV encoding: utf-8, gbk or gb18030 (default: detect from the bytes)")
	sheet := fs.String("sheet", "", "XLSX or ODS sheet `name` (default: the visible sheet with a header in its first 20 rows; hidden sheets are never read)")
	batchID := fs.String("batch", "", "batch `id` (only checked here; orderids derive from it)")
	skipInvalid := fs.Bool("skip-invalid", false, "as submit: invalid rows are recorded and the rest submitted")
	allowDups := fs.Bool("allow-duplicates", false, "as submit: a repeated (phone, pid) is submitted as its own order")
	prices := fs.String("prices", "auto", "price source: auto (provider when JUHE_KEY is set, else sim), sim, provider or none")
	maxProblems := fs.Int("max-problems", 50, "print at most `n` problems")
	baseURL := fs.String("base-url", "", "provider base URL for -prices provider (default $JUHE_BASE_URL or http://v.juhe.cn)")
	table := addTableFlags(fs)
	if help, err := parseFlags(e, fs, checkUsage, args, "Try: flowbatch check -in FILE"); help || err != nil {
		return err
	}
	switch {
	case *in == "":
		return usageErr("check: -in is required").hint("Try: flowbatch check -in samples/gift-utf8.csv")
	case *maxProblems < 0:
		return usageErr("check: -max-problems must not be negative")
	}
	switch *prices {
	case "auto", "sim", "provider", "none":
	default:
		return usageErr("check: -prices %q: use auto, sim, provider or none", *prices)
	}
	if err := table.check("check"); err != nil {
		return err
	}
	if *batchID != "" {
		if err := batch.ValidateBatchID(*batchID); err != nil {
			return usageErr("check: -batch: %v", err)
		}
	}

	// Per pid, the carriers of the rows to submit: a Unicom number sent
	// to a China Mobile product is money the provider will refuse.
	carriers := map[string]map[juhe.Carrier]int{}
	opts := batch.InputOptions{Encoding: *encoding, Sheet: *sheet, BatchID: *batchID, AllowDuplicates: *allowDups}
	table.apply(&opts)
	rep, err := batch.ReadInput(ctx, *in, opts, func(r *batch.RowRecord) error {
		if r.OrderID == "" {
			return nil
		}
		m := carriers[r.Pid]
		if m == nil {
			m = map[juhe.Carrier]int{}
			carriers[r.Pid] = m
		}
		m[juhe.CarrierOf(r.Phone)]++
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return err
		}
		return &exitError{code: ExitInvalid, msg: "check", err: err}
	}

	w := e.stdout
	info := rep.Info
	fmt.Fprintf(w, "file:     %s\n", info.Name)
	switch info.Format {
	case "xlsx", "ods":
		fmt.Fprintf(w, "format:   %s, sheet %q\n", info.Format, info.Sheet)
	default:
		fmt.Fprintf(w, "format:   %s, encoding %s\n", info.Format, info.Encoding)
	}
	fmt.Fprintf(w, "sha256:   %s\n", info.SHA256)
	fmt.Fprintf(w, "rows:     %d (%d to submit, %d invalid, %d duplicate)\n", info.Rows, rep.Valid, len(rep.Invalid), len(rep.Duplicates))
	if len(info.Extra) > 0 {
		fmt.Fprintf(w, "carried:  %s\n", strings.Join(info.Extra, ", "))
	}
	printTable(w, rep, *maxProblems)

	printProblems(w, rep, *maxProblems)
	printCounts(w, rep)
	label, catalogue, note := checkPrices(ctx, e, *prices, *baseURL)
	printCost(w, rep, carriers, label, catalogue, note)

	if why, fixes := inputRefusal(rep, *skipInvalid, *allowDups); why != nil {
		return (&exitError{code: ExitInvalid, msg: "check: submit would refuse this file: " + strings.Join(why, " and ")}).
			hint("Try: fix the rows above, or add %s", strings.Join(fixes, ", and "))
	}
	if rep.Valid == 0 {
		fmt.Fprintln(w, "\nnothing to submit.")
		return nil
	}
	fmt.Fprintf(w, "\nok: submit would send %d orders.\n", rep.Valid)
	return nil
}

// printTable says where the list was found in the file: its header row,
// the rows skipped inside it, the footers below it, the hidden rows.
func printTable(w io.Writer, rep *batch.InputReport, max int) {
	above := ""
	if rep.HeaderRow > 1 {
		above = " (the rows above it are not data)"
	}
	fmt.Fprintf(w, "header:   row %d%s\n", rep.HeaderRow, above)
	if rep.BlankRows > 0 {
		fmt.Fprintf(w, "skipped:  %s inside the list\n", plural(rep.BlankRows, "blank row"))
	}
	if rep.HiddenSkipped > 0 {
		fmt.Fprintf(w, "skipped:  %s (-hidden-rows skip)\n", plural(rep.HiddenSkipped, "hidden row"))
	}
	if len(rep.Footers) > 0 || rep.TrailingBlank > 0 {
		fmt.Fprintf(w, "footers:  not data, never submitted:\n")
		for i, f := range rep.Footers {
			if i == max {
				fmt.Fprintf(w, "  … and %d more\n", len(rep.Footers)-max)
				break
			}
			fmt.Fprintf(w, "  row %d: %s\n", f.Line, f.Text)
		}
		if rep.TrailingBlank > 0 {
			fmt.Fprintf(w, "  %s at the end\n", plural(rep.TrailingBlank, "blank row"))
		}
	}
	for _, t := range rep.Totals {
		fmt.Fprintf(w, "total:    row %d states %d rows: matches the %d read\n", t.Line, t.Count, rep.Info.Rows)
	}
	printHidden(w, rep, max)
}

// printHidden lists the hidden rows that refuse the file.
func printHidden(w io.Writer, rep *batch.InputReport, max int) {
	if rep.HiddenCount == 0 {
		return
	}
	fmt.Fprintf(w, "hidden:   %s hidden or filtered out, not what the user sees:", plural(rep.HiddenCount, "row"))
	for i, l := range rep.HiddenRows {
		if i == max {
			break
		}
		fmt.Fprintf(w, " %d", l)
	}
	if rep.HiddenCount > min(max, len(rep.HiddenRows)) {
		fmt.Fprintf(w, " … and %d more", rep.HiddenCount-min(max, len(rep.HiddenRows)))
	}
	fmt.Fprintln(w)
}

func printCounts(w io.Writer, rep *batch.InputReport) {
	if rep.Valid == 0 {
		return
	}
	fmt.Fprintf(w, "\nto submit by carrier:\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		if n := rep.ByCarrier[c]; n > 0 {
			fmt.Fprintf(tw, "  %s (%s)\t%d\n", c.English(), c, n)
		}
	}
	tw.Flush()
}

// checkPrices fetches the price list the -prices flag names. Failing to
// get one is a note for the user, never an error: check still answers.
func checkPrices(ctx context.Context, e *env, source, baseURL string) (label string, catalogue map[string]juhe.Product, note string) {
	if source == "auto" {
		source = "sim"
		if e.getenv("JUHE_KEY") != "" {
			source = "provider"
		}
	}
	var ps []juhe.Product
	switch source {
	case "none":
		return "none", nil, ""
	case "sim":
		label, ps = "simulator catalogue — not the provider's", juhesim.DefaultCatalogue()
	case "provider":
		label = "provider (flow/list)"
		c, err := juhe.NewClient(juhe.Config{BaseURL: providerBaseURL(e, baseURL), Key: e.getenv("JUHE_KEY"), OpenID: e.getenv("JUHE_OPENID"), Timeout: 20 * time.Second})
		if err != nil {
			return label, map[string]juhe.Product{}, fmt.Sprintf("no prices: %v", err)
		}
		ps, err = c.Products(ctx)
		if err != nil {
			return label, map[string]juhe.Product{}, fmt.Sprintf("no prices: %v", err)
		}
	}
	catalogue = make(map[string]juhe.Product, len(ps))
	for _, p := range ps {
		catalogue[p.Pid] = p
	}
	return label, catalogue, ""
}

func printCost(w io.Writer, rep *batch.InputReport, carriers map[string]map[juhe.Carrier]int, label string, catalogue map[string]juhe.Product, note string) {
	if rep.Valid == 0 {
		return
	}
	pids := make([]string, 0, len(rep.ByPid))
	for p := range rep.ByPid {
		pids = append(pids, p)
	}
	sort.Strings(pids)
	fmt.Fprintf(w, "\nto submit by pid (prices: %s):\n", label)
	if note != "" {
		fmt.Fprintf(w, "  note: %s\n", note)
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
			fmt.Fprintf(tw, "  %s\t%d\tprice unknown\n", pid, n)
			unknown = append(unknown, pid)
		default:
			cost := p.Price * juhe.Money(n)
			total += cost
			fmt.Fprintf(tw, "  %s\t%d\t× %s\t= %s\t%s\n", pid, n, p.Price, cost, p.Name)
			if p.Carrier != "" && p.Carrier != juhe.CarrierUnknown {
				for c, k := range carriers[pid] {
					if c != p.Carrier {
						warnings = append(warnings, fmt.Sprintf("pid %s is a %s product, but %d rows to submit are %s numbers", pid, p.Carrier.English(), k, c.English()))
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
		fmt.Fprintf(w, "  warning: %s\n", s)
	}
	switch {
	case len(unknown) == len(pids):
		fmt.Fprintf(w, "estimated cost: unknown\n")
	case len(unknown) > 0:
		fmt.Fprintf(w, "estimated cost: %s yuan, plus rows of pid %s (price unknown)\n", total, strings.Join(unknown, ", "))
	default:
		fmt.Fprintf(w, "estimated cost: %s yuan\n", total)
	}
}
