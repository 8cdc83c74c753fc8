package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// englishRun is the first run of three or more English words in s, ""
// when none: what a Chinese terminal must not show a person. Chinese
// (and its punctuation) ends a run. Flags (-out), paths and file names
// (a.csv, /tmp/x), quoted values ("fr"), ids and numbers are no words,
// nor is a command line's "flowbatch workspace list", so a hint quoting
// one passes.
func englishRun(s string) string {
	var run []string
	found := ""
	flush := func() {
		if len(run) >= 3 && found == "" {
			found = strings.Join(run, " ")
		}
		run = run[:0]
	}
	command := 0 // words of a command line still to skip
	for _, seg := range strings.FieldsFunc(s, func(r rune) bool { return r > 0x2000 }) {
		flush()
		for _, f := range strings.Fields(seg) {
			w := strings.TrimRight(f, ",;:.!?)")
			switch {
			case w == "flowbatch":
				command = 2
				flush()
				continue
			case command > 0 && commandWords[w]:
				command--
				flush()
				continue
			}
			command = 0
			w = strings.TrimLeft(w, "(")
			if w != "" && englishWordRE.MatchString(w) {
				run = append(run, w)
				continue
			}
			flush()
		}
	}
	flush()
	return found
}

// commandWords are the commands and sub-commands of a command line.
var commandWords = func() map[string]bool {
	m := map[string]bool{"help": true, "list": true, "forget": true}
	for _, c := range commands() {
		m[c.name] = true
	}
	return m
}()

var englishWordRE = regexp.MustCompile(`^[A-Za-z]+$`)

func TestEnglishRun(t *testing.T) {
	for s, want := range map[string]string{
		"flowbatch: run：缺少 -out":                                      "",
		"试试：flowbatch run -in a.csv -batch b -out b.xlsx":             "",
		"试试：flowbatch workspace list":                                 "",
		"check：-prices \"cheap\"：请用 auto、sim、provider 或 none":         "",
		"flowbatch: check: -max-problems must not be negative":        "must not be negative",
		"check：read d: unsupported file type \"\"":                    "read d unsupported file type",
		"submit would send 3 orders":                                  "submit would send",
		"flowbatch: workspace forget: -journal and -why are required": "",
		"flowbatch: callback: -max-body must be positive":             "must be positive",
	} {
		if got := englishRun(s); got != want {
			t.Errorf("englishRun(%q) = %q, want a run like %q", s, got, want)
		}
	}
}

