package callback

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// Where callbacks are written:
//
//   - `run -callback-addr` records them in its own journal through its
//     Engine (ForEngine), so group commit orders every write.
//   - A standalone `flowbatch callback` never writes a journal another
//     process holds, and never takes the main journal's lock (that would
//     stop `run`). It writes a side journal, SidePath(main), of the
//     same format, locked by itself (Side). A batch process moves
//     what it finds there into its own journal (Importer).
//
// A callback is "already recorded" when the journal holds one for the same
// orderid with the same state. The sign binds the sporder_id to the
// orderid, so a second sporder_id with the same state adds nothing.

// SidePath is the side journal a standalone callback server
// writes for the journal at journalPath.
func SidePath(journalPath string) string { return journalPath + ".callbacks" }

type callbackKey struct {
	orderID string
	state   juhe.GameState
}

func keyOf(n *journal.CallbackNote) callbackKey { return callbackKey{n.OrderID, n.State} }

// inBatch reports whether o is an order of the batch (planned from an
// input or sent), not merely named by a stray record.
func inBatch(o *batch.OrderState) bool {
	return o.Line > 0 || o.InInput || o.Intents > 0 || o.Outcomes > 0
}

// callbackLedger says whether a journal already holds a callback. The
// book's latest callback state answers almost always; only when an order
// had callbacks with both states does it scan the journal, once.
type callbackLedger struct {
	path string

	mu     sync.Mutex
	loaded bool
	seen   map[callbackKey]struct{}
}

