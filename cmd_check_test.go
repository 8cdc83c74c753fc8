package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

func runCheckCmd(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	vars = withWorkspace(t, vars)
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	err := Run(context.Background(), e, append([]string{"check"}, args...))
	code = report(&errb, err)
	return out.String(), errb.String(), code
}

func TestCheckSamples(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string
		stderr []string
	}{
		{"utf8", []string{"-in", "samples/gift-utf8.csv"}, ExitOK,
			[]string{"encoding utf-8", "rows:     40 (40 to submit, 0 invalid, 0 duplicate)", "problems: none", "prices: simulator catalogue — not the provider's", "estimated cost: 636.890 yuan", "submit would send 40 orders; key and OpenID not verified"}, nil},
		{"gbk", []string{"-in", "samples/gift-gbk.csv", "-batch", "B-1"}, ExitOK,
			[]string{"encoding gb18030", "carried:  姓名, 部门, 备注", "China Telecom (电信)", "estimated cost: 352.990 yuan"}, nil},
		{"xlsx", []string{"-in", "samples/gift.xlsx", "-prices", "sim"}, ExitOK,
			[]string{`format:   xlsx, sheet "名单"`, "rows:     30 (30 to submit", "105002  6  × 29.450  = 176.700"}, nil},
		{"title and footer", []string{"-in", "samples/title-footer.xlsx", "-prices", "none"}, ExitOK,
			[]string{`format:   xlsx, sheet "11月福利"`, "rows:     25 (25 to submit", "header:   row 3 (the rows above it are not data)",
				"skipped:  1 blank row inside the list", "  row 30: \"合计\" | \"25人\"\n  row 31: \"制表：王芳\" | \"\" | \"审核：李强\"\n", "total:    row 30 states 25 rows: matches the 25 read"}, nil},
		{"ods written by LibreOffice", []string{"-in", "samples/gift.ods", "-prices", "none"}, ExitOK,
			[]string{`format:   ods, sheet "11月福利"`, "rows:     25 (25 to submit", "header:   row 3", "  row 30: \"合计\" | \"25人\"", "total:    row 30 states 25 rows"}, nil},
		{"instructions sheet first", []string{"-in", "samples/with-instructions.xlsx", "-prices", "none"}, ExitOK,
			[]string{`format:   xlsx, sheet "名单"`, "rows:     15 (15 to submit"}, nil},
		{"no pid column", []string{"-in", "samples/names-phones.csv", "-prices", "none"}, ExitInvalid,
			nil, []string{"no product column", "or -pid PID for every row"}},
		{"no pid column, -pid", []string{"-in", "samples/names-phones.csv", "-pid", "105000", "-prices", "none"}, ExitOK,
			[]string{"rows:     10 (10 to submit", "carried:  姓名, 部门", "105000  10"}, nil},
		{"xls", []string{"-in", "samples/list.xls"}, ExitInvalid, nil, []string{"Excel 97–2003", "Excel: File → Save As", "WPS 表格", "LibreOffice Calc"}},
		{"bad rows", []string{"-in", "samples/bad-rows.csv", "-prices", "none"}, ExitInvalid,
			[]string{"row 3: bad phone: 10 digits", "row 4: missing pid", "row 6: duplicate of row 2", "row 13: bad phone:"},
			[]string{"6 invalid rows and 1 duplicate row", "-skip-invalid", "-allow-duplicates"}},
		{"bad rows, invalid skipped", []string{"-in", "samples/bad-rows.csv", "-skip-invalid"}, ExitInvalid,
			nil, []string{"1 duplicate row", "Try: fix the rows above, or add -allow-duplicates"}},
		{"bad rows, both allowed", []string{"-in", "samples/bad-rows.csv", "-skip-invalid", "-allow-duplicates"}, ExitOK,
			[]string{"submit would send 6 orders; key and OpenID not verified"}, nil},
		{"max problems", []string{"-in", "samples/bad-rows.csv", "-max-problems", "2"}, ExitInvalid,
			[]string{"row 4: missing pid\n  … and 5 more\n"}, nil},
		{"missing -in", nil, ExitUsage, nil, []string{"-in is required", "Try: flowbatch check -in"}},
		{"bad batch", []string{"-in", "samples/gift-utf8.csv", "-batch", "a/b"}, ExitUsage, nil, []string{"-batch"}},
		{"bad prices", []string{"-in", "samples/gift-utf8.csv", "-prices", "cheap"}, ExitUsage, nil, []string{"-prices"}},
		{"no file", []string{"-in", "samples/nope.csv"}, ExitInvalid, nil, []string{"read nope.csv"}},
		{"bad format", []string{"-in", "go.mod"}, ExitInvalid, nil, []string{"supported: .csv, .txt (CSV), .xlsx, .xlsm (Excel) and .ods (LibreOffice)"}},
		{"unknown sheet", []string{"-in", "samples/gift.xlsx", "-sheet", "x"}, ExitInvalid, nil, []string{`no sheet "x"; the sheets are: 名单`}},
		{"help", []string{"-h"}, ExitOK, nil, []string{"Usage: flowbatch check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := runCheckCmd(t, nil, tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
		})
	}
}

