package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"html"
	"io"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// A console in this process, behind its gate, on a real port, against
// the simulator; its client holds the token's cookie.
type testConsole struct {
	c      *console
	srv    *httptest.Server
	client *http.Client
	sim    *juhesim.Server
	ws     string
	pages  []string // every body read, for the secret scan
	cancel context.CancelFunc
}

func newTestConsole(t *testing.T, cfg juhesim.Config) *testConsole {
	t.Helper()
	cfg.Key, cfg.OpenID = e2eKey, e2eOpenID
	sim := juhesim.NewServer(cfg)
	t.Cleanup(sim.Close)
	ws := testWorkspace(t)
	vars := map[string]string{"JUHE_KEY": e2eKey, "JUHE_OPENID": e2eOpenID, "JUHE_BASE_URL": sim.URL}
	ctx, cancel := context.WithCancel(context.Background())
	e := &env{stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return vars[k] }}
	c, err := newConsole(ctx, e, ws, "", 1<<20, false)
	if err != nil {
		t.Fatal(err)
	}
	c.creds = credStore{path: filepath.Join(t.TempDir(), "config", "credentials.json")}
	c.grace = 3 * time.Second
	c.firstQuery, c.queryEvery = 0, 0 // not a minute's wait before the first query
	srv := httptest.NewUnstartedServer(c.handler())
	c.allowHosts(srv.Listener.Addr().(*net.TCPAddr).Port, true, "127.0.0.1", nil)
	srv.Start()
	jar, _ := cookiejar.New(nil)
	tc := &testConsole{c: c, srv: srv, sim: sim, ws: ws, cancel: cancel,
		client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	t.Cleanup(func() {
		cancel()
		c.wait()
		srv.Close()
		for i, p := range tc.pages {
			assertNoSecrets(t, fmt.Sprintf("answer %d", i), []byte(p))
		}
	})
	if code, _ := tc.get(t, "/?token="+c.token); code != http.StatusSeeOther {
		t.Fatalf("the link answered %d, want a redirect that sets the cookie", code)
	}
	return tc
}

func (tc *testConsole) do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := tc.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	tc.pages = append(tc.pages, string(b))
	if loc := resp.Header.Get("Location"); loc != "" {
		return resp.StatusCode, loc
	}
	return resp.StatusCode, string(b)
}

func (tc *testConsole) get(t *testing.T, path string) (int, string) {
	req, _ := http.NewRequest("GET", tc.srv.URL+path, nil)
	return tc.do(t, req)
}

func (tc *testConsole) post(t *testing.T, path string, form url.Values) (int, string) {
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("csrf") {
		form.Set("csrf", tc.c.csrf)
	}
	req, _ := http.NewRequest("POST", tc.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return tc.do(t, req)
}

// upload posts a file as the start page does and returns the plan's path.
func (tc *testConsole) upload(t *testing.T, name string, data []byte, fields map[string]string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", tc.c.csrf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", tc.srv.URL+"/upload", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return tc.do(t, req)
}

func giftCSV(n int) []byte {
	var b strings.Builder
	b.WriteString("手机号,产品编码,姓名\n")
	for i := range n {
		fmt.Fprintf(&b, "1390%07d,105000,员工%d\n", i, i)
	}
	return []byte(b.String())
}

var (
	digestField = regexp.MustCompile(`name="digest" value="([^"]*)"`)
	amountShown = regexp.MustCompile(`id="confirm-amount">([0-9,.]+)<`)
)

// confirmPlan opens the confirm page of a plan and posts it as a person
// would, with what the page showed.
func (tc *testConsole) confirmPlan(t *testing.T, plan string, edit func(url.Values)) (int, string) {
	t.Helper()
	code, page := tc.get(t, plan+"/confirm")
	if code != http.StatusOK {
		t.Fatalf("confirm page: %d\n%s", code, page)
	}
	d, a := digestField.FindStringSubmatch(page), amountShown.FindStringSubmatch(page)
	if d == nil || a == nil {
		t.Fatalf("confirm page lacks the digest or the amount:\n%s", page)
	}
	form := url.Values{"digest": {htmlUnescape(d[1])}, "amount": {a[1]}, "name": {"王会计"}}
	if edit != nil {
		edit(form)
	}
	return tc.post(t, plan+"/confirm", form)
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&#43;", "+", "&amp;", "&", "&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&#10;", "\n", "&quot;", `"`)
	return r.Replace(s)
}

func waitBatch(t *testing.T, tc *testConsole, id string) batchState {
	t.Helper()
	var s batchState
	waitFor(t, "the batch to end", 60*time.Second, func() bool {
		s = tc.c.state(context.Background(), id, "en")
		return !s.Running && (s.State == "done" || s.Code != 0 || s.State == "failed")
	})
	return s
}

func TestServeGate(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{})
	u, _ := url.Parse(tc.srv.URL)
	bare := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	ck := &http.Cookie{Name: tokenCookie, Value: tc.c.token}
	for _, tt := range []struct {
		name   string
		method string
		path   string
		cookie *http.Cookie
		host   string
		header map[string]string
		form   url.Values
		want   int
	}{
		{name: "no token", method: "GET", path: "/", want: 403},
		{name: "no token, static file", method: "GET", path: "/static/app.js", want: 403},
		{name: "no token, events", method: "GET", path: "/batch/x/events", want: 403},
		{name: "wrong token in the link", method: "GET", path: "/?token=" + strings.Repeat("a", 64), want: 403},
		{name: "wrong cookie", method: "GET", path: "/", cookie: &http.Cookie{Name: tokenCookie, Value: "x"}, want: 403},
		{name: "token in a POST's URL", method: "POST", path: "/lang?token=" + tc.c.token, want: 403},
		{name: "the cookie", method: "GET", path: "/", cookie: ck, want: 200},
		{name: "wrong Host", method: "GET", path: "/", cookie: ck, host: "evil.example:" + u.Port(), want: 403},
		{name: "rebound name on the right port", method: "GET", path: "/", cookie: ck, host: "attacker.test:" + u.Port(), want: 403},
		{name: "localhost", method: "GET", path: "/", cookie: ck, host: "localhost:" + u.Port(), want: 200},
		{name: "POST without CSRF", method: "POST", path: "/lang", cookie: ck, form: url.Values{"lang": {"en"}}, want: 403},
		{name: "POST with a wrong CSRF", method: "POST", path: "/lang", cookie: ck, form: url.Values{"csrf": {strings.Repeat("0", 64)}}, want: 403},
		{name: "cross-site POST", method: "POST", path: "/lang", cookie: ck, form: url.Values{"csrf": {tc.c.csrf}},
			header: map[string]string{"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, want: 403},
		{name: "POST from another origin", method: "POST", path: "/lang", cookie: ck, form: url.Values{"csrf": {tc.c.csrf}},
			header: map[string]string{"Origin": "http://127.0.0.1:1"}, want: 403},
		{name: "POST with Origin null", method: "POST", path: "/lang", cookie: ck, form: url.Values{"csrf": {tc.c.csrf}},
			header: map[string]string{"Origin": "null"}, want: 403},
		{name: "same-origin POST", method: "POST", path: "/lang", cookie: ck, form: url.Values{"csrf": {tc.c.csrf}},
			header: map[string]string{"Origin": tc.srv.URL, "Sec-Fetch-Site": "same-origin"}, want: 303},
		{name: "PUT", method: "PUT", path: "/lang", cookie: ck, want: 403},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.form != nil {
				body = strings.NewReader(tt.form.Encode())
			}
			req, _ := http.NewRequest(tt.method, tc.srv.URL+tt.path, body)
			if tt.form != nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			if tt.cookie != nil {
				req.AddCookie(tt.cookie)
			}
			if tt.host != "" {
				req.Host = tt.host
			}
			for k, v := range tt.header {
				req.Header.Set(k, v)
			}
			resp, err := bare.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s answered %d, want %d: %s", tt.method, tt.path, resp.StatusCode, tt.want, b)
			}
		})
	}

	// The link's cookie: HttpOnly, SameSite=Strict.
	resp, err := bare.Get(tc.srv.URL + "/?token=" + tc.c.token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	sc := resp.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Strict", tokenCookie + "=" + tc.c.token} {
		if !strings.Contains(sc, want) {
			t.Errorf("the cookie %q lacks %s", sc, want)
		}
	}
	// no-referrer would make a browser send "Origin: null" with every
	// form, which the origin check refuses (found by the browser test).
	if rp := resp.Header.Get("Referrer-Policy"); rp != "same-origin" {
		t.Errorf("Referrer-Policy %q, want same-origin", rp)
	}
	if loc := resp.Header.Get("Location"); strings.Contains(loc, "token") {
		t.Errorf("the redirect keeps the token in the URL: %s", loc)
	}
}

