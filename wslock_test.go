package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// A command that finds the workspace lock held by another process says
// so in the reader's language, the holder's pid and the wait in it, with
// what to do as its hint, and exits 6.
func TestWorkspaceLockedInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	_, vars := subSim(t, juhesim.Config{SettleDelay: -1})
	ws := testWorkspace(t)
	if err := os.MkdirAll(ws, 0o700); err != nil {
		t.Fatal(err)
	}
	vars["FLOWBATCH_WORKSPACE"] = ws // the subtests' too
	pid := holdWorkspace(t, ws)
	dir := t.TempDir()
	in := subCSV(t, dir, 2)
	waited := workspace.DefaultLockWait.String()
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"submit zh", []string{"submit", "-lang", "zh", "-in", in, "-batch", "a", "-journal", filepath.Join(dir, "a.journal"), "-period", "2026-11"},
			fmt.Sprintf("flowbatch：submit：工作区 %s 正被进程 %d 使用（已等待 %s）\n试试：等它把批次启动完，再运行同一命令\n", ws, pid, waited)},
		{"forget zh", []string{"workspace", "forget", "-lang", "zh", "-journal", filepath.Join(dir, "x.journal"), "-why", "lost"},
			fmt.Sprintf("flowbatch：workspace forget：工作区 %s 正被进程 %d 使用（已等待 %s）\n试试：等它把批次启动完，再运行同一命令\n", ws, pid, waited)},
		{"submit en", []string{"submit", "-lang", "en", "-in", in, "-batch", "b", "-journal", filepath.Join(dir, "b.journal"), "-period", "2026-11"},
			fmt.Sprintf("flowbatch: submit: workspace %s is in use by process %d (waited %s)\nTry: wait for it to finish starting its batch, then run the same command again\n", ws, pid, waited)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, errOut, code := runCmd(context.Background(), t, vars, c.args...)
			if code != ExitLocked || !strings.HasSuffix(errOut, c.want) {
				t.Errorf("exit %d, want %d; stderr:\n%s\nwant it to end:\n%s", code, ExitLocked, errOut, c.want)
			}
		})
	}
}

// The English of a held workspace is workspace.LockedError's own, its
// "Try:" the hint.
func TestWorkspaceLockedWordsAreTheErrors(t *testing.T) {
	for _, le := range []*workspace.LockedError{
		{Dir: "/w", PID: 42, Waited: 10 * time.Second},
		{Dir: "/w", Waited: 1500 * time.Microsecond},
	} {
		if got := (wsLockedWords{le}).in(langEN) + "; " + msgWsLockedTry.en; got != le.Error() {
			t.Errorf("English %q\n      the error's %q", got, le.Error())
		}
		if got := errText(langZH, fmt.Errorf("attesting: %w", le)); englishRun(got) != "" || !strings.Contains(got, "试试：") {
			t.Errorf("a held workspace as an error in zh: %q", got)
		}
	}
}

// holdWorkspace makes another process take the lock of the workspace
// dir, for the rest of the test, and returns its pid.
func holdWorkspace(t *testing.T, dir string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHoldWorkspaceLock$")
	cmd.Env = append(os.Environ(), "FLOWBATCH_TEST_HOLD_WORKSPACE="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "locked\n" {
		t.Fatalf("helper said %q, %v", line, err)
	}
	return cmd.Process.Pid
}

// TestHelperHoldWorkspaceLock is holdWorkspace's other process.
func TestHelperHoldWorkspaceLock(t *testing.T) {
	dir := os.Getenv("FLOWBATCH_TEST_HOLD_WORKSPACE")
	if dir == "" {
		t.Skip("helper process")
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ws.Lock(context.Background()); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString("locked\n")
	select {}
}
