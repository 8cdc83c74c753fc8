package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
)

// What run, submit and check ask the provider before the money moves:
// the balance (ofpay/mobile/yue, signed with the OpenID, so that its
// answer proves the key and the OpenID) and the catalogue (flow/list, for
// the estimate). Either may not answer: that is said by name, never
// turned into an "ok", and never stops a batch by itself.

// accountReader is what preflight needs of the provider client.
type accountReader interface {
	Balance(ctx context.Context) (juhe.Balance, juhe.Reply)
	Products(ctx context.Context) ([]juhe.Product, error)
}

// preflight is what the provider said before a batch starts.
type preflight struct {
	balance juhe.Balance
	reply   juhe.Reply
	// catalogue is nil when flow/list did not answer; catNote says why.
	catalogue map[string]juhe.Product
	catNote   string
}

func readPreflight(ctx context.Context, c accountReader) preflight {
	var p preflight
	p.balance, p.reply = c.Balance(ctx)
	ps, err := c.Products(ctx)
	if err != nil {
		p.catNote = err.Error()
		return p
	}
	p.catalogue = make(map[string]juhe.Product, len(ps))
	for _, x := range ps {
		p.catalogue[x.Pid] = x
	}
	return p
}

// balanceKnown reports whether the balance endpoint answered with a balance.
func (p preflight) balanceKnown() bool { return p.reply.Status == juhe.ReplyOK }

// account is the account id the balance endpoint gave, "" when none.
func (p preflight) account() string {
	if p.balanceKnown() {
		return p.balance.AccountID
	}
	return ""
}

// credentialsRefusal is the one text for a key or OpenID the balance
// endpoint proved wrong; run and submit stop with it, and check predicts
// it word for word. "" when the answer proved nothing wrong.
func (p preflight) credentialsRefusal() string {
	if !p.balance.Credentials.Wrong() {
		return ""
	}
	return fmt.Sprintf("%s (%s); nothing was sent", p.balance.Credentials, p.reply)
}

// credentialsErr is exit 4 when the key or the OpenID was proved wrong.
// Its first line is the one thing to do; the second says what happened,
// in the words check predicts: nothing was sent, so nothing was charged.
func (p preflight) credentialsErr(cmd string) error {
	why := p.credentialsRefusal()
	if why == "" {
		return nil
	}
	fix := msgCredsFix["key"]
	switch p.balance.Credentials {
	case juhe.CredsOpenIDRefused:
		fix = msgCredsFix["openid"]
	case juhe.CredsSignRefused:
		fix = msgCredsFix["sign"]
	}
	ee := errOf(ExitHalted, msgCredsFirst, fix.with(p.reply.String()), msgCredsExport)
	return ee.try(msgCredsDetail, cmd, wouldBe(cmd, msgHaltedFirst), credsWhy{p})
}

// credsWhy is credentialsRefusal in the reader's language.
type credsWhy struct{ p preflight }

func (c credsWhy) in(l lang) string {
	if l == langEN {
		return c.p.credentialsRefusal()
	}
	return msgCredsRefusal.f(l, msgCredsName[c.p.balance.Credentials], c.p.reply.String())
}

// wouldBe is what happened, for run and submit, and what would happen,
// for check, which predicts them in their words.
func wouldBe(cmd string, what msg) localized {
	if cmd == "check" {
		return msgWouldBe.with(what)
	}
	return what
}

// verified says by name, in l, what the balance answer proved of the
// key and the OpenID, and why when it proved nothing.
func (p preflight) verified(l lang) string {
	s := p.balance.Credentials.String()
	if l == langZH {
		s = msgCredsName[p.balance.Credentials].in(l)
	}
	if p.balance.Credentials != juhe.CredsVerified {
		s = msgCredsWithReply.f(l, s, p.reply.String())
	}
	return s
}

// estimate is the catalogue price of the rows per pid, and the pids the
// catalogue has no price for.
func estimate(byPid map[string]int, catalogue map[string]juhe.Product) (total juhe.Money, unknown []string) {
	for pid, n := range byPid {
		if p, ok := catalogue[pid]; ok {
			total += p.Price * juhe.Money(n)
		} else {
			unknown = append(unknown, pid)
		}
	}
	sort.Strings(unknown)
	return total, unknown
}

// shortfall is how much the estimate exceeds the balance, 0 when it
// does not or when either is unknown.
func (p preflight) shortfall(est juhe.Money) juhe.Money {
	if !p.balanceKnown() || est <= p.balance.Money {
		return 0
	}
	return est - p.balance.Money
}

// shortBalanceRefusal is the one text for a batch whose estimate exceeds
// the balance; "" when it does not (or either is unknown).
func (p preflight) shortBalanceRefusal(est juhe.Money, rows int) string {
	short := p.shortfall(est)
	if short == 0 {
		return ""
	}
	return shortWhy{p, est, rows}.in(langEN)
}

