package main

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// genJournal writes a journal of n settled orders through the batch API,
// big enough that its Orders sheet spills to disk while it is written.
func genJournal(t *testing.T, path string, n int) {
	t.Helper()
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: "BIG", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	var recs []*journal.Record
	add := func(r *journal.Record) {
		if recs = append(recs, r); len(recs) == 20000 {
			if err := j.Append(ctx, recs...); err != nil {
				t.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	add(&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "big.csv", SHA256: strings.Repeat("1", 64),
		Rows: n, Format: "csv", Encoding: "utf-8", Extra: []string{"姓名", "部门"}}})
	ids := make([]string, n)
	for i := range n {
		phone := strconv.Itoa(13800000000 + i)
		ids[i] = input.OrderID("BIG", phone, "105000", 1)
		add(&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: i + 2, Phone: phone, Pid: "105000", OrderID: ids[i],
			Occurrence: 1, Status: journal.RowValid, Extra: []string{"张三" + strconv.Itoa(i), "技术部"}}})
	}
	add(&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: n}})
	for _, id := range ids {
		add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}})
		add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id[:20], Cost: 19630, HasCost: true}, CardName: "全国移动1G流量月包"}})
		add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, Cost: 19630, HasCost: true}, State: juhe.StateSuccess}})
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
}

// leftovers lists the temporary files and directories in dir: every name
// but the ones kept.
func leftovers(t *testing.T, dir string, keep ...string) []string {
	t.Helper()
	var left []string
	for _, name := range dirFiles(t, dir) {
		if !slices.Contains(keep, name) {
			left = append(left, name)
		}
	}
	return left
}

// TestKilledReconcileLeavesNothing: reconcile killed while it writes a
// workbook big enough to spill to disk keeps the old workbook whole, puts
// nothing in TMPDIR, and the next run removes what it left beside the
// output.
func TestKilledReconcileLeavesNothing(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	dir := t.TempDir()
	tmp := t.TempDir()
	journal := filepath.Join(dir, "big.journal")
	genJournal(t, journal, 40000)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "big.xlsx")
	reconcileCmd := func() *exec.Cmd {
		cmd := exec.Command(bin, "reconcile", "-journal", journal, "-out", out, "-csv", filepath.Join(outDir, "big.csv"))
		cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
		return cmd
	}
	keep := []string{"big.xlsx", "big.csv", "BIG.attest.json"}
	if b, err := reconcileCmd().CombinedOutput(); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, b)
	}
	if left := leftovers(t, outDir, keep...); len(left) > 0 {
		t.Errorf("a finished reconcile left %v beside the workbook", left)
	}
	old, _ := os.ReadFile(out)

	// Kill it once a sheet has spilled to disk: then both the workbook's
	// temporary file and excelize's spill file exist.
	cmd := reconcileCmd()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	spilled := func() bool {
		dirs, _ := filepath.Glob(filepath.Join(outDir, ".big.xlsx.xl-*"))
		for _, d := range dirs {
			if files, _ := os.ReadDir(d); len(files) > 0 {
				return true
			}
		}
		return false
	}
	deadline := time.Now().Add(time.Minute)
	for !spilled() {
		select {
		case err := <-exited:
			t.Fatalf("reconcile finished (%v) before a sheet spilled to disk: make the journal bigger", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("no sheet spilled to disk within a minute")
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	if now, _ := os.ReadFile(out); !bytes.Equal(now, old) {
		t.Error("the old workbook changed under a killed reconcile")
	}
	if left := leftovers(t, outDir, keep...); len(left) == 0 {
		t.Error("the killed reconcile left nothing: the test did not kill it mid-write")
	} else {
		t.Logf("left by the kill: %v", left)
	}
	if left := dirFiles(t, tmp); len(left) > 0 {
		t.Errorf("TMPDIR holds %v", left)
	}

	if b, err := reconcileCmd().CombinedOutput(); err != nil {
		t.Fatalf("reconcile after the kill: %v\n%s", err, b)
	}
	if left := leftovers(t, outDir, keep...); len(left) > 0 {
		t.Errorf("the next reconcile did not remove %v", left)
	}
	if left := dirFiles(t, tmp); len(left) > 0 {
		t.Errorf("TMPDIR holds %v", left)
	}
}

// TestSecondProcessThroughAnotherName: a second run on the journal
// through a symlink or a hard link exits 6 at once, naming the holder,
// just as through the same path; once run and killed, the journal was
// never interleaved: it verifies.
func TestSecondProcessThroughAnotherName(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	cfg := juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: time.Hour,
		Faults: juhesim.Faults{Latency: 1, LatencyMin: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond}}
	sim := juhesim.NewServer(cfg)
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	writeE2EInput(t, in, 40, rand.New(rand.NewPCG(3, 4)))
	journal := filepath.Join(dir, "named.journal")
	other := t.TempDir()
	names := map[string]string{
		"symlink":   filepath.Join(other, "sym.journal"),
		"hard link": filepath.Join(dir, "hard.journal"),
	}
	args := func(j string) []string {
		return []string{"run", "-in", in, "-batch", "named", "-journal", j, "-out", filepath.Join(t.TempDir(), "named.xlsx"), "-rate", "2", "-skip-invalid"}
	}
	first, _ := startProc(t, bin, sim.URL, args(journal)...)
	waitFor(t, "the first run to submit", 20*time.Second, func() bool { return sim.Requests().Submits > 0 })
	if err := os.Symlink(journal, names["symlink"]); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(journal, names["hard link"]); err != nil {
		t.Fatal(err)
	}
	for name, alt := range names {
		second := runProc(t, bin, sim.URL, 0, args(alt)...)
		if second.code != ExitLocked {
			t.Errorf("%s: second run exited %d, want %d:\n%s", name, second.code, ExitLocked, joinOutput(second))
		}
		if want := fmt.Sprintf("process %d", first.Process.Pid); !strings.Contains(second.stderr, want) {
			t.Errorf("%s: second run does not name the holder (%q):\n%s", name, want, second.stderr)
		}
	}
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	if res := runProc(t, bin, sim.URL, 0, "verify", "-journal", names["hard link"]); res.code != ExitOK {
		t.Errorf("verify after the runs: exit %d\n%s", res.code, joinOutput(res))
	}
}
