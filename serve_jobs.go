package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

// A batch the console runs is `flowbatch run` in this process: the same
// command line, the same code, the same journal and lock, under serve's
// context (so Ctrl-C of serve is Ctrl-C of run, and a closed browser is
// nothing). What it printed and how it ended are kept for the pages, and
// how it ended is kept beside its outputs for the next serve.

// job is one run of a batch in this console.
type job struct {
	Batch   string
	Args    []string
	Started time.Time
	done    chan struct{}

	mu      sync.Mutex
	log     bytes.Buffer
	outcome *outcome
}

// outcome is how a run ended: its exit code and its last words.
type outcome struct {
	Code    int       `json:"exit_code"`
	Message string    `json:"message"`
	At      time.Time `json:"at"`
}

func (j *job) running() bool {
	select {
	case <-j.done:
		return false
	default:
		return true
	}
}

func (j *job) Write(p []byte) (int, error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.log.Len() < 1<<20 {
		j.log.Write(p)
	}
	return len(p), nil
}

// runArgs is the one place that builds the command line of a console
// run: what `flowbatch run` gets, and so what a person can type to
// continue the same batch from a terminal. cap is the confirmed amount,
// the batch's hard budget cap (-max-spend), "" on a continue (the
// journal keeps it).
func (c *console) runArgs(batchID, journalPath, in string, settings map[string]string, cap, lang string) []string {
	args := []string{"run", "-in", in, "-batch", batchID, "-workspace", c.ws,
		"-out", c.outPath(batchID, "workbook"), "-retry", c.outPath(batchID, "retry"), "-lang", lang}
	if journalPath != "" {
		args = append(args, "-journal", journalPath)
	}
	if cap != "" {
		args = append(args, "-max-spend", cap)
	}
	if p := settings[workspace.SettingPeriod]; p != "" {
		args = append(args, "-period", p)
	}
	for _, k := range []string{"rate", "workers", "cburl", "encoding", "sheet", "pid", "phone-col", "pid-col", "hidden-rows", batchSettingGrace, batch.SettingFirstQuery, batch.SettingQueryInterval} {
		v := settings[k]
		if v == "" || k == "workers" && v == "auto" {
			continue
		}
		args = append(args, "-"+k, v)
	}
	for _, k := range []string{"skip-invalid", "allow-duplicates", settingAllowRegift} {
		if settings[k] == "true" {
			args = append(args, "-"+k)
		}
	}
	return args
}

// batchSettingGrace is the journal's grace; on a continue the engine
// takes it from the journal, so passing it again changes nothing.
const batchSettingGrace = batch.SettingResubmitGrace

// start runs a confirmed plan.
func (c *console) start(pl *plan, cap juhe.Money, b *startBinding, lang string) error {
	settings := map[string]string{
		workspace.SettingPeriod: pl.Period,
		"skip-invalid":          strconv.FormatBool(pl.SkipInvalid),
		"pid":                   pl.Pid,
		"sheet":                 pl.Sheet,
	}
	if c.grace > 0 {
		settings[batchSettingGrace] = c.grace.String()
	}
	settings[batch.SettingFirstQuery] = c.firstQuery.String()
	settings[batch.SettingQueryInterval] = c.queryEvery.String()
	args := c.runArgs(pl.Batch, "", c.uploadPath(pl.Upload), settings, cap.String(), lang)
	return c.launch(pl.Batch, args, b)
}

// errRunning says the batch runs in this console already.
var errRunning = errors.New("this batch is running in this console already")

// launchErr is why launch did not start a batch, in the page's language.
func launchErr(l string, err error) string {
	if errors.Is(err, errRunning) {
		return word(l, "err.running")
	}
	return wordf(l, "err.start", err)
}

