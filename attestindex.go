package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/reconcile"
)

// The workspace index keeps the last attested head of every journal
// (README "The attestation"): an attestation beside the workbook can be
// deleted with it, the index's anchor stays for the guard and for month.

// recordAttested notes in the journal's workspace that it was attested
// at the head s shows. A journal of no workspace is left alone; a
// failure is a warning: the attestation file is written already.
func recordAttested(ctx context.Context, e *env, book *batch.Book, s *reconcile.Summary) {
	dir := book.Header.Settings[settingWorkspace]
	if dir == "" {
		var err error
		if dir, err = workspace.Locate("", e.getenv); err != nil {
			return
		}
	}
	ws, err := workspace.Open(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err == nil {
		var l *workspace.Locked
		if l, err = ws.Lock(ctx); err == nil {
			err = l.Attested(ctx, book.Path, s.Records, s.HeadHash)
			if uerr := l.Unlock(); err == nil {
				err = uerr
			}
		}
	}
	if err != nil && !errors.Is(err, workspace.ErrUnknownJournal) {
		fmt.Fprint(e.stderr, e.tr(msgAttestIndexWarning, err))
	}
}
