package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
)

// The console's pages: Start (upload and check), Confirm, Watch and
// Finish (one page per batch), Batches, Settings. Every page is rendered
// from console/*.html with the console's words of messages.go.

//go:embed console
var consoleFiles embed.FS

// console is the state of one flowbatch serve.
type console struct {
	ctx       context.Context // serve's: batches run under it, never under a request's
	ws        string
	baseURL   string
	token     string
	csrf      string
	hosts     map[string]bool
	maxUpload int64
	tls       bool
	grace     time.Duration // -resubmit-grace for the batches it starts, 0 for run's default
	// -first-query and -query-interval for the batches it starts
	firstQuery, queryEvery time.Duration
	envGet                 func(string) string
	creds                  credStore
	pages                  map[string]*template.Template

	mu    sync.Mutex
	plans map[string]*plan
	jobs  map[string]*job // by batch id
	wg    sync.WaitGroup
	books bookCache // the journals the pages show, read again when they change
	// listJournals lists the workspace's journals (workspaceJournals; a
	// test counts the listings).
	listJournals func(context.Context) ([]*workspace.Journal, error)
}

func newConsole(ctx context.Context, e *env, ws, baseURL string, maxUpload int64, tls bool) (*console, error) {
	cs, err := defaultCredStore()
	if err != nil {
		return nil, err
	}
	c := &console{
		ctx: ctx, ws: ws, baseURL: baseURL, maxUpload: maxUpload, tls: tls, envGet: e.getenv, creds: cs,
		token: newToken(), plans: map[string]*plan{}, jobs: map[string]*job{},
		firstQuery: batch.DefaultFirstQueryDelay, queryEvery: batch.DefaultQueryInterval,
	}
	c.csrf = csrfFor(c.token)
	c.listJournals = c.workspaceJournals
	if c.pages, err = parsePages(); err != nil {
		return nil, err
	}
	return c, nil
}

func parsePages() (map[string]*template.Template, error) {
	layout, err := template.ParseFS(consoleFiles, "console/layout.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"start", "check", "confirm", "batch", "batches", "settings", "message"} {
		t, err := template.Must(layout.Clone()).ParseFS(consoleFiles, "console/"+name+".html")
		if err != nil {
			return nil, err
		}
		pages[name] = t
	}
	return pages, nil
}

// getenv is the environment, with the key and the OpenID from the
// settings file when the environment has none, and -base-url.
func (c *console) getenv(k string) string {
	switch k {
	case "JUHE_KEY", "JUHE_OPENID":
		if v := c.envGet(k); strings.TrimSpace(v) != "" {
			return v
		}
		cr, _ := c.creds.load()
		if k == "JUHE_KEY" {
			return cr.Key
		}
		return cr.OpenID
	case "JUHE_BASE_URL":
		if c.baseURL != "" {
			return c.baseURL
		}
	}
	return c.envGet(k)
}

func (c *console) handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(consoleFiles, "console/static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /{$}", c.startPage)
	mux.HandleFunc("POST /upload", c.upload)
	mux.HandleFunc("GET /plan/{id}", c.checkPage)
	mux.HandleFunc("GET /plan/{id}/confirm", c.confirmPage)
	mux.HandleFunc("POST /plan/{id}/confirm", c.confirm)
	mux.HandleFunc("GET /batch/{id}", c.batchPage)
	mux.HandleFunc("GET /batch/{id}/events", c.events)
	mux.HandleFunc("POST /batch/{id}/continue", c.continueBatch)
	mux.HandleFunc("GET /batch/{id}/file/{kind}", c.download)
	mux.HandleFunc("POST /batch/{id}/file", c.batchFile)
	mux.HandleFunc("GET /batches", c.batchesPage)
	mux.HandleFunc("GET /settings", c.settingsPage)
	mux.HandleFunc("POST /settings", c.saveSettings)
	mux.HandleFunc("POST /lang", c.setLang)
	return c.guard(mux)
}

