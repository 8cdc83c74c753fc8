package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
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
// A message or hint from the catalogue (text, tipText) is rendered in
// lang, which Run sets to the command's language; it wins over msg, tip.
type exitError struct {
	code int
	msg  string
	tip  string
	err  error

	text, tipText *phrase
	lang          lang
}

// errOf is an exitError whose message is m from the catalogue.
func errOf(code int, m msg, a ...any) *exitError {
	p := m.with(a...)
	return &exitError{code: code, text: &p}
}

func (e *exitError) message() string {
	if e.text != nil {
		return e.text.in(e.lang)
	}
	return e.msg
}

// hintText is the hint in e's language, "" for none.
func (e *exitError) hintText() string {
	if e.tipText != nil {
		return e.tipText.in(e.lang)
	}
	return e.tip
}

func (e *exitError) Error() string {
	msg := e.message()
	if _, ok := e.err.(canceled); ok {
		return msg
	}
	switch {
	case msg != "" && e.err != nil:
		return msg + msgErrSep.in(e.lang) + errText(e.lang, e.err)
	case msg != "":
		return msg
	case e.err != nil:
		return errText(e.lang, e.err)
	}
	return fmt.Sprintf("exit %d", e.code)
}

func (e *exitError) Unwrap() error { return e.err }

// cause keeps err, the internal error, after the message.
func (e *exitError) cause(err error) *exitError {
	e.err = err
	return e
}

// try sets the hint to m from the catalogue.
func (e *exitError) try(m msg, a ...any) *exitError {
	p := m.with(a...)
	e.tipText = &p
	return e
}

// usageErr is a bad command line (exit 2), said by m from the catalogue.
func usageErr(m msg, a ...any) *exitError { return errOf(ExitUsage, m, a...) }

// errText is err as a person reads it in l. In Chinese, a file that is
// not there, not allowed, a directory, or a full disk is said plainly
// with its path (the *fs.PathError's), whatever wrapped it, and so is
// where a journal is damaged; a reader's refusal it holds is in l's words
// (batch/input's table). English, and any other error, is err's own
// text, as scripts and tests know it.
func errText(l lang, err error) string {
	if s, ok := plainOSErr(l, err); ok {
		return s
	}
	return input.ErrorIn(err, string(l))
}

func plainOSErr(l lang, err error) (string, bool) {
	var pe *fs.PathError
	var de *journal.DamageError
	var we *workspace.LockedError
	switch {
	case l != langZH:
		return "", false
	case errors.As(err, &de):
		return msgDamageAt.f(l, de.Path, de.Record, de.Offset, damageWhy(l, de.Why)), true
	case errors.As(err, &we):
		return msgWsLockedAndTry.f(l, wsLockedWords{we}, msgWsLockedTry), true
	case !errors.As(err, &pe):
		return "", false
	}
	for _, c := range osErrWords {
		if errors.Is(pe.Err, c.err) {
			return c.m.f(l, pe.Path), true
		}
	}
	return "", false
}

// damageWhy is what the journal found wrong with a record, in l: the
// journal's English, or the catalogue's Chinese where it has it.
func damageWhy(l lang, why string) string {
	if l != langZH {
		return why
	}
	if m, ok := damageWhyWords[why]; ok {
		return m.in(l)
	}
	for _, p := range damageWhyPatterns {
		if g := p.re.FindStringSubmatch(why); g != nil {
			a := make([]any, len(g)-1)
			for i, x := range g[1:] {
				a[i] = x
			}
			return p.m.f(l, a...)
		}
	}
	return why
}

// inLang sets the language err is reported in, when it is an exitError;
// a bare cancellation becomes the interrupt it is.
func inLang(err error, l lang) error {
	if err == nil {
		return nil
	}
	var ee *exitError
	if errors.As(err, &ee) {
		ee.lang = l
		return err
	}
	if errors.Is(err, context.Canceled) {
		return &exitError{code: ExitInterrupted, text: &phrase{m: msgInterrupted}, lang: l, err: canceled{err}}
	}
	return &exitError{code: ExitError, err: err, lang: l}
}

