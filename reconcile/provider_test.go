package reconcile

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

// sampleStatement is the provider's statement for sampleBook: most orders
// as the journal has them, and the cases of the three-way match.
func sampleStatement() *statement.Statement {
	sec := func(ms int64) int64 { return ms / 1000 }
	line := func(id string, st juhe.GameState, cost juhe.Money, at int64) journal.StatementLine {
		l := journal.StatementLine{OrderID: id, SporderID: "J" + id, Phone: "1380000000", Pid: "10", State: st, Cost: cost, HasCost: cost > 0, AddTime: sec(at)}
		return l
	}
	lines := []journal.StatementLine{
		line("o-ok1-p10", juhe.StateSuccess, 19630, t0+20000),
		line("o-ok2-p10", juhe.StateSuccess, 19630, t0+23000),
		// o-ok3-p10: not listed (missing at provider)
		line("o-dup-p10", juhe.StateSuccess, 19630, t0+30000),
		line("o-fail-p20", juhe.StateFailed, 5000, t0+33000),
		line("o-chg-p20", juhe.StateSuccess, 5000, t0+36000),                                                       // the journal says charging
		{SporderID: "Jo-cost-p10", State: juhe.StateSuccess, Cost: 19630, HasCost: true, AddTime: sec(t0 + 45000)}, // by sporder_id; cost differs
		line("o-cb-p10", juhe.StateSuccess, 19630, t0+48000),
		line("o-conf-p10", juhe.StateSuccess, 19630, t0+52000),
		line("o-rej-p10", juhe.StateSubmitFailed, 0, t0+53000), // rejected and submit failed: neither charged
		line("o-not-p10", juhe.StateSuccess, 19630, t0+54000),  // never sent by the journal, yet charged
		// Behind the batch's back, in the window.
		{OrderID: "LEAK0001", SporderID: "JX1", Phone: "13712345670", Pid: "10", State: juhe.StateSuccess, Cost: 7777, HasCost: true, AddTime: sec(t0 + 40000)},
		{SporderID: "JX2", Phone: "13712345671", Pid: "20", State: juhe.StateSuccess, Cost: 2941, HasCost: true, AddTime: sec(t0 + 41000)},
		{OrderID: "LEAK0003", SporderID: "JX3", Phone: "13712345672", Pid: "20", State: juhe.StateFailed, Cost: 5000, HasCost: true, AddTime: sec(t0 + 42000)},
		// Another batch of the workspace.
		line("o-other", juhe.StateSuccess, 3000, t0+43000),
	}
	return &statement.Statement{Path: "/x/b.journal.statement", BatchID: "B2025-03", Account: "JH9",
		HeadHash: strings.Repeat("ab", 32), Records: int64(len(lines) + 3),
		Periods: []statement.Period{{Window: journal.Window{Start: sec(t0) - 600, End: sec(t0) + 3600, PageSize: 100, Account: "JH9"},
			Closed: journal.WindowEnd{Complete: true, Lines: len(lines), TotalCount: -1}, Ended: true, Lines: lines}}}
}

func otherBook(t *testing.T) *batch.Book {
	b := newJournal(t, "OTHER")
	b.input("other.csv", nil, valid(2, "13900000001", "10", "o-other"))
	b.intent("o-other")
	b.submit("o-other", juhe.ClassAccepted, 0, "提交成功", 3000)
	b.query("o-other", juhe.StateSuccess, 3000)
	return b.book()
}

