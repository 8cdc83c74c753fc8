package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/reconcile"
)

// Exit codes. They are documented in README.md, in this order, and
// stable; TestReadmeListsTheExitCodes holds the table to them. The
// functions that map an error to a code and a hint are in this file.
const (
	ExitOK          = 0
	ExitError       = 1   // unexpected failure; nothing known was lost
	ExitUsage       = 2   // bad command line
	ExitInvalid     = 3   // input has invalid or duplicate rows; nothing was spent
	ExitHalted      = 4   // the provider said stop (balance, key, sign, ban, quota)
	ExitOpen        = 5   // finished working, but some orders are not final
	ExitLocked      = 6   // another process holds the journal
	ExitDamaged     = 7   // journal damaged or verification failed
	ExitInterrupted = 130 // SIGINT/SIGTERM; run the same command again
)

// exitError is an error meant for the user: a message, an optional hint
// ("Try: …") and an exit code, kept apart from the wrapped internal error.
type exitError struct {
	code int
	msg  string
	tip  string
	err  error
}

func (e *exitError) Error() string {
	switch {
	case e.msg != "" && e.err != nil:
		return e.msg + ": " + e.err.Error()
	case e.msg != "":
		return e.msg
	case e.err != nil:
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

func (e *exitError) Unwrap() error { return e.err }

func (e *exitError) hint(format string, a ...any) *exitError {
	e.tip = fmt.Sprintf(format, a...)
	return e
}

func usageErr(format string, a ...any) *exitError {
	return &exitError{code: ExitUsage, msg: fmt.Sprintf(format, a...)}
}

// report prints err for the user and returns the exit code.
func report(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" || ee.err != nil {
			fmt.Fprintf(w, "flowbatch: %s\n", ee.Error())
		}
		if ee.tip != "" {
			fmt.Fprintf(w, "%s\n", ee.tip)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "flowbatch: interrupted\n")
		return ExitInterrupted
	}
	fmt.Fprintf(w, "flowbatch: %v\n", err)
	return ExitError
}

// journalErr maps an error from opening, creating or reading a journal to
// the user's message and exit code. It is the one place that does.
func journalErr(cmd, path string, err error) error {
	var le *journal.LockedError
	var de *journal.DamageError
	var ne *journal.NotJournalError
	err = journal.NotJournal(path, err)
	switch {
	case errors.Is(err, context.Canceled):
		return err
	case errors.As(err, &ne):
		return (&exitError{code: ExitUsage, msg: fmt.Sprintf("%s: %v", cmd, ne)}).
			hint("Try: the -journal path that submit or run used (BATCH.journal by default)")
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

// attestErr maps a journal that no longer reaches the attestation beside
// its workbook, or an attestation that cannot be read, to exit 7, and an
// attestation of another journal of the batch there to exit 2; nil for
// any other error.
func attestErr(cmd, journalPath, attest string, err error) error {
	var ae *journal.AnchorError
	var te *reconcile.AttestationError
	var oe *reconcile.OtherJournalError
	switch {
	case errors.As(err, &oe):
		return (&exitError{code: ExitUsage, msg: fmt.Sprintf("%s: %v; nothing was written", cmd, oe)}).
			hint("Try: another -out directory for this journal's workbook, or a new batch id; keep %s for the audit", shellQuote(attest))
	case errors.As(err, &ae):
		return (&exitError{code: ExitDamaged, msg: fmt.Sprintf("%s: %v; nothing was written", cmd, ae)}).
			hint("Try: flowbatch verify -journal %s -attest %s; keep both files for the audit. Only if this journal really replaces the attested one, move %s away (and keep it)",
				shellQuote(journalPath), shellQuote(attest), shellQuote(attest))
	case errors.As(err, &te):
		return (&exitError{code: ExitDamaged, msg: fmt.Sprintf("%s: %v; nothing was written", cmd, te)}).
			hint("Try: keep %s for the audit, and find out who changed it", shellQuote(attest))
	}
	return nil
}

// verifyErr maps what verification found to the user's message and exit
// code: damage and a missed anchor are exit 7.
func verifyErr(path string, err error) error {
	var de *journal.DamageError
	var ae *journal.AnchorError
	switch {
	case errors.As(err, &ae):
		return &exitError{code: ExitDamaged, msg: "verify: FAILED", err: ae}
	case errors.As(err, &de):
		return &exitError{code: ExitDamaged, msg: "verify: FAILED", err: err}
	}
	return journalErr("verify", path, err)
}

// callbackOpenErr maps a journal opening error to an exit code and a hint.
func callbackOpenErr(err error, path string) error {
	var le *journal.LockedError
	if errors.As(err, &le) {
		return (&exitError{code: ExitLocked, msg: "callback", err: err}).
			hint("Another callback server writes %s already; one per batch is enough.", callback.SidePath(path))
	}
	var de *journal.DamageError
	if errors.As(err, &de) {
		return journalErr("callback", de.Path, err)
	}
	return journalErr("callback", path, err)
}

// engineErr maps a halt, an interrupt or a journal failure; nil stays nil.
func engineErr(ctx context.Context, cmd string, args []string, err error) error {
	if err == nil {
		return nil
	}
	var h *batch.HaltError
	switch {
	case errors.As(err, &h) && h.SpendCap != nil:
		return capHaltErr(cmd, args, err)
	case errors.As(err, &h):
		return &exitError{code: ExitHalted, msg: fmt.Sprintf("%s: halted: %v", cmd, h)}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return &exitError{code: ExitInterrupted,
			msg: fmt.Sprintf("interrupted: run the same command again to continue: flowbatch %s %s", cmd, quoteArgs(args))}
	}
	return &exitError{code: ExitError, msg: cmd, err: err}
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

// queryOpen is ExitOpen with what to do next when rows are not final.
func queryOpen(res batch.Result, journal string) error {
	if res.Open() == 0 {
		return nil
	}
	t := res.Totals
	open := t.ByStatus[batch.StatusCharging] + t.ByStatus[batch.StatusUnknown]
	notSent := t.ByStatus[batch.StatusNotSubmitted]
	ee := &exitError{code: ExitOpen, msg: fmt.Sprintf("query: %s not final", plural(res.Open(), "row"))}
	switch {
	case notSent > 0 && open > 0:
		return ee.hint("Try: the same submit command again to send the %s the provider does not have, then flowbatch query -journal %s -wait 1h",
			plural(notSent, "order"), shellQuote(journal))
	case notSent > 0:
		return ee.hint("Try: the same submit command again to send the %s the provider does not have", plural(notSent, "order"))
	}
	return ee.hint("Try: flowbatch query -journal %s -wait 1h (later; the provider is still charging)", shellQuote(journal))
}
