//go:build unix

package input

import "syscall"

// openNonblock opens a named pipe without waiting for a writer; on a
// regular file it changes nothing.
const openNonblock = syscall.O_NONBLOCK
