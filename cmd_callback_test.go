package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

const cbTestKey = "SECRETKEY123"

// cbMainJournal creates a batch journal planning ids and keeps it open
// (locked), as a running batch would.
func cbMainJournal(t *testing.T, ids ...string) (string, *journal.Journal, *batch.Book) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	j, book, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: "cmdcb"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	recs := []*journal.Record{{Type: journal.RecInput, Input: &journal.InputInfo{Name: "in.csv", SHA256: strings.Repeat("0", 64), Rows: len(ids), Format: "csv"}}}
	for i, id := range ids {
		recs = append(recs, &journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{
			Line: i + 2, Phone: fmt.Sprintf("1380000%04d", i), Pid: "100", OrderID: id, Occurrence: 1, Status: journal.RowValid,
		}})
	}
	recs = append(recs, &journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: len(ids)}})
	if err := j.Append(ctx, recs...); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		book.Apply(r)
	}
	return path, j, book
}

var listenRE = regexp.MustCompile(`listening on (http://\S+/) for batch (\S+) \(writing (.+)\)`)

// startCallback runs `flowbatch callback` in-process, with the extra
// flags, and waits for its URL.
func startCallback(t *testing.T, journal string, extra ...string) (base string, out, errOut *syncBuffer, stop func() error) {
	t.Helper()
	out, errOut = &syncBuffer{}, &syncBuffer{}
	e := &env{stdout: out, stderr: errOut, getenv: func(k string) string {
		if k == "JUHE_KEY" {
			return cbTestKey
		}
		return ""
	}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, e, append([]string{"callback", "-addr", "127.0.0.1:0", "-journal", journal}, extra...))
	}()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := listenRE.FindStringSubmatch(out.String()); m != nil {
			if m[2] != "cmdcb" || m[3] != journal+".callbacks" {
				t.Fatalf("banner: %q", out.String())
			}
			base = strings.TrimSuffix(m[1], "/")
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("callback exited early: %v\nstderr: %s", err, errOut)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner after 10s; stdout %q stderr %q", out, errOut)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	stop = func() error {
		if stopped {
			return nil
		}
		stopped = true
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(10 * time.Second):
			return errors.New("callback did not stop within 10s")
		}
	}
	t.Cleanup(func() { stop() })
	return base, out, errOut, stop
}

