package statement

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const testKey, testOpenID = "statement-test-key", "statement-test-openid"

func simClient(t testing.TB, cfg juhesim.Config) (*juhesim.Server, *juhe.Client) {
	t.Helper()
	cfg.Key, cfg.OpenID = testKey, testOpenID
	if cfg.SettleDelay == 0 {
		cfg.SettleDelay = -1
	}
	if cfg.Balance == 0 {
		cfg.Balance = 1 << 40
	}
	sim := juhesim.NewServer(cfg)
	t.Cleanup(sim.Close)
	c, err := juhe.NewClient(juhe.Config{BaseURL: sim.URL, Key: testKey, OpenID: testOpenID})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestPeriodsSplitAtMonths(t *testing.T) {
	bj := func(s string) time.Time {
		t, err := time.ParseInLocation(juhe.TimeLayout, s, juhe.Beijing)
		if err != nil {
			panic(err)
		}
		return t
	}
	for _, tc := range []struct {
		from, to string
		want     [][2]string
	}{
		{"2026-11-03 10:00:00", "2026-11-03 11:00:00", [][2]string{{"2026-11-03 10:00:00", "2026-11-03 11:00:00"}}},
		{"2026-11-30 23:50:00", "2026-12-01 00:10:00", [][2]string{{"2026-11-30 23:50:00", "2026-11-30 23:59:59"}, {"2026-12-01 00:00:00", "2026-12-01 00:10:00"}}},
		{"2026-12-31 23:00:00", "2027-02-01 00:00:00", [][2]string{{"2026-12-31 23:00:00", "2026-12-31 23:59:59"}, {"2027-01-01 00:00:00", "2027-01-31 23:59:59"}, {"2027-02-01 00:00:00", "2027-02-01 00:00:00"}}},
	} {
		got := Periods(bj(tc.from), bj(tc.to))
		if len(got) != len(tc.want) {
			t.Fatalf("%s–%s: %d periods, want %d", tc.from, tc.to, len(got), len(tc.want))
		}
		for i, w := range got {
			if w.Start != bj(tc.want[i][0]).Unix() || w.End != bj(tc.want[i][1]).Unix() || w.PageSize != juhe.MaxStatementPage {
				t.Errorf("%s–%s: period %d is %v", tc.from, tc.to, i, w)
			}
		}
	}
}

func TestPullAndRead(t *testing.T) {
	ctx := context.Background()
	sim, c := simClient(t, juhesim.Config{SuccessRatio: 1})
	start, end := juhe.MonthOf(time.Date(2026, 11, 1, 0, 0, 0, 0, juhe.Beijing))
	const n = 250
	for i := range n {
		if _, err := sim.Charge(juhesim.ChargeRequest{Phone: "13800138000", Pid: "105001", At: start.Add(time.Duration(i) * time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "b.journal.statement")
	opts := PullOptions{BatchID: "B", Account: "JH1", Limiter: batch.NewLimiter(1000)}
	rep, err := Pull(ctx, c, path, Periods(start, end), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Whole != 1 || rep.Lines != n || rep.Requests > n/100+2 || rep.NotAvailable != "" {
		t.Fatalf("report %+v", rep)
	}
	st, err := Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !st.Whole() || len(st.Periods) != 1 || len(st.Periods[0].Lines) != n || st.Account != "JH1" || st.HeadHash == "" {
		t.Fatalf("read %+v", st)
	}
	// A second pull appends a section and the reader keeps the latest.
	if _, err := sim.Charge(juhesim.ChargeRequest{Phone: "13800138000", Pid: "105001", At: start.Add(time.Hour * 24)}); err != nil {
		t.Fatal(err)
	}
	if _, err := Pull(ctx, c, path, Periods(start, end), opts); err != nil {
		t.Fatal(err)
	}
	st2, err := Read(ctx, path)
	if err != nil || len(st2.Periods[0].Lines) != n+1 || st2.HeadHash == st.HeadHash {
		t.Fatalf("second pull: %v %d lines", err, len(st2.Periods[0].Lines))
	}
	// Another account's key never appends to this file, nor to one whose
	// first pull did not know the account but a later one did.
	opts.Account = "JH2"
	var ae *AccountError
	if _, err := Pull(ctx, c, path, Periods(start, end), opts); !errors.As(err, &ae) {
		t.Fatalf("pull with another account: %v", err)
	}
	unknown := filepath.Join(t.TempDir(), "u.journal.statement")
	for _, acc := range []string{"", "JH1"} {
		if _, err := Pull(ctx, c, unknown, Periods(start, end), PullOptions{BatchID: "B", Account: acc, Limiter: batch.NewLimiter(1000)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Pull(ctx, c, unknown, Periods(start, end), opts); !errors.As(err, &ae) {
		t.Fatalf("pull with another account after an unknown one: %v", err)
	}
	if st, err := Read(ctx, unknown); err != nil || st.Account != "JH1" {
		t.Fatalf("read: %v %+v", err, st)
	}
}

func TestPullNotAvailable(t *testing.T) {
	ctx := context.Background()
	_, c := simClient(t, juhesim.Config{AccountDenied: true})
	from := time.Date(2026, 11, 30, 23, 0, 0, 0, juhe.Beijing)
	path := filepath.Join(t.TempDir(), "b.journal.statement")
	rep, err := Pull(ctx, c, path, Periods(from, from.Add(2*time.Hour)), PullOptions{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Periods != 2 || rep.Whole != 0 || rep.Requests != 1 || rep.NotAvailable == "" {
		t.Fatalf("report %+v: want one request, then nothing more asked", rep)
	}
	st, err := Read(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Whole() || st.NotWhole() == "" {
		t.Fatalf("a refused pull reads as whole: %+v", st)
	}
}

func TestReadRefuses(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	write := func(name string, h journal.Header, recs ...*journal.Record) string {
		path := filepath.Join(dir, name)
		j, _, err := journal.Create(ctx, path, h)
		if err != nil {
			t.Fatal(err)
		}
		if err := j.Append(ctx, recs...); err != nil {
			t.Fatal(err)
		}
		j.Close()
		return path
	}
	hdr := journal.Header{BatchID: "B", Settings: map[string]string{settingKind: Kind, settingAccount: "JH1"}}
	win := func(acc string) *journal.Record {
		return &journal.Record{Type: journal.RecWindow, Window: &journal.Window{Start: 1793462400, End: 1793462500, PageSize: 100, Account: acc}}
	}
	line := &journal.Record{Type: journal.RecLine, Line: &journal.StatementLine{OrderID: "FB12345678", State: juhe.StateSuccess}}
	for _, tc := range []struct {
		name string
		path string
	}{
		{"a batch journal", write("batch.journal", journal.Header{BatchID: "B"})},
		{"two accounts", write("two.statement", hdr, win("JH2"))},
		{"a line outside a period", write("stray.statement", hdr, line)},
		{"a miscounted end", write("count.statement", hdr, win("JH1"), line, &journal.Record{Type: journal.RecWindowEnd, WindowEnd: &journal.WindowEnd{Complete: true, Lines: 2, TotalCount: -1}})},
		{"a batch record", write("intent.statement", hdr, &journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "FB12345678", Attempt: 1}})},
	} {
		if st, err := Read(ctx, tc.path); err == nil {
			t.Errorf("%s: read %+v", tc.name, st)
		}
	}
	if _, err := Read(ctx, filepath.Join(dir, "none")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no file: %v", err)
	}
}
