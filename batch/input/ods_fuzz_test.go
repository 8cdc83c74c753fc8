package input

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadODS reads arbitrary bytes as an .ods: a zip as it is, anything
// else as the content.xml of an otherwise valid file, so the fuzzer
// reaches the table reader past the CRC. Reading may fail, but never
// panics and never yields a row it should not: rows come in increasing
// order after the header, and a row to submit has a valid phone.
func FuzzReadODS(f *testing.F) {
	for _, s := range fuzzODSSeeds(f) {
		f.Add(s.data)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		if !bytes.HasPrefix(data, []byte("PK")) {
			data = zipParts(t, zip.Store, [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", string(data)}})
		}
		path := filepath.Join(dir, "in.ods")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rows, last := 0, 1
		rep, err := Read(context.Background(), path, Options{BatchID: "F", AllowDuplicates: true, HiddenRows: HiddenInclude}, func(r *journal.RowRecord) error {
			rows++
			if r.Line <= last || r.Line > MaxRows {
				t.Fatalf("row %d after row %d", r.Line, last)
			}
			last = r.Line
			if r.OrderID != "" && (!mainlandMobile.MatchString(r.Phone) || len(r.OrderID) != 32) {
				t.Fatalf("row %d: submitted row %+v", r.Line, r)
			}
			if err := checkRow(append([]string{r.Phone, r.Pid}, r.Extra...), new(int64)); err != nil {
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

// fuzzODSSeeds are the hostile spreadsheets checked in under
// testdata/fuzz/FuzzReadODS (FLOWBATCH_WRITE_SEEDS=1 rewrites them).
func fuzzODSSeeds(tb testing.TB) []fuzzSeed {
	list := odsRow("手机号码", "产品编码") + `<table:table-row><table:table-cell office:value-type="float" office:value="15925601712"/><table:table-cell office:value-type="float" office:value="105000"/></table:table-row>`
	full := odsHead + odsSheet("S", false, list) + odsTail
	parts := func(content string) [][2]string {
		return [][2]string{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", content}}
	}
	valid := zipParts(tb, zip.Store, parts(full))
	return []fuzzSeed{
		{"valid", valid},
		{"valid-deflated", zipParts(tb, zip.Deflate, parts(full))},
		{"crc-flipped", bytes.Replace(bytes.Clone(valid), []byte("15925601712"), []byte("15925601713"), 1)},
		{"truncated", zipParts(tb, zip.Store, parts(full[:len(full)-60]))},
		{"doctype", zipParts(tb, zip.Store, parts(strings.Replace(full, "<office:document-content", `<!DOCTYPE x [<!ENTITY a "15925601712">]><office:document-content`, 1)))},
		{"hidden-sheet", zipParts(tb, zip.Store, parts(odsHead+odsSheet("上月", true, list)+odsSheet("本月", false, list)+odsTail))},
		{"repeats", []byte(odsHead + odsSheet("S", false, list+`<table:table-row table:number-rows-repeated="2000000"><table:table-cell table:number-columns-repeated="99999" office:value-type="float" office:value="13800138000"/></table:table-row>`) + odsTail)},
		{"footer-total", []byte(odsHead + odsSheet("S", false, odsRow("标题")+list+odsRow("合计", "1人")+odsRow("制表")) + odsTail)},
		{"content-xml", []byte(full)},
	}
}

func TestWriteFuzzODSSeeds(t *testing.T) {
	if os.Getenv("FLOWBATCH_WRITE_SEEDS") == "" {
		t.Skip("FLOWBATCH_WRITE_SEEDS=1 rewrites testdata/fuzz/FuzzReadODS")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzReadODS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, s := range fuzzODSSeeds(t) {
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s.data)
		if err := os.WriteFile(filepath.Join(dir, s.name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
