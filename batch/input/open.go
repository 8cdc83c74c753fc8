package input

import (
	"io"
	"os"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// NotRegularError is a path given as a file that is not a regular file:
// a directory, a named pipe, a device (/dev/stdin, /dev/zero) or a
// socket. Nothing was read from it: a named pipe with no writer would
// hang the command, a device could be read for ever.
type NotRegularError struct {
	Path string
	Kind string // "a directory", "a named pipe", "a device", "a socket", "not a regular file"
}

func (e *NotRegularError) Error() string { return e.In("en") }

// In is the refusal in lang ("zh" or "en"), from the reasons' table.
func (e *NotRegularError) In(lang string) string { return reason(NotRegular, e.Kind).In(lang) }

// OpenRegular opens the file at path for reading, refusing anything but
// a regular file with a *NotRegularError (journal.OpenRegular: without
// blocking, deciding on the opened file). Every reader of a user's file
// opens it here.
func OpenRegular(path string) (*os.File, error) {
	f, kind, err := journal.OpenRegular(path)
	if kind != "" {
		return nil, &NotRegularError{Path: path, Kind: kind}
	}
	return f, err
}

// opener opens a user's file for one pass through its bytes: openFile,
// or in a test one that counts the passes.
type opener func(path string) (io.ReadCloser, error)

func openFile(path string) (io.ReadCloser, error) {
	f, err := OpenRegular(path)
	if err != nil {
		return nil, err
	}
	return f, nil
}
