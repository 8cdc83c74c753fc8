package journal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// journalCopy writes data to a file of its own.
func journalCopy(t *testing.T, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "copy.journal")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// cutRecords returns data without its last n lines.
func cutRecords(data []byte, n int) []byte {
	for ; n > 0; n-- {
		i := bytes.LastIndexByte(data[:len(data)-1], '\n')
		data = data[:i+1]
	}
	return data
}

// TestAnchorSeesACutTail: whole records cut from the end leave a journal
// Verify passes (the chain cannot show it); held to the anchor
// printed before the cut, it fails and says how many records are gone.
// So does a journal cut and then written to again.
func TestAnchorSeesACutTail(t *testing.T) {
	ctx := context.Background()
	path, _ := newTestJournal(t, 20)
	full, err := Verify(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	anchor := Anchor{Records: full.Records, Head: full.HeadHash}
	data, _ := os.ReadFile(path)

	rewritten := filepath.Join(t.TempDir(), "again.journal")
	if err := os.WriteFile(rewritten, cutRecords(data, 3), 0o600); err != nil {
		t.Fatal(err)
	}
	j, _, err := openJournal(ctx, rewritten, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if err := j.Append(ctx, &Record{Type: RecIntent, At: 900, Intent: &Intent{OrderID: "Y", Attempt: 1}}); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	earlier, err := Verify(ctx, journalCopy(t, cutRecords(data, 10)))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		path   string
		anchor Anchor
		want   string // "" is no error
	}{
		{"intact", path, anchor, ""},
		{"grown past an earlier anchor", path, Anchor{earlier.Records, earlier.HeadHash}, ""},
		{"3 records cut", journalCopy(t, cutRecords(data, 3)),
			anchor, fmt.Sprintf("has %d records, attested %d: 3 records cut from its end", anchor.Records-3, anchor.Records)},
		{"1 record cut", journalCopy(t, cutRecords(data, 1)),
			anchor, fmt.Sprintf("has %d records, attested %d: 1 record cut from its end", anchor.Records-1, anchor.Records)},
		{"cut, then written again", rewritten, anchor, "no longer reaches the attested head"},
		{"another head", path, Anchor{anchor.Records, strings.Repeat("0", 64)}, "no longer reaches"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Verify(ctx, tc.path); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			_, verr := VerifyTo(ctx, tc.path, tc.anchor)
			rerr := Reaches(ctx, tc.path, tc.anchor)
			for fn, err := range map[string]error{"VerifyTo": verr, "Reaches": rerr} {
				if tc.want == "" {
					if err != nil {
						t.Errorf("%s: %v", fn, err)
					}
					continue
				}
				var ae *AnchorError
				if !errors.As(err, &ae) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: %v, want an AnchorError saying %q", fn, err, tc.want)
				}
			}
		})
	}

	// Reaches reads no further than the anchor: a journal being
	// appended to (a torn last line) still reaches it.
	torn := journalCopy(t, append(append([]byte(nil), data...), "\tT\t12"...))
	if err := Reaches(ctx, torn, anchor); err != nil {
		t.Errorf("Reaches with a write in progress after the anchor: %v", err)
	}
}

// TestNotAJournal: a file that is not a journal at all is a wrong path,
// said so with what it starts with; a journal damaged anywhere, its
// header included, stays damage.
func TestNotAJournal(t *testing.T) {
	ctx := context.Background()
	path, _ := newTestJournal(t, 0)
	good, _ := os.ReadFile(path)
	flip := func(at int) []byte {
		d := append([]byte(nil), good...)
		d[at] ^= 0x20
		return d
	}
	for _, tc := range []struct {
		name    string
		data    []byte
		notJ    string // the start the NotJournalError quotes; "" for damage
		isEmpty bool
	}{
		{"xlsx", []byte("PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00 more zip bytes here"), `"PK\x03\x04`, false},
		{"csv", []byte("phone,pid,name\n13800138000,105000,张三\n"), `"phone,pid,name\n138001380`, false},
		{"pdf", []byte("%PDF-1.7\n"), `"%PDF-1.7\n"`, false},
		{"empty", nil, "", true},
		{"blank line", []byte("\n"), `"\n"`, false},
		{"flipped seq", flip(0), "", false},
		{"flipped type", flip(2), "", false},
		{"flipped format", flip(bytes.Index(good, []byte(journalFormat))), "", false},
		{"torn header", good[:12], "", false},
		{"zeros", make([]byte, 300), "", false},
		{"damage after the header", flip(bytes.IndexByte(good, '\n') + 3), "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeJournalBytes(t, tc.data)
			_, verr := Verify(ctx, p)
			_, _, oerr := openJournal(ctx, p, nil)
			_, lerr := load(ctx, p)
			lerr = NotJournal(p, lerr)
			for fn, err := range map[string]error{"Verify": verr, "OpenJournal": oerr, "LoadBook": lerr} {
				var ne *NotJournalError
				var de *DamageError
				switch {
				case tc.notJ == "" && !tc.isEmpty:
					if !errors.As(err, &de) || errors.As(err, &ne) {
						t.Errorf("%s: %v, want damage", fn, err)
					}
				case !errors.As(err, &ne):
					t.Errorf("%s: %v, want a NotJournalError", fn, err)
				case !strings.Contains(err.Error(), "is not a flowbatch journal ("+map[bool]string{true: "it is empty", false: "it starts with " + tc.notJ}[tc.isEmpty]):
					t.Errorf("%s: %q does not quote the start %s", fn, err, tc.notJ)
				}
			}
		})
	}
}

// FuzzJournalKind: Verify, OpenJournal and LoadBook agree on
// whether a file is a journal at all, and a file whose first line starts
// like a header is never called "not a journal".
func FuzzJournalKind(f *testing.F) {
	f.Add([]byte("PK\x03\x04\x14\x00"))
	f.Add([]byte("1\tH\t17\tflowbatch-journal/1\tB\t\t0\t"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "k.journal")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		_, verr := Verify(ctx, path)
		j, _, oerr := openJournal(ctx, path, func(string) {})
		if oerr == nil {
			j.Close()
		}
		_, lerr := load(ctx, path)
		lerr = NotJournal(path, lerr)
		var ne *NotJournalError
		kinds := []bool{errors.As(verr, &ne), errors.As(oerr, &ne), errors.As(lerr, &ne)}
		if kinds[0] != kinds[1] || kinds[0] != kinds[2] {
			t.Fatalf("disagree on a journal: verify %v, open %v, load %v", verr, oerr, lerr)
		}
		if kinds[0] && bytes.HasPrefix(data, []byte("1\tH\t")) {
			t.Fatalf("a header-like start called no journal: %v", verr)
		}
		for _, name := range []string{path + ".new"} {
			os.Remove(name)
		}
		torn, _ := filepath.Glob(path + ".torn-*")
		for _, name := range torn {
			os.Remove(name)
		}
	})
}
