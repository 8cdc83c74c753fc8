package main

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// zipParts is every part of the zip at path, unzipped.
func zipParts(t *testing.T, path string) map[string][]byte {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return parts
}

// TestReconcileMask runs a real batch against the simulator, then writes
// its masked copy: no phone of the input, no orderid or sporder_id of the
// journal and no name appears in any part of the zip or in the CSV; the
// kept column does; the attestation is held to but not written.
func TestReconcileMask(t *testing.T) {
	t.Parallel()
	_, vars := subSim(t, juhesim.Config{SettleDelay: 20 * time.Millisecond, SuccessRatio: 0.7, Seed: 3})
	dir := t.TempDir()
	share := filepath.Join(dir, "share")
	if err := os.Mkdir(share, 0o700); err != nil {
		t.Fatal(err)
	}
	var in strings.Builder
	in.WriteString("phone,pid,姓名,部门\n")
	var phones, names []string
	for i := 0; i < 30; i++ {
		phone := fmt.Sprintf("139%08d", 12345678+i*7919)
		name := fmt.Sprintf("员工%02d号", i)
		phones, names = append(phones, phone), append(names, name)
		fmt.Fprintf(&in, "%s,105000,%s,%s\n", phone, name, []string{"财务部", "技术部", "销售部"}[i%3])
	}
	in.WriteString("1391234567,105000,无效人,技术部\n") // 10 digits: invalid
	phones, names = append(phones, "1391234567"), append(names, "无效人")
	inPath := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(inPath, []byte(in.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	journal := filepath.Join(dir, "M1.journal")
	unmasked := filepath.Join(dir, "M1.xlsx")
	ctx := context.Background()
	if stdout, stderr, code := runCmd(ctx, t, vars, "run", "-in", inPath, "-batch", "M1", "-journal", journal,
		"-out", unmasked, "-rate", "500", "-wait", "1m", "-skip-invalid"); code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	attest := filepath.Join(dir, "M1.attest.json")
	keptAttest, err := os.ReadFile(attest)
	if err != nil {
		t.Fatal(err)
	}
	book, err := batch.LoadBook(ctx, journal)
	if err != nil {
		t.Fatal(err)
	}
	ids := 0
	secrets := append([]string(nil), phones...)
	book.Orders(func(o *batch.OrderState) error {
		secrets = append(secrets, o.OrderID)
		if o.SporderID != "" {
			secrets = append(secrets, o.SporderID)
			ids++
		}
		return nil
	})
	if ids == 0 {
		t.Fatal("no sporder_id in the journal: the test would not see one leak")
	}
	secrets = append(secrets, names...)

	masked, maskedCSV := filepath.Join(share, "M1.masked.xlsx"), filepath.Join(share, "M1.masked.csv")
	stdout, stderr, code := runJournalCmd("reconcile", "-journal", journal, "-out", masked, "-csv", maskedCSV, "-mask", "-keep-col", "部门")
	if code != ExitOK {
		t.Fatalf("reconcile -mask: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "masked copy: no attestation written") || strings.Contains(stdout, "attestation sha256") {
		t.Errorf("stdout:\n%s", stdout)
	}
	parts := zipParts(t, masked)
	csvData, err := os.ReadFile(maskedCSV)
	if err != nil {
		t.Fatal(err)
	}
	parts["(the CSV)"] = csvData
	for name, data := range parts {
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds %q", name, s)
			}
		}
	}
	var all []byte
	for _, data := range parts {
		all = append(all, data...)
	}
	for _, s := range []string{phones[0][:3] + "****" + phones[0][7:], "财务部", "技术部", "销售部", "脱敏副本"} {
		if !bytes.Contains(all, []byte(s)) {
			t.Errorf("the masked copy lacks %q", s)
		}
	}
	if got := dirFiles(t, share); strings.Join(got, " ") != "M1.masked.csv M1.masked.xlsx" {
		t.Errorf("files in the share directory: %v", got)
	}
	if b, _ := os.ReadFile(attest); !bytes.Equal(b, keptAttest) {
		t.Error("a masked copy changed the attestation")
	}

	// Written again over itself: fine. Over the unmasked workbook: refused.
	if _, stderr, code := runJournalCmd("reconcile", "-journal", journal, "-out", masked, "-csv", maskedCSV, "-mask"); code != ExitOK {
		t.Errorf("masked copy over the masked copy: exit %d\n%s", code, stderr)
	}
	unmaskedCSV := filepath.Join(dir, "M1.csv")
	if _, stderr, code := runJournalCmd("reconcile", "-journal", journal, "-out", filepath.Join(dir, "again.xlsx"), "-csv", unmaskedCSV); code != ExitOK {
		t.Fatalf("reconcile: exit %d\n%s", code, stderr)
	}
	keptCSV, _ := os.ReadFile(unmaskedCSV)
	keptBook, _ := os.ReadFile(unmasked)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"over the unmasked workbook", []string{"-mask", "-out", unmasked}, "not a masked copy"},
		{"over the unmasked CSV", []string{"-mask", "-out", masked, "-csv", unmaskedCSV}, "-csv " + unmaskedCSV + ": the file there is not a masked copy"},
		{"with -retry", []string{"-mask", "-out", masked, "-retry", filepath.Join(share, "r.csv")}, "needs the real phones"},
		{"-keep-col alone", []string{"-out", filepath.Join(share, "x.xlsx"), "-keep-col", "部门"}, "-keep-col is for a masked copy"},
		{"unknown column", []string{"-mask", "-out", filepath.Join(share, "x.xlsx"), "-keep-col", "部门,手机"}, `keep-col "手机": the input has no such column`},
		{"group-by not kept", []string{"-mask", "-out", filepath.Join(share, "x.xlsx"), "-group-by", "姓名"}, "leaves the column out unless it is kept"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runJournalCmd(append([]string{"reconcile", "-journal", journal}, tc.args...)...)
			if code != ExitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want %d saying %q:\n%s", code, ExitUsage, tc.want, stderr)
			}
		})
	}
	if b, _ := os.ReadFile(unmasked); !bytes.Equal(b, keptBook) {
		t.Error("the unmasked workbook changed")
	}
	if b, _ := os.ReadFile(unmaskedCSV); !bytes.Equal(b, keptCSV) {
		t.Error("the unmasked CSV changed")
	}
	if _, err := os.Stat(filepath.Join(share, "x.xlsx")); err == nil {
		t.Error("a refused masked copy was written")
	}

	// A journal cut after its attestation: the masked copy is refused
	// too, though the attestation is beside the journal, not beside it.
	keptMasked, _ := os.ReadFile(masked)
	truncateRecords(t, journal, 3)
	_, stderr, code = runJournalCmd("reconcile", "-journal", journal, "-out", masked, "-mask")
	if code != ExitDamaged || !strings.Contains(stderr, "cut from its end") || !strings.Contains(stderr, attest) {
		t.Errorf("cut journal: exit %d, want %d:\n%s", code, ExitDamaged, stderr)
	}
	if b, _ := os.ReadFile(masked); !bytes.Equal(b, keptMasked) {
		t.Error("the masked copy changed")
	}
}
