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

	"golang.org/x/term"
)

// version is set with -ldflags "-X main.version=…" by make build.
var version = "dev"

// env is what a command may read from its surroundings.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	lang           lang // of the terminal; Run sets it (termLang)
	// start, when set, is what the console binds to a batch it starts
	// (cmd_serve.go); the command line leaves it nil.
	start *startBinding
}

// A command's one-line summary is in commandSummaries (messages.go).
type command struct {
	name string
	run  func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"check", runCheck},
		{"submit", runSubmit},
		{"query", runQuery},
		{"reconcile", runReconcile},
		{"run", runRun},
		{"callback", runCallback},
		{"status", runStatus},
		{"workspace", runWorkspace},
		{"verify", runVerify},
		{"month", runMonth},
		{"sim", runSim},
		{"demo", runDemo},
		{"serve", runServe},
		{"version", runVersion},
	}
}

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	l := termLang(os.Args[1:], os.Getenv)
	// On a terminal the progress line is being drawn in place: clear it
	// first, so that the message is a line of its own.
	clear := ""
	if term.IsTerminal(int(os.Stderr.Fd())) {
		clear = "\r\x1b[K"
	}
	go func() {
		<-sigs
		fmt.Fprintln(os.Stderr, clear+msgInterrupting.in(l))
		cancel()
		<-sigs
		fmt.Fprintln(os.Stderr, msgExitingAtOnce.in(l))
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

// Run runs one flowbatch command line. Its messages are in the language
// of the command line (termLang); the error it returns is reported in it.
func Run(ctx context.Context, e *env, args []string) error {
	var mu sync.Mutex
	l := termLang(args, e.getenv)
	e = &env{stdout: safeWriter(&mu, e.stdout), stderr: safeWriter(&mu, e.stderr), getenv: e.getenv, lang: l, start: e.start}
	return inLang(runCommand(ctx, e, args), l)
}

func runCommand(ctx context.Context, e *env, args []string) error {
	if len(args) >= 2 && (args[0] == "-lang" || args[0] == "--lang") {
		args = args[2:] // flowbatch -lang zh COMMAND …
	}
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout, e.lang)
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
	return errOf(ExitUsage, msgUnknownCommand, args[0]).try(msgTryHelp)
}

func usage(w io.Writer, l lang) {
	fmt.Fprint(w, msgUsageHead.in(l))
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-10s %s\n", c.name, commandSummaries[c.name].in(l))
	}
	fmt.Fprint(w, msgUsageFoot.in(l))
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
