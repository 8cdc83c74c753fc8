package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
)

// A file a command writes must not be one it reads: a workbook written
// over the input list (or over the journal) destroys the one record of
// what was to be paid, or of what was. Paths are compared as the files
// they name, whatever the spelling: a symlink, a hard link, a ../ form,
// or a file that does not exist yet under a symlinked directory.

// namedPath is a path with the flag that gave it (or what it is, a msg),
// for messages.
type namedPath struct {
	flag any
	path string
}

// checkOutputs refuses, before anything is written, an -out that is not
// an .xlsx name, a -csv that is not a .csv name, an output that is a
// directory, and an output that is the same file as one of reads or as
// another output. Empty paths are skipped.
func checkOutputs(cmd string, out, csv string, reads ...namedPath) error {
	outs := []namedPath{{"-out", out}, {"-csv", csv}}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		want := map[any]string{"-out": ".xlsx", "-csv": ".csv"}[o.flag]
		if ext := filepath.Ext(o.path); !strings.EqualFold(ext, want) {
			return usageErr(msgOutExt, cmd, o.flag, o.path, want, ext).
				try(msgFlagValueTry, o.flag, shellQuote(strings.TrimSuffix(o.path, ext)+want))
		}
		// Checked now, not when the workbook is written: run spends first.
		if d := filepath.Dir(o.path); !isDir(d) {
			return usageErr(msgOutNoDir, cmd, o.flag, o.path, d).
				try(msgOutNoDirTry, shellQuote(d), o.flag)
		}
		if fi, err := os.Stat(o.path); err == nil && fi.IsDir() {
			return usageErr(msgOutIsDir, cmd, o.flag, o.path).
				try(msgFlagValueTry, o.flag, shellQuote(filepath.Join(o.path, "reconciliation"+want)))
		}
		for _, r := range reads {
			if r.path != "" && samePath(o.path, r.path) {
				return usageErr(msgOutIsRead, cmd, o.flag, o.path, r.flag, r.path).
					try(msgOtherNameTry, o.flag)
			}
		}
	}
	if out != "" && csv != "" && samePath(out, csv) {
		return usageErr(msgCSVIsOut, cmd, csv, out)
	}
	return nil
}

// samePath reports whether a and b name one file: the same cleaned
// absolute path, the same path once symlinks are resolved (also for a
// file not created yet), or, for existing files, the same inode.
func samePath(a, b string) bool {
	if absPath(a) == absPath(b) || resolvedPath(a) == resolvedPath(b) {
		return true
	}
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(fa, fb)
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// resolvedPath resolves every symlink of p, or of its directory when p
// does not exist yet.
func resolvedPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return absPath(r)
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
		return absPath(filepath.Join(d, filepath.Base(p)))
	}
	return absPath(p)
}

// checkRetry refuses a -retry file that is not .csv or .xlsx, or that is
// a file the command reads or writes.
func checkRetry(cmd, retry string, others ...string) error {
	if retry == "" {
		return nil
	}
	if ext := strings.ToLower(filepath.Ext(retry)); ext != ".csv" && ext != ".xlsx" {
		return usageErr(msgRetryExt, cmd, retry, filepath.Ext(retry)).
			try(msgFlagValueTry, "-retry", shellQuote(strings.TrimSuffix(retry, filepath.Ext(retry))+".csv"))
	}
	for _, o := range others {
		if o != "" && samePath(retry, o) {
			return usageErr(msgRetryIsOther, cmd, retry, o).try(msgOtherNameTry, "-retry")
		}
	}
	return nil
}

// checkNotInput refuses an output that already holds the batch's input
// list. reconcile is not told -in, but the journal knows the list's
// sha256: a workbook written over the list (reconcile -csv list.csv after
// a run on list.csv) would destroy it.
func checkNotInput(cmd string, book *batch.Book, outs ...namedPath) error {
	return checkNotList(cmd, book.Header.BatchID, book.Input.Name, book.Input.SHA256, outs...)
}

// checkNotList refuses an output that is a file with the input list's
// sha256, whatever its name.
func checkNotList(cmd, batchID, name, sha string, outs ...namedPath) error {
	if sha == "" {
		return nil
	}
	for _, o := range outs {
		if o.path == "" {
			continue
		}
		fi, err := os.Stat(o.path)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		if sum, err := input.InputSHA256(o.path); err == nil && sum == sha {
			return usageErr(msgOutIsList, cmd, o.flag, o.path, batchID, name, shortHash(sum)).
				try(msgOtherNameTry, o.flag)
		}
	}
	return nil
}

// checkNotListFile is checkNotList for the list at path, read only when
// an output is a file of its size: a file of another size cannot hold
// the same bytes, and a list hashed for nothing is a pass through a
// million rows. A list that cannot be read is left to its reading.
func checkNotListFile(cmd, batchID, path string, outs ...namedPath) error {
	in, err := os.Stat(path)
	if err != nil || !in.Mode().IsRegular() {
		return nil
	}
	if !slices.ContainsFunc(outs, func(o namedPath) bool {
		fi, err := os.Stat(o.path)
		return o.path != "" && err == nil && fi.Mode().IsRegular() && fi.Size() == in.Size()
	}) {
		return nil
	}
	sum, err := input.InputSHA256(path)
	if err != nil {
		return nil
	}
	return checkNotList(cmd, batchID, filepath.Base(path), sum, outs...)
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}
