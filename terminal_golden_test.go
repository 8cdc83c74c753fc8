package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

var updateTerminal = flag.Bool("update-terminal", false, "rewrite testdata/terminal/*.golden (review the diff)")

// checkGolden compares got with testdata/terminal/name.golden.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "terminal", name+".golden")
	if *updateTerminal {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update-terminal to write it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}

// runLang runs a command line with the locale vars, as main does.
func runLang(t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCmd(context.Background(), t, vars, args...)
}

// The main messages in both languages: help, a command's -h, a refusal,
// the halts, the summaries. What a script reads is pinned apart
// (TestScriptOutputIsEnglishInEveryLanguage).
func TestTerminalGolden(t *testing.T) {
	zh := map[string]string{"LANG": "zh_CN.UTF-8"}
	en := map[string]string{"LANG": "C.UTF-8"}
	for _, tc := range []struct {
		name string
		vars map[string]string
		args []string
		code int
	}{
		{"help.en", en, []string{"help"}, ExitOK},
		{"help.zh", zh, []string{"help"}, ExitOK},
		{"status-h.en", en, []string{"status", "-h"}, ExitOK},
		{"status-h.zh", en, []string{"status", "-lang", "zh", "-h"}, ExitOK},
		{"submit-h.zh", zh, []string{"submit", "-h"}, ExitOK},
		{"unknown.zh", zh, []string{"frobnicate"}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runLang(t, tc.vars, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, errOut)
			}
			checkGolden(t, tc.name, strings.ReplaceAll(out+errOut, testWorkspace(t), "WORKSPACE"))
		})
	}

	// A refusal: an input with bad rows; nothing is sent (the provider
	// is an address nothing listens on).
	for _, l := range []string{"en", "zh"} {
		t.Run("refusal."+l, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "gift.csv")
			os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n1390000,105000\n13900000001,105000\n"), 0o600)
			vars := map[string]string{"JUHE_KEY": "k-0123456789", "JUHE_OPENID": "o-0123456789", "JUHE_BASE_URL": "http://127.0.0.1:1"}
			_, errOut, code := runLang(t, vars, "submit", "-lang", l, "-in", in, "-batch", "g1")
			if code != ExitInvalid {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			checkGolden(t, "refusal."+l, errOut)
		})
	}

	// The halts, as report prints them.
	pre := preflight{reply: juhe.Reply{Endpoint: "ofpay/mobile/yue", Status: juhe.ReplyRefused, Code: 10001, Reason: "错误的请求KEY"}}
	pre.balance.Credentials = juhe.CredsKeyRefused
	wrongKey := &batch.HaltError{Line: 2, OrderID: "O1", Code: 10001, Reason: "wrong key", Advice: "fix JUHE_KEY, then run the same command again", NothingCharged: true}
	balance := &batch.HaltError{Line: 12, OrderID: "O9", Code: 210505, Reason: "balance insufficient", Advice: "top up, then run the same command again"}
	for _, h := range []struct {
		name string
		err  error
	}{
		{"halt-wrong-key-before", pre.credentialsErr("run")},
		{"halt-wrong-key", haltErr("submit", wrongKey)},
		{"halt-balance", haltErr("run", balance)},
		{"short-balance", func() error {
			p := preflight{reply: juhe.Reply{Status: juhe.ReplyOK}}
			p.balance.Money = 58890
			return p.shortBalanceErr("submit", 196300, 10, false)
		}()},
	} {
		for _, l := range []lang{langEN, langZH} {
			t.Run(h.name+"."+string(l), func(t *testing.T) {
				var b bytes.Buffer
				code := report(&b, inLang(h.err, l))
				if code != ExitHalted {
					t.Errorf("exit %d, want %d", code, ExitHalted)
				}
				checkGolden(t, h.name+"."+string(l), b.String())
			})
		}
	}

	// The summaries.
	path := writeSmallJournal(t)
	book, err := batch.LoadBook(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	res := batch.Result{Totals: book.Counts(), Submits: 1, Queries: 1, Duration: 1200 * time.Millisecond}
	s := &reconcile.Summary{Path: "b.xlsx", BatchID: "B7", InputRows: 2, ByStatus: res.Totals.ByStatus, ControlOK: true,
		Spend: res.Totals.Spend, HeadHash: book.HeadHash, Records: book.Records, AttestPath: "B7.attest.json", AttestSHA256: strings.Repeat("a", 64)}
	for _, l := range []lang{langEN, langZH} {
		t.Run("summary."+string(l), func(t *testing.T) {
			var b bytes.Buffer
			printBatchSummary(&b, l, "run", book, res)
			printWorkbookSummary(&b, l, s)
			got := strings.ReplaceAll(strings.ReplaceAll(b.String(), book.HeadHash, "HEAD"), path, "JOURNAL")
			checkGolden(t, "summary."+string(l), got)
		})
		t.Run("status."+string(l), func(t *testing.T) {
			out, errOut, code := runLang(t, nil, "status", "-lang", string(l), "-journal", path)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := strings.ReplaceAll(strings.ReplaceAll(out, book.HeadHash, "HEAD"), testWorkspace(t), "WORKSPACE")
			checkGolden(t, "status."+string(l), got)
		})
	}
}

