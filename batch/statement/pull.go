package statement

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// source is what Pull needs of the provider client.
type source interface {
	OrdersByDate(ctx context.Context, start, end time.Time, page, pageSize int) (juhe.StatementPage, juhe.Reply)
}

// PullOptions say whose statement is pulled, and how politely.
type PullOptions struct {
	BatchID     string
	Account     string // the account the key belongs to, from the balance endpoint; "" when it did not say
	ToolVersion string
	// Limiter is the rate limit the requests go under: the engine's, when
	// a batch pulls at its end. nil is a limit of one request a second.
	Limiter batch.Limiter
	// RetryPause is the wait after an answer that said nothing (a
	// timeout, an HTML page, 10014) before the page is asked again; 0 is
	// two seconds. MaxUnknown such answers in a row give the period up
	// (0 is 3); MaxThrottled throttled answers do (0 is 20).
	RetryPause   time.Duration
	MaxUnknown   int
	MaxThrottled int
	Warn         func(string)
}

// Report is what a pull did.
type Report struct {
	Periods  int // periods asked for
	Whole    int // periods read whole
	Lines    int // lines written
	Requests int
	// NotAvailable is the first answer that stopped a period (10002, a
	// shape that cannot be read, unknown answers); "" when none did.
	NotAvailable string
}

// AccountError refuses a pull with the key of another account than the
// statement file's: one file never mixes two accounts.
type AccountError struct {
	Path, File, Key string
}

func (e *AccountError) Error() string {
	return fmt.Sprintf("statement %s is of account %s; the key is of account %s: one file never mixes two accounts", e.Path, e.File, e.Key)
}

// Periods splits from–to into the periods one flow/ordersbydate request
// may ask for: one per calendar month in Beijing time, clipped to from
// and to (whole seconds).
func Periods(from, to time.Time) []journal.Window {
	from, to = from.In(juhe.Beijing).Truncate(time.Second), to.In(juhe.Beijing).Truncate(time.Second)
	var out []journal.Window
	for start := from; !start.After(to); {
		_, monthEnd := juhe.MonthOf(start)
		end := monthEnd
		if to.Before(end) {
			end = to
		}
		out = append(out, journal.Window{Start: start.Unix(), End: end.Unix(), PageSize: juhe.MaxStatementPage})
		start = monthEnd.Add(time.Second)
	}
	return out
}

// Pull asks the provider for every period and appends each to the
// statement file at path, created when it does not exist: a Window, the
// lines page by page (one fsync a page), and a WindowEnd. The provider's
// answers never make it fail: a period that could not be read whole says
// why in its WindowEnd, and the report says it once. It fails when the
// file cannot be written, belongs to another account or batch, or is
// locked by another pull, and with ctx's error when cancelled (the
// period under way is closed as interrupted).
func Pull(ctx context.Context, c source, path string, periods []journal.Window, opts PullOptions) (Report, error) {
	var rep Report
	j, err := openFile(ctx, path, opts)
	if err != nil {
		return rep, err
	}
	defer j.Close()
	p := &puller{c: c, j: j, opts: opts, lim: opts.Limiter}
	if p.lim == nil {
		p.lim = batch.NewLimiter(1)
	}
	for _, w := range periods {
		rep.Periods++
		w.PageSize, w.Account = juhe.MaxStatementPage, opts.Account
		end, err := p.period(ctx, w)
		rep.Requests += end.Requests
		rep.Lines += end.Lines
		if err != nil {
			return rep, err
		}
		if end.Complete {
			rep.Whole++
		} else if rep.NotAvailable == "" {
			rep.NotAvailable = end.Reply
		}
	}
	return rep, j.Close()
}