// Every refusal of a bad command line, in Chinese: its message and its
// hint read Chinese, whatever the command. A refusal still in English
// (a usageErr with a format, a hint without a catalogue message) fails
// here with its command line and its words.
func TestEveryRefusalIsChinese(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.csv")
	os.WriteFile(in, []byte("phone,pid\n13900000001,105000\n"), 0o600)
	j := filepath.Join(dir, "b.journal")
	hex := strings.Repeat("a", 64)
	creds := map[string]string{"JUHE_KEY": "k-0123456789", "JUHE_OPENID": "o-0123456789", "JUHE_BASE_URL": "http://127.0.0.1:1"}
	for _, tc := range []struct {
		args []string
		vars map[string]string
	}{
		{[]string{"frobnicate"}, nil},
		{[]string{"check"}, nil},
		{[]string{"check", "-in", in, "-prices", "cheap"}, nil},
		{[]string{"check", "-in", in, "-max-problems", "-1"}, nil},
		{[]string{"check", "-in", in, "-bogus"}, nil},
		{[]string{"check", "-in", in, "-max-problems", "x"}, nil},
		{[]string{"check", "-in", in, "-hidden-rows", "show"}, nil},
		{[]string{"check", "-in", filepath.Join(dir, "nothere.csv")}, nil},
		{[]string{"check", "-in", in, "extra"}, nil},
		{[]string{"submit", "-in", in}, nil},
		{[]string{"submit", "-batch", "b"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-rate", "0"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-workers", "5000"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-resubmit-grace", "0s"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-first-query", "-1s"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-journal", in}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-lang", "fr"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b"}, nil},
		{[]string{"run", "-in", in, "-batch", "b"}, creds},
		{[]string{"run", "-in", in, "-batch", "b", "-out", filepath.Join(dir, "x.csv")}, creds},
		{[]string{"run", "-in", in, "-batch", "b", "-out", filepath.Join(dir, "no", "x.xlsx")}, creds},
		{[]string{"run", "-in", in, "-batch", "b", "-out", dir + ".xlsx", "-csv", in}, creds},
		{[]string{"run", "-in", in, "-batch", "b", "-out", filepath.Join(dir, "x.xlsx"), "-wait", "-1s"}, creds},
		{[]string{"run", "-in", in, "-batch", "b", "-out", filepath.Join(dir, "x.xlsx"), "-retry", "r.txt"}, creds},
		{[]string{"query"}, nil},
		{[]string{"query", "-journal", j, "-rate", "0"}, nil},
		{[]string{"query", "-journal", j, "-wait", "-1s"}, nil},
		{[]string{"reconcile"}, nil},
		{[]string{"reconcile", "-journal", j}, nil},
		{[]string{"reconcile", "-journal", j, "-out", "r.xlsx", "-keep-col", "x"}, nil},
		{[]string{"reconcile", "-journal", j, "-out", "r.xlsx", "-mask", "-retry", "r.csv"}, nil},
		{[]string{"reconcile", "-journal", j, "-out", "r.xlsx", "-lang", "fr"}, nil},
		{[]string{"reconcile", "-journal", in, "-out", filepath.Join(dir, "r.xlsx")}, nil},
		{[]string{"status"}, nil},
		{[]string{"status", "-journal", j}, nil},
		{[]string{"verify"}, nil},
		{[]string{"verify", "-journal", j, "-head", hex}, nil},
		{[]string{"verify", "-journal", j, "-head", "abc", "-records", "1"}, nil},
		{[]string{"verify", "-journal", j, "-attest-hash", "abc"}, nil},
		{[]string{"month"}, nil},
		{[]string{"month", "-month", "2026-11"}, nil},
		{[]string{"month", "-month", "2026-13", "-out", "m.xlsx"}, nil},
		{[]string{"submit", "-in", in, "-batch", "b", "-period", "next month"}, nil},
		{[]string{"month", "-month", "2026-11", "-out", "m.xlsx", "-keep-col", "x"}, nil},
		{[]string{"callback"}, nil},
		{[]string{"callback", "-addr", ":0", "-journal", j, "-max-body", "0"}, nil},
		{[]string{"callback", "-addr", ":0", "-journal", j}, nil},
		{[]string{"sim"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-qps", "-1"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-success-ratio", "2"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-callback-method", "PUT"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-shape-list", "tree"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-ported", "13900000001=moon"}, nil},
		{[]string{"sim", "-key", "k", "-openid", "o", "-callback-interval", "0s"}, nil},
		{[]string{"serve", "-addr", "0.0.0.0:8080"}, nil},
		{[]string{"serve", "-addr", "127.0.0.1:8080", "-max-upload", "0"}, nil},
		{[]string{"serve", "-addr", "nonsense"}, nil},
		{[]string{"serve", "-addr", "127.0.0.1:8080", "-tls-cert", "c.pem"}, nil},
		{[]string{"workspace"}, nil},
		{[]string{"workspace", "forget"}, nil},
		{[]string{"demo", "extra"}, nil},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			vars := map[string]string{"LANG": "zh_CN.UTF-8"}
			for k, v := range tc.vars {
				vars[k] = v
			}
			_, errOut, code := runLang(t, vars, tc.args...)
			if code == ExitOK {
				t.Fatalf("exit 0, want a refusal\n%s", errOut)
			}
			said := refusalOf(errOut)
			if said == "" {
				t.Fatalf("no refusal on stderr:\n%s", errOut)
			}
			if run := englishRun(strings.ReplaceAll(said, dir, "DIR")); run != "" {
				t.Errorf("reads English in zh (%q):\n%s", run, said)
			}
		})
	}
}

// Every command's -h reads Chinese in zh: its text and every flag's help.
func TestHelpIsChinese(t *testing.T) {
	for _, c := range commands() {
		if c.name == "version" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			_, errOut, code := runLang(t, map[string]string{"LANG": "zh_CN.UTF-8"}, c.name, "-h")
			if code != ExitOK {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			for _, line := range strings.Split(errOut, "\n") {
				if run := englishRun(line); run != "" {
					t.Errorf("%s -h reads English in zh (%q): %s", c.name, run, line)
				}
			}
		})
	}
}

// refusalOf is the last "flowbatch: " (in Chinese "flowbatch：") line of
// stderr and what follows it (the hint): the refusal report prints.
func refusalOf(stderr string) string {
	i, p := -1, ""
	for _, prefix := range []string{"flowbatch: ", "flowbatch："} {
		if j := strings.LastIndex(stderr, prefix); j > i {
			i, p = j, prefix
		}
	}
	if i < 0 {
		return ""
	}
	return strings.TrimPrefix(stderr[i:], p)
}

// An error of the file system a person meets wrapped in ours is said
// plainly in Chinese, once for all (errText), and stays Go's own text in
// English; so is where a journal is damaged.
func TestOSErrorsPlainInChinese(t *testing.T) {
	wrap := func(op, path string, errno error) error {
		return fmt.Errorf("read %s: %w", path, &fs.PathError{Op: op, Path: path, Err: errno})
	}
	for _, tc := range []struct {
		err    error
		en, zh string
	}{
		{wrap("open", "nothere.csv", syscall.ENOENT), "read nothere.csv: open nothere.csv: no such file or directory", "找不到文件 nothere.csv"},
		{wrap("open", "gift.csv", syscall.EACCES), "read gift.csv: open gift.csv: permission denied", "没有权限访问 gift.csv"},
		{wrap("read", "list", syscall.EISDIR), "read list: read list: is a directory", "list 是文件夹，不是文件"},
		{wrap("write", "b.journal", syscall.ENOSPC), "read b.journal: write b.journal: no space left on device", "磁盘已满，无法写入 b.journal"},
		{&journal.DamageError{Path: "b.journal", Record: 4, Offset: 932, Why: "checksum mismatch"}, "journal b.journal: record 4 at byte 932: checksum mismatch", "日志 b.journal：第 4 条记录（第 932 字节处）：校验和不符：这条记录被改动过"},
		{&journal.DamageError{Path: "b.journal", Record: 9, Offset: 9, Why: "seq 9 where 8 was expected (a record is missing, moved or repeated)"}, "journal b.journal: record 9 at byte 9: seq 9 where 8 was expected (a record is missing, moved or repeated)", "日志 b.journal：第 9 条记录（第 9 字节处）：序号是 9，应为 8（有记录缺失、被移动或重复）"},
		{errors.New("something else"), "something else", "something else"},
	} {
		for _, l := range []lang{langEN, langZH} {
			want := map[lang]string{langEN: tc.en, langZH: tc.zh}[l]
			if got := errText(l, tc.err); got != want {
				t.Errorf("errText(%s, %v) = %q, want %q", l, tc.err, got, want)
			}
		}
		// As report prints it: after the command, and as a message's argument.
		var b bytes.Buffer
		report(&b, inLang((&exitError{code: ExitError, msg: "check"}).cause(tc.err), langZH))
		if want := "flowbatch：check：" + tc.zh + "\n"; b.String() != want {
			t.Errorf("report: %q, want %q", b.String(), want)
		}
		b.Reset()
		report(&b, inLang(usageErr(msgCmdErr, "month", tc.err), langZH))
		if want := "flowbatch：month：" + tc.zh + "\n"; b.String() != want {
			t.Errorf("report: %q, want %q", b.String(), want)
		}
	}
	// A bare error reaching Run's caller is said in the language too.
	var b bytes.Buffer
	report(&b, inLang(wrap("open", "x.csv", syscall.ENOENT), langZH))
	if b.String() != "flowbatch：找不到文件 x.csv\n" {
		t.Errorf("bare error: %q", b.String())
	}
}

// check's report, a missing input and a handful of refusals, in both
// languages, as a person reads them.
func TestTerminalGoldenCheck(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	os.WriteFile(in, []byte("赠送名单\nphone,pid,部门\n13900000001,105000,财务部\n13000000002,105000,行政部\n13900000003,999999,财务部\n\n合计,3,\n"), 0o600)
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("phone,pid\n13900000001,105000\n13900000001,105000\n"), 0o600)
	for _, l := range []string{"en", "zh"} {
		vars := map[string]string{"LANG": map[string]string{"en": "C.UTF-8", "zh": "zh_CN.UTF-8"}[l]}
		clean := func(s string) string { return strings.ReplaceAll(s, dir, "DIR") }
		t.Run("check."+l, func(t *testing.T) {
			out, errOut, code := runLang(t, vars, "check", "-in", in)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			checkGolden(t, "check."+l, clean(out+errOut))
			if l == "zh" {
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "workspace guard:") {
						continue // the guard's lines are the row words' (issue 13, words)
					}
					if run := englishRun(clean(line)); run != "" {
						t.Errorf("check's report reads English in zh (%q): %s", run, line)
					}
				}
			}
		})
		t.Run("check-refused."+l, func(t *testing.T) {
			out, errOut, code := runLang(t, vars, "check", "-in", bad, "-prices", "none")
			if code != ExitInvalid {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			checkGolden(t, "check-refused."+l, clean(errOut))
		})
		t.Run("check-missing."+l, func(t *testing.T) {
			_, errOut, code := runLang(t, vars, "check", "-in", filepath.Join(dir, "nothere.csv"))
			if code != ExitInvalid {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			checkGolden(t, "check-missing."+l, clean(errOut))
		})
		t.Run("usage."+l, func(t *testing.T) {
			var b strings.Builder
			for _, args := range [][]string{
				{"check"},
				{"check", "-in", in, "-max-problems", "x"},
				{"submit", "-in", in},
				{"run", "-in", in, "-batch", "b", "-out", filepath.Join(dir, "x.csv")},
				{"query", "-journal", "b.journal", "-wait", "-1s"},
				{"reconcile", "-journal", "b.journal", "-out", "r.xlsx", "-keep-col", "x"},
				{"verify", "-journal", "b.journal", "-head", "abc", "-records", "1"},
				{"month", "-month", "2026-11"},
				{"serve", "-addr", "0.0.0.0:8080"},
				{"workspace", "forget"},
			} {
				_, errOut, code := runLang(t, vars, args...)
				fmt.Fprintf(&b, "$ flowbatch %s  (exit %d)\n%s", strings.Join(args, " "), code, refusalOf(errOut))
			}
			checkGolden(t, "usage."+l, clean(b.String()))
		})
	}
}

