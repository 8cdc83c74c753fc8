// Package workspace is the map of every batch a person (or a team sharing
// one folder) has run: where the journals live, an index that summarises
// them, one lock, and the guard that stands between two batches.
//
// It promises:
//   - the journals stay the source of truth: the index is a cache of their
//     summaries, checked against each journal's size, time and head record
//     before it is used, and rebuilt from the journal when they differ;
//   - a journal the index has seen is never silently dropped: one that has
//     gone missing, or was cut short, makes the guard refuse until it is
//     restored or forgotten on purpose (Forget writes why to forgotten.log);
//   - the guard and the writing of a new batch's rows happen under one
//     workspace lock (a *Locked), so two batches started at the same moment
//     cannot both pass.
//
// Only summarize.go reads journals.
package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"time"
)

// EnvDir names the environment variable that sets the workspace when no
// -workspace flag is given.
const EnvDir = "FLOWBATCH_WORKSPACE"

// Files of a workspace directory.
const (
	indexName     = "index.json"
	lockName      = "workspace.lock"
	forgottenName = "forgotten.log"
	rowsDirName   = "rows" // per-journal phone sets, named by head hash
	journalExt    = ".journal"
)

// Dir decides the workspace directory and creates it (mode 0700) if
// needed: the -workspace flag, else $FLOWBATCH_WORKSPACE, else the user's
// data directory. Never the current directory, so that changing folders
// cannot step outside the guard.
func Dir(flag string, getenv func(string) string) (string, error) {
	dir, err := dirFor(runtime.GOOS, flag, getenv)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("creating workspace %s: %w", dir, err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return "", fmt.Errorf("workspace %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("workspace %s is not a directory", dir)
	}
	return dir, nil
}

// Locate is Dir without creating anything: the directory the workspace
// is, or would be. check reads a workspace and never makes one.
func Locate(flag string, getenv func(string) string) (string, error) {
	return dirFor(runtime.GOOS, flag, getenv)
}

// dirFor is Dir without touching the disk, for any GOOS.
func dirFor(goos, flag string, getenv func(string) string) (string, error) {
	abs := func(p string) (string, error) {
		a, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("workspace %s: %w", p, err)
		}
		return a, nil
	}
	if flag != "" {
		return abs(flag)
	}
	if d := getenv(EnvDir); d != "" {
		return abs(d)
	}
	noHome := errors.New("cannot find your data directory for the workspace; Try: set " + EnvDir + " or pass -workspace DIR")
	// Built with explicit separators so that the answer for one GOOS does
	// not depend on the machine the test runs on.
	join := func(sep string, parts ...string) string {
		s := parts[0]
		for _, p := range parts[1:] {
			if len(s) > 0 && s[len(s)-1] != sep[0] {
				s += sep
			}
			s += p
		}
		return s
	}
	switch goos {
	case "windows":
		d := getenv("LocalAppData")
		if d == "" {
			return "", noHome
		}
		return join(`\`, d, "flowbatch"), nil
	case "darwin", "ios":
		h := getenv("HOME")
		if h == "" || h[0] != '/' {
			return "", noHome
		}
		return join("/", h, "Library", "Application Support", "flowbatch"), nil
	case "plan9":
		h := getenv("home")
		if h == "" {
			return "", noHome
		}
		return join("/", h, "lib", "flowbatch"), nil
	default:
		// XDG: a relative XDG_DATA_HOME is invalid and is ignored.
		if x := getenv("XDG_DATA_HOME"); x != "" && x[0] == '/' {
			return join("/", x, "flowbatch"), nil
		}
		h := getenv("HOME")
		if h == "" || h[0] != '/' {
			return "", noHome
		}
		return join("/", h, ".local", "share", "flowbatch"), nil
	}
}

// Workspace is one workspace directory. Reading is open to anyone;
// changing the index takes the lock (Lock).
type Workspace struct {
	Dir string
	// LockWait bounds how long Lock waits for another holder; zero is
	// DefaultLockWait.
	LockWait time.Duration

	now func() time.Time // tests move the clock
}

// DefaultLockWait is how long Lock waits for another process to finish
// its guard before it gives up.
const DefaultLockWait = 10 * time.Second

// Open returns the workspace at dir, which must exist (see Dir).
func Open(dir string) (*Workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		abs = r
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, fmt.Errorf("opening workspace: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("workspace %s is not a directory", abs)
	}
	return &Workspace{Dir: abs, now: time.Now}, nil
}

func (ws *Workspace) clock() time.Time {
	if ws.now == nil {
		return time.Now()
	}
	return ws.now()
}

// Locked is the workspace while this process holds its lock. Everything
// that writes the index goes through it, so that "under the lock" is a
// fact of the types. It is safe for use by one goroutine at a time.
type Locked struct {
	ws     *Workspace
	unlock func() error
	mu     sync.Mutex
	done   bool
}

// Workspace returns the workspace l locks.
func (l *Locked) Workspace() *Workspace { return l.ws }

// Unlock releases the workspace lock. Calling it again does nothing.
func (l *Locked) Unlock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done {
		return nil
	}
	l.done = true
	return l.unlock()
}

var errUnlocked = errors.New("workspace: the lock was already released")

func (l *Locked) check() error {
	if l == nil || l.done {
		return errUnlocked
	}
	return nil
}
