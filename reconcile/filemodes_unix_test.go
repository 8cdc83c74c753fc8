//go:build unix

package reconcile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// The umask and the 0600 mode are Unix's; Windows has neither.

func umask(m int) int { return syscall.Umask(m) }

func TestFileModes(t *testing.T) {
	book := sampleBook(t)
	old := umask(0)
	defer umask(old)
	out, s := writeSample(t, book, "en", 0)
	for _, p := range []string{out, s.CSVPath} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
		}
	}
	// Nothing but the two files is left beside them.
	entries, _ := os.ReadDir(filepath.Dir(out))
	if len(entries) != 2 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("directory holds %q", names)
	}
}
