package reconcile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// Temporary files and directories are named after the file they are for
// and the PID of the process writing them (journal.TempPrefix), so that
// removeStale can tell the ones a killed process left from those of a
// process still writing. Files are written with journal.WriteAtomic.

func ownTempPattern(path, kind string) string {
	return journal.TempPrefix(path, kind) + strconv.Itoa(os.Getpid()) + "-*"
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
			rest, ok := strings.CutPrefix(e.Name(), journal.TempPrefix(path, kind))
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
