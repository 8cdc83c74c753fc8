// Package callback receives the provider's callbacks: the HTTP handler
// that verifies their sign, the server with its limits, the side journal
// a standalone `flowbatch callback` writes, and the importer that moves
// those callbacks into the batch's own journal.
//
// It promises: only a callback whose sign verifies is recorded, once per
// order and state; a callback is advice (it nudges a query) and never
// settles an order by itself.
package callback