func (c *console) launch(batchID string, args []string, b *startBinding) error {
	if err := os.MkdirAll(c.outDir(batchID), 0o700); err != nil {
		return err
	}
	c.mu.Lock()
	if j := c.jobs[batchID]; j != nil && j.running() {
		c.mu.Unlock()
		return errRunning
	}
	if c.ctx.Err() != nil {
		c.mu.Unlock()
		return c.ctx.Err()
	}
	j := &job{Batch: batchID, Args: args, Started: time.Now(), done: make(chan struct{})}
	c.jobs[batchID] = j
	c.wg.Add(1)
	c.mu.Unlock()

	go func() {
		defer c.wg.Done()
		defer close(j.done)
		e := &env{stdout: j, stderr: j, getenv: c.getenv, start: b}
		err := Run(c.ctx, e, args)
		var msg bytes.Buffer
		code := report(&msg, err)
		// The masked copy, for wider circulation, from the same journal.
		if wb := c.outPath(batchID, "workbook"); code != ExitInterrupted && c.ctx.Err() == nil && fileExists(wb) {
			jp := argAfter(args, "-journal")
			if jp == "" {
				jp = filepath.Join(c.ws, batchID+".journal")
			}
			var mout bytes.Buffer
			merr := Run(context.WithoutCancel(c.ctx), &env{stdout: &mout, stderr: &mout, getenv: c.getenv},
				[]string{"reconcile", "-mask", "-journal", jp, "-out", c.outPath(batchID, "masked")})
			if merr != nil {
				report(j, merr)
			}
		}
		o := &outcome{Code: code, Message: reportText(msg.String()), At: time.Now().UTC()}
		j.mu.Lock()
		j.outcome = o
		j.log.Write(msg.Bytes())
		j.mu.Unlock()
		if b, err := json.Marshal(o); err == nil {
			os.WriteFile(filepath.Join(c.outDir(batchID), "last-run.json"), b, 0o600)
		}
	}()
	return nil
}

func argAfter(args []string, name string) string {
	if i := slices.Index(args, name); i >= 0 && i+1 < len(args) {
		return args[i+1]
	}
	return ""
}

func fileExists(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}

// journalOf finds the journal of a batch: the one this console runs it
// on, else the workspace's default path when it is there, else the
// index's, else the default path.
func (c *console) journalOf(ctx context.Context, batchID string) string {
	p, _ := c.lookJournal(ctx, batchID, nil)
	return p
}

// journalIndex is the first journal the workspace lists for each batch
// id: one listing for a page of many batches.
type journalIndex map[string]string

func indexJournals(js []*workspace.Journal) journalIndex {
	idx := journalIndex{}
	for _, j := range js {
		if _, ok := idx[j.BatchID]; !ok {
			idx[j.BatchID] = j.Path
		}
	}
	return idx
}

// lookJournal is journalOf, looking in idx (nil: the workspace is listed
// now, if need be); found says where the journal is is settled, and
// need not be looked for again: a journal does not move while its page
// is open, and a run's is where its command line says.
func (c *console) lookJournal(ctx context.Context, batchID string, idx journalIndex) (path string, found bool) {
	def := filepath.Join(c.ws, batchID+".journal")
	c.mu.Lock()
	j := c.jobs[batchID]
	c.mu.Unlock()
	if j != nil {
		if p := argAfter(j.Args, "-journal"); p != "" {
			return p, true
		}
		return def, true
	}
	if fileExists(def) {
		return def, true
	}
	if idx == nil {
		js, _ := c.listJournals(ctx)
		idx = indexJournals(js)
	}
	if p, ok := idx[batchID]; ok {
		return p, true
	}
	return def, false
}

// workspaceJournals lists the workspace's journals.
func (c *console) workspaceJournals(ctx context.Context) ([]*workspace.Journal, error) {
	ws, err := workspace.Open(c.ws)
	if err != nil {
		return nil, err
	}
	return ws.Journals(ctx)
}

// lastOutcome is how the batch's last console run ended: this console's
// job, else the note the last serve left.
func (c *console) lastOutcome(batchID string) (o *outcome, running bool, log string) {
	c.mu.Lock()
	j := c.jobs[batchID]
	c.mu.Unlock()
	if j != nil {
		j.mu.Lock()
		defer j.mu.Unlock()
		return j.outcome, j.running(), j.log.String()
	}
	if b, err := os.ReadFile(filepath.Join(c.outDir(batchID), "last-run.json")); err == nil {
		var o outcome
		if json.Unmarshal(b, &o) == nil {
			return &o, false, ""
		}
	}
	return nil, false, ""
}

