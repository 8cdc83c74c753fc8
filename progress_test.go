package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
)

// lockedBuffer is a bytes.Buffer the drawing goroutine and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestProgressPlainLines(t *testing.T) {
	var w lockedBuffer
	p := &batch.Progress{}
	sc := newScreen(&w)
	sc.every = 10 * time.Millisecond
	p.Screen = sc
	p.Total.Store(5000)
	p.Start("submitted")
	p.Done.Store(1204)
	p.Accepted.Store(1200)
	p.Rejected.Store(3)
	p.Unknown.Store(1)
	p.Submits.Store(1204)
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(w.String(), "\n") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	p.Stop()
	line := strings.SplitN(w.String(), "\n", 2)[0]
	for _, want := range []string{"submitted 1,204/5,000 (24%)", "/s · accepted 1,200 rejected 3 unknown 1", "· eta "} {
		if !strings.Contains(line, want) {
			t.Errorf("line %q lacks %q", line, want)
		}
	}
	// Stopped: nothing more is drawn.
	n := len(w.String())
	time.Sleep(30 * time.Millisecond)
	if len(w.String()) != n {
		t.Errorf("drawing went on after Stop")
	}
}