// openFile opens (or creates) the statement file, holding its lock, and
// checks whose it is.
func openFile(ctx context.Context, path string, opts PullOptions) (*journal.Journal, error) {
	for {
		if _, err := os.Stat(path); err == nil {
			var h *journal.Header
			acc := ""
			j, _, err := journal.Open(ctx, path, opts.Warn, func(r *journal.Raw) error {
				switch r.Type {
				case journal.RecHeader:
					var err error
					h, err = r.Header()
					if err == nil {
						acc = h.Settings[settingAccount]
					}
					return err
				case journal.RecWindow:
					w, err := r.Window()
					if err == nil && acc == "" {
						acc = w.Account
					}
					return err
				}
				return nil
			})
			if err != nil {
				return nil, fmt.Errorf("statement: %w", err)
			}
			switch {
			case h.Settings[settingKind] != Kind:
				j.Close()
				return nil, &FormatError{Path: path, Why: fmt.Sprintf("not a statement file (its header says kind %q)", h.Settings[settingKind])}
			case h.BatchID != opts.BatchID:
				j.Close()
				return nil, &FormatError{Path: path, Why: fmt.Sprintf("the statement of batch %q, not %q", h.BatchID, opts.BatchID)}
			case acc != "" && opts.Account != "" && acc != opts.Account:
				j.Close()
				return nil, &AccountError{Path: path, File: acc, Key: opts.Account}
			}
			return j, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("statement: %w", err)
		}
		j, _, err := journal.Create(ctx, path, journal.Header{BatchID: opts.BatchID, ToolVersion: opts.ToolVersion,
			Settings: map[string]string{settingKind: Kind, settingAccount: opts.Account, settingJournal: filepath.Base(trimSuffix(path))}})
		if errors.Is(err, fs.ErrExist) {
			continue // another pull created it first
		}
		if err != nil {
			return nil, fmt.Errorf("statement: %w", err)
		}
		return j, nil
	}
}

func trimSuffix(path string) string {
	const s = ".statement"
	if len(path) > len(s) && path[len(path)-len(s):] == s {
		return path[:len(path)-len(s)]
	}
	return path
}

// notePageRepeats is a period's end when a page only repeats lines.
const notePageRepeats = "page %d only repeats orders read on earlier pages: the provider does not page as asked"

type puller struct {
	c       source
	j       *journal.Journal
	opts    PullOptions
	lim     batch.Limiter
	stopped string // the answer that stopped an earlier period: later ones are not asked
}

