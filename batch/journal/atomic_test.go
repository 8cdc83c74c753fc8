package journal

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// TestWriteAtomic: the file appears whole (mode 0600) or not at all, and
// no temporary file is left either way, durable or not.
func TestWriteAtomic(t *testing.T) {
	boom := errors.New("boom")
	for _, durable := range []bool{true, false} {
		dir := t.TempDir()
		path := filepath.Join(dir, "out.txt")
		if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
			t.Fatal(err)
		}
		err := WriteAtomic(path, durable, func(w io.Writer) error {
			io.WriteString(w, "half")
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("durable=%v: %v, want the writer's error", durable, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("durable=%v: a failed write changed the file: %q", durable, b)
		}
		if err := WriteAtomic(path, durable, func(w io.Writer) error {
			_, err := io.WriteString(w, "new")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(path); string(b) != "new" {
			t.Errorf("durable=%v: %q", durable, b)
		}
		if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
			t.Errorf("durable=%v: stat %v %v", durable, fi.Mode(), err)
		}
		if es, _ := os.ReadDir(dir); len(es) != 1 {
			t.Errorf("durable=%v: left %d entries in the directory", durable, len(es))
		}
	}
}
