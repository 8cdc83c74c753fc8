// Package journal is the batch's append-only, hash-chained journal: the
// record types, their one encoder and their one reader (Raw and its
// views), the scans, the per-file lock, torn-tail repair and anchors.
// It knows nothing of books or orders.
//
// It promises: a record is on disk (fsynced) when Append returns; every
// record read was checked (framing, checksum, seq, chain) first; a torn
// tail is kept aside and cut, damage anywhere else is refused and nothing
// is changed; a journal written by version 1 (testdata/v1.journal) stays
// readable.
package journal