// period pulls one period, newest first, page by page, until an empty
// page, or the last page the provider's totals name once the lines read
// reach its totalcount: totals the lines do not bear out end nothing (a
// totalpage that stopped the pull early would make a short statement
// whole, and hide the very charges the leak detector is for). A page that
// holds lines and adds none not read before is a provider that does not
// page (it answers the same page whatever was asked): the period is not
// whole.
func (p *puller) period(ctx context.Context, w journal.Window) (journal.WindowEnd, error) {
	end := journal.WindowEnd{TotalCount: -1}
	write := func(recs ...*journal.Record) error {
		now := time.Now().UnixMilli()
		for _, r := range recs {
			r.At = now
		}
		if err := p.j.Append(context.WithoutCancel(ctx), recs...); err != nil {
			return fmt.Errorf("writing the statement: %w", err)
		}
		return nil
	}
	closeAs := func(complete bool, why string) (journal.WindowEnd, error) {
		end.Complete, end.Reply = complete, why
		e := end
		return end, write(&journal.Record{Type: journal.RecWindowEnd, WindowEnd: &e})
	}
	if err := write(&journal.Record{Type: journal.RecWindow, Window: &w}); err != nil {
		return end, err
	}
	if p.stopped != "" {
		return closeAs(false, "not asked: "+p.stopped)
	}
	maxUnknown, maxThrottled, pause := or(p.opts.MaxUnknown, 3), or(p.opts.MaxThrottled, 20), p.opts.RetryPause
	if pause <= 0 {
		pause = 2 * time.Second
	}
	start, last := time.Unix(w.Start, 0), time.Unix(w.End, 0)
	seen := make(map[string]struct{})
	unknown, throttled := 0, 0
	recs := make([]*journal.Record, 0, juhe.MaxStatementPage)
	lines := make([]journal.StatementLine, juhe.MaxStatementPage)
	for page := 1; ; {
		if err := p.lim.Wait(ctx); err != nil {
			_, werr := closeAs(false, "interrupted")
			return end, errors.Join(err, werr)
		}
		pg, r := p.c.OrdersByDate(ctx, start, last, page, w.PageSize)
		end.Requests++
		if ctx.Err() != nil {
			_, werr := closeAs(false, "interrupted")
			return end, errors.Join(ctx.Err(), werr)
		}
		switch r.Status {
		case juhe.ReplyOK:
		case juhe.ReplyThrottled:
			p.lim.Throttled()
			if throttled++; throttled >= maxThrottled {
				return closeAs(false, fmt.Sprintf("throttled %d times in a row: %s", throttled, r))
			}
			continue
		case juhe.ReplyUnknown:
			// Nothing was learnt: ask the same page again, a few times.
			if unknown++; unknown >= maxUnknown {
				return closeAs(false, fmt.Sprintf("no readable answer %d times in a row: %s", unknown, r))
			}
			if err := sleep(ctx, pause); err != nil {
				_, werr := closeAs(false, "interrupted")
				return end, errors.Join(err, werr)
			}
			continue
		default: // not available, refused, rejected: it will not answer
			p.stopped = r.String()
			return closeAs(false, r.String())
		}
		unknown, throttled = 0, 0
		end.Pages++
		if pg.HasTotals {
			end.TotalCount = pg.TotalCount
		}
		if len(pg.Orders) == 0 {
			return closeAs(true, "")
		}
		// Newest first: an order taken while the pages are read pushes
		// the older ones down, so a line can come twice. Keep the first.
		// A line is its orderid and sporder_id together: one orderid
		// under two sporder_ids is two charges, and both are kept.
		recs = recs[:0]
		for _, o := range pg.Orders {
			k := o.OrderID + "/" + o.SporderID
			if _, dup := seen[k]; dup {
				continue
			}
			if end.Lines+len(recs) >= MaxMonthLines {
				if err := write(recs...); err != nil {
					return end, err
				}
				end.Lines += len(recs)
				return closeAs(false, fmt.Sprintf("more than %s orders in the period: the most one period holds", journal.Thousands(MaxMonthLines)))
			}
			seen[k] = struct{}{}
			l := &lines[len(recs)]
			*l = journal.StatementLine{OrderID: o.OrderID, SporderID: o.SporderID, Phone: o.Phone, Pid: o.Pid,
				CardName: o.CardName, Cost: o.Cost, HasCost: o.HasCost, State: o.State}
			if !o.AddTime.IsZero() {
				l.AddTime = o.AddTime.Unix()
			}
			recs = append(recs, &journal.Record{Type: journal.RecLine, Line: l})
		}
		if err := write(recs...); err != nil {
			return end, err
		}
		end.Lines += len(recs)
		if len(recs) == 0 {
			return closeAs(false, fmt.Sprintf(notePageRepeats, page))
		}
		if pg.HasTotals && pg.TotalPage > 0 && page >= pg.TotalPage && end.Lines >= pg.TotalCount {
			return closeAs(true, "")
		}
		page++
	}
}

func or(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Slack widens a batch's span on both sides: the provider's addtime is
// its own clock, and a batch near midnight at a month's end needs the
// neighbouring month too (NOTES.md).
const Slack = 10 * time.Minute

// BatchSpan is the time a batch was active, from its first intent (or
// balance snapshot) to its last answer, with Slack on both sides; ok is
// false when nothing was ever sent.
func BatchSpan(b *batch.Book) (from, to time.Time, ok bool) {
	var lo, hi int64
	see := func(ms int64) {
		if ms <= 0 {
			return
		}
		if lo == 0 || ms < lo {
			lo = ms
		}
		hi = max(hi, ms)
	}
	sent := false
	_ = b.Orders(func(o *batch.OrderState) error {
		if o.Intents == 0 {
			return nil
		}
		sent = true
		see(o.SubmittedAt)
		see(o.LastIntentAt)
		see(o.LastOutcomeAt)
		see(o.QueryAt)
		see(o.CallbackAt)
		return nil
	})
	if !sent {
		return time.Time{}, time.Time{}, false
	}
	for _, x := range b.Balances() {
		see(x.At)
	}
	return time.UnixMilli(lo).Add(-Slack), time.UnixMilli(hi).Add(Slack), true
}
