package journal

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// CreateJournal links a journal into place only once its header is synced,
// so a crash while creating leaves at most a PATH.new, which the next
// CreateJournal replaces; never an empty journal every run must refuse.
func TestCreateJournalIsAtomic(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	// What a crash between creating the temporary file and the link leaves.
	if err := os.WriteFile(path+".new", []byte("1\tH\t17000"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, _, err := Create(ctx, path, Header{BatchID: "b", ToolVersion: "test"})
	if err != nil {
		t.Fatalf("CreateJournal after a crash mid-create: %v", err)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + ".new"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the temporary %s.new is still there: %v", path, err)
	}
	v, err := Verify(ctx, path)
	if err != nil || v.Records != 1 || v.BatchID != "b" {
		t.Fatalf("Verify = %+v, %v; want 1 record of batch b", v, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("journal mode %v, want 0600", fi.Mode().Perm())
	}
	// An existing journal is never replaced.
	if _, _, err := Create(ctx, path, Header{BatchID: "other", ToolVersion: "test"}); !errors.Is(err, fs.ErrExist) {
		t.Errorf("CreateJournal over an existing journal: %v, want an 'exists' error", err)
	}
	if v2, _ := Verify(ctx, path); v2.HeadHash != v.HeadHash {
		t.Errorf("the existing journal changed")
	}
}
