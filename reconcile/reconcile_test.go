package reconcile

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var fixedNow = func() time.Time { return time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC) }

// t0 is 2025-03-01 10:00:00 CST.
const t0 = int64(1740794400000)

// testJournal builds a journal through the batch API and loads it back the
// way `flowbatch reconcile` does.
type testJournal struct {
	t    *testing.T
	ctx  context.Context
	path string
	j    *journal.Journal
	recs []*journal.Record
	at   int64
}

func newJournal(t *testing.T, batchID string) *testJournal {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	j, _, err := batch.CreateJournal(ctx, path, journal.Header{BatchID: batchID, ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return &testJournal{t: t, ctx: ctx, path: path, j: j, at: t0}
}

func (b *testJournal) add(r *journal.Record) {
	b.at += 1000
	r.At = b.at
	b.recs = append(b.recs, r)
}

func (b *testJournal) input(name string, extra []string, rows ...*journal.RowRecord) {
	b.add(&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: name, SHA256: strings.Repeat("5a", 32),
		Rows: len(rows), Format: "csv", Encoding: "utf-8", Extra: extra}})
	for _, r := range rows {
		b.add(&journal.Record{Type: journal.RecRow, Row: r})
	}
	b.add(&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: len(rows)}})
}

func (b *testJournal) intent(id string) {
	b.add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}})
}

func (b *testJournal) submit(id string, c juhe.Class, code int, reason string, cost juhe.Money) {
	b.add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: c, Code: code, Reason: reason, SporderID: "J" + id, Cost: cost, HasCost: cost > 0}, CardName: cardName(id)}})
}

func (b *testJournal) query(id string, st juhe.GameState, cost juhe.Money) {
	// As the provider answers: "查询成功" is the query's own message.
	b.add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, Reason: "查询成功", SporderID: "J" + id, Cost: cost, HasCost: cost > 0}, State: st}})
}

func (b *testJournal) callback(id string, st juhe.GameState) {
	b.add(&journal.Record{Type: journal.RecCallback, Callback: &journal.CallbackNote{OrderID: id, SporderID: "J" + id, State: st}})
}

// book writes the records and loads the journal back.
func (b *testJournal) book() *batch.Book {
	b.t.Helper()
	if len(b.recs) > 0 {
		if err := b.j.Append(b.ctx, b.recs...); err != nil {
			b.t.Fatal(err)
		}
		b.recs = nil
	}
	book, err := batch.LoadBook(b.ctx, b.path)
	if err != nil {
		b.t.Fatal(err)
	}
	return book
}

func cardName(id string) string {
	if strings.Contains(id, "p20") {
		return "联通全国500M"
	}
	return "移动全国1G"
}

func valid(line int, phone, pid, id string, extra ...string) *journal.RowRecord {
	return &journal.RowRecord{Line: line, Phone: phone, Pid: pid, OrderID: id, Occurrence: 1, Status: journal.RowValid, Extra: extra}
}