// page is what every page's template gets.
type page struct {
	Lang     string
	CSRF     string
	Path     string
	Title    string
	Settings bool // the settings link: on loopback only
	Data     any
}

// T is the word for key in the page's language.
func (p page) T(key string) string { return word(p.Lang, key) }

// Yuan is an amount as a clerk reads it: 1,008.120.
func (p page) Yuan(m juhe.Money) string { return yuan(m) }

// yuan formats m with thousands separators and three decimals.
func yuan(m juhe.Money) string {
	s := m.String()
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	n, err := strconv.ParseInt(strings.TrimPrefix(whole, "-"), 10, 64)
	if err != nil {
		return s
	}
	out := journal.Thousands(n) + "." + frac
	if neg {
		out = "-" + out
	}
	return out
}

// Tf is T with fmt verbs filled.
func (p page) Tf(key string, a ...any) string { return wordf(p.Lang, key, a...) }

// Reason is a problem row's reason in the page's language.
func (p page) Reason(pr input.Problem) string { return pr.In(p.Lang) }

// Refusal is why the file is refused, in the page's language.
func (p page) Refusal(pv *preview) string {
	if p.Lang == "zh" {
		return pv.ErrZh
	}
	return pv.Err
}

// GuardLines are the guard's findings in the page's language.
func (p page) GuardLines(pv *preview) []string {
	if p.Lang == "zh" {
		return pv.GuardZh
	}
	return pv.Guard
}

// Creds is what the balance answer proved of the key, in the page's
// language.
func (p page) Creds(pv *preview) string {
	if pv.Verified {
		return word(p.Lang, "check.verified")
	}
	return pv.Credentials
}

func (c *console) lang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}

