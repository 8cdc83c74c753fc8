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
	if want := `2,"13800000001","10",移动全国1G,"o-ok1-p10","Jo-ok1-p10",19.630,`; !strings.HasPrefix(line, want) {
		t.Fatalf("first row %q, want it to start %q", line, want)
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
	for _, cell := range []string{"B2", "E2"} {
		typ, _ := f.GetCellType(sheet, cell)
		v, _ := f.GetCellValue(sheet, cell)
		if typ == excelize.CellTypeNumber || typ == excelize.CellTypeUnset && !strings.HasPrefix(v, "o-") {
			t.Errorf("%s: %q read as type %v, want text", cell, v, typ)
		}
	}
	if typ, _ := f.GetCellType(sheet, "G2"); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
		t.Errorf("the cost G2 became text")
	}
}
