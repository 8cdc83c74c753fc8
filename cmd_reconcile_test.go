package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
	"github.com/xuri/excelize/v2"
)

// reconcileJournal writes a small journal: one success, one unknown, one
// invalid row.
func reconcileJournal(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: "B1", ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	recs := []*journal.Record{
		{Type: journal.RecInput, At: 1, Input: &journal.InputInfo{Name: "in.csv", SHA256: strings.Repeat("0", 64), Rows: 3, Format: "csv"}},
		{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{Line: 2, Phone: "13800000001", Pid: "10", OrderID: "a1", Occurrence: 1, Status: journal.RowValid}},
		{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{Line: 3, Phone: "13800000002", Pid: "10", OrderID: "a2", Occurrence: 1, Status: journal.RowValid}},
		{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{Line: 4, Phone: "x", Pid: "10", Status: journal.RowInvalid, Reason: "bad phone"}},
		{Type: journal.RecPlanned, At: 1, Planned: &journal.Planned{Rows: 3}},
		{Type: journal.RecIntent, At: 2, Intent: &journal.Intent{OrderID: "a1", Attempt: 1}},
		{Type: journal.RecSubmit, At: 3, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "a1", Class: juhe.ClassAccepted, SporderID: "J1", Cost: 19630, HasCost: true}}},
		{Type: journal.RecQuery, At: 4, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "a1", Class: juhe.ClassAccepted, Cost: 19630, HasCost: true}, State: juhe.StateSuccess}},
		{Type: journal.RecIntent, At: 5, Intent: &journal.Intent{OrderID: "a2", Attempt: 1}},
	}
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReconcileCommand(t *testing.T) {
	t.Parallel()
	journal := reconcileJournal(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.xlsx")
	csvPath := filepath.Join(dir, "r.csv")
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
	if err := Run(context.Background(), e, []string{"reconcile", "-journal", journal, "-out", out, "-lang", "en", "-csv", csvPath}); err != nil {
		t.Fatalf("reconcile: %v\n%s", err, stderr.String())
	}
	for _, p := range []string{out, csvPath} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v", p, fi, err)
		}
	}
	got := strings.Join(strings.Fields(stdout.String()), " ")
	for _, want := range []string{"wrote " + out, "wrote " + csvPath, "success 1", "unknown 1", "invalid 1",
		"control total OK", "spend (yuan) 19.630", "open rows 1", "journal head "} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestReconcileCommandErrors(t *testing.T) {
	t.Parallel()
	journal := reconcileJournal(t)
	missing := filepath.Join(t.TempDir(), "nope.journal")
	out := filepath.Join(t.TempDir(), "r.xlsx")
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no journal flag", []string{"-out", out}, ExitUsage, "-journal is required"},
		{"no out", []string{"-journal", journal}, ExitUsage, "-out is required"},
		{"bad lang", []string{"-journal", journal, "-out", out, "-lang", "fr"}, ExitUsage, "-lang"},
		{"missing journal", []string{"-journal", missing, "-out", out}, ExitError, "no journal at " + missing},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			e := &env{stdout: &stdout, stderr: &stderr, getenv: func(string) string { return "" }}
			err := Run(context.Background(), e, append([]string{"reconcile"}, tc.args...))
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != tc.code || !strings.Contains(ee.Error(), tc.want) {
				t.Fatalf("err = %v, want code %d with %q", err, tc.code, tc.want)
			}
			if tc.name == "missing journal" && ee.hintText() == "" {
				t.Errorf("no hint for a missing journal")
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("workbook written on error")
			}
		})
	}
	// -h prints the usage and succeeds.
	var stderr bytes.Buffer
	e := &env{stdout: &stderr, stderr: &stderr, getenv: func(string) string { return "" }}
	if err := Run(context.Background(), e, []string{"reconcile", "-h"}); err != nil || !strings.Contains(stderr.String(), "Usage: flowbatch reconcile") {
		t.Errorf("-h: %v\n%s", err, stderr.String())
	}
}

