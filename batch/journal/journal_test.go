package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

const awkward = "a\tb\nc\rd\\e 中文 \\t"

// sampleRecords has every record type with awkward strings.
func sampleRecords() []*Record {
	return []*Record{
		{Type: RecInput, At: 2, Input: &InputInfo{Name: "名单 " + awkward, SHA256: strings.Repeat("ab", 32), Rows: 3, Format: "csv", Encoding: "gb18030", Extra: []string{"姓名", "", awkward}}},
		{Type: RecRow, At: 3, Row: &RowRecord{Line: 2, Phone: "15925601712", Pid: "10", OrderID: "FB1abc", Occurrence: 1, Status: RowValid, Extra: []string{"张三", awkward, ""}}},
		{Type: RecRow, At: 3, Row: &RowRecord{Line: 3, Phone: "1592560171x", Pid: "", Status: RowInvalid, Reason: "bad phone:\t" + awkward}},
		{Type: RecRow, At: 3, Row: &RowRecord{Line: 4, Phone: "15925601712", Pid: "10", OrderID: "FB1abd", Occurrence: 2, Status: RowDuplicate, DupOf: 2, Reason: "duplicate of row 2"}},
		{Type: RecPlanned, At: 4, Planned: &Planned{Rows: 3}},
		{Type: RecIntent, At: 5, Intent: &Intent{OrderID: "FB1abc", Attempt: 1}},
		{Type: RecSubmit, At: 6, Submit: &SubmitResult{Answer: Answer{OrderID: "FB1abc", Class: juhe.ClassAccepted, Code: 0, Reason: "成功", SporderID: "J123", Cost: 19630, HasCost: true}, CardName: "移动10M " + awkward}},
		{Type: RecSubmit, At: 6, Submit: &SubmitResult{Answer: Answer{OrderID: "FB1abd", Class: juhe.ClassUnknown, Code: juhe.NoCode, Reason: "timeout\n" + awkward}}},
		{Type: RecQuery, At: 7, Query: &QueryResult{Answer: Answer{OrderID: "FB1abc", Class: juhe.ClassAccepted, Code: 0, Reason: "", SporderID: "J123", Cost: 19630, HasCost: true}, State: juhe.StateSuccess}},
		{Type: RecQuery, At: 7, Query: &QueryResult{Answer: Answer{OrderID: "FB1abd", Class: juhe.ClassNotFound, Code: 210511}, State: juhe.StateNone}},
		{Type: RecCallback, At: 8, Callback: &CallbackNote{OrderID: "FB1abc", SporderID: "J123", State: juhe.StateFailed, ErrMsg: awkward}},
		{Type: RecBalance, At: 9, Balance: &BalanceNote{When: BalanceAfter, Account: "JH" + awkward, Money: 8812340, Known: true, Reply: "ofpay/mobile/yue: ok"}},
		{Type: RecBalance, At: 9, Balance: &BalanceNote{When: BalanceBefore, Reply: "ofpay/mobile/yue: not available: 10002 " + awkward}},
		{Type: RecWindow, At: 10, Window: &Window{Start: 1793462400, End: 1796054399, PageSize: 100, Account: "JH" + awkward}},
		{Type: RecLine, At: 10, Line: &StatementLine{OrderID: "FB1abc", SporderID: "J123", Phone: "15925601712", Pid: "10", CardName: awkward, Cost: 19630, HasCost: true, State: juhe.StateSuccess, AddTime: 1793462401}},
		{Type: RecLine, At: 10, Line: &StatementLine{SporderID: "J9", State: juhe.StateSubmitFailed}},
		{Type: RecWindowEnd, At: 11, WindowEnd: &WindowEnd{Complete: true, Lines: 2, Pages: 2, Requests: 3, TotalCount: -1, Reply: awkward}},
	}
}

func testHeader() Header {
	return Header{BatchID: "B1", ToolVersion: "test", Settings: map[string]string{"rate": "100", "cburl": awkward, "": "empty key"}}
}

// newTestJournal creates a journal with the sample records and n extra
// intents, closes it and returns its path.
func newTestJournal(t testing.TB, extra int) (string, []*Record) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "b.journal")
	ctx := context.Background()
	j, _, err := Create(ctx, path, testHeader())
	if err != nil {
		t.Fatal(err)
	}
	recs := sampleRecords()
	for i := 0; i < extra; i++ {
		recs = append(recs, &Record{Type: RecIntent, At: int64(100 + i), Intent: &Intent{OrderID: fmt.Sprintf("X%d", i), Attempt: 1}})
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	return path, recs
}

