// Package input reads the user's file (CSV or XLSX) as a person sees it:
// it finds the header, normalises phones and pids, derives each row's
// deterministic orderid (OrderID) and validates every row into a
// journal.RowRecord.
//
// It promises: a row it cannot read as the user sees it is refused with
// the row number a person sees, and a file it cannot read completely is
// refused, never half-read.
//
// Why a row is not submitted, and why a file is refused, is a Reason (a
// Kind and its arguments; a refusal is an *Error holding one), worded
// once in reasons.go in English and Chinese. The English is what the
// journal keeps and never changes; ParseReason reads it back from any
// journal, so nothing else parses it.
package input
