package reconcile

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

func TestMaskPhone(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"13800138000", "138****8000"},
		{"1380000000x", "138***0000x"},
		{"138 0013 8000", "138 **** 8000"},
		{"+86 138 0013 8000", "+86 1** **** 8000"}, // the first 3 digits, whatever they are
		{"1234567", "*******"},
		{"x", "x"},
		{"１３８００１３８０００", "１３８****８０００"},
		{"", ""},
	} {
		if got := maskPhone(tc.in); got != tc.want {
			t.Errorf("maskPhone(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestMaskText(t *testing.T) {
	id := input.OrderID("B1", "13800138000", "10", 1)
	for _, tc := range []struct{ in, want string }{
		{"duplicate of row 12", "duplicate of row 12"},
		{"手机号码13800138000不支持该产品", "手机号码138****8000不支持该产品"},
		{"bad phone: 1380013800 has 10 digits", "bad phone: ********** has 10 digits"},
		{`names sporder_id "F22070512362939019255270", the order's is "F2207"`, `names sporder_id "********", the order's is "F2207"`},
		{"which is order " + id + "'s", "which is order ********'s"},
		{"timeout after 10s (code 210508)", "timeout after 10s (code 210508)"},
		{"查询成功", "查询成功"},
	} {
		if got := maskText(tc.in); got != tc.want {
			t.Errorf("maskText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMaskedTablesKeepLetters: the masked tables leave out only the
// identifying columns, and every other column keeps its index, so the
// formulas and estimates that name ordersAt and ordersLetter hold.
func TestMaskedTablesKeepLetters(t *testing.T) {
	check := func(name string, full, masked [numColumns]int, dropped ...column) {
		for c := column(0); c < numColumns; c++ {
			isDropped := false
			for _, d := range dropped {
				isDropped = isDropped || c == d
			}
			switch {
			case isDropped && masked[c] >= 0:
				t.Errorf("%s: column %d is in the masked table", name, c)
			case !isDropped && masked[c] != full[c]:
				t.Errorf("%s: column %d is at %d masked, %d unmasked: move the dropped columns to the end", name, c, masked[c], full[c])
			}
		}
	}
	check("Orders", ordersAt, maskedOrdersTable.positions(), colOrderID, colSporderID)
	check("Exceptions", exceptionsAt, maskedExceptionsTable.positions(), colOrderID)
}

func writeMasked(t *testing.T, book *batch.Book, lang string, keep ...string) (string, string) {
	t.Helper()
	dir := t.TempDir()
	out, csvPath := filepath.Join(dir, "masked.xlsx"), filepath.Join(dir, "masked.csv")
	if _, err := Write(context.Background(), book, out, Options{Lang: lang, Now: fixedNow, CSV: csvPath,
		Mask: &MaskOptions{KeepCols: keep}}); err != nil {
		t.Fatal(err)
	}
	return out, csvPath
}

func TestMaskedWorkbookGolden(t *testing.T) {
	book := sampleBook(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			out, csvPath := writeMasked(t, book, lang, "部门")
			csvData, err := os.ReadFile(csvPath)
			if err != nil {
				t.Fatal(err)
			}
			got := dumpWorkbook(t, out, book) + "\n== CSV\n" + string(csvData)
			golden := filepath.Join("testdata", "sample.masked."+lang+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("workbook differs from %s (go test -update rewrites it):\n%s", golden, diff(string(want), got))
			}
			out2, _ := writeMasked(t, book, lang, "部门")
			if again := dumpWorkbook(t, out2, book); !strings.HasPrefix(got, again) {
				t.Errorf("a second run differs:\n%s", diff(got, again))
			}
		})
	}
}

// leakyBook has real orderids and provider-shaped sporder_ids, phones
// quoted in reasons, a conflict naming another order's sporder_id and
// orderid, and names in an extra column.
func leakyBook(t *testing.T) (*batch.Book, []string, []string) {
	b := newJournal(t, "B-leak")
	phones := []string{"13912345678", "13987654321", "15011112222", "18633334444"}
	var ids, sporders []string
	var rows []*journal.RowRecord
	for i, ph := range phones {
		id := input.OrderID("B-leak", ph, "10", 1)
		ids = append(ids, id)
		sporders = append(sporders, fmt.Sprintf("F2611300930%013d", 9000000000000+int64(i)))
		rows = append(rows, valid(i+2, ph, "10", id, "姓名"+string(rune('甲'+i)), "财务部"))
	}
	rows = append(rows, &journal.RowRecord{Line: 6, Phone: "1391234567", Pid: "10", Status: journal.RowInvalid,
		Reason: "bad phone: 10 digits", Extra: []string{"无效人", "技术部"}})
	b.input("gifts.csv", []string{"姓名", "部门"}, rows...)
	for i, id := range ids {
		b.intent(id)
		reason := "提交成功"
		code := 0
		if i == 2 {
			reason, code = "手机号码"+phones[i]+"不支持该产品", 210502
		}
		class := juhe.ClassAccepted
		if code != 0 {
			class = juhe.ClassRejected
		}
		b.add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: class, Code: code, Reason: reason, SporderID: sporders[i], Cost: 19630, HasCost: code == 0}}})
	}
	// Order 1's query names order 0's sporder_id: a conflict that quotes both.
	b.add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: ids[1], Class: juhe.ClassAccepted, Reason: "查询成功", SporderID: sporders[0], Cost: 19630, HasCost: true}, State: juhe.StateSuccess}})
	b.query(ids[0], juhe.StateSuccess, 19630)
	return b.book(), phones, append(ids, sporders...)
}

