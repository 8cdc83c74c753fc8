package main

// End-to-end tests: the real flowbatch binary, run as a separate process
// against the simulator over real HTTP, killed with SIGKILL at random
// moments. They prove the rules of money from the simulator's ledger.

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"github.com/xuri/excelize/v2"
)

const (
	e2eKey    = "SECRET-KEY-7f3a9c"
	e2eOpenID = "SECRET-OPENID-b21e"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// flowbatchBinary builds the real binary once per test run.
func flowbatchBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flowbatch-e2e-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "flowbatch")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// TestMain gives the package's tests a data directory of their own, so
// that a test that forgets its workspace (testWorkspace) writes there,
// not into the user's, and fails the run.
func TestMain(m *testing.M) {
	// Most of these tests wait: on the processes they start, on the
	// simulator's settle delays and on the engine's grace periods. Unless
	// -parallel is given, run more of them at once than go test's
	// default of GOMAXPROCS (2 on CI).
	flag.Parse()
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(max(8, 4*runtime.GOMAXPROCS(0))))
	}
	home, err := os.MkdirTemp("", "flowbatch-test-home")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// go build (flowbatchBinary) keeps the user's caches.
	if os.Getenv("GOCACHE") == "" {
		if d, err := os.UserCacheDir(); err == nil {
			os.Setenv("GOCACHE", filepath.Join(d, "go-build"))
		}
	}
	if os.Getenv("GOPATH") == "" {
		if h, err := os.UserHomeDir(); err == nil {
			os.Setenv("GOPATH", filepath.Join(h, "go"))
		}
	}
	for k, v := range map[string]string{"HOME": home, "XDG_DATA_HOME": filepath.Join(home, "data"), "LocalAppData": home} {
		os.Setenv(k, v)
	}
	os.Unsetenv(workspace.EnvDir)
	// The real binary speaks the locale's language (termLang): the tests
	// read English unless they ask for Chinese.
	os.Unsetenv("LC_ALL")
	os.Unsetenv("LC_MESSAGES")
	os.Setenv("LANG", "C.UTF-8")
	userWS, _ := workspace.Locate("", os.Getenv)
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	if _, err := os.Stat(userWS); err == nil {
		fmt.Fprintf(os.Stderr, "FAIL: a test used the user's workspace %s instead of its own (testWorkspace)\n", userWS)
		code = 1
	}
	os.RemoveAll(home)
	os.Exit(code)
}

// e2eRow is one generated input row and the orderid it must get.
type e2eRow struct {
	phone, pid, name string
	valid            bool
}

// writeE2EInput writes n rows (a few of them invalid) as a UTF-8 CSV and
// returns the rows.
func writeE2EInput(t *testing.T, path string, n int, rng *rand.Rand) []e2eRow {
	t.Helper()
	prefixes := map[juhe.Carrier][]string{
		juhe.CarrierMobile:  {"135", "139", "150", "182", "187"},
		juhe.CarrierUnicom:  {"130", "155", "186"},
		juhe.CarrierTelecom: {"133", "153", "189"},
	}
	pids := map[juhe.Carrier][]string{}
	for _, p := range juhesim.DefaultCatalogue() {
		pids[p.Carrier] = append(pids[p.Carrier], p.Pid)
	}
	carriers := []juhe.Carrier{juhe.CarrierMobile, juhe.CarrierMobile, juhe.CarrierUnicom, juhe.CarrierTelecom}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"phone", "pid", "name", "department"})
	var rows []e2eRow
	seen := map[string]bool{}
	for len(rows) < n {
		c := carriers[rng.IntN(len(carriers))]
		pre := prefixes[c][rng.IntN(len(prefixes[c]))]
		r := e2eRow{
			phone: fmt.Sprintf("%s%08d", pre, rng.IntN(100000000)),
			pid:   pids[c][rng.IntN(len(pids[c]))],
			name:  fmt.Sprintf("员工%03d", len(rows)+1),
			valid: true,
		}
		if seen[r.phone+"/"+r.pid] {
			continue
		}
		seen[r.phone+"/"+r.pid] = true
		if len(rows)%47 == 13 {
			r.phone = r.phone[:10] // a bad phone: nothing may be spent on it
			r.valid = false
		}
		rows = append(rows, r)
		w.Write([]string{r.phone, r.pid, r.name, "财务部"})
	}
	w.Flush()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return rows
}

