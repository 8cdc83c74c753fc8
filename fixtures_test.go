package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// What the commands' tests share: running a command line, a simulator
// with an input file, a buffer for a command's goroutines, journals cut.

// runCmd runs one command line as main does, with vars as the
// environment, in the test's own workspace unless vars names one.
func runCmd(ctx context.Context, t *testing.T, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	vars = withWorkspace(t, vars)
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	err := Run(ctx, e, quickQueries(args))
	code = report(&errb, err)
	return out.String(), errb.String(), code
}

// quickQueries turns the polite query delays (a minute each) off for a
// run or submit command line, so that a test against the simulator does
// not wait a minute for its first query, unless the test gives them. They
// go last, so that the resume command a test reads starts as it was given.
func quickQueries(args []string) []string {
	if len(args) == 0 || args[0] != "run" && args[0] != "submit" {
		return args
	}
	out := slices.Clone(args)
	for _, f := range []string{"-first-query", "-query-interval"} {
		if !slices.ContainsFunc(args, func(a string) bool { return a == f || strings.HasPrefix(a, f+"=") }) {
			out = append(out, f+"=0")
		}
	}
	return out
}

// runJournalCmd runs a command line that needs no environment.
func runJournalCmd(args ...string) (stdout, stderr string, code int) {
	var o, e bytes.Buffer
	err := Run(context.Background(), &env{stdout: &o, stderr: &e, getenv: func(string) string { return "" }}, args)
	code = report(&e, err)
	return o.String(), e.String(), code
}

// testWorkspaces holds each test's own workspace: a test never shares
// one with another, nor touches the user's (see TestMain).
var testWorkspaces sync.Map // *testing.T → string

// testWorkspace is the test's own workspace directory.
func testWorkspace(t *testing.T) string {
	t.Helper()
	if d, ok := testWorkspaces.Load(t); ok {
		return d.(string)
	}
	d, loaded := testWorkspaces.LoadOrStore(t, filepath.Join(t.TempDir(), "workspace"))
	if !loaded {
		t.Cleanup(func() { testWorkspaces.Delete(t) })
	}
	return d.(string)
}

// withWorkspace is vars with FLOWBATCH_WORKSPACE set to the test's own
// workspace, unless vars sets it.
func withWorkspace(t *testing.T, vars map[string]string) map[string]string {
	t.Helper()
	if vars["FLOWBATCH_WORKSPACE"] != "" {
		return vars
	}
	v := make(map[string]string, len(vars)+1)
	for k, x := range vars {
		v[k] = x
	}
	v["FLOWBATCH_WORKSPACE"] = testWorkspace(t)
	return v
}

// wsEnvVar is the environment entry that gives a process the test's own
// workspace.
func wsEnvVar(t *testing.T) string { return "FLOWBATCH_WORKSPACE=" + testWorkspace(t) }

const (
	subKey    = "submit-test-key-0123456789"
	subOpenID = "submit-test-openid-0123456789"
)

func subSim(t *testing.T, cfg juhesim.Config) (*juhesim.Server, map[string]string) {
	t.Helper()
	cfg.Key, cfg.OpenID = subKey, subOpenID
	s := juhesim.NewServer(cfg)
	t.Cleanup(s.Close)
	return s, map[string]string{"JUHE_KEY": subKey, "JUHE_OPENID": subOpenID, "JUHE_BASE_URL": s.URL}
}

// subCSV writes n valid China Mobile rows (and the extra lines) to a CSV.
func subCSV(t *testing.T, dir string, n int, extra ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("phone,pid,name\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "1390%07d,105000,person %d\n", i, i)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	path := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// syncBuffer is a bytes.Buffer safe to write from the command's goroutine
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dirFiles lists the names in dir.
func dirFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// truncateRecords cuts the last n records off the journal at path, in place.
func truncateRecords(t *testing.T, path string, n int) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for ; n > 0; n-- {
		raw = raw[:bytes.LastIndexByte(raw[:len(raw)-1], '\n')+1]
	}
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
}