// zipText is every part of the workbook at path, unzipped.
func zipText(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	parts := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		parts[zf.Name] = string(b)
	}
	return parts
}

// TestMaskedCopyLeaksNothing: no phone of the input whole, no orderid or
// sporder_id, and no value of a dropped column, in any part of the zip
// (sharedStrings too) or in the CSV; kept columns are there, and the
// Summary says the copy is masked.
func TestMaskedCopyLeaksNothing(t *testing.T) {
	book, phones, ids := leakyBook(t)
	// The unmasked workbook holds them all: the test sees what it looks for.
	dir := t.TempDir()
	if _, err := Write(context.Background(), book, filepath.Join(dir, "plain.xlsx"), Options{Lang: "en", Now: fixedNow}); err != nil {
		t.Fatal(err)
	}
	plain := strings.Join(mapValues(zipText(t, filepath.Join(dir, "plain.xlsx"))), "\n")
	secrets := append(append([]string{"1391234567"}, phones...), ids...)
	for _, s := range append(secrets, "姓名甲", "无效人") {
		if !strings.Contains(plain, s) {
			t.Fatalf("the unmasked workbook lacks %q: the test does not see what it looks for", s)
		}
	}

	for _, lang := range []string{"en", "zh"} {
		out, csvPath := writeMasked(t, book, lang, "部门")
		parts := zipText(t, out)
		csvData, err := os.ReadFile(csvPath)
		if err != nil {
			t.Fatal(err)
		}
		parts["(csv)"] = string(csvData)
		for name, text := range parts {
			for _, s := range append(secrets, "姓名甲", "姓名乙", "姓名丙", "姓名丁", "无效人") {
				if strings.Contains(text, s) {
					t.Errorf("%s: part %s holds %q", lang, name, s)
				}
			}
		}
		all := strings.Join(mapValues(parts), "\n")
		for _, s := range []string{"139****5678", "186****4444", "财务部", "技术部", "MASKED COPY", "脱敏副本"} {
			if !strings.Contains(all, s) {
				t.Errorf("%s: the masked copy lacks %q", lang, s)
			}
		}
		if ok, err := IsMaskedCopy(out); !ok || err != nil {
			t.Errorf("%s: IsMaskedCopy = %v, %v", lang, ok, err)
		}
		if ok, err := IsMaskedCopy(filepath.Join(dir, "plain.xlsx")); ok || err != nil {
			t.Errorf("IsMaskedCopy of the unmasked workbook = %v, %v", ok, err)
		}
		if _, err := os.Stat(AttestationPath(out, "B-leak")); err == nil {
			t.Errorf("%s: a masked copy wrote an attestation", lang)
		}
	}
}

func mapValues(m map[string]string) []string {
	var vs []string
	for _, v := range m {
		vs = append(vs, v)
	}
	return vs
}

func TestMaskRefusals(t *testing.T) {
	book := sampleBook(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		name string
		opts Options
		want any
	}{
		{"unknown keep-col", Options{Mask: &MaskOptions{KeepCols: []string{"phone"}}}, new(*KeepColError)},
		{"group-by not kept", Options{GroupBy: "姓名", Mask: &MaskOptions{KeepCols: []string{"部门"}}}, new(*GroupByError)},
		{"attested", Options{Attest: true, Mask: &MaskOptions{}}, nil},
		{"retry", Options{Retry: filepath.Join(dir, "retry.csv"), Mask: &MaskOptions{}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "m.xlsx")
			_, err := Write(context.Background(), book, out, tc.opts)
			if err == nil {
				t.Fatal("written")
			}
			if tc.want != nil && !errors.As(err, tc.want) {
				t.Errorf("err %v, want %T", err, tc.want)
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("the workbook was written")
			}
		})
	}
	// The default department column is left out of a masked copy unless kept.
	out, _ := writeMasked(t, book, "en")
	if all := strings.Join(mapValues(zipText(t, out)), "\n"); strings.Contains(all, "财务部") || strings.Contains(all, "By 部门") {
		t.Error("a department column not kept is in the masked copy")
	}
}

// FuzzMask: whatever a reason or a phone cell holds, no run of 7 digits
// survives maskText, and no more than 7 digits survive maskPhone.
func FuzzMask(f *testing.F) {
	for _, s := range []string{"13800138000", "手机号码13800138000不支持", "F22070512362939019255270", "1.5925601712E10",
		"names sporder_id \"F2207051236293901925527\", which is order 0123456789abcdef0123456789abcdef's", "１３８００１３８０００", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := maskText(s)
		run := 0
		for _, r := range m {
			if unicode.IsDigit(r) {
				if run++; run >= 7 {
					t.Fatalf("maskText(%q) = %q keeps a run of 7 digits", s, m)
				}
			} else {
				run = 0
			}
		}
		n := 0
		for _, r := range maskPhone(s) {
			if unicode.IsDigit(r) {
				n++
			}
		}
		if n > 7 {
			t.Fatalf("maskPhone(%q) = %q keeps %d digits", s, maskPhone(s), n)
		}
	})
}