type procResult struct {
	code           int
	stdout, stderr string
	killed         bool
}

// runProc runs the binary with the provider's credentials in its
// environment; if killAfter > 0 it is killed with SIGKILL then.
func runProc(t *testing.T, bin, baseURL string, killAfter time.Duration, args ...string) procResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, quickQueries(args)...)
	cmd.Env = append(os.Environ(), "JUHE_KEY="+e2eKey, "JUHE_OPENID="+e2eOpenID, "JUHE_BASE_URL="+baseURL, wsEnvVar(t))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var killed bool
	if killAfter > 0 {
		timer := time.AfterFunc(killAfter, func() {
			killed = true
			cmd.Process.Signal(syscall.SIGKILL)
		})
		defer timer.Stop()
	}
	err := cmd.Wait()
	res := procResult{stdout: stdout.String(), stderr: stderr.String(), killed: killed}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			res.code = ee.ExitCode()
		} else {
			t.Fatalf("%s: %v", args[0], err)
		}
	}
	return res
}

// assertLedgerMatches checks that every valid row was charged exactly once
// and that nothing else was charged.
func assertLedgerMatches(t *testing.T, batchID string, rows []e2eRow, ledger juhesim.Ledger) map[string]juhesim.LedgerOrder {
	t.Helper()
	charged := map[string]juhesim.LedgerOrder{}
	for _, o := range ledger.Orders {
		if _, dup := charged[o.OrderID]; dup {
			t.Errorf("orderid %s charged twice", o.OrderID)
		}
		charged[o.OrderID] = o
	}
	want := 0
	for _, r := range rows {
		id := input.OrderID(batchID, r.phone, r.pid, 1)
		o, ok := charged[id]
		switch {
		case r.valid && !ok:
			t.Errorf("row %s/%s (orderid %s) was never charged", r.phone, r.pid, id)
		case !r.valid && ok:
			t.Errorf("invalid row %s/%s was charged", r.phone, r.pid)
		case ok && (o.Phone != r.phone || o.Pid != r.pid):
			t.Errorf("orderid %s charged for %s/%s, want %s/%s", id, o.Phone, o.Pid, r.phone, r.pid)
		}
		if r.valid {
			want++
		}
	}
	if len(charged) != want {
		t.Errorf("ledger has %d charged orders, want exactly %d", len(charged), want)
	}
	return charged
}

// walkFiles returns every regular file under dir.
func walkFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return nil
	})
	return files
}

func assertNoSecrets(t *testing.T, where string, data []byte) {
	t.Helper()
	for _, s := range []string{e2eKey, e2eOpenID} {
		if bytes.Contains(data, []byte(s)) {
			t.Errorf("%s contains a secret (%q…)", where, s[:8])
		}
	}
}

func seedFromEnv(t *testing.T) uint64 {
	if s := os.Getenv("FLOWBATCH_SEED"); s != "" {
		var v uint64
		fmt.Sscan(s, &v)
		return v
	}
	return uint64(time.Now().UnixNano())
}

func simConfigWithFaults(seed uint64) juhesim.Config {
	return juhesim.Config{
		Key: e2eKey, OpenID: e2eOpenID,
		SettleDelay:  300 * time.Millisecond,
		SuccessRatio: 0.85,
		QPS:          120,
		Seed:         int64(seed),
		Faults: juhesim.Faults{
			DropAfterCharge:     0.06,
			Err10014AfterCharge: 0.06,
			HTML502Before:       0.04,
			HTML502After:        0.04,
			Latency:             0.3,
			LatencyMin:          5 * time.Millisecond,
			LatencyMax:          120 * time.Millisecond,
		},
	}
}