func cbGet(t *testing.T, base string, v url.Values) (int, string) {
	t.Helper()
	resp, err := http.Get(base + "/?" + v.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func cbValues(orderID, sporderID, sta string) url.Values {
	return url.Values{"orderid": {orderID}, "sporder_id": {sporderID}, "sta": {sta},
		"sign": {juhe.CallbackSign(cbTestKey, sporderID, orderID)}}
}

func TestCallbackCommand(t *testing.T) {
	t.Parallel()
	const a, b = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2"
	path, j, book := cbMainJournal(t, a, b)
	mainBefore, _ := os.ReadFile(path)

	base, out, errOut, stop := startCallback(t, path)
	for _, tc := range []struct {
		v    url.Values
		code int
	}{
		{cbValues(a, "S1", "1"), 200},
		{cbValues(a, "S1", "1"), 200}, // replay
		{cbValues(b, "S2", "9"), 200},
		{func() url.Values {
			v := cbValues(b, "S2", "1")
			v.Set("sign", juhe.CallbackSign("forged", "S2", b))
			return v
		}(), 403},
		{cbValues("cccccccccccccccccccccccccccccccc", "S3", "1"), 403},
	} {
		if code, body := cbGet(t, base, tc.v); code != tc.code {
			t.Fatalf("%v: %d %q, want %d", tc.v, code, body, tc.code)
		}
	}
	// A second server for the same batch is refused with the locked code.
	e2 := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return cbTestKey }}
	err := Run(context.Background(), e2, []string{"callback", "-addr", "127.0.0.1:0", "-journal", path})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != ExitLocked {
		t.Fatalf("second callback server: %v, want exit %d", err, ExitLocked)
	}
	if err := stop(); err != nil {
		t.Fatalf("callback after cancel: %v, want nil (exit 0)", err)
	}
	if mainAfter, _ := os.ReadFile(path); !bytes.Equal(mainBefore, mainAfter) {
		t.Fatal("the callback command wrote into the main journal")
	}
	side := callback.SidePath(path)
	if _, err := journal.Verify(context.Background(), side); err != nil {
		t.Fatalf("verify side journal: %v", err)
	}
	for _, p := range []string{side, path} {
		data, _ := os.ReadFile(p)
		if strings.Contains(string(data), cbTestKey) {
			t.Errorf("the key appears in %s", p)
		}
	}
	if strings.Contains(out.String()+errOut.String(), cbTestKey) {
		t.Error("the key appears in the command's output")
	}
	if !strings.Contains(errOut.String(), "orderid="+b) || !strings.Contains(errOut.String(), "bad sign") {
		t.Errorf("refusals not logged: %q", errOut)
	}

	// The batch imports them exactly once, however often it asks.
	ci := callback.NewImporter(side)
	to := callback.ForEngine(batch.NewEngine(j, book, nil, batch.EngineOptions{}))
	for i, want := range []int{2, 0} {
		if n, err := ci.ImportTo(context.Background(), book.Header.BatchID, to); err != nil || n != want {
			t.Fatalf("import %d: %d, %v; want %d", i, n, err, want)
		}
	}
	fresh := callback.ForEngine(batch.NewEngine(j, book, nil, batch.EngineOptions{}))
	if n, err := callback.NewImporter(side).ImportTo(context.Background(), book.Header.BatchID, fresh); err != nil || n != 0 {
		t.Fatalf("import by a fresh importer: %d, %v; want 0", n, err)
	}
	for id, want := range map[string]juhe.GameState{a: juhe.StateSuccess, b: juhe.StateFailed} {
		if o, ok := book.Order(id); !ok || o.CallbackState != want {
			t.Errorf("%s: callback state %v, want %d", id, o, want)
		}
	}
}

// A zh callback server says what it refused in Chinese.
func TestCallbackNotesInChinese(t *testing.T) {
	t.Parallel()
	const a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1"
	path, _, _ := cbMainJournal(t, a)
	base, _, errOut, _ := startCallback(t, path, "-lang", "zh")
	v := cbValues(a, "S1", "1")
	v.Set("sign", juhe.CallbackSign("forged", "S1", a))
	if code, body := cbGet(t, base, v); code != 403 {
		t.Fatalf("forged: %d %q, want 403", code, body)
	}
	if got := errOut.String(); !strings.Contains(got, " 回调：已拒绝 GET Forbidden，来自 ") || !strings.Contains(got, "orderid="+a+"：") ||
		strings.Contains(got, "callback: refused") {
		t.Errorf("the refusal's note in a zh terminal: %q", got)
	}
}

func TestCallbackCommandUsage(t *testing.T) {
	t.Parallel()
	path, _, _ := cbMainJournal(t, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1")
	withKey := func(string) string { return cbTestKey }
	noKey := func(string) string { return "" }
	for _, tc := range []struct {
		name   string
		getenv func(string) string
		args   []string
		code   int
	}{
		{"help", withKey, []string{"-h"}, ExitOK},
		{"no flags", withKey, nil, ExitUsage},
		{"no journal", withKey, []string{"-addr", ":0"}, ExitUsage},
		{"no key", noKey, []string{"-addr", "127.0.0.1:0", "-journal", path}, ExitUsage},
		{"bad max-body", withKey, []string{"-addr", ":0", "-journal", path, "-max-body", "0"}, ExitUsage},
		{"missing journal", withKey, []string{"-addr", "127.0.0.1:0", "-journal", path + ".nope"}, ExitError},
		{"extra arg", withKey, []string{"-addr", ":0", "-journal", path, "x"}, ExitUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := Run(context.Background(), &env{stdout: &out, stderr: &errOut, getenv: tc.getenv}, append([]string{"callback"}, tc.args...))
			if got := report(io.Discard, err); got != tc.code {
				t.Fatalf("exit %d (%v), want %d", got, err, tc.code)
			}
		})
	}
}
