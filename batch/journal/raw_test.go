package journal

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestViewsRefuseAsDecoder: a line with a valid checksum that the
// decoder refuses is damage for the views (LoadBook) too, at the same record.
func TestViewsRefuseAsDecoder(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, body string }{
		{"bad time", "R\tx\t2\tvalid\t1\t10\tO\t1\t0\t\t0\t"},
		{"bad row status", "R\t1\t2\tvalidish\t1\t10\tO\t1\t0\t\t0\t"},
		{"bad escape", "R\t1\t2\tvalid\t1\\q\t10\tO\t1\t0\t\t0\t"},
		{"extra count too big", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t3\ta\t"},
		{"extra count too small", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t0\ta\t"},
		{"bad extra escape", "R\t1\t2\tvalid\t1\t10\tO\t1\t0\t\t1\ta\\\t"},
		{"intent field missing", "T\t1\tO\t"},
		{"bad class", "S\t1\tO\tfine\t0\t\t\t\t\t"},
		{"bad cost", "Q\t1\tO\taccepted\t0\t1\t\t01\t\t"},
		{"non-canonical number", "T\t1\tO\t01\t"},
		{"callback too many fields", "C\t1\tO\t\t1\t\tx\t"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "d.journal")
			j, _, err := create(ctx, path, Header{BatchID: "B"}, true)
			if err != nil {
				t.Fatal(err)
			}
			j.Close()
			// Append a hand-made body, sealed as the writer would.
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			v, err := Verify(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			var prevRaw [32]byte
			decodeHash([]byte(v.HeadHash), &prevRaw)
			data, _ = sealLine(data, 2, []byte(tc.body), &prevRaw, []byte(v.HeadHash))
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			_, rerr := Scan(ctx, path, checkAll)
			_, lerr := load(ctx, path)
			var rd, ld *DamageError
			if !errors.As(rerr, &rd) || !errors.As(lerr, &ld) {
				t.Fatalf("reference %v, LoadBook %v: both must be damage", rerr, lerr)
			}
			if rd.Record != ld.Record || rd.Offset != ld.Offset || rd.Why != ld.Why {
				t.Errorf("LoadBook %v, decoder %v", ld, rd)
			}
		})
	}
}
