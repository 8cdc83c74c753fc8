package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// Lists as people make them, each run by the real binary against the
// simulator: every listed row is charged exactly once, and nothing
// else, no footer above all.
func TestE2EListsAsPeopleMakeThem(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	tests := []struct {
		file string
		args []string
		rows int
	}{
		{"samples/title-footer.xlsx", nil, 25},
		{"samples/gift.ods", nil, 25},
		{"samples/with-instructions.xlsx", nil, 15},
		{"samples/names-phones.csv", []string{"-pid", "105000"}, 10},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel() // its own simulator, journal and workspace; the list is only read
			sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID})
			defer sim.Close()
			dir := t.TempDir()
			id := "L-" + strings.ReplaceAll(filepath.Base(tt.file), ".", "-")
			args := append([]string{"run", "-in", tt.file, "-batch", id, "-journal", filepath.Join(dir, id+".journal"),
				"-out", filepath.Join(dir, "out.xlsx"), "-rate", "500"}, tt.args...)
			res := runProc(t, bin, sim.URL, 0, args...)
			if res.code != ExitOK {
				t.Fatalf("run: exit %d\n%s%s", res.code, res.stdout, res.stderr)
			}
			opts := input.Options{BatchID: id}
			if len(tt.args) > 0 {
				opts.Pid = tt.args[1]
			}
			want := map[string]string{} // orderid → phone
			rep, err := input.Read(context.Background(), tt.file, opts, func(r *journal.RowRecord) error {
				want[r.OrderID] = r.Phone
				return nil
			})
			if err != nil || rep.Valid != tt.rows || len(want) != tt.rows {
				t.Fatalf("reading %s: %v, %d rows", tt.file, err, len(want))
			}
			ledger := sim.Ledger()
			if ledger.Count != tt.rows {
				t.Errorf("%d orders charged, want %d", ledger.Count, tt.rows)
			}
			for _, o := range ledger.Orders {
				if want[o.OrderID] != o.Phone || o.Submits != 1 {
					t.Errorf("charged %+v: not a listed row, or submitted %d times", o, o.Submits)
				}
				delete(want, o.OrderID)
			}
			if len(want) > 0 {
				t.Errorf("listed rows not charged: %v", want)
			}
		})
	}
}