func TestServeRefusesRemoteWithoutTLS(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"-addr", "0.0.0.0:0"}, "not a loopback address"},
		{[]string{"-addr", ":0"}, "not a loopback address"},
		{[]string{"-addr", "0.0.0.0:0", "-allow-remote"}, "needs -tls-cert and -tls-key"},
		{[]string{"-addr", "192.0.2.1:0", "-allow-remote", "-tls-cert", "c.pem"}, "needs -tls-cert and -tls-key"},
		{[]string{"-addr", "127.0.0.1:0", "-tls-cert", "c.pem"}, "both -tls-cert and -tls-key"},
	} {
		_, stderr, code := runCmd(context.Background(), t, nil, append([]string{"serve"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(stderr, tt.want) {
			t.Errorf("serve %v: exit %d, want %d with %q:\n%s", tt.args, code, ExitUsage, tt.want, stderr)
		}
	}
}

func TestServeSettingsOnLoopbackOnlyAndNeverSentBack(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{})
	const key, openID = "NEW-SETTINGS-KEY-91b2", "NEW-SETTINGS-OPENID-77c1"
	code, page := tc.post(t, "/settings", url.Values{"key": {key}, "openid": {openID}})
	if code != http.StatusOK || !strings.Contains(page, `id="saved"`) {
		t.Fatalf("saving the settings: %d\n%s", code, page)
	}
	for _, p := range append(slices.Clone(tc.pages), page) {
		if strings.Contains(p, key) || strings.Contains(p, openID) {
			t.Errorf("a page sends the key or the OpenID back")
		}
	}
	if _, page := tc.get(t, "/settings"); strings.Contains(page, key) || strings.Contains(page, openID) {
		t.Errorf("the settings page shows the saved key")
	}
	fi, err := os.Stat(tc.c.creds.path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("settings file mode %v, want 0600", fi.Mode().Perm())
	}
	if cr, _ := tc.c.creds.load(); cr.Key != key || cr.OpenID != openID {
		t.Errorf("settings file holds %+v", cr)
	}
	// The environment's key wins over the file's.
	if got := tc.c.getenv("JUHE_KEY"); got != e2eKey {
		t.Errorf("getenv(JUHE_KEY) is not the environment's")
	}

	// From another computer: refused, reading or writing.
	for _, m := range []string{"GET", "POST"} {
		form := url.Values{"csrf": {tc.c.csrf}, "key": {"X"}}
		req := httptest.NewRequest(m, "/settings", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = tc.srv.Listener.Addr().String()
		req.RemoteAddr = "192.0.2.7:40000"
		req.AddCookie(&http.Cookie{Name: tokenCookie, Value: tc.c.token})
		w := httptest.NewRecorder()
		tc.c.handler().ServeHTTP(w, req)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s /settings from 192.0.2.7 answered %d, want 403", m, w.Code)
		}
	}
	if cr, _ := tc.c.creds.load(); cr.Key != key {
		t.Errorf("a remote POST changed the key")
	}
}

func TestServeUploadStoredBySHA256UnderItsName(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{})
	data := giftCSV(3)
	code, loc := tc.upload(t, "../../../etc/evil name.csv", data, map[string]string{"batch": "up-1"})
	if code != http.StatusSeeOther || !strings.HasPrefix(loc, "/plan/") {
		t.Fatalf("upload answered %d %s", code, loc)
	}
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if files := dirFiles(t, filepath.Join(tc.ws, "uploads", sha)); !slices.Equal(files, []string{"evil name.csv"}) {
		t.Fatalf("uploads/SHA256 holds %v, want the file's own name only", files)
	}
	for _, f := range []string{sha + ".json", filepath.Join(sha, "evil name.csv")} {
		fi, err := os.Stat(filepath.Join(tc.ws, "uploads", f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v, want 0600", f, err, fi.Mode().Perm())
		}
	}
	for _, d := range []string{"uploads", filepath.Join("uploads", sha)} {
		if fi, _ := os.Stat(filepath.Join(tc.ws, d)); fi.Mode().Perm() != 0o700 {
			t.Errorf("%s folder has mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
	_, page := tc.get(t, loc)
	if !strings.Contains(page, "evil name.csv") || strings.Contains(page, "../") {
		t.Errorf("the check page does not show the file's own name only")
	}

	// Too big, and an extension the reader does not read.
	if code, _ := tc.upload(t, "big.csv", bytes.Repeat([]byte("x"), 3<<20), map[string]string{"batch": "up-2"}); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a 3 MiB upload past -max-upload 1 answered %d, want 413", code)
	}
	if code, _ := tc.upload(t, "list.exe", data, map[string]string{"batch": "up-3"}); code != http.StatusBadRequest {
		t.Errorf("an .exe upload answered %d, want 400", code)
	}
}

// TestServeBatchThroughAndContinue takes a batch from upload to done,
// and proves that the console's run is the command line's run: the
// journal's header names who confirmed, the cap is bound, and a continue
// takes the journal's settings, not the form's.
func TestServeBatchThroughAndContinue(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: 50 * time.Millisecond, SuccessRatio: 1})
	_, plan := tc.upload(t, "gift.csv", giftCSV(12), map[string]string{"batch": "through"})
	code, loc := tc.confirmPlan(t, plan, nil)
	if code != http.StatusSeeOther || loc != "/batch/through" {
		t.Fatalf("confirm answered %d %s", code, loc)
	}
	s := waitBatch(t, tc, "through")
	if s.State != "done" || s.Success != 12 {
		_, _, log := tc.c.lastOutcome("through")
		t.Fatalf("batch ended %s with %d success:\n%s\n%s", s.State, s.Success, s.Message, log)
	}
	if n := tc.sim.Ledger().Count; n != 12 {
		t.Errorf("%d charged, want 12", n)
	}
	b, err := batch.LoadBook(context.Background(), filepath.Join(tc.ws, "through.journal"))
	if err != nil {
		t.Fatal(err)
	}
	h := b.Header.Settings
	if h[settingConfirmedBy] != "王会计" || h[settingConsoleUser] != workspace.Who().User || h[settingConfirmedYuan] != "235.560" {
		t.Errorf("header settings: confirmed_by %q console_user %q confirmed_yuan %q", h[settingConfirmedBy], h[settingConsoleUser], h[settingConfirmedYuan])
	}
	_, page := tc.get(t, "/batch/through")
	for _, want := range []string{`id="finish"`, "12 人成功 · 支出 235.560 元", "勾稽 一致", `id="dl-workbook"`, `id="dl-masked"`, `id="dl-retry"`, `id="dl-attest"`} {
		if !strings.Contains(page, want) {
			t.Errorf("finish page lacks %s", want)
		}
	}
	for _, kind := range outputKinds[:2] {
		if code, body := tc.get(t, "/batch/through/file/"+kind); code != 200 || !strings.HasPrefix(body, "PK") {
			t.Errorf("download %s: %d", kind, code)
		}
	}
	if code, _ := tc.get(t, "/batch/through/file/..%2f..%2fthrough.journal"); code != 404 {
		t.Errorf("a download by path answered %d, want 404", code)
	}

	// Continue: what running the same command again does; a form field
	// changes nothing.
	code, _ = tc.post(t, "/batch/through/continue", url.Values{"rate": {"9999"}, "in": {"/etc/passwd"}, "skip_invalid": {"on"}})
	if code != http.StatusSeeOther {
		t.Fatalf("continue answered %d", code)
	}
	waitBatch(t, tc, "through")
	tc.c.mu.Lock()
	args := tc.c.jobs["through"].Args
	tc.c.mu.Unlock()
	if slices.Contains(args, "9999") || slices.Contains(args, "/etc/passwd") || slices.Contains(args, "-skip-invalid") {
		t.Errorf("continue took the form's fields: %q", args)
	}
	if n := tc.sim.Ledger().Count; n != 12 {
		t.Errorf("after continue %d charged, want 12", n)
	}
}

// TestServeConfirmBindsTheCap holds the console to the hard budget cap:
// the confirmed amount is given to run as -max-spend, a flag run has.
func TestServeConfirmBindsTheCap(t *testing.T) {
	c := &console{ws: "/ws"}
	args := c.runArgs("b", "", "/ws/uploads/x.csv", map[string]string{}, "235.560", "zh")
	if run := flag.NewFlagSet("run", flag.ContinueOnError); addSubmitFlags(run) == nil || run.Lookup("max-spend") == nil {
		t.Fatalf("run has no -max-spend yet: the confirmed amount cannot be the batch's hard cap (args %q)", args)
	}
	if i := slices.Index(args, "-max-spend"); i < 0 || args[i+1] != "235.560" {
		t.Errorf("the confirmed amount is not run's -max-spend: %q", args)
	}
}

func TestServeConfirmRefusals(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: 50 * time.Millisecond, SuccessRatio: 1})
	_, plan := tc.upload(t, "gift.csv", giftCSV(5), map[string]string{"batch": "refuse"})
	for _, tt := range []struct {
		name string
		edit func(url.Values)
		want string
	}{
		{"another amount", func(f url.Values) { f.Set("amount", "98.149") }, "not the amount to confirm"},
		{"no name", func(f url.Values) { f.Set("name", " ") }, "type your name"},
		{"the page shown is stale", func(f url.Values) {
			f.Set("digest", strings.Replace(f.Get("digest"), "105000×5", "105000×4", 1))
		}, `id="changes"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tc.post(t, "/lang", url.Values{"lang": {"en"}})
			code, page := tc.confirmPlan(t, plan, tt.edit)
			if code != http.StatusConflict || !strings.Contains(page, tt.want) {
				t.Errorf("answered %d, want 409 with %q:\n%s", code, tt.want, page)
			}
		})
	}
	if n := tc.sim.Requests().Submits; n != 0 {
		t.Errorf("%d submits after refused confirmations", n)
	}
}

// TestStartBindingRefusesChangedFacts: the facts confirmed are checked
// again by run itself, under the workspace lock; a change refuses the
// start, exit 3, saying what changed, with nothing written or sent.
func TestStartBindingRefusesChangedFacts(t *testing.T) {
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"en", []string{"what was confirmed changed", "sha256 was 0000", "rows was 3", "105000×3", "nothing was sent"}},
		// In Chinese, as the terminal and the batch's page say it.
		{"zh", []string{"确认的内容在批次开始前变了", "文件 (sha256) 确认时是 0000", "待发送的行 确认时是 3", "105000×3", "什么都没有发送"}},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			sim, vars := subSim(t, juhesim.Config{SettleDelay: 10 * time.Millisecond, SuccessRatio: 1})
			dir := t.TempDir()
			in := subCSV(t, dir, 4)
			journalPath := filepath.Join(dir, "bind.journal")
			confirmed := boundFacts{SHA256: "0000", Rows: 3, Pids: map[string]int{"105000": 3}}
			var out, errb bytes.Buffer
			vars = withWorkspace(t, vars)
			e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] },
				start: &startBinding{facts: confirmed, extra: map[string]string{settingConfirmedBy: "x"}}}
			err := Run(context.Background(), e, []string{"run", "-in", in, "-batch", "bind", "-journal", journalPath, "-out", filepath.Join(dir, "bind.xlsx"), "-lang", tt.lang})
			code := report(&errb, err)
			if code != ExitInvalid {
				t.Fatalf("exit %d, want %d:\n%s", code, ExitInvalid, errb.String())
			}
			for _, want := range tt.want {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("refusal lacks %q:\n%s", want, errb.String())
				}
			}
			if tt.lang == "zh" {
				if run := englishRun(refusalOf(errb.String())); run != "" {
					t.Errorf("the refusal reads English in zh (%q):\n%s", run, errb.String())
				}
			}
			if _, err := os.Stat(journalPath); !os.IsNotExist(err) {
				t.Errorf("a journal was written: %v", err)
			}
			if n := sim.Requests().Submits; n != 0 {
				t.Errorf("%d submits", n)
			}
		})
	}
}

// TestServeLockedBatchShowsTheLockError: a batch another process holds
// (another console, or a CLI) gets the lock error, shown on the page.
func TestServeLockedBatchShowsTheLockError(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: time.Hour})
	_, plan := tc.upload(t, "gift.csv", giftCSV(3), map[string]string{"batch": "held"})
	tc.confirmPlan(t, plan, nil)
	waitFor(t, "the batch to be submitted", 30*time.Second, func() bool { return tc.sim.Requests().Submits >= 3 })
	tc.cancel() // Ctrl-C: the run stops the way the CLI's does
	tc.c.wait()
	if o, _, _ := tc.c.lastOutcome("held"); o == nil || o.Code != ExitInterrupted {
		t.Fatalf("the run after Ctrl-C ended %+v, want exit %d", o, ExitInterrupted)
	}
	j, _, err := batch.OpenJournal(context.Background(), filepath.Join(tc.ws, "held.journal"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()

	// A second console on the same workspace.
	tc2 := newTestConsole(t, juhesim.Config{})
	tc2.c.ws = tc.ws
	if code, _ := tc2.post(t, "/batch/held/continue", nil); code != http.StatusSeeOther {
		t.Fatalf("continue answered %d", code)
	}
	var o *outcome
	waitFor(t, "the continue to end", 30*time.Second, func() bool { o, _, _ = tc2.c.lastOutcome("held"); return o != nil })
	if s := tc2.c.state(context.Background(), "held", "zh"); s.Code != ExitLocked || s.HeldBy != os.Getpid() {
		t.Fatalf("continue on a held journal ended %d, want %d: %s", s.Code, ExitLocked, s.Message)
	}
	_, page := tc2.get(t, "/batch/held")
	if !strings.Contains(page, word("zh", "remedy.locked")) || !strings.Contains(page, "journal") {
		t.Errorf("the page does not show the lock error:\n%s", page)
	}
}

func TestConsoleWordsComplete(t *testing.T) {
	for k, w := range consoleWords {
		if w.en == "" || w.zh == "" {
			t.Errorf("%s lacks a language: %q", k, w)
		}
	}
	for _, k := range consoleKeysUsed(t) {
		if _, ok := consoleWords[k]; !ok {
			t.Errorf("word %q is used but not in consoleWords (messages.go)", k)
		}
	}
	for _, s := range []string{"preparing", "running", "halted", "open", "done", "failed", "none"} {
		if _, ok := consoleWords["state."+s]; !ok {
			t.Errorf("no word for state %s", s)
		}
	}
	for k := range consoleWords {
		if strings.HasPrefix(k, "st.") {
			t.Errorf("consoleWords[%q]: the seven states are named by reconcile.StateName, as in the workbook and on the terminal", k)
		}
	}
	for _, k := range outputKinds {
		for _, key := range []string{"file." + k, "file." + k + ".note"} {
			if _, ok := consoleWords[key]; !ok {
				t.Errorf("no word %s for file %s", key, k)
			}
		}
	}
	for _, from := range []string{"env", "file", ""} {
		if _, ok := consoleWords["settings.from."+from]; !ok {
			t.Errorf("no word for a key set from %q", from)
		}
	}
	all := boundFacts{SHA256: "a", Rows: 1, Pids: map[string]int{"105000": 1}, Guard: []string{"x"}}
	for _, ch := range all.changes(boundFacts{}) {
		if _, ok := consoleWords["fact."+ch.What]; !ok {
			t.Errorf("no word for the fact %s", ch.What)
		}
	}
}

// consoleKeysUsed are the keys the console names: {{.T "key"}} and
// {{.Tf "key" …}} in its templates and script, and every string literal
// of serve_*.go that has the form of a key of the catalogue (its first
// part one of the catalogue's: "start.title", "why.refused",
// word(l, "remedy.key")). A key built at run time ("state."+s) is
// checked above, by what it is built from.
func consoleKeysUsed(t *testing.T) []string {
	t.Helper()
	var keys []string
	tmpl := regexp.MustCompile(`\.Tf? "([a-z][a-z0-9._]*)"`)
	err := fs.WalkDir(consoleFiles, "console", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := consoleFiles.ReadFile(p)
		for _, m := range tmpl.FindAllStringSubmatch(string(b), -1) {
			if !strings.HasSuffix(m[1], ".") {
				keys = append(keys, m[1])
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	spaces := map[string]bool{}
	for k := range consoleWords {
		ns, _, _ := strings.Cut(k, ".")
		spaces[ns] = true
	}
	keyForm := regexp.MustCompile(`^([a-z]+)(\.[a-z0-9_]+)+$`)
	files, _ := filepath.Glob("serve_*.go")
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				s, _ := strconv.Unquote(lit.Value)
				if m := keyForm.FindStringSubmatch(s); m != nil && spaces[m[1]] {
					keys = append(keys, s)
				}
			}
			return true
		})
	}
	if len(keys) < 150 {
		t.Fatalf("found %d keys the console names; is the search missing them?", len(keys))
	}
	return keys
}

// TestConsoleFailuresInThePagesLanguage: what a page or a plain answer
// says when a request cannot be done is the catalogue's, in the page's
// language, the file system's part too (errText): an upload past
// -max-upload, an upload the workspace cannot store, settings that
// cannot be saved.
func TestConsoleFailuresInThePagesLanguage(t *testing.T) {
	for _, tt := range []struct {
		lang                      string
		tooLarge, noStore, noSave string
		notAFolder                string
	}{
		{"zh", "文件超过 1 MiB", "文件无法保存到工作区：", "设置无法保存：", "不是文件夹"},
		{"en", "The file is larger than 1 MiB", "The file could not be stored in the workspace: ", "The settings could not be saved: ", "not a directory"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			tc := newTestConsole(t, juhesim.Config{})
			tc.post(t, "/lang", url.Values{"lang": {tt.lang}})
			code, body := tc.upload(t, "big.csv", bytes.Repeat([]byte("x"), 3<<20), map[string]string{"batch": "big"})
			if code != http.StatusRequestEntityTooLarge || !strings.Contains(body, tt.tooLarge) {
				t.Errorf("an upload past -max-upload: %d, want 413 with %q:\n%s", code, tt.tooLarge, body)
			}
			// The uploads folder is a file: nothing can be stored.
			os.MkdirAll(tc.ws, 0o700)
			if err := os.WriteFile(filepath.Join(tc.ws, "uploads"), nil, 0o600); err != nil {
				t.Fatal(err)
			}
			code, page := tc.upload(t, "gift.csv", giftCSV(2), map[string]string{"batch": "nostore"})
			if code != http.StatusInternalServerError || !strings.Contains(page, tt.noStore) || !strings.Contains(page, tt.notAFolder) {
				t.Errorf("an upload not stored: %d, want 500 with %q and %q:\n%s", code, tt.noStore, tt.notAFolder, page)
			}
			// The settings' folder is under a file: they cannot be saved.
			blocker := filepath.Join(t.TempDir(), "file")
			os.WriteFile(blocker, nil, 0o600)
			tc.c.creds = credStore{path: filepath.Join(blocker, "flowbatch", "credentials.json")}
			code, page = tc.post(t, "/settings", url.Values{"key": {"k"}, "openid": {"o"}})
			if code != http.StatusInternalServerError || !strings.Contains(page, tt.noSave) || !strings.Contains(page, tt.notAFolder) {
				t.Errorf("settings not saved: %d, want 500 with %q and %q:\n%s", code, tt.noSave, tt.notAFolder, page)
			}
		})
	}
}

func TestDefaultArgsDoubleClickOnWindows(t *testing.T) {
	for _, tt := range []struct {
		goos string
		args []string
		want []string
	}{
		{"windows", nil, []string{"serve"}},
		{"windows", []string{"check"}, []string{"check"}},
		{"linux", nil, nil},
		{"darwin", nil, nil},
	} {
		if got := defaultArgs(tt.goos, tt.args); !slices.Equal(got, tt.want) {
			t.Errorf("defaultArgs(%s, %q) = %q, want %q", tt.goos, tt.args, got, tt.want)
		}
	}
}

func TestRemedyInPlainWords(t *testing.T) {
	for _, tt := range []struct {
		code int
		msg  string
		want string
	}{
		{ExitHalted, "flowbatch: run: halted: balance insufficient (210505) at row 1,204: top up, then run the same command again", "余额不足：请充值后点击继续"},
		{ExitHalted, "flowbatch: run: refused to start: the estimate for the 3 rows to send, 58.890 yuan, exceeds the balance, 10.000 yuan", "余额不足：请充值后点击继续"},
		{ExitHalted, "flowbatch: run: halted before the first request: key refused (10001 错误的请求KEY); nothing was sent", "密钥或 OpenID 不对"},
		{ExitHalted, "flowbatch: run: halted: API under maintenance (10020)", "接口维护中"},
		{ExitLocked, "flowbatch: run: journal x is in use by process 42", "另一个程序"},
		{ExitOpen, "flowbatch: run: 3 rows not final yet", "还有订单在充值中"},
		{ExitInterrupted, "interrupted", "已中断"},
		{ExitOK, "", ""},
	} {
		if got := remedy("zh", tt.code, tt.msg); !strings.Contains(got, tt.want) || (tt.want == "" && got != "") {
			t.Errorf("remedy(%d, %q) = %q, want %q", tt.code, tt.msg, got, tt.want)
		}
	}
}

// TestServeConfirmShowsWhatChanged: another batch sends to the same
// people between the confirm page and the confirmation; the console
// refuses, and says that the guard's result changed.
func TestServeConfirmShowsWhatChanged(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: 10 * time.Millisecond, SuccessRatio: 1})
	data := giftCSV(4)
	_, plan := tc.upload(t, "gift.csv", data, map[string]string{"batch": "late"})
	_, page := tc.get(t, plan+"/confirm")
	digest, amount := htmlUnescape(digestField.FindStringSubmatch(page)[1]), amountShown.FindStringSubmatch(page)[1]

	// Meanwhile, from a terminal, the same people in another batch.
	other := filepath.Join(t.TempDir(), "other.csv")
	os.WriteFile(other, append(data, "13900000099,105000,someone else\n"...), 0o600)
	vars := map[string]string{"JUHE_KEY": e2eKey, "JUHE_OPENID": e2eOpenID, "JUHE_BASE_URL": tc.sim.URL}
	if _, stderr, code := runCmd(context.Background(), t, vars, "submit", "-in", other, "-batch", "early"); code != ExitOK {
		t.Fatalf("the other batch: exit %d\n%s", code, stderr)
	}
	before := tc.sim.Ledger().Count

	code, page := tc.post(t, plan+"/confirm", url.Values{"digest": {digest}, "amount": {amount}, "name": {"王会计"}})
	if code != http.StatusConflict || !strings.Contains(page, `id="changes"`) || !strings.Contains(page, word("zh", "fact.guard")) {
		t.Fatalf("answered %d, want 409 naming the guard's result:\n%s", code, page)
	}
	if strings.Contains(page, "<td>"+word("zh", "fact.sha256")+"</td>") {
		t.Errorf("the file did not change, but the page says it did")
	}
	if n := tc.sim.Ledger().Count; n != before {
		t.Errorf("%d more charged after a refused confirmation", n-before)
	}
}

// TestServeRemoteOverTLS: with -allow-remote, the console answers over
// TLS only, to the host names given, and still needs the token.
func TestServeRemoteOverTLS(t *testing.T) {
	dir := t.TempDir()
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	writeSelfSigned(t, cert, key)
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan int, 1)
	vars := withWorkspace(t, nil)
	go func() {
		e := &env{stdout: &out, stderr: &out, getenv: func(k string) string { return vars[k] }}
		done <- report(&out, Run(ctx, e, []string{"serve", "-addr", "0.0.0.0:0", "-allow-remote", "-tls-cert", cert, "-tls-key", key, "-hostname", "console.example"}))
	}()
	var base, token string
	link := regexp.MustCompile(`open https://console\.example:(\d+)/\?token=([0-9a-f]{64})`)
	waitFor(t, "serve's link", 10*time.Second, func() bool {
		if m := link.FindStringSubmatch(out.String()); m != nil {
			base, token = "https://127.0.0.1:"+m[1], m[2]
			return true
		}
		return false
	})
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: insecureTLS()},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, tt := range []struct {
		host, query string
		want        int
	}{
		{"console.example", "", 403},
		{"console.example", "?token=" + token, 303},
		{"127.0.0.1", "?token=" + token, 403}, // not a name given
		{"localhost", "?token=" + token, 403},
	} {
		req, _ := http.NewRequest("GET", base+"/"+tt.query, nil)
		req.Host = tt.host + ":" + strings.TrimPrefix(base[strings.LastIndex(base, ":"):], ":")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("Host %s %q: %d, want %d", tt.host, tt.query, resp.StatusCode, tt.want)
		}
		if tt.want == 303 && !strings.Contains(resp.Header.Get("Set-Cookie"), "Secure") {
			t.Errorf("the cookie over TLS is not Secure: %s", resp.Header.Get("Set-Cookie"))
		}
	}
	// Plain HTTP on the TLS port gets nothing.
	if resp, err := http.Get("http://" + strings.TrimPrefix(base, "https://") + "/?token=" + token); err == nil {
		if resp.StatusCode == 200 || resp.StatusCode == 303 {
			t.Errorf("plain HTTP answered %d", resp.StatusCode)
		}
		resp.Body.Close()
	}
	cancel()
	if code := <-done; code != ExitInterrupted {
		t.Errorf("serve after cancel exited %d, want %d", code, ExitInterrupted)
	}
}

