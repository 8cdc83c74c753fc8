// Package statement keeps the provider's own list of the account's orders
// (flow/ordersbydate) beside a batch journal: Pull asks for it, one
// request per calendar month and page, under the engine's rate limit, and
// appends it to a statement file; Read reads it back.
//
// A statement file is a journal of its own (batch/journal's framing,
// checksums and chain; its header says kind "statement"), never the batch
// journal: the workbook, which reads it, stays a reader that takes no
// lock and changes no head hash. A pull appends one section per period:
// a Window record, the period's lines, and a WindowEnd that says whether
// every page was read. Nothing is rewritten: a later pull of the same
// month appends a new section, and Read keeps the latest whole one.
//
// It promises: a statement is never half-read (a period whose pull did not
// end whole is reported as such, never as a shorter list); one file holds
// one account; Read holds at most MaxMonthLines lines a period and
// MaxMonths periods.
package statement

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Kind is the header's "kind" setting of a statement file.
const Kind = "statement"

// Header settings of a statement file.
const (
	settingKind    = "kind"
	settingAccount = "account-id" // as the workspace's SettingAccount
	settingJournal = "journal"    // base name of the batch journal it belongs to
)

// The reader's bounds.
const (
	// MaxMonthLines is the most lines one period holds: a month of a busy
	// account. A pull stops there and says so; Read refuses more.
	MaxMonthLines = 100_000
	// MaxMonths is the most distinct months one file holds.
	MaxMonths = 24
)

// Path is the statement file of the batch journal at journalPath.
func Path(journalPath string) string { return journalPath + ".statement" }

// Statement is a statement file as read: for each month, the latest
// section whose pull ended whole, and the latest one that did not when
// it came after.
type Statement struct {
	Path     string
	BatchID  string
	Account  string // the header's, else the first period's; "" when the balance endpoint never said whose key pulled it
	HeadHash string // the file's head hash: the workbook records it
	Records  int64
	Periods  []Period // by start
}

// Period is one month's section of the statement.
type Period struct {
	journal.Window
	Closed journal.WindowEnd
	Ended  bool // a WindowEnd closed the section (a pull killed midway has none)
	Lines  []journal.StatementLine
	// PulledAt is when the section was written (unix ms).
	PulledAt int64
}

// Whole reports whether every page of the period was read.
func (p *Period) Whole() bool { return p.Ended && p.Closed.Complete }

// Covers reports whether the period holds the instant t (unix ms).
func (p *Period) Covers(ms int64) bool {
	return ms >= p.Start*1000 && ms < (p.End+1)*1000
}

// Whole reports whether every period of the statement was read whole.
func (s *Statement) Whole() bool {
	for i := range s.Periods {
		if !s.Periods[i].Whole() {
			return false
		}
	}
	return len(s.Periods) > 0
}

// NotWhole says why the statement cannot be matched, "" when it can: a
// period not read whole, or no period at all.
func (s *Statement) NotWhole() string {
	if len(s.Periods) == 0 {
		return "the statement file holds no period"
	}
	for i := range s.Periods {
		p := &s.Periods[i]
		if !p.Whole() {
			why := "the pull was interrupted"
			if p.Ended && p.Closed.Reply != "" {
				why = p.Closed.Reply
			}
			return fmt.Sprintf("%s: %s", monthName(p.Start), why)
		}
	}
	return ""
}

func monthName(unix int64) string { return time.Unix(unix, 0).In(juhe.Beijing).Format("2006-01") }

// FormatError says a file is not a statement file, or one that breaks its
// own rules (two accounts, too many lines): it is refused whole.
type FormatError struct {
	Path string
	Why  string
}

func (e *FormatError) Error() string { return fmt.Sprintf("statement %s: %s", e.Path, e.Why) }

