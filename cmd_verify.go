package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/reconcile"
)

const verifyUsage = `Usage: flowbatch verify -journal PATH [-head HEX -records N] [-attest FILE] [-attest-hash HEX] [-json]

Checks every record's checksum and the whole hash chain of a journal,
without changing it or taking its lock. Prints the record count, the head
hash (the Summary sheet of the workbook shows the same) and the batch id.

The chain shows a changed byte and a removed, repeated, inserted or
reordered record anywhere before the head, and a torn tail. It cannot show
whole records cut from the end: the rest is a valid, shorter journal. Hold
it to a record count and head hash kept elsewhere:
  -head HEX -records N   the values printed at the end of run and reconcile,
                         and on the workbook's Summary;
  -attest FILE           an attestation (ID.attest.json) reconcile wrote;
  -attest-hash HEX       the sha256 of that attestation as it was printed
                         (on the Summary, at the end of run); without
                         -attest, the attestation is ID.attest.json beside
                         the journal.
The journal must still have record N, with that hash.

Exit 0 when the journal is intact and reaches every anchor given; 7 on any
change, a cut tail, or an attestation that is not the one attested; 2 on a
wrong argument, such as a file that is not a journal. -json prints one JSON
object with stable English keys instead, on failure too (README "Reading
flowbatch from a script").

Flags:
`

func runVerify(ctx context.Context, e *env, args []string) error {
	fset := flag.NewFlagSet("verify", flag.ContinueOnError)
	path := fset.String("journal", "", "journal `file` to check")
	head := fset.String("head", "", "attested head `hash` (with -records)")
	records := fset.Int64("records", 0, "attested record `count` (with -head)")
	attest := fset.String("attest", "", "attestation `file` (ID.attest.json) to hold the journal to")
	attestHash := fset.String("attest-hash", "", "the attestation's printed sha256 (`hex`)")
	asJSON := fset.Bool("json", false, "print one JSON object with stable English keys, for scripts (on failure too)")
	if help, err := parseFlags(e, fset, verifyUsage, args, msgVerifyTry.with()); help || err != nil {
		return err
	}
	out, err := verifyJournal(ctx, fset, path, head, records, attest, attestHash)
	if *asJSON {
		if err != nil {
			out = verifyJSON{Error: err.Error(), ExitCode: report(io.Discard, err)}
		}
		if jerr := writeJSON(e.stdout, out); jerr != nil && err == nil {
			return jerr
		}
		return err
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "ok: %d records, head %s, batch %s\n", out.Records, out.Head, out.Batch)
	for _, a := range out.Anchors {
		fmt.Fprintf(e.stdout, "ok: reaches record %d with the attested head %s (%s)\n", a.Records, a.Head, a.From)
	}
	return nil
}

// verifyJSON is what verify -json prints: a contract for scripts, in
// English whatever the language; README "Reading flowbatch from a
// script" lists the keys. On failure only ok, error and exit_code are set.
type verifyJSON struct {
	OK       bool           `json:"ok"`
	Batch    string         `json:"batch,omitempty"`
	Records  int64          `json:"records,omitempty"`
	Head     string         `json:"head,omitempty"`
	Anchors  []verifyAnchor `json:"anchors,omitempty"`
	Error    string         `json:"error,omitempty"`
	ExitCode int            `json:"exit_code"`
}

type verifyAnchor struct {
	Records int64  `json:"records"`
	Head    string `json:"head"`
	From    string `json:"from"` // "-head", or the attestation's file name
}

// verifyJournal checks the journal at path and every anchor given; its
// errors are the user's, with their exit codes.
// The flags come as parsed (pointers), the body reads them so.
func verifyJournal(ctx context.Context, fset *flag.FlagSet, path, head *string, records *int64, attest, attestHash *string) (verifyJSON, error) {
	*head, *attestHash = strings.ToLower(*head), strings.ToLower(*attestHash)
	headSet := false
	fset.Visit(func(f *flag.Flag) { headSet = headSet || f.Name == "records" || f.Name == "head" })
	switch {
	case *path == "":
		return verifyJSON{}, usageErr(msgFlagIsRequired, "verify", "-journal").try(msgVerifyRequiredTry)
	case headSet && (*head == "" || *records == 0):
		return verifyJSON{}, usageErr(msgVerifyHeadRecords).try(msgVerifyHeadRecordsTry, shellQuote(*path))
	case headSet && !reconcile.IsHash(*head):
		return verifyJSON{}, usageErr(msgVerifyHeadBad, *head)
	case headSet && *records < 1:
		return verifyJSON{}, usageErr(msgVerifyRecordsBad, *records)
	case *attestHash != "" && !reconcile.IsHash(*attestHash):
		return verifyJSON{}, usageErr(msgVerifyAttestHashBad, *attestHash)
	}

	var anchors []journal.Anchor
	if headSet {
		anchors = append(anchors, journal.Anchor{Records: *records, Head: *head})
	}
	// The journal's own checks come first: a damaged journal is damage
	// whatever the anchors say.
	v, err := journal.Verify(ctx, *path)
	if err != nil {
		return verifyJSON{}, verifyErr(*path, err)
	}
	var att *reconcile.Attestation
	attPath := *attest
	if attPath != "" || *attestHash != "" {
		if attPath == "" {
			attPath = reconcile.AttestationPath(*path, v.BatchID)
		}
		a, sum, err := reconcile.ReadAttestation(attPath)
		var te *reconcile.AttestationError
		switch {
		case errors.Is(err, fs.ErrNotExist) && *attest != "":
			return verifyJSON{}, usageErr(msgVerifyNoAttest, attPath)
		case errors.Is(err, fs.ErrNotExist):
			return verifyJSON{}, errOf(ExitDamaged, msgVerifyAttestMissing, attPath)
		case errors.As(err, &te):
			return verifyJSON{}, errOf(ExitDamaged, msgVerifyFailed).cause(te)
		case err != nil:
			return verifyJSON{}, &exitError{code: ExitError, msg: "verify", err: err}
		case *attestHash != "" && sum != *attestHash:
			return verifyJSON{}, errOf(ExitDamaged, msgVerifyAttestOther, attPath, sum, *attestHash)
		case !strings.EqualFold(a.BatchID, v.BatchID):
			return verifyJSON{}, usageErr(msgVerifyAttestBatch, attPath, a.BatchID, *path, v.BatchID)
		}
		att = a
		anchors = append(anchors, a.Anchor())
	}
	if len(anchors) > 0 {
		if v, err = journal.VerifyTo(ctx, *path, anchors...); err != nil {
			return verifyJSON{}, verifyErr(*path, err)
		}
	}
	out := verifyJSON{OK: true, Batch: v.BatchID, Records: v.Records, Head: v.HeadHash}
	for _, a := range anchors {
		from := "-head"
		if att != nil && a == att.Anchor() {
			from = filepath.Base(attPath)
		}
		out.Anchors = append(out.Anchors, verifyAnchor{Records: a.Records, Head: a.Head, From: from})
	}
	return out, nil
}
