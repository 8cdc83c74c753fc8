package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// NewBatch is the batch about to start or resume, as the guard sees it.
type NewBatch struct {
	ID          string
	Period      Period
	InputSHA256 string
	InputName   string
	// Journal is the batch's own journal; it is not compared with itself.
	Journal string
	// Phones are the normalised numbers of the rows not yet sent.
	Phones []string
	// Lines, when set, holds the row number of each of Phones, for the
	// message.
	Lines []int
	// AllowRegift lets phones already sent in the period, and a file
	// already submitted under another id, through; the
	// findings say which, for the caller to journal.
	AllowRegift bool
}

// Kind is what a finding is about.
type Kind string

const (
	KindClash     Kind = "clash"      // the same batch id spelled differently
	KindElsewhere Kind = "elsewhere"  // the same batch id with another journal
	KindSameInput Kind = "same_input" // the same file submitted under another batch id
	KindRegift    Kind = "regift"     // phones already sent in the period
	KindMissing   Kind = "missing"    // a journal the index remembers is gone
	KindCut       Kind = "cut"        // a journal no longer holds what the index remembers
	KindDamaged   Kind = "damaged"    // a journal fails its checksums or chain
	// KindUncharged: phones another batch of the period sent, whose
	// journal shows every one of those orders final and uncharged (a
	// retry batch). It never refuses: nobody was charged for them.
	KindUncharged Kind = "uncharged"
)

// Other is the other batch a finding is about.
type Other struct {
	BatchID       string    `json:"batch"`
	Journal       string    `json:"journal"`
	Period        Period    `json:"period,omitempty"`
	PeriodDerived bool      `json:"period_derived,omitempty"`
	InputName     string    `json:"input_name,omitempty"`
	User          string    `json:"os_user,omitempty"`
	Host          string    `json:"host,omitempty"`
	Records       int64     `json:"records,omitempty"`
	Head          string    `json:"head,omitempty"`
	LastSeen      time.Time `json:"last_seen"`
}

// RowHit is one row of the new batch that another batch holds.
type RowHit struct {
	Phone     string `json:"phone"`
	Line      int    `json:"line,omitempty"` // in the new batch's file, 0 when not given
	OtherLine int64  `json:"other_line"`     // in the other batch's input
	// OtherSent: the other batch journaled an intent for it. When not, it
	// planned the row and sends it when it resumes.
	OtherSent bool `json:"other_sent"`
	// OtherUncharged: the other batch's journal shows every order it has
	// for the phone final and uncharged (KindUncharged).
	OtherUncharged bool `json:"other_uncharged,omitempty"`
}

// Finding is one thing the guard found.
type Finding struct {
	Kind  Kind  `json:"kind"`
	Other Other `json:"other"`
	// Rows are every row concerned (KindRegift, KindUncharged), in the
	// new batch's order; String lists the first few.
	Rows []RowHit `json:"rows,omitempty"`
	// Count is the number of rows concerned: len(Rows) for KindRegift
	// and KindUncharged,
	// the other batch's sent and planned rows for KindSameInput; Sent is
	// how many of them were sent.
	Count int `json:"count,omitempty"`
	Sent  int `json:"sent,omitempty"`
	// Why says what was found of a missing, cut or damaged journal; for
	// KindClash it is the new batch's id.
	Why string `json:"why,omitempty"`
	// Allowed: let through, on purpose (-allow-regift), or because the
	// other batch's journal shows the rows uncharged (KindUncharged).
	Allowed bool `json:"allowed,omitempty"`
}

// Findings is the guard's result: every finding, refusing or let through.
type Findings struct {
	Workspace string    `json:"workspace"`
	Batch     string    `json:"batch"`
	Period    Period    `json:"period"`
	Compared  int       `json:"compared"` // other journals read
	List      []Finding `json:"findings"`
	// IndexRebuilt: the index file was missing and was made again from
	// the journals in the folder. Journals kept elsewhere are compared
	// again once they are registered again (their next run).
	IndexRebuilt bool `json:"index_rebuilt,omitempty"`
}

// Refused reports whether any finding stops the batch.
func (f Findings) Refused() bool {
	return slices.ContainsFunc(f.List, func(x Finding) bool { return !x.Allowed })
}

// Uncharged returns every row let through because another batch's
// journal shows it final and uncharged, for the caller to journal.
func (f Findings) Uncharged() []RowHit {
	var rows []RowHit
	for _, x := range f.List {
		if x.Kind == KindUncharged {
			rows = append(rows, x.Rows...)
		}
	}
	return rows
}

// Regifted returns every row let through by AllowRegift, for the caller
// to journal.
func (f Findings) Regifted() []RowHit {
	var rows []RowHit
	for _, x := range f.List {
		if x.Kind == KindRegift && x.Allowed {
			rows = append(rows, x.Rows...)
		}
	}
	return rows
}

