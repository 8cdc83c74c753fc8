package journal

import (
	"context"
	"errors"
	"fmt"
)

// What the hash chain proves, and what it cannot: every record carries the
// hash of the one before it, so a changed, removed, reordered or inserted
// record anywhere before the last one breaks the chain. Whole records cut
// from the end leave a shorter, valid chain with an older head. Only a
// record count and head hash kept outside the file (an Anchor: the
// workbook's Summary, an attestation, the printed values) show that cut.

// Anchor is a journal's record count and head hash as attested elsewhere.
type Anchor struct {
	Records int64
	Head    string // hash of record Records
}

// AnchorError says a journal no longer reaches its anchor: it has fewer
// records, or its record Anchor.Records has another hash.
type AnchorError struct {
	Path    string
	Anchor  Anchor
	Records int64  // complete records the journal has
	Found   string // hash of record Anchor.Records, when the journal has it
	Missing bool   // there is no journal at Path at all
}

func (e *AnchorError) Error() string {
	if e.Missing {
		return fmt.Sprintf("there is no journal %s, attested with %s records", e.Path, Thousands(e.Anchor.Records))
	}
	if e.Records < e.Anchor.Records {
		return fmt.Sprintf("journal %s has %s records, attested %s: %s cut from its end",
			e.Path, Thousands(e.Records), Thousands(e.Anchor.Records), plural(e.Anchor.Records-e.Records, "record"))
	}
	return fmt.Sprintf("journal %s: record %s has hash %s, attested %s: the journal no longer reaches the attested head (it was cut and written again, or replaced)",
		e.Path, Thousands(e.Anchor.Records), e.Found, e.Anchor.Head)
}

func plural(n int64, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return Thousands(n) + " " + what + "s"
}

// errAnchorReached stops a scan at the anchored record.
var errAnchorReached = errors.New("anchor reached")

// VerifyTo is Verify, and then holds the journal to each
// anchor: its record a.Records must exist and have the hash a.Head, else
// the error is an *AnchorError (for the first anchor missed). Damage
// anywhere is a *DamageError first.
func VerifyTo(ctx context.Context, path string, anchors ...Anchor) (Verification, error) {
	found := make(map[int64]string, len(anchors))
	for _, a := range anchors {
		found[a.Records] = ""
	}
	v, err := verifyJournal(ctx, path, func(l sealed) {
		if _, ok := found[int64(l.seq)]; ok {
			found[int64(l.seq)] = string(l.body[l.hashAt:])
		}
	})
	if err != nil {
		return v, err
	}
	for _, a := range anchors {
		if v.Records < a.Records || found[a.Records] != a.Head {
			return v, &AnchorError{Path: path, Anchor: a, Records: v.Records, Found: found[a.Records]}
		}
	}
	return v, nil
}

// Reaches checks that the journal at path still holds the anchored
// record with the anchored hash, reading (and checking the chain of) only
// the records up to it. What follows is not read, so it may run beside a
// process appending. Damage before the anchor is a *DamageError; a journal
// that ends before it, or has another record there, an *AnchorError.
func Reaches(ctx context.Context, path string, a Anchor) error {
	f, err := openJournalFile(path)
	if err != nil {
		return fmt.Errorf("checking journal: %w", err)
	}
	defer f.Close()
	s := newScanner(path, f)
	var found string
	_, err = s.loop(ctx, func(l sealed) (bad, err error) {
		if int64(l.seq) == a.Records {
			found = string(l.body[l.hashAt:])
			return nil, errAnchorReached
		}
		return nil, nil
	})
	switch {
	case errors.Is(err, errAnchorReached):
		if found == a.Head {
			return nil
		}
		return &AnchorError{Path: path, Anchor: a, Records: a.Records, Found: found}
	case err != nil:
		return NotJournal(path, err)
	}
	return &AnchorError{Path: path, Anchor: a, Records: s.recs}
}