// TestServeCheckShowsTheGuardRefusal: a list whose people another batch
// already gifted this month shows the guard's refusal, and cannot be
// confirmed.
func TestServeCheckShowsTheGuardRefusal(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: 10 * time.Millisecond, SuccessRatio: 1})
	data := giftCSV(3)
	in := filepath.Join(t.TempDir(), "first.csv")
	os.WriteFile(in, data, 0o600)
	vars := map[string]string{"JUHE_KEY": e2eKey, "JUHE_OPENID": e2eOpenID, "JUHE_BASE_URL": tc.sim.URL}
	if _, stderr, code := runCmd(context.Background(), t, vars, "submit", "-in", in, "-batch", "first"); code != ExitOK {
		t.Fatalf("the first batch: exit %d\n%s", code, stderr)
	}
	_, plan := tc.upload(t, "again.csv", append(data, "13900000077,105000,new\n"...), map[string]string{"batch": "second"})
	_, page := tc.get(t, plan)
	for _, want := range []string{`class="card bad" id="guard"`, "工作区检查拒绝批次 second（周期 ", `"first"`, word("zh", "why.check")} {
		if !strings.Contains(html.UnescapeString(page), want) {
			t.Errorf("the check page lacks %q", want)
		}
	}
	// check's own verdict, below, speaks the page's language too.
	if _, verdict, _ := strings.Cut(html.UnescapeString(page), `id="verdict"`); strings.Contains(verdict, "the workspace guard refuses") || !strings.Contains(verdict, "拒绝批次 second") {
		t.Errorf("check's verdict on a Chinese page:\n%s", verdict)
	}
	if strings.Contains(page, `id="to-confirm"`) {
		t.Errorf("a batch the guard refuses can be confirmed")
	}
	if code, _ := tc.get(t, plan+"/confirm"); code != http.StatusSeeOther {
		t.Errorf("its confirm page answered %d, want a redirect back to the check", code)
	}
}

