package statement

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// seedStatement is a small whole statement file: two periods, one whole,
// one refused.
func seedStatement(t testing.TB) []byte {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "seed.statement")
	j, _, err := journal.Create(ctx, path, journal.Header{BatchID: "B", Settings: map[string]string{settingKind: Kind, settingAccount: "JH1"}})
	if err != nil {
		t.Fatal(err)
	}
	recs := []*journal.Record{
		{Type: journal.RecWindow, Window: &journal.Window{Start: 1793462400, End: 1796054399, PageSize: 100, Account: "JH1"}},
		{Type: journal.RecLine, Line: &journal.StatementLine{OrderID: "FB0123456789", SporderID: "J1", Phone: "13800138000", Pid: "105001", Cost: 2940, HasCost: true, State: juhe.StateSuccess, AddTime: 1793462401}},
		{Type: journal.RecLine, Line: &journal.StatementLine{SporderID: "J2", State: juhe.StateSubmitFailed}},
		{Type: journal.RecWindowEnd, WindowEnd: &journal.WindowEnd{Complete: true, Lines: 2, Pages: 2, Requests: 2, TotalCount: 2}},
		{Type: journal.RecWindow, Window: &journal.Window{Start: 1796054400, End: 1796058000, PageSize: 100}},
		{Type: journal.RecWindowEnd, WindowEnd: &journal.WindowEnd{Lines: 0, Requests: 1, TotalCount: -1, Reply: "flow/ordersbydate: not available: 10002 该KEY无请求权限"}},
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	j.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// FuzzReadStatement: any bytes are read whole or refused, never half-read,
// and what is read keeps the file's own rules.
func FuzzReadStatement(f *testing.F) {
	seed := seedStatement(f)
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add(bytes.Replace(seed, []byte("JH1"), []byte("JH2"), 1))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.statement")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Read(context.Background(), path)
		if err != nil {
			return
		}
		months := map[int64]bool{}
		for _, p := range st.Periods {
			if len(p.Lines) > MaxMonthLines || p.Ended && p.Closed.Lines != len(p.Lines) || p.End < p.Start {
				t.Fatalf("period %+v breaks the rules", p.Window)
			}
			if months[monthStart(p.Start)] {
				t.Fatalf("two sections kept for one month")
			}
			months[monthStart(p.Start)] = true
			for _, l := range p.Lines {
				if !journal.LineState(l.State) || l.HasCost && l.Cost < 0 {
					t.Fatalf("line %+v", l)
				}
			}
		}
		if st.Whole() && st.NotWhole() != "" {
			t.Fatalf("whole, yet %q", st.NotWhole())
		}
	})
}
