package input

import (
	"context"
	"github.com/flowbatch/flowbatch/batch/journal"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadCSV feeds arbitrary bytes after a valid header as a CSV file.
// Reading may fail, but never panics, never reports a row before line 2,
// and every row it would submit has a valid phone and a 32-character orderid.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"15925601712,105000,x\n",
		"\n\n13800138000,105000\n13800138000,105000\n",
		"\"1592\n5601712\",105000\n",
		"bad\"quote,1\n",
		"+86 159-2560-1712,1.05E5,\xD5\xC5\xCE\xB0\n",
		"1.5925601712E10,105000,\xff\xfe\n",
		",,,,\n,\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) {
		path := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(path, append([]byte("phone,pid,name\n"), body...), 0o600); err != nil {
			t.Fatal(err)
		}
		rows := 0
		rep, err := ReadInput(context.Background(), path, InputOptions{BatchID: "F", AllowDuplicates: true}, func(r *journal.RowRecord) error {
			rows++
			if r.Line < 2 {
				t.Fatalf("row at line %d", r.Line)
			}
			if (r.Status == journal.RowValid || r.Status == journal.RowDuplicate) != (r.OrderID != "") {
				t.Fatalf("line %d: status %s with orderid %q", r.Line, r.Status, r.OrderID)
			}
			if r.OrderID != "" {
				if !mainlandMobile.MatchString(r.Phone) || len(r.OrderID) != 32 || r.Occurrence < 1 {
					t.Fatalf("line %d: submitted row %+v", r.Line, r)
				}
			}
			return nil
		})
		if err != nil {
			return
		}
		if rep.Info.Rows != rows || rep.Valid+len(rep.Invalid) != rows {
			t.Fatalf("report %d rows, %d valid, %d invalid; fn saw %d", rep.Info.Rows, rep.Valid, len(rep.Invalid), rows)
		}
		for _, p := range append(rep.Invalid, rep.Duplicates...) {
			if p.Line < 2 {
				t.Fatalf("problem at line %d: %s", p.Line, p.Reason)
			}
		}
	})
}
