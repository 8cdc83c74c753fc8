// Command flowbatch gifts mobile data plans in bulk through the 聚合数据
// flow-recharge API V2, and proves to the last 厘 what was spent.
//
//	flowbatch <command> [flags]
//
// See README.md for the commands, the exit codes and the rules of money.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
)

// version is set with -ldflags "-X main.version=…" by make build.
var version = "dev"

// env is what a command may read from its surroundings.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// start, when set, is what the console binds to a batch it starts
	// (cmd_serve.go); the command line leaves it nil.
	start *startBinding
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"check", "validate an input file and estimate its cost; spends nothing", runCheck},
		{"submit", "submit every valid row of an input file exactly once", runSubmit},
		{"query", "query open orders until each is final", runQuery},
		{"reconcile", "write the reconciliation workbook from a journal", runReconcile},
		{"run", "submit, query and reconcile in one resumable command", runRun},
		{"callback", "serve provider callbacks beside a running batch", runCallback},
		{"status", "print counts, spend and open orders of a journal", runStatus},
		{"workspace", "list the batches of the workspace, or forget a lost journal", runWorkspace},
		{"verify", "check a journal's checksums and hash chain", runVerify},
		{"sim", "serve the built-in provider simulator", runSim},
		{"demo", "run a sample batch against the built-in simulator", runDemo},
		{"serve", "serve the web console: start, watch and finish batches in a browser", runServe},
		{"version", "print the version", runVersion},
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, "flowbatch: interrupted: finishing requests in flight and flushing the journal (Ctrl-C again to exit at once; the journal stays safe)")
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, "flowbatch: exiting at once")
		os.Exit(ExitInterrupted)
	}()

	e := &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := Run(ctx, e, defaultArgs(runtime.GOOS, os.Args[1:]))
	code := report(e.stderr, err)
	// A window opened by a double-click closes when the program ends:
	// keep it until its message is read.
	if len(os.Args) == 1 && runtime.GOOS == "windows" && code != ExitInterrupted {
		fmt.Fprintln(os.Stderr, "按回车键关闭窗口 / Press Enter to close this window")
		bufio.NewReader(os.Stdin).ReadString('\n')
	}
	os.Exit(code)
}

// defaultArgs is the command line to run: on Windows, no command at all
// is the console, since that is what a double-click in Explorer gives.
func defaultArgs(goos string, args []string) []string {
	if len(args) == 0 && goos == "windows" {
		return []string{"serve"}
	}
	return args
}

// Run runs one flowbatch command line.
func Run(ctx context.Context, e *env, args []string) error {
	var mu sync.Mutex
	e = &env{stdout: safeWriter(&mu, e.stdout), stderr: safeWriter(&mu, e.stderr), getenv: e.getenv, start: e.start}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout)
		if len(args) == 0 {
			return &exitError{code: ExitUsage}
		}
		return nil
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return usageErr("unknown command %q", args[0]).hint("Try: flowbatch help")
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "flowbatch gifts mobile data plans in bulk through the 聚合数据 flow-recharge API V2.\n\nUsage:\n\n\tflowbatch <command> [flags]\n\nCommands:\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "\nRun 'flowbatch <command> -h' for a command's flags. Exit codes are in README.md.\n")
}

// A command writes from many goroutines at once: engine workers' log lines,
// the progress drawer, callback and simulator servers. safeWriter
// serialises the writes to w under mu; an *os.File needs no lock (each
// Write is one system call) and stays itself, so terminals are still seen.
func safeWriter(mu *sync.Mutex, w io.Writer) io.Writer {
	switch w.(type) {
	case *os.File, lockedWriter:
		return w
	}
	return lockedWriter{mu, w}
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func runVersion(ctx context.Context, e *env, args []string) error {
	fmt.Fprintf(e.stdout, "flowbatch %s\n", version)
	return nil
}
