package journal

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzJournal feeds arbitrary bytes to the journal reader as a file:
// Verify, a scan through the views (as LoadBook reads) and Open
// never panic, whatever the reader accepts re-encodes to exactly the
// bytes it was read from, and the views refuse what the decoder refuses.
// (The batch package replays the same seeds into Books.)
func FuzzJournal(f *testing.F) {
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "f.journal")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		v, verr := Verify(ctx, path)
		b, lerr := load(ctx, path)
		if verr == nil && (lerr != nil || b.Records() != v.Records || b.Head() != v.HeadHash) {
			t.Fatalf("verify ok (%+v) but LoadBook: %v", v, lerr)
		}
		_, rerr := Scan(ctx, path, checkAll)
		if rerr == nil && b.Seq <= 1 {
			rerr = lerr
		}
		if (rerr == nil) != (lerr == nil) {
			t.Fatalf("LoadBook: %v; decoding every record: %v", lerr, rerr)
		}
		if lerr == nil {
			// Re-encode what was read: it must be the very same lines.
			var out []byte
			s := newScanner(path, bytes.NewReader(data))
			_, err := runRecords(ctx, s, func(r *Record) error {
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
			if !bytes.HasPrefix(data, out) || int64(bytes.Count(out, []byte("\n"))) != b.Records() {
				t.Fatalf("re-encoding differs from the file:\n got %q\nfile %q", out, data)
			}
		}
		unlock, err := Lock(path)
		if err != nil {
			t.Fatal(err)
		}
		j, _, oerr := openLocked(ctx, path, func(string) {}, checkAll, unlock, true)
		if oerr != nil {
			unlock()
		} else {
			j.Close()
			if _, err := Verify(ctx, path); err != nil {
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
