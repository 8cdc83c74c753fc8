package workspace

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The index is one JSON file, index.json, rewritten whole (atomically,
// 0600) under the workspace lock. A chained log would add a second
// journal format to keep safe for what is only a cache; the memory that
// must not be lost silently (journals that went missing) is refused when
// the file is damaged rather than rebuilt, and every forgetting is kept
// in forgotten.log, which is append-only. The phones of each journal are
// not in it but in rows/HEAD.rows (see rows.go), so that the index stays
// small and a guard reads only the phone sets of its own period.

const indexVersion = 1

// Entry is what the index remembers of one journal: its summary, where
// it is, and the last head it was seen to reach.
type Entry struct {
	// Path is the journal's file. In the index file a journal in the
	// workspace directory is kept by its name alone, so that the folder
	// can be moved; here it is always absolute.
	Path  string `json:"path"`
	InDir bool   `json:"in_dir,omitempty"` // found in the workspace directory, not registered

	BatchID string `json:"batch"`
	NormID  string `json:"norm_id"`
	Period  Period `json:"period,omitempty"`
	// PeriodDerived: the journal declares no period; it is the month of
	// its first intent in Beijing time.
	PeriodDerived bool `json:"period_derived,omitempty"`

	InputName   string `json:"input_name,omitempty"`
	InputSHA256 string `json:"input_sha256,omitempty"`
	User        string `json:"os_user,omitempty"`
	Host        string `json:"host,omitempty"`
	Account     string `json:"account_id,omitempty"`

	HeadHash string `json:"head"`
	Records  int64  `json:"records"`
	End      int64  `json:"end"`      // byte offset just after the head record
	Size     int64  `json:"size"`     // file size when summarised
	ModTime  int64  `json:"mtime_ns"` // file mtime when summarised
	Sent     int    `json:"sent"`     // rows with an intent
	Planned  int    `json:"planned"`  // rows of the latest input planned, not sent yet
	Unphoned int    `json:"unphoned,omitempty"`

	Attested *Anchor `json:"attested,omitempty"`

	FirstSeen time.Time `json:"first_seen"`
	LastSeen  time.Time `json:"last_seen"`
}

// Anchor is a head a journal must keep reaching: record count, hash,
// and the byte offset just after that record.
type Anchor struct {
	Records int64  `json:"records"`
	Head    string `json:"head"`
	End     int64  `json:"end"`
}

type indexFile struct {
	Version  int      `json:"version"`
	Journals []*Entry `json:"journals"`
}

// ErrIndexDamaged says index.json cannot be read. It is refused, not
// rebuilt, since it is the only memory of journals that went missing.
var ErrIndexDamaged = errors.New("workspace index damaged")

func (ws *Workspace) indexPath() string { return filepath.Join(ws.Dir, indexName) }

// loadIndex reads index.json; a missing file is an empty index, and
// missing reports so.
func (ws *Workspace) loadIndex() (entries []*Entry, missing bool, err error) {
	b, err := os.ReadFile(ws.indexPath())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading workspace index: %w", err)
	}
	entries, err = decodeIndex(b)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %s: %v; Try: keep the file, move it aside to rebuild the index from the journals, then register again any journal kept outside %s",
			ErrIndexDamaged, ws.indexPath(), err, ws.Dir)
	}
	for _, e := range entries {
		if e.InDir {
			e.Path = filepath.Join(ws.Dir, e.Path)
		}
	}
	return entries, false, nil
}

