package callback

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

const cbBatch = "cbtest-1"

// cbPlan appends an input section planning one valid row per orderid.
func cbPlan(t testing.TB, j *journal.Journal, book *batch.Book, ids ...string) {
	t.Helper()
	recs := []*journal.Record{{Type: journal.RecInput, Input: &journal.InputInfo{Name: "in.csv", SHA256: strings.Repeat("0", 64), Rows: len(ids), Format: "csv"}}}
	for i, id := range ids {
		recs = append(recs, &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{
			Line: i + 2, Phone: fmt.Sprintf("1390000%04d", i), Pid: "100", OrderID: id, Occurrence: 1, Status: journal.RowValid,
		}})
	}
	recs = append(recs, &journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: len(ids)}})
	if err := j.Append(context.Background(), recs...); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		book.Apply(r)
	}
}

// cbJournal creates a journal planning ids; the test holds it open.
func cbJournal(t testing.TB, ids ...string) (string, *journal.Journal, *batch.Book) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "batch.journal")
	j, book, err := batch.CreateJournal(context.Background(), path, journal.Header{BatchID: cbBatch})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	cbPlan(t, j, book, ids...)
	return path, j, book
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// callbacksIn returns the callback records of the journal at path.
func callbacksIn(t testing.TB, path string) []journal.CallbackNote {
	t.Helper()
	var out []journal.CallbackNote
	if err := scanRecords(context.Background(), path, func(r *journal.Record) error {
		if r.Callback != nil {
			out = append(out, *r.Callback)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// A refused callback leaves the journal byte-identical; a good one is
// journaled once; the key appears in nothing written.
func TestCallbackJournalRefusedWritesNothing(t *testing.T) {
	path, j, book := cbJournal(t, cbOrderA, cbOrderB)
	logs := &cbLogSink{}
	var mu sync.Mutex // the handler shares book with nobody else here
	opts := bookCallbacks(j, book, &callbackLedger{path: path})
	known, seen, record := opts.Known, opts.Seen, opts.Record
	opts.Known = func(id string) bool { mu.Lock(); defer mu.Unlock(); return known(id) }
	opts.Seen = func(n *journal.CallbackNote) bool { mu.Lock(); defer mu.Unlock(); return seen(n) }
	opts.Record = func(ctx context.Context, n *journal.CallbackNote) error {
		mu.Lock()
		defer mu.Unlock()
		return record(ctx, n)
	}
	opts.Verifier, opts.Logf = cbVerifier(t), logs.logf
	srv := httptest.NewServer(NewHandler(opts))
	defer srv.Close()

	before := readFile(t, path)
	bad := []struct {
		method string
		form   func() map[string][]string
	}{
		{"GET", func() map[string][]string {
			v := cbForm(cbKey, cbOrderA, cbSpA, "1")
			v.Set("sign", juhe.CallbackSign("nope", cbSpA, cbOrderA))
			return v
		}},
		{"POST", func() map[string][]string {
			v := cbForm(cbKey, cbOrderA, cbSpA, "1")
			v.Set("sign", juhe.CallbackSign(cbKey, cbSpB, cbOrderB))
			return v
		}},
		{"GET", func() map[string][]string { v := cbForm(cbKey, cbOrderA, cbSpA, "1"); v.Del("sta"); return v }},
		{"GET", func() map[string][]string { return cbForm(cbKey, cbOrderA, cbSpA, "5") }},
		{"POST", func() map[string][]string { return cbForm(cbKey, "ffffffffffffffffffffffffffffffff", cbSpA, "1") }},
	}
	for i, b := range bad {
		if code, _ := cbSend(t, srv.URL, b.method, b.form()); code != http.StatusForbidden {
			t.Fatalf("bad callback %d: got %d, want 403", i, code)
		}
	}
	big := cbForm(cbKey, cbOrderA, cbSpA, "1")
	big.Set("err_msg", strings.Repeat("y", 1<<20))
	if code, _ := cbSend(t, srv.URL, "POST", big); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("1 MiB body: got %d", code)
	}
	if after := readFile(t, path); !bytes.Equal(before, after) {
		t.Fatalf("refused callbacks changed the journal (%d -> %d bytes)", len(before), len(after))
	}

	good := cbForm(cbKey, cbOrderA, cbSpA, "1")
	for i := 0; i < 3; i++ {
		if code, body := cbSend(t, srv.URL, "POST", good); code != 200 || body != "success" {
			t.Fatalf("good callback: %d %q", code, body)
		}
	}
	got := callbacksIn(t, path)
	if len(got) != 1 || got[0].OrderID != cbOrderA || got[0].State != juhe.StateSuccess || got[0].SporderID != cbSpA {
		t.Fatalf("journal callbacks: %+v, want one for %s", got, cbOrderA)
	}
	if o, _ := book.Order(cbOrderA); o.CallbackState != juhe.StateSuccess {
		t.Errorf("book not updated: callback state %d", o.CallbackState)
	}
	for name, s := range map[string]string{"journal": string(readFile(t, path)), "log": logs.String()} {
		if strings.Contains(s, cbKey) {
			t.Errorf("the key appears in the %s", name)
		}
	}
	if _, err := journal.Verify(context.Background(), path); err != nil {
		t.Errorf("verify after callbacks: %v", err)
	}
}

// The standalone server writes only its side journal while another
// holder keeps the main one; the importer moves each callback in once.
func TestCallbackSideAndImport(t *testing.T) {
	ctx := context.Background()
	path, j, book := cbJournal(t, cbOrderA, cbOrderB) // held open: locked

	side, err := OpenSide(ctx, path, func(s string) { t.Log(s) })
	if err != nil {
		t.Fatalf("opening the side journal beside a held journal: %v", err)
	}
	defer side.Close()
	if side.Path() != SidePath(path) || side.BatchID() != cbBatch {
		t.Fatalf("side %s batch %s", side.Path(), side.BatchID())
	}
	if _, err := OpenSide(ctx, path, nil); err == nil {
		t.Fatal("a second callback server opened the same side journal")
	} else if _, ok := err.(*journal.LockedError); !ok {
		t.Fatalf("second callback server: %v, want *LockedError", err)
	}
	side.ReloadEvery = 0
	opts := side.Options()
	opts.Verifier = cbVerifier(t)
	srv := httptest.NewServer(NewHandler(opts))
	defer srv.Close()

	mainBefore := readFile(t, path)
	for _, f := range []map[string][]string{
		cbForm(cbKey, cbOrderA, cbSpA, "1"),
		cbForm(cbKey, cbOrderA, cbSpA, "1"), // replay
		cbForm(cbKey, cbOrderB, cbSpB, "9"),
	} {
		if code, body := cbSend(t, srv.URL, "GET", f); code != 200 || body != "success" {
			t.Fatalf("callback: %d %q", code, body)
		}
	}
	// An order planned after the server started is found by re-reading.
	const orderC = "c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0"
	cbPlan(t, j, book, cbOrderA, cbOrderB, orderC)
	mainBefore = readFile(t, path)
	if code, _ := cbSend(t, srv.URL, "POST", cbForm(cbKey, orderC, "J3", "1")); code != 200 {
		t.Fatalf("callback for an order planned later: %d", code)
	}
	if !bytes.Equal(mainBefore, readFile(t, path)) {
		t.Fatal("the standalone server wrote into the main journal")
	}
	if got := callbacksIn(t, side.Path()); len(got) != 3 {
		t.Fatalf("side journal holds %d callbacks, want 3: %+v", len(got), got)
	}
	if _, err := journal.Verify(ctx, side.Path()); err != nil {
		t.Fatalf("verify side journal: %v", err)
	}

	ci := NewImporter(side.Path())
	for i, want := range []int{3, 0} {
		n, err := importInto(ctx, ci, j, book)
		if err != nil || n != want {
			t.Fatalf("import %d: %d, %v; want %d", i, n, err, want)
		}
	}
	// A torn last line (the server mid-append) is left for later.
	f, err := os.OpenFile(side.Path(), os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("5\tC\t17000")
	f.Close()
	// A fresh importer (a restarted run) imports nothing twice.
	if n, err := importOnce(ctx, j, book, side.Path()); err != nil || n != 0 {
		t.Fatalf("import after restart: %d, %v; want 0", n, err)
	}
	got := callbacksIn(t, path)
	if len(got) != 3 {
		t.Fatalf("main journal holds %d callbacks, want 3", len(got))
	}
	if o, _ := book.Order(orderC); o.CallbackState != juhe.StateSuccess {
		t.Errorf("book: callback state of %s is %d", orderC, o.CallbackState)
	}
	if _, err := journal.Verify(ctx, path); err != nil {
		t.Fatalf("verify main journal: %v", err)
	}
}

// An order whose callbacks disagree (1, then 9) is imported exactly once
// per state, even by a restarted importer.
func TestCallbackImportDisagreement(t *testing.T) {
	ctx := context.Background()
	path, j, book := cbJournal(t, cbOrderA)
	side, err := OpenSide(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []juhe.GameState{juhe.StateSuccess, juhe.StateFailed} {
		if err := side.record(ctx, &journal.CallbackNote{OrderID: cbOrderA, SporderID: cbSpA, State: st}); err != nil {
			t.Fatal(err)
		}
	}
	side.Close()
	for i := 0; i < 3; i++ {
		n, err := importOnce(ctx, j, book, SidePath(path))
		want := 0
		if i == 0 {
			want = 2
		}
		if err != nil || n != want {
			t.Fatalf("import %d: %d, %v; want %d", i, n, err, want)
		}
	}
	if got := callbacksIn(t, path); len(got) != 2 {
		t.Fatalf("main journal holds %d callbacks, want 2", len(got))
	}
}

// A side journal of another batch is refused, not imported.
func TestCallbackImportOtherBatch(t *testing.T) {
	ctx := context.Background()
	_, j, book := cbJournal(t, cbOrderA)
	other := filepath.Join(t.TempDir(), "other.callbacks")
	oj, _, err := batch.CreateJournal(ctx, other, journal.Header{BatchID: "another"})
	if err != nil {
		t.Fatal(err)
	}
	oj.Close()
	if _, err := importOnce(ctx, j, book, other); err == nil || !strings.Contains(err.Error(), "another") {
		t.Fatalf("import of another batch's callbacks: %v", err)
	}
	if n, err := importOnce(ctx, j, book, filepath.Join(t.TempDir(), "missing")); n != 0 || err != nil {
		t.Fatalf("missing side journal: %d, %v", n, err)
	}
}

// Through a running engine's journal: 20 concurrent identical callbacks
// make one record.
func TestCallbackEngineConcurrent(t *testing.T) {
	path, j, book := cbJournal(t, cbOrderA, cbOrderB)
	e := batch.NewEngine(j, book, cbVerifier(t), batch.EngineOptions{})
	opts := ForEngine(e)
	opts.Verifier = cbVerifier(t)
	srv := httptest.NewServer(NewHandler(opts))
	defer srv.Close()
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if code, _ := cbSend(t, srv.URL, "POST", cbForm(cbKey, cbOrderB, cbSpB, "9")); code != 200 {
				t.Errorf("concurrent callback: %d", code)
			}
		}()
	}
	wg.Wait()
	if got := callbacksIn(t, path); len(got) != 1 {
		t.Fatalf("20 identical callbacks made %d records, want 1", len(got))
	}
	if code, _ := cbSend(t, srv.URL, "GET", cbForm(cbKey, "ffffffffffffffffffffffffffffffff", cbSpB, "9")); code != 403 {
		t.Fatalf("unknown orderid: %d", code)
	}
}

// An importer reads only what was appended since its last import: it
// resumes the chain where it stopped instead of reading the file again.
func TestCallbackImporterResumes(t *testing.T) {
	ctx := context.Background()
	path, j, _ := cbJournal(t, cbOrderA, cbOrderB)
	defer j.Close()
	side, err := OpenSide(ctx, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer side.Close()
	seenCalls := 0
	recorded := map[string]bool{}
	to := Options{
		Known: func(string) bool { return true },
		Seen: func(n *journal.CallbackNote) bool {
			seenCalls++
			return recorded[n.OrderID]
		},
		Record: func(_ context.Context, n *journal.CallbackNote) error { recorded[n.OrderID] = true; return nil },
	}
	ci := NewImporter(side.Path())
	if err := side.record(ctx, &journal.CallbackNote{OrderID: cbOrderA, SporderID: cbSpA, State: juhe.StateSuccess}); err != nil {
		t.Fatal(err)
	}
	if n, err := ci.ImportTo(ctx, cbBatch, to); n != 1 || err != nil {
		t.Fatalf("first import: %d, %v; want 1", n, err)
	}
	if err := side.record(ctx, &journal.CallbackNote{OrderID: cbOrderB, SporderID: cbSpB, State: juhe.StateFailed}); err != nil {
		t.Fatal(err)
	}
	seenCalls = 0
	if n, err := ci.ImportTo(ctx, cbBatch, to); n != 1 || err != nil {
		t.Fatalf("second import: %d, %v; want 1", n, err)
	}
	if seenCalls != 1 {
		t.Errorf("the second import looked at %d callbacks, want only the 1 appended since the first", seenCalls)
	}
}

// bookCallbacks is ForEngine for a journal and book used by one
// goroutine at a time (no engine running).
func bookCallbacks(j *journal.Journal, book *batch.Book, ledger *callbackLedger) Options {
	return Options{
		Known: func(id string) bool {
			o, ok := book.Order(id)
			return ok && inBatch(o)
		},
		Seen: func(n *journal.CallbackNote) bool {
			o, ok := book.Order(n.OrderID)
			return ok && ledger.has(context.Background(), o.CallbackState, n)
		},
		Record: func(ctx context.Context, n *journal.CallbackNote) error {
			c := *n
			r := &journal.Record{Type: journal.RecCallback, At: time.Now().UnixMilli(), Callback: &c}
			if err := j.Append(ctx, r); err != nil {
				return err
			}
			book.Apply(r)
			ledger.add(n)
			return nil
		},
	}
}

// importOnce imports sidePath's callbacks into j and book once, as a
// fresh importer (a restarted run) does.
func importOnce(ctx context.Context, j *journal.Journal, book *batch.Book, sidePath string) (int, error) {
	return importInto(ctx, NewImporter(sidePath), j, book)
}

// importInto imports through ci into j and book, no engine running.
func importInto(ctx context.Context, ci *Importer, j *journal.Journal, book *batch.Book) (int, error) {
	return ci.ImportTo(ctx, book.Header.BatchID, bookCallbacks(j, book, &callbackLedger{path: j.Path()}))
}