func readJournalRecords(t testing.TB, path string) []Record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Record
	s := newScanner(path, f)
	tl, err := runRecords(context.Background(), s, func(r *Record) error {
		out = append(out, cloneRecord(r))
		return nil
	})
	if err != nil || tl != nil {
		t.Fatalf("reading %s: %v (tail %v)", path, err, tl)
	}
	return out
}

// cloneRecord deep-copies a decoded record (the decoder reuses its structs).
func cloneRecord(r *Record) Record {
	c := *r
	switch {
	case r.Header != nil:
		h := *r.Header
		c.Header = &h
	case r.Input != nil:
		v := *r.Input
		c.Input = &v
	case r.Row != nil:
		v := *r.Row
		c.Row = &v
	case r.Planned != nil:
		v := *r.Planned
		c.Planned = &v
	case r.Intent != nil:
		v := *r.Intent
		c.Intent = &v
	case r.Submit != nil:
		v := *r.Submit
		c.Submit = &v
	case r.Query != nil:
		v := *r.Query
		c.Query = &v
	case r.Callback != nil:
		v := *r.Callback
		c.Callback = &v
	case r.Balance != nil:
		v := *r.Balance
		c.Balance = &v
	case r.Window != nil:
		v := *r.Window
		c.Window = &v
	case r.Line != nil:
		v := *r.Line
		c.Line = &v
	case r.WindowEnd != nil:
		v := *r.WindowEnd
		c.WindowEnd = &v
	}
	return c
}