// ---- the state of a batch, for the pages and the events ----

type batchState struct {
	Batch    string `json:"batch"`
	Journal  string `json:"-"`
	Input    string `json:"input"` // the list's file name, as the clerk named it
	Exists   bool   `json:"exists"`
	State    string `json:"state"` // preparing, running, halted, open, done
	Running  bool   `json:"running"`
	HeldBy   int    `json:"held_by,omitempty"`
	Rows     int    `json:"rows"`
	Done     int    `json:"done"`
	Sent     int    `json:"sent"`
	Success  int    `json:"success"`
	Failed   int    `json:"failed"`
	Open     int    `json:"open"`
	Spent    string `json:"spent"`
	Charging string `json:"charging"`
	Refunded string `json:"refunded"`
	Cap      string `json:"cap"`
	Rate     string `json:"rate"`
	ETA      string `json:"eta"`
	Code     int    `json:"code"`
	Message  string `json:"message"`
	Remedy   string `json:"remedy"`
	Finished bool   `json:"finished"`
	Period   string `json:"period"`
	By       string `json:"by"`
	FromCLI  bool   `json:"from_cli"` // started on the command line: By is its OS user

	book *batch.Book
}

func (c *console) state(ctx context.Context, batchID, lang string) batchState {
	return c.stateAt(ctx, batchID, c.journalOf(ctx, batchID), lang)
}

// stateAt is state, of the journal at path.
func (c *console) stateAt(ctx context.Context, batchID, path, lang string) batchState {
	s := batchState{Batch: batchID, Journal: path}
	o, jobRunning, _ := c.lastOutcome(batchID)
	s.Running = jobRunning
	if pid, held, err := journal.Holder(s.Journal); err == nil && held {
		s.Running, s.HeldBy = true, pid
	}
	if v, err := c.books.load(ctx, s.Journal, s.Running); err == nil {
		v.Batch, v.Journal, v.Running, v.HeldBy = s.Batch, s.Journal, s.Running, s.HeldBy
		s = v
	} else if !errors.Is(err, os.ErrNotExist) && !s.Running {
		s.Message = wordf(lang, "err.journal", err)
	}
	switch {
	case s.Running && !s.Exists:
		s.State = "preparing"
	case s.Running:
		s.State = "running"
	case s.Exists && s.Rows > 0 && s.Open == 0:
		s.State = "done"
	case o != nil && o.Code == ExitHalted:
		s.State = "halted"
	case s.Exists:
		s.State = "open"
	case o != nil:
		s.State = "failed" // ended before its journal was made: refused at the start
	default:
		s.State = "none"
	}
	// How this console's last run ended, even while another process
	// holds the journal: that is what its lock error is about.
	if o != nil && !jobRunning {
		s.Code, s.Message = o.Code, o.Message
		s.Remedy = remedy(lang, o.Code, o.Message)
	}
	s.Finished = !s.Running && (s.State == "done" || o != nil)
	return s
}

// bookView is what a batch's state takes from its journal: read once per
// read of the journal (bookCache), for every tab and every second.
func bookView(b *batch.Book) batchState {
	var s batchState
	s.Exists, s.book = true, b
	s.Input = b.Input.Name
	t := b.Counts()
	s.Rows = t.Rows
	for _, st := range batch.Statuses {
		if st.Final() {
			s.Done += t.ByStatus[st]
		}
	}
	s.Success, s.Failed, s.Open = t.ByStatus[batch.StatusSuccess], t.ByStatus[batch.StatusFailed], t.OpenCount
	s.Spent, s.Charging, s.Refunded = yuan(t.Spend), yuan(t.Charging), yuan(t.Refunded)
	b.Orders(func(o *batch.OrderState) error {
		if o.InInput && o.Intents > 0 {
			s.Sent++
		}
		return nil
	})
	s.Cap = b.Header.Settings["max-spend"]
	if s.Cap == "" {
		s.Cap = b.Header.Settings[settingConfirmedYuan]
	}
	if m, err := juhe.ParseMoney("cap", s.Cap); err == nil {
		s.Cap = yuan(m)
	}
	s.Period = b.Header.Settings[workspace.SettingPeriod]
	s.By = b.Header.Settings[settingConfirmedBy]
	if s.By == "" {
		s.By, s.FromCLI = b.Header.Settings[workspace.SettingUser], true
	}
	return s
}