// sampleBook has every state, an orphan, a duplicate, a cost mismatch, a
// callback disagreement, a conflict and extra columns with Chinese text.
func sampleBook(t *testing.T) *batch.Book {
	b := newJournal(t, "B2025-03")
	const yuan = 1000
	// An earlier reading of the input, with a row that was later removed.
	b.input("gifts-v1.csv", []string{"姓名", "部门"}, valid(2, "13900000000", "30", "o-orphan", "赵六", "市场部"))
	b.intent("o-orphan")
	b.submit("o-orphan", juhe.ClassAccepted, 0, "提交成功", 3*yuan)
	b.query("o-orphan", juhe.StateSuccess, 3*yuan)

	dup := &journal.RowRecord{Line: 12, Phone: "13800000001", Pid: "10", OrderID: "o-dup-p10", Occurrence: 2,
		Status: journal.RowDuplicate, DupOf: 2, Reason: "duplicate of row 2", Extra: []string{"张三", "财务部"}}
	invalid := &journal.RowRecord{Line: 10, Phone: "1380000000x", Pid: "10", Status: journal.RowInvalid,
		Reason: "phone: not 11 digits", Extra: []string{"错号", ""}}
	b.input("gifts.csv", []string{"姓名", "部门"},
		valid(2, "13800000001", "10", "o-ok1-p10", "张三", "财务部"),
		valid(3, "13800000002", "10", "o-ok2-p10", "李四", "技术部"),
		valid(4, "13800000003", "10", "o-ok3-p10", "王五", ""),
		valid(5, "13800000004", "20", "o-fail-p20", "钱七", "销售部"),
		valid(6, "13800000005", "20", "o-chg-p20", "孙八", "销售部"),
		valid(7, "13800000006", "20", "o-unk-p20", "周九", "销售部"),
		valid(8, "13800000007", "10", "o-rej-p10", "吴十", "行政部"),
		valid(9, "13800000008", "10", "o-not-p10", "郑一", "行政部"),
		invalid,
		valid(11, "13800000010", "10", "o-cost-p10", "冯二", "技术部"),
		dup,
		valid(13, "13800000012", "10", "o-cb-p10", "陈三", "技术部"),
		valid(14, "13800000013", "10", "o-conf-p10", "褚四", "技术部"),
	)
	for _, id := range []string{"o-ok1-p10", "o-ok2-p10", "o-ok3-p10", "o-dup-p10"} {
		b.intent(id)
		b.submit(id, juhe.ClassAccepted, 0, "提交成功", 19630)
		b.query(id, juhe.StateSuccess, 19630)
	}
	b.callback("o-ok1-p10", juhe.StateSuccess) // agrees
	b.intent("o-fail-p20")
	b.submit("o-fail-p20", juhe.ClassAccepted, 0, "提交成功", 5*yuan)
	b.query("o-fail-p20", juhe.StateFailed, 5*yuan)
	b.intent("o-chg-p20")
	b.submit("o-chg-p20", juhe.ClassAccepted, 0, "提交成功", 5*yuan)
	b.intent("o-unk-p20")
	b.submit("o-unk-p20", juhe.ClassUnknown, juhe.NoCode, "timeout after 10s", 0)
	b.intent("o-rej-p10")
	b.submit("o-rej-p10", juhe.ClassRejected, 210502, "手机号码不支持该产品", 0)
	b.intent("o-cost-p10")
	b.submit("o-cost-p10", juhe.ClassAccepted, 0, "提交成功", 19630)
	b.query("o-cost-p10", juhe.StateSuccess, 19600)
	b.intent("o-cb-p10")
	b.submit("o-cb-p10", juhe.ClassAccepted, 0, "提交成功", 19630)
	b.callback("o-cb-p10", juhe.StateFailed)
	b.query("o-cb-p10", juhe.StateSuccess, 19630)
	b.intent("o-conf-p10")
	b.submit("o-conf-p10", juhe.ClassAccepted, 0, "提交成功", 19630)
	b.query("o-conf-p10", juhe.StateSuccess, 19630)
	b.query("o-conf-p10", juhe.StateFailed, 19630)
	return b.book()
}

func writeSample(t *testing.T, book *batch.Book, lang string, perSheet int) (string, *Summary) {
	t.Helper()
	dir := t.TempDir()
	out := filepath.Join(dir, "recon.xlsx")
	s, err := Write(context.Background(), book, out, Options{Lang: lang, Now: fixedNow,
		CSV: filepath.Join(dir, "orders.csv"), MaxOrdersPerSheet: perSheet})
	if err != nil {
		t.Fatal(err)
	}
	return out, s
}

