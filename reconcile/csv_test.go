package reconcile

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/xuri/excelize/v2"
)

// csvProbe is a row of text a spreadsheet would take for something else:
// a phone, a 32-digit orderid (a number rounded to 15 digits), an orderid
// of digits and an e (a number in scientific notation), a pid with a
// leading zero, a date, a formula, a sign.
var csvProbe = []string{"13800138000", "12345678901234567890123456789012", "1234e567", "0105", "2026-11-30", "=1+1", "-5", "张三"}

// The text columns open as text in LibreOffice, whether its import takes
// quoted fields as text or not (its default, as a double click does in
// Excel): quoting alone does not do it, the leading TAB does. soffice
// converts the CSV to xlsx, and the cell types are read from that.
func TestCSVOpensTextAsText(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed (apt-get install libreoffice-calc) or -short")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "probe.csv")
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	w.WriteString("\ufeff")
	header := make([]string, len(csvProbe))
	quoted := make([]bool, len(csvProbe))
	for i := range header {
		header[i], quoted[i] = "c"+string(rune('a'+i)), true
	}
	writeCSVRecord(w, header, nil)
	writeCSVRecord(w, csvProbe, quoted)
	w.Flush()
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	// 44,34,76,1: comma, double quote, UTF-8, from line 1; the 7th token
	// is "Format quoted field as text".
	for _, filter := range []string{"CSV:44,34,76,1,,0,false", "CSV:44,34,76,1,,0,true"} {
		t.Run(filter, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(filter, ",", "_"))
			cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
				"--infilter="+filter, "--convert-to", "xlsx", "--outdir", out, path)
			if msg, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("soffice: %v\n%s", err, msg)
			}
			f, err := excelize.OpenFile(filepath.Join(out, "probe.xlsx"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			sheet := f.GetSheetName(0)
			for i, want := range csvProbe {
				cell, _ := excelize.CoordinatesToCellName(i+1, 2)
				typ, _ := f.GetCellType(sheet, cell)
				formula, _ := f.GetCellFormula(sheet, cell)
				v, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString || formula != "" || strings.TrimLeft(v, "\t") != want {
					t.Errorf("%s %q: type %v, formula %q, value %q: want the text", cell, want, typ, formula, v)
				}
			}
		})
	}
}

// The CSV holds the workbook's values, a TAB before the text that a
// spreadsheet would take for a number; the input reader reads it back,
// phones and pids as they were.
func TestCSVReadsBack(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		_, s := writeSample(t, sampleBook(t), lang, 0)
		data, err := os.ReadFile(s.CSVPath)
		if err != nil {
			t.Fatal(err)
		}
		line := strings.Split(string(data), "\r\n")[1]
		for _, want := range []string{"2,\"\t13800000001\",", ",\"\t10\",", `,"o-ok1-p10","Jo-ok1-p10",`, `,19.630,`, `,"张三","财务部"`} {
			if !strings.Contains(line, want) {
				t.Errorf("%s: first row %q lacks %q", lang, line, want)
			}
		}
		if bytes.Contains(data, []byte(`="`)) {
			t.Errorf("%s: the CSV holds a formula", lang)
		}
		phones := map[string]bool{}
		_, err = input.Read(context.Background(), s.CSVPath, input.Options{BatchID: "x", AllowDuplicates: true}, func(r *journal.RowRecord) error {
			if r.Status != journal.RowInvalid && (strings.ContainsRune(r.Phone, '\t') || strings.ContainsRune(r.Pid, '\t')) {
				t.Errorf("%s: row %d read as %q %q", lang, r.Line, r.Phone, r.Pid)
			}
			phones[r.Phone] = true
			return nil
		})
		if err != nil {
			t.Fatalf("%s: the input reader refuses the CSV: %v", lang, err)
		}
		if !phones["13800000001"] || !phones["13800000004"] {
			t.Errorf("%s: phones read back %v", lang, phones)
		}
	}
}
