package main

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// One console and the command line on the same batches, with the real
// binaries: Ctrl-C (SIGINT) of serve stops its batch the way it stops
// run, the command line continues it with the command the page shows;
// and a batch the command line started is continued in the console.

// consoleClient is a plain HTTP client holding serve's cookie.
type consoleClient struct {
	s      *served
	client *http.Client
	csrf   string
}

func newConsoleClient(t *testing.T, s *served) *consoleClient {
	t.Helper()
	cc := &consoleClient{s: s, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, page := cc.get(t, "/")
	m := regexp.MustCompile(`name="csrf" value="([0-9a-f]{64})"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no CSRF token on the start page:\n%s", page)
	}
	cc.csrf = m[1]
	return cc
}

func (cc *consoleClient) do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	req.AddCookie(&http.Cookie{Name: tokenCookie, Value: cc.s.token})
	resp, err := cc.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	assertNoSecrets(t, req.URL.Path, b)
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, string(b)
}

func (cc *consoleClient) get(t *testing.T, path string) (int, string) {
	req, _ := http.NewRequest("GET", cc.s.base+path, nil)
	return cc.do(t, req)
}

func (cc *consoleClient) post(t *testing.T, path string, form url.Values) (int, string) {
	form.Set("csrf", cc.csrf)
	req, _ := http.NewRequest("POST", cc.s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return cc.do(t, req)
}

func (cc *consoleClient) upload(t *testing.T, path, file string, fields map[string]string) (int, string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", cc.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", filepath.Base(file))
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", cc.s.base+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return cc.do(t, req)
}

var shownCommand = regexp.MustCompile(`(?s)<pre class="small">flowbatch (run [^<]*)</pre>`)

func TestConsoleAndCommandLineShareBatches(t *testing.T) {
	bin := flowbatchBinary(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: 300 * time.Millisecond, SuccessRatio: 1,
		Faults: juhesim.Faults{Latency: 1, LatencyMin: 50 * time.Millisecond, LatencyMax: 80 * time.Millisecond}})
	defer sim.Close()
	dir := t.TempDir()
	ws := testWorkspace(t)
	rows := writeE2EInput(t, filepath.Join(dir, "unused.csv"), 50, rand.New(rand.NewPCG(9, 9)))
	var good []e2eRow
	for _, r := range rows {
		if r.valid {
			good = append(good, r)
		}
	}
	in := filepath.Join(dir, "gift.csv")
	writeGiftCSV(t, in, good)

	// Started in the console, stopped with Ctrl-C, continued from the
	// command line with the command the page shows.
	s := startServe(t, bin, sim.URL, ws, "-resubmit-grace", "3s")
	cc := newConsoleClient(t, s)
	_, plan := cc.upload(t, "/upload", in, map[string]string{"batch": "console-cli"})
	_, page := cc.get(t, plan+"/confirm")
	digest := html.UnescapeString(digestField.FindStringSubmatch(page)[1])
	amount := amountShown.FindStringSubmatch(page)[1]
	if code, loc := cc.post(t, plan+"/confirm", url.Values{"digest": {digest}, "amount": {amount}, "name": {"李出纳"}}); code != http.StatusSeeOther {
		t.Fatalf("confirm answered %d:\n%s", code, loc)
	}
	waitFor(t, "orders charged", 30*time.Second, func() bool { return sim.Ledger().Count >= 5 })
	_, page = cc.get(t, "/batch/console-cli")
	m := shownCommand.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the batch page shows no command line:\n%s", page)
	}
	s.cmd.Process.Signal(syscall.SIGINT)
	err := s.wait()
	if code := s.cmd.ProcessState.ExitCode(); code != ExitInterrupted {
		t.Fatalf("serve after SIGINT: %v, exit %d, want %d:\n%s", err, code, ExitInterrupted, s.out.String())
	}
	if !strings.Contains(s.out.String(), "every request in flight journaled") {
		t.Errorf("serve does not say its batch stopped cleanly:\n%s", s.out.String())
	}
	jp := filepath.Join(ws, "console-cli.journal")
	if _, held, _ := journal.Holder(jp); held {
		t.Errorf("the journal is still held after serve stopped")
	}
	if n := sim.Ledger().Count; n >= len(good) {
		t.Fatalf("the batch ended (%d charged) before serve was stopped", n)
	}
	args := strings.Fields(html.UnescapeString(m[1]))
	t0 := time.Now()
	res := runProc(t, bin, sim.URL, 0, args...)
	t.Logf("the command line finished the console's batch in %v", time.Since(t0).Round(time.Millisecond))
	if res.code != ExitOK {
		t.Fatalf("the page's command exited %d:\n%s", res.code, joinOutput(res))
	}
	assertLedgerMatches(t, "console-cli", good, sim.Ledger())
	assertNoSecrets(t, "serve's output", []byte(s.out.String()))

	// Started on the command line (and halted), continued in the console
	// with the very same file uploaded; another file is refused.
	in2 := filepath.Join(dir, "gift-2.csv")
	var second []e2eRow
	for i := range 20 {
		second = append(second, e2eRow{phone: fmt.Sprintf("186%08d", 4000+i), pid: "106000", valid: true})
	}
	writeGiftCSV(t, in2, second)
	// The balance runs out after 5 orders: the command line halts (exit 4).
	sim.SetBalance(5 * 19500)
	cli := runProc(t, bin, sim.URL, 0, "run", "-in", in2, "-batch", "cli-console",
		"-out", filepath.Join(dir, "cli.xlsx"), "-rate", "20", "-allow-short-balance", "-resubmit-grace", "3s")
	if cli.code != ExitHalted {
		t.Fatalf("the command line's run exited %d, want %d:\n%s", cli.code, ExitHalted, joinOutput(cli))
	}
	sim.SetBalance(1_000_000_000)
	s = startServe(t, bin, sim.URL, ws)
	cc = newConsoleClient(t, s)
	_, page = cc.get(t, "/batch/cli-console")
	if !strings.Contains(page, `id="file-form"`) {
		t.Fatalf("the console offers no way to continue a batch it has no file of:\n%s", page)
	}
	if code, _ := cc.upload(t, "/batch/cli-console/file", in, nil); code != http.StatusConflict {
		t.Errorf("another file for the batch answered %d, want 409", code)
	}
	if code, _ := cc.upload(t, "/batch/cli-console/file", in2, nil); code != http.StatusSeeOther {
		t.Fatalf("the batch's own file answered %d", code)
	}
	if code, _ := cc.post(t, "/batch/cli-console/continue", url.Values{}); code != http.StatusSeeOther {
		t.Fatalf("continue answered %d", code)
	}
	t0 = time.Now()
	defer func() {
		t.Logf("the console finished the command line's batch in %v", time.Since(t0).Round(time.Millisecond))
	}()
	deadline := time.Now().Add(60 * time.Second)
	for {
		_, page := cc.get(t, "/batch/cli-console")
		if strings.Contains(page, `id="finish"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the console did not finish the batch:\n%s", page)
		}
		time.Sleep(200 * time.Millisecond)
	}
	ledger := sim.Ledger()
	charged := map[string]int{}
	for _, o := range ledger.Orders {
		charged[o.OrderID]++
	}
	for _, r := range second {
		if id := input.OrderID("cli-console", r.phone, r.pid, 1); charged[id] != 1 {
			t.Errorf("%s charged %d times, want once", r.phone, charged[id])
		}
	}
}
