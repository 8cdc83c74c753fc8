package main

import (
	"testing"
)

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"plain.csv": "plain.csv", "my file.csv": "'my file.csv'", "it's": `'it'\''s'`, "": "''", "名单.xlsx": "'名单.xlsx'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
