package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// lineStarts returns the byte offset of every record in raw, and len(raw).
func lineStarts(raw []byte) []int {
	offs := []int{0}
	for i, c := range raw {
		if c == '\n' {
			offs = append(offs, i+1)
		}
	}
	return offs
}

// openCopies counts openCopy calls per running test.
var openCopies = map[*testing.T]int{}

type openResult struct {
	records  int64
	warnings []string
	err      error
}

// openCopy opens a copy of data as a journal, without fsyncs (the
// repair logic is under test here, not the disk; the first case of each
// test goes through OpenJournal itself).
func openCopy(t *testing.T, data []byte) (string, openResult) {
	t.Helper()
	if openCopies[t] == 0 {
		t.Cleanup(func() { delete(openCopies, t) })
	}
	first := !t.Failed() && openCopies[t] == 0
	openCopies[t]++
	path := filepath.Join(scratchDir(t), "c.journal")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var res openResult
	warn := func(s string) { res.warnings = append(res.warnings, s) }
	var j *Journal
	var b Pos
	var err error
	if first {
		j, b, err = openJournal(context.Background(), path, warn)
	} else {
		unlock, lerr := Lock(path)
		if lerr != nil {
			t.Fatal(lerr)
		}
		j, b, err = openLocked(context.Background(), path, warn, checkAll, unlock, true)
		if err != nil {
			unlock()
		}
	}
	res.err = err
	if err == nil {
		res.records = b.Records()
		j.Close()
	}
	return path, res
}

// scratchDir is one directory per running test, reused: creating files
// and directories is the slow part of these tests. Keyed by the test
// itself, not its name, so -count=N gets a fresh one each time.
func scratchDir(t *testing.T) string {
	if d, ok := scratchDirs[t]; ok {
		return d
	}
	d := t.TempDir()
	scratchDirs[t] = d
	t.Cleanup(func() { delete(scratchDirs, t) })
	return d
}

var scratchDirs = map[*testing.T]string{}

// tornFiles returns the contents of the torn-tail side files of path and
// removes them.
func tornFiles(t *testing.T, path string) [][]byte {
	t.Helper()
	m, _ := filepath.Glob(path + ".torn-*")
	var out [][]byte
	for _, name := range m {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		os.Remove(name)
		out = append(out, b)
	}
	return out
}

func TestTornTailEveryOffset(t *testing.T) {
	src, _ := newTestJournal(t, 12) // 30 records
	raw, _ := os.ReadFile(src)
	offs := lineStarts(raw)
	n := len(offs) - 1
	if n != 30 {
		t.Fatalf("%d records, want 30", n)
	}
	for cut := offs[n-3]; cut < len(raw); cut++ {
		whole := 0 // records entirely before cut
		for whole < n && offs[whole+1] <= cut {
			whole++
		}
		path, res := openCopy(t, raw[:cut])
		if res.err != nil {
			t.Errorf("cut at %d: %v", cut, res.err)
			continue
		}
		if res.records != int64(whole) {
			t.Errorf("cut at %d: %d records, want %d", cut, res.records, whole)
		}
		kept := tornFiles(t, path)
		if cut == offs[whole] {
			if len(res.warnings) != 0 || len(kept) != 0 {
				t.Errorf("cut on a record boundary %d: warnings %q, %d torn files", cut, res.warnings, len(kept))
			}
		} else {
			if len(res.warnings) != 1 || len(kept) != 1 || !bytes.Equal(kept[0], raw[offs[whole]:cut]) {
				t.Errorf("cut at %d: warnings %q, torn files %q, want %q", cut, res.warnings, kept, raw[offs[whole]:cut])
			}
			if _, err := Verify(context.Background(), writeJournalBytes(t, raw[:cut])); err == nil {
				t.Errorf("cut at %d: Verify accepted a torn journal", cut)
			}
		}
		// The repaired journal is exactly the good prefix and verifies.
		after, _ := os.ReadFile(path)
		if !bytes.Equal(after, raw[:offs[whole]]) {
			t.Errorf("cut at %d: repaired journal is %d bytes, want %d", cut, len(after), offs[whole])
		}
		if _, err := Verify(context.Background(), path); err != nil {
			t.Errorf("cut at %d: repaired journal does not verify: %v", cut, err)
		}
	}
}