// report prints err for the user and returns the exit code.
func report(w io.Writer, err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.message() != "" || ee.err != nil {
			fmt.Fprint(w, msgErrLine.f(ee.lang, ee.Error()))
		}
		if tip := ee.hintText(); tip != "" {
			fmt.Fprintf(w, "%s\n", tip)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(w, "flowbatch: %s\n", msgInterrupted.in(langEN))
		return ExitInterrupted
	}
	fmt.Fprintf(w, "flowbatch: %v\n", err)
	return ExitError
}

// reportText is what report printed without its "flowbatch: " (in
// Chinese "flowbatch：") in front: a page shows it under its own title.
func reportText(s string) string {
	s = strings.TrimSpace(s)
	for _, l := range []lang{langEN, langZH} {
		prefix, _, _ := strings.Cut(msgErrLine.in(l), "%s")
		if rest, ok := strings.CutPrefix(s, prefix); ok {
			return rest
		}
	}
	return s
}

// canceled keeps a cancellation in an error's chain (errors.Is finds
// context.Canceled) without printing it after "interrupted".
type canceled struct{ err error }

func (c canceled) Error() string { return "" }
func (c canceled) Unwrap() error { return c.err }

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
		return errOf(ExitUsage, msgCmdErr, cmd, notJournalWords{ne}).try(msgNotJournalTry)
	case errors.As(err, &le):
		return errOf(ExitLocked, msgCmdErr, cmd, lockedWords{le}).try(msgLockedTry)
	case errors.As(err, &de):
		ee := errOf(ExitDamaged, msgDamaged, cmd).try(msgDamagedTry, shellQuote(path))
		ee.err = de
		return ee
	case errors.Is(err, fs.ErrNotExist):
		return errOf(ExitError, msgNoJournal, cmd, path).try(msgNoJournalTry)
	}
	return &exitError{code: ExitError, msg: cmd, err: err}
}

// notJournalWords is a file that is not a journal, in the reader's language.
type notJournalWords struct{ e *journal.NotJournalError }

func (w notJournalWords) in(l lang) string {
	switch {
	case l != langZH:
		return w.e.Error()
	case w.e.Start != "":
		return msgNotJournalStart.f(l, w.e.Path, w.e.Start)
	case w.e.Kind != "":
		return msgNotJournalKind.f(l, w.e.Path, w.e.Kind)
	}
	return msgNotJournalEmpty.f(l, w.e.Path)
}

// lockedWords is a journal another process holds, in the reader's language.
type lockedWords struct{ e *journal.LockedError }

func (w lockedWords) in(l lang) string {
	switch {
	case l != langZH:
		return w.e.Error()
	case w.e.PID > 0:
		return msgLockedBy.f(l, w.e.Path, w.e.PID)
	}
	return msgLockedOther.f(l, w.e.Path)
}

// wsLockedWords is a workspace another process holds, in the reader's
// language, without its "Try:" (msgWsLockedTry).
type wsLockedWords struct{ e *workspace.LockedError }

func (w wsLockedWords) in(l lang) string {
	waited := w.e.Waited.Round(time.Millisecond)
	if w.e.PID > 0 {
		return msgWsLockedBy.f(l, w.e.Dir, w.e.PID, waited)
	}
	return msgWsLockedOther.f(l, w.e.Dir, waited)
}