// TestReconcileAttestation: reconcile writes the attestation beside the
// workbook, shows its sha256 on the Summary and prints it. Run again on a
// journal that grew, it supersedes the old one; on a journal cut below
// it, or cut and written again, it refuses with exit 7 and writes
// nothing, so a clean workbook cannot hide the cut.
func TestReconcileAttestation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	journalPath := reconcileJournal(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "r.xlsx")
	attest := filepath.Join(dir, "B1.attest.json")
	reconcileOnce := func() (string, string, int) {
		return runJournalCmd("reconcile", "-journal", journalPath, "-out", out, "-lang", "en")
	}
	stdout, stderr, code := reconcileOnce()
	if code != ExitOK {
		t.Fatalf("reconcile: exit %d\n%s", code, stderr)
	}
	fi, err := os.Stat(attest)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("attestation %s: %v %v", attest, fi, err)
	}
	a, sum, err := reconcile.ReadAttestation(attest)
	if err != nil {
		t.Fatal(err)
	}
	v, err := journal.Verify(ctx, journalPath)
	if err != nil {
		t.Fatal(err)
	}
	want := reconcile.Attestation{Format: reconcile.AttestationFormat, BatchID: "B1", Journal: "b.journal",
		JournalRecords: v.Records, JournalHead: v.HeadHash, InputFile: "in.csv", InputSHA256: strings.Repeat("0", 64), InputRows: 3,
		Counts:  map[string]int{"success": 1, "failed": 0, "charging": 0, "unknown": 1, "rejected": 0, "invalid": 1, "not_submitted": 0},
		SpendLi: 19630, SpendYuan: "19.630", ChargingYuan: "0.000", RefundedYuan: "0.000", OrphanSpendYn: "0.000",
		GeneratedAt: a.GeneratedAt, ToolVersion: version}
	if !reflect.DeepEqual(*a, want) {
		t.Errorf("attestation\n got %+v\nwant %+v", *a, want)
	}
	if _, err := time.Parse(time.RFC3339, a.GeneratedAt); err != nil || !strings.HasSuffix(a.GeneratedAt, "+08:00") {
		t.Errorf("generated_at %q: want RFC 3339 in Beijing time (%v)", a.GeneratedAt, err)
	}
	if !strings.Contains(stdout, "attestation sha256 "+sum) {
		t.Errorf("stdout lacks the attestation's sha256 %s:\n%s", sum, stdout)
	}
	if got := summaryCell(t, out, "attestation_sha256"); got != sum {
		t.Errorf("Summary attestation_sha256 = %q, want %s", got, sum)
	}

	// The journal grows: the new attestation supersedes the old one.
	j, _, err := batch.OpenJournal(ctx, journalPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := j.Append(ctx, &journal.Record{Type: journal.RecQuery, At: 9, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "a2", Class: juhe.ClassAccepted}, State: juhe.StateCharging}}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	if _, stderr, code := reconcileOnce(); code != ExitOK {
		t.Fatalf("reconcile of a grown journal: exit %d\n%s", code, stderr)
	}
	grown, _, _ := reconcile.ReadAttestation(attest)
	if grown.JournalRecords != a.JournalRecords+3 {
		t.Errorf("attestation after growth: %d records, want %d", grown.JournalRecords, a.JournalRecords+3)
	}

	keptBook, _ := os.ReadFile(out)
	keptAttest, _ := os.ReadFile(attest)
	files := dirFiles(t, dir)
	for _, tc := range []struct {
		name string
		cut  func()
		want string
	}{
		{"cut", func() { truncateRecords(t, journalPath, 4) }, "has 9 records, attested 13: 4 records cut from its end"},
		{"cut and written again", func() {
			j, _, err := batch.OpenJournal(ctx, journalPath, nil)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 6; i++ {
				j.Append(ctx, &journal.Record{Type: journal.RecQuery, At: 10, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "a2", Class: juhe.ClassAccepted}, State: juhe.StateSuccess}})
			}
			j.Close()
		}, "no longer reaches the attested head"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.cut()
			if _, err := journal.Verify(ctx, journalPath); err != nil {
				t.Fatalf("the chain check alone should pass: %v", err)
			}
			_, stderr, code := reconcileOnce()
			if code != ExitDamaged || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "nothing was written") {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, ExitDamaged, tc.want, stderr)
			}
			if b, _ := os.ReadFile(out); !bytes.Equal(b, keptBook) {
				t.Error("the workbook changed")
			}
			if b, _ := os.ReadFile(attest); !bytes.Equal(b, keptAttest) {
				t.Error("the attestation changed")
			}
			if got := dirFiles(t, dir); !reflect.DeepEqual(got, files) {
				t.Errorf("files beside the workbook %v, want %v", got, files)
			}
		})
	}

	// Another journal of batch B1, its workbook in the same directory:
	// the first journal's attestation is neither overwritten nor used.
	other := filepath.Join(t.TempDir(), "other.journal")
	oj, _, err := batch.CreateJournal(ctx, other, journal.Header{BatchID: "B1"})
	if err != nil {
		t.Fatal(err)
	}
	oj.Close()
	_, stderr, code = runJournalCmd("reconcile", "-journal", other, "-out", filepath.Join(dir, "other.xlsx"))
	if code != ExitUsage || !strings.Contains(stderr, "is of journal b.journal") {
		t.Errorf("another journal of the batch: exit %d:\n%s", code, stderr)
	}
	if b, _ := os.ReadFile(attest); !bytes.Equal(b, keptAttest) {
		t.Error("the attestation changed")
	}
}