// has reports whether n is recorded, given latest, the book's latest
// callback state for n's order.
func (l *callbackLedger) has(ctx context.Context, latest juhe.GameState, n *journal.CallbackNote) bool {
	switch latest {
	case juhe.StateNone:
		return false
	case n.State:
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.loaded {
		seen := make(map[callbackKey]struct{})
		err := scanRecords(ctx, l.path, func(r *journal.Record) error {
			if r.Callback != nil {
				seen[keyOf(r.Callback)] = struct{}{}
			}
			return nil
		})
		if err != nil {
			// Recording a callback twice is harmless; losing one is not.
			return false
		}
		l.seen, l.loaded = seen, true
	}
	_, ok := l.seen[keyOf(n)]
	return ok
}

// add notes that n is now on disk.
func (l *callbackLedger) add(n *journal.CallbackNote) {
	l.mu.Lock()
	if l.loaded {
		l.seen[keyOf(n)] = struct{}{}
	}
	l.mu.Unlock()
}

// scanRecords calls fn for every complete record of the journal at path,
// ignoring an incomplete tail (a writer may be mid-append).
func scanRecords(ctx context.Context, path string, fn func(*journal.Record) error) error {
	_, err := journal.ScanFrom(ctx, path, journal.Pos{}, func(raw *journal.Raw) error {
		r, err := raw.Record()
		if err != nil {
			return err
		}
		return fn(r)
	})
	return err
}

// ForEngine returns Known, Seen and Record for a Handler
// (or Importer.ImportTo) that records into e's journal while e
// runs. Record nudges the order's next query; Verifier and Logf are the
// caller's to set.
func ForEngine(e *batch.Engine) Options {
	ledger := &callbackLedger{path: e.JournalPath()}
	return Options{
		Known: func(id string) bool {
			o, ok := e.Order(id)
			return ok && inBatch(&o)
		},
		Seen: func(n *journal.CallbackNote) bool {
			o, ok := e.Order(n.OrderID)
			return ok && ledger.has(context.Background(), o.CallbackState, n)
		},
		Record: func(ctx context.Context, n *journal.CallbackNote) error {
			c := *n
			if err := e.AppendCallback(ctx, &c); err != nil {
				return err
			}
			ledger.add(n)
			return nil
		},
	}
}

// Side is the store of a standalone callback server: it knows the
// batch's orders from the main journal, read-only, and records into the
// side journal, which it holds locked.
type Side struct {
	mainPath string
	j        *journal.Journal
	batchID  string

	mu       sync.RWMutex // guards main
	main     *batch.Book
	reloadMu sync.Mutex // one reload at a time; guards mainSize, loadedAt
	mainSize int64
	loadedAt time.Time
	// ReloadEvery bounds how often the main journal is re-read when an
	// unknown orderid arrives; default 1s.
	ReloadEvery time.Duration

	seenMu sync.Mutex
	seen   map[callbackKey]struct{} // in the side journal
}

// OpenSide reads the journal at mainPath (without locking it) and
// opens, or creates, its side journal for writing. A *LockedError means
// another callback server holds the side journal. warn is told of a torn
// tail repaired in the side journal.
func OpenSide(ctx context.Context, mainPath string, warn func(string)) (*Side, error) {
	st, err := os.Stat(mainPath)
	if err != nil {
		return nil, fmt.Errorf("callback server: %w", err)
	}
	main, err := batch.LoadBook(ctx, mainPath)
	if err != nil {
		return nil, fmt.Errorf("callback server: %w", err)
	}
	s := &Side{
		mainPath:    mainPath,
		batchID:     main.Header.BatchID,
		main:        main,
		mainSize:    st.Size(),
		loadedAt:    time.Now(),
		ReloadEvery: time.Second,
		seen:        make(map[callbackKey]struct{}),
	}
	side := SidePath(mainPath)
	var sb *batch.Book
	s.j, sb, err = openOrCreateSide(ctx, side, s.batchID, warn)
	if err != nil {
		return nil, err
	}
	if sb.Header.BatchID != s.batchID {
		s.j.Close()
		return nil, fmt.Errorf("side journal %s is for batch %q, not %q (journal %s)", side, sb.Header.BatchID, s.batchID, mainPath)
	}
	if err := scanRecords(ctx, side, func(r *journal.Record) error {
		if r.Callback != nil {
			s.seen[keyOf(r.Callback)] = struct{}{}
		}
		return nil
	}); err != nil {
		s.j.Close()
		return nil, fmt.Errorf("callback server: %w", err)
	}
	return s, nil
}

func openOrCreateSide(ctx context.Context, side, batchID string, warn func(string)) (*journal.Journal, *batch.Book, error) {
	for {
		if _, err := os.Stat(side); err == nil {
			return batch.OpenJournal(ctx, side, warn)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("side journal: %w", err)
		}
		j, b, err := batch.CreateJournal(ctx, side, journal.Header{
			BatchID:  batchID,
			Settings: map[string]string{"kind": "callbacks", "journal": filepath.Base(side[:len(side)-len(".callbacks")])},
		})
		if errors.Is(err, fs.ErrExist) {
			continue // another callback server created it first
		}
		return j, b, err
	}
}

// BatchID is the batch the side journal belongs to.
func (s *Side) BatchID() string { return s.batchID }

// Path is the side journal's path.
func (s *Side) Path() string { return s.j.Path() }

// Close closes the side journal.
func (s *Side) Close() error { return s.j.Close() }

// Options returns Known, Seen and Record for a Handler.
func (s *Side) Options() Options {
	return Options{Known: s.known, Seen: s.seenNote, Record: s.record}
}

func (s *Side) order(id string) (batch.OrderState, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.main.Order(id)
	if !ok || !inBatch(o) {
		return batch.OrderState{}, false
	}
	return *o, true
}

// known looks id up in the main journal, re-reading it (at most once per
// ReloadEvery) when it has grown: an order planned after this server
// started must not be refused.
func (s *Side) known(id string) bool {
	if _, ok := s.order(id); ok {
		return true
	}
	s.reloadMu.Lock()
	defer s.reloadMu.Unlock()
	if _, ok := s.order(id); ok { // another request reloaded meanwhile
		return true
	}
	st, err := os.Stat(s.mainPath)
	if err != nil || st.Size() == s.mainSize {
		return false
	}
	if wait := s.ReloadEvery - time.Since(s.loadedAt); wait > 0 {
		time.Sleep(wait)
	}
	b, err := batch.LoadBook(context.Background(), s.mainPath)
	s.loadedAt = time.Now()
	if err != nil {
		return false
	}
	s.mu.Lock()
	s.main, s.mainSize = b, st.Size()
	s.mu.Unlock()
	_, ok := s.order(id)
	return ok
}

func (s *Side) seenNote(n *journal.CallbackNote) bool {
	s.seenMu.Lock()
	_, ok := s.seen[keyOf(n)]
	s.seenMu.Unlock()
	if ok {
		return true
	}
	o, ok := s.order(n.OrderID)
	return ok && o.CallbackState == n.State // already in the main journal
}

func (s *Side) record(ctx context.Context, n *journal.CallbackNote) error {
	c := *n
	if err := s.j.Append(ctx, &journal.Record{Type: journal.RecCallback, At: time.Now().UnixMilli(), Callback: &c}); err != nil {
		return fmt.Errorf("writing side journal %s: %w", s.j.Path(), err)
	}
	s.seenMu.Lock()
	s.seen[keyOf(n)] = struct{}{}
	s.seenMu.Unlock()
	return nil
}

// Importer moves the callbacks a standalone server wrote in a side
// journal into the batch's own journal, through an engine's recorder
// (ForEngine). It remembers how far it has read, so calling ImportTo
// often is cheap. It is safe for concurrent use.
type Importer struct {
	path string

	mu  sync.Mutex
	pos journal.Pos // where the next unread record starts
}

// NewImporter returns an importer for the side journal at sidePath
// (usually SidePath of the batch's journal).
func NewImporter(sidePath string) *Importer {
	return &Importer{path: sidePath}
}

// ImportTo records, through to's Known, Seen and Record, every callback of
// the side journal that is for an order of the batch batchID and not seen
// yet. Callbacks for orders to does not know are skipped.
func (ci *Importer) ImportTo(ctx context.Context, batchID string, to Options) (int, error) {
	ci.mu.Lock()
	defer ci.mu.Unlock()
	st, err := os.Stat(ci.path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("importing callbacks: %w", err)
	}
	if st.Size() == ci.pos.Off {
		return 0, nil
	}
	if st.Size() < ci.pos.Off {
		ci.pos = journal.Pos{} // the side journal was replaced
	}
	n, err := ci.importFrom(ctx, batchID, to)
	var de *journal.DamageError
	if errors.As(err, &de) && ci.pos.Off > 0 && n == 0 {
		// The file at our offset no longer continues what we read: it was
		// replaced. Read it again from the start; Seen drops repeats.
		ci.pos = journal.Pos{}
		n, err = ci.importFrom(ctx, batchID, to)
	}
	return n, err
}

func (ci *Importer) importFrom(ctx context.Context, batchID string, to Options) (int, error) {
	n := 0
	// The scan stops before any record it did not finish with.
	pos, err := journal.ScanFrom(ctx, ci.path, ci.pos, func(raw *journal.Raw) error {
		r, err := raw.Record()
		if err != nil {
			return err
		}
		switch {
		case r.Header != nil:
			if r.Header.BatchID != batchID {
				return fmt.Errorf("side journal %s is for batch %q, not %q", ci.path, r.Header.BatchID, batchID)
			}
		case r.Callback != nil:
			c := *r.Callback
			if !to.Known(c.OrderID) || to.Seen(&c) {
				return nil
			}
			if err := to.Record(ctx, &c); err != nil {
				return fmt.Errorf("importing callbacks from %s: %w", ci.path, err)
			}
			n++
		}
		return nil
	})
	ci.pos = pos
	if err != nil {
		return n, err
	}
	return n, nil
}
