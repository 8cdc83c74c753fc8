package workspace

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRegiftRoundTrip: what RegiftedList writes (the header setting and
// a resume's side note alike) Regifts reads back, phone by phone or the
// whole file; what was not let through is not.
func TestRegiftRoundTrip(t *testing.T) {
	found := Findings{List: []Finding{
		{Kind: KindRegift, Allowed: true, Other: Other{BatchID: "nov-a"},
			Rows: []RowHit{{Phone: "13800000010", Line: 2}, {Phone: "13800000011", Line: 7}}},
		{Kind: KindRegift, Other: Other{BatchID: "nov-c"}, Rows: []RowHit{{Phone: "13800000099", Line: 3}}}, // refused
		{Kind: KindUncharged, Allowed: true, Other: Other{BatchID: "nov-d"}, Rows: []RowHit{{Phone: "13800000098", Line: 4}}},
	}}
	list := RegiftedList(found)
	if list != "2:13800000010@nov-a,7:13800000011@nov-a" {
		t.Fatalf("RegiftedList = %q", list)
	}
	var r Regifts
	r.Add(list)
	for phone, want := range map[string]bool{"13800000010": true, "13800000011": true, "13800000099": false, "13800000098": false} {
		if r.Has(phone) != want {
			t.Errorf("Has(%s) = %v, want %v", phone, !want, want)
		}
	}
	same := RegiftedList(Findings{List: []Finding{{Kind: KindSameInput, Allowed: true, Other: Other{BatchID: "nov-a"}}}})
	var all Regifts
	all.Add(same)
	if same != "file@nov-a" || !all.Has("13900000000") {
		t.Errorf("a same file let through: %q, %+v", same, all)
	}

	// A resume's notes: one line each, a torn last line and notes of
	// another kind are not lists.
	path := RegiftPath(filepath.Join(t.TempDir(), "b.journal"))
	for _, l := range []string{list, "file@nov-b"} {
		if err := AppendSideNote(path, SideNote{Kind: SideNoteRegift, Batch: "nov-x", Regift: l}); err != nil {
			t.Fatal(err)
		}
	}
	if err := AppendSideNote(path, SideNote{Kind: "balance", Batch: "nov-x", Balance: "1.000"}); err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"kind":"allow-regift","regifted":"9:1380`)
	f.Close()
	if got := SideRegifts(path); !slices.Equal(got, []string{list, "file@nov-b"}) {
		t.Errorf("SideRegifts = %q", got)
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), `"os_user"`) && !strings.Contains(string(b), `"host"`) {
		t.Errorf("a side note does not say who: %s", b)
	}
	if got := SideRegifts(path + ".missing"); got != nil {
		t.Errorf("a missing file: %q", got)
	}
}

// FuzzRegifts: any list reads without a panic, and a phone is let
// through only if the list names it or a whole file.
func FuzzRegifts(f *testing.F) {
	for _, s := range []string{"", "2:13800000010@nov-a", "file@nov-a", "2:1@a,,@,:@,file", "::@@", "2:138@a,3:139@b,file@c"} {
		f.Add(s, "138")
	}
	f.Fuzz(func(t *testing.T, list, phone string) {
		var r Regifts
		r.Add(list)
		if r.Has(phone) && !r.All && !strings.Contains(list, ":"+phone+"@") {
			t.Errorf("%q lets %q through", list, phone)
		}
	})
}