func TestCheckProviderPrices(t *testing.T) {
	t.Parallel()
	sim := juhesim.NewServer(juhesim.Config{Key: "k-secret-123", OpenID: "o-secret-456", Products: []juhe.Product{
		{Pid: "105000", Name: "移动1G", Carrier: juhe.CarrierMobile, Price: 20000},
	}})
	defer sim.Close()
	in := filepath.Join(t.TempDir(), "in.csv")
	data := "phone,pid\n15925601712,105000\n13800138000,105000\n18612345678,105000\n13312345678,107000\n"
	if err := os.WriteFile(in, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"JUHE_KEY": "k-secret-123", "JUHE_OPENID": "o-secret-456", "JUHE_BASE_URL": sim.URL}
	stdout, stderr, code := runCheckCmd(t, vars, "-in", in)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, s := range []string{
		"prices: provider (flow/list)",
		"105000  3  × 20.000  = 60.000",
		"107000  1  price unknown",
		"estimated cost: 60.000 yuan, plus rows of pid 107000 (price unknown)",
		"warning: pid 105000 is a China Mobile product, but 1 rows to submit are China Unicom numbers",
	} {
		if !strings.Contains(stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, stdout)
		}
	}

	// A provider that cannot be reached is a note, not a failure.
	vars["JUHE_BASE_URL"] = "http://127.0.0.1:1"
	stdout, stderr, code = runCheckCmd(t, vars, "-in", in, "-prices", "provider")
	if code != ExitOK || !strings.Contains(stdout, "note: no prices:") || !strings.Contains(stdout, "estimated cost: unknown") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, "k-secret-123") || strings.Contains(stdout+stderr, "o-secret-456") {
		t.Fatal("a secret was printed")
	}
}

func TestCheckCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := Run(ctx, &env{stdout: &out, stderr: &out, getenv: func(string) string { return "" }}, []string{"check", "-in", "samples/gift-utf8.csv"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
}

// A hidden sheet is never the list: check reads the visible one and says
// which; -sheet on the hidden one is refused.
func TestCheckHiddenSheet(t *testing.T) {
	t.Parallel()
	f := excelize.NewFile()
	defer f.Close()
	f.SetSheetName("Sheet1", "上月")
	f.SetSheetRow("上月", "A1", &[]any{"手机号码", "产品ID"})
	f.SetSheetRow("上月", "A2", &[]any{13800138000, 105000})
	f.NewSheet("本月")
	f.SetSheetRow("本月", "A1", &[]any{"手机号码", "产品ID"})
	f.SetSheetRow("本月", "A2", &[]any{15925601712, 105000})
	f.SetSheetRow("本月", "A3", &[]any{18612345678, 106000})
	f.SetActiveSheet(1)
	if err := f.SetSheetVisible("上月", false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "two.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCheckCmd(t, nil, "-in", path, "-prices", "none")
	if code != ExitOK || !strings.Contains(stdout, `format:   xlsx, sheet "本月"`) || !strings.Contains(stdout, "rows:     2 (2 to submit") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	_, stderr, code = runCheckCmd(t, nil, "-in", path, "-sheet", "上月")
	if code != ExitInvalid || !strings.Contains(stderr, `sheet "上月" is hidden`) {
		t.Fatalf("-sheet on a hidden sheet: exit %d\n%s", code, stderr)
	}
}