func (c *console) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	p := page{Lang: c.lang(r), CSRF: c.csrf, Path: r.URL.Path, Settings: loopbackOnly(r), Data: data}
	p.Title = p.T(title)
	var buf bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		http.Error(w, wordf(p.Lang, "err.render", err), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// formErrText is why a POST's form was not read (parseForm), in l: an
// upload past -max-upload, or a body that is no form.
func formErrText(l string, err error, max int64) string {
	var me *http.MaxBytesError
	if errors.As(err, &me) {
		return wordf(l, "err.toolarge", max>>20)
	}
	return wordf(l, "err.form", err)
}

// message shows one message page: an error, with what to do.
func (c *console) message(w http.ResponseWriter, r *http.Request, status int, title string, lines ...string) {
	c.render(w, r, status, "message", title, lines)
}

func (c *console) setLang(w http.ResponseWriter, r *http.Request) {
	l := "zh"
	if r.PostFormValue("lang") == "en" {
		l = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.tls})
	back := r.PostFormValue("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.ContainsAny(back, "\\\r\n") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// ---- Start ----

type startData struct {
	Batch  string
	Period string
	Error  string
	MaxMiB int64
}

func (c *console) startPage(w http.ResponseWriter, r *http.Request) {
	p := string(workspace.CurrentPeriod())
	c.render(w, r, http.StatusOK, "start", "start.title", startData{Batch: p, Period: p, MaxMiB: c.maxUpload >> 20})
}

// upload is an uploaded file as stored: in a folder named by its sha256,
// under the file's own name made safe (uploadFileName), never a path the
// browser said. That name is the journal's input name, so the workbook,
// status and the Batches page show "11月名单.xlsx", not a hash. An upload
// stored before (File empty) is SHA256+Ext in the uploads folder.
type upload struct {
	SHA256 string `json:"sha256"`
	Ext    string `json:"ext"`
	Name   string `json:"name"`
	File   string `json:"file,omitempty"`
	Size   int64  `json:"size"`
}

func (c *console) uploadsDir() string { return filepath.Join(c.ws, "uploads") }

func (c *console) uploadPath(u upload) string {
	if u.File != "" {
		return filepath.Join(c.uploadsDir(), u.SHA256, u.File)
	}
	return filepath.Join(c.uploadsDir(), u.SHA256+u.Ext)
}

// uploadExts are the extensions kept: what the reader reads, and .xls so
// that it refuses it with its instructions.
var uploadExts = []string{".csv", ".txt", ".xlsx", ".xlsm", ".ods", ".xls"}

const maxPlans = 256

// plan is an upload with the options a person chose, not yet confirmed.
type plan struct {
	ID          string
	Upload      upload
	Batch       string
	Period      string
	SkipInvalid bool
	Pid         string
	Sheet       string
}

func (c *console) upload(w http.ResponseWriter, r *http.Request) {
	l := c.lang(r)
	p := string(workspace.CurrentPeriod())
	fail := func(status int, msg string) {
		c.render(w, r, status, "start", "start.title", startData{
			Batch: r.PostFormValue("batch"), Period: r.PostFormValue("period"), Error: msg, MaxMiB: c.maxUpload >> 20})
	}
	batchID := strings.TrimSpace(r.PostFormValue("batch"))
	if err := input.ValidateBatchID(batchID); err != nil {
		fail(http.StatusBadRequest, wordf(l, "start.badbatch", err))
		return
	}
	period := strings.TrimSpace(r.PostFormValue("period"))
	if period == "" {
		period = p
	}
	if _, err := workspace.ParsePeriod(period); err != nil {
		fail(http.StatusBadRequest, wordf(l, "start.badperiod", err))
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		fail(http.StatusBadRequest, word(l, "start.nofile"))
		return
	}
	defer f.Close()
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if !slices.Contains(uploadExts, ext) {
		fail(http.StatusBadRequest, wordf(l, "start.badext", input.SupportedFormats))
		return
	}
	u, err := c.store(f, ext, fh.Filename)
	if err != nil {
		fail(http.StatusInternalServerError, wordf(l, "err.store", err))
		return
	}
	pl := &plan{ID: newToken()[:24], Upload: u, Batch: batchID, Period: period,
		SkipInvalid: r.PostFormValue("skip_invalid") == "on",
		Pid:         strings.TrimSpace(r.PostFormValue("pid")), Sheet: strings.TrimSpace(r.PostFormValue("sheet"))}
	c.mu.Lock()
	// Plans not confirmed are forgotten past a few hundred: an upload is
	// kept in the workspace, a plan only in memory.
	for id := range c.plans {
		if len(c.plans) < maxPlans {
			break
		}
		delete(c.plans, id)
	}
	c.plans[pl.ID] = pl
	c.mu.Unlock()
	http.Redirect(w, r, "/plan/"+pl.ID, http.StatusSeeOther)
}

// store writes an upload into the workspace's uploads folder, mode 0600,
// named by its sha256: written to a temporary name, then renamed. Its
// error is the file system's, with the path; the page says what failed
// (err.store).
func (c *console) store(src io.Reader, ext, shownName string) (upload, error) {
	dir := c.uploadsDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return upload{}, err
	}
	tmp, err := os.CreateTemp(dir, ".upload-*")
	if err != nil {
		return upload{}, err
	}
	defer os.Remove(tmp.Name())
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return upload{}, err
	}
	u := upload{SHA256: hex.EncodeToString(h.Sum(nil)), Ext: ext, File: uploadFileName(shownName, ext), Size: n}
	u.Name = u.File
	if err := os.MkdirAll(filepath.Join(dir, u.SHA256), 0o700); err != nil {
		return upload{}, err
	}
	if err := os.Rename(tmp.Name(), c.uploadPath(u)); err != nil {
		return upload{}, err
	}
	if err := os.Chmod(c.uploadPath(u), 0o600); err != nil {
		return upload{}, err
	}
	b, _ := json.Marshal(u)
	if err := os.WriteFile(filepath.Join(dir, u.SHA256+".json"), b, 0o600); err != nil {
		return upload{}, err
	}
	return u, nil
}