// Err is a *RefusedError when the guard refuses, else nil.
func (f Findings) Err() error {
	if !f.Refused() {
		return nil
	}
	return &RefusedError{Findings: f}
}

// RefusedError says the guard refused the batch; its text is the
// findings'.
type RefusedError struct{ Findings Findings }

func (e *RefusedError) Error() string { return e.Findings.String() }

// listed is how many rows a finding's text names before "and N more".
const listed = 10

// Lines is the findings as English text for a person, one line each.
func (f Findings) Lines() []string { return f.LinesIn("en") }

func (f Findings) String() string { return strings.Join(f.Lines(), "\n") }

func (x Finding) String() string { return x.In("en") }

// Guard compares the new batch with every other journal of the
// workspace, under the workspace lock that l holds: keep holding it
// until the new batch's rows are journaled. It counts every row another
// journal holds an intent for, charged or not, since an unknown may be
// charged, and every row another journal planned and has not sent yet,
// since it sends them when it resumes: without those, a batch that
// passed the guard and released the lock before its first request would
// not stop a second one started a moment later. The one exception is a
// phone whose every order in that journal the journal shows final and
// uncharged (Uncharged: failed and refunded, or rejected): nobody was
// charged for it, so a retry batch gifts it (KindUncharged, never
// refusing). That is decided again from the journal as it is now at
// every start and resume: a journal that changed is summarised again,
// and a late answer that contradicts a failure makes a conflict, which
// no longer counts as uncharged. It refuses
// (Findings.Refused) when
//   - the batch id is another batch's spelled differently, or is the same
//     id with another journal (the same batch started from another folder);
//   - the same input file (sha256) was already submitted under another id,
//     unless nb.AllowRegift;
//   - a phone of nb was already sent by another batch in the same period,
//     for any pid, unless nb.AllowRegift;
//   - a journal the workspace knows has gone missing, was cut short or is
//     damaged, until it is restored or forgotten (Locked.Forget).
//
// The error is for what kept the guard from deciding (reading the
// index, a journal, or a bad NewBatch); the findings are the decision.
func Guard(ctx context.Context, l *Locked, nb NewBatch) (Findings, error) {
	if err := l.check(); err != nil {
		return Findings{Batch: nb.ID, Period: nb.Period}, err
	}
	return l.ws.guard(ctx, nb, true)
}

// Preview is what Guard would find now, for check: it takes no lock and
// writes nothing (no index, no rows files). A batch that passes it can
// still be refused by Guard, if another batch starts in between.
func (ws *Workspace) Preview(ctx context.Context, nb NewBatch) (Findings, error) {
	return ws.guard(ctx, nb, false)
}

func (ws *Workspace) guard(ctx context.Context, nb NewBatch, persist bool) (Findings, error) {
	f := Findings{Batch: nb.ID, Period: nb.Period}
	f.Workspace = ws.Dir
	if nb.ID == "" {
		return f, fmt.Errorf("workspace guard: no batch id")
	}
	if _, err := ParsePeriod(string(nb.Period)); err != nil {
		return f, fmt.Errorf("workspace guard: %w", err)
	}
	if nb.Lines != nil && len(nb.Lines) != len(nb.Phones) {
		return f, fmt.Errorf("workspace guard: %d lines for %d phones", len(nb.Lines), len(nb.Phones))
	}
	mine, err := newPhones(nb)
	if err != nil {
		return f, err
	}
	own, err := canonPath(nb.Journal)
	if err != nil {
		return f, err
	}
	ownFI, _ := os.Stat(own) // a new batch has no journal yet
	js, rebuilt, err := ws.refresh(ctx, persist)
	if err != nil {
		return f, err
	}
	f.IndexRebuilt = rebuilt
	norm := Normalize(nb.ID)
	for _, j := range js {
		o := otherOf(j)
		switch j.State {
		case StateMissing:
			f.List = append(f.List, Finding{Kind: KindMissing, Other: o, Why: j.Why})
			continue
		case StateCut:
			f.List = append(f.List, Finding{Kind: KindCut, Other: o, Why: j.Why})
			continue
		case StateDamaged:
			f.List = append(f.List, Finding{Kind: KindDamaged, Other: o, Why: j.Why})
			continue
		}
		if sameJournal(j.Path, own, ownFI) {
			// Its own journal, under another spelling of the id (a
			// case-insensitive file system names both the same file).
			if j.BatchID != nb.ID && j.NormID == norm {
				f.List = append(f.List, Finding{Kind: KindClash, Other: o})
			}
			continue
		}
		f.Compared++
		if j.NormID == norm {
			k := KindElsewhere
			if j.BatchID != nb.ID {
				k = KindClash
			}
			f.List = append(f.List, Finding{Kind: k, Other: o})
		}
		if n := j.Sent + j.Unphoned + j.Planned; nb.InputSHA256 != "" && j.InputSHA256 == nb.InputSHA256 && j.NormID != norm && n > 0 {
			f.List = append(f.List, Finding{Kind: KindSameInput, Other: o, Count: n, Sent: j.Sent + j.Unphoned, Allowed: nb.AllowRegift})
		}
		// The rows file is read even when the index says nothing was
		// sent: it is checked against the index, and the journal read
		// when they disagree.
		if j.Period == nb.Period && len(mine) > 0 {
			rows, err := ws.rowsOf(ctx, j, persist)
			if err != nil {
				return f, fmt.Errorf("workspace guard: %w", err)
			}
			hits, passed := intersect(mine, rows, nb)
			if len(hits) > 0 {
				x := Finding{Kind: KindRegift, Other: o, Rows: hits, Count: len(hits), Allowed: nb.AllowRegift}
				for _, h := range hits {
					if h.OtherSent {
						x.Sent++
					}
				}
				f.List = append(f.List, x)
			}
			if len(passed) > 0 {
				f.List = append(f.List, Finding{Kind: KindUncharged, Other: o, Rows: passed, Count: len(passed), Sent: len(passed), Allowed: true})
			}
		}
	}
	// The clash message names the new id; it is kept out of Other.
	for i := range f.List {
		if f.List[i].Kind == KindClash {
			f.List[i].Why = nb.ID
		}
	}
	return f, nil
}

