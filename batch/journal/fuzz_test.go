package batch

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJournal feeds arbitrary bytes to the journal reader as a file:
// VerifyJournal, LoadBook and OpenJournal never panic, whatever the
// reader accepts re-encodes to exactly the bytes it was read from, and
// LoadBook's in-place replay agrees with decoding every record.
func FuzzJournal(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.journal")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		v, verr := VerifyJournal(ctx, path)
		b, lerr := LoadBook(ctx, path)
		if verr == nil && (lerr != nil || b.Records != v.Records || b.HeadHash != v.HeadHash) {
			t.Fatalf("verify ok (%+v) but LoadBook: %v", v, lerr)
		}
		ref, rerr := referenceBook(ctx, path)
		if (rerr == nil) != (lerr == nil) {
			t.Fatalf("LoadBook: %v; decoding every record: %v", lerr, rerr)
		}
		if lerr == nil {
			if d := sameBooks(b, ref); d != "" {
				t.Fatalf("LoadBook and decoding every record differ: %s", d)
			}
			b.Counts()
			b.Orders(func(o *OrderState) error { o.Status(); o.Source(); o.Cost(); return nil })
			b.Rows(ctx, func(*RowRecord) error { return nil })
			// Re-encode what was read: it must be the very same lines.
			var out []byte
			s := newScanner(path, bytes.NewReader(data))
			_, err := s.run(ctx, func(r *Record, off int64) error {
				body, err := appendBody(nil, r)
				if err != nil {
					t.Fatalf("record %d read but not encodable: %v", r.Seq, err)
				}
				var prevRaw [32]byte
				decodeHash([]byte(r.Prev), &prevRaw)
				out, _ = sealLine(out, r.Seq, body, &prevRaw, []byte(r.Prev))
				return nil
			})
			if err != nil {
				t.Fatalf("LoadBook accepted what the scanner refuses: %v", err)
			}
			if !bytes.HasPrefix(data, out) || int64(bytes.Count(out, []byte("\n"))) != b.Records {
				t.Fatalf("re-encoding differs from the file:\n got %q\nfile %q", out, data)
			}
		}
		unlock, err := LockJournal(path)
		if err != nil {
			t.Fatal(err)
		}
		j, _, oerr := openLocked(ctx, path, func(string) {}, unlock, true)
		if oerr != nil {
			unlock()
		} else {
			j.Close()
			if _, err := VerifyJournal(ctx, path); err != nil {
				t.Fatalf("OpenJournal left a journal that does not verify: %v", err)
			}
		}
		if verr == nil && oerr != nil {
			t.Fatalf("verify ok but OpenJournal: %v", oerr)
		}
		torn, _ := filepath.Glob(path + ".torn-*")
		for _, name := range torn {
			os.Remove(name)
		}
	})
}