// decodeIndex parses and checks an index file. Every field that later
// names a file or is compared is checked here.
func decodeIndex(b []byte) ([]*Entry, error) {
	var f indexFile
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&f); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("data after the index")
	}
	if f.Version != indexVersion {
		return nil, fmt.Errorf("version %d, want %d", f.Version, indexVersion)
	}
	seen := make(map[string]bool, len(f.Journals))
	for i, e := range f.Journals {
		bad := func(why string) error { return fmt.Errorf("journal %d: %s", i+1, why) }
		switch {
		case e == nil:
			return nil, bad("empty")
		case e.InDir && (e.Path != filepath.Base(e.Path) || !strings.HasSuffix(e.Path, journalExt) || e.Path == journalExt):
			return nil, bad("bad name")
		case !e.InDir && !filepath.IsAbs(e.Path):
			return nil, bad("path not absolute")
		case !validHash(e.HeadHash):
			return nil, bad("bad head hash")
		case e.Records < 1 || e.End < 1 || e.Size < 0 || e.Sent < 0 || e.Planned < 0 || e.Unphoned < 0:
			return nil, bad("bad counts")
		case e.NormID != Normalize(e.BatchID):
			return nil, bad("normalized id does not match the batch id")
		case e.Period != "" && !validPeriod(e.Period):
			return nil, bad("bad period")
		case e.Attested != nil && (!validHash(e.Attested.Head) || e.Attested.Records < 1 || e.Attested.End < 1):
			return nil, bad("bad attested head")
		}
		key := fmt.Sprint(e.InDir, e.Path)
		if seen[key] {
			return nil, bad("listed twice")
		}
		seen[key] = true
	}
	return f.Journals, nil
}

func validPeriod(p Period) bool { _, err := ParsePeriod(string(p)); return err == nil }

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		if c := h[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// saveIndex writes the index and removes rows files no entry names.
func (ws *Workspace) saveIndex(entries []*Entry) error {
	f := indexFile{Version: indexVersion, Journals: make([]*Entry, len(entries))}
	for i, e := range entries {
		c := *e
		if c.InDir {
			c.Path = filepath.Base(c.Path)
		}
		f.Journals[i] = &c
	}
	slices.SortFunc(f.Journals, func(a, b *Entry) int { return strings.Compare(a.Path, b.Path) })
	b, err := json.MarshalIndent(f, "", "\t")
	if err != nil {
		return fmt.Errorf("writing workspace index: %w", err)
	}
	if err := writeFile(ws.indexPath(), append(b, '\n'), true); err != nil {
		return err
	}
	keep := make(map[string]bool, len(entries))
	for _, e := range entries {
		keep[e.HeadHash+".rows"] = true
	}
	des, err := os.ReadDir(filepath.Join(ws.Dir, rowsDirName))
	if err != nil {
		return nil // no rows files yet, or nothing to tidy
	}
	for _, de := range des {
		if n := de.Name(); strings.HasSuffix(n, ".rows") && !keep[n] {
			os.Remove(filepath.Join(ws.Dir, rowsDirName, n))
		}
	}
	return nil
}

// State is what a refresh found of a journal the index remembers.
type State string

const (
	StateOK      State = "ok"
	StateMissing State = "missing" // the file is gone
	StateCut     State = "cut"     // fewer records, or no longer reaches the remembered head
	StateDamaged State = "damaged" // a checksum or the chain fails
)

// Journal is one journal of the workspace as a refresh found it. For a
// journal that is not StateOK, Entry is what the index remembered.
type Journal struct {
	Entry
	State State
	Why   string // for a journal not OK: what was found

	rows   []PhoneRow // loaded lazily; see rowsOf
	loaded bool
}

// refresh brings the index up to date with the journals: it adds the
// *.journal files of the directory, re-summarises every journal whose
// size, mtime or head record changed, and marks the missing, cut and
// damaged ones without forgetting what it knew of them. With persist
// (the caller holds the lock) it saves the index and the rows files;
// without, it writes nothing.
// rebuilt says the index file was missing while the folder holds
// journals.
func (ws *Workspace) refresh(ctx context.Context, persist bool) (js []*Journal, rebuilt bool, err error) {
	js, dirty, rebuilt, err := ws.scan(ctx, persist)
	if err != nil {
		return nil, false, err
	}
	if persist && dirty {
		if err := ws.save(js); err != nil {
			return nil, false, err
		}
	}
	return js, rebuilt, nil
}

// scan is refresh without the saving of the index; dirty says whether
// the index should be saved.
func (ws *Workspace) scan(ctx context.Context, writeRows bool) (js []*Journal, dirty, rebuilt bool, err error) {
	js, dirty, missing, err := ws.scan1(ctx, writeRows)
	return js, dirty, missing && len(js) > 0, err
}

func (ws *Workspace) scan1(ctx context.Context, writeRows bool) (js []*Journal, dirty, missing bool, err error) {
	entries, missing, err := ws.loadIndex()
	if err != nil {
		return nil, false, false, err
	}
	dirty = missing
	byPath := make(map[string]*Entry, len(entries))
	for _, e := range entries {
		byPath[e.Path] = e
	}
	des, err := os.ReadDir(ws.Dir)
	if err != nil {
		return nil, false, false, fmt.Errorf("reading workspace %s: %w", ws.Dir, err)
	}
	var found []string
	for _, de := range des {
		n := de.Name()
		if !strings.HasSuffix(n, journalExt) || n == journalExt {
			continue
		}
		p := filepath.Join(ws.Dir, n)
		if t := de.Type(); t&fs.ModeSymlink != 0 {
			if fi, err := os.Stat(p); err != nil || !fi.Mode().IsRegular() {
				continue
			}
		} else if !t.IsRegular() {
			continue
		}
		if byPath[p] == nil {
			found = append(found, p)
		}
	}
	now := ws.clock().UTC()
	js = make([]*Journal, 0, len(entries)+len(found))
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, false, false, err
		}
		j, ch, err := ws.check(ctx, e, now, writeRows)
		if err != nil {
			return nil, false, false, err
		}
		dirty = dirty || ch
		js = append(js, j)
	}
	for _, p := range found {
		j, err := ws.summarizeNew(ctx, p, true, now, writeRows)
		if err != nil {
			return nil, false, false, err
		}
		dirty = dirty || j.State == StateOK
		js = append(js, j)
	}
	return js, dirty, missing, nil
}