// summaryLabelColumns are where the Summary's labels are: column A, and
// H, the side pane's (the provider's books, the audit, the sign-off).
var summaryLabelColumns = []int{0, 7}

// summaryCell is the value beside label on the Summary sheet.
func summaryCell(t *testing.T, path, label string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for _, at := range summaryLabelColumns {
			if len(r) >= at+2 && r[at] == label {
				return r[at+1]
			}
		}
	}
	t.Fatalf("no %q on the Summary", label)
	return ""
}

// TestCarelessOutputs: an output that is one of the files read, however
// it is spelled, or with an extension the writer does not produce, is
// refused with exit 2 before anything is written. The input list was
// once overwritten by the workbook.
func TestCarelessOutputs(t *testing.T) {
	t.Parallel()
	journal := reconcileJournal(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "list.csv")
	if err := os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	xin := filepath.Join(dir, "list.xlsx")
	os.WriteFile(xin, []byte("PK\x03\x04 not really a workbook"), 0o600)
	sym := filepath.Join(dir, "sym.xlsx")
	os.Symlink(xin, sym)
	hard := filepath.Join(dir, "hard.xlsx")
	os.Link(xin, hard)
	dup := filepath.Join(dir, "copy.xlsx")
	os.WriteFile(dup, []byte("PK\x03\x04 not really a workbook"), 0o600)
	jsym := filepath.Join(dir, "journal.xlsx")
	os.Symlink(journal, jsym)
	jcsv := filepath.Join(dir, "journal.csv")
	os.Symlink(journal, jcsv)
	os.Mkdir(filepath.Join(dir, "sub"), 0o700)
	os.Mkdir(filepath.Join(dir, "folder.xlsx"), 0o700)
	newJournal := filepath.Join(dir, "new.xlsx") // a journal not created yet, oddly named
	vars := map[string]string{"JUHE_KEY": "k", "JUHE_OPENID": "o", "JUHE_BASE_URL": "http://127.0.0.1:1"}
	run := func(args ...string) []string {
		return append([]string{"run", "-batch", "B1", "-rate", "1"}, args...)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"run: -out is -in", run("-in", xin, "-out", xin), "-out " + xin + " is the same file as -in"},
		{"run: -out is -in through ../", run("-in", xin, "-out", filepath.Join(dir, "sub", "..", "list.xlsx")), "is the same file as -in"},
		{"run: -out is a symlink to -in", run("-in", xin, "-out", sym), "is the same file as -in"},
		{"run: -out is a hard link of -in", run("-in", xin, "-out", hard), "is the same file as -in"},
		{"run: -out is a copy of -in", run("-in", xin, "-out", dup), "-out " + dup + " is the input list of batch B1"},
		{"run: -out is the journal", run("-in", in, "-journal", jsym, "-out", jsym), "is the same file as -journal"},
		{"run: -out is a journal not created yet", run("-in", in, "-journal", newJournal, "-out", newJournal), "is the same file as -journal"},
		{"run: -csv is -in", run("-in", in, "-out", filepath.Join(dir, "r.xlsx"), "-csv", in), "-csv " + in + " is the same file as -in"},
		{"run: -out a.pdf", run("-in", in, "-out", filepath.Join(dir, "a.pdf")), `the file written is .xlsx, not ".pdf"`},
		{"run: -csv a.txt", run("-in", in, "-out", filepath.Join(dir, "r.xlsx"), "-csv", filepath.Join(dir, "a.txt")), `the file written is .csv, not ".txt"`},
		{"run: -out in a missing directory", run("-in", in, "-out", filepath.Join(dir, "nodir", "r.xlsx")), "there is no directory " + filepath.Join(dir, "nodir")},
		{"run: -csv in a missing directory", run("-in", in, "-out", filepath.Join(dir, "r.xlsx"), "-csv", filepath.Join(dir, "nodir", "r.csv")), "there is no directory"},
		{"reconcile: -out under a file", []string{"reconcile", "-journal", journal, "-out", filepath.Join(in, "r.xlsx")}, "there is no directory " + in},
		{"run: -out a directory", run("-in", in, "-out", filepath.Join(dir, "folder.xlsx")), "is a directory"},
		{"submit: -journal is -in", []string{"submit", "-in", in, "-batch", "B1", "-journal", in}, "is the input file"},
		{"reconcile: -out is the journal", []string{"reconcile", "-journal", jsym, "-out", jsym}, "is the same file as -journal"},
		{"reconcile: -out no extension", []string{"reconcile", "-journal", journal, "-out", filepath.Join(dir, "r")}, "the file written is .xlsx"},
		{"reconcile: -csv is the journal", []string{"reconcile", "-journal", journal, "-out", filepath.Join(dir, "r.xlsx"), "-csv", jcsv}, "-csv " + jcsv + " is the same file as -journal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string][]byte{}
			for _, p := range []string{in, xin, dup, journal} {
				before[p], _ = os.ReadFile(p)
			}
			files := dirFiles(t, dir)
			_, stderr, code := runCmd(context.Background(), t, vars, tc.args...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, ExitUsage, tc.want, stderr)
			}
			for p, b := range before {
				if now, _ := os.ReadFile(p); !bytes.Equal(now, b) {
					t.Errorf("%s changed", p)
				}
			}
			if got := dirFiles(t, dir); !reflect.DeepEqual(got, files) {
				t.Errorf("files %v, want %v", got, files)
			}
		})
	}
}

