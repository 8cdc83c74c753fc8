package input

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// rowReasonSamples gives every row kind arguments as the reader gives
// them.
var rowReasonSamples = map[Kind][]any{
	RowFieldCount:         nil,
	RowUnreadable:         {`bare " in non-quoted-field`},
	RowHidden:             nil,
	RowFooterLike:         {"合计"},
	PhoneFormula:          nil,
	PidFormula:            nil,
	PhoneFormat:           nil,
	PidFormat:             nil,
	PhoneEmpty:            nil,
	PhoneLetters:          nil,
	PhoneChar:             {"'#'"},
	PhoneDigits:           {10},
	PhonePrefix:           nil,
	PhoneScientific:       {"1.59256E+10", 6},
	PhoneNotWhole:         {"1.5"},
	PhoneTooLarge:         {"1E+99"},
	PhoneNotSensible:      {"1E+9999"},
	PidMissing:            nil,
	PidNotWhole:           {"1.5"},
	PidTooLarge:           {"1E+99"},
	PidNotSensible:        {"1E+9999"},
	PidLong:               {33},
	PidChars:              {"10-5000"},
	Duplicate:             {2},
	NoPlanProductPrefix:   {"-plan 1G", "China Telecom"},
	NoPlanProductTelcheck: {"-plan 1G", "China Unicom"},
}

// englishLeft finds English words left in a Chinese text once the
// arguments and the tokens a person types (flags, their values) are
// taken out.
var englishWord = regexp.MustCompile(`[A-Za-z]{2,}`)

var typedTokens = []string{"-hidden-rows skip", "-hidden-rows include", "-hidden-rows", "-plan-file", "-plan", "flow/telcheck", "JUHE_KEY", "JUHE_OPENID", "submit", "run",
	"-phone-col", "-pid-col", "-encoding utf-8", "-encoding gbk", "-encoding", "-sheet", "-pid", "skip", "include",
	"utf-8", "gbk", "gb18030", "GBK/GB18030", "UTF-8", "BOM", "CSV", "Excel", "WPS", "LibreOffice Calc", ".xlsx", ".xls", ".et", ".ods",
	".csv", ".txt", ".xlsm", "LibreOffice", "zip", "OpenDocument", "content.xml", "GBK", "README", "Input files", "DOCTYPE", "soffice --headless --convert-to xlsx", "Mac"}

func englishLeft(zh string, args []any) []string {
	cut := append([]string(nil), typedTokens...)
	for _, a := range args {
		if s, ok := a.(string); ok {
			cut = append(cut, s)
		}
	}
	sort.Slice(cut, func(i, j int) bool { return len(cut[i]) > len(cut[j]) })
	for _, t := range cut {
		zh = strings.ReplaceAll(zh, t, "")
	}
	return englishWord.FindAllString(zh, -1)
}

// TestRowReasonsRoundTrip holds every row reason: its English renders,
// parses back to the same kind and arguments, and renders again byte
// for byte; its Chinese differs and leaves no English word but the
// flags a person types.
func TestRowReasonsRoundTrip(t *testing.T) {
	kinds := RowKinds()
	if len(kinds) != len(rowReasonSamples) {
		t.Fatalf("%d row kinds, %d samples: give every row kind a sample", len(kinds), len(rowReasonSamples))
	}
	for _, k := range kinds {
		args, ok := rowReasonSamples[k]
		if !ok {
			t.Errorf("%s: no sample", k)
			continue
		}
		r := Reason{Kind: k, Args: args}
		en := r.String()
		back, ok := ParseReason(en)
		if !ok || !reflect.DeepEqual(back, r) {
			t.Errorf("%s: ParseReason(%q) = %#v, %v; want %#v", k, en, back, ok, r)
			continue
		}
		if back.String() != en {
			t.Errorf("%s: %q renders back as %q", k, en, back.String())
		}
		zh := r.In("zh")
		if zh == en {
			t.Errorf("%s: Chinese is the English: %q", k, zh)
		}
		if w := englishLeft(zh, args); len(w) > 0 {
			t.Errorf("%s: Chinese %q keeps English words %q", k, zh, w)
		}
		if (Problem{Line: 2, Reason: en}).In("zh") != zh {
			t.Errorf("%s: a journaled problem reads %q", k, Problem{Line: 2, Reason: en}.In("zh"))
		}
		if ReasonIn(en, "zh") != zh || ReasonIn(en, "en") != en {
			t.Errorf("%s: ReasonIn(%q) = %q / %q", k, en, ReasonIn(en, "zh"), ReasonIn(en, "en"))
		}
	}
}