func joinOutput(rs ...procResult) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString(r.stdout)
		b.WriteString(r.stderr)
	}
	return b.String()
}

// readWorkbook returns the Orders rows (all Orders sheets, header dropped)
// and the Summary items of an English workbook.
func readWorkbook(t *testing.T, path string) (orders [][]string, header []string, summary map[string]string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("opening workbook: %v", err)
	}
	defer f.Close()
	summary = map[string]string{}
	for _, sheet := range f.GetSheetList() {
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case sheet == "Summary":
			for _, r := range rows {
				for _, at := range summaryLabelColumns {
					if len(r) >= at+2 && r[at] != "" {
						summary[r[at]] = r[at+1]
					}
				}
			}
		case sheet == "Orders" || strings.HasPrefix(sheet, "Orders ("):
			if len(rows) > 0 {
				header = rows[0]
				orders = append(orders, rows[1:]...)
			}
		}
	}
	return orders, header, summary
}

// summaryValue finds the Summary item whose label starts with prefix.
func summaryValue(t *testing.T, summary map[string]string, prefix string) string {
	t.Helper()
	for k, v := range summary {
		if k == prefix || strings.HasPrefix(k, prefix+" ") {
			return v
		}
	}
	t.Fatalf("Summary has no item %q (items: %v)", prefix, summary)
	return ""
}