// remedy is what to do after a run ended with code and message, in
// plain words.
func remedy(lang string, code int, msg string) string {
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(msg, x) {
				return true
			}
		}
		return false
	}
	switch code {
	case ExitOK:
		return ""
	case ExitHalted:
		switch {
		case has("210505", "exceeds the balance"):
			return word(lang, "remedy.balance")
		case has("max-spend", "budget cap", "the cap"):
			return word(lang, "remedy.cap")
		case has("10001", "10004", "210506", "key", "OpenID"):
			return word(lang, "remedy.key")
		case has("10020"):
			return word(lang, "remedy.maintenance")
		case has("10011", "10012", "10013", "throttl"):
			return word(lang, "remedy.throttled")
		}
		return word(lang, "remedy.halt")
	case ExitOpen:
		return word(lang, "remedy.open")
	case ExitLocked:
		return word(lang, "remedy.locked")
	case ExitInterrupted:
		return word(lang, "remedy.interrupted")
	case ExitInvalid:
		return word(lang, "remedy.invalid")
	case ExitDamaged:
		return word(lang, "remedy.damaged")
	}
	return word(lang, "remedy.error")
}

// ---- the batch page: Watch and Finish ----

type batchData struct {
	S         batchState
	Log       string
	Files     []string
	Headline  string
	ByState   []figure
	ByPid     []figure
	ByCarrier []figure
	CanGo     bool
	NeedFile  string // the sha256 of the batch's file, when the console has no copy of it
	InputName string
	Cmd       string // the same batch, from a terminal
}

// figure is one bar of a chart: a label, a value and its share of the
// largest, in percent.
type figure struct {
	Label, Value string
	Pct          int
}

func (c *console) batchPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if input.ValidateBatchID(id) != nil {
		http.NotFound(w, r)
		return
	}
	l := c.lang(r)
	s := c.state(r.Context(), id, l)
	if s.State == "none" {
		c.message(w, r, http.StatusNotFound, "err.nobatch", word(l, "err.nobatch.try"))
		return
	}
	d := batchData{S: s}
	_, _, d.Log = c.lastOutcome(id)
	for _, k := range outputKinds {
		if fileExists(c.outPath(id, k)) {
			d.Files = append(d.Files, k)
		}
	}
	d.CanGo = s.Exists && !s.Running && s.State != "done"
	if s.book != nil {
		d.Headline, d.ByState, d.ByPid, d.ByCarrier = figures(l, s.book)
		if u, ok := c.storedUpload(s.book.Input.SHA256, s.book.Input.Name); ok {
			d.Cmd = "flowbatch " + quoteArgs(c.runArgs(id, s.Journal, c.uploadPath(u), s.book.Header.Settings, "", l))
		} else if d.CanGo {
			d.NeedFile, d.InputName = s.book.Input.SHA256, s.book.Input.Name
		}
	}
	c.render(w, r, http.StatusOK, "batch", "batch.title", d)
}