// dumpWorkbook prints every sheet's layout and cells: type, value,
// formula and the number format of styled cells.
func dumpWorkbook(t *testing.T, path string, book *batch.Book) string {
	t.Helper()
	headHash := book.HeadHash
	journal, _ := filepath.Abs(book.Path)
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	for _, dn := range f.GetDefinedName() {
		fmt.Fprintf(&b, "defined name %s scope=%s: %s\n", dn.Name, dn.Scope, dn.RefersTo)
	}
	for _, sheet := range f.GetSheetList() {
		fmt.Fprintf(&b, "\n== sheet %q\n", sheet)
		panes, err := f.GetPanes(sheet)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "panes: freeze=%v ysplit=%d topleft=%s\n", panes.Freeze, panes.YSplit, panes.TopLeftCell)
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		var widths []string
		for c := 1; c <= cols; c++ {
			name, _ := excelize.ColumnNumberToName(c)
			wd, _ := f.GetColWidth(sheet, name)
			widths = append(widths, fmt.Sprintf("%s=%g", name, wd))
		}
		fmt.Fprintf(&b, "widths: %s\n", strings.Join(widths, " "))
		dumpPaper(t, &b, f, sheet)
		for r, row := range rows {
			for c := range row {
				ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
				formula, _ := f.GetCellFormula(sheet, ref)
				if row[c] == "" && formula == "" {
					continue
				}
				typ, _ := f.GetCellType(sheet, ref)
				v := row[c]
				if headHash != "" && v == headHash {
					v = "<head hash>"
				}
				if journal != "" {
					v = strings.ReplaceAll(v, journal, "<journal path>")
				}
				fmt.Fprintf(&b, "%s %s %q", ref, cellType(typ), v)
				if formula != "" {
					fmt.Fprintf(&b, " =%s", formula)
				}
				if id, _ := f.GetCellStyle(sheet, ref); id != 0 {
					st, _ := f.GetStyle(id)
					switch {
					case st.CustomNumFmt != nil:
						fmt.Fprintf(&b, " fmt=%s", *st.CustomNumFmt)
					case st.NumFmt == 49:
						fmt.Fprintf(&b, " fmt=@")
					}
				}
				b.WriteByte('\n')
			}
		}
	}
	dumpCharts(t, &b, path)
	return b.String()
}

// dumpCharts prints the ranges each chart of the file names.
func dumpCharts(t *testing.T, b *strings.Builder, path string) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	refs := regexp.MustCompile(`<(?:c:)?f>([^<]*)</(?:c:)?f>`)
	kind := regexp.MustCompile(`<(?:c:)?pieChart>|<(?:c:)?barDir val="\w+"`)
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, zf := range files {
		if !strings.HasPrefix(zf.Name, "xl/charts/chart") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(rc)
		rc.Close()
		fmt.Fprintf(b, "\n%s %s:", zf.Name, kind.Find(body))
		for _, m := range refs.FindAllSubmatch(body, -1) {
			fmt.Fprintf(b, " %s", html.UnescapeString(string(m[1])))
		}
		b.WriteByte('\n')
	}
}

func cellType(t excelize.CellType) string {
	switch t {
	case excelize.CellTypeNumber, excelize.CellTypeUnset:
		return "n"
	case excelize.CellTypeInlineString, excelize.CellTypeSharedString:
		return "s"
	case excelize.CellTypeFormula:
		return "f"
	case excelize.CellTypeBool:
		return "b"
	}
	return fmt.Sprint(t)
}

func TestWorkbookGolden(t *testing.T) {
	book := sampleBook(t)
	for _, lang := range []string{"en", "zh"} {
		t.Run(lang, func(t *testing.T) {
			out, _ := writeSample(t, book, lang, 0)
			got := dumpWorkbook(t, out, book)
			golden := filepath.Join("testdata", "sample."+lang+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("workbook differs from %s (go test -update rewrites it):\n%s", golden, diff(string(want), got))
			}
			// The same journal gives the same workbook.
			out2, _ := writeSample(t, book, lang, 0)
			if again := dumpWorkbook(t, out2, book); again != got {
				t.Errorf("a second run differs:\n%s", diff(got, again))
			}
		})
	}
}