func writeJournalBytes(t *testing.T, data []byte) string {
	t.Helper()
	path := filepath.Join(scratchDir(t), "v.journal")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestZeroTail(t *testing.T) {
	src, _ := newTestJournal(t, 18)
	raw, _ := os.ReadFile(src)
	offs := lineStarts(raw)
	n := len(offs) - 1
	zeroLast := append([]byte(nil), raw...)
	for i := offs[n-1]; i < len(raw); i++ {
		zeroLast[i] = 0
	}
	zeroPartLast := append([]byte(nil), raw...)
	for i := offs[n-1] + 10; i < len(raw)-1; i++ {
		zeroPartLast[i] = 0
	}
	for _, tc := range []struct {
		name string
		data []byte
		keep int // records kept
	}{
		{"zeros appended", append(append([]byte(nil), raw...), make([]byte, 4096)...), n},
		{"last record zeroed", zeroLast, n - 1},
		{"last record zeroed then more zeros", append(append([]byte(nil), zeroLast...), make([]byte, 100)...), n - 1},
		{"inside of the last record zeroed, line end intact", zeroPartLast, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, res := openCopy(t, tc.data)
			if tc.keep < 0 {
				var de *DamageError
				if !errors.As(res.err, &de) || de.Record != int64(n) {
					t.Fatalf("got %v, want damage at record %d", res.err, n)
				}
				return
			}
			if res.err != nil {
				t.Fatal(res.err)
			}
			if res.records != int64(tc.keep) || len(res.warnings) != 1 {
				t.Errorf("%d records (want %d), warnings %q", res.records, tc.keep, res.warnings)
			}
			if kept := tornFiles(t, path); len(kept) != 1 || !bytes.Equal(kept[0], tc.data[offs[tc.keep]:]) {
				t.Errorf("torn file does not hold the cut bytes")
			}
			if _, err := Verify(context.Background(), writeJournalBytes(t, tc.data)); err == nil {
				t.Error("Verify accepted it")
			}
		})
	}
}

// TestFlippedByte flips every byte of a middle record and of the last
// record. A complete line that is wrong is damage, never repaired: the
// journal is left as it was. (A flipped final LF turns the last record
// into an unterminated line; since the record before the stray byte is
// intact, that is damage too, so a synced record is never dropped.)
func TestFlippedByte(t *testing.T) {
	src, _ := newTestJournal(t, 18)
	raw, _ := os.ReadFile(src)
	offs := lineStarts(raw)
	n := len(offs) - 1
	for _, rec := range []int{15, n} {
		for i := offs[rec-1]; i < offs[rec]; i++ {
			bad := append([]byte(nil), raw...)
			bad[i] ^= 0x01
			if bad[i] == '\n' { // would split the line: a different test
				bad[i] = 'x'
			}
			path, res := openCopy(t, bad)
			var de *DamageError
			if !errors.As(res.err, &de) {
				t.Errorf("record %d byte %d flipped: %v (%d records)", rec, i, res.err, res.records)
				continue
			}
			if de.Record != int64(rec) || de.Offset != int64(offs[rec-1]) {
				t.Errorf("record %d byte %d flipped: damage named record %d at %d", rec, i, de.Record, de.Offset)
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(after, bad) {
				t.Errorf("record %d byte %d flipped: the damaged journal was changed", rec, i)
			}
			if _, err := Verify(context.Background(), path); !errors.As(err, &de) {
				t.Errorf("record %d byte %d flipped: Verify: %v", rec, i, err)
			}
			if _, err := load(context.Background(), path); err == nil && rec != n {
				t.Errorf("record %d byte %d flipped: LoadBook accepted it", rec, i)
			}
		}
	}
}

func TestVerifyDetectsEdits(t *testing.T) {
	src, _ := newTestJournal(t, 18)
	raw, _ := os.ReadFile(src)
	lines := bytes.SplitAfter(raw, []byte("\n"))
	lines = lines[:len(lines)-1]
	join := func(ls [][]byte) []byte { return bytes.Join(ls, nil) }
	changedDigit := append([]byte(nil), raw...)
	// The cost 19630 of the accepted submit becomes 19631.
	i := bytes.Index(changedDigit, []byte("\t19630\t"))
	changedDigit[i+5] = '1'
	removed := join(append(append([][]byte{}, lines[:10]...), lines[11:]...))
	swapped := append([][]byte{}, lines...)
	swapped[10], swapped[11] = swapped[11], swapped[10]
	for name, data := range map[string][]byte{
		"changed digit":   changedDigit,
		"removed record":  removed,
		"swapped records": join(swapped),
		"empty":           nil,
		"no header":       join(lines[1:]),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Verify(context.Background(), writeJournalBytes(t, data)); err == nil {
				t.Error("Verify accepted it")
			}
		})
	}
}

// TestLockTwoProcesses holds the journal in a child process, checks that
// this process is refused at once with the child's PID, then kills the
// child with SIGKILL and checks that the lock is free again.
func TestLockTwoProcesses(t *testing.T) {
	path, _ := newTestJournal(t, 0)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldJournal$")
	cmd.Env = append(os.Environ(), "FLOWBATCH_HOLD_JOURNAL="+path)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pid, held, err := Holder(path)
		if err != nil {
			t.Fatal(err)
		}
		if held && pid == cmd.Process.Pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("helper never took the lock (held %v pid %d)", held, pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	start := time.Now()
	_, _, err := openJournal(context.Background(), path, nil)
	var le *LockedError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid {
		t.Fatalf("open while the helper holds it: %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("refusal took %v", d)
	}
	if !strings.Contains(err.Error(), strconv.Itoa(cmd.Process.Pid)) {
		t.Errorf("message does not name the holder: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	j, _, err := openJournal(context.Background(), path, nil)
	if err != nil {
		t.Fatalf("open after the holder was killed: %v", err)
	}
	j.Close()
}

func TestHelperHoldJournal(t *testing.T) {
	path := os.Getenv("FLOWBATCH_HOLD_JOURNAL")
	if path == "" {
		t.Skip("helper process for TestLockTwoProcesses")
	}
	_, _, err := openJournal(context.Background(), path, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(1)
	}
	time.Sleep(time.Minute) // until killed
	os.Exit(0)
}
