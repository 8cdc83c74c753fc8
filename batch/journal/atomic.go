package journal

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// TempPrefix begins the name of a temporary file or directory of kind
// ("tmp", …) for path, beside it: ".NAME.KIND-". The writer's PID comes
// next (".NAME.tmp-PID-RANDOM"), so that a later run can tell the ones a
// killed process left (its PID is gone) from those of a process still
// writing, and remove them.
func TempPrefix(path, kind string) string {
	return "." + filepath.Base(path) + "." + kind + "-"
}

// WriteAtomic writes path through fn so that it appears whole or not at
// all: a temporary file beside it (mode 0600 whatever the umask), renamed
// over path. With durable, the file is fsynced before the rename and the
// directory after it; without, a crash may leave path short, for a
// reader that checks what it reads.
func WriteAtomic(path string, durable bool, fn func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, TempPrefix(path, "tmp")+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = fn(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if durable {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if durable {
		return SyncDir(dir)
	}
	return nil
}