func diff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %s\n  got  %s\n", i+1, wl, gl)
			if b.Len() > 4000 {
				break
			}
		}
	}
	return b.String()
}

func TestSummaryFigures(t *testing.T) {
	book := sampleBook(t)
	out, s := writeSample(t, book, "en", 0)
	want := map[batch.Status]int{
		batch.StatusSuccess: 7, batch.StatusFailed: 1, batch.StatusCharging: 1, batch.StatusUnknown: 1,
		batch.StatusRejected: 1, batch.StatusInvalid: 1, batch.StatusNotSubmitted: 1,
	}
	for st, n := range want {
		if s.ByStatus[st] != n {
			t.Errorf("%s: %d, want %d", st, s.ByStatus[st], n)
		}
	}
	// ok1-3 and the duplicate at 19.630, the cost mismatch at the query's
	// 19.600, the callback disagreement and the conflict (a final state
	// never moves back) at 19.630.
	if s.Spend != 4*19630+19600+2*19630 || s.Charging != 5000 || s.Refunded != 5000 {
		t.Errorf("spend %s charging %s refunded %s", s.Spend, s.Charging, s.Refunded)
	}
	if !s.ControlOK || s.InputRows != 13 || s.Listed != 13 || s.Orphans != 1 || s.OrphanSpend != 3000 || s.Open != 3 {
		t.Errorf("summary %+v", s)
	}
	if s.HeadHash != book.HeadHash || s.HeadHash == "" {
		t.Errorf("head hash %q, book has %q", s.HeadHash, book.HeadHash)
	}
	// The book's own control totals agree with the workbook's.
	c := book.Counts()
	for _, st := range batch.Statuses {
		if c.ByStatus[st] != s.ByStatus[st] {
			t.Errorf("%s: book counts %d, workbook %d", st, c.ByStatus[st], s.ByStatus[st])
		}
	}
	if c.Spend != s.Spend || c.Refunded != s.Refunded || c.Charging != s.Charging || c.Orphans != s.Orphans {
		t.Errorf("book totals %+v, workbook %+v", c, s)
	}

	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// Phones, pids and orderids are text; cost is the exact decimal.
	for _, c := range []column{colPhone, colPid, colOrderID, colSporderID} {
		ref := ordersLetter[c] + "2"
		if typ, _ := f.GetCellType("Orders", ref); typ != excelize.CellTypeInlineString {
			v, _ := f.GetCellValue("Orders", ref)
			t.Errorf("Orders!%s (%q) has type %v, want a string", ref, v, typ)
		}
	}
	for _, c := range []column{colCost, colCharged} {
		ref := ordersLetter[c] + "2"
		if v, _ := f.GetCellValue("Orders", ref, excelize.Options{RawCellValue: true}); v != "19.63" {
			t.Errorf("Orders!%s = %q, want 19.63", ref, v)
		}
		if v, _ := f.GetCellValue("Orders", ref); v != "19.630" {
			t.Errorf("Orders!%s shows %q, want 19.630", ref, v)
		}
	}
	// Every formula, recalculated by excelize, gives the cached value.
	checkFormulas(t, f)
}

// checkFormulas recalculates every formula cell of the Summary and
// compares it with the value written.
func checkFormulas(t *testing.T, f *excelize.File) {
	t.Helper()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for r, row := range rows {
		for c := range row {
			ref, _ := excelize.CoordinatesToCellName(c+1, r+1)
			formula, _ := f.GetCellFormula(sheet, ref)
			if formula == "" {
				continue
			}
			n++
			got, err := f.CalcCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if err != nil {
				t.Errorf("%s!%s =%s: %v", sheet, ref, formula, err)
				continue
			}
			if !sameNumber(got, row[c]) {
				t.Errorf("%s!%s =%s recalculates to %q, cached %q", sheet, ref, formula, got, row[c])
			}
		}
	}
	if n < 15 {
		t.Errorf("only %d formulas on %s", n, sheet)
	}
}

