package batch

import (
	"context"

	"github.com/flowbatch/flowbatch/juhe"
)

// Book is the state of a batch folded from its journal: what each order
// is known to be. It keeps a small fixed amount per order and no row
// extras; Rows streams those from the journal again when needed.
//
// A Book is not safe for concurrent use; the engine guards it.
type Book struct {
	Path     string
	Header   Header
	Input    InputInfo // the latest complete input
	HeadHash string    // hash of the last record
	Records  int64     // records in the journal
	// (implementation fields)
}

// OrderState is one order as the journal knows it.
type OrderState struct {
	OrderID    string
	Line       int // row number in the input it was planned from
	Phone, Pid string
	Dup        bool // a duplicate (phone, pid) submitted under -allow-duplicates
	DupOf      int
	InInput    bool // planned in the latest complete input

	Intents     int   // intents written
	Outcomes    int   // submit outcomes written
	SubmittedAt int64 // ms of the first intent, 0 if none

	SubmitClass   juhe.Class // of the latest submit outcome, 0 if none
	SubmitCode    int
	SubmitCost    juhe.Money
	SubmitHasCost bool

	SporderID string
	CardName  string

	QueryClass   juhe.Class // of the latest query, 0 if none
	QueryCode    int
	QueryState   juhe.GameState // latest state a query confirmed, StateNone if none
	QueryCost    juhe.Money
	QueryHasCost bool
	QueryAt      int64

	CallbackState juhe.GameState // latest callback's sta, StateNone if none
	CallbackAt    int64

	FinalAt int64  // ms when a query first confirmed state 1 or 9
	Code    int    // latest provider code seen for this order
	Reason  string // latest provider reason seen for this order
}

// Status derives the workbook state of o. See the README's state rules.
func (o *OrderState) Status() Status { panic("not implemented") }

// Cost is the cost to report: the query's when known, else the submit's.
func (o *OrderState) Cost() (juhe.Money, bool) { panic("not implemented") }

// Source is what settled the reported state: "submit", "query" or "callback".
func (o *OrderState) Source() string { panic("not implemented") }

// NeedsSubmit reports whether the order may be sent (again) now: never
// started, or last known to be absent at the provider (query said 210511,
// or the last submit was definitively refused by throttle/halt).
func (o *OrderState) NeedsSubmit() bool { panic("not implemented") }

// NeedsQuery reports whether the order may exist but is not final.
func (o *OrderState) NeedsQuery() bool { panic("not implemented") }

// LoadBook reads and verifies the journal at path and folds it into a Book.
// It does not lock or repair the file; use OpenJournal to write.
func LoadBook(ctx context.Context, path string) (*Book, error) { panic("not implemented") }

// Apply folds one record into the book. Replay and the live engine share it.
func (b *Book) Apply(r *Record) { panic("not implemented") }

// Order returns the state of orderID.
func (b *Book) Order(orderID string) (*OrderState, bool) { panic("not implemented") }

// Orders calls fn for every order the journal knows, in the order each
// was first planned.
func (b *Book) Orders(fn func(*OrderState) error) error { panic("not implemented") }

// Rows streams the RowRecords of the latest complete input from the
// journal file, in input order.
func (b *Book) Rows(ctx context.Context, fn func(*RowRecord) error) error { panic("not implemented") }

// Counts returns the number of latest-input rows per Status, including
// invalid rows, and the success spend, charging amount and failed refunds.
func (b *Book) Counts() Totals { panic("not implemented") }

// Totals are the control totals of a book.
type Totals struct {
	Rows      int // rows in the latest input
	ByStatus  map[Status]int
	Spend     juhe.Money // sum of success costs
	Charging  juhe.Money // sum of costs still charging
	Refunded  juhe.Money // sum of costs of failed orders
	Orphans   int        // orders journaled but absent from the latest input
	OpenCount int        // rows not in a final state
}
