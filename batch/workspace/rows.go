package workspace

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// A journal's sent and planned rows are kept beside the index in
// rows/HEAD.rows, named by the journal's head hash, so that a guard reads
// a few bytes per row instead of the journal, and only for the journals
// of its period.
// A file named by a head is never rewritten; one whose head no journal
// has any more is removed when the index is saved.
//
// Format: "flowbatch-rows/2\n", uvarint count, then per row uvarint
// (phone minus the previous phone) and uvarint (line*4 + 2 if proven
// uncharged + 1 if sent), then the sha256 of everything before it. A
// file that does not check out is not used: the journal is read again.
// So is a rows/1 file (no uncharged bit): it counts every sent row, and
// reading the journal again costs time only.

const rowsMagic = "flowbatch-rows/2\n"

func compareRows(a, b PhoneRow) int {
	if c := cmp.Compare(a.Phone, b.Phone); c != 0 {
		return c
	}
	return cmp.Compare(a.Line, b.Line)
}

func sortRows(r []PhoneRow) { slices.SortFunc(r, compareRows) }

func encodeRows(rows []PhoneRow) []byte {
	buf := make([]byte, 0, len(rowsMagic)+binary.MaxVarintLen64+len(rows)*6+sha256.Size)
	buf = append(buf, rowsMagic...)
	buf = binary.AppendUvarint(buf, uint64(len(rows)))
	var prev uint64
	for _, r := range rows {
		buf = binary.AppendUvarint(buf, r.Phone-prev)
		l := uint64(r.Line) << 2
		if r.Sent {
			l |= 1
		}
		if r.Uncharged {
			l |= 2
		}
		buf = binary.AppendUvarint(buf, l)
		prev = r.Phone
	}
	sum := sha256.Sum256(buf)
	return append(buf, sum[:]...)
}

var errBadRows = errors.New("not a rows file")

func decodeRows(b []byte) ([]PhoneRow, error) {
	if len(b) < len(rowsMagic)+1+sha256.Size || !bytes.HasPrefix(b, []byte(rowsMagic)) {
		return nil, errBadRows
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if s := sha256.Sum256(body); !bytes.Equal(s[:], sum) {
		return nil, errBadRows
	}
	p := body[len(rowsMagic):]
	n, k := binary.Uvarint(p)
	if k <= 0 || n > uint64(len(p)/2) {
		return nil, errBadRows
	}
	p = p[k:]
	rows := make([]PhoneRow, n)
	var prev uint64
	for i := range rows {
		d, k := binary.Uvarint(p)
		if k <= 0 {
			return nil, errBadRows
		}
		p = p[k:]
		l, k := binary.Uvarint(p)
		if k <= 0 || l > 1<<42 || l&3 == 2 { // uncharged only when sent
			return nil, errBadRows
		}
		p = p[k:]
		line := int64(l >> 2)
		if i > 0 && d == 0 && line < rows[i-1].Line || prev+d < prev {
			return nil, errBadRows
		}
		prev += d
		rows[i] = PhoneRow{Phone: prev, Line: line, Sent: l&1 == 1, Uncharged: l&2 == 2}
	}
	if len(p) != 0 {
		return nil, errBadRows
	}
	return rows, nil
}

// rowsPath names the rows file of a head; head must be valid hex (see
// validHash), never a path from a file.
func (ws *Workspace) rowsPath(head string) string {
	return filepath.Join(ws.Dir, rowsDirName, head+".rows")
}

func (ws *Workspace) readRows(head string) ([]PhoneRow, error) {
	b, err := os.ReadFile(ws.rowsPath(head))
	if err != nil {
		return nil, err
	}
	rows, err := decodeRows(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ws.rowsPath(head), err)
	}
	return rows, nil
}

func (ws *Workspace) writeRows(head string, rows []PhoneRow) error {
	if err := os.MkdirAll(filepath.Join(ws.Dir, rowsDirName), 0o700); err != nil {
		return fmt.Errorf("workspace %s: %w", ws.Dir, err)
	}
	// Not fsynced: a rows file a crash left short fails its checksum, and
	// the journal is read again.
	return writeFile(ws.rowsPath(head), encodeRows(rows), false)
}

// writeFile writes data to path whole or not at all (journal.WriteAtomic).
func writeFile(path string, data []byte, durable bool) error {
	err := journal.WriteAtomic(path, durable, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
