package reconcile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// TestRetryHoldsWhatTheGuardRefuses: the retry file holds only rows the
// journal proves uncharged, as the workspace guard decides them; a failed
// or rejected row it does not prove uncharged is held back and counted,
// never put in a file whose batch the guard then refuses (where the way
// on is -allow-regift: a second gift to a person who may have been
// charged).
func TestRetryHoldsWhatTheGuardRefuses(t *testing.T) {
	b := newJournal(t, "B2025-03")
	b.input("in.csv", nil,
		valid(2, "13800000001", "10", "o-fail"),
		valid(3, "13800000002", "10", "o-rej"),
		valid(4, "13800000003", "10", "o-cb"),
		valid(5, "13800000004", "10", "o-lost"))
	b.intent("o-fail")
	b.submit("o-fail", juhe.ClassAccepted, 0, "提交成功", 19630)
	b.query("o-fail", juhe.StateFailed, 19630)
	b.intent("o-rej")
	b.submit("o-rej", juhe.ClassRejected, 210503, "检索不到", 0)
	// Failed by the query, yet the provider's signed callback says success.
	b.intent("o-cb")
	b.submit("o-cb", juhe.ClassAccepted, 0, "提交成功", 19630)
	b.callback("o-cb", juhe.StateSuccess)
	b.query("o-cb", juhe.StateFailed, 19630)
	// The first submit's answer was lost; a 210511 past the grace let it be
	// sent again, and the resend was refused.
	submit := func(c juhe.Class, code int) {
		b.add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: "o-lost", Class: c, Code: code}}})
	}
	b.intent("o-lost")
	submit(juhe.ClassUnknown, juhe.NoCode)
	b.add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: "o-lost", Class: juhe.ClassNotFound, Code: 210511}, State: juhe.StateNone}})
	b.add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: "o-lost", Attempt: 2}})
	submit(juhe.ClassRejected, 210503)
	book := b.book()
	path := filepath.Join(t.TempDir(), "r.csv")
	r, err := WriteRetry(context.Background(), book, path, "en", nil)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	got := string(data)
	if r.Rows != 2 || r.Unproven != 2 || !strings.Contains(got, "13800000001") || !strings.Contains(got, "13800000002") ||
		strings.Contains(got, "13800000003") || strings.Contains(got, "13800000004") {
		t.Errorf("rows %d, unproven %d:\n%s", r.Rows, r.Unproven, got)
	}
	if note := strings.Join(r.Note, "\n"); !strings.Contains(note, "Held back: 2 failed or rejected rows whose journal does not prove them uncharged") {
		t.Errorf("note:\n%s", note)
	}
}
