package main

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// Every note the engine, the settler and the callback server write has
// its Chinese, with the same verbs in the same order: the formats their
// packages list (batch.Notes, callback.Notes), and every format a Logf
// call in those packages or in this one is given, which must be a named
// note, never a literal a translation could miss.
func TestEveryNoteIsTranslated(t *testing.T) {
	formats := slices.Concat(batch.Notes, callback.Notes, []string{noteImportFailed, noteImported})
	for _, dir := range []string{"batch", filepath.Join("batch", "callback"), "."} {
		formats = append(formats, logfFormats(t, dir)...)
	}
	if len(formats) < 24 {
		t.Fatalf("found %d note formats; is the parser missing Logf calls?", len(formats))
	}
	for _, f := range formats {
		m, ok := noteByFormat[f]
		switch {
		case !ok:
			t.Errorf("note %q has no Chinese: add it to noteMsgs in messages.go", f)
		case m.zh == "":
			t.Errorf("note %q: empty Chinese", f)
		case !slices.Equal(verbs(m.en), verbs(m.zh)):
			t.Errorf("note verbs differ: %q %v, %q %v", m.en, verbs(m.en), m.zh, verbs(m.zh))
		}
	}
}

// logfFormats are the formats the Logf calls of the package in dir are
// given (a call of x.Logf, or of a func named logf): each must name a
// string constant of that package, or an exported one of batch or
// callback.
func logfFormats(t *testing.T, dir string) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	consts := map[string]string{}
	for _, p := range batch.Notes {
		consts["batch."+constName(t, "batch", p)] = p
	}
	for _, p := range callback.Notes {
		consts["callback."+constName(t, filepath.Join("batch", "callback"), p)] = p
	}
	var calls []*ast.CallExpr
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.ValueSpec:
					for i, name := range n.Names {
						if i < len(n.Values) {
							if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								consts[name.Name], _ = strconv.Unquote(lit.Value)
							}
						}
					}
				case *ast.CallExpr:
					if isLogf(n.Fun) && len(n.Args) > 0 {
						calls = append(calls, n)
					}
				}
				return true
			})
		}
	}
	var out []string
	for _, c := range calls {
		name := ""
		switch a := c.Args[0].(type) {
		case *ast.Ident:
			name = a.Name
		case *ast.SelectorExpr:
			name = fmtNode(a)
		}
		f, ok := consts[name]
		if !ok {
			t.Errorf("%s: a Logf format that is no named note (%s): name it beside its package's Notes", fset.Position(c.Pos()), fmtNode(c.Args[0]))
			continue
		}
		out = append(out, f)
	}
	return out
}

func isLogf(fun ast.Expr) bool {
	switch f := fun.(type) {
	case *ast.SelectorExpr:
		return f.Sel.Name == "Logf"
	case *ast.Ident:
		return f.Name == "logf"
	}
	return false
}

func fmtNode(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return fmtNode(e.X) + "." + e.Sel.Name
	case *ast.BasicLit:
		return e.Value
	}
	return "an expression"
}

// constName is the name of the string constant of the package in dir
// whose value is v.
func constName(t *testing.T, dir, v string) string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, dir, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range pkgs {
		for _, f := range pkg.Files {
			for _, d := range f.Decls {
				g, ok := d.(*ast.GenDecl)
				if !ok || g.Tok != token.CONST {
					continue
				}
				for _, s := range g.Specs {
					vs := s.(*ast.ValueSpec)
					for i, name := range vs.Names {
						if i < len(vs.Values) {
							if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
								if u, _ := strconv.Unquote(lit.Value); u == v {
									return name.Name
								}
							}
						}
					}
				}
			}
		}
	}
	t.Fatalf("%s: no constant %q", dir, v)
	return ""
}

// The notes' lines: Chinese, with the Chinese colon, in a zh terminal;
// in English byte for byte what they were ("flowbatch: " and the
// package's format); a format not in the catalogue prints in English.
func TestNoteLines(t *testing.T) {
	for _, c := range []struct {
		l      lang
		format string
		args   []any
		want   string
	}{
		{langEN, batch.NoteStillUnknown, []any{"1,204", "b-1", 3},
			"flowbatch: row 1,204: order b-1: still no answer after 3 queries; it stays unknown and is queried again while settling\n"},
		{langZH, batch.NoteStillUnknown, []any{"1,204", "b-1", 3},
			"flowbatch：第 1,204 行：订单 b-1：查询 3 次仍没有应答；它仍是未知，结算时会再次查询\n"},
		{langEN, noteImported, []any{count{1, nounCallback}}, "flowbatch: imported 1 callback from the callback server\n"},
		{langEN, noteImported, []any{count{2, nounCallback}}, "flowbatch: imported 2 callbacks from the callback server\n"},
		{langZH, noteImported, []any{count{2, nounCallback}}, "flowbatch：已从回调服务导入 2 个回调\n"},
		{langZH, "something new: %d", []any{7}, "flowbatch：something new: 7\n"},
	} {
		var b bytes.Buffer
		logTo(&b, c.l)(c.format, c.args...)
		if b.String() != c.want {
			t.Errorf("%s %q:\n got %q\nwant %q", c.l, c.format, b.String(), c.want)
		}
	}
}

// A zh submit against a provider that answers about other orders: the
// engine's note that the order stays open reads Chinese.
func TestNotesInChinese(t *testing.T) {
	t.Parallel()
	_, vars := subSim(t, juhesim.Config{SettleDelay: -1, Faults: juhesim.Faults{Foreign: 1}})
	dir := t.TempDir()
	in := subCSV(t, dir, 1)
	_, errOut, code := runCmd(context.Background(), t, vars, "submit", "-lang", "zh", "-in", in, "-batch", "lie",
		"-journal", filepath.Join(dir, "lie.journal"), "-period", "2026-11")
	if code != ExitOpen {
		t.Fatalf("submit: exit %d, want %d\n%s", code, ExitOpen, errOut)
	}
	var note string
	for _, l := range strings.Split(errOut, "\n") {
		if strings.Contains(l, "会再次查询") {
			note = l
		}
	}
	if !strings.HasPrefix(note, "flowbatch：第 2 行：订单 ") {
		t.Fatalf("no Chinese note that the order stays open:\n%s", errOut)
	}
	if strings.Contains(errOut, "stays open") || strings.Contains(errOut, "flowbatch: row") {
		t.Errorf("an English note in a zh terminal:\n%s", errOut)
	}
}
