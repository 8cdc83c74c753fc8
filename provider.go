package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

// The provider's books: reconcile -provider and the end of run pull the
// provider's statement (flow/ordersbydate) for the batch's span into the
// statement file beside the journal; the workbook matches it against the
// journal and the other journals of the workspace. The statement is
// optional like every account-side endpoint: when the key may not read it
// the workbook says so, and everything else stands.

// statementSource is what a pull needs of the provider client.
type statementSource interface {
	OrdersByDate(ctx context.Context, start, end time.Time, page, pageSize int) (juhe.StatementPage, juhe.Reply)
}

// pullStatement pulls the provider's statement for book's span into the
// statement file. account is the account the key belongs to ("" when the
// balance endpoint did not say). Provider refusals are recorded in the
// file and said on stderr; an error is a file that cannot be written or
// belongs to another account.
func pullStatement(ctx context.Context, e *env, c statementSource, book *batch.Book, account string, lim batch.Limiter) error {
	from, to, ok := statement.BatchSpan(book)
	if !ok {
		fmt.Fprintln(e.stderr, e.tr(msgStmtNothing))
		return nil
	}
	if jacc := book.Header.Settings[workspace.SettingAccount]; jacc != "" && account != "" && jacc != account {
		return &keyAccountError{key: account, batch: jacc}
	}
	if account == "" {
		account = book.Header.Settings[workspace.SettingAccount]
	}
	path := statement.Path(book.Path)
	rep, err := statement.Pull(ctx, c, path, statement.Periods(from, to), statement.PullOptions{
		BatchID: book.Header.BatchID, Account: account, ToolVersion: version, Limiter: lim, Warn: warnTo(e.stderr, e.lang),
	})
	if err != nil {
		return err
	}
	if rep.NotAvailable != "" {
		fmt.Fprintln(e.stderr, e.tr(msgStmtPartial, count{rep.Whole, nounPeriod}, count{rep.Periods, nounPeriod}, rep.NotAvailable))
		return nil
	}
	fmt.Fprintln(e.stderr, e.tr(msgStmtKept, count{rep.Periods, nounPeriod}, count{rep.Lines, nounOrder}, count{rep.Requests, nounRequest}, path))
	return nil
}

// keyAccountError says the key is of another account than the batch ran
// on: its statement cannot show the batch, and is not pulled.
type keyAccountError struct{ key, batch string }

func (e *keyAccountError) Error() string { return e.in(langEN) }

// in is the error in the reader's language, as a message's argument.
func (e *keyAccountError) in(l lang) string { return msgKeyAccount.f(l, e.key, e.batch) }

// providerLeg is what the workbook needs for the provider's books, or nil
// when there is no statement file and none was asked for (want nil): the
// workbook then leaves them out. It reads the statement file, the side
// file of balances an older run kept, and the workspace's other journals.
// want's NotAvailable says why there is no statement, when a pull was
// asked for and refused.
func providerLeg(ctx context.Context, e *env, book *batch.Book, want *reconcile.ProviderLeg) (*reconcile.ProviderLeg, error) {
	path := statement.Path(book.Path)
	st, err := statement.Read(ctx, path)
	if errors.Is(err, fs.ErrNotExist) {
		if want == nil {
			return nil, nil
		}
		st, err = nil, nil
	}
	leg := &reconcile.ProviderLeg{Statement: st}
	if st == nil && want != nil {
		leg.NotAvailable = want.NotAvailable
	}
	if err != nil {
		// A damaged statement is refused, never half-read; the rest of
		// the workbook stands.
		leg.Statement, leg.NotAvailable = nil, err.Error()
		fmt.Fprint(e.stderr, e.tr(msgWarning, err))
	}
	if leg.SideBalances, err = sideBalances(book.Path); err != nil {
		return nil, err
	}
	if leg.Statement != nil && leg.Statement.NotWhole() == "" {
		leg.Others = otherJournals(ctx, e, book, leg.Statement)
	}
	return leg, nil
}