// Read reads the statement file at path, checking every record. It takes
// no lock: a pull appending beside it only adds a section Read does not
// see yet. A file that is damaged, or breaks the bounds, is refused; no
// file at all is an error that is fs.ErrNotExist.
func Read(ctx context.Context, path string) (*Statement, error) {
	s := &Statement{Path: path}
	latest := map[int64]int{} // month start → index in s.Periods
	var cur *Period
	headerSeen := false
	end, err := journal.Scan(ctx, path, func(r *journal.Raw) error {
		switch r.Type {
		case journal.RecHeader:
			h, err := r.Header()
			if err != nil {
				return err
			}
			if h.Settings[settingKind] != Kind {
				return &FormatError{Path: path, Why: fmt.Sprintf("not a statement file (its header says kind %q)", h.Settings[settingKind])}
			}
			s.BatchID, s.Account, headerSeen = h.BatchID, h.Settings[settingAccount], true
		case journal.RecWindow:
			w, err := r.Window()
			if err != nil {
				return err
			}
			if w.Account != "" && s.Account != "" && w.Account != s.Account {
				return &FormatError{Path: path, Why: fmt.Sprintf("record %d: a period pulled for account %s in the file of account %s", r.Pos.Seq, w.Account, s.Account)}
			}
			if s.Account == "" {
				s.Account = w.Account // the first pull did not know whose key it was
			}
			cur = &Period{Window: w, PulledAt: r.At}
		case journal.RecLine:
			l, err := r.Line()
			if err != nil {
				return err
			}
			if cur == nil || cur.Ended {
				return &FormatError{Path: path, Why: fmt.Sprintf("record %d: a line outside a period", r.Pos.Seq)}
			}
			if len(cur.Lines) >= MaxMonthLines {
				return &FormatError{Path: path, Why: fmt.Sprintf("record %d: more than %s lines in one period", r.Pos.Seq, journal.Thousands(MaxMonthLines))}
			}
			cur.Lines = append(cur.Lines, l)
		case journal.RecWindowEnd:
			e, err := r.WindowEnd()
			if err != nil {
				return err
			}
			if cur == nil || cur.Ended {
				return &FormatError{Path: path, Why: fmt.Sprintf("record %d: a period end without its start", r.Pos.Seq)}
			}
			if e.Lines != len(cur.Lines) {
				return &FormatError{Path: path, Why: fmt.Sprintf("record %d: the period end counts %d lines, the period holds %d", r.Pos.Seq, e.Lines, len(cur.Lines))}
			}
			cur.Closed, cur.Ended = e, true
			if err := s.keep(latest, cur); err != nil {
				return err
			}
			cur = nil
		default:
			return &FormatError{Path: path, Why: fmt.Sprintf("record %d: a %c record has no place in a statement", r.Pos.Seq, r.Type)}
		}
		return nil
	})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return nil, fe
		}
		return nil, fmt.Errorf("reading the statement: %w", journal.NotJournal(path, err))
	}
	if !headerSeen {
		return nil, &FormatError{Path: path, Why: "no header record"}
	}
	if cur != nil { // a pull killed midway, or one still running
		if err := s.keep(latest, cur); err != nil {
			return nil, err
		}
	}
	s.HeadHash, s.Records = end.Head(), end.Records()
	sort.Slice(s.Periods, func(i, j int) bool { return s.Periods[i].Start < s.Periods[j].Start })
	return s, nil
}

// keep makes p its month's section: the latest whole one wins, and a
// later section that is not whole replaces it only when none was whole.
func (s *Statement) keep(latest map[int64]int, p *Period) error {
	m := monthStart(p.Start)
	i, ok := latest[m]
	switch {
	case !ok:
		if len(latest) >= MaxMonths {
			return &FormatError{Path: s.Path, Why: fmt.Sprintf("more than %d months", MaxMonths)}
		}
		latest[m] = len(s.Periods)
		s.Periods = append(s.Periods, *p)
	case p.Whole() || !s.Periods[i].Whole():
		s.Periods[i] = *p
	}
	return nil
}

func monthStart(unix int64) int64 {
	start, _ := juhe.MonthOf(time.Unix(unix, 0))
	return start.Unix()
}

// Lines calls fn with every line of the statement, period by period.
func (s *Statement) Lines(fn func(p *Period, l *journal.StatementLine)) {
	for i := range s.Periods {
		p := &s.Periods[i]
		for j := range p.Lines {
			fn(p, &p.Lines[j])
		}
	}
}

// Covers reports whether a period of the statement holds the instant ms.
func (s *Statement) Covers(ms int64) bool {
	for i := range s.Periods {
		if s.Periods[i].Covers(ms) {
			return true
		}
	}
	return false
}
