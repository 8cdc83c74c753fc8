//go:build !unix

package batch

import "errors"

var errNoLock = errors.New("journal locking needs a unix system")

// LockJournal is not available on this system.
func LockJournal(path string) (unlock func() error, err error) { return nil, errNoLock }

// JournalHolder is not available on this system.
func JournalHolder(path string) (pid int, held bool, err error) { return 0, false, errNoLock }
