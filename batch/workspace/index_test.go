package workspace

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
)

// reopen opens a journal for more records, as a resume does.
func reopen(t *testing.T, path string) (*journal.Journal, *batch.Book) {
	t.Helper()
	j, b, err := batch.OpenJournal(context.Background(), path, func(string) {})
	if err != nil {
		t.Fatal(err)
	}
	return j, b
}

// cutRecords cuts the last n records off the journal at path.
func cutRecords(t *testing.T, path string, n int) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	lines = lines[:len(lines)-1] // the empty piece after the last LF
	if err := os.WriteFile(path, bytes.Join(lines[:len(lines)-n], nil), 0o600); err != nil {
		t.Fatal(err)
	}
}

func lockWS(t *testing.T, ws *Workspace) *Locked {
	t.Helper()
	l, err := ws.Lock(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Unlock() })
	return l
}

// TestIndexStaleRebuilt: the index is a cache. A journal that moved on,
// a rows file that is wrong or gone, and a missing index are all read
// again from the journals.
func TestIndexStaleRebuilt(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "a.csv", phones(0, 40))
	path := filepath.Join(ws.Dir, "a.journal")
	makeJournal(t, path, batchSpec{id: "a", period: "2026-12", in: in, send: 10})
	nb := NewBatch{ID: "b", Period: "2026-12", Phones: phones(100, 110)}
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("before the journal moved on:\n%s", f)
	}
	// The journal moves on: a changed input adds phones 100–109, and
	// everything is sent.
	j, book := reopen(t, path)
	in2 := writeCSV(t, tmp, "a2.csv", append(phones(0, 40), phones(100, 110)...))
	opts := input.Options{BatchID: "a"}
	rep, err := input.Read(context.Background(), in2, opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := batch.AppendInput(context.Background(), j, book, in2, opts, rep); err != nil {
		t.Fatal(err)
	}
	sendIntents(t, j, book, -1, time.Time{})
	j.Close()
	nb.Phones = phones(100, 110)
	wantRefused := func(step string) {
		t.Helper()
		f := guard(t, ws, nb)
		if !f.Refused() || len(f.List) != 1 || f.List[0].Count != 10 {
			t.Fatalf("%s: findings\n%s", step, f)
		}
	}
	wantRefused("after the journal moved on")

	js, err := ws.Journals(context.Background())
	if err != nil || len(js) != 1 || js[0].Sent != 50 || js[0].Records != book.Records || js[0].HeadHash != book.HeadHash {
		t.Fatalf("Journals: %+v, %v", js, err)
	}
	rows := ws.rowsPath(book.HeadHash)
	for _, bad := range [][]byte{encodeRows(nil), []byte("garbage"), nil} {
		if bad == nil {
			os.Remove(rows)
		} else if err := os.WriteFile(rows, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		wantRefused("with a wrong or missing rows file")
	}
	// The index itself: wrong counts for an unchanged journal, then gone.
	ix, _ := os.ReadFile(ws.indexPath())
	os.WriteFile(ws.indexPath(), regexp.MustCompile(`"(sent|planned)": \d+`).ReplaceAll(ix, []byte(`"$1": 0`)), 0o600)
	wantRefused("with an index that says nothing was sent")
	os.Remove(ws.indexPath())
	wantRefused("without an index")
	if f := guard(t, ws, nb); f.IndexRebuilt {
		t.Errorf("index rebuilt twice")
	}
	os.Remove(ws.indexPath())
	if f := guard(t, ws, nb); !f.IndexRebuilt || !strings.Contains(f.String(), "note: the workspace index was missing") {
		t.Errorf("a rebuilt index is not said:\n%s", f)
	}
	if fi, err := os.Stat(ws.indexPath()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("index after rebuild: %v, %v", fi, err)
	}
}

// TestIndexWarmReadsNoJournal: an unchanged journal is not read again;
// the proof is a journal made unreadable that the guard still passes.
func TestIndexWarmReadsNoJournal(t *testing.T) {
	ws := openWS(t)
	in := writeCSV(t, t.TempDir(), "a.csv", phones(0, 10))
	path := filepath.Join(ws.Dir, "a.journal")
	makeJournal(t, path, batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	nb := NewBatch{ID: "b", Period: "2026-12", Phones: phones(0, 3)}
	if f := guard(t, ws, nb); len(f.List) != 1 {
		t.Fatalf("cold:\n%s", f)
	}
	// Damage the first record in place, keeping size and mtime: only a
	// full read would notice.
	fi, _ := os.Stat(path)
	b, _ := os.ReadFile(path)
	b[3] ^= 1
	os.WriteFile(path, b, 0o600)
	os.Chtimes(path, fi.ModTime(), fi.ModTime())
	if f := guard(t, ws, nb); len(f.List) != 1 || f.List[0].Kind != KindRegift {
		t.Fatalf("warm:\n%s", f)
	}
	// Cold again, the damage is found.
	os.Remove(ws.indexPath())
	if f := guard(t, ws, nb); len(f.List) != 1 || f.List[0].Kind != KindDamaged {
		t.Fatalf("cold after damage:\n%s", f)
	}
}

// TestMissingJournal: a registered journal that goes missing refuses
// until it is restored, or forgotten on purpose.
func TestMissingJournal(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "a.csv", phones(0, 10))
	path := filepath.Join(tmp, "away", "a.journal")
	os.MkdirAll(filepath.Dir(path), 0o700)
	makeJournal(t, path, batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	nb := NewBatch{ID: "b", Period: "2026-12", Phones: phones(100, 110)}
	if f := guard(t, ws, nb); f.Compared != 0 {
		t.Fatalf("an unregistered journal elsewhere was compared:\n%s", f)
	}
	register(t, ws, path)
	register(t, ws, path) // twice is once
	if f := guard(t, ws, NewBatch{ID: "b", Period: "2026-12", Phones: phones(0, 1)}); f.Compared != 1 || !f.Refused() {
		t.Fatalf("registered:\n%s", f)
	}
	os.Rename(path, path+".moved")
	f := guard(t, ws, nb)
	if len(f.List) != 1 || f.List[0].Kind != KindMissing || !f.Refused() || !strings.Contains(f.String(), "has gone missing") {
		t.Fatalf("missing:\n%s", f)
	}
	os.Rename(path+".moved", path)
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("restored:\n%s", f)
	}
	os.Remove(path)
	l := lockWS(t, ws)
	ctx := context.Background()
	if _, err := l.Forget(ctx, path, " ", "ops"); err == nil {
		t.Error("Forget without a reason passed")
	}
	if _, err := l.Forget(ctx, filepath.Join(tmp, "other.journal"), "x", "ops"); err == nil {
		t.Error("Forget of an unknown journal passed")
	}
	if _, err := l.Forget(ctx, path, "the laptop was wiped; batch a was settled in November", "Li Lei"); err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	if f := guard(t, ws, nb); f.Refused() || f.Compared != 0 {
		t.Fatalf("after Forget:\n%s", f)
	}
	log, err := os.ReadFile(filepath.Join(ws.Dir, forgottenName))
	if err != nil {
		t.Fatal(err)
	}
	var fg Forgetting
	if err := json.Unmarshal(log, &fg); err != nil || fg.Journal != path || fg.BatchID != "a" || fg.State != StateMissing || fg.Who != "Li Lei" ||
		!strings.Contains(fg.Why, "wiped") || fg.Records == 0 {
		t.Errorf("forgotten.log: %s (%v)", log, err)
	}
	if fi, _ := os.Stat(filepath.Join(ws.Dir, forgottenName)); fi.Mode().Perm() != 0o600 {
		t.Errorf("forgotten.log mode %v", fi.Mode())
	}
}

// TestCutJournal: a journal cut short refuses, whether it then has fewer
// records or as many new ones; forgetting keeps it as it is now.
func TestCutJournal(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "a.csv", phones(0, 20))
	path := filepath.Join(ws.Dir, "a.journal")
	makeJournal(t, path, batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	nb := NewBatch{ID: "b", Period: "2026-12", Phones: phones(100, 110)}
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("before:\n%s", f)
	}
	whole, _ := os.ReadFile(path)
	cutRecords(t, path, 5)
	f := guard(t, ws, nb)
	if len(f.List) != 1 || f.List[0].Kind != KindCut || !strings.Contains(f.List[0].Why, "records") {
		t.Fatalf("cut:\n%s", f)
	}
	os.WriteFile(path, whole, 0o600)
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("restored:\n%s", f)
	}
	// Cut 5, then 10 other records appended: more records than before,
	// but not the ones the index remembers.
	cutRecords(t, path, 5)
	j, book := reopen(t, path)
	for range 10 {
		sendIntents(t, j, book, 1, time.Time{})
		j.Append(context.Background(), &journal.Record{Type: journal.RecIntent, At: 1, Intent: &journal.Intent{OrderID: input.OrderID("a", phoneN(0), testPid, 1), Attempt: 3}})
	}
	j.Close()
	f = guard(t, ws, nb)
	if len(f.List) != 1 || f.List[0].Kind != KindCut || !strings.Contains(f.List[0].Why, "cut or replaced") {
		t.Fatalf("cut and grown:\n%s", f)
	}
	l := lockWS(t, ws)
	if _, err := l.Forget(context.Background(), path, "the last records were lost in a disk failure", "ops"); err != nil {
		t.Fatal(err)
	}
	l.Unlock()
	// It stays in the workspace as it is now: its phones still count.
	f = guard(t, ws, NewBatch{ID: "b", Period: "2026-12", Phones: phones(0, 20)})
	if len(f.List) != 1 || f.List[0].Kind != KindRegift || f.List[0].Count != 20 {
		t.Fatalf("after Forget:\n%s", f)
	}
}

