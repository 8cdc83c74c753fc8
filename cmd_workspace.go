package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch/workspace"
)

const workspaceUsage = `Usage: flowbatch workspace list [-workspace DIR]
       flowbatch workspace forget -journal PATH -why TEXT [-who NAME] [-workspace DIR]

The workspace is where batches meet (README "The workspace"): its journals,
the index that summarises them, and the guard that refuses a second gift.

list prints every journal the workspace knows, with what was found of it:
ok, missing, cut or damaged. It reads without the lock and writes nothing.

forget lets the guard stop refusing over a journal that has gone missing,
was cut short or is damaged: a decision a person takes, kept with why and
who in forgotten.log in the workspace. A journal that is fine cannot be
forgotten.

Exit codes: 0 done; 2 bad command line, or nothing to forget; 6 the
workspace is in use.

Flags:
`

func runWorkspace(ctx context.Context, e *env, args []string) error {
	sub := ""
	if len(args) > 0 && (args[0] == "list" || args[0] == "forget") {
		sub, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("workspace", flag.ContinueOnError)
	dirFlag := fs.String("workspace", "", "workspace `directory` (default $"+workspace.EnvDir+", else your data directory)")
	journal := fs.String("journal", "", "forget: the journal `path` to forget, as list prints it")
	why := fs.String("why", "", "forget: why it is forgotten (`text`, kept in forgotten.log)")
	who := fs.String("who", "", "forget: who decides (`name`; default the OS user)")
	if help, err := parseFlags(e, fs, workspaceUsage, args, msgWorkspaceTry.with()); help || err != nil {
		return err
	}
	switch sub {
	case "list":
		return workspaceList(ctx, e, *dirFlag)
	case "forget":
		if *journal == "" || *why == "" {
			return usageErr(msgForgetRequired).try(msgForgetRequiredTry)
		}
		if *who == "" {
			*who = workspace.Who().String()
		}
		return workspaceForget(ctx, e, *dirFlag, *journal, *why, *who)
	}
	return usageErr(msgWorkspaceWhich).try(msgWorkspaceTry)
}

func workspaceList(ctx context.Context, e *env, flagDir string) error {
	dir, err := workspace.Locate(flagDir, e.getenv)
	if err != nil {
		return usageErr(msgCmdErr, "workspace list", err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		fmt.Fprint(e.stdout, e.tr(msgWsListNone, dir))
		return nil
	}
	js, err := ws.Journals(ctx)
	if err != nil {
		return &exitError{code: ExitError, msg: "workspace list", err: err}
	}
	fmt.Fprint(e.stdout, e.tr(msgWsListHead, ws.Dir, count{len(js), nounJournal}))
	var tb table // aligned as a terminal shows Chinese
	if len(js) > 0 {
		tb.add(strings.Split(e.tr(msgWsListColumns), "\t")...)
	}
	for _, j := range js {
		period := string(j.Period)
		if j.PeriodDerived {
			period += "*"
		}
		by := workspace.Identity{User: j.User, Host: j.Host}.String()
		tb.add(string(j.State), j.BatchID, period, strconv.Itoa(j.Sent+j.Unphoned), strconv.Itoa(j.Planned), by, j.Path)
	}
	tb.write(e.stdout)
	for _, j := range js {
		if j.State != workspace.StateOK {
			fmt.Fprintf(e.stdout, "%s: %s: %s\n", j.State, j.Path, j.Why)
		}
	}
	return nil
}

func workspaceForget(ctx context.Context, e *env, flagDir, journal, why, who string) error {
	dir, err := workspace.Locate(flagDir, e.getenv)
	if err != nil {
		return usageErr(msgCmdErr, "workspace forget", err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return usageErr(msgCmdErr, "workspace forget", err)
	}
	l, err := ws.Lock(ctx)
	if err != nil {
		var le *workspace.LockedError
		if errors.As(err, &le) {
			return wsLockedErr("workspace forget", le)
		}
		return &exitError{code: ExitError, msg: "workspace forget", err: err}
	}
	defer l.Unlock()
	fg, err := l.Forget(ctx, journal, why, who)
	if err != nil {
		return usageErr(msgCmdErr, "workspace forget", err)
	}
	fmt.Fprint(e.stdout, e.tr(msgForgot, fg.State, fg.Journal, fg.BatchID, fg.Records, fg.Head, fg.Who, fg.Why))
	return l.Unlock()
}
