package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Journal is an open, locked, append-only journal file. The file format
// is described in codec.go.
//
// Append fills in Seq, Prev and Hash; it does not touch any Book. The
// caller (the engine) applies each record to its Book after Append
// returns, so the Book only ever shows what is on disk.
type Journal struct {
	path   string
	f      journalFile
	unlock func() error
	noSync bool // test data generation only: skip fsync

	mu     sync.RWMutex // closed vs. queueing
	closed bool
	reqs   chan *appendReq
	done   chan struct{} // the writer has exited

	errMu sync.Mutex
	err   error // set once a write or fsync failed; final

	// Owned by the writer goroutine.
	seq     uint64
	prevRaw [32]byte
	prevHex [hashHexLen]byte
	buf     []byte
}

// journalFile is what the journal needs of its file; tests replace it to
// make writes and fsyncs fail.
type journalFile interface {
	io.Writer
	Sync() error
	Close() error
}

type appendReq struct {
	recs   []*Record
	bodies [][]byte
	done   chan error
}

const (
	maxGroupRecords = 8192
	maxGroupBytes   = 8 << 20
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("journal is closed")

// Create creates a new journal at path (mode 0600, failing if it
// exists), writes the header record, fsyncs the file and its directory,
// and holds the journal's OS lock until Close. It returns the header
// record as written (Seq and Hash set).
func Create(ctx context.Context, path string, h Header) (*Journal, *Record, error) {
	return create(ctx, path, h, false)
}

func create(ctx context.Context, path string, h Header, noSync bool) (*Journal, *Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	cl, err := lockCreate(path)
	if err != nil {
		return nil, nil, err
	}
	defer cl.release()
	if _, err := os.Lstat(path); err == nil {
		if err := heldBy(path); err != nil {
			return nil, nil, err
		}
		return nil, nil, fmt.Errorf("creating journal %s: %w", path, fs.ErrExist)
	}
	// The header is written and synced under a temporary name and then
	// linked into place, so a crash at any instant leaves either no
	// journal or one with a complete header, never an empty file that
	// every later run would have to refuse. The new file is locked before
	// it is linked, so no other process can take it in between. Creators
	// take turns on the creation lock, so a PATH.new found here is what a
	// killed creator left.
	tmp := resolvePath(path) + ".new"
	os.Remove(tmp)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, fmt.Errorf("creating journal: %w", err)
	}
	defer os.Remove(tmp)
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("creating journal %s: %w", path, err)
	}
	unlock, err := lockNew(tmp, path)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("creating journal %s: locking it: %w", path, err)
	}
	j := newJournal(path, f, unlock, 0, zeroHashHex)
	j.noSync = noSync
	hdr := &Record{Type: RecHeader, At: time.Now().UnixMilli(), Header: &h}
	if err := j.Append(ctx, hdr); err != nil {
		j.Close()
		return nil, nil, err
	}
	if err := os.Link(tmp, path); err != nil {
		j.Close()
		return nil, nil, fmt.Errorf("creating journal: %w", err)
	}
	if !noSync {
		if err := SyncDir(filepath.Dir(path)); err != nil {
			j.Close()
			return nil, nil, fmt.Errorf("creating journal %s: %w", path, err)
		}
	}
	noteHolder(path)
	return j, hdr, nil
}

// removeStaleNew removes the PATH.new a creator killed before it finished
// left (a second name of the journal, when it was killed after linking).
// It runs under the journal's lock, and skips when a creator is at work.
func removeStaleNew(path string) {
	tmp := resolvePath(path) + ".new"
	if _, err := os.Lstat(tmp); err != nil {
		return
	}
	cl, err := lockCreate(path)
	if err != nil {
		return
	}
	defer cl.release()
	os.Remove(tmp)
}

// SyncDir fsyncs directory dir, so that a file created or renamed in it
// survives a crash.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync of directory %s: %w", dir, err)
	}
	return nil
}

func newJournal(path string, f journalFile, unlock func() error, seq uint64, prevHex []byte) *Journal {
	j := &Journal{
		path:   path,
		f:      f,
		unlock: unlock,
		reqs:   make(chan *appendReq, 1024),
		done:   make(chan struct{}),
		seq:    seq,
	}
	copy(j.prevHex[:], prevHex)
	decodeHash(j.prevHex[:], &j.prevRaw)
	go j.writer()
	return j
}

