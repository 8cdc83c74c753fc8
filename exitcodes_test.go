package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// definedExitCodes reads the Exit* constants of exitcodes.go, in order.
func definedExitCodes(t *testing.T) []int {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "exitcodes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var codes []int
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			v := s.(*ast.ValueSpec)
			for i, name := range v.Names {
				if !strings.HasPrefix(name.Name, "Exit") {
					continue
				}
				lit, ok := v.Values[i].(*ast.BasicLit)
				if !ok {
					t.Fatalf("%s is not a literal code", name.Name)
				}
				n, err := strconv.Atoi(lit.Value)
				if err != nil {
					t.Fatal(err)
				}
				codes = append(codes, n)
			}
		}
	}
	return codes
}

func TestReadmeListsTheExitCodes(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Exit codes\n")
	if !ok {
		t.Fatal("README.md has no \"## Exit codes\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var listed []int
	for _, m := range regexp.MustCompile(`(?m)^\| (\d+) \|`).FindAllStringSubmatch(section, -1) {
		n, _ := strconv.Atoi(m[1])
		listed = append(listed, n)
	}
	defined := definedExitCodes(t)
	if len(defined) == 0 {
		t.Fatal("no Exit* constants in exitcodes.go")
	}
	if !slices.Equal(listed, defined) {
		t.Errorf("README.md's exit-code table lists %v, exitcodes.go defines %v (in this order)", listed, defined)
	}
}
