package workspace

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var updateGuardWords = flag.Bool("update-guard-words", false, "rewrite testdata/guard_words.*.golden")

// everyFinding is a refusal holding a finding of every kind, with every
// optional part, and a pass with the rows let through.
func everyFinding() []Findings {
	o := Other{BatchID: "2026-11", Journal: "/ws/2026-11.journal", Period: "2026-11", InputName: "list.xlsx",
		User: "clerk", Host: "pc1", Records: 42, Head: "0123456789abcdef0123", LastSeen: time.Date(2026, 11, 3, 4, 5, 0, 0, time.UTC)}
	derived := o
	derived.PeriodDerived = true
	rows := []RowHit{{Phone: "15925601712", Line: 3, OtherLine: 7, OtherSent: true}, {Phone: "15925601713", Line: 4, OtherLine: 8}}
	var many []RowHit
	for i := 0; i < 12; i++ {
		many = append(many, RowHit{Phone: "1592560171" + string(rune('0'+i%10)), OtherLine: int64(i + 2), OtherSent: true, OtherUncharged: i%2 == 0})
	}
	one := []RowHit{{Phone: "15925601714", OtherLine: 9, OtherUncharged: true}}
	return []Findings{
		{Workspace: "/ws", Batch: "2026-12", Period: "2026-12", Compared: 3, IndexRebuilt: true, List: []Finding{
			{Kind: KindClash, Other: o, Why: "2026_11"},
			{Kind: KindElsewhere, Other: o},
			{Kind: KindSameInput, Other: o, Count: 5, Sent: 3},
			{Kind: KindRegift, Other: derived, Rows: rows, Count: 2, Sent: 1},
			{Kind: KindRegift, Other: o, Rows: many, Count: 12, Sent: 12},
			{Kind: KindMissing, Other: o},
			{Kind: KindCut, Other: Other{Journal: "/ws/x.journal"}, Why: "it holds 10 records, the index remembers 12"},
			{Kind: KindDamaged, Other: o, Why: "record 3: checksum mismatch"},
			{Kind: KindUncharged, Other: o, Rows: one, Count: 1, Allowed: true},
		}},
		{Workspace: "/ws", Batch: "2026-12b", Period: "2026-12", Compared: 1, List: []Finding{
			{Kind: KindSameInput, Other: Other{BatchID: "a", Journal: "/ws/a.journal"}, Count: 1, Sent: 1, Allowed: true},
			{Kind: KindRegift, Other: o, Rows: one, Count: 1, Sent: 0, Allowed: true},
			{Kind: KindUncharged, Other: o, Rows: many, Count: 12, Allowed: true},
		}},
	}
}

// TestGuardWords pins the guard's lines in both languages: the English
// as the guard always wrote them (scripts and tests read them), the
// Chinese with no English word left but the flags, paths and ids.
func TestGuardWords(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		var b strings.Builder
		for _, f := range everyFinding() {
			b.WriteString(strings.Join(f.LinesIn(lang), "\n") + "\n\n")
		}
		path := filepath.Join("testdata", "guard_words."+lang+".golden")
		if *updateGuardWords {
			if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if b.String() != string(want) {
			t.Errorf("%s lines differ from %s (-update-guard-words rewrites it):\n%s", lang, path, b.String())
		}
	}
	for _, f := range everyFinding() {
		if strings.Join(f.Lines(), "\n") != f.String() || f.String() != strings.Join(f.LinesIn("en"), "\n") {
			t.Error("Lines, String and LinesIn(en) disagree")
		}
		for i, zh := range f.LinesIn("zh") {
			if zh == f.LinesIn("en")[i] {
				t.Errorf("line %d not translated: %q", i, zh)
			}
			if w := englishIn(zh); len(w) > 0 {
				t.Errorf("%q keeps English %q", zh, w)
			}
		}
	}
}

var englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)

// englishIn is the English words of s once what a person types or a
// journal names (flags, commands, paths, ids, times) is taken out.
func englishIn(s string) []string {
	cut := []string{"-allow-regift", "-batch", "-journal", "flowbatch verify", "/ws/2026-11.journal", "/ws/x.journal", "/ws/a.journal", "/ws",
		"list.xlsx", "clerk@pc1", "UTC", "0123456789ab", "it holds 10 records, the index remembers 12", "record 3: checksum mismatch", "2026_11", "2026-12b"}
	sort.Slice(cut, func(i, j int) bool { return len(cut[i]) > len(cut[j]) })
	for _, c := range cut {
		s = strings.ReplaceAll(s, c, "")
	}
	return englishWord.FindAllString(s, -1)
}