// yuanCell parses a cost cell's raw value (a decimal number) into 厘.
func yuanCell(t *testing.T, s string) juhe.Money {
	t.Helper()
	if s == "" {
		return 0
	}
	if strings.Contains(s, ".") {
		whole, frac, _ := strings.Cut(s, ".")
		if len(frac) > 3 {
			// A double written with more digits than the 3 decimals it
			// stands for would mean the cell is not exact.
			t.Fatalf("cost cell %q has more than three decimals", s)
		}
		s = whole + "." + frac
	}
	m, err := juhe.ParseMoney("cell", s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// assertWorkbookMatchesLedger holds every Orders row against the ledger,
// order by order and to the 厘, and checks the Summary's totals.
func assertWorkbookMatchesLedger(t *testing.T, path string, rows []e2eRow, charged map[string]juhesim.LedgerOrder) {
	t.Helper()
	orders, header, summary := readWorkbook(t, path)
	want := []string{"row", "phone", "state", "pid", "cardname", "carrier", "charged", "refunded", "cost",
		"submitted_at", "final_at", "source", "error_code", "reason", "orderid", "sporder_id"}
	if len(header) < len(want) || !slices.Equal(header[:len(want)], want) {
		t.Fatalf("Orders header = %q, want it to start with %q", header, want)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	cell := func(r []string, name string) string {
		if i := col[name]; i < len(r) {
			return r[i]
		}
		return ""
	}
	if len(orders) != len(rows) {
		t.Fatalf("Orders has %d rows, the input %d", len(orders), len(rows))
	}
	var spend, refunded, chargedCol, refundedCol juhe.Money
	counts := map[string]int{}
	for i, r := range orders {
		state := cell(r, "state")
		counts[state]++
		chargedCol += yuanCell(t, cell(r, "charged"))
		refundedCol += yuanCell(t, cell(r, "refunded"))
		if !rows[i].valid {
			if state != "invalid" {
				t.Errorf("row %s: invalid input row has state %q", cell(r, "row"), state)
			}
			continue
		}
		id := cell(r, "orderid")
		o, ok := charged[id]
		if !ok {
			t.Errorf("row %s: orderid %q is not in the ledger", cell(r, "row"), id)
			continue
		}
		if cell(r, "phone") != o.Phone || cell(r, "pid") != o.Pid || cell(r, "sporder_id") != o.SporderID {
			t.Errorf("row %s: workbook %s/%s/%s, ledger %s/%s/%s", cell(r, "row"),
				cell(r, "phone"), cell(r, "pid"), cell(r, "sporder_id"), o.Phone, o.Pid, o.SporderID)
		}
		if got := yuanCell(t, cell(r, "cost")); got != o.Cost {
			t.Errorf("row %s: cost %s, ledger %s", cell(r, "row"), got, o.Cost)
		}
		wantState := map[juhe.GameState]string{juhe.StateSuccess: "success", juhe.StateFailed: "failed", juhe.StateCharging: "charging"}[o.State]
		if state != wantState {
			t.Errorf("row %s: state %q, ledger %q", cell(r, "row"), state, wantState)
		}
		switch o.State {
		case juhe.StateSuccess:
			spend += o.Cost
		case juhe.StateFailed:
			refunded += o.Cost
		}
	}
	if got := yuanCell(t, summaryValue(t, summary, "spend")); got != spend {
		t.Errorf("Summary spend %s, ledger's success total %s", got, spend)
	}
	// What a clerk checks: the charged column less the refunded one.
	if chargedCol-refundedCol != spend || refundedCol != refunded {
		t.Errorf("Orders: charged %s - refunded %s, want the spend %s (refunded %s)", chargedCol, refundedCol, spend, refunded)
	}
	if got := yuanCell(t, summaryValue(t, summary, "refunded_amount")); got != refunded {
		t.Errorf("Summary refunded %s, ledger's refunds %s", got, refunded)
	}
	if got := summaryValue(t, summary, "input_rows"); got != strconv.Itoa(len(rows)) {
		t.Errorf("Summary input_rows %s, want %d", got, len(rows))
	}
	if got := summaryValue(t, summary, "control_check"); got != "OK" {
		t.Errorf("Summary control_check = %q", got)
	}
	total := 0
	for _, n := range counts {
		total += n
	}
	if total != len(rows) {
		t.Errorf("control total: states add up to %d, input has %d rows", total, len(rows))
	}
}

// TestCrashAndFaults is the proof that flowbatch cannot lose or double-spend
// money: `run` over a few hundred rows against a simulator that loses
// answers after charging, answers 10014 and HTML 502 pages, rate-limits and
// is slow, killed with SIGKILL at random moments a dozen times, then left to
// finish. Replay a failure with FLOWBATCH_SEED=<seed printed below>.
func TestCrashAndFaults(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	seed := seedFromEnv(t)
	t.Logf("seed %d (replay with FLOWBATCH_SEED=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	sim := juhesim.NewServer(simConfigWithFaults(seed))
	defer sim.Close()

	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	rows := writeE2EInput(t, in, 300, rng)
	journal := filepath.Join(dir, "crash.journal")
	out := filepath.Join(dir, "crash.xlsx")
	args := []string{"run", "-in", in, "-batch", "crash-test", "-journal", journal, "-out", out,
		"-csv", filepath.Join(dir, "crash.csv"), "-lang", "en", "-rate", "200", "-wait", "90s", "-skip-invalid",
		"-resubmit-grace", "1s"} // issue 8: a short grace keeps the test quick

	var outputs []procResult
	kills := 0
	for i := 0; i < 12; i++ {
		res := runProc(t, bin, sim.URL, time.Duration(100+rng.IntN(1400))*time.Millisecond, args...)
		outputs = append(outputs, res)
		if res.killed {
			kills++
			continue
		}
		if res.code != ExitOK && res.code != ExitOpen {
			t.Fatalf("run %d exited %d:\n%s", i+1, res.code, joinOutput(res))
		}
	}
	t.Logf("killed %d of 12 runs", kills)
	var final procResult
	for i := 0; i < 3; i++ {
		final = runProc(t, bin, sim.URL, 0, args...)
		outputs = append(outputs, final)
		if final.code == ExitOK {
			break
		}
	}
	if final.code != ExitOK {
		t.Fatalf("final run exited %d:\n%s", final.code, joinOutput(final))
	}

	charged := assertLedgerMatches(t, "crash-test", rows, sim.Ledger())
	assertWorkbookMatchesLedger(t, out, rows, charged)

	// Once more: nothing new may be charged, and the journal verifies.
	before := sim.Ledger().Count
	again := runProc(t, bin, sim.URL, 0, args...)
	outputs = append(outputs, again)
	if again.code != ExitOK || sim.Ledger().Count != before {
		t.Errorf("a finished batch run again exited %d and charged %d more", again.code, sim.Ledger().Count-before)
	}
	v := runProc(t, bin, sim.URL, 0, "verify", "-journal", journal)
	outputs = append(outputs, v)
	if v.code != ExitOK {
		t.Errorf("verify exited %d: %s", v.code, joinOutput(v))
	}

	// Secrets: in no file written and in no output.
	for _, p := range walkFiles(t, dir) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, p, data)
		if strings.HasSuffix(p, ".journal") || strings.HasSuffix(p, ".xlsx") {
			if fi, _ := os.Stat(p); fi.Mode().Perm() != 0o600 {
				t.Errorf("%s has mode %v, want 0600", p, fi.Mode().Perm())
			}
		}
	}
	assertNoSecrets(t, "output", []byte(joinOutput(outputs...)))
}

// startProc starts the binary without waiting for it.
func startProc(t *testing.T, bin, baseURL string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, quickQueries(args)...)
	cmd.Env = append(os.Environ(), "JUHE_KEY="+e2eKey, "JUHE_OPENID="+e2eOpenID, "JUHE_BASE_URL="+baseURL, wsEnvVar(t))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, &out
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestSecondProcessOnOneJournalExitsAtOnce(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	cfg := juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: time.Hour,
		Faults: juhesim.Faults{Latency: 1, LatencyMin: 300 * time.Millisecond, LatencyMax: 300 * time.Millisecond}}
	sim := juhesim.NewServer(cfg)
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	writeE2EInput(t, in, 40, rand.New(rand.NewPCG(1, 2)))
	journal := filepath.Join(dir, "two.journal")
	args := []string{"run", "-in", in, "-batch", "two", "-journal", journal, "-out", filepath.Join(dir, "two.xlsx"), "-rate", "2", "-skip-invalid"}

	first, _ := startProc(t, bin, sim.URL, args...)
	waitFor(t, "the first run to submit", 20*time.Second, func() bool { return sim.Requests().Submits > 0 })

	start := time.Now()
	second := runProc(t, bin, sim.URL, 0, args...)
	if second.code != ExitLocked {
		t.Fatalf("second run exited %d, want %d:\n%s", second.code, ExitLocked, joinOutput(second))
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("second run took %v to give up; it must exit at once", took)
	}
	if want := fmt.Sprintf("process %d", first.Process.Pid); !strings.Contains(second.stderr, want) {
		t.Errorf("second run does not say which process holds the journal (%q):\n%s", want, second.stderr)
	}

	// A killed holder releases the lock.
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	st := runProc(t, bin, sim.URL, 0, "status", "-journal", journal)
	if st.code != ExitOK {
		t.Errorf("status after the holder was killed exited %d:\n%s", st.code, joinOutput(st))
	}
}

func TestHaltOnEmptyBalanceThenResume(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	// Balance for exactly 10 orders of pid 105000 at 19.630.
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: 50 * time.Millisecond, SuccessRatio: 1})
	defer sim.Close()
	sim.SetBalance(10 * 19630)
	dir := t.TempDir()
	in := filepath.Join(dir, "gift.csv")
	var b strings.Builder
	b.WriteString("手机号,产品编码\n")
	var rows []e2eRow
	for i := range 30 {
		r := e2eRow{phone: fmt.Sprintf("139%08d", 1000+i), pid: "105000", valid: true}
		rows = append(rows, r)
		fmt.Fprintf(&b, "%s,%s\n", r.phone, r.pid)
	}
	os.WriteFile(in, []byte(b.String()), 0o600)
	args := []string{"run", "-in", in, "-batch", "halt", "-journal", filepath.Join(dir, "halt.journal"),
		"-out", filepath.Join(dir, "halt.xlsx"), "-lang", "en", "-rate", "50", "-workers", "4", "-wait", "2m",
		// The halt abandons the other workers' journaled intents; the
		// resume queries them and may resubmit only after the grace
		// (counted from the latest such an attempt could have ended, 2 x
		// the 15s client timeout after its intent). The simulator looks an
		// order up as soon as it charges it, so a short grace is safe; 5s,
		// not 1s, so that the resume's queries are not the single pass of a
		// run whose wait has run out. -wait counts from the run's start.
		"-resubmit-grace", "5s"}

	// The estimate exceeds the balance: nothing starts without -allow-short-balance.
	short := runProc(t, bin, sim.URL, 0, args...)
	if short.code != ExitHalted || !strings.Contains(short.stderr, "exceeds the balance") || sim.Ledger().Count != 0 {
		t.Fatalf("run with a short balance exited %d, %d charged; want %d and none:\n%s", short.code, sim.Ledger().Count, ExitHalted, joinOutput(short))
	}
	args = append(args, "-allow-short-balance")
	first := runProc(t, bin, sim.URL, 0, args...)
	if first.code != ExitHalted {
		t.Fatalf("run with an empty balance exited %d, want %d:\n%s", first.code, ExitHalted, joinOutput(first))
	}
	for _, want := range []string{"210505", "top up", "run the same command again"} {
		if !strings.Contains(first.stderr, want) {
			t.Errorf("halt message lacks %q:\n%s", want, first.stderr)
		}
	}
	if n := sim.Ledger().Count; n != 10 {
		t.Errorf("%d orders charged before the halt, want 10", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "halt.xlsx")); err != nil {
		t.Errorf("no workbook after a halt: %v", err)
	}

	sim.SetBalance(1_000_000)
	second := runProc(t, bin, sim.URL, 0, args...)
	if second.code != ExitOK {
		t.Fatalf("resumed run exited %d:\n%s", second.code, joinOutput(second))
	}
	charged := assertLedgerMatches(t, "halt", rows, sim.Ledger())
	assertWorkbookMatchesLedger(t, filepath.Join(dir, "halt.xlsx"), rows, charged)
}

