package batch

import (
	"context"

	"github.com/flowbatch/flowbatch/juhe"
)

// InputOptions says how to read an input file.
type InputOptions struct {
	Encoding string // "" detects; utf-8, gbk, gb18030
	Sheet    string // xlsx: "" is the first sheet
	BatchID  string // for orderids
	// AllowDuplicates submits a repeated (phone, pid) as its own order.
	AllowDuplicates bool
}

// Problem is one input row that cannot be submitted as it is.
type Problem struct {
	Line   int
	Reason string
	DupOf  int // for duplicates
}

// InputReport is what reading the whole file found.
type InputReport struct {
	Info       InputInfo
	Valid      int            // rows that will be submitted
	Invalid    []Problem      // bad phone, missing pid, unreadable
	Duplicates []Problem      // repeated (phone, pid)
	ByPid      map[string]int // valid rows per pid
	ByCarrier  map[juhe.Carrier]int
}

// ReadInput reads the whole input at path, validates every row and calls
// fn (if non-nil) with each row in file order, with its orderid derived.
// Memory stays a small fixed amount per row. Errors name the row.
func ReadInput(ctx context.Context, path string, opts InputOptions, fn func(*RowRecord) error) (*InputReport, error) {
	panic("not implemented")
}

// OrderID derives the deterministic orderid of the occurrence-th
// (phone, pid) row of a batch. See README.md for the formula.
func OrderID(batchID, phone, pid string, occurrence int) string { panic("not implemented") }

// NormalizePhone turns a cell into an 11-digit mainland number, or says why not.
func NormalizePhone(cell string) (string, error) { panic("not implemented") }
