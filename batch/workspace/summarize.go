package workspace

// This is the only file that reads journals: through batch.LoadBook, with
// batch/journal's errors. When the journal gains an anchor check, this is
// the one file to change.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Header settings the workspace reads from a journal, when the journal
// has them. The commands write them into journal.Header.Settings.
const (
	SettingPeriod  = "period"     // "2026-11"
	SettingUser    = "os-user"    // Identity.User
	SettingHost    = "host"       // Identity.Host
	SettingAccount = "account-id" // what the balance endpoint reports
)

// JournalSummary is what the workspace keeps of one journal.
type JournalSummary struct {
	BatchID     string
	Period      string // the header's "period" setting, "" if none
	User, Host  string
	Account     string
	InputName   string // the latest complete input
	InputSHA256 string
	HeadHash    string
	Records     int64
	// End is the byte offset just after the record HeadHash names: the
	// journal "still reaches" this head while the line ending there ends
	// with it.
	End int64
	// FirstIntent is the unix ms of the earliest intent, 0 if none.
	FirstIntent int64
	// Rows is every order with an intent, charged or not, and every row
	// of the latest input planned to be sent, sorted by phone then row.
	Rows []PhoneRow
	// Sent and Planned count Rows with an intent and without; Uncharged
	// counts the sent ones the journal proves final and uncharged.
	Sent, Planned, Uncharged int
	// Unphoned counts intents whose order has no usable phone in the
	// journal (an order not planned from any input it holds).
	Unphoned int
}

// PhoneRow is one row of a journal: the phone as a number, its row
// number in the input it was planned from (header is row 1), whether an
// intent was journaled for it, and whether the journal proves that
// order final and uncharged (see Uncharged; only a sent row can be).
type PhoneRow struct {
	Phone     uint64
	Line      int64
	Sent      bool
	Uncharged bool
}

// Uncharged reports whether the journal proves o final and uncharged, so
// that another batch of the period may gift the phone without counting
// it a second gift (a retry batch). Only two ends qualify:
//   - failed: a query confirmed game_state 9, the provider refunded it.
//     The Book never moves a final state back; a later answer or
//     callback that says otherwise sets Conflict, and then it does not
//     qualify any more;
//   - rejected: the latest submit answer was a definite refusal
//     (ClassRejected), no request is in flight, nothing ever proved
//     that the order exists, and no attempt before it ended without an
//     answer (batch.OrderState.SettledNotFound: only a lookup that may
//     lag says that one was not created; a retry batch's new orderid is
//     not protected as a resend of the same orderid is).
//
// Anything open (unknown, charging, in flight, not settled) may still be
// charged and does not qualify, nor does any order with a conflict, a
// callback other than failed, or a query state other than failed. A
// game_state -1 (juhe.StateSubmitFailed, "nothing charged" known only
// from the provider's demo code) qualifies only as a definite refusal
// of the submit itself. A row that never became an order (invalid) is
// not a send at all: it is not in Rows.
func Uncharged(o *batch.OrderState) bool {
	if o.Intents == 0 || o.Conflict != "" {
		return false
	}
	if o.CallbackState != juhe.StateNone && o.CallbackState != juhe.StateFailed {
		return false
	}
	// Every intent has its answer: nothing is in flight.
	refused := o.SubmitClass == juhe.ClassRejected && !o.Exists && o.Outcomes >= o.Intents && !o.SettledNotFound()
	switch o.QueryState {
	case juhe.StateFailed:
		return o.Status() == batch.StatusFailed
	case juhe.StateNone:
		return refused && o.Status() == batch.StatusRejected
	case juhe.StateSubmitFailed:
		return refused
	}
	return false
}

// ErrDamaged marks a journal that cannot be read as a whole (a
// journal.DamageError underneath).
var ErrDamaged = errors.New("journal damaged")

// Summarize reads and verifies the journal at path (checksums and chain,
// tolerating a torn tail as batch.LoadBook does) and summarises it.
func Summarize(ctx context.Context, path string) (JournalSummary, error) {
	var s JournalSummary
	b, err := batch.LoadBook(ctx, path)
	if err != nil {
		var de *journal.DamageError
		if errors.As(err, &de) {
			return s, fmt.Errorf("%w: %w", ErrDamaged, err)
		}
		return s, err
	}
	h := b.Header
	s.BatchID = h.BatchID
	s.Period = h.Settings[SettingPeriod]
	s.User, s.Host, s.Account = h.Settings[SettingUser], h.Settings[SettingHost], h.Settings[SettingAccount]
	s.InputName, s.InputSHA256 = b.Input.Name, b.Input.SHA256
	s.HeadHash, s.Records = b.HeadHash, b.Records
	err = b.Orders(func(o *batch.OrderState) error {
		sent := o.Intents > 0
		if !sent && !o.InInput {
			return nil // dropped from the input before it was sent
		}
		if sent && (s.FirstIntent == 0 || (o.SubmittedAt > 0 && o.SubmittedAt < s.FirstIntent)) {
			s.FirstIntent = o.SubmittedAt
		}
		p, err := strconv.ParseUint(o.Phone, 10, 64)
		if err != nil || len(o.Phone) != 11 {
			if sent {
				s.Unphoned++
			}
			return nil
		}
		r := PhoneRow{Phone: p, Line: int64(o.Line), Sent: sent, Uncharged: Uncharged(o)}
		s.Rows = append(s.Rows, r)
		if r.Uncharged {
			s.Uncharged++
		}
		if sent {
			s.Sent++
		} else {
			s.Planned++
		}
		return nil
	})
	if err != nil {
		return s, err
	}
	sortRows(s.Rows)
	if s.End, err = endOf(path, s.HeadHash); err != nil {
		return s, err
	}
	return s, nil
}

// The two functions below know one fact of the journal format
// (batch/journal/codec.go): every record is one line that ends with
// TAB, its 64-hex chained hash, LF; no text field holds a raw LF. With
// the chain verified by LoadBook, a line ending in "TAB head LF" at
// offset end proves the journal still holds the records that led to
// head. They stand in for the anchor check batch is getting.

// endOf finds the offset just after the line that ends with head,
// searching back from the end of the file.
func endOf(path, head string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("reading journal: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return 0, fmt.Errorf("reading journal: %w", err)
	}
	want := []byte("\t" + head + "\n")
	const chunk = 64 << 10
	buf := make([]byte, chunk+len(want))
	for hi := fi.Size(); hi > 0; {
		lo := max(0, hi-chunk)
		n := hi - lo + int64(min(int64(len(want)), fi.Size()-hi))
		if _, err := f.ReadAt(buf[:n], lo); err != nil && err != io.EOF {
			return 0, fmt.Errorf("reading journal %s: %w", path, err)
		}
		if i := bytes.LastIndex(buf[:n], want); i >= 0 {
			return lo + int64(i+len(want)), nil
		}
		hi = lo
	}
	return 0, fmt.Errorf("journal %s: no record ends with its head hash %.12s", path, head)
}

// reaches reports whether the journal's line ending at end still ends
// with head: a cheap look at the tail, without reading the journal.
func reaches(path string, end int64, head string) (bool, error) {
	want := "\t" + head + "\n"
	if end < int64(len(want)) {
		return false, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return false, fmt.Errorf("reading journal: %w", err)
	}
	defer f.Close()
	buf := make([]byte, len(want))
	if _, err := f.ReadAt(buf, end-int64(len(want))); err != nil {
		if err == io.EOF {
			return false, nil
		}
		return false, fmt.Errorf("reading journal %s: %w", path, err)
	}
	return string(buf) == want, nil
}
