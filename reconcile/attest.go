package reconcile

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
)

// An attestation (ID.attest.json, beside the workbook) is a checkpoint of
// a batch's journal: its record count and head hash, with the totals the
// workbook shows. The journal's hash chain cannot show whole records cut
// from its end; held to an attestation kept elsewhere (its sha256 travels
// on the signed Summary and in the e-mail), it can.
//
// A newer attestation replaces an older one only when the journal still
// reaches the older one's head: a later cut cannot erase a checkpoint.

// AttestationFormat names the file's format; readers refuse others.
const AttestationFormat = "flowbatch-attestation/1"

// Attestation is the content of an ID.attest.json. Amounts are integer 厘
// and the same amount in yuan as exact text.
type Attestation struct {
	Format         string         `json:"format"`
	BatchID        string         `json:"batch_id"`
	Journal        string         `json:"journal"` // the journal's file name
	JournalRecords int64          `json:"journal_records"`
	JournalHead    string         `json:"journal_head"`
	InputFile      string         `json:"input_file"`
	InputSHA256    string         `json:"input_sha256"`
	InputRows      int            `json:"input_rows"`
	Counts         map[string]int `json:"counts"` // per state, every state
	SpendLi        int64          `json:"spend_li"`
	SpendYuan      string         `json:"spend_yuan"`
	ChargingLi     int64          `json:"charging_li"`
	ChargingYuan   string         `json:"charging_yuan"`
	RefundedLi     int64          `json:"refunded_li"`
	RefundedYuan   string         `json:"refunded_yuan"`
	Orphans        int            `json:"orphans"`
	OrphanSpendLi  int64          `json:"orphan_spend_li"`
	OrphanSpendYn  string         `json:"orphan_spend_yuan"`
	GeneratedAt    string         `json:"generated_at"` // RFC 3339, Beijing time
	ToolVersion    string         `json:"tool_version"`
	// The provider's statement the workbook matched, when it did: the
	// statement file is held to these as the journal is to its own.
	Statement        string `json:"statement,omitempty"` // the statement file's name
	StatementRecords int64  `json:"statement_records,omitempty"`
	StatementHead    string `json:"statement_head,omitempty"`
	UnexplainedLi    int64  `json:"unexplained_li,omitempty"` // charged by no journal of the workspace
}

// Anchor is what the attestation holds the journal to.
func (a *Attestation) Anchor() journal.Anchor {
	return journal.Anchor{Records: a.JournalRecords, Head: a.JournalHead}
}

// AttestationPath is where the attestation of batchID goes for the
// workbook out: ID.attest.json in out's directory.
func AttestationPath(out, batchID string) string {
	return filepath.Join(filepath.Dir(out), batchID+".attest.json")
}

// AttestationError says an attestation file cannot be read or is not one.
type AttestationError struct {
	Path string
	Why  string
}

func (e *AttestationError) Error() string { return fmt.Sprintf("attestation %s: %s", e.Path, e.Why) }

// OtherJournalError says the attestation beside the workbook is of
// another journal of the same batch id: writing this journal's over it
// would erase that checkpoint, and holding this journal to it means
// nothing.
type OtherJournalError struct {
	Path            string // the attestation
	Attested        string // the journal file it names
	Journal         string // this journal
	AttestedRecords int64
}

func (e *OtherJournalError) Error() string {
	return fmt.Sprintf("attestation %s is of journal %s (%s records) of the same batch, not of %s",
		e.Path, e.Attested, journal.Thousands(e.AttestedRecords), e.Journal)
}

// sameJournal refuses an attestation of another journal file.
func sameJournal(path string, a *Attestation, journal string) error {
	if a.Journal != "" && a.Journal != filepath.Base(journal) {
		return &OtherJournalError{Path: path, Attested: a.Journal, Journal: journal, AttestedRecords: a.JournalRecords}
	}
	return nil
}

// maxAttestation bounds what ReadAttestation reads: the file is small.
const maxAttestation = 1 << 20

// ReadAttestation reads and checks the attestation at path, and returns
// it with the sha256 (hex) of the file's bytes.
func ReadAttestation(path string) (*Attestation, string, error) {
	f, err := input.OpenRegular(path)
	var nr *input.NotRegularError
	if errors.As(err, &nr) {
		return nil, "", fmt.Errorf("reading attestation %s: %w", path, err)
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxAttestation+1))
	if err != nil {
		return nil, "", fmt.Errorf("reading attestation %s: %w", path, err)
	}
	if len(data) > maxAttestation {
		return nil, "", &AttestationError{path, "larger than 1 MiB: not an attestation"}
	}
	sum := sha256.Sum256(data)
	var a Attestation
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&a); err != nil {
		return nil, "", &AttestationError{path, fmt.Sprintf("not readable JSON: %v", err)}
	}
	switch {
	case a.Format != AttestationFormat:
		return nil, "", &AttestationError{path, fmt.Sprintf("format %q, want %q", a.Format, AttestationFormat)}
	case a.BatchID == "":
		return nil, "", &AttestationError{path, "no batch_id"}
	case a.JournalRecords < 1:
		return nil, "", &AttestationError{path, fmt.Sprintf("journal_records %d: want 1 or more", a.JournalRecords)}
	case !IsHash(a.JournalHead):
		return nil, "", &AttestationError{path, fmt.Sprintf("journal_head %q is not 64 lowercase hex digits", a.JournalHead)}
	}
	return &a, hex.EncodeToString(sum[:]), nil
}