// Open locks an existing journal, reads it through visit (as Scan
// does), repairs a torn tail (the broken bytes are kept aside in a side
// file and warn is told), refuses damage anywhere else, and returns the
// journal ready to append, with the position after its last record.
//
// A torn tail is what a crash during a write leaves after the last good
// record: an incomplete last line (no LF), or bytes that start with a zero
// byte and contain no intact record. It is copied to PATH.torn-<unixnano>
// (mode 0600, fsynced) and cut off. Anything else that is not a valid,
// chained record, including a complete line with a bad checksum, is a
// *DamageError and nothing is changed.
func Open(ctx context.Context, path string, warn func(string), visit func(*Raw) error) (*Journal, Pos, error) {
	unlock, err := Lock(path)
	if err != nil {
		return nil, Pos{}, err
	}
	j, end, err := openLocked(ctx, path, warn, visit, unlock, false)
	if err != nil {
		unlock()
		return nil, Pos{}, NotJournal(path, err)
	}
	removeStaleNew(path)
	return j, end, nil
}

// openLocked opens a locked journal. noSync skips every fsync; only tests
// and test-data generation use it.
func openLocked(ctx context.Context, path string, warn func(string), visit func(*Raw) error, unlock func() error, noSync bool) (*Journal, Pos, error) {
	r, err := openJournalFile(path)
	if err != nil {
		return nil, Pos{}, fmt.Errorf("opening journal: %w", err)
	}
	defer r.Close()
	s := newScanner(path, r)
	t, err := s.loopAhead(ctx, visitor(visit))
	if err != nil {
		return nil, Pos{}, err
	}
	if s.recs == 0 {
		return nil, Pos{}, &DamageError{Path: path, Record: 1, Offset: 0, Why: "no complete header record: the journal was never fully created"}
	}
	w, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return nil, Pos{}, fmt.Errorf("opening journal for appending: %w", err)
	}
	if t != nil {
		kept, err := keepTorn(r, path, t, noSync)
		if err == nil {
			err = w.Truncate(t.off)
		}
		if err == nil && !noSync {
			err = w.Sync()
		}
		if err != nil {
			w.Close()
			return nil, Pos{}, fmt.Errorf("repairing the torn tail of journal %s: %w", path, err)
		}
		if warn != nil {
			warn(fmt.Sprintf("journal %s: torn tail of %d bytes after record %d kept in %s; truncated", path, t.n, s.recs, kept))
		}
	}
	j := newJournal(path, w, unlock, uint64(s.recs), s.prevHex[:])
	j.noSync = noSync
	return j, s.pos(), nil
}

// keepTorn copies the torn bytes to a side file and syncs it and its
// directory before the journal is cut.
func keepTorn(r *os.File, path string, t *tail, noSync bool) (string, error) {
	name := fmt.Sprintf("%s.torn-%d", path, time.Now().UnixNano())
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, io.NewSectionReader(r, t.off, t.n))
	if err == nil && !noSync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && !noSync {
		err = SyncDir(filepath.Dir(path))
	}
	if err != nil {
		return "", fmt.Errorf("keeping torn tail in %s: %w", name, err)
	}
	return name, nil
}