// One catalogue: the main package prints no English prose of its own
// and refuses with no text outside messages.go. A string literal of three
// or more English words given to fmt.Fprint*, an exitError's msg, or a
// msg literal outside messages.go names its file and line here; so does
// a table of words anywhere else (a [2]string, a map or slice of them or
// of msgs), and, in the console (serve_*.go, cmd_serve.go), English prose
// a page or a plain answer shows (http.Error, forbidden, a message page,
// a page's Error or Message). The lines a script reads (README "Reading
// flowbatch from a script"), and the address lines a script or a test
// reads to find a server, stay.
func TestNoProseOutsideTheCatalogue(t *testing.T) {
	allowed := map[string]bool{
		// What a script reads, in English in every language.
		"ok: %d records, head %s, batch %s\n":                    true,
		"ok: reaches record %d with the attested head %s (%s)\n": true,
		"journal head %s (%d records)\n":                         true,
		// Where a server listens: read by scripts and tests.
		"flowbatch callback: listening on http://%s/ for batch %s (writing %s)\n": true,
		"flowbatch console: open %s://%s/?token=%s\n":                             true,
		"flowbatch sim: serving %s\n":                                             true,
		"按回车键关闭窗口 / Press Enter to close this window":                             true,
		// Bilingual already.
		"403 forbidden (%s): open the link flowbatch serve printed / 请打开 flowbatch serve 启动时打印的链接\n": true,
		// The console's event stream: its protocol, no words.
		"event: end\ndata: {}\n\n": true,
	}
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		offend := func(n ast.Node, what, s string) {
			if !allowed[s] && englishRun(verbless(s)) != "" {
				t.Errorf("%s: %s %q: put it in messages.go (msg{en, zh})", fset.Position(n.Pos()), what, s)
			}
		}
		console := strings.HasPrefix(name, "serve_") || name == "cmd_serve.go"
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.CompositeLit:
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "msg" && name != "messages.go" && len(n.Elts) > 0 {
					t.Errorf("%s: a msg outside messages.go: the catalogue is one file", fset.Position(n.Pos()))
				}
				if name != "messages.go" && n.Type != nil && wordsTableType(n.Type) {
					t.Errorf("%s: a table of words (%s) outside messages.go: the catalogue is one file", fset.Position(n.Pos()), types(n.Type))
				}
				if id, ok := n.Type.(*ast.Ident); ok && id.Name == "exitError" {
					for _, el := range n.Elts {
						if kv, ok := el.(*ast.KeyValueExpr); ok && fmt.Sprint(kv.Key) == "msg" {
							for _, s := range stringLits(kv.Value) {
								offend(kv, "exitError msg", s)
							}
						}
					}
				}
			case *ast.AssignStmt:
				// What a page shows of a request: its error or message.
				for i, lhs := range n.Lhs {
					if sel, ok := lhs.(*ast.SelectorExpr); ok && console && shownField[sel.Sel.Name] && i < len(n.Rhs) {
						for _, s := range stringLits(n.Rhs[i]) {
							offend(n, sel.Sel.Name, s)
						}
					}
				}
			case *ast.CallExpr:
				if fn := callName(n.Fun); console && shownCall[fn] {
					for _, a := range n.Args {
						for _, s := range stringLits(a) {
							offend(a, fn, s)
						}
					}
				}
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || fmt.Sprint(sel.X) != "fmt" || !strings.HasPrefix(sel.Sel.Name, "Fprint") {
					return true
				}
				for _, a := range n.Args {
					for _, s := range stringLits(a) {
						offend(a, "fmt."+sel.Sel.Name, s)
					}
				}
			}
			return true
		})
	}
}