// save writes the index of js. A damaged file the index never knew has
// no memory to keep; it is found again by the next scan.
func (ws *Workspace) save(js []*Journal) error {
	keep := make([]*Entry, 0, len(js))
	for _, j := range js {
		if j.Records > 0 {
			keep = append(keep, &j.Entry)
		}
	}
	return ws.saveIndex(keep)
}

// lastSeenEvery bounds how often an unchanged journal's LastSeen is
// written back, so that a guard over unchanged journals does not rewrite
// the index every time.
const lastSeenEvery = time.Hour

// check compares one remembered journal with its file.
func (ws *Workspace) check(ctx context.Context, e *Entry, now time.Time, writeRows bool) (*Journal, bool, error) {
	j := &Journal{Entry: *e, State: StateOK}
	fi, err := os.Stat(e.Path)
	if errors.Is(err, fs.ErrNotExist) {
		j.State, j.Why = StateMissing, "the file is gone"
		return j, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("checking journal %s: %w", e.Path, err)
	}
	if fi.Size() == e.Size && fi.ModTime().UnixNano() == e.ModTime {
		ok, err := reaches(e.Path, e.End, e.HeadHash)
		if err != nil {
			return nil, false, err
		}
		if ok {
			if now.Sub(e.LastSeen) > lastSeenEvery {
				j.LastSeen = now
				return j, true, nil
			}
			return j, false, nil
		}
	}
	s, err := Summarize(ctx, e.Path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		j.State, j.Why = StateMissing, "the file is gone"
		return j, false, nil
	case errors.Is(err, ErrDamaged):
		j.State, j.Why = StateDamaged, err.Error()
		return j, false, nil
	case err != nil:
		return nil, false, err
	}
	if why, err := cutWhy(e, &s); err != nil {
		return nil, false, err
	} else if why != "" {
		j.State, j.Why = StateCut, why
		return j, false, nil
	}
	j.Entry = entryOf(e.Path, e.InDir, &s, fi, e.FirstSeen, now)
	j.Attested = e.Attested
	j.rows, j.loaded = s.Rows, true
	if writeRows {
		if err := ws.writeRows(s.HeadHash, s.Rows); err != nil {
			return nil, false, err
		}
	}
	return j, true, nil
}

