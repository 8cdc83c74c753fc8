package main

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// codeTableMarkdown renders juhe's code table for operators. README.md must
// carry exactly this table, so the two cannot drift apart.
func codeTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| code | provider text | on submit | on query | why |\n|---|---|---|---|---|\n")
	for _, c := range juhe.Codes() {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s |\n", c.Code, c.Text, c.Submit, c.Query, c.Why)
	}
	return b.String()
}

func TestReadmeCarriesTheCodeTable(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := codeTableMarkdown()
	if !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not carry juhe's code table; replace it with:\n%s", want)
	}
}

func TestReadmeOpensWithDemoAndTest(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	head := string(readme)
	if len(head) > 400 {
		head = head[:400]
	}
	for _, cmd := range []string{"make demo", "make test"} {
		if !strings.Contains(head, cmd) {
			t.Errorf("README.md does not open with %q", cmd)
		}
	}
}
