package main

import (
	"bufio"
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// countListings makes the console's workspace listing return js, and
// counts the listings.
func countListings(c *console, js ...*workspace.Journal) *atomic.Int64 {
	var n atomic.Int64
	c.listJournals = func(context.Context) ([]*workspace.Journal, error) {
		n.Add(1)
		return js, nil
	}
	return &n
}

// readEvents reads n states of the Watch page's stream of batch id.
func readEvents(t *testing.T, tc *testConsole, id string, n int) {
	t.Helper()
	req, _ := http.NewRequest("GET", tc.srv.URL+"/batch/"+id+"/events", nil)
	resp, err := tc.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for got := 0; got < n && sc.Scan(); {
		if strings.HasPrefix(sc.Text(), "data: {\"batch\"") {
			got++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}

// TestWatchListsTheWorkspaceOnce: the Watch page's stream finds a
// batch's journal once, not every second: a journal outside the
// workspace's folder is found in the index once per stream, and the
// journal of a batch this console runs is where its command line says,
// without a listing. Each tick once listed every journal of the
// workspace.
func TestWatchListsTheWorkspaceOnce(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t, juhesim.Config{})
	elsewhere := filepath.Join(t.TempDir(), "W1.journal")
	listed := countListings(tc.c, &workspace.Journal{Entry: workspace.Entry{BatchID: "W1", Path: elsewhere}, State: workspace.StateOK})
	readEvents(t, tc, "W1", 3)
	if n := listed.Load(); n != 1 {
		t.Errorf("a stream of 3 states of a journal the index lists: %d listings, want 1", n)
	}

	// A batch this console runs, preparing: no journal yet.
	running := &job{Batch: "W2", Args: []string{"run", "-batch", "W2", "-journal", filepath.Join(t.TempDir(), "W2.journal")}, done: make(chan struct{})}
	tc.c.mu.Lock()
	tc.c.jobs["W2"] = running
	tc.c.mu.Unlock()
	defer close(running.done)
	before := listed.Load()
	readEvents(t, tc, "W2", 3)
	if n := listed.Load() - before; n != 0 {
		t.Errorf("a stream of 3 states of a batch the console runs: %d listings, want 0", n)
	}
}

// TestBatchesListsTheWorkspaceOnce: the Batches page lists the
// workspace once, not once more for each batch it shows.
func TestBatchesListsTheWorkspaceOnce(t *testing.T) {
	t.Parallel()
	tc := newTestConsole(t, juhesim.Config{})
	dir := t.TempDir()
	var js []*workspace.Journal
	for _, id := range []string{"B1", "B2", "B3", "B4"} {
		js = append(js, &workspace.Journal{Entry: workspace.Entry{BatchID: id, Path: filepath.Join(dir, id+".journal")}, State: workspace.StateOK})
	}
	listed := countListings(tc.c, js...)
	if code, body := tc.get(t, "/batches"); code != http.StatusOK || !strings.Contains(body, "B4") {
		t.Fatalf("batches: %d\n%s", code, body)
	}
	if n := listed.Load(); n != 1 {
		t.Errorf("the Batches page of 4 batches: %d listings, want 1", n)
	}
}