func TestUploadFileName(t *testing.T) {
	long := strings.Repeat("名", 100)
	for _, tc := range []struct{ shown, ext, want string }{
		{"11月流量赠送名单.xlsx", ".xlsx", "11月流量赠送名单.xlsx"},
		{`C:\Users\王\Desktop\11月名单.CSV`, ".csv", "11月名单.CSV"},
		{"../../../etc/passwd.csv", ".csv", "passwd.csv"},
		{"a\x00b\nc\u202egpj.csv", ".csv", "abcgpj.csv"},
		{`what?:<x>|"y"*.ods`, ".ods", "what___x___y__.ods"},
		{"..csv", ".csv", "upload.csv"},
		{".hidden.csv", ".csv", "hidden.csv"},
		{"  trailing. .csv", ".csv", "trailing.csv"},
		{"CON.csv", ".csv", "_CON.csv"},
		{"lpt1.backup.csv", ".csv", "_lpt1.backup.csv"},
		{"noext", ".csv", "noext.csv"},
		{long + ".xlsx", ".xlsx", strings.Repeat("名", 53) + ".xlsx"},
		{strings.Repeat("a", 200) + ".csv", ".csv", strings.Repeat("a", 80) + ".csv"},
	} {
		got := uploadFileName(tc.shown, tc.ext)
		if got != tc.want {
			t.Errorf("uploadFileName(%q) = %q, want %q", tc.shown, got, tc.want)
		}
		if uploadFileName(got, tc.ext) != got {
			t.Errorf("uploadFileName(%q) is not stable", got)
		}
	}
}

