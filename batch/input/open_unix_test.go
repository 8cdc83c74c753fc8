//go:build unix

package input

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Named pipes and /dev/zero are Unix's.

// TestReadRefusesWhatIsNoFile: an input that is a named pipe, a directory
// or a device is refused at once, saying what it is. A named pipe with no
// writer once hung the reader in open for good; /dev/zero was hashed for
// ever.
func TestReadRefusesWhatIsNoFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var paths []struct{ path, kind string }
	for _, ext := range []string{".csv", ".xlsx", ".ods"} {
		fifo := filepath.Join(dir, "fifo"+ext)
		if err := syscall.Mkfifo(fifo, 0o600); err != nil {
			t.Skip("no named pipes:", err)
		}
		sub := filepath.Join(dir, "dir"+ext)
		zero := filepath.Join(dir, "zero"+ext)
		if err := os.Mkdir(sub, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/dev/zero", zero); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, []struct{ path, kind string }{{fifo, "a named pipe"}, {sub, "a directory"}, {zero, "a device"}}...)
	}
	opts := Options{BatchID: "B1"}
	readers := []struct {
		name string
		read func(ctx context.Context, path string) error
	}{
		{"Read", func(ctx context.Context, p string) error { _, err := Read(ctx, p, opts, nil); return err }},
		{"ReadRows", func(ctx context.Context, p string) error { _, err := ReadRows(ctx, p, opts, nil); return err }},
		{"InputSHA256", func(ctx context.Context, p string) error { _, err := InputSHA256(p); return err }},
		{"encoding", func(ctx context.Context, p string) error {
			_, err := Read(ctx, p, Options{BatchID: "B1", Encoding: "gbk"}, nil)
			return err
		}},
	}
	for _, p := range paths {
		for _, r := range readers {
			if r.name == "encoding" && filepath.Ext(p.path) != ".csv" {
				continue
			}
			t.Run(r.name+" "+filepath.Base(p.path), func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				done := make(chan error, 1)
				go func() { done <- r.read(ctx, p.path) }()
				var err error
				select {
				case err = <-done:
				case <-ctx.Done():
					t.Fatalf("%s(%s) hangs", r.name, p.path)
				}
				var ne *NotRegularError
				if !errors.As(err, &ne) || ne.Kind != p.kind {
					t.Fatalf("%s(%s) = %v, want a *NotRegularError (%s)", r.name, p.path, err, p.kind)
				}
			})
		}
	}
}