// Append writes recs and returns once they are on disk (fsynced). Appends
// from many goroutines share one write and one fsync (group commit). Seq,
// Prev and Hash are filled in; the caller then applies the records to its
// Book. A record that cannot be encoded is refused before anything is
// written. A ctx cancelled before the records are queued returns ctx.Err()
// and writes nothing; once queued, they are written regardless and Append
// waits for them. After a failed write or fsync, this and every later
// Append returns the error: the process must stop.
func (j *Journal) Append(ctx context.Context, recs ...*Record) error {
	if len(recs) == 0 {
		return nil
	}
	if err := j.failed(); err != nil {
		return err
	}
	req := &appendReq{recs: recs, bodies: make([][]byte, len(recs)), done: make(chan error, 1)}
	for i, r := range recs {
		body, err := appendBody(nil, r)
		if err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		req.bodies[i] = body
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	j.mu.RLock()
	if j.closed {
		j.mu.RUnlock()
		return fmt.Errorf("journal %s: %w", j.path, ErrClosed)
	}
	select {
	case j.reqs <- req:
	case <-ctx.Done():
		j.mu.RUnlock()
		return ctx.Err()
	}
	j.mu.RUnlock()
	return <-req.done
}

func (j *Journal) failed() error {
	j.errMu.Lock()
	defer j.errMu.Unlock()
	return j.err
}

func (j *Journal) poison(err error) error {
	j.errMu.Lock()
	defer j.errMu.Unlock()
	if j.err == nil {
		j.err = err
	}
	return j.err
}

// writer is the single goroutine that writes: it takes every request
// waiting, writes them with one write(2) and one fsync, then answers all.
func (j *Journal) writer() {
	defer close(j.done)
	group := make([]*appendReq, 0, 256)
	for req := range j.reqs {
		group = append(group[:0], req)
		n, size := len(req.recs), 0
	more:
		for n < maxGroupRecords && size < maxGroupBytes {
			select {
			case r, ok := <-j.reqs:
				if !ok {
					break more
				}
				group = append(group, r)
				n += len(r.recs)
				for _, b := range r.bodies {
					size += len(b)
				}
			default:
				break more
			}
		}
		err := j.commit(group)
		for _, r := range group {
			r.done <- err
		}
	}
}

func (j *Journal) commit(group []*appendReq) error {
	if err := j.failed(); err != nil {
		return err
	}
	seq, prevRaw, prevHex := j.seq, j.prevRaw, j.prevHex
	j.buf = j.buf[:0]
	for _, req := range group {
		for i, r := range req.recs {
			seq++
			var sum [32]byte
			start := len(j.buf)
			j.buf, sum = sealLine(j.buf, seq, req.bodies[i], &prevRaw, prevHex[:])
			r.Seq = seq
			r.Prev = string(prevHex[:])
			line := j.buf[start : len(j.buf)-1]
			r.Hash = string(line[len(line)-hashHexLen:])
			prevRaw = sum
			copy(prevHex[:], r.Hash)
		}
	}
	if _, err := j.f.Write(j.buf); err != nil {
		return j.poison(fmt.Errorf("journal %s: write failed; the process must stop: %w", j.path, err))
	}
	if !j.noSync {
		if err := j.f.Sync(); err != nil {
			return j.poison(fmt.Errorf("journal %s: fsync failed; the process must stop: %w", j.path, err))
		}
	}
	j.seq, j.prevRaw, j.prevHex = seq, prevRaw, prevHex
	if cap(j.buf) > maxGroupBytes*2 {
		j.buf = nil
	}
	return nil
}

// Close flushes, syncs and unlocks the journal. Appends after Close fail.
// The lock file is left in place on purpose (see lock_unix.go).
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	close(j.reqs)
	j.mu.Unlock()
	<-j.done

	err := j.failed() // every commit was fsynced: nothing is left to flush
	if cerr := j.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("closing journal %s: %w", j.path, cerr)
	}
	if uerr := j.unlock(); err == nil {
		err = uerr
	}
	return err
}

// Path is the journal's file name.
func (j *Journal) Path() string { return j.path }

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

// Verification is what Verify found on an intact journal.
type Verification struct {
	Records  int64
	HeadHash string
	BatchID  string
}

// Verify checks every checksum and the whole hash chain of the
// journal at path, without locking or repairing anything. Any torn tail
// or damage is an error (a *DamageError); a file that is not a journal at
// all is a *NotJournalError. It cannot see whole records cut from the
// end: VerifyTo holds the journal to an anchor kept elsewhere.
func Verify(ctx context.Context, path string) (Verification, error) {
	return verifyJournal(ctx, path, nil)
}

// verifyJournal is Verify; each (if not nil) sees every checked line.
func verifyJournal(ctx context.Context, path string, each func(sealed)) (Verification, error) {
	var v Verification
	f, err := openJournalFile(path)
	if err != nil {
		return v, fmt.Errorf("verifying journal: %w", err)
	}
	defer f.Close()
	s := newScanner(path, f)
	check := visitor(func(r *Raw) error {
		rec, err := r.Record()
		if err != nil {
			return err
		}
		if rec.Header != nil {
			v.BatchID = rec.Header.BatchID
		}
		return nil
	})
	t, err := s.loop(ctx, func(l sealed) (bad, err error) {
		if bad, err = check(l); bad == nil && err == nil && each != nil {
			each(l)
		}
		return bad, err
	})
	if err != nil {
		return v, NotJournal(path, err)
	}
	if t != nil {
		return v, NotJournal(path, &DamageError{Path: path, Record: s.recs + 1, Offset: t.off,
			Why: fmt.Sprintf("%d bytes after record %d are not a complete record (torn tail)", t.n, s.recs)})
	}
	if s.recs == 0 {
		return v, NotJournal(path, &DamageError{Path: path, Record: 1, Offset: 0, Why: "empty journal: no header record"})
	}
	v.Records = s.recs
	v.HeadHash = string(s.prevHex[:])
	return v, nil
}