// TestNotAJournalCommands: a -journal that is not a journal is a wrong
// argument (exit 2), said so; it is not "damaged, keep it for the audit".
// A journal damaged after a valid header is still exit 7.
func TestNotAJournalCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "list.xlsx")
	os.WriteFile(xlsx, []byte("PK\x03\x04\x14\x00\x06\x00rest of a workbook"), 0o600)
	empty := filepath.Join(dir, "empty.journal")
	os.WriteFile(empty, nil, 0o600)
	in := filepath.Join(dir, "in.csv")
	os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n"), 0o600)
	damaged := reconcileJournal(t)
	raw, _ := os.ReadFile(damaged)
	raw[bytes.IndexByte(raw, '\n')+5] ^= 1
	os.WriteFile(damaged, raw, 0o600)
	vars := map[string]string{"JUHE_KEY": "k", "JUHE_OPENID": "o", "JUHE_BASE_URL": "http://127.0.0.1:1"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"reconcile xlsx", []string{"reconcile", "-journal", xlsx, "-out", filepath.Join(dir, "r.xlsx")}, ExitUsage,
			xlsx + ` is not a flowbatch journal (it starts with "PK\x03\x04`},
		{"status xlsx", []string{"status", "-journal", xlsx}, ExitUsage, "is not a flowbatch journal"},
		{"verify empty", []string{"verify", "-journal", empty}, ExitUsage, "is not a flowbatch journal (it is empty)"},
		{"query xlsx", []string{"query", "-journal", xlsx}, ExitUsage, "is not a flowbatch journal"},
		{"submit xlsx", []string{"submit", "-in", in, "-batch", "B1", "-journal", xlsx}, ExitUsage, "is not a flowbatch journal"},
		{"reconcile damaged", []string{"reconcile", "-journal", damaged, "-out", filepath.Join(dir, "d.xlsx")}, ExitDamaged, "journal damaged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(context.Background(), t, vars, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, tc.code, tc.want, stderr)
			}
			if tc.code == ExitUsage && strings.Contains(stderr, "keep the file for the audit") {
				t.Errorf("a wrong path is told to be kept for the audit:\n%s", stderr)
			}
		})
	}
}

