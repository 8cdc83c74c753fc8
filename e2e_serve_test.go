package main

// The console in a real browser: the real flowbatch serve, driven through
// headless Chromium (chromedp) against the simulator, killed with
// SIGKILL mid-batch and continued; the simulator's ledger proves every
// row was charged exactly once. Screenshots of each step are kept in
// $FLOWBATCH_ARTEFACTS (else the test's temporary folder; the path is
// printed).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

// chromiumPath finds Chromium, or skips the test outside CI (CI installs
// it: .ci/run).
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no Chromium on this machine; .ci/run installs it (apt-get install chromium)")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium); CI runs this test")
	return ""
}

// artefacts is the folder for the test's screenshots.
func artefacts(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if d := os.Getenv("FLOWBATCH_ARTEFACTS"); d != "" {
		dir = filepath.Join(d, "console")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// served is one flowbatch serve process.
type served struct {
	cmd   *exec.Cmd
	base  string // http://127.0.0.1:PORT
	token string
	out   *syncBuffer // what serve printed; written by the reader goroutine
	wait  func() error
}

var consoleURL = regexp.MustCompile(`open (http://127\.0\.0\.1:\d+)/\?token=([0-9a-f]{64})`)

func startServe(t *testing.T, bin, simURL, ws string, flags ...string) *served {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-workspace", ws, "-first-query=0", "-query-interval=0"}, flags...)...)
	cmd.Env = append(os.Environ(), "JUHE_KEY="+e2eKey, "JUHE_OPENID="+e2eOpenID, "JUHE_BASE_URL="+simURL)
	var out syncBuffer
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &served{cmd: cmd, out: &out}
	found, scanned := make(chan struct{}), make(chan struct{})
	// wait waits for serve to exit and for every line it printed to be read.
	s.wait = func() error {
		err := cmd.Wait()
		pw.Close()
		<-scanned
		return err
	}
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			out.Write([]byte(sc.Text() + "\n"))
			if m := consoleURL.FindStringSubmatch(sc.Text()); m != nil && s.base == "" {
				s.base, s.token = m[1], m[2]
				close(found)
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		s.wait()
	})
	select {
	case <-found:
	case <-time.After(20 * time.Second):
		t.Fatalf("serve printed no link:\n%s", out.String())
	}
	return s
}

// writeGiftCSV writes rows as the e2e inputs are written.
func writeGiftCSV(t *testing.T, path string, rows []e2eRow) {
	t.Helper()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"手机号", "产品编码", "姓名", "部门"})
	for _, r := range rows {
		w.Write([]string{r.phone, r.pid, r.name, "财务部"})
	}
	w.Flush()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestConsoleInBrowser(t *testing.T) {
	chrome := chromiumPath(t)
	bin := flowbatchBinary(t)
	shots := artefacts(t)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: 800 * time.Millisecond, SuccessRatio: 0.9, Seed: 7,
		Faults: juhesim.Faults{Latency: 1, LatencyMin: 60 * time.Millisecond, LatencyMax: 120 * time.Millisecond}})
	defer sim.Close()
	dir := t.TempDir()
	ws := testWorkspace(t)

	// A list with bad rows, and the same list fixed.
	all := writeE2EInput(t, filepath.Join(dir, "unused.csv"), 80, rand.New(rand.NewPCG(15, 15)))
	all[5].phone = all[5].phone[:9] + "x" + all[5].phone[10:]
	all[5].valid = false
	bad := filepath.Join(dir, "12月名单.csv")
	writeGiftCSV(t, bad, all)
	var good []e2eRow
	for _, r := range all {
		if r.valid {
			good = append(good, r)
		}
	}
	fixed := filepath.Join(dir, "12月名单-已改正.csv")
	writeGiftCSV(t, fixed, good)
	const batchID = "console-e2e"

	s := startServe(t, bin, sim.URL, ws, "-resubmit-grace", "3s")

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.WindowSize(1280, 1000))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox)
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(actx)
	defer cancelBrowser()
	ctx, cancel := context.WithTimeout(bctx, 5*time.Minute)
	defer cancel()

	var pages []string // every page's HTML, for the secret scan
	step := 0
	shot := func(name string) {
		t.Helper()
		step++
		// A screenshot can hang in headless Chromium now and then
		// (chromedp issues #770, #924): each try has its own deadline, and
		// a hung one is tried again, three times in all.
		var png []byte
		var err error
		for try := 0; try < 3; try++ {
			sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			png, err = chromedp.Run(sctx, chromedp.FullScreenshot(100))
			cancel()
			if err == nil || ctx.Err() != nil {
				break
			}
		}
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		p := filepath.Join(shots, fmt.Sprintf("%02d-%s.png", step, name))
		if err := os.WriteFile(p, png, 0o644); err != nil {
			t.Fatal(err)
		}
		html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, html)
	}
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			// What the browser showed then, for the person reading the failure.
			fctx, cancel := context.WithTimeout(bctx, 10*time.Second)
			defer cancel()
			if png, err := chromedp.Run(fctx, chromedp.FullScreenshot(100)); err == nil {
				os.WriteFile(filepath.Join(shots, "failed.png"), png, 0o644)
			}
			if os.Getenv("FLOWBATCH_DEBUG") != "" {
				s.cmd.Process.Signal(syscall.SIGQUIT)
				time.Sleep(time.Second)
			}
			t.Fatalf("%s: %v\nserve said:\n%s", what, err, s.out.String())
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return v
	}
	upload := func(file string) {
		t.Helper()
		do("open the start page", chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(chromedp.ID("upload-form")))
		do("choose "+filepath.Base(file), chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
		do("name the batch", chromedp.SetValue(chromedp.ID("batch"), batchID))
		do("upload "+filepath.Base(file), chromedp.Click(chromedp.ID("check-btn")))
		do("check "+filepath.Base(file), chromedp.WaitVisible(chromedp.ID("verdict")))
	}

	// 1. The link with the token opens the start page.
	do("open the link", chromedp.Navigate(s.base+"/?token="+s.token), chromedp.WaitVisible(chromedp.ID("upload-form")))
	shot("start")

	// 2. A file with a bad row: the problem is shown with its row number,
	// and it cannot be confirmed.
	upload(bad)
	shot("problems")
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll("#problems td.num")].filter(e => e.textContent == "7").length`)); n != 1 {
		t.Errorf("problems do not name row 7:\n%s", text("#problems"))
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#to-confirm").length`)); n != 0 {
		t.Errorf("a file with a bad row can be confirmed")
	}

	// 3. The file fixed: check passes, with the estimate and the balance.
	upload(fixed)
	shot("check")
	if v := text("#verdict"); !strings.Contains(v, strconv.Itoa(len(good))) {
		t.Fatalf("verdict does not offer the %d rows:\n%s\nserve said:\n%s", len(good), v, s.out.String())
	}

	// 4. Confirm: the amount typed and the name.
	do("to confirm", chromedp.Click(chromedp.ID("to-confirm")), chromedp.WaitVisible(chromedp.ID("confirm-form")))
	amount := strings.TrimSpace(text("#confirm-amount"))
	do("fill the confirmation", chromedp.SendKeys(chromedp.ID("amount"), amount), chromedp.SendKeys(chromedp.ID("name"), "王会计"))
	shot("confirm")
	do("confirm", chromedp.Click(chromedp.ID("confirm-btn")), chromedp.WaitVisible(chromedp.ID("watch")))

	// 5. Watch it, and kill serve with SIGKILL mid-batch.
	waitFor(t, "some orders charged", 30*time.Second, func() bool { return sim.Ledger().Count >= 5 })
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`Number(document.getElementById("st-sent").textContent) >= 5 && document.getElementById("st-rate").textContent != "—"`)); err != nil {
		t.Fatalf("no progress shown: %v", err)
	}
	shot("watch")
	if n := sim.Ledger().Count; n >= len(good) {
		t.Fatalf("the batch ended (%d charged) before serve could be killed mid-batch", n)
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.wait()
	killedAt := sim.Ledger().Count

	// 6. Start it again, open the batches, press continue.
	s = startServe(t, bin, sim.URL, ws)
	do("open the new link", chromedp.Navigate(s.base+"/?token="+s.token), chromedp.WaitVisible(chromedp.ID("upload-form")),
		chromedp.Navigate(s.base+"/batches"), chromedp.WaitVisible(chromedp.ID("batches")))
	shot("batches")
	do("continue", chromedp.Navigate(s.base+"/batch/"+batchID), chromedp.WaitVisible(chromedp.ID("continue-btn")))
	shot("reopened")

	// Meanwhile the balance ran low: continue halts before sending,
	// and says what to do in plain words.
	sim.SetBalance(1000)
	do("press continue", chromedp.Click(chromedp.ID("continue-btn")), chromedp.WaitVisible(chromedp.ID("halt")), chromedp.WaitVisible(chromedp.ID("continue-btn")))
	shot("halted")
	if got := text("#st-remedy"); got != "余额不足：请充值后点击继续" {
		t.Errorf("the halt's remedy reads %q", got)
	}
	sim.SetBalance(1_000_000_000)
	do("top up and continue", chromedp.Click(chromedp.ID("continue-btn")), chromedp.WaitVisible(chromedp.ID("watch")))

	// 7. Progress reaches done; the finish shows the headline and the files.
	do("finish", chromedp.WaitVisible(chromedp.ID("finish")), chromedp.WaitVisible(chromedp.ID("dl-workbook")))
	shot("finish")
	if h := text("#headline"); !strings.Contains(h, "勾稽 一致") {
		t.Errorf("headline %q does not tie out", h)
	}

	// The same page in English, and the settings page.
	do("English", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.ID("finish")))
	shot("finish-en")
	if h := text("#headline"); !strings.Contains(h, "succeeded") || !strings.Contains(h, "ties out") {
		t.Errorf("English headline %q", h)
	}
	do("settings", chromedp.Navigate(s.base+"/settings"), chromedp.WaitVisible(chromedp.ID("key-state")))
	shot("settings-en")
	if got := text("#key-state"); !strings.Contains(got, "environment") {
		t.Errorf("settings say the key is %q, want from the environment", got)
	}
	do("back", chromedp.Navigate(s.base+"/batch/"+batchID), chromedp.WaitVisible(chromedp.ID("dl-workbook")))

	// 8. Download the workbook through the browser.
	dl := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	do("download", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		on := true
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: &on})
		return err
	}), chromedp.Click(chromedp.ID("dl-workbook")))
	var got string
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			got = filepath.Join(dl, ev.GUID)
			break
		}
	}
	f, err := excelize.OpenFile(got)
	if err != nil {
		t.Fatalf("the downloaded workbook does not open: %v", err)
	}
	f.Close()

	// 9. The ledger: every row charged exactly once, across the kill.
	t.Logf("%d of %d charged when serve was killed", killedAt, len(good))
	assertLedgerMatches(t, batchID, good, sim.Ledger())

	// 10. The gate, from outside the browser.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cookie := &http.Cookie{Name: tokenCookie, Value: s.token}
	for _, tc := range []struct {
		name   string
		method string
		path   string
		host   string
		cookie bool
		header map[string]string
		form   url.Values
	}{
		{name: "no token", method: "GET", path: "/"},
		{name: "no token on the API", method: "GET", path: "/batch/" + batchID + "/events"},
		{name: "no token on a download", method: "GET", path: "/batch/" + batchID + "/file/workbook"},
		{name: "wrong token", method: "GET", path: "/?token=" + strings.Repeat("0", 64)},
		{name: "wrong Host", method: "GET", path: "/", cookie: true, host: "evil.example:80"},
		{name: "cross-site POST", method: "POST", path: "/batch/" + batchID + "/continue", cookie: true,
			header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, form: url.Values{"csrf": {csrfFor(s.token)}}},
		{name: "POST without the CSRF token", method: "POST", path: "/batch/" + batchID + "/continue", cookie: true},
	} {
		var body io.Reader
		if tc.form != nil {
			body = strings.NewReader(tc.form.Encode())
		}
		req, _ := http.NewRequest(tc.method, s.base+tc.path, body)
		if tc.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if tc.cookie {
			req.AddCookie(cookie)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %s %s answered %d, want 403", tc.name, tc.method, tc.path, resp.StatusCode)
		}
		pages = append(pages, string(b))
	}
	// With the token, the API answers, and holds no secret either.
	req, _ := http.NewRequest("GET", s.base+"/batch/"+batchID+"/events", nil)
	req.AddCookie(cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ev, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(ev, []byte(`"state":"done"`)) {
		t.Errorf("events with the token: %d %s", resp.StatusCode, ev)
	}
	pages = append(pages, string(ev))

	// Secrets: in no page, no answer, no output, no file of the workspace.
	for i, p := range pages {
		assertNoSecrets(t, fmt.Sprintf("page %d", i), []byte(p))
	}
	assertNoSecrets(t, "serve's output", []byte(s.out.String()))
	for _, p := range walkFiles(t, ws) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, p, data)
		if strings.Contains(p, string(filepath.Separator)+"uploads"+string(filepath.Separator)) {
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("upload %s has mode %v, want 0600", p, fi.Mode().Perm())
			}
		}
	}
}