func TestHaltOnBadCredentialsSendsAlmostNothing(t *testing.T) {
	t.Parallel()
	bin := flowbatchBinary(t)
	for _, tc := range []struct {
		name, key, openID string
		code              int
	}{
		{"wrong key", "WRONG-KEY", e2eOpenID, 10001},
		{"wrong openid", e2eKey, "WRONG-OPENID", 210506},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID})
			defer sim.Close()
			dir := t.TempDir()
			in := filepath.Join(dir, "gift.csv")
			writeE2EInput(t, in, 200, rand.New(rand.NewPCG(3, 4)))
			cmd := exec.Command(bin, "run", "-in", in, "-batch", "creds", "-journal", filepath.Join(dir, "c.journal"),
				"-out", filepath.Join(dir, "c.xlsx"), "-rate", "100", "-workers", "4", "-skip-invalid")
			cmd.Env = append(os.Environ(), "JUHE_KEY="+tc.key, "JUHE_OPENID="+tc.openID, "JUHE_BASE_URL="+sim.URL, wsEnvVar(t))
			out, _ := cmd.CombinedOutput()
			if code := cmd.ProcessState.ExitCode(); code != ExitHalted {
				t.Fatalf("exited %d, want %d:\n%s", code, ExitHalted, out)
			}
			if !strings.Contains(string(out), strconv.Itoa(tc.code)) {
				t.Errorf("message does not name %d:\n%s", tc.code, out)
			}
			if n := sim.Requests().Submits; n > 4 {
				t.Errorf("%d submits sent after the provider said %d; at most the 4 in flight may go", n, tc.code)
			}
			if n := sim.Ledger().Count; n != 0 {
				t.Errorf("%d orders charged with bad credentials", n)
			}
		})
	}
}
