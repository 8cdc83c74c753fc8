package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"time"

	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/juhe"
)

const callbackUsage = `Usage: flowbatch callback -addr HOST:PORT -journal PATH [-max-body N]

Serves the provider's status callbacks beside a batch that runs in another
process. It reads the batch's journal without locking it, and writes every
verified callback for an order of the batch to its own side journal,
PATH.callbacks; a running or resumed batch imports them into its journal.
A bad sign or an unknown orderid gets 403 and a log line, and writes nothing.

The key comes from $JUHE_KEY (the sign is md5(key+sporder_id+orderid)); the
OpenID is not needed. Runs until interrupted.

Flags:
`

func runCallback(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("callback", flag.ContinueOnError)
	addr := fs.String("addr", "", "listen `address`, e.g. :8080 (port 0 picks a free one)")
	journal := fs.String("journal", "", "the batch's journal `path`")
	maxBody := fs.Int64("max-body", callback.DefaultMaxBody, "largest request body in `bytes`")
	if help, err := parseFlags(e, fs, callbackUsage, args, msgTryCmdHelp.with("callback")); help || err != nil {
		return err
	}
	switch {
	case *addr == "" || *journal == "":
		return usageErr(msgCallbackRequired).try(msgCallbackRequiredTry)
	case *maxBody <= 0:
		return usageErr(msgCallbackMaxBody)
	}
	key := e.getenv("JUHE_KEY")
	if key == "" {
		return usageErr(msgCallbackNoKey)
	}
	openID := e.getenv("JUHE_OPENID")
	if openID == "" {
		openID = "unused" // callbacks are signed with the key alone
	}
	client, err := juhe.NewClient(juhe.Config{Key: key, OpenID: openID})
	if err != nil {
		return &exitError{code: ExitUsage, msg: "callback", err: err}
	}

	warn := func(s string) { fmt.Fprintf(e.stderr, "flowbatch callback: %s\n", s) }
	side, err := callback.OpenSide(ctx, *journal, warn)
	if err != nil {
		return callbackOpenErr(err, *journal)
	}
	defer side.Close()

	opts := side.Options()
	opts.Verifier = client
	opts.MaxBody = *maxBody
	opts.Logf = func(format string, a ...any) {
		fmt.Fprintf(e.stderr, "%s %s\n", time.Now().Format(time.RFC3339), noteIn(e.lang, format, a...))
	}
	srv := callback.NewServer(*addr, callback.NewHandler(opts))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return errOf(ExitError, msgCannotListen, "callback").cause(err)
	}
	fmt.Fprintf(e.stdout, "flowbatch callback: listening on http://%s/ for batch %s (writing %s)\n", ln.Addr(), side.BatchID(), side.Path())
	if err := callback.Serve(ctx, srv, ln); err != nil {
		return &exitError{code: ExitError, msg: "callback", err: err}
	}
	if err := side.Close(); err != nil {
		return errOf(ExitError, msgClosingSide).cause(err)
	}
	return nil
}
