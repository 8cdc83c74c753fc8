package journal

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// sealedBodies writes the bodies as a chained journal and returns its path.
func sealedBodies(t *testing.T, bodies ...string) string {
	t.Helper()
	var out []byte
	var prevRaw [32]byte
	prevHex := zeroHashHex
	for i, b := range bodies {
		var sum [32]byte
		out, sum = sealLine(out, uint64(i+1), []byte(b), &prevRaw, prevHex)
		prevRaw, prevHex = sum, appendHex(nil, sum[:])
	}
	path := filepath.Join(t.TempDir(), "cap.journal")
	if err := os.WriteFile(path, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The intent's reservation is an optional last field, and the spend cap
// a record of its own: each has one encoding, and the reader refuses
// every other (a flipped byte would otherwise change a sum silently).
func TestReservedAndSpendCapFields(t *testing.T) {
	const hdr = "H\t1\tflowbatch-journal/1\tcap\ttest\t0\t"
	const id = "0123456789abcdef0123456789abcdef"
	for _, tc := range []struct {
		body string
		want *Record // nil: refused
	}{
		{"T\t2\t" + id + "\t1\t", &Record{Type: RecIntent, Intent: &Intent{OrderID: id, Attempt: 1}}},
		{"T\t2\t" + id + "\t1\t19630\t", &Record{Type: RecIntent, Intent: &Intent{OrderID: id, Attempt: 1, Reserved: 19630, HasReserved: true}}},
		{"T\t2\t" + id + "\t1\t0\t", &Record{Type: RecIntent, Intent: &Intent{OrderID: id, Attempt: 1, HasReserved: true}}},
		{"T\t2\t" + id + "\t1\t\t", nil},
		{"T\t2\t" + id + "\t1\t-19630\t", nil},
		{"T\t2\t" + id + "\t1\t019630\t", nil},
		{"T\t2\t" + id + "\t1\t19.630\t", nil},
		{"T\t2\t" + id + "\t1\t19630\t1\t", nil},
		{"M\t2\t150000\t", &Record{Type: RecSpendCap, SpendCap: &SpendCap{Max: 150000}}},
		{"M\t2\t0\t", nil},
		{"M\t2\t-1\t", nil},
		{"M\t2\t\t", nil},
		{"M\t2\t", nil},
		{"M\t2\t1\t2\t", nil},
		{"M\t2\t9999999999999999999\t", nil},
	} {
		path := sealedBodies(t, hdr, tc.body)
		var got *Record
		_, err := Scan(context.Background(), path, func(r *Raw) error {
			if r.Pos.Seq != 2 {
				return nil
			}
			if err := viewAll(r); err != nil {
				return err
			}
			var err error
			got, err = r.Record()
			return err
		})
		_, lerr := load(context.Background(), path)
		if (err == nil) != (lerr == nil) {
			t.Errorf("%q: the views say %v, the decoder %v", tc.body, lerr, err)
		}
		if tc.want == nil {
			if err == nil {
				t.Errorf("%q read as %+v, want refused", tc.body, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.body, err)
			continue
		}
		if !reflect.DeepEqual(got.Intent, tc.want.Intent) || !reflect.DeepEqual(got.SpendCap, tc.want.SpendCap) {
			t.Errorf("%q read as %+v %+v", tc.body, got.Intent, got.SpendCap)
		}
		// And written back, byte for byte.
		got.At = 2
		body, err := appendBody(nil, got)
		if err != nil || string(body) != tc.body {
			t.Errorf("%q written back as %q, %v", tc.body, body, err)
		}
	}
}

// The writer refuses what the reader would refuse.
func TestWriterRefusesBadCapFields(t *testing.T) {
	for _, r := range []*Record{
		{Type: RecIntent, Intent: &Intent{OrderID: "x", Attempt: 1, Reserved: -1, HasReserved: true}},
		{Type: RecSpendCap, SpendCap: &SpendCap{Max: 0}},
		{Type: RecSpendCap, SpendCap: &SpendCap{Max: -juhe.Money(5)}},
		{Type: RecSpendCap},
	} {
		if b, err := appendBody(nil, r); err == nil {
			t.Errorf("%+v written as %q", r, b)
		}
	}
	// An intent without a reservation is the line it always was.
	b, err := appendBody(nil, &Record{Type: RecIntent, At: 7, Intent: &Intent{OrderID: "x", Attempt: 2}})
	if err != nil || string(b) != "T\t7\tx\t2\t" || strings.Count(string(b), "\t") != 4 {
		t.Errorf("plain intent written as %q, %v", b, err)
	}
}