// What a script reads is the same in both languages: exit codes, status
// -json, verify -json (on failure too), and verify's "ok:" lines.
func TestScriptOutputIsEnglishInEveryLanguage(t *testing.T) {
	path := writeSmallJournal(t)
	book, err := batch.LoadBook(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.journal")
	raw, _ := os.ReadFile(path)
	os.WriteFile(cut, bytes.Replace(raw, []byte("15925601712"), []byte("15925601713"), 1), 0o600)
	for _, tc := range []struct {
		name string
		args []string
		code int
	}{
		{"status.json", []string{"status", "-json", "-journal", path}, ExitOK},
		{"verify.json", []string{"verify", "-json", "-journal", path, "-head", book.HeadHash, "-records", "8"}, ExitOK},
		{"verify-damaged.json", []string{"verify", "-json", "-journal", cut}, ExitDamaged},
		{"verify.txt", []string{"verify", "-journal", path}, ExitOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var first string
			for _, vars := range []map[string]string{{"LANG": "C"}, {"LANG": "zh_CN.UTF-8"}, {"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}} {
				out, _, code := runLang(t, vars, tc.args...)
				if code != tc.code {
					t.Errorf("%v: exit %d, want %d", vars, code, tc.code)
				}
				if first == "" {
					first = out
				} else if out != first {
					t.Errorf("%v: stdout differs from LANG=C:\n%s\nvs\n%s", vars, out, first)
				}
			}
			got := strings.ReplaceAll(strings.ReplaceAll(first, book.HeadHash, "HEAD"), cut, "CUT")
			checkGolden(t, tc.name, got)
		})
	}
}

func TestTermLang(t *testing.T) {
	for _, tc := range []struct {
		args []string
		vars map[string]string
		want lang
	}{
		{nil, nil, langEN},
		{nil, map[string]string{"LANG": "zh_CN.UTF-8"}, langZH},
		{nil, map[string]string{"LANG": "zh_TW"}, langZH},
		{nil, map[string]string{"LANG": "C.UTF-8"}, langEN},
		{nil, map[string]string{"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, langZH},
		{nil, map[string]string{"LC_ALL": "C", "LC_MESSAGES": "zh_CN.UTF-8"}, langEN},
		{nil, map[string]string{"LC_ALL": "zh_CN.GB18030", "LANG": "C"}, langZH},
		{[]string{"status", "-lang", "en"}, map[string]string{"LANG": "zh_CN.UTF-8"}, langEN},
		{[]string{"status", "-lang=zh"}, nil, langZH},
		{[]string{"status", "--lang", "zh"}, nil, langZH},
		{[]string{"-lang", "zh", "status"}, nil, langZH},
		{[]string{"workspace", "forget", "--", "-lang", "zh"}, nil, langEN},
		{[]string{"status", "-lang", "fr"}, map[string]string{"LANG": "zh_CN"}, langZH},
	} {
		if got := termLang(tc.args, func(k string) string { return tc.vars[k] }); got != tc.want {
			t.Errorf("termLang(%q, %v) = %s, want %s", tc.args, tc.vars, got, tc.want)
		}
	}
}

// catalogueMsgs reads every msg literal of messages.go: {"en", "zh"}.
func catalogueMsgs(t *testing.T) [][2]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "messages.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]string
	ast.Inspect(f, func(n ast.Node) bool {
		cl, ok := n.(*ast.CompositeLit)
		if !ok || len(cl.Elts) != 2 {
			return true
		}
		if id, ok := cl.Type.(*ast.Ident); cl.Type != nil && (!ok || id.Name != "msg") {
			return true
		}
		var pair [2]string
		for i, el := range cl.Elts {
			lit, ok := el.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatal(err)
			}
			pair[i] = s
		}
		out = append(out, pair)
		return true
	})
	return out
}

var verbRE = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z%]`)

// verbs lists the argument verbs of a format in argument order: an
// indexed verb (%[2]s) takes its place by its index.
func verbs(format string) []string {
	var out []string
	next := 1
	byIndex := map[int]string{}
	for _, m := range verbRE.FindAllStringSubmatch(format, -1) {
		v := m[0]
		if strings.HasSuffix(v, "%") && len(v) == 2 {
			continue
		}
		n := next
		if m[1] != "" {
			n, _ = strconv.Atoi(strings.Trim(m[1], "[]"))
			v = strings.Replace(v, m[1], "", 1)
		}
		byIndex[n] = v[len(v)-1:]
		next = n + 1
	}
	for i := 1; i <= len(byIndex); i++ {
		out = append(out, byIndex[i])
	}
	return out
}

// Every message has its Chinese, and both take the same arguments.
func TestCatalogueVerbsAgree(t *testing.T) {
	ms := catalogueMsgs(t)
	if len(ms) < 50 {
		t.Fatalf("found %d messages in messages.go; is the parser missing them?", len(ms))
	}
	for _, m := range ms {
		if m[1] == "" {
			t.Errorf("no Chinese for %q", m[0])
			continue
		}
		if e, z := verbs(m[0]), verbs(m[1]); !slices.Equal(e, z) {
			t.Errorf("verbs differ: %q %v, %q %v", m[0], e, m[1], z)
		}
	}
}

// Every halt code of juhe/codes.go has its Chinese words.
func TestEveryHaltCodeIsTranslated(t *testing.T) {
	for _, c := range juhe.Codes() {
		if c.Submit != juhe.ClassHalt {
			continue
		}
		if _, ok := haltWords[c.Code]; !ok {
			t.Errorf("code %d (%s) halts, and haltWords has no Chinese for it", c.Code, c.Why)
		}
	}
}

// The README's Chinese exit-code table lists the same codes, in order,
// and its state table names every state in both languages, the Chinese
// being the workbook's word.
func TestReadmeTablesInBothLanguages(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## 退出码\n")
	if !ok {
		t.Fatal("README.md has no \"## 退出码\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		listed = append(listed, n)
	}
	if defined := definedExitCodes(t); !slices.Equal(listed, defined) {
		t.Errorf("README.md's 退出码 table lists %v, exitcodes.go defines %v (in this order)", listed, defined)
	}
	_, states, ok := strings.Cut(string(readme), "\n## Order states\n")
	if !ok {
		t.Fatal("README.md has no \"## Order states\" section")
	}
	states, _, _ = strings.Cut(states, "\n## ")
	for _, s := range batch.Statuses {
		final, zhFinal := "no", "否"
		if s.Final() {
			final, zhFinal = "yes", "是"
		}
		row := fmt.Sprintf("| `%s` | %s | %s | %s |", s, reconcile.StateName("zh", s), final, zhFinal)
		if !strings.Contains(states, row) {
			t.Errorf("README.md's state table lacks a row starting %q", row)
		}
	}
}

// The wrong-key halt as a person meets it: the balance endpoint does not
// answer (so nothing was proved before), and every submit is answered
// 10001. Its first line is the one thing to do, and it says that nothing
// was charged, in both languages.
func TestWrongKeyHaltSaysNothingWasCharged(t *testing.T) {
	var submits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/flow/onlineorder":
			submits.Add(1)
			fmt.Fprint(w, `{"error_code":10001,"reason":"错误的请求KEY","result":null}`)
		case "/flow/ordersta":
			fmt.Fprint(w, `{"error_code":10001,"reason":"错误的请求KEY","result":null}`)
		default: // the balance and the catalogue: an outage, proving nothing
			w.WriteHeader(http.StatusBadGateway)
			fmt.Fprint(w, "<html>502 Bad Gateway</html>")
		}
	}))
	defer srv.Close()
	for _, tc := range []struct {
		l           string
		first, said string
	}{
		{"en", "flowbatch: submit: halted: fix JUHE_KEY, then run the same command again: wrong key (10001)", "Nothing was charged"},
		{"zh", "flowbatch：submit：已停止：改正 JUHE_KEY，然后再次运行同一命令：KEY 错误（10001）", "没有扣费"},
	} {
		t.Run(tc.l, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "gift.csv")
			var b strings.Builder
			b.WriteString("phone,pid\n")
			for i := range 40 {
				fmt.Fprintf(&b, "1390000%04d,105000\n", i)
			}
			os.WriteFile(in, []byte(b.String()), 0o600)
			vars := map[string]string{"JUHE_KEY": "wrong-key-0123456789", "JUHE_OPENID": "openid-0123456789", "JUHE_BASE_URL": srv.URL}
			_, errOut, code := runLang(t, vars, "submit", "-lang", tc.l, "-in", in, "-batch", "wk", "-journal", filepath.Join(dir, "wk.journal"), "-workers", "4")
			if code != ExitHalted {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			// The halt is the last thing said: its first line first.
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) < 2 || lines[len(lines)-2] != tc.first || !strings.Contains(lines[len(lines)-1], tc.said) {
				t.Errorf("the halt does not open with what to do, or does not say nothing was charged:\n%s", errOut)
			}
			t.Logf("%d submits reached the provider; stderr:\n%s", submits.Load(), errOut)
		})
	}
}
