package batch

import (
	"context"
	"fmt"
)

// Journal is an open, locked, append-only journal file.
type Journal struct {
	// (implementation fields)
}

// CreateJournal creates a new journal at path (mode 0600, failing if it
// exists), writes the header record, fsyncs the file and its directory,
// and holds the journal's OS lock until Close.
func CreateJournal(ctx context.Context, path string, h Header) (*Journal, *Book, error) {
	panic("not implemented")
}

// OpenJournal locks an existing journal, repairs a torn tail (the broken
// bytes are kept aside in a side file and warn is told), refuses damage
// anywhere else, and returns the journal with its replayed Book.
func OpenJournal(ctx context.Context, path string, warn func(string)) (*Journal, *Book, error) {
	panic("not implemented")
}

// Append writes recs and returns once they are on disk (fsynced). Appends
// from many goroutines share one fsync (group commit). Seq, Prev and Hash
// are filled in. After a failed write or fsync, this and every later
// Append returns the error: a journal is never appended after damage.
func (j *Journal) Append(ctx context.Context, recs ...*Record) error {
	panic("not implemented")
}

// Close flushes, syncs and unlocks the journal.
func (j *Journal) Close() error { panic("not implemented") }

// LockedError says another process holds the journal.
type LockedError struct {
	Path string
	PID  int // 0 when unknown
}

func (e *LockedError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("journal %s is in use by process %d", e.Path, e.PID)
	}
	return fmt.Sprintf("journal %s is in use by another process", e.Path)
}

// DamageError says a journal is damaged somewhere other than a torn tail.
type DamageError struct {
	Path   string
	Record int64 // 1-based record number where damage was found
	Offset int64 // byte offset of that record
	Why    string
}

func (e *DamageError) Error() string {
	return fmt.Sprintf("journal %s: record %d at byte %d: %s", e.Path, e.Record, e.Offset, e.Why)
}

// Verification is what VerifyJournal found on an intact journal.
type Verification struct {
	Records  int64
	HeadHash string
	BatchID  string
}

// VerifyJournal checks every checksum and the whole hash chain of the
// journal at path, without repairing anything. Any torn tail or damage is
// an error.
func VerifyJournal(ctx context.Context, path string) (Verification, error) {
	panic("not implemented")
}
