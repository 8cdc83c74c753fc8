package main

import (
	"path/filepath"
	"slices"
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

func FuzzUploadFileName(f *testing.F) {
	f.Add("../../etc/passwd.csv", ".csv")
	f.Add(`C:\Users\me\12月名单.XLSX`, ".xlsx")
	f.Add("a\x00b\nc\rd\x7f\u202e.csv", ".csv")
	f.Add(strings.Repeat("名", 200)+".ods", ".ods")
	f.Add("CON.csv", ".csv")
	f.Add("...", ".csv")
	f.Add("\xff\xfe.csv", ".csv")
	f.Fuzz(func(t *testing.T, name, ext string) {
		if !slices.Contains(uploadExts, ext) {
			return
		}
		got := uploadFileName(name, ext)
		stem := got[:len(got)-len(ext)]
		switch {
		case strings.ContainsAny(got, "/\\\x00\n\r\u202e\u202d<>:\"|?*"):
			t.Errorf("uploadFileName(%q) = %q keeps a separator, a control or a forbidden character", name, got)
		case !utf8.ValidString(got):
			t.Errorf("uploadFileName(%q) = %q is not UTF-8", name, got)
		case filepath.Base(got) != got || strings.HasPrefix(got, ".") || stem == "" || strings.HasSuffix(stem, ".") || strings.HasSuffix(stem, " "):
			t.Errorf("uploadFileName(%q) = %q is not a plain file name", name, got)
		case !strings.EqualFold(filepath.Ext(got), ext):
			t.Errorf("uploadFileName(%q) = %q does not end in %s", name, got, ext)
		case utf8.RuneCountInString(stem) > 81 || len(stem) > 161:
			t.Errorf("uploadFileName(%q) = %q is too long", name, got)
		case uploadFileName(got, ext) != got:
			t.Errorf("uploadFileName(%q) = %q is not stable", name, got)
		}
	})
}