// mine is one phone of the new batch: the number and its index in nb.
type mine struct {
	phone uint64
	i     int
}

func newPhones(nb NewBatch) ([]mine, error) {
	m := make([]mine, 0, len(nb.Phones))
	for i, p := range nb.Phones {
		n, err := strconv.ParseUint(p, 10, 64)
		if err != nil || len(p) != 11 {
			return nil, fmt.Errorf("workspace guard: phone %q (item %d) is not a normalised 11-digit number", clip(p), i+1)
		}
		m = append(m, mine{n, i})
	}
	slices.SortStableFunc(m, func(a, b mine) int {
		switch {
		case a.phone < b.phone:
			return -1
		case a.phone > b.phone:
			return 1
		}
		return 0
	})
	return m, nil
}

// intersect walks both sorted lists once and returns the rows of nb the
// other batch holds, in nb's order: hits count as a gift, passed are
// phones whose every row there is proven uncharged (PhoneRow.Uncharged).
func intersect(mine []mine, rows []PhoneRow, nb NewBatch) (hits, passed []RowHit) {
	type hit struct {
		i   int
		hit RowHit
	}
	var hs, ps []hit
	k := 0
	for _, m := range mine {
		for k < len(rows) && rows[k].Phone < m.phone {
			k++
		}
		if k == len(rows) {
			break
		}
		if rows[k].Phone != m.phone {
			continue
		}
		// The other batch's row for the phone that counts most: a sent
		// one that may be charged, else a planned one, else (every row
		// uncharged) the first.
		r, blocks := rows[k], false
		for x := k; x < len(rows) && rows[x].Phone == m.phone; x++ {
			switch y := rows[x]; {
			case y.Sent && !y.Uncharged:
				if !blocks || !r.Sent {
					r = y
				}
				blocks = true
			case !y.Sent && !blocks:
				r, blocks = y, true
			}
		}
		h := RowHit{Phone: nb.Phones[m.i], OtherLine: r.Line, OtherSent: r.Sent, OtherUncharged: !blocks}
		if nb.Lines != nil {
			h.Line = nb.Lines[m.i]
		}
		if blocks {
			hs = append(hs, hit{m.i, h})
		} else {
			ps = append(ps, hit{m.i, h})
		}
	}
	inOrder := func(h []hit) []RowHit {
		if len(h) == 0 {
			return nil
		}
		slices.SortFunc(h, func(a, b hit) int { return a.i - b.i })
		out := make([]RowHit, len(h))
		for i, x := range h {
			out[i] = x.hit
		}
		return out
	}
	return inOrder(hs), inOrder(ps)
}

func otherOf(j *Journal) Other {
	return Other{BatchID: j.BatchID, Journal: j.Path, Period: j.Period, PeriodDerived: j.PeriodDerived,
		InputName: j.InputName, User: j.User, Host: j.Host, Records: j.Records, Head: j.HeadHash, LastSeen: j.LastSeen}
}

// canonPath is the absolute path with its directory's symlinks resolved,
// for a file that may not exist yet.
func canonPath(p string) (string, error) {
	if p == "" {
		return "", nil
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("journal %s: %w", p, err)
	}
	dir, base := filepath.Split(abs)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		abs = filepath.Join(r, base)
	}
	return abs, nil
}

// sameJournal: one journal file, whatever path names it.
func sameJournal(path, own string, ownFI os.FileInfo) bool {
	if own == "" {
		return false
	}
	if path == own {
		return true
	}
	if ownFI == nil {
		return false
	}
	fi, err := os.Stat(path)
	return err == nil && os.SameFile(fi, ownFI)
}