// figures are the Summary's headline and the charts' figures, from the
// journal as the workbook has them: final states, spend by product and by
// carrier.
func figures(lang string, b *batch.Book) (headline string, byState, byPid, byCarrier []figure) {
	t := b.Counts()
	check := word(lang, "fig.tied")
	sum := 0
	for _, n := range t.ByStatus {
		sum += n
	}
	if sum != t.Rows {
		check = word(lang, "fig.mismatch")
	}
	headline = wordf(lang, "fig.headline", t.ByStatus[batch.StatusSuccess], yuan(t.Spend), t.ByStatus[batch.StatusFailed], yuan(t.Refunded), t.OpenCount, check)
	most := 0
	for _, st := range batch.Statuses {
		most = max(most, t.ByStatus[st])
	}
	for _, st := range batch.Statuses {
		if n := t.ByStatus[st]; n > 0 {
			byState = append(byState, figure{reconcile.StateName(lang, st), strconv.Itoa(n), pct(int64(n), int64(most))})
		}
	}
	pids, carriers := map[string]juhe.Money{}, map[juhe.Carrier]juhe.Money{}
	b.Orders(func(o *batch.OrderState) error {
		if !o.InInput || o.Status() != batch.StatusSuccess {
			return nil
		}
		if cost, ok := o.Cost(); ok {
			pids[o.Pid] += cost
			carriers[juhe.CarrierOf(o.Phone)] += cost
		}
		return nil
	})
	var top, ctop juhe.Money
	for _, m := range pids {
		top = max(top, m)
	}
	for _, m := range carriers {
		ctop = max(ctop, m)
	}
	for _, p := range slices.Sorted(maps.Keys(pids)) {
		byPid = append(byPid, figure{p, yuan(pids[p]), pct(int64(pids[p]), int64(top))})
	}
	for _, cr := range []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom, juhe.CarrierUnknown} {
		if m, ok := carriers[cr]; ok {
			name := string(cr)
			if lang == "en" {
				name = cr.English()
			}
			byCarrier = append(byCarrier, figure{name, yuan(m), pct(int64(m), int64(ctop))})
		}
	}
	return headline, byState, byPid, byCarrier
}

func pct(v, top int64) int {
	if top <= 0 {
		return 0
	}
	return int(max(1, 100*v/top))
}