// IsHash reports whether s is a sha256 in lowercase hex, as the journal
// and the attestation write it.
func IsHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// CheckAttested holds the journal at journalPath to the attestation at
// attestPath, if there is one: nil when there is none, or when the journal
// still reaches it. It reads only the records up to the attested head, so
// it may run beside a writer. A journal that no longer reaches it is a
// *journal.AnchorError; a missing journal with an attestation beside its
// workbook is one too (every record cut).
func CheckAttested(ctx context.Context, attestPath, journalPath string) error {
	a, _, err := ReadAttestation(attestPath)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := sameJournal(attestPath, a, journalPath); err != nil {
		return err
	}
	err = journal.Reaches(ctx, journalPath, a.Anchor())
	if errors.Is(err, fs.ErrNotExist) {
		err = &journal.AnchorError{Path: journalPath, Anchor: a.Anchor(), Missing: true}
	}
	if err != nil {
		return fmt.Errorf("held to attestation %s: %w", attestPath, err)
	}
	return nil
}

// checkSupersede refuses to replace the attestation at path unless the
// book's journal still reaches it. Most often the journal has not changed
// (same count, same head) or only grew; only then is it read again.
func checkSupersede(ctx context.Context, path string, book *batch.Book) error {
	prev, _, err := ReadAttestation(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !strings.EqualFold(prev.BatchID, book.Header.BatchID) {
		return &AttestationError{path, fmt.Sprintf("is for batch %q, not %q", prev.BatchID, book.Header.BatchID)}
	}
	if err := sameJournal(path, prev, book.Path); err != nil {
		return err
	}
	if err := bookReaches(ctx, book, prev.Anchor()); err != nil {
		return &HeldError{Path: path, Err: err}
	}
	return nil
}

// bookReaches holds the book's journal to a: a *journal.AnchorError when
// it no longer reaches it. The journal is read again only when it grew
// past a.
func bookReaches(ctx context.Context, book *batch.Book, a journal.Anchor) error {
	switch {
	case book.Records < a.Records:
		return &journal.AnchorError{Path: book.Path, Anchor: a, Records: book.Records}
	case book.Records == a.Records && book.HeadHash != a.Head:
		return &journal.AnchorError{Path: book.Path, Anchor: a, Records: book.Records, Found: book.HeadHash}
	case book.Records > a.Records:
		return journal.Reaches(ctx, book.Path, a)
	}
	return nil
}

// HeldError says the journal failed the attestation at Path (Err is a
// *journal.AnchorError, or the error reading the journal).
type HeldError struct {
	Path string
	Err  error
}

func (e *HeldError) Error() string { return fmt.Sprintf("held to attestation %s: %v", e.Path, e.Err) }
func (e *HeldError) Unwrap() error { return e.Err }

// attestation is the attestation of what this plan wrote.
func (p *plan) attestation() ([]byte, error) {
	counts := make(map[string]int, len(batch.Statuses))
	for _, st := range batch.Statuses {
		counts[string(st)] = p.byStatus[st]
	}
	a := Attestation{
		Format:         AttestationFormat,
		BatchID:        p.book.Header.BatchID,
		Journal:        filepath.Base(p.book.Path),
		JournalRecords: p.book.Records,
		JournalHead:    p.book.HeadHash,
		InputFile:      p.book.Input.Name,
		InputSHA256:    p.book.Input.SHA256,
		InputRows:      p.book.Input.Rows,
		Counts:         counts,
		SpendLi:        int64(p.spend), SpendYuan: p.spend.String(),
		ChargingLi: int64(p.charging), ChargingYuan: p.charging.String(),
		RefundedLi: int64(p.refunded), RefundedYuan: p.refunded.String(),
		Orphans:       p.orphans,
		OrphanSpendLi: int64(p.orphanSpend), OrphanSpendYn: p.orphanSpend.String(),
		GeneratedAt: p.now.In(shanghai).Format("2006-01-02T15:04:05-07:00"),
		ToolVersion: p.toolVersion,
	}
	if pp := p.prov; pp != nil && pp.match != nil {
		st := pp.leg.Statement
		a.Statement, a.StatementRecords, a.StatementHead = filepath.Base(st.Path), st.Records, st.HeadHash
		a.UnexplainedLi = int64(pp.match.Totals[Unexplained].Money)
	}
	data, err := json.MarshalIndent(&a, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}