// displayName is the browser's file name, for showing only: its last
// element, printable (no control or bidirectional-override characters,
// which could make "gpj.exe" read as "exe.jpg"), at most 80 characters.
func displayName(s string) string {
	s = s[strings.LastIndexAny(s, `/\`)+1:]
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || unicode.Is(unicode.Bidi_Control, r) {
			return -1
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:80])
	}
	return s
}

// uploadFileName is the name an upload is stored under, and so the
// journal's input name: the browser's name without any folder, without
// control, bidirectional-override or Windows-forbidden characters, not
// hidden, not a Windows device name, at most 80 characters and 160 bytes
// before its extension, ending in ext as the browser spelled it.
func uploadFileName(shown, ext string) string {
	base := shown[strings.LastIndexAny(shown, `/\`)+1:]
	e := filepath.Ext(base)
	if !strings.EqualFold(e, ext) {
		e = ext
	} else {
		base = base[:len(base)-len(e)]
	}
	stem := strings.Map(func(r rune) rune {
		switch {
		case r < ' ' || r == 0x7f || unicode.Is(unicode.Bidi_Control, r) || r == utf8.RuneError:
			return -1
		case strings.ContainsRune(`<>:"|?*`, r):
			return '_'
		}
		return r
	}, base)
	stem = strings.TrimLeft(strings.TrimSpace(stem), ". ")
	n := 0
	for i, r := range stem {
		if n == 80 || i+utf8.RuneLen(r) > 160 {
			stem = stem[:i]
			break
		}
		n++
	}
	stem = strings.TrimRight(stem, ". ")
	if stem == "" {
		stem = "upload"
	}
	dev, _, _ := strings.Cut(strings.ToUpper(stem), ".")
	if slices.Contains(windowsDevices, strings.TrimSpace(dev)) {
		stem = "_" + stem
	}
	return stem + e
}

var windowsDevices = []string{"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
	"COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
	"LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"}

// storedUpload finds the stored upload with this sha256, if any: the one
// stored under name (the journal's input name) first, so that a continue
// reads the file under the name the batch was started with.
func (c *console) storedUpload(sha, name string) (upload, bool) {
	if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
		return upload{}, false
	}
	if ext := strings.ToLower(filepath.Ext(name)); slices.Contains(uploadExts, ext) {
		u := upload{SHA256: sha, Ext: ext, File: uploadFileName(name, ext)}
		u.Name = u.File
		if fileExists(c.uploadPath(u)) {
			return u, true
		}
	}
	var u upload
	if b, err := os.ReadFile(filepath.Join(c.uploadsDir(), sha+".json")); err == nil && json.Unmarshal(b, &u) == nil && u.SHA256 == sha && slices.Contains(uploadExts, u.Ext) {
		if u.File != "" && u.File != uploadFileName(u.File, u.Ext) {
			u.File = ""
		}
		if fileExists(c.uploadPath(u)) {
			return u, true
		}
	}
	for _, ext := range uploadExts {
		u := upload{SHA256: sha, Ext: ext, Name: sha + ext}
		if fileExists(c.uploadPath(u)) {
			return u, true
		}
	}
	return upload{}, false
}

// plan is the request's plan; when there is none it answers 404 and
// reports false.
func (c *console) plan(w http.ResponseWriter, r *http.Request) (*plan, bool) {
	c.mu.Lock()
	p, ok := c.plans[r.PathValue("id")]
	c.mu.Unlock()
	if !ok {
		c.message(w, r, http.StatusNotFound, "err.noplan", word(c.lang(r), "err.noplan.try"))
	}
	return p, ok
}

// ---- Check and Confirm ----

type checkData struct {
	Plan *plan
	P    *preview
}

