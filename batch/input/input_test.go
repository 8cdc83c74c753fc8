package input

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// readAll reads path and collects every row handed to fn.
func readAll(t *testing.T, path string, opts Options) (*Report, []journal.RowRecord, error) {
	t.Helper()
	var rows []journal.RowRecord
	rep, err := Read(context.Background(), path, opts, func(r *journal.RowRecord) error {
		rows = append(rows, *r)
		return nil
	})
	return rep, rows, err
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func gbk(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const chineseCSV = "手机号,产品编码,姓名,部门,备注\r\n" +
	"15925601712,105000,张伟,财务部,端午礼品\r\n" +
	"13800138000,105000,李娜,人事部,\r\n" +
	"18612345678,106000,王芳,技术部,联通号码\r\n"

func TestReadCSVEncodings(t *testing.T) {
	gb18030, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(chineseCSV + "13312345678,107000,𠀀先生,市场部,扩展B区字\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		data     []byte
		forced   string
		encoding string
		rows     int
	}{
		{"utf8", []byte(chineseCSV), "", "utf-8", 3},
		{"bom", append([]byte("\xEF\xBB\xBF"), chineseCSV...), "", "utf-8-bom", 3},
		{"gbk", gbk(t, chineseCSV), "", "gb18030", 3},
		{"gb18030", gb18030, "", "gb18030", 4},
		{"gbk forced", gbk(t, chineseCSV), "gbk", "gb18030", 3},
		{"utf8 forced", []byte(chineseCSV), "utf-8", "utf-8", 3},
		{"ascii", []byte("phone,pid\n15925601712,105000\n"), "", "utf-8", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.csv", tt.data)
			rep, rows, err := readAll(t, path, Options{Encoding: tt.forced, BatchID: "B1"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Info.Encoding != tt.encoding || rep.Info.Format != "csv" || rep.Info.Rows != tt.rows || len(rows) != tt.rows {
				t.Fatalf("info %+v, %d rows; want encoding %s, %d rows", rep.Info, len(rows), tt.encoding, tt.rows)
			}
			if rep.Valid != tt.rows || len(rep.Invalid) != 0 {
				t.Fatalf("valid %d invalid %v", rep.Valid, rep.Invalid)
			}
			if strings.HasPrefix(string(tt.data), "手机号") || tt.encoding != "utf-8" {
				if want := []string{"姓名", "部门", "备注"}; !reflect.DeepEqual(rep.Info.Extra, want) {
					t.Fatalf("extra headers %q, want %q", rep.Info.Extra, want)
				}
				if rows[0].Extra[0] != "张伟" || rows[2].Extra[2] != "联通号码" || rows[1].Extra[2] != "" {
					t.Fatalf("extra values misread: %q %q", rows[0].Extra, rows[2].Extra)
				}
			}
			if len(rep.Info.SHA256) != 64 || rep.Info.Name != "in.csv" {
				t.Fatalf("info %+v", rep.Info)
			}
		})
	}
}

func TestReadCSVEncodingErrors(t *testing.T) {
	mixed := append([]byte("phone,pid,name\n15925601712,105000,张伟\n"), gbk(t, "13800138000,105000,李娜\n")...)
	mixed = append(mixed, 0xFF, '\n')
	tests := []struct {
		name   string
		data   []byte
		forced string
		want   string
	}{
		{"gbk forced as utf-8", gbk(t, chineseCSV), "utf-8", "row 1: not valid UTF-8"},
		{"gbk forced as utf-8 after header", append([]byte("phone,pid,name\n15925601712,105000,x\n"), gbk(t, "13800138000,105000,李娜\n")...), "utf-8", "row 3: not valid UTF-8"},
		{"mixed invalid bytes", mixed, "", "cannot tell the encoding"},
		{"ambiguous latin", []byte("phone,pid,name\n15925601712,105000,Jos\xC3\xA9\n"), "", "cannot tell the encoding"},
		{"unknown encoding", []byte(chineseCSV), "latin1", "unknown encoding"},
		{"bom then gbk", append([]byte("\xEF\xBB\xBF"), gbk(t, chineseCSV)...), "", "byte order mark"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeFile(t, "in.csv", tt.data)
			_, _, err := readAll(t, path, Options{Encoding: tt.forced})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestReadCSVRows(t *testing.T) {
	in := "\ufeffPhone , PID,name\n" + // line 1; header names trimmed, any case
		"15925601712,105000,a\n" + // 2 valid
		"\n" + // 3 blank
		",,\n" + // 4 blank cells
		"1592560171,105000,b\n" + // 5 bad phone
		"13800138000,,c\n" + // 6 missing pid
		"+86 159-2560-1712,105000,d\n" + // 7 duplicate of 2
		"13800138000,105000,\"multi\nline\"\n" + // 8 valid: one row of two file lines
		"13800138000,10-5,e\n" + // 9 bad pid (file line 10)
		"15925601712,105000\n" + // 10 duplicate of 2 again, short row
		"18612345678,106000,f,extra,cells\n" + // 11 valid, long row
		"\n\n" // trailing blank lines
	path := writeFile(t, "rows.csv", []byte(in))
	for _, allow := range []bool{false, true} {
		rep, rows, err := readAll(t, path, Options{BatchID: "B1", AllowDuplicates: allow})
		if err != nil {
			t.Fatal(err)
		}
		type row struct {
			Line       int
			Phone, Pid string
			Status     journal.RowStatus
			Reason     string
			DupOf, Occ int
			Extra      string
		}
		var got []row
		for _, r := range rows {
			got = append(got, row{r.Line, r.Phone, r.Pid, r.Status, r.Reason, r.DupOf, r.Occurrence, strings.Join(r.Extra, "|")})
		}
		want := []row{
			{2, "15925601712", "105000", journal.RowValid, "", 0, 1, "a"},
			{5, "1592560171", "105000", journal.RowInvalid, "bad phone: 10 digits", 0, 0, "b"},
			{6, "13800138000", "", journal.RowInvalid, "missing pid", 0, 0, "c"},
			{7, "15925601712", "105000", journal.RowDuplicate, "duplicate of row 2", 2, 2, "d"},
			{8, "13800138000", "105000", journal.RowValid, "", 0, 1, "multi\nline"},
			{9, "13800138000", "10-5", journal.RowInvalid, `bad pid: "10-5": only letters and digits are allowed`, 0, 0, "e"},
			{10, "15925601712", "105000", journal.RowDuplicate, "duplicate of row 2", 2, 3, ""},
			{11, "18612345678", "106000", journal.RowValid, "", 0, 1, "f"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("allow=%v rows:\n got %+v\nwant %+v", allow, got, want)
		}
		if rep.Info.Rows != 8 || !reflect.DeepEqual(rep.Info.Extra, []string{"name"}) {
			t.Fatalf("info %+v", rep.Info)
		}
		if len(rep.Invalid) != 3 || len(rep.Duplicates) != 2 || rep.Duplicates[1] != (Problem{Line: 10, Reason: "duplicate of row 2", DupOf: 2}) {
			t.Fatalf("problems %+v %+v", rep.Invalid, rep.Duplicates)
		}
		for _, r := range rows {
			submitted := r.Status == journal.RowValid || (r.Status == journal.RowDuplicate && allow)
			if submitted != (r.OrderID != "") {
				t.Fatalf("allow=%v row %d: status %s orderid %q", allow, r.Line, r.Status, r.OrderID)
			}
			if submitted && r.OrderID != OrderID("B1", r.Phone, r.Pid, r.Occurrence) {
				t.Fatalf("row %d: orderid %s", r.Line, r.OrderID)
			}
		}
		wantValid, wantMobile := 3, 2
		if allow {
			wantValid, wantMobile = 5, 4
		}
		if rep.Valid != wantValid || rep.ByPid["105000"] != wantMobile || rep.ByPid["106000"] != 1 ||
			rep.ByCarrier[juhe.CarrierMobile] != wantMobile || rep.ByCarrier[juhe.CarrierUnicom] != 1 {
			t.Fatalf("allow=%v: valid %d by pid %v by carrier %v", allow, rep.Valid, rep.ByPid, rep.ByCarrier)
		}
	}
}

// Problems name the spreadsheet row a person sees, not the file line: a
// quoted cell with line breaks is one row, and a blank line is a row.
func TestReadCSVRowNumbersAfterQuotedLineBreaks(t *testing.T) {
	in := "phone,pid,remark\r\n" + // row 1
		"15925601712,105000,\"three\r\nline\r\nremark\"\r\n" + // row 2: file lines 2–4
		"\r\n" + // row 3: blank
		"1592560171,105000,\"a\nb\"\r\n" + // row 4, file line 6: bad phone
		"13800138000,10-5,x\r\n" + // row 5, file line 8: bad pid
		"13800138000,105000,\"bare\"quote\"\r\n" // row 6, file line 9: unreadable
	path := writeFile(t, "q.csv", []byte(in))
	_, _, err := readAll(t, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "row 6: unreadable row (line 9") {
		t.Fatalf("unreadable row: %v, want it named row 6 (file line 9)", err)
	}
	path = writeFile(t, "q.csv", []byte(strings.TrimSuffix(in, "13800138000,105000,\"bare\"quote\"\r\n")))
	rep, rows, err := readAll(t, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []int
	for _, r := range rows {
		lines = append(lines, r.Line)
	}
	if !reflect.DeepEqual(lines, []int{2, 4, 5}) || len(rep.Invalid) != 2 || rep.Invalid[0].Line != 4 || rep.Invalid[1].Line != 5 {
		t.Fatalf("rows %v, problems %+v; want rows 2, 4, 5 and problems at 4 and 5", lines, rep.Invalid)
	}
	if rows[0].Extra[0] != "three\nline\nremark" {
		t.Fatalf("multi-line cell %q", rows[0].Extra[0])
	}
}

// Orderids depend on (phone, pid, occurrence), not on where a row sits.
func TestOrderIDsIgnoreRowOrder(t *testing.T) {
	a := "phone,pid\n15925601712,105000\n13800138000,105000\n15925601712,105000\n18612345678,106000\n"
	b := "phone,pid\n18612345678,106000\n15925601712,105000\n13800138000,105000\n15925601712,105000\n"
	ids := func(in string) map[string]bool {
		_, rows, err := readAll(t, writeFile(t, "x.csv", []byte(in)), Options{BatchID: "B", AllowDuplicates: true})
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]bool{}
		for _, r := range rows {
			m[r.OrderID] = true
		}
		return m
	}
	if x, y := ids(a), ids(b); len(x) != 4 || !reflect.DeepEqual(x, y) {
		t.Fatalf("orderids differ with row order:\n%v\n%v", x, y)
	}
}

func TestReadCSVShapes(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"tab separated", "手机号\t产品编码\n15925601712\t105000\n", ""},
		{"no phone column", "name,pid\nx,105000\n", "row 1 (header): no phone column (accepted headers: phone, mobile, 手机号, 手机号码, 号码, 电话"},
		{"no pid column", "phone,name\n15925601712,x\n", "no product column"},
		{"two phone columns", "phone,手机号,pid\n1,2,3\n", `2 columns could be the phone: "phone" (column A) and "手机号" (column B); say which with -phone-col A`},
		{"empty", "", "no header row"},
		{"header below row 20", strings.Repeat("title\n", 20) + "phone,pid\n", `no header row in the first 20 rows: none names a phone column (accepted: phone, mobile, 手机号, 手机号码, 号码, 电话, 电话号码, 手机, 联系电话, 联系方式); the rows as read: row 1: "title"; row 2: "title"`},
		{"bare quote", "phone,pid\n15925601712,105000\n1592\"5601712,105000\n", "row 3: unreadable row"},
		{"unsupported", "", "unsupported file type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := "in.csv"
			if tt.name == "unsupported" {
				name = "in.json"
			}
			rep, rows, err := readAll(t, writeFile(t, name, []byte(tt.in)), Options{})
			if tt.want == "" {
				if err != nil || len(rows) != 1 || rows[0].Status != journal.RowValid {
					t.Fatalf("%v %+v", err, rows)
				}
				_ = rep
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one saying %q", err, tt.want)
			}
		})
	}
}

func TestReadInputCallbackErrorAndCancel(t *testing.T) {
	path := writeFile(t, "in.csv", []byte("phone,pid\n15925601712,105000\n13800138000,105000\n"))
	boom := errors.New("boom")
	_, err := Read(context.Background(), path, Options{}, func(r *journal.RowRecord) error {
		if r.Line == 3 {
			return boom
		}
		return nil
	})
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "row 3") {
		t.Fatalf("error %v, want boom at row 3", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, Options{}, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

// writeXLSX builds a workbook; each sheet's rows are written cell by cell,
// so a float64 or int cell is stored as a number.
func writeXLSX(t *testing.T, sheets map[string][][]any, order ...string) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, name := range order {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sheets[name] {
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				if err := f.SetCellValue(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	p := filepath.Join(t.TempDir(), "in.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadXLSX(t *testing.T) {
	path := writeXLSX(t, map[string][][]any{
		"名单": {
			{"手机号码", "产品ID", "姓名", "部门"},
			{15925601712, 105000, "张伟", "财务部"},       // 2 numbers
			{float64(13800138000), 105000.0, "李娜"},   // 3 float cells, short row
			{"186-1234-5678", "106000", "王芳", "技术部"}, // 4 text
			{nil, nil, nil}, // 5 blank
			{"1592560171", 105000, "赵六", "市场部"},          // 6 bad phone
			{"+86 159 2560 1712", "105000", "钱七", "市场部"}, // 7 duplicate of 2
		},
		"Other": {
			{"mobile", "pid"},
			{"", ""},
			{"13312345678", "107000"},
		},
	}, "名单", "Other")
	// Both sheets are visible lists: the choice is the user's.
	if _, _, err := readAll(t, path, Options{}); err == nil || !strings.Contains(err.Error(), `2 sheets could be the list: "名单", "Other"; say which with -sheet`) {
		t.Fatalf("two candidate sheets: %v", err)
	}
	rep, rows, err := readAll(t, path, Options{BatchID: "X", Sheet: "名单"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Info.Format != "xlsx" || rep.Info.Sheet != "名单" || rep.Info.Rows != 5 || !reflect.DeepEqual(rep.Info.Extra, []string{"姓名", "部门"}) {
		t.Fatalf("info %+v", rep.Info)
	}
	lines := []int{2, 3, 4, 6, 7}
	status := []journal.RowStatus{journal.RowValid, journal.RowValid, journal.RowValid, journal.RowInvalid, journal.RowDuplicate}
	phones := []string{"15925601712", "13800138000", "18612345678", "1592560171", "15925601712"}
	for i, r := range rows {
		if r.Line != lines[i] || r.Status != status[i] || r.Phone != phones[i] {
			t.Errorf("row %d: got line %d status %s phone %s (%s)", i, r.Line, r.Status, r.Phone, r.Reason)
		}
		if r.Status != journal.RowInvalid && r.Pid != "105000" && r.Pid != "106000" {
			t.Errorf("row %d: pid %q", r.Line, r.Pid)
		}
	}
	if rows[1].Extra[0] != "李娜" || rows[1].Extra[1] != "" {
		t.Errorf("short row extra %q", rows[1].Extra)
	}
	if rows[4].DupOf != 2 {
		t.Errorf("duplicate of %d, want 2", rows[4].DupOf)
	}

	rep, rows, err = readAll(t, path, Options{Sheet: "Other"})
	if err != nil || rep.Info.Sheet != "Other" || len(rows) != 1 || rows[0].Line != 3 || rows[0].Status != journal.RowValid {
		t.Fatalf("sheet Other: %v %+v %+v", err, rep, rows)
	}
	if _, _, err = readAll(t, path, Options{Sheet: "Nope"}); err == nil || !strings.Contains(err.Error(), "the sheets are: 名单, Other") {
		t.Fatalf("unknown sheet: %v", err)
	}
	if _, _, err = readAll(t, path, Options{Encoding: "gbk"}); err == nil {
		t.Fatal("-encoding on xlsx accepted")
	}
}

func TestReadXLSXMissingHeaders(t *testing.T) {
	path := writeXLSX(t, map[string][][]any{"S": {{"name", "dept"}, {"x", "y"}}}, "S")
	_, _, err := readAll(t, path, Options{})
	if err == nil || !strings.Contains(err.Error(), `no header row in the first 20 rows`) || !strings.Contains(err.Error(), `the rows as read: row 1: "name" | "dept"; row 2: "x" | "y"`) {
		t.Fatalf("error %v", err)
	}
}

// Under a plan a row's orderid derives from the plan's product, its pid
// is left for the plan to choose, a repeated phone is a duplicate, and
// a product column is refused.
func TestReadWithPlan(t *testing.T) {
	opts := Options{BatchID: "B", Plan: PlanProduct("1G"), PlanFlag: "-plan 1G"}
	rep, rows, err := readAll(t, writeFile(t, "p.csv", []byte("姓名,手机号\n张,13800138000\n李,13012345678\n张,13800138000\n")), opts)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Valid != 2 || len(rep.Duplicates) != 1 || rep.Duplicates[0].DupOf != 2 {
		t.Errorf("report %+v", rep)
	}
	if r := rows[0]; r.Pid != "" || r.OrderID != OrderID("B", "13800138000", "plan:1G", 1) || r.Status != journal.RowValid {
		t.Errorf("row %+v", r)
	}
	_, _, err = readAll(t, writeFile(t, "q.csv", []byte("手机号,pid\n13800138000,105000\n")), opts)
	if err == nil || !strings.Contains(err.Error(), "-plan 1G gives every row its carrier's product, but the file has a product column") {
		t.Errorf("a product column under a plan: %v", err)
	}
	opts.Pid = "105000"
	if _, _, err := readAll(t, writeFile(t, "r.csv", []byte("手机号\n13800138000\n")), opts); err == nil {
		t.Errorf("-pid and a plan together accepted")
	}
}
