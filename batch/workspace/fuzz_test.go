package workspace

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// FuzzDecodeIndex: any bytes either are refused or decode to entries
// whose names are safe and which encode back to an index that decodes
// the same.
func FuzzDecodeIndex(f *testing.F) {
	f.Add([]byte(`{"version":1,"journals":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		es, err := decodeIndex(b)
		if err != nil {
			return
		}
		for _, e := range es {
			if !validHash(e.HeadHash) || (e.InDir && bytes.ContainsAny([]byte(e.Path), `/\`)) {
				t.Fatalf("unsafe entry accepted: %+v", e)
			}
		}
		again, err := json.Marshal(indexFile{Version: indexVersion, Journals: es})
		if err != nil {
			t.Fatal(err)
		}
		es2, err := decodeIndex(again)
		if err != nil || len(es2) != len(es) {
			t.Fatalf("re-encoded index refused: %v", err)
		}
	})
}

// FuzzDecodeRows: any bytes are refused or give sorted rows that encode
// back to the same bytes.
func FuzzDecodeRows(f *testing.F) {
	f.Add(encodeRows(nil))
	f.Add(encodeRows([]PhoneRow{{13900000000, 2, true, false}, {13900000000, 7, false, false}, {18612345678, 3, true, true}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := decodeRows(b)
		if err != nil {
			return
		}
		if !slices.IsSortedFunc(rows, compareRows) {
			t.Fatalf("unsorted rows accepted: %v", rows)
		}
		if !bytes.Equal(encodeRows(rows), b) {
			t.Fatalf("rows do not encode back")
		}
	})
}

func FuzzParsePeriod(f *testing.F) {
	f.Add("2026-11")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePeriod(s)
		if err != nil {
			return
		}
		if p.Start().IsZero() || PeriodOf(p.Start()) != p {
			t.Fatalf("%q accepted, starts %v", s, p.Start())
		}
	})
}