// otherJournals loads the workspace's journals but book's own that may
// hold orders of st: of its account (or of none known), with something
// sent, and written to since a day before st's first period (a journal
// last written earlier holds no order of it). One that cannot be read is
// said on stderr: its orders would read as unexplained.
func otherJournals(ctx context.Context, e *env, book *batch.Book, st *statement.Statement) []*batch.Book {
	dir := book.Header.Settings[settingWorkspace]
	if dir == "" {
		var err error
		if dir, err = workspace.Locate("", e.getenv); err != nil {
			return nil
		}
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return nil
	}
	js, err := ws.Journals(ctx)
	if err != nil {
		fmt.Fprint(e.stderr, e.tr(msgWarnWorkspaceUnread, dir, err))
		return nil
	}
	self, _ := os.Stat(book.Path)
	var out []*batch.Book
	var unread []string
	since := time.Unix(st.Periods[0].Start, 0).Add(-24 * time.Hour).UnixNano()
	for _, j := range js {
		if fi, err := os.Stat(j.Path); err == nil && self != nil && os.SameFile(fi, self) {
			continue
		}
		if j.State == workspace.StateOK && (j.Sent == 0 || j.ModTime < since || j.Account != "" && st.Account != "" && j.Account != st.Account) {
			continue
		}
		b, err := batch.LoadBook(ctx, j.Path)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				unread = append(unread, j.Path)
			}
			continue
		}
		out = append(out, b)
	}
	if len(unread) > 0 {
		fmt.Fprint(e.stderr, e.tr(msgWarnJournalsUnread, count{len(unread), nounJournal}, strings.Join(unread, ", ")))
	}
	return out
}

// printProviderSummary says on the terminal what the provider's books say.
func printProviderSummary(w io.Writer, l lang, s *reconcile.ProviderSummary) {
	if s == nil {
		return
	}
	if s.NotAvailable != "" {
		fmt.Fprint(w, msgProvNotAvailable.f(l, s.NotAvailable))
	} else {
		check := msgWbOK
		if !s.Agrees {
			check = msgWbMismatch
		}
		t := s.Totals
		fmt.Fprint(w, msgProvSummary.f(l,
			check, t[reconcile.Matched].Count, t[reconcile.StateDiffers].Count, t[reconcile.CostDiffers].Count,
			t[reconcile.MissingAtProvider].Count, t[reconcile.Unexplained].Count, t[reconcile.Unexplained].Money, t[reconcile.OtherBatch].Count))
	}
	if s.HasRoll {
		fmt.Fprint(w, msgProvBalance.f(l, s.Opening, s.Expected, s.Closing, s.Difference))
	}
}

// keyAccount is the account the key belongs to, as the latest balance
// snapshot of the journal said; "" when none said.
func keyAccount(book *batch.Book) string {
	bs := book.Balances()
	for i := len(bs) - 1; i >= 0; i-- {
		if bs[i].Known {
			return bs[i].Account
		}
	}
	return ""
}

// pullForReconcile is reconcile -provider's pull: the key's account from
// the balance endpoint, then the statement. A refusal is the workbook's
// to say; only a local failure (the statement file) stops reconcile.
func pullForReconcile(ctx context.Context, e *env, journalPath, baseURL string, rate float64) (*reconcile.ProviderLeg, error) {
	book, err := batch.LoadBook(ctx, journalPath)
	if err != nil {
		return nil, journalErr("reconcile", journalPath, err)
	}
	c, err := newProviderClient(e, baseURL)
	if err != nil {
		return nil, err
	}
	lim := batch.NewLimiter(rate)
	if err := lim.Wait(ctx); err != nil {
		return nil, err
	}
	bal, r := c.Balance(ctx)
	account := ""
	if r.Status == juhe.ReplyOK {
		account = bal.AccountID
	}
	leg := &reconcile.ProviderLeg{}
	if err := pullStatement(ctx, e, c, book, account, lim); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		var ae *statement.AccountError
		var le *journal.LockedError
		if errors.As(err, &le) {
			return nil, errOf(ExitLocked, msgStmtLocked, lockedWords{le})
		}
		var ke *keyAccountError
		if !errors.As(err, &ae) && !errors.As(err, &ke) {
			return nil, errOf(ExitError, msgStmtErr).cause(err)
		}
		fmt.Fprint(e.stderr, e.tr(msgWarnStatement, err))
		leg.NotAvailable = err.Error()
	}
	return leg, nil
}