// shownCall are the calls of the console whose text a person reads: a
// plain answer (http.Error, forbidden), a message page, a page's error
// (upload's fail, confirm's again); shownField the fields of a page's
// data that it shows.
var (
	shownCall  = map[string]bool{"http.Error": true, "forbidden": true, "message": true, "render": true, "fail": true, "again": true}
	shownField = map[string]bool{"Error": true, "Message": true, "Remedy": true, "Rate": true, "ETA": true, "Headline": true}
)

func callName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		if x, ok := e.X.(*ast.Ident); ok && x.Name == "http" {
			return "http." + e.Sel.Name
		}
		return e.Sel.Name
	}
	return ""
}

// wordsTableType says whether a literal's type is a table of words: a
// [2]string (a pair of languages), or a map or slice of them or of msgs
// (a msg alone is the rule above's).
func wordsTableType(e ast.Expr) bool {
	var elt ast.Expr
	switch e := e.(type) {
	case *ast.ArrayType:
		if l, ok := e.Len.(*ast.BasicLit); ok && l.Value == "2" && fmt.Sprint(e.Elt) == "string" {
			return true
		}
		elt = e.Elt
	case *ast.MapType:
		elt = e.Value
	default:
		return false
	}
	if id, ok := elt.(*ast.Ident); ok && id.Name == "msg" {
		return true
	}
	return wordsTableType(elt)
}

// types prints a type expression.
func types(e ast.Expr) string {
	var b bytes.Buffer
	printer.Fprint(&b, token.NewFileSet(), e)
	return b.String()
}

// stringLits are the string literals of an expression: itself, or the
// parts of a + concatenation.
func stringLits(e ast.Expr) []string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil && e.Kind == token.STRING {
			return []string{s}
		}
	case *ast.BinaryExpr:
		return append(stringLits(e.X), stringLits(e.Y)...)
	}
	return nil
}

// verbless is a format without its verbs: %s is no word.
func verbless(s string) string { return verbRE.ReplaceAllString(s, " X1 ") }