// TestDamagedJournal: a journal that fails its checks refuses; one in
// the workspace folder must be moved out before it can be forgotten.
func TestDamagedJournal(t *testing.T) {
	ws := openWS(t)
	in := writeCSV(t, t.TempDir(), "a.csv", phones(0, 5))
	path := filepath.Join(ws.Dir, "a.journal")
	makeJournal(t, path, batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	b, _ := os.ReadFile(path)
	b[len(b)/2] ^= 0x20
	os.WriteFile(path, b, 0o600)
	nb := NewBatch{ID: "b", Period: "2026-12"}
	if f := guard(t, ws, nb); len(f.List) != 1 || f.List[0].Kind != KindDamaged || !strings.Contains(f.String(), "verify") {
		t.Fatalf("damaged:\n%s", f)
	}
	l := lockWS(t, ws)
	if _, err := l.Forget(context.Background(), path, "bad disk", "ops"); err == nil {
		t.Error("Forget of a damaged journal in the folder passed")
	}
	l.Unlock()
	os.Rename(path, filepath.Join(t.TempDir(), "a.journal.damaged"))
	// It was never summarised whole, so there is no memory to miss.
	if f := guard(t, ws, nb); f.Refused() {
		t.Fatalf("after moving it out:\n%s", f)
	}
}

// TestAttested: a journal must keep reaching its attested head.
func TestAttested(t *testing.T) {
	ws := openWS(t)
	in := writeCSV(t, t.TempDir(), "a.csv", phones(0, 20))
	path := filepath.Join(ws.Dir, "a.journal")
	j, book := openPlanned(t, path, batchSpec{id: "a", period: "2026-12", in: in})
	sendIntents(t, j, book, 10, time.Time{})
	att, attRecs := book.HeadHash, book.Records
	sendIntents(t, j, book, -1, time.Time{})
	j.Close()
	l := lockWS(t, ws)
	ctx := context.Background()
	if _, err := l.Register(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := l.Attested(ctx, path, attRecs, strings.Repeat("0", 64)); err == nil {
		t.Error("an attestation of a head the journal never had was kept")
	}
	if err := l.Attested(ctx, path, attRecs, att); err != nil {
		t.Fatal(err)
	}
	js, err := l.Journals(ctx)
	if err != nil || js[0].Attested == nil || js[0].Attested.Head != att || js[0].Attested.Records != attRecs {
		t.Fatalf("Journals: %+v, %v", js[0].Attested, err)
	}
	if ok, err := reaches(path, js[0].Attested.End, att); !ok || err != nil {
		t.Errorf("the attested end does not reach the head: %v", err)
	}
	l.Unlock()
	cutRecords(t, path, 15) // below the attestation
	f := guard(t, ws, NewBatch{ID: "b", Period: "2026-12"})
	if len(f.List) != 1 || f.List[0].Kind != KindCut {
		t.Fatalf("cut below the attestation:\n%s", f)
	}
}

// TestIndexDamagedRefused: an index that cannot be read is refused, not
// silently rebuilt, since it is the only memory of missing journals.
func TestIndexDamagedRefused(t *testing.T) {
	ws := openWS(t)
	for _, bad := range []string{
		"{",
		`{"version":2,"journals":[]}`,
		`{"version":1,"journals":[{"path":"../x.journal","in_dir":true,"batch":"a","norm_id":"a","head":"` + strings.Repeat("a", 64) + `","records":1,"end":1}]}`,
		`{"version":1,"journals":[{"path":"/x.journal","batch":"a","norm_id":"a","head":"../../etc/passwd","records":1,"end":1}]}`,
	} {
		os.WriteFile(ws.indexPath(), []byte(bad), 0o600)
		l := lockWS(t, ws)
		_, err := Guard(context.Background(), l, NewBatch{ID: "b", Period: "2026-12"})
		l.Unlock()
		if !errors.Is(err, ErrIndexDamaged) || !strings.Contains(err.Error(), "Try:") {
			t.Errorf("index %.40q: %v", bad, err)
		}
	}
}

// TestWorkspaceMoves: journals in the folder are kept by name, so the
// folder can move.
func TestWorkspaceMoves(t *testing.T) {
	ws := openWS(t)
	in := writeCSV(t, t.TempDir(), "a.csv", phones(0, 5))
	makeJournal(t, filepath.Join(ws.Dir, "a.journal"), batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	guard(t, ws, NewBatch{ID: "b", Period: "2026-12"})
	moved := filepath.Join(t.TempDir(), "moved")
	if err := os.Rename(ws.Dir, moved); err != nil {
		t.Fatal(err)
	}
	ws2, err := Open(moved)
	if err != nil {
		t.Fatal(err)
	}
	if f := guard(t, ws2, NewBatch{ID: "b", Period: "2026-12", Phones: phones(0, 1)}); len(f.List) != 1 || f.List[0].Kind != KindRegift {
		t.Fatalf("moved:\n%s", f)
	}
}

// TestLockHeldByAnotherProcess: a second process waits, then gives up
// naming the holder; the lock is free once the holder is killed.
func TestLockHeldByAnotherProcess(t *testing.T) {
	ws := openWS(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWorkspace$")
	cmd.Env = append(os.Environ(), "WS_HOLD_DIR="+ws.Dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	ws.LockWait = 200 * time.Millisecond
	_, err = ws.Lock(context.Background())
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid || !strings.Contains(err.Error(), "in use by process") {
		t.Fatalf("Lock while held: %v (helper pid %d)", err, cmd.Process.Pid)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ws.LockWait = time.Minute
	if _, err := ws.Lock(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a cancelled context: %v", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	ws.LockWait = 10 * time.Second
	l, err := ws.Lock(context.Background())
	if err != nil {
		t.Fatalf("Lock after the holder died: %v", err)
	}
	l.Unlock()
}

func TestHelperHoldWorkspace(t *testing.T) {
	dir := os.Getenv("WS_HOLD_DIR")
	if dir == "" {
		t.Skip("helper process")
	}
	ws, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}

// TestSymlinkedJournal: a journal linked into the folder is read through
// the link, and is its own journal for a batch that names it either way.
func TestSymlinkedJournal(t *testing.T) {
	ws := openWS(t)
	tmp := t.TempDir()
	in := writeCSV(t, tmp, "a.csv", phones(0, 5))
	real := filepath.Join(tmp, "a.journal")
	makeJournal(t, real, batchSpec{id: "a", period: "2026-12", in: in, send: -1})
	link := filepath.Join(ws.Dir, "a.journal")
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	if f := guard(t, ws, NewBatch{ID: "b", Period: "2026-12", Phones: phones(0, 1)}); f.Compared != 1 || !f.Refused() {
		t.Fatalf("through the link:\n%s", f)
	}
	for _, own := range []string{real, link} {
		if f := guard(t, ws, NewBatch{ID: "a", Period: "2026-12", Journal: own, Phones: phones(0, 5)}); f.Refused() {
			t.Errorf("own journal %s:\n%s", own, f)
		}
	}
}