func TestMatchResults(t *testing.T) {
	book := sampleBook(t)
	m, err := Match(sampleStatement(), []*batch.Book{book}, []*batch.Book{otherBook(t)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Result{}
	for _, l := range m.Lines {
		got[l.OrderID+"/"+l.SporderID] = l.Result
	}
	for key, want := range map[string]Result{
		"o-ok3-p10/Jo-ok3-p10":   MissingAtProvider,
		"o-orphan/Jo-orphan":     MissingAtProvider, // not in the latest input, still ours
		"o-chg-p20/Jo-chg-p20":   StateDiffers,
		"o-not-p10/Jo-not-p10":   StateDiffers,
		"o-cost-p10/Jo-cost-p10": CostDiffers,
		"LEAK0001/JX1":           Unexplained,
		"/JX2":                   Unexplained,
		"LEAK0003/JX3":           Unexplained,
		"o-other/Jo-other":       OtherBatch,
	} {
		if got[key] != want {
			t.Errorf("%s: %v, want %v", key, got[key], want)
		}
	}
	for r, want := range map[Result]ResultTotal{
		Matched: {7, 5 * 19630}, StateDiffers: {2, 5000 + 19630}, CostDiffers: {1, 19630}, MissingAtProvider: {2, 19630 + 3000},
		Unexplained: {3, 7777 + 2941}, OtherBatch: {1, 3000},
	} {
		if m.Totals[r] != want {
			t.Errorf("result %v: %+v, want %+v", r, m.Totals[r], want)
		}
	}
	if m.Agrees() {
		t.Error("agrees with unexplained and missing lines")
	}
	other, unexpl := m.ChargedBetween(t0, t0+100000)
	if other != 3000 || unexpl != 7777+2941 {
		t.Errorf("charged in the window: other %s, unexplained %s", other, unexpl)
	}
	// The hook for game_state -1: charged nothing, by the statement.
	for _, c := range []struct {
		id   string
		at   int64
		want bool
	}{{"o-fail-p20", t0, true}, {"o-ok1-p10", t0, false}, {"o-never", t0 + 5000, true}, {"o-never", t0 + 7200_000, false}, {"o-never", 0, false}} {
		if got := m.Uncharged(c.id, c.at); got != c.want {
			t.Errorf("Uncharged(%s, %d) = %v, want %v", c.id, c.at, got, c.want)
		}
	}
	// Two accounts never mix.
	book.Header.Settings = map[string]string{workspace.SettingAccount: "JH1"}
	if _, err := Match(sampleStatement(), []*batch.Book{book}, nil); err == nil {
		t.Error("a batch of account JH1 matched against the statement of JH9")
	}
	ob := otherBook(t)
	ob.Header.Settings = map[string]string{workspace.SettingAccount: "JH1"}
	book.Header.Settings = nil
	m, _ = Match(sampleStatement(), []*batch.Book{book}, []*batch.Book{ob})
	if len(m.Skipped) != 1 || m.Totals[OtherBatch].Count != 0 || m.Totals[Unexplained].Count != 4 {
		t.Errorf("another account's journal: skipped %v, totals %v", m.Skipped, m.Totals)
	}
}

// sampleLeg is the provider leg of the sample: the statement, the other
// batch, and the balance read before and after (from the side file).
func sampleLeg(t *testing.T) *ProviderLeg {
	return &ProviderLeg{Statement: sampleStatement(), Others: []*batch.Book{otherBook(t)},
		SideBalances: []batch.Balance{
			{At: t0 + 500, BalanceNote: journal.BalanceNote{When: journal.BalanceBefore, Known: true, Money: 1_000_000, Account: "JH9"}},
			{At: t0 + 90000, BalanceNote: journal.BalanceNote{When: journal.BalanceAfter, Known: true, Money: 800_000, Account: "JH9"}},
		}}
}

func TestProviderWorkbook(t *testing.T) {
	book := sampleBook(t)
	out := filepath.Join(t.TempDir(), "p.xlsx")
	s, err := Write(context.Background(), book, out, Options{Lang: "en", Now: fixedNow, Provider: sampleLeg(t)})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Provider", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+8 { // header, and every flagged line: 2 state, 1 cost, 2 missing, 3 unexplained
		t.Fatalf("Provider sheet: %d rows\n%q", len(rows), rows)
	}
	summary, err := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	items := map[string][]string{}
	for _, r := range summary {
		if len(r) > 1 {
			items[r[0]] = r[1:]
		}
		// The side pane: the provider's books, the audit, the sign-off.
		if side := summaryCols + 1; len(r) > side+1 {
			items[r[side]] = r[side+1:]
		}
	}
	w := english.provider
	for _, c := range []struct {
		label string
		want  []string
	}{
		{w.results[Unexplained], []string{"3", "10.718"}},
		{w.results[MissingAtProvider], []string{"2", "22.63"}},
		{w.results[OtherBatch], []string{"1", "3"}},
		{w.check, []string{"MISMATCH"}},
		{w.statementHead, []string{strings.Repeat("ab", 32)}},
	} {
		if got := items[c.label]; len(got) < len(c.want) || strings.Join(got[:len(c.want)], " ") != strings.Join(c.want, " ") {
			t.Errorf("%s: %q, want %q", c.label, got, c.want)
		}
	}
	// 1000 − 137.380 − 3 (orphan) − 5 (charging) − 3 (other) − 10.718 = 840.902; actual 800.
	if s.Provider == nil || !s.Provider.HasRoll || s.Provider.Expected != 840_902 || s.Provider.Difference != 800_000-840_902 {
		t.Errorf("roll-forward %+v", s.Provider)
	}
	if got := items[w.difference]; len(got) == 0 || got[0] != "-40.902" {
		t.Errorf("difference cell %q", got)
	}
	// The check is a live formula.
	cells, _ := f.SearchSheet("Summary", w.check)
	if len(cells) != 1 {
		t.Fatalf("check label at %v", cells)
	}
	col, row, _ := excelize.CellNameToCoordinates(cells[0])
	ref, _ := excelize.CoordinatesToCellName(col+1, row)
	if fm, _ := f.GetCellFormula("Summary", ref); !strings.HasPrefix(fm, "IF(AND(") {
		t.Errorf("the check cell's formula is %q", fm)
	}
}

func TestProviderNotAvailable(t *testing.T) {
	book := sampleBook(t)
	out := filepath.Join(t.TempDir(), "p.xlsx")
	why := "flow/ordersbydate: not available: 10002 该KEY无请求权限"
	st := sampleStatement()
	st.Periods[0].Closed = journal.WindowEnd{Reply: why}
	st.Periods[0].Lines = nil
	s, err := Write(context.Background(), book, out, Options{Lang: "zh", Now: fixedNow, Provider: &ProviderLeg{Statement: st}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Provider.NotAvailable, why) || s.ByStatus[batch.StatusSuccess] != 7 {
		t.Errorf("summary %+v", s.Provider)
	}
	f, _ := excelize.OpenFile(out)
	defer f.Close()
	rows, _ := f.GetRows(chinese.provider.sheet)
	if len(rows) != 2 || !strings.Contains(rows[1][0], "未能取得供应商对账") || !strings.Contains(rows[1][0], "10002") {
		t.Errorf("Provider sheet %q", rows)
	}
}

// TestProviderPrintsAsPDF: with the provider's books, the Summary still
// prints on one page, and says both blocks. FLOWBATCH_PDF_DIR keeps the
// files, to look at.
func TestProviderPrintsAsPDF(t *testing.T) {
	soffice, err := exec.LookPath("soffice")
	if err != nil || testing.Short() {
		t.Skip("soffice not installed (apt-get install libreoffice-calc) or -short")
	}
	pdftotext, err1 := exec.LookPath("pdftotext")
	pdfinfo, err2 := exec.LookPath("pdfinfo")
	if err1 != nil || err2 != nil {
		t.Skip("pdftotext/pdfinfo not installed (apt-get install poppler-utils)")
	}
	dir := os.Getenv("FLOWBATCH_PDF_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	book := sampleBook(t)
	for _, lang := range []string{"en", "zh"} {
		w, _ := lookupWords(lang)
		xlsx := filepath.Join(dir, "provider-"+lang+".xlsx")
		if _, err := Write(context.Background(), book, xlsx, Options{Lang: lang, Now: fixedNow, Provider: sampleLeg(t)}); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		profile := "-env:UserInstallation=file://" + filepath.Join(t.TempDir(), "profile")
		msg, err := exec.CommandContext(ctx, soffice, profile, "--headless", "--convert-to", "pdf", "--outdir", dir, xlsx).CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("soffice: %v\n%s", err, msg)
		}
		pdf := strings.TrimSuffix(xlsx, ".xlsx") + ".pdf"
		info, _ := exec.Command(pdfinfo, pdf).Output()
		m := regexp.MustCompile(`Pages:\s+(\d+)`).FindSubmatch(info)
		if m == nil {
			t.Fatalf("pdfinfo says\n%s", info)
		}
		if n, _ := strconv.Atoi(string(m[1])); n < 6 {
			t.Errorf("%s: %d pages: want the five of the sample and the Provider sheet's", lang, n)
		}
		page1, _ := exec.Command(pdftotext, "-layout", "-f", "1", "-l", "1", pdf, "-").Output()
		for _, want := range []string{w.provider.block, w.provider.roll, w.provider.difference, w.signoffBlock, w.title("B2025-03")} {
			if !strings.Contains(squash(string(page1)), squash(want)) {
				t.Errorf("%s: the Summary page lacks %q:\n%s", lang, want, page1)
			}
		}
	}
}

// TestProviderNoSnapshotInTheWorkbooksLanguage: a journal without balance
// snapshots says so in the workbook's language, not in English.
func TestProviderNoSnapshotInTheWorkbooksLanguage(t *testing.T) {
	for _, tt := range []struct {
		lang string
		ws   *words
	}{{"zh", chinese}, {"en", english}} {
		out := filepath.Join(t.TempDir(), "p.xlsx")
		if _, err := Write(context.Background(), sampleBook(t), out, Options{Lang: tt.lang, Now: fixedNow, Provider: &ProviderLeg{Statement: sampleStatement()}}); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		w := tt.ws.provider
		for _, want := range []string{w.noBalance(w.opening, w.noSnapshot), w.noBalance(w.actual, w.noSnapshot)} {
			if cells, _ := f.SearchSheet(tt.ws.summary, want); len(cells) != 1 {
				t.Errorf("%s: %q found at %v, want once on the Summary", tt.lang, want, cells)
			}
		}
		f.Close()
	}
}
