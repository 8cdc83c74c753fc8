package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Register makes the journal at path part of the workspace: one kept
// outside the workspace directory is then compared by every guard, and
// reported if it goes missing. A journal in the directory is part of it
// anyway; registering it records it at once. Call it, under the same
// lock as the guard, once the new batch's rows are journaled.
func (l *Locked) Register(ctx context.Context, path string) (*Journal, error) {
	if err := l.check(); err != nil {
		return nil, err
	}
	ws := l.ws
	p, err := canonPath(path)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("registering journal: %w", err)
	}
	js, dirty, _, err := ws.scan(ctx, true)
	if err != nil {
		return nil, err
	}
	for _, j := range js {
		if !sameJournal(j.Path, p, fi) {
			continue
		}
		if j.State != StateOK {
			return nil, fmt.Errorf("registering journal %s: the workspace already knows it, and it is %s: %s", p, j.State, j.Why)
		}
		if dirty {
			if err := ws.save(js); err != nil {
				return nil, err
			}
		}
		return j, nil
	}
	inDir := filepath.Dir(p) == ws.Dir && strings.HasSuffix(p, journalExt)
	j, err := ws.summarizeNew(ctx, p, inDir, ws.clock().UTC(), true)
	if err != nil {
		return nil, fmt.Errorf("registering journal: %w", err)
	}
	if j.State != StateOK {
		return nil, fmt.Errorf("registering journal %s: %s", p, j.Why)
	}
	if err := ws.save(append(js, j)); err != nil {
		return nil, err
	}
	return j, nil
}

// Forgetting is one line of forgotten.log.
type Forgetting struct {
	At      string   `json:"at"` // RFC 3339, UTC
	Journal string   `json:"journal"`
	BatchID string   `json:"batch"`
	State   State    `json:"state"`
	Found   string   `json:"found"` // what the refresh found
	Records int64    `json:"records"`
	Head    string   `json:"head"`
	Why     string   `json:"why"`
	Who     string   `json:"who"` // the name the person gave
	OS      Identity `json:"os"`
}

// Forget lets the workspace stop refusing over a journal that has gone
// missing, was cut short or is damaged. A missing or damaged journal
// leaves the index; a cut one stays, as it is now (its intents are
// still real), and only the memory of what was cut goes. It is a
// decision a person takes: why and who are required, and kept, with
// what the workspace knew of the journal, in forgotten.log (append-only,
// 0600) before the index changes. A journal that is fine cannot be
// forgotten: that would step outside the guard.
func (l *Locked) Forget(ctx context.Context, path, why, who string) (Forgetting, error) {
	var fg Forgetting
	if err := l.check(); err != nil {
		return fg, err
	}
	why, who = strings.TrimSpace(why), strings.TrimSpace(who)
	if why == "" || who == "" {
		return fg, errors.New("forgetting a journal: say why, and who decides")
	}
	ws := l.ws
	p, err := canonPath(path)
	if err != nil {
		return fg, err
	}
	js, _, _, err := ws.scan(ctx, true)
	if err != nil {
		return fg, err
	}
	at := -1
	for i, j := range js {
		if j.Path == p {
			at = i
			break
		}
	}
	if at < 0 {
		return fg, fmt.Errorf("forgetting journal %s: the workspace %s does not know it", p, ws.Dir)
	}
	j := js[at]
	switch {
	case j.State == StateOK:
		return fg, fmt.Errorf("forgetting journal %s: it is neither missing, cut nor damaged; nothing to forget", p)
	case j.State == StateDamaged && j.InDir:
		return fg, fmt.Errorf("forgetting journal %s: a journal in the workspace folder is always read; Try: move it out of %s (keep it for the audit), then forget it", p, ws.Dir)
	}
	now := ws.clock().UTC()
	fg = Forgetting{At: now.Format("2006-01-02T15:04:05.000Z07:00"), Journal: p, BatchID: j.BatchID,
		State: j.State, Found: j.Why, Records: j.Records, Head: j.HeadHash, Why: why, Who: who, OS: Who()}
	// A cut journal stays in the workspace as it is now: its intents are
	// still real. Only the memory of what was cut goes.
	var cur *Journal
	if j.State == StateCut {
		if cur, err = ws.summarizeNew(ctx, p, j.InDir, now, true); err != nil {
			return Forgetting{}, fmt.Errorf("forgetting journal %s: %w", p, err)
		}
		if cur.State != StateOK {
			return Forgetting{}, fmt.Errorf("forgetting journal %s: %s", p, cur.Why)
		}
		cur.FirstSeen = j.FirstSeen
	}
	if err := ws.appendForgotten(fg); err != nil {
		return Forgetting{}, err
	}
	if cur != nil {
		js[at] = cur
	} else {
		js = append(js[:at:at], js[at+1:]...)
	}
	if err := ws.save(js); err != nil {
		return fg, err
	}
	return fg, nil
}

func (ws *Workspace) appendForgotten(fg Forgetting) error {
	return AppendJSONLine(filepath.Join(ws.Dir, forgottenName), fg)
}

// Attested records that the journal at path was attested at records and
// head: from then on the guard refuses if the journal no longer reaches
// that head, whatever the journal's later head. An older attestation
// than the one kept changes nothing.
func (l *Locked) Attested(ctx context.Context, path string, records int64, head string) error {
	if err := l.check(); err != nil {
		return err
	}
	if !validHash(head) || records < 1 {
		return fmt.Errorf("attesting journal %s: bad head %.12q at record %d", path, head, records)
	}
	ws := l.ws
	p, err := canonPath(path)
	if err != nil {
		return err
	}
	js, _, _, err := ws.scan(ctx, true)
	if err != nil {
		return err
	}
	for _, j := range js {
		if j.Path != p {
			continue
		}
		if j.State != StateOK {
			return fmt.Errorf("attesting journal %s: it is %s: %s", p, j.State, j.Why)
		}
		if j.Attested != nil && j.Attested.Records >= records {
			return nil
		}
		end := j.End
		if head != j.HeadHash || records != j.Records {
			if end, err = endOf(p, head); err != nil || end > j.End || records > j.Records {
				return fmt.Errorf("attesting journal %s: it does not reach head %.12s at record %d", p, head, records)
			}
		}
		j.Attested = &Anchor{Records: records, Head: head, End: end}
		return ws.save(js)
	}
	return fmt.Errorf("attesting journal %s: the workspace %s does not know it: %w; Try: register it first", p, ws.Dir, ErrUnknownJournal)
}

// ErrUnknownJournal says a journal is not one of the workspace's.
var ErrUnknownJournal = errors.New("not a journal of the workspace")
