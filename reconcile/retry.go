package reconcile

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/xuri/excelize/v2"
)

// A retry file is a ready input file of the rows of a batch that ended
// uncharged: failed (the provider refunded them), rejected, and invalid.
// An open row (charging, unknown, not submitted) is never in it: it may
// still be charged, and resuming the batch settles it. A failed row that
// the provider answered game_state -1 (OrderState.SubmitFailed: "nothing
// charged", a code known only from phone-bill clients) is held back until
// the provider's statement confirms that nothing was charged for it (the
// uncharged hook); the note counts the rows held back. A duplicate row
// that was not submitted is not in it either: its first occurrence is
// the row that counts.
//
// Its columns are the input's own: phone and pid under this language's
// header words (both are words the input reader knows), then the extra
// columns as the journal's input record names them, in their order. The
// note, which names a new batch id, is kept out of the rows so that the
// file reads back as it is: an xlsx carries it on a second sheet, a CSV
// gets it in a .txt beside it (a comment line would be read as a row).

// Retry is what WriteRetry wrote.
type Retry struct {
	Path     string
	NotePath string // the note beside a CSV; "" for an xlsx (its second sheet)
	Rows     int
	Held     int    // game_state -1 rows held back: no statement confirmed them uncharged
	Unproven int    // failed or rejected rows held back: the journal does not prove them uncharged (workspace.Uncharged)
	BatchID  string // the batch id the note suggests
	Note     []string
}

// Retryable reports whether an input row in state st ended uncharged, so
// that a new batch may gift it again.
func Retryable(st batch.Status) bool {
	switch st {
	case batch.StatusFailed, batch.StatusRejected, batch.StatusInvalid:
		return true
	}
	return false
}

// RetryNotePath is where the note of the CSV retry file path goes.
func RetryNotePath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + ".note.txt"
}

var retrySuffix = regexp.MustCompile(`^(.*)-retry(\d+)$`)

// NextBatchID suggests the batch id of a retry of id: ID-retry1, then
// ID-retry2 for a retry of that.
func NextBatchID(id string) string {
	if m := retrySuffix.FindStringSubmatch(id); m != nil {
		n, err := strconv.Atoi(m[2])
		if err == nil {
			return fmt.Sprintf("%s-retry%d", m[1], n+1)
		}
	}
	return id + "-retry1"
}

// WriteRetry writes the retry file of book to path, a .csv or .xlsx,
// whole or not at all (mode 0600), and a CSV's note beside it.
// uncharged(orderID) says that the provider's statement shows no charge
// for the order; nil confirms nothing, so that every game_state -1 row is
// held back.
func WriteRetry(ctx context.Context, book *batch.Book, path, lang string, uncharged func(orderID string) bool) (*Retry, error) {
	w, err := lookupWords(lang)
	if err != nil {
		return nil, err
	}
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".csv" && ext != ".xlsx" {
		return nil, fmt.Errorf("retry file %s: want a .csv or .xlsx name", path)
	}
	removeStale(path)
	header := append([]string{w.columns[colPhone], w.columns[colPid]}, book.Input.Extra...)
	rows, held, unproven := 0, 0, 0
	// each calls fn with the cells of every uncharged row, in input order.
	each := func(fn func(cells []string) error) error {
		rows, held, unproven = 0, 0, 0
		lines := newLineMaker(w)
		var cells []string
		return book.Rows(ctx, func(r *journal.RowRecord) error {
			if r.Status == journal.RowDuplicate && r.OrderID == "" {
				return nil
			}
			var o *batch.OrderState
			if r.OrderID != "" {
				o, _ = book.Order(r.OrderID)
			}
			if l := lines.fromRow(r, o); !Retryable(l.status) {
				return nil
			}
			if o != nil && o.SubmitFailed() && (uncharged == nil || !uncharged(o.OrderID)) {
				held++
				return nil
			}
			if o != nil && !o.SubmitFailed() && o.Intents > 0 && !workspace.Uncharged(o) {
				// Failed or rejected, yet the journal does not prove it
				// uncharged (a conflict, a callback that disagrees, an
				// earlier submit whose answer was lost): the workspace
				// guard would refuse it in the retry batch.
				unproven++
				return nil
			}
			rows++
			cells = append(append(cells[:0], r.Phone, r.Pid), r.Extra...)
			for len(cells) < len(header) {
				cells = append(cells, "")
			}
			return fn(cells)
		})
	}
	res := &Retry{Path: path, BatchID: NextBatchID(book.Header.BatchID)}
	note := func() []string {
		n := w.retryNote(book.Header.BatchID, res.BatchID, rows)
		if held > 0 {
			n = append(n, w.retryHeld(held))
		}
		if unproven > 0 {
			n = append(n, w.retryUnproven(unproven))
		}
		return n
	}
	if ext == ".csv" {
		err = journal.WriteAtomic(path, true, func(out io.Writer) error {
			if _, err := io.WriteString(out, "\ufeff"); err != nil {
				return err
			}
			cw := csv.NewWriter(out)
			cw.UseCRLF = true
			if err := cw.Write(header); err != nil {
				return err
			}
			guarded := func(cells []string) error {
				for i, c := range cells {
					cells[i] = textGuard(c)
				}
				return cw.Write(cells)
			}
			if err := each(guarded); err != nil {
				return err
			}
			cw.Flush()
			return cw.Error()
		})
		if err == nil {
			res.NotePath = RetryNotePath(path)
			err = journal.WriteAtomic(res.NotePath, true, func(out io.Writer) error {
				_, err := io.WriteString(out, strings.Join(note(), "\n")+"\n")
				return err
			})
		}
	} else {
		err = journal.WriteAtomic(path, true, func(out io.Writer) error { return writeRetryXLSX(out, w, header, each, note) })
	}
	if err != nil {
		return nil, fmt.Errorf("writing retry file %s: %w", path, err)
	}
	res.Rows, res.Held, res.Unproven, res.Note = rows, held, unproven, note()
	return res, nil
}

// writeRetryXLSX writes the rows on the first sheet, which the input
// reader reads, and the note on a second.
func writeRetryXLSX(out io.Writer, w *words, header []string, each func(func([]string) error) error, note func() []string) error {
	f := excelize.NewFile()
	defer f.Close()
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	sheet := "Sheet1"
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	row := 1
	cells := make([]any, 0, len(header))
	put := func(vals []string) error {
		cells = cells[:0]
		for _, v := range vals {
			cells = append(cells, excelize.Cell{StyleID: text, Value: v})
		}
		ref, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return sw.SetRow(ref, cells)
	}
	if err := put(header); err != nil {
		return err
	}
	if err := each(put); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	noteSheet := w.retryNoteSheet
	if _, err := f.NewSheet(noteSheet); err != nil {
		return err
	}
	for i, l := range note() {
		if err := f.SetCellValue(noteSheet, fmt.Sprintf("A%d", i+1), l); err != nil {
			return err
		}
	}
	_, err = f.WriteTo(out)
	return err
}
