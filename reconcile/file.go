package reconcile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Temporary files and directories are named after the file they are for
// and the PID of the process writing them (".NAME.tmp-PID-RANDOM"), so a
// later run can tell the ones a killed process left (its PID is gone)
// from those of a process still writing, and remove them.

func tempPrefix(path, kind string) string {
	return "." + filepath.Base(path) + "." + kind + "-"
}

func ownTempPattern(path, kind string) string {
	return tempPrefix(path, kind) + strconv.Itoa(os.Getpid()) + "-*"
}

// removeStale removes what writing path left behind in a killed process:
// its temporary file beside path and its private directory for
// excelize's spilled sheets.
func removeStale(path string) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		for _, kind := range []string{"tmp", "xl"} {
			rest, ok := strings.CutPrefix(e.Name(), tempPrefix(path, kind))
			if !ok {
				continue
			}
			pidText, _, ok := strings.Cut(rest, "-")
			pid, err := strconv.Atoi(pidText)
			if ok && err == nil && pid > 0 && pid != os.Getpid() && !processAlive(pid) {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		}
	}
}

// privateTempDir makes the directory beside path where excelize spills
// big sheets while path is written (mode 0700), instead of TMPDIR where a
// kill would leave them for good.
func privateTempDir(path string) (string, error) {
	return os.MkdirTemp(filepath.Dir(path), ownTempPattern(path, "xl"))
}

// writeAtomic writes path through fn so that it appears whole or not at
// all: a temporary file beside it (mode 0600 whatever the umask), synced,
// renamed over path, and the directory synced.
func writeAtomic(path string, fn func(io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ownTempPattern(path, "tmp"))
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
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		err = d.Sync()
		d.Close()
	}
	return err
}