func TestJournalRoundTrip(t *testing.T) {
	path, recs := newTestJournal(t, 0)
	got := readJournalRecords(t, path)
	if len(got) != len(recs)+1 {
		t.Fatalf("read %d records, wrote %d", len(got), len(recs)+1)
	}
	h := testHeader()
	if !reflect.DeepEqual(*got[0].Header, h) {
		t.Errorf("header: got %+v, want %+v", *got[0].Header, h)
	}
	prev := strings.Repeat("0", 64)
	for i, g := range got {
		if g.Seq != uint64(i+1) || g.Prev != prev || len(g.Hash) != 64 {
			t.Errorf("record %d: seq %d prev %s hash %s", i+1, g.Seq, g.Prev, g.Hash)
		}
		prev = g.Hash
		if i == 0 {
			continue
		}
		w := recs[i-1]
		if w.Seq != g.Seq || w.Hash != g.Hash || w.Prev != g.Prev {
			t.Errorf("record %d: Append filled seq %d prev %s hash %s; file has %d %s %s", i+1, w.Seq, w.Prev, w.Hash, g.Seq, g.Prev, g.Hash)
		}
		if !reflect.DeepEqual(&g, w) {
			t.Errorf("record %d:\n got %s\nwant %s", i+1, dumpRecord(&g), dumpRecord(w))
		}
	}
	v, err := Verify(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Records != int64(len(got)) || v.HeadHash != prev || v.BatchID != "B1" {
		t.Errorf("verify: %+v, want %d records head %s", v, len(got), prev)
	}
	// The head hash does not depend on when or how often it is read.
	j, b, err := openJournal(context.Background(), path, func(s string) { t.Errorf("warning on a clean journal: %s", s) })
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if b.Head() != prev || b.Records() != v.Records {
		t.Errorf("book head %s/%d, verify %s/%d", b.Head(), b.Records(), prev, v.Records)
	}
	if raw, _ := os.ReadFile(path); bytes.Count(raw, []byte("\n")) != len(got) {
		t.Errorf("a line contains a raw newline:\n%s", raw)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode: %v %v", fi.Mode(), err)
	}
}

func dumpRecord(r *Record) string {
	var payload any
	for _, p := range []any{r.Header, r.Input, r.Row, r.Planned, r.Intent, r.Submit, r.Query, r.Callback, r.Balance, r.Window, r.Line, r.WindowEnd} {
		if !reflect.ValueOf(p).IsNil() {
			payload = p
		}
	}
	return fmt.Sprintf("%d %c %d %+v", r.Seq, r.Type, r.At, payload)
}

func TestAppendRefusesBadRecords(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	j, _, err := openJournal(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, r := range []*Record{
		{Type: RecIntent},
		{Type: RecIntent, Submit: &SubmitResult{}},
		{Type: RecSubmit, Submit: &SubmitResult{Answer: Answer{OrderID: "x"}}}, // class 0
		{Type: RecRow, Row: &RowRecord{Status: "weird"}},
		{Type: 'Z', Intent: &Intent{}},
		{Type: RecIntent, Intent: &Intent{}, Planned: &Planned{}},
	} {
		if err := j.Append(context.Background(), r); err == nil {
			t.Errorf("Append(%+v) succeeded", r)
		}
	}
	before := readJournalRecords(t, path)
	if err := j.Append(context.Background(), &Record{Type: RecIntent, Intent: &Intent{OrderID: "ok", Attempt: 1}}); err != nil {
		t.Fatal(err)
	}
	if after := readJournalRecords(t, path); len(after) != len(before)+1 {
		t.Errorf("bad records were written: %d then %d records", len(before), len(after))
	}
}

func TestAppendCancelledContextWritesNothing(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	j, _, err := openJournal(context.Background(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	before := readJournalRecords(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := j.Append(ctx, &Record{Type: RecIntent, Intent: &Intent{OrderID: "x", Attempt: 1}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Append with a cancelled context: %v", err)
	}
	if after := readJournalRecords(t, path); len(after) != len(before) {
		t.Errorf("cancelled append wrote: %d then %d records", len(before), len(after))
	}
}

func TestGroupCommit(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	ctx := context.Background()
	j, _, err := openJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 200, 5
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := fmt.Sprintf("W%dI%d", w, i)
				r := &Record{Type: RecIntent, At: 1, Intent: &Intent{OrderID: id, Attempt: 1}}
				if err := j.Append(ctx, r); err != nil {
					errs <- err
					return
				}
				if r.Seq == 0 || len(r.Hash) != 64 {
					errs <- fmt.Errorf("%s: seq/hash not filled in", id)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, path); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range readJournalRecords(t, path) {
		if r.Intent != nil && strings.HasPrefix(r.Intent.OrderID, "W") {
			seen[r.Intent.OrderID]++
		}
	}
	if len(seen) != workers*each {
		t.Errorf("%d distinct intents on disk, want %d", len(seen), workers*each)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s written %d times", id, n)
		}
	}
}

// failingFile fails its writes or syncs on demand.
type failingFile struct {
	journalFile
	failWrite, failSync bool
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.failWrite {
		return 0, errors.New("injected write failure")
	}
	return f.journalFile.Write(p)
}

func (f *failingFile) Sync() error {
	if f.failSync {
		return errors.New("injected fsync failure")
	}
	return f.journalFile.Sync()
}

func TestJournalPoisonedAfterFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		ff   failingFile
		want string
	}{
		{"write", failingFile{failWrite: true}, "write failed"},
		{"fsync", failingFile{failSync: true}, "fsync failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, _ := newTestJournal(t, 0)
			ctx := context.Background()
			j, _, err := openJournal(ctx, path, nil)
			if err != nil {
				t.Fatal(err)
			}
			ff := tc.ff
			j.mu.Lock() // the writer goroutine reads j.f; it is idle here
			ff.journalFile = j.f
			j.f = &ff
			j.mu.Unlock()
			rec := func() *Record { return &Record{Type: RecIntent, Intent: &Intent{OrderID: "x", Attempt: 1}} }
			err = j.Append(ctx, rec())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "must stop") {
				t.Fatalf("first append after the failure: %v", err)
			}
			ff.failWrite, ff.failSync = false, false // even when the disk comes back
			for i := 0; i < 3; i++ {
				if err2 := j.Append(ctx, rec()); err2 == nil || err2.Error() != err.Error() {
					t.Errorf("later append %d: %v", i, err2)
				}
			}
			if err := j.Close(); err == nil {
				t.Error("Close of a poisoned journal succeeded")
			}
		})
	}
}

func TestLockInProcess(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	ctx := context.Background()
	j, _, err := openJournal(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = openJournal(ctx, path, nil)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != os.Getpid() || le.Path != path {
		t.Fatalf("second open: %v", err)
	}
	if pid, held, err := Holder(path); err != nil || !held || pid != os.Getpid() {
		t.Errorf("Holder while held: %d %v %v", pid, held, err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, held, err := Holder(path); err != nil || held {
		t.Errorf("Holder after close: %v %v", held, err)
	}
	j, _, err = openJournal(ctx, path, nil)
	if err != nil {
		t.Fatalf("open after close: %v", err)
	}
	j.Close()
}

func TestCreateJournalRefusesExisting(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	before, _ := os.ReadFile(path)
	if _, _, err := Create(context.Background(), path, testHeader()); err == nil {
		t.Fatal("CreateJournal over an existing journal succeeded")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("CreateJournal changed an existing journal")
	}
}
