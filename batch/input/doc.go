// Package input reads the user's file (CSV or XLSX) as a person sees it:
// it finds the header, normalises phones and pids, derives each row's
// deterministic orderid (OrderID) and validates every row into a
// journal.RowRecord.
//
// It promises: a row it cannot read as the user sees it is refused with
// the row number a person sees, and a file it cannot read completely is
// refused, never half-read.
package input
