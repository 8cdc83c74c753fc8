package main

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// badRowsCSV holds a row of each reason a CSV row can be given.
const badRowsCSV = "phone,pid\n" +
	"13900000001,105000\n" + // 2
	"1390000001,105000\n" + // 3: 10 digits
	",105000\n" + // 4: empty
	"1390000abcd,105000\n" + // 5: letters
	"23900000001,105000\n" + // 6: prefix
	"139#0000001,105000\n" + // 7: a character
	"1.39E+10,105000\n" + // 8: scientific
	"13900000001,105000\n" + // 9: duplicate of 2
	"13900000002,\n" + // 10: missing pid
	"13900000003,10-5000\n" + // 11: pid characters
	"13900000004,123456789012345678901234567890123\n" + // 12: pid too long
	"13900000005,1.5E+0\n" // 13: pid not whole

// problemLines are the problem rows of check's output: what the reader's
// reasons say, apart from the report around them.
func problemLines(out string) string {
	var b strings.Builder
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  row ") || strings.HasPrefix(l, "  第 ") {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

var englishWords = regexp.MustCompile(`[A-Za-z]{2,}`)

// TestTerminalRowsGolden: check of a file with bad rows, a file refused
// whole and a batch the guard refuses, in both languages: each reason in
// Chinese under zh, English as it always was under en.
func TestTerminalRowsGolden(t *testing.T) {
	langs := map[string]map[string]string{"en": {"LANG": "C.UTF-8"}, "zh": {"LANG": "zh_CN.UTF-8"}}
	for _, l := range []string{"en", "zh"} {
		t.Run("bad-rows."+l, func(t *testing.T) {
			in := filepath.Join(t.TempDir(), "bad.csv")
			os.WriteFile(in, []byte(badRowsCSV), 0o600)
			out, errOut, code := runLang(t, langs[l], "check", "-in", in)
			if code != ExitInvalid {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			got := problemLines(out + errOut)
			checkGolden(t, "check-bad-rows."+l, got)
			if l == "zh" {
				// What may stay: the cells as written, and the flags.
				rest := got
				for _, keep := range []string{"-plan-file", "1.39E+10", "1.5E+0", "10-5000", "1390000abcd"} {
					rest = strings.ReplaceAll(rest, keep, "")
				}
				if w := englishWords.FindAllString(rest, -1); len(w) > 0 {
					t.Errorf("the Chinese reasons keep English %q:\n%s", w, got)
				}
			}
		})
	}

	// Files refused whole: no header, not a workbook, bytes before the
	// archive.
	for _, f := range []struct {
		name, file string
		body       []byte
	}{
		{"refused-no-header", "list.csv", []byte("甲,乙\n1,2\n")},
		{"refused-not-zip", "list.xlsx", []byte("this is text, not a workbook")},
		{"refused-prefixed", "list.xlsx", append([]byte("junk"), emptyZip()...)},
	} {
		for _, l := range []string{"en", "zh"} {
			t.Run(f.name+"."+l, func(t *testing.T) {
				in := filepath.Join(t.TempDir(), f.file)
				os.WriteFile(in, f.body, 0o600)
				_, errOut, code := runLang(t, langs[l], "check", "-in", in)
				if code != ExitInvalid {
					t.Fatalf("exit %d\n%s", code, errOut)
				}
				// The reader's words, from the file's name on.
				_, tail, ok := strings.Cut(errOut, f.file)
				if !ok {
					t.Fatalf("the refusal does not name the file:\n%s", errOut)
				}
				checkGolden(t, f.name+"."+l, tail)
			})
		}
	}

	// The guard refuses a second batch of the same people.
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SuccessRatio: 1})
	t.Cleanup(sim.Close)
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n13900000002,105000\n"), 0o600)
	ws := filepath.Join(dir, "workspace")
	vars := map[string]string{"JUHE_KEY": e2eKey, "JUHE_OPENID": e2eOpenID, "JUHE_BASE_URL": sim.URL, "LANG": "C.UTF-8", "FLOWBATCH_WORKSPACE": ws}
	if _, errOut, code := runCmd(t.Context(), t, vars, "submit", "-in", in, "-batch", "first", "-period", "2026-11", "-journal", filepath.Join(dir, "first.journal")); code != ExitOK {
		t.Fatalf("the first batch: exit %d\n%s", code, errOut)
	}
	again := filepath.Join(dir, "again.csv")
	os.WriteFile(again, []byte("phone,pid\n13900000002,105000\n13900000009,105000\n"), 0o600)
	for _, l := range []string{"en", "zh"} {
		for _, cmd := range []string{"check", "submit"} {
			t.Run("guard-"+cmd+"."+l, func(t *testing.T) {
				_, errOut, code := runCmd(t.Context(), t, vars, cmd, "-lang", l, "-in", again, "-batch", "second", "-period", "2026-11", "-journal", filepath.Join(dir, "second.journal"))
				if code != ExitInvalid {
					t.Fatalf("exit %d\n%s", code, errOut)
				}
				prefix := msgErrLine.f(lang(l), cmd)
				_, tail, ok := strings.Cut(errOut, strings.TrimSuffix(prefix, "\n"))
				if !ok {
					t.Fatalf("no refusal:\n%s", errOut)
				}
				tail = strings.ReplaceAll(tail, dir, "DIR")
				tail = strings.ReplaceAll(tail, ws, "WORKSPACE")
				checkGolden(t, "guard-"+cmd+"."+l, tail)
			})
		}
	}
	if n := sim.Ledger().Count; n != 2 {
		t.Errorf("%d charged, want the first batch's 2", n)
	}
}

// emptyZip is a zip archive of one empty entry.
func emptyZip() []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	z.Create("x")
	z.Close()
	return b.Bytes()
}
