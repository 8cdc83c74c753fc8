package main

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

// writeDeptPhones writes a CSV of China Mobile rows 1390000NNNN with a
// department column.
func writeDeptPhones(t *testing.T, path string, from, to int) {
	t.Helper()
	var b strings.Builder
	b.WriteString("phone,pid,部门\n")
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "1390000%04d,105000,%s\n", i, []string{"财务部", "技术部", "销售部"}[i%3])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
}

// The acceptance of issue 14's month, with the real binary and the
// simulator's ledger: three batches of one workspace (one with
// -allow-regift over another's phones, one of another period over the
// same phones) roll up into one workbook whose totals are the sum of the
// batch workbooks and the provider's ledger for the month to the 厘;
// every repeat is listed, intended or not; the masked copy holds no
// phone whole in any part of its zip; and a journal cut by whole records
// after its attestation fails verify -attest and month (exit 7), which
// still writes the workbook and lists it.
func TestMonthRollsUpTheWorkspace(t *testing.T) {
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: -1, SuccessRatio: 0.8, Seed: 14})
	defer sim.Close()
	dir := t.TempDir()
	month := time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01")
	run := func(from, to int, id string, extra ...string) {
		t.Helper()
		in := filepath.Join(dir, id+".csv")
		writeDeptPhones(t, in, from, to)
		os.MkdirAll(filepath.Join(dir, id), 0o700)
		args := append([]string{"run", "-in", in, "-batch", id, "-out", filepath.Join(dir, id, id+".xlsx"), "-lang", "en",
			"-rate", "200", "-wait", "1m"}, extra...)
		if r := runProc(t, bin, sim.URL, 0, args...); r.code != ExitOK {
			t.Fatalf("run %s: exit %d\n%s", id, r.code, joinOutput(r))
		}
	}
	run(0, 20, "gift-a")
	run(15, 25, "gift-b", "-allow-regift") // 15–19 again, on purpose
	// A charge no batch made (a leaked key's): the month's Provider sheet
	// lists it, unexplained, from the statement gift-c pulls at its end.
	leak, err := sim.Charge(juhesim.ChargeRequest{Phone: "13712345671", Pid: "105000", OrderID: "LEAKED00000000000000000000000001"})
	if err != nil {
		t.Fatal(err)
	}
	run(0, 3, "gift-c", "-period", "2027-01") // 0–2 again, in another period: not intended
	batches := []string{"gift-a", "gift-b", "gift-c"}

	// run attested every journal, and the workspace index keeps it.
	index, err := os.ReadFile(filepath.Join(testWorkspace(t), "index.json"))
	if err != nil || strings.Count(string(index), `"attested"`) != 3 {
		t.Errorf("the workspace index does not keep the 3 attested heads: %v\n%s", err, index)
	}

	out := filepath.Join(dir, month+".audit.xlsx")
	r := runProc(t, bin, sim.URL, 0, "month", "-month", month, "-out", out, "-lang", "en")
	if r.code != ExitOK {
		t.Fatalf("month: exit %d\n%s", r.code, joinOutput(r))
	}

	// The ledger of the month: what the provider kept (success), and
	// refunded (failed).
	var ledgerSpend, ledgerRefunded juhe.Money
	for _, o := range sim.Ledger().Orders {
		if o.OrderID == leak.OrderID || o.ChargedAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01") != month {
			continue
		}
		switch o.State {
		case juhe.StateSuccess:
			ledgerSpend += o.Cost
		case juhe.StateFailed:
			ledgerRefunded += o.Cost
		}
	}
	var batchSpend, batchRefunded juhe.Money
	for _, id := range batches {
		_, _, s := readWorkbook(t, filepath.Join(dir, id, id+".xlsx"))
		batchSpend += yuanCell(t, summaryValue(t, s, "spend"))
		batchRefunded += yuanCell(t, summaryValue(t, s, "refunded_amount"))
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items := map[string]string{}
	rows, _ := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	var batchRows int
	for _, row := range rows {
		if len(row) >= 2 {
			items[row[0]] = row[1]
		}
		if len(row) > 0 && strings.HasPrefix(row[0], "gift-") {
			batchRows++
			if len(row) < 15 || row[14] != "yes" {
				t.Errorf("batch %s is not shown attested: %q", row[0], row)
			}
		}
	}
	monthSpend := yuanCell(t, summaryValue(t, items, "spend"))
	monthRefunded := yuanCell(t, summaryValue(t, items, "refunded_amount"))
	if monthSpend != batchSpend || monthSpend != ledgerSpend || monthSpend == 0 {
		t.Errorf("spend: month %s, batch workbooks %s, ledger %s", monthSpend, batchSpend, ledgerSpend)
	}
	if monthRefunded != batchRefunded || monthRefunded != ledgerRefunded {
		t.Errorf("refunded: month %s, batch workbooks %s, ledger %s", monthRefunded, batchRefunded, ledgerRefunded)
	}
	if batchRows != 3 {
		t.Errorf("%d batches on the Summary, want 3", batchRows)
	}

	// The provider's statement, matched against every journal of the
	// month: the leaked charge, and nothing else, is unexplained.
	if !strings.Contains(r.stdout, "DISAGREES") {
		t.Errorf("month does not say the statement disagrees:\n%s", r.stdout)
	}
	prov, _ := f.GetRows("Provider")
	if len(prov) != 2 || !strings.Contains(strings.Join(prov[1], " "), "unexplained_at_provider") || !strings.Contains(strings.Join(prov[1], " "), "13712345671") {
		t.Errorf("Provider sheet = %q, want the leaked charge alone", prov)
	}

	// Repeats: 15–19 in gift-a and gift-b (intended), 0–2 in gift-a and
	// gift-c (not); a (phone, pid) row and a phone row each, for every
	// phone the ledger shows kept (not refunded) twice.
	kept := map[string]int{}
	for _, o := range sim.Ledger().Orders {
		if o.State != juhe.StateFailed {
			kept[o.Phone]++
		}
	}
	want := map[string]string{}
	for i := 0; i < 25; i++ {
		p := fmt.Sprintf("1390000%04d", i)
		if kept[p] >= 2 {
			want[p] = map[bool]string{true: "intended", false: "NOT intended"}[i >= 15]
		}
	}
	if len(want) < 2 {
		t.Fatalf("the seed left only %d repeats to check", len(want))
	}
	reps, _ := f.GetRows("Repeats")
	got := map[string]int{}
	for _, row := range reps[1:] {
		if len(row) < 7 {
			t.Fatalf("repeat row %q", row)
		}
		if !strings.HasPrefix(row[6], want[row[1]]) || want[row[1]] == "" {
			t.Errorf("repeat %q: want %q", row, want[row[1]])
		}
		got[row[1]]++
	}
	for p := range want {
		if got[p] != 2 {
			t.Errorf("phone %s: %d repeat rows, want 2 (phone+pid, phone)", p, got[p])
		}
	}

	// The masked copy: no input phone whole in any part.
	masked := filepath.Join(dir, month+".masked.xlsx")
	if r := runProc(t, bin, sim.URL, 0, "month", "-month", month, "-mask", "-keep-col", "部门", "-out", masked); r.code != ExitOK {
		t.Fatalf("month -mask: exit %d\n%s", r.code, joinOutput(r))
	}
	assertNoPhoneInZip(t, masked, 0, 25)

	// A journal cut by whole records after its attestation.
	journalA := filepath.Join(testWorkspace(t), "gift-a.journal")
	truncateRecords(t, journalA, 2)
	attestA := filepath.Join(dir, "gift-a", "gift-a.attest.json")
	if r := runProc(t, bin, sim.URL, 0, "verify", "-journal", journalA, "-attest", attestA); r.code != ExitDamaged {
		t.Errorf("verify -attest of a cut journal: exit %d, want %d\n%s", r.code, ExitDamaged, joinOutput(r))
	}
	out2 := filepath.Join(dir, month+".after-cut.xlsx")
	r = runProc(t, bin, sim.URL, 0, "month", "-month", month, "-out", out2, "-lang", "en")
	if r.code != ExitDamaged || !strings.Contains(r.stderr, "gift-a.journal") {
		t.Fatalf("month over a cut journal: exit %d, want %d\n%s", r.code, ExitDamaged, joinOutput(r))
	}
	g, err := excelize.OpenFile(out2)
	if err != nil {
		t.Fatalf("month over a cut journal wrote no workbook: %v", err)
	}
	defer g.Close()
	rows, _ = g.GetRows("Summary")
	screen := ""
	for _, row := range rows[:12] {
		screen += strings.Join(row, " ") + "\n"
	}
	if !strings.Contains(screen, "1 journal(s) FAILED verification") || !strings.Contains(screen, "gift-a.journal") {
		t.Errorf("the first screen does not list the cut journal:\n%s", screen)
	}
}

// assertNoPhoneInZip reads every part of a workbook and fails on any
// phone 1390000NNNN, from <= NNNN < to, written whole.
func assertNoPhoneInZip(t *testing.T, path string, from, to int) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		for i := from; i < to; i++ {
			if p := fmt.Sprintf("1390000%04d", i); strings.Contains(string(body), p) {
				t.Errorf("%s: part %s holds phone %s", path, zf.Name, p)
			}
		}
	}
}
