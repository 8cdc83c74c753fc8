package reconcile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// The CSV holds the values as they are (no ="…", no tab), with the text
// columns quoted; LibreOffice told to take quoted fields as text opens
// the phones and orderids as text, not as 1.38E+10.
func TestCSVKeepsPhonesAndOrderIDsText(t *testing.T) {
	_, s := writeSample(t, sampleBook(t), "en", 0)
	data, err := os.ReadFile(s.CSVPath)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Split(string(data), "\r\n")[1]
	for _, want := range []string{`2,"13800000001",`, `,"10",`, `,"o-ok1-p10","Jo-ok1-p10",`, `,19.630,`, `,"张三","财务部"`} {
		if !strings.Contains(line, want) {
			t.Errorf("first row %q lacks %q", line, want)
		}
	}
	col := func(c column) string {
		for i, f := range ordersTable {
			if f.col == c {
				name, _ := excelize.CoordinatesToCellName(i+1, 2)
				return name
			}
		}
		t.Fatalf("no column %d", c)
		return ""
	}
	if bytes.Contains(data, []byte(`="`)) || bytes.Contains(data, []byte("\t")) {
		t.Fatal("the CSV holds a value changed for Excel")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed or -short")
	}
	dir := t.TempDir()
	// 44,34,76,1: comma, double quote, UTF-8, from line 1; the 7th token
	// is "Format quoted field as text".
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless",
		"--infilter=CSV:44,34,76,1,,0,true", "--convert-to", "xlsx", "--outdir", dir, s.CSVPath)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	f, err := excelize.OpenFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(s.CSVPath), ".csv")+".xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	for _, cell := range []string{col(colPhone), col(colOrderID)} {
		typ, _ := f.GetCellType(sheet, cell)
		v, _ := f.GetCellValue(sheet, cell)
		if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && !strings.HasPrefix(v, "o-") {
			t.Errorf("%s: %q read as type %v, want text", cell, v, typ)
		}
	}
	if typ, _ := f.GetCellType(sheet, col(colCost)); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the cost became text")
	}
}
