package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

//go:embed samples/gift.xlsx
var demoInput []byte

const demoUsage = `Usage: flowbatch demo [-out DIR] [-lang zh|en]

Runs the main job end to end with no key, no network and no setup: it starts
the built-in provider simulator in this process (with realistic latency, a
few lost answers and a few failed orders), runs samples/gift.xlsx through
'flowbatch run' with callbacks, writes the reconciliation workbook, and ties
its totals out against the simulator's own ledger.

Flags:
`

func runDemo(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	out := fs.String("out", "demo-out", "`directory` for the input copy, the journal and the workbook")
	lang := fs.String("lang", "zh", "workbook labels: zh or en")
	seed := fs.Int64("seed", time.Now().UnixNano(), "simulator `seed`, to replay a demo")
	if help, err := parseFlags(e, fs, demoUsage, args, msgTryCmdHelp.with("demo")); help || err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o700); err != nil {
		return &exitError{code: ExitError, msg: "demo", err: err}
	}
	input := filepath.Join(*out, "gift.xlsx")
	if err := os.WriteFile(input, demoInput, 0o600); err != nil {
		return &exitError{code: ExitError, msg: "demo", err: err}
	}

	const key, openID = "demo-key-not-secret", "demo-openid-not-secret"
	sim := juhesim.NewServer(juhesim.Config{
		Key: key, OpenID: openID,
		SettleDelay:  1500 * time.Millisecond,
		SuccessRatio: 0.9,
		Seed:         *seed,
		Faults: juhesim.Faults{
			Latency: 1, LatencyMin: 20 * time.Millisecond, LatencyMax: 250 * time.Millisecond,
			Err10014AfterCharge: 0.05,
			DropAfterCharge:     0.03,
			HTML502Before:       0.03,
		},
	})
	defer sim.Close()
	fmt.Fprint(e.stdout, e.tr(msgDemoSim, sim.URL, *seed))

	id := "demo-" + time.Now().Format("20060102-150405")
	workbook := filepath.Join(*out, id+".xlsx")
	demoEnv := *e
	demoEnv.getenv = func(k string) string {
		switch k {
		case "JUHE_KEY":
			return key
		case "JUHE_OPENID":
			return openID
		case "JUHE_BASE_URL":
			return sim.URL
		case workspace.EnvDir:
			// The demo's own workspace, never the user's.
			return filepath.Join(*out, "workspace")
		}
		return e.getenv(k)
	}
	runArgs := []string{
		"-in", input, "-batch", id, "-journal", filepath.Join(*out, id+".journal"),
		"-out", workbook, "-csv", filepath.Join(*out, id+".csv"), "-lang", *lang,
		"-rate", "20", "-wait", "2m", "-callback-addr", "127.0.0.1:0",
		// Every demo gifts the same sample again, on purpose.
		"-allow-regift",
		// The demo's simulator looks an order up as soon as it charges it,
		// so a short grace is safe here and keeps the demo quick.
		"-resubmit-grace", "5s",
		// Its orders settle in 1.5 s and its callbacks reach this process:
		// the polite minute before a first query, and between two, would
		// only make the demo wait.
		"-first-query", "2s", "-query-interval", "5s",
	}
	fmt.Fprint(e.stdout, e.tr(msgDemoRunning, quoteArgs(runArgs)))
	// runCommand, not Run: the demo's -lang zh (the workbook's default)
	// must not change the terminal's language, which is the demo's own.
	runErr := runCommand(ctx, &demoEnv, append([]string{"run"}, runArgs...))

	l := sim.Ledger()
	var spend juhe.Money
	success := 0
	for _, o := range l.Orders {
		if o.State == juhe.StateSuccess {
			spend += o.Cost
			success++
		}
	}
	fmt.Fprint(e.stdout, e.tr(msgDemoLedger, l.Count, success, spend, l.Refunded, l.BalanceYuan))
	fmt.Fprint(e.stdout, e.tr(msgDemoWorkbook, workbook))
	return runErr
}