func (c *console) checkPage(w http.ResponseWriter, r *http.Request) {
	pl, ok := c.plan(w, r)
	if !ok {
		return
	}
	pv := c.preview(r.Context(), pl, c.lang(r))
	c.render(w, r, http.StatusOK, "check", "check.title", checkData{Plan: pl, P: pv})
}

type confirmData struct {
	Plan    *plan
	P       *preview
	Digest  string
	Error   string
	Changes []factChange
	Name    string
}

func (c *console) confirmPage(w http.ResponseWriter, r *http.Request) {
	pl, ok := c.plan(w, r)
	if !ok {
		return
	}
	pv := c.preview(r.Context(), pl, c.lang(r))
	if !pv.CanConfirm {
		http.Redirect(w, r, "/plan/"+pl.ID, http.StatusSeeOther)
		return
	}
	c.render(w, r, http.StatusOK, "confirm", "confirm.title", confirmData{Plan: pl, P: pv, Digest: pv.Facts.digest()})
}

func (c *console) confirm(w http.ResponseWriter, r *http.Request) {
	l := c.lang(r)
	pl, ok := c.plan(w, r)
	if !ok {
		return
	}
	pv := c.preview(r.Context(), pl, c.lang(r))
	d := confirmData{Plan: pl, P: pv, Digest: pv.Facts.digest(), Name: strings.TrimSpace(r.PostFormValue("name"))}
	again := func(msg string) {
		d.Error = msg
		c.render(w, r, http.StatusConflict, "confirm", "confirm.title", d)
	}
	// What the page showed is what is confirmed: the facts fixed now must
	// be the ones the person read.
	if r.PostFormValue("digest") != d.Digest {
		d.Error = word(l, "confirm.changed")
		for _, ch := range shownChanges(r.PostFormValue("digest"), pv.Facts) {
			d.Changes = append(d.Changes, ch.in(lang(l)))
		}
		if !pv.CanConfirm {
			d.Error += " " + word(l, pv.Why)
		}
		c.render(w, r, http.StatusConflict, "confirm", "confirm.title", d)
		return
	}
	if !pv.CanConfirm {
		again(word(l, "confirm.cannot"))
		return
	}
	amount, err := juhe.ParseMoney("amount", strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("amount"), ",", "")))
	if err != nil || amount != pv.Estimate {
		again(wordf(l, "confirm.badamount", yuan(pv.Estimate)))
		return
	}
	if d.Name == "" || len([]rune(d.Name)) > 60 {
		again(word(l, "confirm.noname"))
		return
	}
	who := workspace.Who()
	b := &startBinding{facts: pv.Facts, extra: map[string]string{
		settingConfirmedBy: d.Name, settingConsoleUser: who.User, settingConfirmedYuan: amount.String(),
	}}
	if err := c.start(pl, amount, b, l); err != nil {
		again(launchErr(l, err))
		return
	}
	c.mu.Lock()
	delete(c.plans, pl.ID)
	c.mu.Unlock()
	http.Redirect(w, r, "/batch/"+pl.Batch, http.StatusSeeOther)
}

// shownChanges says what differs between the facts the page showed and
// the facts now, as far as the form's digest tells.
func shownChanges(shown string, now boundFacts) []factChange {
	parts := strings.SplitN(shown, "|", 5)
	if len(parts) != 5 {
		return nil
	}
	var was boundFacts
	was.SHA256, was.RowSum = parts[0], parts[2]
	fmt.Sscan(parts[1], &was.Rows)
	was.Pids = map[string]int{}
	for _, pc := range strings.Split(parts[3], ", ") {
		if p, n, ok := strings.Cut(pc, "×"); ok {
			var k int
			fmt.Sscan(n, &k)
			was.Pids[p] = k
		}
	}
	if parts[4] != "" {
		was.Guard = strings.Split(parts[4], "\n")
	}
	return was.changes(now)
}

// ---- Settings ----

type settingsData struct {
	KeyFrom, OpenIDFrom string // "env", "file" or ""
	Path                string
	Saved               bool
	Error               string
}