// TestReasonWordsAgree holds every kind to Chinese words with the same
// verbs as its English, and to one entry.
func TestReasonWordsAgree(t *testing.T) {
	// verbs lists a format's verbs in argument order, an indexed verb
	// (%[2]s) at its index.
	verbs := func(s string) []string {
		byIndex, next := map[int]string{}, 1
		for _, m := range regexp.MustCompile(`%(\[(\d+)\])?[a-z]`).FindAllStringSubmatch(s, -1) {
			n := next
			if m[2] != "" {
				n, _ = strconv.Atoi(m[2])
			}
			byIndex[n], next = m[0][len(m[0])-1:], n+1
		}
		var out []string
		for i := 1; i <= len(byIndex); i++ {
			out = append(out, byIndex[i])
		}
		return out
	}
	seen := map[Kind]bool{}
	for _, w := range reasonWords {
		if seen[w.kind] {
			t.Errorf("%s: twice", w.kind)
		}
		seen[w.kind] = true
		if w.zh == "" {
			t.Errorf("%s: no Chinese", w.kind)
		}
		if ve, vz := verbs(w.en), verbs(w.zh); !reflect.DeepEqual(ve, vz) {
			t.Errorf("%s: English verbs %v, Chinese %v", w.kind, ve, vz)
		}
	}
}

