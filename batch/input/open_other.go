//go:build !unix

package input

// openNonblock: only unix opens a named pipe without waiting.
const openNonblock = 0
