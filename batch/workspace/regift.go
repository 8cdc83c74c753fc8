package workspace

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// What -allow-regift let through is kept in two places, in one format:
// a new batch's header setting SettingRegifted, and, for a resume (a
// header is written once), one "allow-regift" side note per resume in
// the journal's side notes file (RegiftPath). The list is
// "LINE:PHONE@BATCH,…" for the rows, and "file@BATCH" for a file another
// batch submitted; batch ids hold no ',', ':' or '@'.

// Header settings of -allow-regift.
const (
	SettingAllowRegift = "allow-regift" // "true" when -allow-regift was given at the start
	SettingRegifted    = "regifted"     // the list the guard let through at the start
)

// RegiftedList is the list of what -allow-regift let through in found.
func RegiftedList(found Findings) string {
	var parts []string
	for _, x := range found.List {
		if !x.Allowed {
			continue
		}
		switch x.Kind {
		case KindSameInput:
			parts = append(parts, "file@"+x.Other.BatchID)
		case KindRegift:
			for _, r := range x.Rows {
				parts = append(parts, fmt.Sprintf("%d:%s@%s", r.Line, r.Phone, x.Other.BatchID))
			}
		}
	}
	return strings.Join(parts, ",")
}

// Regifts is what a batch let through with -allow-regift.
type Regifts struct {
	All    bool // the same file as another batch, let through whole
	Phones map[string]bool
}

// Has reports whether the batch let phone through.
func (r Regifts) Has(phone string) bool { return r.All || r.Phones[phone] }

// Add adds a list (RegiftedList) to r; a part it cannot read is skipped.
func (r *Regifts) Add(list string) {
	for _, part := range strings.Split(list, ",") {
		who, _, ok := strings.Cut(part, "@")
		if !ok {
			continue
		}
		if who == "file" {
			r.All = true
			continue
		}
		if _, phone, ok := strings.Cut(who, ":"); ok {
			if r.Phones == nil {
				r.Phones = map[string]bool{}
			}
			r.Phones[phone] = true
		}
	}
}

// RegiftPath is the side notes file where a resume's -allow-regift rows
// are noted, beside the journal.
func RegiftPath(journal string) string { return journal + ".regift" }

// SideNote is one line of a journal's side notes file: what a resume
// learnt that the header, written once, cannot hold. It is evidence kept
// beside the journal until the journal has a record for it. (An older
// version kept balance snapshots in such notes, Kind "balance".)
type SideNote struct {
	At      string `json:"at"` // RFC 3339, UTC
	Kind    string `json:"kind"`
	User    string `json:"os_user,omitempty"`
	Host    string `json:"host,omitempty"`
	Batch   string `json:"batch"`
	Regift  string `json:"regifted,omitempty"` // a list, as SettingRegifted
	Balance string `json:"balance_yuan,omitempty"`
	Account string `json:"account_id,omitempty"`
	When    string `json:"when,omitempty"` // "before" the first request, "after" the last answer
	Reply   string `json:"reply,omitempty"`
}

// SideNoteRegift is the Kind of a resume's -allow-regift note.
const SideNoteRegift = "allow-regift"

// AppendSideNote appends n as one JSON line to path (0600), fsynced: a
// crash leaves at most a torn last line, never a changed earlier one.
// It fills in the time and who, when n has none.
func AppendSideNote(path string, n SideNote) error {
	if n.At == "" {
		n.At = time.Now().UTC().Format(time.RFC3339Nano)
	}
	if n.User == "" && n.Host == "" {
		who := Who()
		n.User, n.Host = who.User, who.Host
	}
	b, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	_, err = fh.Write(append(b, '\n'))
	if err == nil {
		err = fh.Sync()
	}
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

// SideRegifts reads the lists of the -allow-regift notes of a side notes
// file; a missing or unreadable file, or line, has none.
func SideRegifts(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(io.LimitReader(f, 64<<20))
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var n struct { // only what is read: a note is not refused for its other fields
			Kind   string `json:"kind"`
			Regift string `json:"regifted"`
		}
		if json.Unmarshal(sc.Bytes(), &n) == nil && n.Kind == SideNoteRegift {
			out = append(out, n.Regift)
		}
	}
	return out
}
