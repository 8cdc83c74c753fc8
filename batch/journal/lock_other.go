//go:build !unix && !windows

package journal

import "errors"

var errNoLock = errors.New("journal locking needs a unix or Windows system")

// Lock is not available on this system.
func Lock(path string) (unlock func() error, err error) { return nil, errNoLock }

// Holder is not available on this system.
func Holder(path string) (pid int, held bool, err error) { return 0, false, errNoLock }

type createLock struct{}

func lockCreate(path string) (*createLock, error)    { return nil, errNoLock }
func (c *createLock) release()                       {}
func lockNew(tmp, path string) (func() error, error) { return nil, errNoLock }
func heldBy(path string) error                       { return errNoLock }
func noteHolder(path string)                         {}
func resolvePath(path string) string                 { return path }

const openNonblock = 0
