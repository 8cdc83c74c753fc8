//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// openPTY opens a pseudo-terminal of cols columns: the master to read
// what was drawn, the slave to give the process as its stderr.
func openPTY(t *testing.T, cols uint16) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	var unlock int32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCSPTLCK, uintptr(unsafe.Pointer(&unlock))); e != 0 {
		t.Skipf("unlockpt: %v", e)
	}
	var n uint32
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), syscall.TIOCGPTN, uintptr(unsafe.Pointer(&n))); e != 0 {
		t.Skipf("ptsname: %v", e)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("open pts: %v", err)
	}
	ws := struct{ row, col, x, y uint16 }{24, cols, 0, 0}
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, s.Fd(), syscall.TIOCSWINSZ, uintptr(unsafe.Pointer(&ws))); e != 0 {
		t.Skipf("set window size: %v", e)
	}
	t.Cleanup(func() { m.Close(); s.Close() })
	return m, s
}

// The progress line as the real binary draws it on a terminal, in both
// languages: each phase by name, redrawn in place, never wider than the
// terminal, its count never above its total, and the tallies.
func TestProgressOnATerminal(t *testing.T) {
	bin := flowbatchBinary(t)
	for _, tc := range []struct {
		lang, submit, settle, tally string
		counted                     *regexp.Regexp
	}{
		{"en", "]  submit: ", "]  settle: ", "success ", regexp.MustCompile(`(?:rows|orders) (\d+)/(\d+) `)},
		{"zh", "]  提交: ", "]  查询结果: ", "成功 ", regexp.MustCompile(`(?:已发送|已定) (\d+)/(\d+) `)},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: 300 * time.Millisecond, Seed: 7})
			defer sim.Close()
			dir := t.TempDir()
			var b strings.Builder
			b.WriteString("phone,pid\n")
			for i := range 60 {
				fmt.Fprintf(&b, "1390000%04d,105000\n", i)
			}
			in := filepath.Join(dir, "gift.csv")
			os.WriteFile(in, []byte(b.String()), 0o600)
			const cols = 100
			master, slave := openPTY(t, cols)
			cmd := exec.Command(bin, "run", "-lang", tc.lang, "-in", in, "-batch", "pty", "-journal", filepath.Join(dir, "p.journal"),
				"-out", filepath.Join(dir, "p.xlsx"), "-rate", "40")
			cmd.Env = append(os.Environ(), "JUHE_KEY="+e2eKey, "JUHE_OPENID="+e2eOpenID, "JUHE_BASE_URL="+sim.URL, wsEnvVar(t))
			cmd.Stderr = slave
			var out bytes.Buffer
			cmd.Stdout = &out
			read := make(chan []byte)
			go func() {
				var all bytes.Buffer
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					all.Write(buf[:n])
					if err != nil {
						break
					}
				}
				read <- all.Bytes()
			}()
			if err := cmd.Run(); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			slave.Close()
			var screen []byte
			select {
			case screen = <-read:
			case <-time.After(10 * time.Second):
				master.Close()
				screen = <-read
			}
			drawn := 0
			for _, frame := range regexp.MustCompile(`\r|\n`).Split(string(screen), -1) {
				frame = strings.TrimSuffix(frame, "\x1b[K")
				if !strings.Contains(frame, " [") || !strings.Contains(frame, "] ") {
					continue
				}
				drawn++
				if w := displayWidth(frame); w >= cols {
					t.Errorf("a frame %d columns wide on a %d-column terminal: %q", w, cols, frame)
				}
				if m := tc.counted.FindStringSubmatch(frame); m != nil {
					var done, total int
					fmt.Sscan(m[1], &done)
					fmt.Sscan(m[2], &total)
					if done > total || total > 60 || total == 0 {
						t.Errorf("frame counts %d/%d, want at most 60/60: %q", done, total, frame)
					}
				}
			}
			text := string(screen)
			for _, want := range []string{tc.submit, tc.settle, tc.tally} {
				if !strings.Contains(text, want) {
					t.Errorf("the terminal never showed %q:\n%q", want, text)
				}
			}
			if drawn < 2 {
				t.Errorf("%d progress frames drawn:\n%q", drawn, text)
			}
		})
	}
}
