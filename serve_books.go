package main

import (
	"context"
	"os"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch"
)

// The Watch page and the Batches page ask for a batch's state every
// second, per open tab; reading a journal of 100,000 orders takes most of
// a second of a core (BenchmarkConsoleState). So a journal is read again
// only when it changed (its size or its time), and a journal that is
// being written (its batch runs) at most once per few times its last read
// took: the pages lag a running batch by a second or two and cost the
// engine a fifth of a core at most, however many tabs are open. A
// stopped batch is always read as it is.

// bookCache keeps the latest read of the journals the pages show.
type bookCache struct {
	mu sync.Mutex
	m  map[string]*cachedBook
}

// maxCachedBooks bounds what the cache holds: a book of a big batch is
// tens of megabytes.
const maxCachedBooks = 8

type cachedBook struct {
	mu     sync.Mutex // one read of a journal at a time, shared by every tab
	size   int64
	mod    time.Time
	read   time.Time     // when it was read
	took   time.Duration // how long the read took
	used   time.Time
	view   batchState // bookView of the book read
	err    error
	filled bool
}

// load is the bookView of the journal at path, read again if it
// changed; while live (the batch runs), a change is read at most every
// max(1s, 4×the last read's time).
func (bc *bookCache) load(ctx context.Context, path string, live bool) (batchState, error) {
	fi, err := os.Stat(path)
	if err != nil {
		_, err := batch.LoadBook(ctx, path) // its error, as LoadBook words it
		return batchState{}, err
	}
	bc.mu.Lock()
	if bc.m == nil {
		bc.m = map[string]*cachedBook{}
	}
	e := bc.m[path]
	if e == nil {
		if len(bc.m) >= maxCachedBooks {
			var oldest string
			for p, x := range bc.m {
				if oldest == "" || x.used.Before(bc.m[oldest].used) {
					oldest = p
				}
			}
			delete(bc.m, oldest)
		}
		e = &cachedBook{}
		bc.m[path] = e
	}
	e.used = time.Now()
	bc.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	same := e.filled && e.size == fi.Size() && e.mod.Equal(fi.ModTime())
	fresh := e.filled && live && time.Since(e.read) < max(time.Second, 4*e.took)
	if same || fresh {
		return e.view, e.err
	}
	t0 := time.Now()
	b, err := batch.LoadBook(ctx, path)
	if ctx.Err() != nil {
		return batchState{}, err // a read cut short by a closed tab is not kept
	}
	e.view, e.err, e.filled = batchState{}, err, true
	if err == nil {
		e.view = bookView(b)
	}
	e.size, e.mod, e.read, e.took = fi.Size(), fi.ModTime(), time.Now(), time.Since(t0)
	return e.view, e.err
}
