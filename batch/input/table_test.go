package input

import (
	"fmt"
	"github.com/flowbatch/flowbatch/batch/journal"
	"reflect"
	"strings"
	"testing"
)

// tableRows is what a reading yields, for comparing: each data row as
// "line phone pid status".
func tableRows(rows []journal.RowRecord) []string {
	var out []string
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d %s %s %s", r.Line, r.Phone, r.Pid, r.Status))
	}
	return out
}

func TestReadTableShapes(t *testing.T) {
	tests := []struct {
		name    string
		csv     string
		opts    Options
		rows    []string // data rows read
		header  int
		footers []int
		blank   int    // blank rows inside the table
		extra   string // the carried columns
		err     string
	}{
		{
			name:   "title and notes above the header",
			csv:    "2026年11月 员工流量福利名单,,\n请核对后提交,,\n,,\n姓名,手机号,产品编码\n张伟,13800138000,105000\n李娜,13900139000,105000\n",
			rows:   []string{"5 13800138000 105000 valid", "6 13900139000 105000 valid"},
			header: 4, extra: "姓名",
		},
		{
			name:   "footers and trailing blank rows are not data",
			csv:    "手机号,pid\n13800138000,105000\n\n13900139000,105000\n\n合计,2人\n制表：王芳,审核：李强\n2026-11-30,\n\n",
			rows:   []string{"2 13800138000 105000 valid", "4 13900139000 105000 valid"},
			header: 1, footers: []int{6, 7, 8}, blank: 1,
		},
		{
			name: "a control total that differs refuses the file",
			csv:  "手机号,pid\n13800138000,105000\n13900139000,105000\n合计 3人,\n",
			err:  `row 4: the footer states 3 rows ("合计 3人"), but 2 rows were read`,
		},
		{
			name: "a count in the phone column is a control total",
			csv:  "姓名,手机号,pid\n张伟,13800138000,105000\n总计,5,\n",
			err:  "the footer states 5 rows",
		},
		{
			name:   "a total after the word",
			csv:    "姓名,手机号,pid\n张伟,13800138000,105000\n合计：1,,\n",
			rows:   []string{"2 13800138000 105000 valid"},
			header: 1, footers: []int{3}, extra: "姓名",
		},
		{
			name:   "a subtotal states no control total",
			csv:    "姓名,手机号,pid\n张伟,13800138000,105000\n小计,7人,\n李娜,13900139000,105000\n",
			rows:   []string{"2 13800138000 105000 valid", "4 13900139000 105000 valid"},
			header: 1, footers: []int{3}, extra: "姓名",
		},
		{
			name:   "a row that starts like a footer but holds a phone is refused",
			csv:    "备注,手机号,pid\n合计,13800138000,105000\n",
			rows:   []string{"2 13800138000 105000 invalid"},
			header: 1, extra: "备注",
		},
		{
			name:   "decorated headers",
			csv:    "*姓名,手机号码（必填）,【套餐ID】, 备 注 \n张伟,13800138000,105000,x\n",
			rows:   []string{"2 13800138000 105000 valid"},
			header: 1, extra: "*姓名, 备 注",
		},
		{
			name:   "the new names",
			csv:    "联系方式,商品编码\n13800138000,105000\n",
			rows:   []string{"2 13800138000 105000 valid"},
			header: 1,
		},
		{
			name: "two phone columns refuse, naming both",
			csv:  "手机号,联系电话,pid\n13800138000,13900139000,105000\n",
			err:  `2 columns could be the phone: "手机号" (column A) and "联系电话" (column B); say which with -phone-col A`,
		},
		{
			name:   "-phone-col by name settles it",
			csv:    "手机号,联系电话,pid\n13800138000,13900139000,105000\n",
			opts:   Options{PhoneCol: "联系电话"},
			rows:   []string{"2 13900139000 105000 valid"},
			header: 1, extra: "手机号",
		},
		{
			name:   "-phone-col and -pid-col by letter",
			csv:    "员工名单,,\n号,品,名\n13800138000,105000,张伟\n",
			opts:   Options{PhoneCol: "A", PidCol: "b"},
			rows:   []string{"3 13800138000 105000 valid"},
			header: 2, extra: "名",
		},
		{
			name: "two product columns refuse",
			csv:  "phone,pid,套餐ID\n13800138000,1,2\n",
			err:  `2 columns could be the product: "pid" (column B) and "套餐ID" (column C)`,
		},
		{
			name:   "-pid for a list without a pid column",
			csv:    "姓名,电话\n张伟,13800138000\n李娜,139 0013 9000\n",
			opts:   Options{Pid: "105000"},
			rows:   []string{"2 13800138000 105000 valid", "3 13900139000 105000 valid"},
			header: 1, extra: "姓名",
		},
		{
			name: "-pid refuses a file that has a pid column",
			csv:  "phone,pid\n13800138000,105000\n",
			opts: Options{Pid: "105000"},
			err:  `-pid 105000 gives every row one product, but the file has a product column "pid" (column B)`,
		},
		{
			name: "a bad -pid",
			csv:  "phone\n13800138000\n",
			opts: Options{Pid: "10 5"},
			err:  "-pid: bad pid",
		},
		{
			name: "no header lists the rows as read",
			csv:  "员工名单\n序号,姓名,号\n1,张伟,13800138000\n",
			err:  `no header row in the first 20 rows: none names a phone column (accepted: phone, mobile, 手机号, 手机号码, 号码, 电话, 电话号码, 手机, 联系电话, 联系方式); the rows as read: row 1: "员工名单"; row 2: "序号" | "姓名" | "号"; row 3: "1" | "张伟" | "13800138000"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.BatchID = "T"
			rep, rows, err := readAll(t, writeFile(t, "in.csv", []byte(tt.csv)), tt.opts)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one saying %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := tableRows(rows); !reflect.DeepEqual(got, tt.rows) {
				t.Errorf("rows %q, want %q", got, tt.rows)
			}
			var footers []int
			for _, f := range rep.Footers {
				footers = append(footers, f.Line)
			}
			if !reflect.DeepEqual(footers, tt.footers) {
				t.Errorf("footers %v, want %v", footers, tt.footers)
			}
			if rep.HeaderRow != tt.header || rep.BlankRows != tt.blank || rep.Info.Rows != len(tt.rows) {
				t.Errorf("header row %d, blank %d, rows %d; want %d, %d, %d", rep.HeaderRow, rep.BlankRows, rep.Info.Rows, tt.header, tt.blank, len(tt.rows))
			}
			if got := strings.Join(rep.Info.Extra, ", "); got != tt.extra {
				t.Errorf("extra %q, want %q", got, tt.extra)
			}
		})
	}
}

func TestReadXLSXHiddenRowsAndColumnsPolicy(t *testing.T) {
	head := inlineRow(1, "手机号", "pid", "姓名")
	rows := head + inlineRow(2, "13800138000", "105000", "a") +
		`<row r="3" hidden="1"><c r="A3" t="inlineStr"><is><t>13900139000</t></is></c><c r="B3" t="inlineStr"><is><t>105000</t></is></c></row>` +
		inlineRow(4, "13700137000", "105000", "c")
	hiddenPhone := sheetHead + `<cols><col min="1" max="1" hidden="1"/></cols><sheetData>` +
		inlineRow(1, "手机号", "pid", "联系电话") + inlineRow(2, "13800138000", "105000", "13900139000") + `</sheetData></worksheet>`
	tests := []struct {
		name    string
		body    string
		hidden  string
		rows    []string
		listed  []int
		skipped int
		err     string
	}{
		{"hidden rows are listed, and never charged", rows, "", []string{"2 13800138000 105000 valid", "3 13900139000 105000 invalid", "4 13700137000 105000 valid"}, []int{3}, 0, ""},
		{"skip", rows, "skip", []string{"2 13800138000 105000 valid", "4 13700137000 105000 valid"}, nil, 1, ""},
		{"include", rows, "include", []string{"2 13800138000 105000 valid", "3 13900139000 105000 valid", "4 13700137000 105000 valid"}, nil, 0, ""},
		{"a hidden phone column refuses", hiddenPhone, "", nil, nil, 0, `the phone column (A, "手机号") is hidden`},
		{"skip leaves the hidden column out", hiddenPhone, "skip", []string{"2 13900139000 105000 valid"}, nil, 0, ""},
		{"include: two phone columns", hiddenPhone, "include", nil, nil, 0, "2 columns could be the phone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := buildXLSX(t, nil, testSheet{"S", "", tt.body})
			rep, got, err := readAll(t, writeFile(t, "h.xlsx", data), Options{BatchID: "T", HiddenRows: tt.hidden})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := tableRows(got); !reflect.DeepEqual(g, tt.rows) {
				t.Errorf("rows %q, want %q", g, tt.rows)
			}
			if !reflect.DeepEqual(rep.HiddenRows, tt.listed) || rep.HiddenCount != len(tt.listed) || rep.HiddenSkipped != tt.skipped {
				t.Errorf("hidden %v (%d), skipped %d; want %v, %d", rep.HiddenRows, rep.HiddenCount, rep.HiddenSkipped, tt.listed, tt.skipped)
			}
		})
	}
}

func TestReadXLSXHeaderBelowATitleChoosesTheSheet(t *testing.T) {
	title := inlineRow(1, "2026年11月福利名单") + inlineRow(3, "姓名", "手机号码(必填)", "套餐编号") + inlineRow(4, "张伟", "13800138000", "105000") +
		inlineRow(5, "合计", "1人")
	notes := inlineRow(1, "填写说明") + inlineRow(2, "1. 手机号填11位") + inlineRow(3, "2. 套餐编号见产品表")
	data := buildXLSX(t, nil, testSheet{"说明", "", notes}, testSheet{"名单", "", title})
	rep, rows, err := readAll(t, writeFile(t, "t.xlsx", data), Options{BatchID: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Info.Sheet != "名单" || rep.HeaderRow != 3 || len(rep.Footers) != 1 || rep.Footers[0].Line != 5 || len(rep.Totals) != 1 {
		t.Fatalf("sheet %q, header %d, footers %v, totals %v", rep.Info.Sheet, rep.HeaderRow, rep.Footers, rep.Totals)
	}
	if got := tableRows(rows); !reflect.DeepEqual(got, []string{"4 13800138000 105000 valid"}) {
		t.Fatalf("rows %q", got)
	}
}

// A workbook shaped as WPS 表格 writes one: a merged title in a tall row,
// styled empty cells, headers in rich-text runs with a full-width
// （必填）, phones as numbers, an autofilter that hides a row, and a
// 合计 footer whose count is a formula's cached value.
func TestReadXLSXWPSStyle(t *testing.T) {
	sst := []string{"2026年11月福利名单", "<r><rPr><b/></rPr><t>姓名</t></r>", "<r><t>手机号码</t></r><r><rPr><color rgb=\"FFFF0000\"/></rPr><t>（必填）</t></r>",
		"<r><t>套餐ID</t></r>", "张伟", "李娜", "王芳", "合计"}
	c := func(ref, typ, v string) string {
		if typ == "" {
			return fmt.Sprintf(`<c r="%s"><v>%s</v></c>`, ref, v)
		}
		return fmt.Sprintf(`<c r="%s" s="2" t="%s"><v>%s</v></c>`, ref, typ, v)
	}
	body := sheetHead + `<sheetPr filterMode="1"/><dimension ref="A1:C7"/><sheetViews><sheetView workbookViewId="0"/></sheetViews>` +
		`<sheetFormatPr defaultRowHeight="13.5"/><cols><col min="1" max="3" width="14" customWidth="1"/></cols><sheetData>` +
		`<row r="1" spans="1:3" ht="30" customHeight="1">` + c("A1", "s", "0") + `<c r="B1" s="3"/><c r="C1" s="3"/></row>` +
		`<row r="2" spans="1:3"><c r="A2" s="3"/></row>` +
		`<row r="3" spans="1:3">` + c("A3", "s", "1") + c("B3", "s", "2") + c("C3", "s", "3") + `</row>` +
		`<row r="4" spans="1:3">` + c("A4", "s", "4") + c("B4", "", "13800138000") + c("C4", "", "105000") + `</row>` +
		`<row r="5" spans="1:3" hidden="1">` + c("A5", "s", "5") + c("B5", "", "13900139000") + c("C5", "", "105000") + `</row>` +
		`<row r="6" spans="1:3">` + c("A6", "s", "6") + c("B6", "", "1.3700137000E10") + c("C6", "", "105000") + `</row>` +
		`<row r="7" spans="1:3">` + c("A7", "s", "7") + `<c r="B7" s="2"><f>SUBTOTAL(103,B4:B6)</f><v>2</v></c></row>` +
		`</sheetData><autoFilter ref="A3:C6"/><mergeCells count="1"><mergeCell ref="A1:C1"/></mergeCells>` +
		`<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/></worksheet>`
	path := writeFile(t, "wps.xlsx", buildXLSX(t, sst, testSheet{"Sheet1", "", body}))
	rep, _, err := readAll(t, path, Options{BatchID: "T"})
	if err != nil {
		t.Fatal(err)
	}
	if rep.HiddenCount != 1 || rep.HiddenRows[0] != 5 {
		t.Fatalf("the filtered-out row: %v", rep.HiddenRows)
	}
	// The filter's SUBTOTAL counts the visible rows: so does -hidden-rows skip.
	rep, rows, err := readAll(t, path, Options{BatchID: "T", HiddenRows: HiddenSkip})
	if err != nil {
		t.Fatal(err)
	}
	if got := tableRows(rows); !reflect.DeepEqual(got, []string{"4 13800138000 105000 valid", "6 13700137000 105000 valid"}) {
		t.Errorf("rows %q", got)
	}
	if rep.HeaderRow != 3 || len(rep.Footers) != 1 || len(rep.Totals) != 1 || rep.Totals[0].Count != 2 || rep.HiddenSkipped != 1 {
		t.Errorf("header %d, footers %v, totals %v, skipped %d", rep.HeaderRow, rep.Footers, rep.Totals, rep.HiddenSkipped)
	}
	// Included, the filtered-out row makes three rows: the total refuses.
	if _, _, err := readAll(t, path, Options{BatchID: "T", HiddenRows: HiddenInclude}); err == nil || !strings.Contains(err.Error(), "the footer states 2 rows") {
		t.Errorf("included: %v", err)
	}
}
