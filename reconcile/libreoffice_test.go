package reconcile

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// recalcProfile makes LibreOffice recalculate every OOXML file on load.
const recalcProfile = `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`

var cachedValue = regexp.MustCompile(`(<f>[^<]*</f>)<v>[^<]*</v>`)

// TestLibreOfficeRecalculates zeroes every cached formula value on the
// Summary, lets LibreOffice recalculate the file, and checks it arrives
// at the values flowbatch cached: the formulas are right outside Excel
// and excelize too. It needs soffice on PATH.
func TestLibreOfficeRecalculates(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed (apt-get install libreoffice-calc) or -short")
	}
	book := sampleBook(t)
	dir := t.TempDir()
	langs := []string{"en", "zh"}
	outs := map[string]string{}
	args := []string{"-env:UserInstallation=file://" + filepath.Join(dir, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1", "--outdir", dir}
	for _, lang := range langs {
		outs[lang], _ = writeSample(t, book, lang, 5) // split, so formulas span sheets
		tampered := filepath.Join(dir, "tampered-"+lang+".xlsx")
		if n := zeroCachedValues(t, outs[lang], tampered); n < 20 {
			t.Fatalf("only %d cached formula values found", n)
		}
		args = append(args, tampered)
	}
	if err := os.MkdirAll(filepath.Join(dir, "profile", "user"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile", "user", "registrymodifications.xcu"), []byte(recalcProfile), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	msg, err := exec.CommandContext(ctx, soffice, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	for _, lang := range langs {
		// Recent versions name the file after the sheet, older ones do not.
		csvs, _ := filepath.Glob(filepath.Join(dir, "tampered-"+lang+"*.csv"))
		if len(csvs) != 1 {
			t.Fatalf("LibreOffice wrote %q\n%s", csvs, msg)
		}
		data, err := os.ReadFile(csvs[0])
		if err != nil {
			t.Fatal(err)
		}
		got, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(outs[lang])
		if err != nil {
			t.Fatal(err)
		}
		sheet := f.GetSheetName(0)
		want, _ := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		checked := 0
		for r, row := range want {
			for c, v := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if fm, _ := f.GetCellFormula(sheet, ref); fm == "" {
					continue
				}
				lo := ""
				if r < len(got) && c < len(got[r]) {
					lo = got[r][c]
				}
				if !sameNumber(lo, v) {
					t.Errorf("%s: %s!%s: LibreOffice computes %q, the workbook caches %q", lang, sheet, ref, lo, v)
				}
				checked++
			}
		}
		f.Close()
		t.Logf("%s: %d formulas recalculated by LibreOffice agree with the cached values", lang, checked)
	}
}

// zeroCachedValues copies the xlsx at src to dst with every cached formula
// value on the first sheet replaced by 0, and returns how many.
func zeroCachedValues(t *testing.T, src, dst string) int {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	n := 0
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
		if zf.Name == "xl/worksheets/sheet1.xml" {
			n = len(cachedValue.FindAll(body, -1))
			body = cachedValue.ReplaceAll(body, []byte("$1<v>0</v>"))
			body = []byte(strings.ReplaceAll(string(body), `t="str"`, ``))
		}
		w, err := zw.Create(zf.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return n
}