// sameNumber compares a recalculated value with a cached one to the 厘.
func sameNumber(a, b string) bool {
	if a == b {
		return true
	}
	var x, y float64
	if _, err := fmt.Sscan(a, &x); err != nil {
		return false
	}
	if _, err := fmt.Sscan(b, &y); err != nil {
		return false
	}
	return fmt.Sprintf("%.3f", x) == fmt.Sprintf("%.3f", y)
}

func TestExactSums(t *testing.T) {
	// 3 × 19.630 is 58.890 exactly; 0.1 + 0.2 style float drift must not show.
	b := newJournal(t, "B-sum")
	var rows []*journal.RowRecord
	for i := 0; i < 3; i++ {
		rows = append(rows, valid(i+2, fmt.Sprintf("1380000000%d", i), "10", fmt.Sprintf("o%d", i)))
	}
	b.input("in.csv", nil, rows...)
	for i := 0; i < 3; i++ {
		id := fmt.Sprintf("o%d", i)
		b.intent(id)
		b.submit(id, juhe.ClassAccepted, 0, "", 19630)
		b.query(id, juhe.StateSuccess, 19630)
	}
	book := b.book()
	out, s := writeSample(t, book, "en", 0)
	if s.Spend != 58890 {
		t.Fatalf("spend %s", s.Spend)
	}
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cell := findLabel(t, f, "Summary", "spend (sum of success costs)")
	if v, _ := f.GetCellValue("Summary", cell, excelize.Options{RawCellValue: true}); v != "58.89" {
		t.Errorf("spend cell %s = %q, want 58.89", cell, v)
	}
	if v, _ := f.GetCellValue("Summary", cell); v != "58.890" {
		t.Errorf("spend cell %s shows %q, want 58.890", cell, v)
	}
	checkFormulas(t, f)
}

// findLabel returns the B cell beside the Summary label.
func findLabel(t *testing.T, f *excelize.File, sheet, label string) string {
	t.Helper()
	rows, _ := f.GetRows(sheet)
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return fmt.Sprintf("B%d", i+1)
		}
	}
	t.Fatalf("no %q on %s", label, sheet)
	return ""
}

func TestSplitOrdersSheets(t *testing.T) {
	book := sampleBook(t)
	for _, lang := range []string{"en", "zh"} {
		out, s := writeSample(t, book, lang, 5)
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		w, _ := lookupWords(lang)
		wantSheets := []string{w.summary, w.charts, w.orders, w.orders + " (2)", w.orders + " (3)",
			w.exceptions, w.exceptions + " (2)", w.exceptions + " (3)"}
		if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(wantSheets, "|") {
			t.Errorf("%s: sheets %q, want %q", lang, got, wantSheets)
		}
		if strings.Join(s.OrdersSheets, "|") != strings.Join(wantSheets[2:5], "|") {
			t.Errorf("%s: summary lists %q", lang, s.OrdersSheets)
		}
		// 13 input rows and 1 orphan: 5 + 5 + 4, each sheet with its header.
		var phones []string
		for i, name := range wantSheets[2:5] {
			rows, _ := f.GetRows(name)
			if want := []int{6, 6, 5}[i]; len(rows) != want {
				t.Errorf("%s: %s has %d rows, want %d", lang, name, len(rows), want)
			}
			for _, r := range rows[1:] {
				phones = append(phones, r[ordersAt[colPhone]])
			}
		}
		if len(phones) != 14 || phones[0] != "13800000001" || phones[13] != "13900000000" {
			t.Errorf("%s: phones across sheets %q", lang, phones)
		}
		checkFormulas(t, f)
		f.Close()
	}
}