// TestReasonsFromRows reads a file with a row of each kind the reader
// gives and holds each reason's Chinese free of English.
func TestReasonsFromRows(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.csv")
	body := "phone,pid\n" +
		"15925601712,105000\n" + // 2
		"1592560171,105000\n" + // 3: 10 digits
		",105000\n" + // 4: empty
		"1592560abcd,105000\n" + // 5: letters
		"23925601712,105000\n" + // 6: prefix
		"15925601712,105000\n" + // 7: duplicate of 2
		"15925601713,\n" + // 8: missing pid
		"15925601714,10-5000\n" + // 9: pid chars
		"1.59256E+10,105000\n" // 10: scientific
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Read(context.Background(), path, Options{BatchID: "b", HiddenRows: HiddenRefuse}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]Kind{3: PhoneDigits, 4: PhoneEmpty, 5: PhoneLetters, 6: PhonePrefix, 7: Duplicate, 8: PidMissing, 9: PidChars, 10: PhoneScientific}
	got := map[int]Kind{}
	for _, p := range append(rep.Invalid, rep.Duplicates...) {
		why, ok := p.Why()
		if !ok || why.String() != p.Reason {
			t.Errorf("row %d: Why %q, %v; Reason %q", p.Line, why.String(), ok, p.Reason)
		}
		got[p.Line] = why.Kind
		if w := englishLeft(p.In("zh"), why.Args); len(w) > 0 {
			t.Errorf("row %d: %q keeps English %q", p.Line, p.In("zh"), w)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
}

// TestRefusalsInChinese: a file refused whole (no header, a damaged
// workbook, an encoding) is refused in Chinese, English unchanged.
func TestRefusalsInChinese(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tt := range []struct {
		name, path, en, zh string
	}{
		{"headerless", write("list.csv", []byte("a,b\n1,2\n")), "read list.csv: no header row in the first 20 rows", "读取 list.csv：前 20 行里没有表头行"},
		{"blank", write("blank.csv", []byte("\n\n,\n")), "read blank.csv: the file is empty", "读取 blank.csv：文件是空的"},
		{"title only", write("title.csv", []byte("名单\n\n")), "read title.csv: no header row in the first 20 rows", "读取 title.csv：前 20 行里没有表头行"},
		{"empty", write("empty.csv", nil), "read empty.csv: the file is empty: no header row", "读取 empty.csv：文件是空的：没有表头行"},
		{"not zip", write("list.xlsx", []byte("this is not a zip archive at all, just text")), "read list.xlsx: not a readable workbook (not a zip archive): save it again as .xlsx", "读取 list.xlsx：不是可读的工作簿（不是 zip 压缩包）：请重新另存为 .xlsx"},
		{"xls", write("old.xls", []byte("x")), "read old.xls: an Excel 97–2003 workbook", "读取 old.xls：不读取 Excel 97–2003 工作簿"},
		{"type", write("list.pdf", []byte("x")), `read list.pdf: unsupported file type ".pdf"`, `读取 list.pdf：不支持的文件类型 ".pdf"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), tt.path, Options{HiddenRows: HiddenRefuse}, nil)
			if err == nil {
				t.Fatal("read")
			}
			if !strings.HasPrefix(err.Error(), tt.en) {
				t.Errorf("English %q, want it to start %q", err, tt.en)
			}
			zh := ErrorIn(err, "zh")
			if !strings.HasPrefix(zh, tt.zh) {
				t.Errorf("Chinese %q, want it to start %q", zh, tt.zh)
			}
			var args []any
			for _, h := range append(PhoneHeaders, PidHeaders...) {
				args = append(args, h)
			}
			args = append(args, "list.csv", "blank.csv", "empty.csv", "list.xlsx", "old.xls", "list.pdf", ".pdf", "title.csv", "row", `""`)
			if w := englishLeft(zh, args); len(w) > 0 {
				t.Errorf("Chinese %q keeps English %q", zh, w)
			}
			if ErrorIn(err, "en") != err.Error() {
				t.Errorf("ErrorIn en %q, want %q", ErrorIn(err, "en"), err)
			}
		})
	}
}

// FuzzParseReason: whatever text a journal holds, a reason parsed from
// it renders back to it, in English, byte for byte.
func FuzzParseReason(f *testing.F) {
	for k, a := range rowReasonSamples {
		f.Add(Reason{Kind: k, Args: a}.String())
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := ParseReason(s)
		if !ok {
			if ReasonIn(s, "zh") != s {
				t.Fatalf("ReasonIn(%q) changed a text that is no reason", s)
			}
			return
		}
		if r.String() != s {
			t.Fatalf("ParseReason(%q) renders %q", s, r.String())
		}
		_ = r.In("zh")
	})
}

// TestEveryKindInChinese walks every kind, a file's refusals too: its
// Chinese is not its English, and keeps no English word but what a
// person types or the file names.
func TestEveryKindInChinese(t *testing.T) {
	tokens := map[Kind]bool{OptPid: true, AtPart: true, SheetWhy: true, LimitTechnical: true, PlanFileAt: true}
	verb := regexp.MustCompile(`%(\[\d+\])?[dqs]`)
	for _, w := range reasonWords {
		if tokens[w.kind] {
			continue
		}
		if w.zh == w.en {
			t.Errorf("%s: Chinese is the English: %q", w.kind, w.zh)
		}
		if left := englishLeft(verb.ReplaceAllString(w.zh, ""), []any{"XML", "Input files", "Excel 2007-365", "soffice", "xlsx",
			"（或 carrier）", "（或 pid…）", "（carrier,pid）"}); len(left) > 0 {
			t.Errorf("%s: Chinese %q keeps English %q", w.kind, w.zh, left)
		}
	}
}