// wsLockedErr is cmd's exit 6 for a workspace another process holds.
func wsLockedErr(cmd string, le *workspace.LockedError) *exitError {
	return errOf(ExitLocked, msgCmdErr, cmd, wsLockedWords{le}).try(msgWsLockedTry)
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
		return errOf(ExitUsage, msgNothingWritten, cmd, oe).try(msgOtherJournalTry, shellQuote(attest))
	case errors.As(err, &ae):
		return errOf(ExitDamaged, msgNothingWritten, cmd, ae).try(msgAnchorTry, shellQuote(journalPath), shellQuote(attest), shellQuote(attest))
	case errors.As(err, &te):
		return errOf(ExitDamaged, msgNothingWritten, cmd, te).try(msgAttestChangedTry, shellQuote(attest))
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
		return errOf(ExitDamaged, msgVerifyFailed).cause(ae)
	case errors.As(err, &de):
		return errOf(ExitDamaged, msgVerifyFailed).cause(err)
	}
	return journalErr("verify", path, err)
}

// callbackOpenErr maps a journal opening error to an exit code and a hint.
func callbackOpenErr(err error, path string) error {
	var le *journal.LockedError
	if errors.As(err, &le) {
		return (&exitError{code: ExitLocked, msg: "callback", err: err}).try(msgCallbackLockedTry, callback.SidePath(path))
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
		return haltErr(cmd, h)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return errOf(ExitInterrupted, msgInterruptRun, cmd, quoteArgs(args))
	}
	return &exitError{code: ExitError, msg: cmd, err: err}
}

// haltErr is a halt for the user: first the one thing to do and why
// ("fix JUHE_KEY, then run the same command again: wrong key (10001)"),
// then where it happened, and that nothing was charged when the journal
// proves it.
func haltErr(cmd string, h *batch.HaltError) error {
	ee := errOf(ExitHalted, msgHalted, cmd, haltAdvice{h})
	if h.NothingCharged {
		return ee.try(msgHaltWhereNone, haltWhere{h})
	}
	return ee.try(msgHaltWhere, haltWhere{h})
}

// haltAdvice is "advice: reason (code)" in the reader's language.
type haltAdvice struct{ h *batch.HaltError }

func (a haltAdvice) in(l lang) string {
	reason, advice := haltZh(a.h, l)
	return msgHaltAdvice.f(l, advice, reason, haltCode(a.h))
}

// haltWhere is "reason (code) at row N" in the reader's language.
type haltWhere struct{ h *batch.HaltError }

func (w haltWhere) in(l lang) string {
	reason, _ := haltZh(w.h, l)
	return msgHaltAt.f(l, reason, haltCode(w.h), journal.Thousands(w.h.Line))
}

func haltCode(h *batch.HaltError) string {
	if h.Code == juhe.NoCode || h.Code == 0 {
		return "-"
	}
	return strconv.Itoa(h.Code)
}

// haltZh is the halt's reason and advice in l: the engine's English, or
// the catalogue's Chinese for the provider's code.
func haltZh(h *batch.HaltError, l lang) (reason, advice string) {
	if l != langZH {
		return h.Reason, h.Advice
	}
	w, ok := haltWords[h.Code]
	if c, known := juhe.LookupCode(h.Code); !known || c.Submit != juhe.ClassHalt {
		w, ok = msgThrottleHalt, true
	}
	if !ok {
		return h.Reason, h.Advice
	}
	if w[1] == "稍后" {
		return w[0], "稍后再次运行同一命令"
	}
	return w[0], w[1] + "，然后再次运行同一命令"
}

// submitExit maps what Submit returned to the user's error and exit code.
func submitExit(ctx context.Context, cmd string, args []string, res batch.Result, err error) error {
	if err := engineErr(ctx, cmd, args, err); err != nil {
		return err
	}
	if n := res.Unsubmitted(); n > 0 {
		return errOf(ExitOpen, msgStillNoOutcome, cmd, count{n, nounRow}).try(msgSameCommandTry, quoteArgs(args))
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
	ee := errOf(ExitOpen, msgQueryNotFinal, count{res.Open(), nounRow})
	switch {
	case notSent > 0 && open > 0:
		return ee.try(msgQueryResendAndTry, count{notSent, nounOrder}, shellQuote(journal))
	case notSent > 0:
		return ee.try(msgQueryResendTry, count{notSent, nounOrder})
	}
	return ee.try(msgQueryLaterTry, shellQuote(journal))
}