// events pushes the batch's state every second (Server-Sent Events) until
// the browser goes away or the batch has finished.
func (c *console) events(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if input.ValidateBatchID(id) != nil {
		http.NotFound(w, r)
		return
	}
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, word(c.lang(r), "err.stream"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("X-Accel-Buffering", "no")
	l := c.lang(r)
	var first time.Time
	firstDone, firstSent := -1, 0
	t := time.NewTicker(time.Second)
	defer t.Stop()
	// The journal is looked for until found, then read where it is.
	var jp string
	found := false
	for {
		if !found {
			jp, found = c.lookJournal(r.Context(), id, nil)
		}
		s := c.stateAt(r.Context(), id, jp, l)
		now := time.Now()
		if s.Exists && firstDone < 0 {
			first, firstDone, firstSent = now, s.Done, s.Sent
		}
		// The rate of what moves: rows sent while submitting, rows done
		// (final) while settling. The ETA is for every row to be done.
		if el := now.Sub(first).Seconds(); firstDone >= 0 && el > 2 {
			moved, left := s.Done-firstDone, s.Rows-s.Done
			if sent := s.Sent - firstSent; s.Done < s.Sent && sent > moved {
				moved, left = sent, s.Rows-s.Sent
			}
			if moved > 0 {
				perMin := float64(moved) / el * 60
				s.Rate = wordf(l, "watch.rate", perMin)
				if left > 0 && s.Running {
					s.ETA = since(l, time.Duration(float64(left)/perMin*float64(time.Minute)))
				}
			}
		}
		b, _ := json.Marshal(s)
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
		if s.Finished {
			fmt.Fprintf(w, "event: end\ndata: {}\n\n")
			fl.Flush()
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-c.ctx.Done():
			return
		case <-t.C:
		}
	}
}

// continuable loads the book of batch id for continuing it, or answers
// the request itself (not found, or the journal refused) and says false.
func (c *console) continuable(w http.ResponseWriter, r *http.Request, id string) (string, *batch.Book, bool) {
	if input.ValidateBatchID(id) != nil {
		http.NotFound(w, r)
		return "", nil, false
	}
	jp := c.journalOf(r.Context(), id)
	b, err := batch.LoadBook(r.Context(), jp)
	if err != nil {
		c.message(w, r, http.StatusConflict, "err.continue", inLang(journalErr("continue", jp, err), lang(c.lang(r))).Error())
		return "", nil, false
	}
	return jp, b, true
}

// continueBatch does what running the same command again does: the
// journal's settings and the stored upload, nothing from the form.
func (c *console) continueBatch(w http.ResponseWriter, r *http.Request) {
	id, l := r.PathValue("id"), c.lang(r)
	jp, b, ok := c.continuable(w, r, id)
	if !ok {
		return
	}
	u, ok := c.storedUpload(b.Input.SHA256, b.Input.Name)
	if !ok {
		c.message(w, r, http.StatusConflict, "err.continue", wordf(l, "err.noupload", b.Input.Name, shortHash(b.Input.SHA256)))
		return
	}
	args := c.runArgs(id, jp, c.uploadPath(u), b.Header.Settings, "", l)
	if err := c.launch(id, args, nil); err != nil {
		c.message(w, r, http.StatusConflict, "err.continue", launchErr(l, err))
		return
	}
	http.Redirect(w, r, "/batch/"+id, http.StatusSeeOther)
}

// batchFile takes the file of a batch started elsewhere (a terminal), so
// that the console can continue it: only the very file the journal was
// started with (the same sha256) is kept.
func (c *console) batchFile(w http.ResponseWriter, r *http.Request) {
	id, l := r.PathValue("id"), c.lang(r)
	_, b, ok := c.continuable(w, r, id)
	if !ok {
		return
	}
	f, fh, err := r.FormFile("file")
	if err != nil {
		c.message(w, r, http.StatusBadRequest, "err.continue", word(l, "start.nofile"))
		return
	}
	defer f.Close()
	ext := strings.ToLower(filepath.Ext(fh.Filename))
	if !slices.Contains(uploadExts, ext) || !strings.EqualFold(ext, filepath.Ext(b.Input.Name)) {
		c.message(w, r, http.StatusBadRequest, "err.continue", wordf(l, "err.notthefile", b.Input.Name, shortHash(b.Input.SHA256)))
		return
	}
	// Kept under the journal's name, so that the continue reads it as the
	// batch has it.
	u, err := c.store(f, ext, b.Input.Name)
	if err != nil {
		c.message(w, r, http.StatusInternalServerError, "err.continue", wordf(l, "err.store", err))
		return
	}
	if u.SHA256 != b.Input.SHA256 {
		os.Remove(c.uploadPath(u))
		os.Remove(filepath.Dir(c.uploadPath(u)))
		os.Remove(filepath.Join(c.uploadsDir(), u.SHA256+".json"))
		c.message(w, r, http.StatusConflict, "err.continue", wordf(l, "err.notthefile", b.Input.Name, shortHash(b.Input.SHA256)))
		return
	}
	http.Redirect(w, r, "/batch/"+id, http.StatusSeeOther)
}

// ---- Batches ----

type batchRow struct {
	S     batchState
	Label string
}

func (c *console) batchesPage(w http.ResponseWriter, r *http.Request) {
	l := c.lang(r)
	var rows []batchRow
	seen := map[string]bool{}
	// One listing for the page, not one more per batch.
	js, _ := c.listJournals(r.Context())
	idx := indexJournals(js)
	row := func(id string) {
		jp, _ := c.lookJournal(r.Context(), id, idx)
		s := c.stateAt(r.Context(), id, jp, l)
		rows = append(rows, batchRow{S: s, Label: word(l, "state."+s.State)})
	}
	for _, j := range js {
		if j.State != workspace.StateOK || seen[j.BatchID] {
			continue
		}
		seen[j.BatchID] = true
		row(j.BatchID)
	}
	c.mu.Lock()
	var others []string
	for id := range c.jobs {
		if !seen[id] {
			others = append(others, id)
		}
	}
	c.mu.Unlock()
	slices.Sort(others)
	for _, id := range others {
		row(id)
	}
	c.render(w, r, http.StatusOK, "batches", "batches.title", rows)
}
