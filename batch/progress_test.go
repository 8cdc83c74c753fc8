package batch

import (
	"bytes"
	"github.com/flowbatch/flowbatch/batch/journal"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 1204: "1,204", 1234567: "1,234,567", -1204: "-1,204"} {
		if got := journal.Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

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
	p := NewProgress(&w)
	p.Every = 10 * time.Millisecond
	p.Total.Store(5000)
	p.Start("submitted")
	p.Done.Store(1204)
	p.Accepted.Store(1200)
	p.Rejected.Store(3)
	p.Unknown.Store(1)
	p.Requests.Store(1204)
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