// TestReconcileKeepsTheInputList: reconcile is not told -in, but an -out
// or -csv that already holds the batch's input list (the journal knows its
// sha256) is refused with exit 2 before anything is written. The list was
// overwritten by `reconcile -csv list.csv` after a run on list.csv.
func TestReconcileKeepsTheInputList(t *testing.T) {
	t.Parallel()
	csvList := []byte("phone,pid\n13800000001,10\n13800000002,10\n")
	xlsxList := []byte("PK\x03\x04 an input workbook")
	for _, tc := range []struct {
		name, file string
		list       []byte
		flag       string
	}{
		{"-csv is the csv list", "list.csv", csvList, "-csv"},
		{"-out is the xlsx list", "list.xlsx", xlsxList, "-out"},
		{"-out is a renamed copy of the list", "copy.xlsx", xlsxList, "-out"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			sum := sha256.Sum256(tc.list)
			journalPath := filepath.Join(t.TempDir(), "b.journal")
			ctx := context.Background()
			j, _, err := batch.CreateJournal(ctx, journalPath, journal.Header{BatchID: "B1", ToolVersion: "test"})
			if err != nil {
				t.Fatal(err)
			}
			err = j.Append(ctx,
				&journal.Record{Type: journal.RecInput, At: 1, Input: &journal.InputInfo{Name: filepath.Base(tc.file), SHA256: hex.EncodeToString(sum[:]), Rows: 1, Format: "csv"}},
				&journal.Record{Type: journal.RecRow, At: 1, Row: &journal.RowRecord{Line: 2, Phone: "13800000001", Pid: "10", OrderID: "a1", Occurrence: 1, Status: journal.RowValid}},
				&journal.Record{Type: journal.RecPlanned, At: 1, Planned: &journal.Planned{Rows: 1}})
			j.Close()
			if err != nil {
				t.Fatal(err)
			}
			list := filepath.Join(dir, tc.file)
			if err := os.WriteFile(list, tc.list, 0o600); err != nil {
				t.Fatal(err)
			}
			args := []string{"reconcile", "-journal", journalPath, "-out", filepath.Join(dir, "r.xlsx")}
			if tc.flag == "-out" {
				args = []string{"reconcile", "-journal", journalPath, "-out", list}
			} else {
				args = append(args, "-csv", list)
			}
			files := dirFiles(t, dir)
			_, stderr, code := runCmd(ctx, t, nil, args...)
			if code != ExitUsage || !strings.Contains(stderr, "is the input list of batch B1") {
				t.Errorf("exit %d, want %d saying it is the input list:\n%s", code, ExitUsage, stderr)
			}
			if now, _ := os.ReadFile(list); !bytes.Equal(now, tc.list) {
				t.Errorf("the input list %s was overwritten", list)
			}
			if got := dirFiles(t, dir); !reflect.DeepEqual(got, files) {
				t.Errorf("files %v, want %v", got, files)
			}
		})
	}
}