// shortWhy is shortBalanceRefusal in the reader's language.
type shortWhy struct {
	p    preflight
	est  juhe.Money
	rows int
}

func (s shortWhy) in(l lang) string {
	return msgShortBalance.f(l, count{s.rows, nounRow}, s.est, s.p.balance.Money, s.p.shortfall(s.est))
}

// shortBalanceErr is exit 4 when the estimate exceeds the balance, unless allowed.
func (p preflight) shortBalanceErr(cmd string, est juhe.Money, rows int, allow bool) error {
	why := p.shortBalanceRefusal(est, rows)
	if why == "" || allow {
		return nil
	}
	return errOf(ExitHalted, msgStartRefused, cmd, wouldBe(cmd, msgRefusedStart), shortWhy{p, est, rows}).try(msgShortBalanceTry)
}

// notes are what preflight could not say, one line each, for stderr.
func (p preflight) notes(byPid map[string]int, l lang) []string {
	var out []string
	if !p.balanceKnown() {
		out = append(out, msgNoteNoBalance.f(l, p.reply, msgCredsName[p.balance.Credentials]))
	}
	if p.catalogue == nil {
		out = append(out, msgNoteNoEstimate.f(l, p.catNote))
	} else if _, unknown := estimate(byPid, p.catalogue); len(unknown) > 0 {
		out = append(out, msgNoteNoPrice.f(l, strings.Join(unknown, ", ")))
	}
	return out
}

// balanceNote is p's balance as the journal records it; when is
// journal.BalanceBefore or journal.BalanceAfter. A balance not read is
// noted too, with why.
func balanceNote(when string, p preflight) journal.BalanceNote {
	n := journal.BalanceNote{When: when, Reply: p.reply.String()}
	if p.balanceKnown() {
		n.Money, n.Known, n.Account = p.balance.Money, true, p.balance.AccountID
	}
	return n
}

// recordBalance appends p's balance to the journal, fsynced, and to its
// book.
func recordBalance(ctx context.Context, j *journal.Journal, book *batch.Book, when string, p preflight) error {
	n := balanceNote(when, p)
	r := &journal.Record{Type: journal.RecBalance, At: time.Now().UnixMilli(), Balance: &n}
	if err := j.Append(context.WithoutCancel(ctx), r); err != nil {
		return fmt.Errorf("recording the balance %s: %w", when, err)
	}
	book.Apply(r)
	return nil
}

// balanceAfter reads the balance once more after the last answer and
// records it, whatever happened to the batch (a cancelled command still
// gets a few seconds for it). The engine must be done with the journal.
func balanceAfter(ctx context.Context, e *env, c accountReader, j *journal.Journal, book *batch.Book) {
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	var p preflight
	p.balance, p.reply = c.Balance(rctx)
	if err := recordBalance(rctx, j, book, journal.BalanceAfter, p); err != nil {
		fmt.Fprint(e.stderr, e.tr(msgWarning, err))
	}
}

// balanceSidePath is where one version of run and submit kept the
// balance snapshots, before the journal had a record for them. It is
// still read (sideBalances); nothing writes it any more.
func balanceSidePath(journal string) string { return journal + ".balance" }

// sideBalances reads the snapshots an older run kept in the side file
// beside the journal; none when there is no such file. A line that
// cannot be read refuses the file: a damaged file is never half-read.
func sideBalances(journalPath string) ([]batch.Balance, error) {
	path := balanceSidePath(journalPath)
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var out []batch.Balance
	lines := strings.Split(string(raw), "\n")
	for i, line := range lines {
		if line == "" {
			continue
		}
		var n workspace.SideNote
		if err := json.Unmarshal([]byte(line), &n); err != nil {
			if i == len(lines)-1 {
				break // a torn last line: a crash while appending
			}
			return nil, fmt.Errorf("reading %s: line %d: %w", path, i+1, err)
		}
		at, err := time.Parse(time.RFC3339Nano, n.At)
		if n.Kind != "balance" || err != nil || (n.When != journal.BalanceBefore && n.When != journal.BalanceAfter) {
			return nil, fmt.Errorf("reading %s: line %d: not a balance note", path, i+1)
		}
		b := batch.Balance{At: at.UnixMilli(), BalanceNote: journal.BalanceNote{When: n.When, Account: n.Account, Reply: n.Reply}}
		if n.Balance != "" {
			if b.Money, err = juhe.ParseMoney("balance_yuan", n.Balance); err != nil {
				return nil, fmt.Errorf("reading %s: line %d: %w", path, i+1, err)
			}
			b.Known = true
		}
		out = append(out, b)
	}
	return out, nil
}
