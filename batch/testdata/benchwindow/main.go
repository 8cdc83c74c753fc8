//go:build ignore

// Benchwindow tells whether a run held its request rate: from a list of
// request times it prints the count, the rate between the first and the
// last, and the most requests in any sliding window (1 s by default).
//
// The times come from either
//
//	-journal PATH  the intent records ('T') of a flowbatch journal: the
//	               moment each submit was let through by the limiter, in
//	               whole milliseconds (so a window count may be off by one);
//	-ledger URL    a simulator's GET /_sim/ledger (or a saved copy of it,
//	               a file name): the moment each order was charged, in
//	               nanoseconds, as the provider saw it arrive.
//
// Output is one line of key=value pairs, for scripts:
//
//	events=1500 span_s=14.990 rate=100.00 max_in_window=100 window_s=1
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	journal := flag.String("journal", "", "flowbatch journal `path`: use its intent times")
	ledger := flag.String("ledger", "", "simulator base `URL` or saved ledger JSON file: use its charge times")
	window := flag.Duration("window", time.Second, "sliding window length")
	flag.Parse()
	var (
		ts  []int64 // unix nanoseconds
		err error
	)
	switch {
	case *journal != "" && *ledger == "":
		ts, err = journalTimes(*journal)
	case *ledger != "" && *journal == "":
		ts, err = ledgerTimes(*ledger)
	default:
		log.Fatal("benchwindow: give exactly one of -journal or -ledger")
	}
	if err != nil {
		log.Fatalf("benchwindow: %v", err)
	}
	if len(ts) < 2 {
		log.Fatalf("benchwindow: %d events: too few to measure", len(ts))
	}
	slices.Sort(ts)
	span := time.Duration(ts[len(ts)-1] - ts[0])
	// Most events in any half-open window [t, t+window): the best window
	// starts at an event, so slide its start over the events.
	best, j := 0, 0
	for i := range ts {
		for j < len(ts) && ts[j] < ts[i]+int64(*window) {
			j++
		}
		best = max(best, j-i)
	}
	fmt.Printf("events=%d span_s=%.3f rate=%.2f max_in_window=%d window_s=%g\n",
		len(ts), span.Seconds(), float64(len(ts)-1)/span.Seconds(), best, window.Seconds())
}

// journalTimes reads the at field (unix ms) of every intent record. The
// format is tab-separated "seq type at …"; text fields escape tabs, so a
// plain split is safe.
func journalTimes(path string) ([]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ts []int64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for line := 1; sc.Scan(); line++ {
		fields := bytes.SplitN(sc.Bytes(), []byte{'\t'}, 4)
		if len(fields) < 3 || string(fields[1]) != "T" {
			continue
		}
		ms, err := strconv.ParseInt(string(fields[2]), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%s line %d: intent time %q: %v", path, line, fields[2], err)
		}
		ts = append(ts, ms*int64(time.Millisecond))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return ts, nil
}

func ledgerTimes(src string) ([]int64, error) {
	var r io.Reader
	if strings.HasPrefix(src, "http://") || strings.HasPrefix(src, "https://") {
		resp, err := http.Get(strings.TrimSuffix(src, "/") + "/_sim/ledger")
		if err != nil {
			return nil, fmt.Errorf("fetching the ledger: %w", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetching the ledger: %s", resp.Status)
		}
		r = resp.Body
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	var l struct {
		Orders []struct {
			ChargedAt time.Time `json:"charged_at"`
		} `json:"orders"`
	}
	if err := json.NewDecoder(r).Decode(&l); err != nil {
		return nil, fmt.Errorf("decoding the ledger from %s: %w", src, err)
	}
	ts := make([]int64, len(l.Orders))
	for i, o := range l.Orders {
		ts[i] = o.ChargedAt.UnixNano()
	}
	return ts, nil
}