// NotJournalError says a file is not a flowbatch journal at all (an
// .xlsx, a CSV, an empty file): a wrong path, not a damaged journal.
type NotJournalError struct {
	Path  string
	Start string // what the file starts with, quoted; "" when it is empty or no regular file
	Kind  string // what it looks like, when known ("a zip archive, as .xlsx files are", "a named pipe")
}

func (e *NotJournalError) Error() string {
	switch {
	case e.Start == "" && e.Kind != "":
		return fmt.Sprintf("%s is not a flowbatch journal (it is %s)", e.Path, e.Kind)
	case e.Start == "":
		return fmt.Sprintf("%s is not a flowbatch journal (it is empty)", e.Path)
	case e.Kind != "":
		return fmt.Sprintf("%s is not a flowbatch journal (it starts with %s: %s)", e.Path, e.Start, e.Kind)
	}
	return fmt.Sprintf("%s is not a flowbatch journal (it starts with %s)", e.Path, e.Start)
}

// headerStart is how every journal starts: record 1, the header.
const headerStart = "1\tH\t"

// NotJournal turns damage at record 1 into a *NotJournalError when the
// file does not even look like a journal; any other error is returned as
// it is. A journal is recognised by its first line starting "1 TAB H TAB"
// or naming the journal format, so one flipped byte in the header is still
// damage to a journal (exit 7, keep the file), and a zero-filled start (a
// crash's unwritten blocks) too.
func NotJournal(path string, err error) error {
	var de *DamageError
	if !errors.As(err, &de) || de.Record != 1 {
		return err
	}
	f, ferr := openJournalFile(path)
	if ferr != nil {
		return err
	}
	defer f.Close()
	raw := make([]byte, 4096)
	n, _ := io.ReadFull(f, raw)
	raw = raw[:n]
	line := raw
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	start := []byte(headerStart)
	switch {
	case n > 0 && raw[0] == 0,
		len(line) > 0 && bytes.HasPrefix(start, line[:min(len(line), len(start))]),
		bytes.Contains(line, []byte("\t"+journalFormat+"\t")):
		return err
	}
	if n == 0 {
		return &NotJournalError{Path: path}
	}
	head := raw[:min(len(raw), 24)]
	ne := &NotJournalError{Path: path, Start: fmt.Sprintf("%q", head)}
	if len(raw) > len(head) {
		ne.Start = fmt.Sprintf("%q…", head)
	}
	buf := raw
	switch {
	case bytes.HasPrefix(buf, []byte("PK\x03\x04")):
		ne.Kind = "a zip archive, as .xlsx files are"
	case bytes.HasPrefix(buf, []byte("\xd0\xcf\x11\xe0")):
		ne.Kind = "an old Office file, as .xls files are"
	case bytes.HasPrefix(buf, []byte("%PDF")):
		ne.Kind = "a PDF"
	case bytes.HasPrefix(buf, []byte("{")):
		ne.Kind = "JSON, as an attestation is"
	}
	return ne
}

// openJournalFile opens the journal at path for reading. Anything but a
// regular file (a directory, a named pipe, a device such as /dev/zero) is
// a *NotJournalError, never read (see OpenRegular).
func openJournalFile(path string) (*os.File, error) {
	f, kind, err := OpenRegular(path)
	if kind != "" {
		return nil, &NotJournalError{Path: path, Kind: kind}
	}
	return f, err
}

// OpenRegular opens the file at path for reading if it is a regular file.
// It opens without blocking, so a named pipe with no writer cannot hang
// the command, and decides on the opened file, so what is read is what
// was checked. Anything else is closed at once and named in kind ("a
// directory", "a named pipe", "a device", "a socket", "not a regular
// file"), with a nil file and error.
func OpenRegular(path string) (f *os.File, kind string, err error) {
	f, err = os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, "", err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, "", err
	}
	switch m := fi.Mode(); {
	case m.IsRegular():
		return f, "", nil
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe"
	case m&fs.ModeDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	default:
		kind = "not a regular file"
	}
	f.Close()
	return nil, kind, nil
}
