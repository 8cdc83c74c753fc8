package workspace

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
)

const testPid = "105000" // 全国移动1G in the simulator's catalogue

// phoneN is the i-th test number, a China Mobile one.
func phoneN(i int) string { return fmt.Sprintf("1390%07d", i) }

func phones(from, to int) []string {
	var p []string
	for i := from; i < to; i++ {
		p = append(p, phoneN(i))
	}
	return p
}

// writeCSV writes an input file of phones with testPid; the row number of
// phones[i] is i+2.
func writeCSV(t testing.TB, dir, name string, ph []string) string {
	t.Helper()
	path, err := writeCSVFile(dir, name, ph)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func writeCSVFile(dir, name string, ph []string) (string, error) {
	var b strings.Builder
	b.WriteString("phone,pid,name\n")
	for i, p := range ph {
		fmt.Fprintf(&b, "%s,%s,员工%d\n", p, testPid, i)
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, []byte(b.String()), 0o600)
}

// batchSpec is a journal to make: an input planned from a CSV, and an
// intent for the first send orders (all when send < 0), written at at.
type batchSpec struct {
	id     string
	period string // the header's period setting; "" writes none
	in     string // CSV path
	send   int
	at     time.Time // of the intents; zero is now
}

// makeJournal writes a journal with batch's own API and closes it.
func makeJournal(t testing.TB, path string, s batchSpec) {
	t.Helper()
	j, book := openPlanned(t, path, s)
	defer j.Close()
	sendIntents(t, j, book, s.send, s.at)
}

// openPlanned creates the journal of s with its input planned, open.
func openPlanned(t testing.TB, path string, s batchSpec) (*journal.Journal, *batch.Book) {
	t.Helper()
	j, book, err := plan(path, s)
	if err != nil {
		t.Fatal(err)
	}
	return j, book
}

// plan is openPlanned for goroutines other than the test's.
func plan(path string, s batchSpec) (*journal.Journal, *batch.Book, error) {
	ctx := context.Background()
	settings := map[string]string{SettingUser: "tester", SettingHost: "testhost"}
	if s.period != "" {
		settings[SettingPeriod] = s.period
	}
	j, book, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: s.id, ToolVersion: "test", Settings: settings})
	if err != nil {
		return nil, nil, err
	}
	opts := input.Options{BatchID: s.id}
	rep, err := input.Read(ctx, s.in, opts, nil)
	if err == nil {
		err = batch.AppendInput(ctx, j, book, s.in, opts, rep)
	}
	if err != nil {
		j.Close()
		return nil, nil, err
	}
	return j, book, nil
}

// sendIntents journals an intent for the first n orders of the book not
// sent yet (all when n < 0), as the engine does before a request leaves.
func sendIntents(t testing.TB, j *journal.Journal, book *batch.Book, n int, at time.Time) {
	t.Helper()
	if err := send(j, book, n, at); err != nil {
		t.Fatal(err)
	}
}

// send is sendIntents for goroutines other than the test's.
func send(j *journal.Journal, book *batch.Book, n int, at time.Time) error {
	if at.IsZero() {
		at = time.Now()
	}
	var recs []*journal.Record
	book.Orders(func(o *batch.OrderState) error {
		if o.Intents == 0 && (n < 0 || len(recs) < n) {
			recs = append(recs, &journal.Record{Type: journal.RecIntent, At: at.UnixMilli(), Intent: &journal.Intent{OrderID: o.OrderID, Attempt: 1}})
		}
		return nil
	})
	if err := j.Append(context.Background(), recs...); err != nil {
		return err
	}
	for _, r := range recs {
		book.Apply(r)
	}
	return nil
}

func inputSHA(t testing.TB, path string) string {
	t.Helper()
	rep, err := input.Read(context.Background(), path, input.Options{BatchID: "x"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return rep.Info.SHA256
}

func openWS(t testing.TB) *Workspace {
	t.Helper()
	dir, err := Dir("", func(k string) string {
		if k == EnvDir {
			return filepath.Join(t.TempDir(), "ws")
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ws.LockWait = 2 * time.Second
	return ws
}

// guard takes the lock, runs the guard and lets go.
func guard(t testing.TB, ws *Workspace, nb NewBatch) Findings {
	t.Helper()
	l, err := ws.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	f, err := Guard(context.Background(), l, nb)
	if err != nil {
		t.Fatalf("Guard: %v", err)
	}
	return f
}

func register(t testing.TB, ws *Workspace, path string) {
	t.Helper()
	l, err := ws.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if _, err := l.Register(context.Background(), path); err != nil {
		t.Fatalf("Register: %v", err)
	}
}

// kinds lists the kinds of the findings, "!" marking a refusing one.
func kinds(f Findings) []string {
	var k []string
	for _, x := range f.List {
		s := string(x.Kind)
		if !x.Allowed {
			s = "!" + s
		}
		k = append(k, s)
	}
	return k
}
