package main

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The console's two readers of what a browser sends: the digest a
// confirmation carries back, and the file name shown for an upload.

func FuzzShownChanges(f *testing.F) {
	f.Add("abc|3|def|105000×3|")
	f.Add("||||")
	f.Add("x|notanumber|y|×|×|×\n\n")
	f.Add(strings.Repeat("|", 100))
	now := boundFacts{SHA256: "abc", Rows: 3, RowSum: "def", Pids: map[string]int{"105000": 3}}
	f.Fuzz(func(t *testing.T, shown string) {
		ch := shownChanges(shown, now)
		if shown == now.digest() && len(ch) != 0 {
			t.Errorf("the digest of the facts differs from them: %v", ch)
		}
	})
}

func FuzzDisplayName(f *testing.F) {
	f.Add("../../etc/passwd")
	f.Add(`C:\Users\me\12月名单.xlsx`)
	f.Add("a\x00b\nc\rd\x7f.csv")
	f.Add(strings.Repeat("名", 200))
	f.Fuzz(func(t *testing.T, name string) {
		got := displayName(name)
		if strings.ContainsAny(got, "/\\\x00\n\r\u202e\u202d") {
			t.Errorf("displayName(%q) = %q keeps a separator or a control character", name, got)
		}
		if utf8.ValidString(name) && utf8.RuneCountInString(got) > 80 {
			t.Errorf("displayName(%q) is %d characters", name, utf8.RuneCountInString(got))
		}
	})
}