// TestServeJournalsTheFilesOwnName: a console batch's input is the file
// as the clerk named it, in the journal (and so the workbook, status and
// the Batches page), not the stored upload's hash; the page's command
// continues it from a terminal.
func TestServeJournalsTheFilesOwnName(t *testing.T) {
	tc := newTestConsole(t, juhesim.Config{SettleDelay: 20 * time.Millisecond, SuccessRatio: 1})
	const name = "11月流量赠送名单.csv"
	_, plan := tc.upload(t, `C:\fakepath\`+name, giftCSV(3), map[string]string{"batch": "named"})
	if code, loc := tc.confirmPlan(t, plan, nil); code != http.StatusSeeOther {
		t.Fatalf("confirm answered %d %s", code, loc)
	}
	if s := waitBatch(t, tc, "named"); s.State != "done" {
		t.Fatalf("batch ended %s: %s", s.State, s.Message)
	}
	jp := filepath.Join(tc.ws, "named.journal")
	b, err := batch.LoadBook(context.Background(), jp)
	if err != nil {
		t.Fatal(err)
	}
	if b.Input.Name != name {
		t.Errorf("the journal's input is %q, want %q", b.Input.Name, name)
	}
	for _, p := range []string{"/batches", "/batch/named"} {
		if _, page := tc.get(t, p); !strings.Contains(page, name) || strings.Contains(page, b.Input.SHA256+".csv") {
			t.Errorf("%s does not show the file's own name", p)
		}
	}
	var out bytes.Buffer
	e := &env{stdout: &out, stderr: &out, getenv: tc.c.getenv}
	if err := Run(context.Background(), e, []string{"status", "-journal", jp}); err != nil || !strings.Contains(out.String(), name) {
		t.Errorf("status: %v\n%s", err, out.String())
	}

	// The command the page shows: a terminal's resume of the same batch.
	u, ok := tc.c.storedUpload(b.Input.SHA256, b.Input.Name)
	if !ok {
		t.Fatal("the stored upload is not found")
	}
	args := tc.c.runArgs("named", jp, tc.c.uploadPath(u), b.Header.Settings, "", "zh")
	if _, page := tc.get(t, "/batch/named"); !strings.Contains(htmlUnescape(page), quoteArgs(args)) {
		t.Errorf("the batch page does not show the command %s", quoteArgs(args))
	}
	// The pages' reads of the journal are kept while it does not change,
	// and read again once it has (the terminal's resume writes to it).
	before := tc.c.state(context.Background(), "named", "zh")
	if again := tc.c.state(context.Background(), "named", "zh"); again.book != before.book {
		t.Errorf("an unchanged journal was read again")
	}
	out.Reset()
	if err := Run(context.Background(), e, args); err != nil {
		t.Fatalf("the page's command: %v\n%s", err, out.String())
	}
	if after := tc.c.state(context.Background(), "named", "zh"); after.book == before.book || after.State != "done" || after.Success != 3 {
		t.Errorf("after the journal changed the page shows the old read (%s, %d success)", after.State, after.Success)
	}
	if b, _ = batch.LoadBook(context.Background(), jp); b.Input.Name != name {
		t.Errorf("after the terminal's resume the input is %q", b.Input.Name)
	}
	if n := tc.sim.Ledger().Count; n != 3 {
		t.Errorf("%d charged, want 3", n)
	}
}

func TestConsoleSpeaksChinese(t *testing.T) {
	zh, en := page{Lang: "zh"}, page{Lang: "en"}
	// Reasons as the reader and the journal hold them: their English.
	for _, tc := range []struct{ in, want string }{
		{"bad phone: contains letters", "手机号含有字母"},
		{"bad phone: 10 digits", "手机号位数不对：10 位，应为 11 位"},
		{"duplicate of row 4", "与第 4 行重复（同一手机号、同一产品）"},
		{"missing pid", "缺少产品编码"},
		{`bad pid: "a-b": only letters and digits are allowed`, `产品编码 "a-b" 有误：只能是字母和数字`},
		{"the phone cell is a formula; its saved value may not be what the sheet shows: paste the column as values", "手机号单元格是公式，保存的值可能与表格显示的不同：请把这一列“选择性粘贴为数值”"},
		// No reason's words: shown as written.
		{"bad phone: 10 digits and more", "bad phone: 10 digits and more"},
		{"the A cell is a formula", "the A cell is a formula"},
	} {
		journaled := input.Problem{Line: 3, Reason: tc.in}
		if got := zh.Reason(journaled); got != tc.want {
			t.Errorf("Reason(zh, %q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := en.Reason(journaled); got != tc.in {
			t.Errorf("Reason(en, %q) = %q", tc.in, got)
		}
	}
	found := workspace.Findings{Workspace: "/w s", Batch: "b-1", Period: "2026-12", Compared: 1}
	pv := &preview{Guard: found.Lines(), GuardZh: found.LinesIn("zh")}
	if got, want := zh.GuardLines(pv), []string{"工作区检查：批次 b-1（周期 2026-12）通过：已与 /w s 里其他 1 个日志比对，没有重复赠送"}; !slices.Equal(got, want) {
		t.Errorf("GuardLines(zh) = %q, want %q", got, want)
	}
	if got, want := en.GuardLines(pv), []string{"workspace guard: batch b-1 (period 2026-12) passed, against 1 other journal in /w s"}; !slices.Equal(got, want) {
		t.Errorf("GuardLines(en) = %q, want %q", got, want)
	}
	found.List = []workspace.Finding{{Kind: workspace.KindRegift, Other: workspace.Other{BatchID: "a", Journal: "/w s/a.journal", Period: "2026-12"},
		Rows: []workspace.RowHit{{Phone: "13900000000", Line: 3, OtherLine: 2, OtherSent: true}}, Count: 1, Sent: 1}}
	pv = &preview{Guard: found.Lines(), GuardZh: found.LinesIn("zh")}
	if got := strings.Join(zh.GuardLines(pv), "\n"); !strings.HasPrefix(got, "工作区检查拒绝批次 b-1（周期 2026-12）；什么都没有发送：\n  - 本批次有 1 行已在批次 \"a\" 里") ||
		!strings.Contains(got, "13900000000（这里第 3 行，那边第 2 行，已发送）") {
		t.Errorf("GuardLines(zh) of a refusal = %q", got)
	}
	pv = &preview{Err: "read list.csv: the file is empty: no header row", ErrZh: "读取 list.csv：文件是空的：没有表头行"}
	if zh.Refusal(pv) != pv.ErrZh || en.Refusal(pv) != pv.Err {
		t.Errorf("Refusal: %q / %q", zh.Refusal(pv), en.Refusal(pv))
	}
	for _, tc := range []struct {
		d      time.Duration
		zh, en string
	}{
		{0, "0 秒", "0s"},
		{4200 * time.Millisecond, "4 秒", "4s"},
		{200 * time.Second, "3 分 20 秒", "3m20s"},
		{time.Hour + 5*time.Minute + 10*time.Second, "1 小时 5 分", "1h5m"},
		{2 * time.Hour, "2 小时", "2h"},
	} {
		if got := since("zh", tc.d); got != tc.zh {
			t.Errorf("since(zh, %v) = %q, want %q", tc.d, got, tc.zh)
		}
		if got := since("en", tc.d); got != tc.en {
			t.Errorf("since(en, %v) = %q, want %q", tc.d, got, tc.en)
		}
	}

	// The check page, in Chinese: the problems' reasons, the key and the
	// guard's verdict.
	tc := newTestConsole(t, juhesim.Config{})
	data := append(giftCSV(3), []byte("1390000x001,105000,坏\n")...)
	_, plan := tc.upload(t, "名单.csv", data, map[string]string{"batch": "zh-1"})
	_, page := tc.get(t, plan)
	for _, want := range []string{"手机号含有字母", word("zh", "check.verified"), "工作区检查：批次 zh-1（周期 "} {
		if !strings.Contains(page, want) {
			t.Errorf("the check page lacks %q", want)
		}
	}
	// Above check's verdict, the page's own words (check speaks the
	// page's language too: TestServeCheckShowsTheGuardRefusal).
	own, _, _ := strings.Cut(page, `id="verdict"`)
	for _, bad := range []string{"bad phone", "key and OpenID verified", "workspace guard:"} {
		if strings.Contains(own, bad) {
			t.Errorf("the Chinese check page says %q", bad)
		}
	}

	// A file refused whole is refused in Chinese.
	_, plan = tc.upload(t, "无表头.csv", []byte("甲,乙\n1,2\n"), map[string]string{"batch": "zh-2"})
	_, page = tc.get(t, plan)
	own, _, _ = strings.Cut(html.UnescapeString(page), `id="verdict"`)
	if !strings.Contains(own, "读取 无表头.csv：前 20 行里没有表头行") || strings.Contains(own, "no header row") {
		t.Errorf("the Chinese page of a file with no header says:\n%s", own)
	}
}