// cutWhy says how a journal no longer holds what the index remembers of
// it, or "" when it still does.
func cutWhy(e *Entry, s *JournalSummary) (string, error) {
	anchors := []struct {
		what string
		a    Anchor
	}{{"the head the index remembers", Anchor{e.Records, e.HeadHash, e.End}}}
	if e.Attested != nil {
		anchors = append(anchors, struct {
			what string
			a    Anchor
		}{"its attested head", *e.Attested})
	}
	for _, x := range anchors {
		if s.Records < x.a.Records {
			return fmt.Sprintf("it has %d records; %s is record %d (%.12s)", s.Records, x.what, x.a.Records, x.a.Head), nil
		}
		ok := x.a.End <= s.End
		if ok {
			var err error
			if ok, err = reaches(e.Path, x.a.End, x.a.Head); err != nil {
				return "", err
			}
		}
		if !ok {
			return fmt.Sprintf("its record %d is no longer %s (%.12s): records were cut or replaced", x.a.Records, x.what, x.a.Head), nil
		}
	}
	return "", nil
}

// entryOf makes the index entry of a summarised journal.
func entryOf(path string, inDir bool, s *JournalSummary, fi fs.FileInfo, firstSeen, now time.Time) Entry {
	e := Entry{
		Path: path, InDir: inDir,
		BatchID: s.BatchID, NormID: Normalize(s.BatchID),
		InputName: s.InputName, InputSHA256: s.InputSHA256,
		User: s.User, Host: s.Host, Account: s.Account,
		HeadHash: s.HeadHash, Records: s.Records, End: s.End,
		Size: fi.Size(), ModTime: fi.ModTime().UnixNano(),
		Sent: s.Sent, Planned: s.Planned, Unphoned: s.Unphoned,
		FirstSeen: firstSeen, LastSeen: now,
	}
	if e.FirstSeen.IsZero() {
		e.FirstSeen = now
	}
	if p, err := ParsePeriod(s.Period); err == nil {
		e.Period = p
	} else if s.FirstIntent > 0 {
		e.Period, e.PeriodDerived = PeriodOf(time.UnixMilli(s.FirstIntent)), true
	}
	return e
}

// summarizeNew reads a journal the index does not know yet.
func (ws *Workspace) summarizeNew(ctx context.Context, path string, inDir bool, now time.Time, writeRows bool) (*Journal, error) {
	// The stat comes first: if the journal grows while it is read, the
	// next refresh sees another size and reads it again.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("reading journal: %w", err)
	}
	s, err := Summarize(ctx, path)
	if errors.Is(err, ErrDamaged) {
		return &Journal{Entry: Entry{Path: path, InDir: inDir, FirstSeen: now, LastSeen: now}, State: StateDamaged, Why: err.Error()}, nil
	}
	if err != nil {
		return nil, err
	}
	j := &Journal{Entry: entryOf(path, inDir, &s, fi, now, now), State: StateOK, rows: s.Rows, loaded: true}
	if writeRows {
		if err := ws.writeRows(s.HeadHash, s.Rows); err != nil {
			return nil, err
		}
	}
	return j, nil
}

// rowsOf returns the rows of a journal found OK: from its rows file,
// or, when that is missing or does not check out, from the journal.
func (ws *Workspace) rowsOf(ctx context.Context, j *Journal, writeRows bool) ([]PhoneRow, error) {
	if j.loaded {
		return j.rows, nil
	}
	rows, err := ws.readRows(j.HeadHash)
	if err != nil || len(rows) != j.Sent+j.Planned {
		s, serr := Summarize(ctx, j.Path)
		if serr != nil {
			return nil, serr
		}
		if s.HeadHash != j.HeadHash {
			// It moved on since the refresh: use what is there now; the
			// next refresh records it.
			return s.Rows, nil
		}
		rows = s.Rows
		if writeRows {
			_ = ws.writeRows(s.HeadHash, rows) // a cache: failing to keep it costs time only
		}
	}
	j.rows, j.loaded = rows, true
	return rows, nil
}

// Journals refreshes the index in memory and returns every journal of
// the workspace, with what each was found to be. It writes nothing:
// without the lock, a later locked refresh records what changed.
func (ws *Workspace) Journals(ctx context.Context) ([]*Journal, error) {
	js, _, err := ws.refresh(ctx, false)
	return js, err
}

// Journals is Workspace.Journals, saving the refreshed index.
func (l *Locked) Journals(ctx context.Context) ([]*Journal, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	js, _, err := l.ws.refresh(ctx, true)
	return js, err
}
