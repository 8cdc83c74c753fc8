package input

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// FuzzReadCSV feeds arbitrary bytes after a valid header as a CSV file.
// Reading may fail, but never panics, never reports a row before line 2,
// and every row it would submit has a valid phone and a 32-character orderid.
func FuzzReadCSV(f *testing.F) {
	for _, s := range []string{
		"15925601712,105000,x\n",
		"\n\n13800138000,105000\n13800138000,105000\n",
		"\"1592\n5601712\",105000\n",
		"bad\"quote,1\n",
		"+86 159-2560-1712,1.05E5,\xD5\xC5\xCE\xB0\n",
		"1.5925601712E10,105000,\xff\xfe\n",
		",,,,\n,\n",
		"15925601712,105000,\"a\r\nb\"\r\n\r\n1592560171,1,x\n",
		"1.38001380E+10,105000\n1.5925601712E+10,105000\n",
	} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, body []byte) {
		path := filepath.Join(dir, "in.csv")
		if err := os.WriteFile(path, append([]byte("phone,pid,name\n"), body...), 0o600); err != nil {
			t.Fatal(err)
		}
		rows, last := 0, 1
		rep, err := Read(context.Background(), path, Options{BatchID: "F", AllowDuplicates: true}, func(r *journal.RowRecord) error {
			rows++
			if r.Line <= last {
				t.Fatalf("row %d after row %d", r.Line, last)
			}
			last = r.Line
			if (r.Status == journal.RowValid || r.Status == journal.RowDuplicate) != (r.OrderID != "") {
				t.Fatalf("line %d: status %s with orderid %q", r.Line, r.Status, r.OrderID)
			}
			if r.OrderID != "" {
				if !mainlandMobile.MatchString(r.Phone) || len(r.OrderID) != 32 || r.Occurrence < 1 {
					t.Fatalf("line %d: submitted row %+v", r.Line, r)
				}
			}
			return nil
		})
		if err != nil {
			return
		}
		if rep.Info.Rows != rows || rep.Valid+len(rep.Invalid) != rows {
			t.Fatalf("report %d rows, %d valid, %d invalid; fn saw %d", rep.Info.Rows, rep.Valid, len(rep.Invalid), rows)
		}
		for _, p := range append(rep.Invalid, rep.Duplicates...) {
			if p.Line < 2 {
				t.Fatalf("problem at line %d: %s", p.Line, p.Reason)
			}
		}
	})
}

// FuzzReadXLSX feeds arbitrary bytes as a workbook; bytes that do not
// start like a zip ("PK") are taken as a sheet's XML (or its rows) and
// put into an otherwise valid workbook, so the fuzzer reaches the sheet
// reader past the CRC. Reading may fail, but never panics and never
// yields a row it should not: rows come in increasing order after the
// header, and a row to submit has a valid phone.
func FuzzReadXLSX(f *testing.F) {
	for _, s := range fuzzXLSXSeeds(f) {
		f.Add(s.data)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("PK")) {
			data = zipParts(t, zip.Store, xlsxParts(listSST, testSheet{name: "S", body: string(data)}))
		}
		path := filepath.Join(dir, "in.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rows, last := 0, 1
		rep, err := Read(context.Background(), path, Options{BatchID: "F", AllowDuplicates: true}, func(r *journal.RowRecord) error {
			rows++
			if r.Line <= last || r.Line > MaxRows {
				t.Fatalf("row %d after row %d", r.Line, last)
			}
			last = r.Line
			if r.OrderID != "" && (!mainlandMobile.MatchString(r.Phone) || len(r.OrderID) != 32) {
				t.Fatalf("row %d: submitted row %+v", r.Line, r)
			}
			var text int64
			if err := checkRow(append([]string{r.Phone, r.Pid}, r.Extra...), &text); err != nil {
				t.Fatalf("row %d passed the limits: %v", r.Line, err)
			}
			return nil
		})
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error")
			}
			return
		}
		if rep.Info.Rows != rows || rep.Valid+len(rep.Invalid) != rows || rep.Info.Sheet == "" {
			t.Fatalf("report %+v, %d valid, %d invalid; fn saw %d", rep.Info, rep.Valid, len(rep.Invalid), rows)
		}
	})
}

type fuzzSeed struct {
	name string
	data []byte
}

// fuzzXLSXSeeds are the hostile workbooks checked in under
// testdata/fuzz/FuzzReadXLSX (FLOWBATCH_WRITE_SEEDS=1 rewrites them).
func fuzzXLSXSeeds(tb testing.TB) []fuzzSeed {
	good := xlsxParts(listSST, testSheet{name: "S", body: listRows})
	valid := zipParts(tb, zip.Store, good)
	flipped := bytes.Replace(bytes.Clone(valid), []byte("15925601712"), []byte("15925601713"), 1)
	full := sheetXML(listRows)
	truncated := make([][2]string, len(good))
	copy(truncated, good)
	doctype := make([][2]string, len(good))
	copy(doctype, good)
	for i, p := range good {
		if p[0] == "xl/worksheets/sheet1.xml" {
			truncated[i][1] = full[:len(full)-40]
			doctype[i][1] = strings.Replace(full, "<worksheet", `<!DOCTYPE worksheet [<!ENTITY x "15925601712">]><worksheet`, 1)
		}
	}
	return []fuzzSeed{
		{"valid", valid},
		{"valid-deflated", zipParts(tb, zip.Deflate, good)},
		{"crc-flipped", flipped},
		{"truncated-sheet", zipParts(tb, zip.Store, truncated)},
		{"doctype", zipParts(tb, zip.Store, doctype)},
		{"hidden-sheet", zipParts(tb, zip.Store, xlsxParts(listSST, testSheet{"上月", "hidden", listRows}, testSheet{"本月", "", listRows}))},
		{"rows-xml", []byte(listRows + `<row r="5"><c r="A5" t="inlineStr"><is><t>1.38001380E+10</t></is></c><c r="B5" t="str"><f>1</f><v>105000</v></c></row>`)},
		{"sheet-xml", []byte(full)},
	}
}

func TestWriteFuzzXLSXSeeds(t *testing.T) {
	if os.Getenv("FLOWBATCH_WRITE_SEEDS") == "" {
		t.Skip("FLOWBATCH_WRITE_SEEDS=1 rewrites testdata/fuzz/FuzzReadXLSX")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadXLSX")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range fuzzXLSXSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data)
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