func (c *console) settingsData() settingsData {
	cr, _ := c.creds.load()
	from := func(k, file string) string {
		switch {
		case strings.TrimSpace(c.envGet(k)) != "":
			return "env"
		case file != "":
			return "file"
		}
		return ""
	}
	return settingsData{KeyFrom: from("JUHE_KEY", cr.Key), OpenIDFrom: from("JUHE_OPENID", cr.OpenID), Path: c.creds.path}
}

func (c *console) settingsPage(w http.ResponseWriter, r *http.Request) {
	if !loopbackOnly(r) {
		forbidden(w, "loopback")
		return
	}
	c.render(w, r, http.StatusOK, "settings", "settings.title", c.settingsData())
}

func (c *console) saveSettings(w http.ResponseWriter, r *http.Request) {
	if !loopbackOnly(r) {
		forbidden(w, "loopback")
		return
	}
	key, openID := strings.TrimSpace(r.PostFormValue("key")), strings.TrimSpace(r.PostFormValue("openid"))
	d := c.settingsData()
	cr, _ := c.creds.load()
	if key != "" {
		cr.Key = key
	}
	if openID != "" {
		cr.OpenID = openID
	}
	if err := c.creds.save(cr); err != nil {
		d.Error = wordf(c.lang(r), "settings.nosave", err)
		c.render(w, r, http.StatusInternalServerError, "settings", "settings.title", d)
		return
	}
	d = c.settingsData()
	d.Saved = true
	c.render(w, r, http.StatusOK, "settings", "settings.title", d)
}

// ---- Downloads ----

// outputKinds are the files a batch's page offers, by a fixed name: the
// browser never names a path.
var outputKinds = []string{"workbook", "masked", "retry", "attest"}

func (c *console) outDir(batchID string) string { return filepath.Join(c.ws, "console", batchID) }

func (c *console) outPath(batchID, kind string) string {
	d := c.outDir(batchID)
	switch kind {
	case "workbook":
		return filepath.Join(d, batchID+".xlsx")
	case "masked":
		return filepath.Join(d, batchID+".masked.xlsx")
	case "retry":
		return filepath.Join(d, batchID+".retry.xlsx")
	case "attest":
		return filepath.Join(d, batchID+".attest.json")
	}
	return ""
}

func (c *console) download(w http.ResponseWriter, r *http.Request) {
	id, kind := r.PathValue("id"), r.PathValue("kind")
	if input.ValidateBatchID(id) != nil || !slices.Contains(outputKinds, kind) {
		http.NotFound(w, r)
		return
	}
	p := c.outPath(id, kind)
	f, err := os.Open(p)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	ct := "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	if kind == "attest" {
		ct = "application/json"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filepath.Base(p)))
	http.ServeContent(w, r, filepath.Base(p), fi.ModTime(), f)
}

// wait waits for every batch this console runs to end, and says how many
// were running.
func (c *console) wait() int {
	c.mu.Lock()
	n := 0
	for _, j := range c.jobs {
		if j.running() {
			n++
		}
	}
	c.mu.Unlock()
	c.wg.Wait()
	return n
}

// since formats a duration for a person: "1 小时 5 分", "3 分 20 秒",
// "4 秒" (en: 1h5m, 3m20s, 4s); past an hour the seconds are noise.
func since(lang string, d time.Duration) string {
	d = max(d, 0).Round(time.Second)
	if d >= time.Hour {
		d = d.Round(time.Minute)
	}
	h, m, sec := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	var parts []string
	for _, p := range []struct {
		n   int
		key string
	}{{h, "time.h"}, {m, "time.m"}, {sec, "time.s"}} {
		if p.n > 0 || p.key == "time.s" && len(parts) == 0 {
			parts = append(parts, wordf(lang, p.key, p.n))
		}
	}
	sep := " "
	if lang == "en" {
		sep = ""
	}
	return strings.Join(parts, sep)
}