func TestCSV(t *testing.T) {
	book := sampleBook(t)
	for _, lang := range []string{"en", "zh"} {
		_, s := writeSample(t, book, lang, 0)
		data, err := os.ReadFile(s.CSVPath)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte("\ufeff")) {
			t.Fatalf("%s: no BOM", lang)
		}
		recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		w, _ := lookupWords(lang)
		wantHeader := append(ordersTable.header(w), extraNames(book, w)...)
		if strings.Join(recs[0], "|") != strings.Join(wantHeader, "|") {
			t.Errorf("%s: header %q", lang, recs[0])
		}
		if len(recs) != 1+13+1 {
			t.Fatalf("%s: %d records", lang, len(recs))
		}
		first := recs[1]
		want := []string{"2", "13800000001", w.states[batch.StatusSuccess], "10", "移动全国1G",
			w.carriers[juhe.CarrierMobile], "19.630", "", "19.630", "2025-03-01 10:00:22", "", w.sources["query"], "", "", "o-ok1-p10", "Jo-ok1-p10", "张三", "财务部"}
		first[ordersAt[colFinal]] = "" // the final time is checked in the golden file
		if strings.Join(first, "|") != strings.Join(want, "|") {
			t.Errorf("%s: first row\n got %q\nwant %q", lang, first, want)
		}
	}
}

// extraNames is what the header should call the two extra columns: the
// input's names, or the placeholders when the book does not keep them.
func extraNames(book *batch.Book, w *words) []string {
	if len(book.Input.Extra) == 2 {
		return book.Input.Extra
	}
	return []string{w.extraName(1), w.extraName(2)}
}

func TestMissingLanguage(t *testing.T) {
	book := sampleBook(t)
	_, err := Write(context.Background(), book, filepath.Join(t.TempDir(), "x.xlsx"), Options{Lang: "fr"})
	if err == nil || !strings.Contains(err.Error(), "fr") {
		t.Fatalf("err = %v", err)
	}
}

// TestColumnWords checks that every column of both tables has a header
// word in each language, no two columns of a table sharing one.
func TestColumnWords(t *testing.T) {
	for _, w := range []*words{english, chinese} {
		for name, h := range map[string][]string{w.orders: ordersTable.header(w), w.exceptions: exceptionsTable.header(w)} {
			seen := map[string]bool{}
			for i, word := range h {
				if word == "" || seen[word] {
					t.Errorf("%s column %d: header %q is empty or repeated", name, i+1, word)
				}
				seen[word] = true
			}
		}
	}
}

// dumpPaper prints a sheet's page setup, merged cells and, from the
// drawing, the ranges its charts name.
func dumpPaper(t *testing.T, b *strings.Builder, f *excelize.File, sheet string) {
	t.Helper()
	pl, err := f.GetPageLayout(sheet)
	if err != nil {
		t.Fatal(err)
	}
	deref := func(p any) string {
		switch v := p.(type) {
		case *int:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *uint:
			if v != nil {
				return fmt.Sprint(*v)
			}
		case *string:
			if v != nil {
				return *v
			}
		}
		return "-"
	}
	props, _ := f.GetSheetProps(sheet)
	fitToPage := props.FitToPage != nil && *props.FitToPage
	fmt.Fprintf(b, "page: size=%s %s fitToPage=%v fit=%sx%s scale=%s order=%s\n", deref(pl.Size), deref(pl.Orientation),
		fitToPage, deref(pl.FitToWidth), deref(pl.FitToHeight), deref(pl.AdjustTo), deref(pl.PageOrder))
	if hf, _ := f.GetHeaderFooter(sheet); hf != nil {
		fmt.Fprintf(b, "header: %q footer: %q\n", hf.OddHeader, hf.OddFooter)
	}
	merges, _ := f.GetMergeCells(sheet)
	for _, m := range merges {
		fmt.Fprintf(b, "merged %s:%s\n", m.GetStartAxis(), m.GetEndAxis())
	}
}
