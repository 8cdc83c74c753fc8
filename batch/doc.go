// Package batch turns input rows into orders that are submitted exactly
// once, and keeps what each order is known to be.
//
// Where a row becomes an order: plan.go (AppendInput writes an input
// section to the journal; the Book turns its submittable rows into
// orders). The Book (book.go) is the state folded from the journal; the
// Engine (engine.go, settle.go) submits and queries through the provider,
// journaling every intent before its request leaves, and Progress holds
// its counters for whoever draws them. Where an order becomes a workbook
// row: reconcile/lines.go.
//
// It promises: an order's status follows only from the journal; an
// unknown outcome is never a failure; an orderid is resubmitted only
// after the provider said it has no such order.
package batch
