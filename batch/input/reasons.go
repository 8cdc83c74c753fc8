package input

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// Kind names a reason: why a row cannot be submitted, or why a file is
// refused. Its words, English and Chinese, are in reasonWords.
type Kind string

// Reason is a kind with its arguments (ints and strings), rendered in
// either language from one table. Its English is what the journal keeps
// (RowRecord.Reason), byte for byte as it always read: ParseReason turns
// that text back into the Reason.
type Reason struct {
	Kind Kind
	Args []any
}

func (r Reason) String() string { return r.In("en") }

// In is the reason in lang: "zh" is Chinese, anything else English.
func (r Reason) In(lang string) string {
	w, ok := wordsOf[r.Kind]
	if !ok {
		return string(r.Kind)
	}
	f := w.en
	if lang == "zh" && w.zh != "" {
		f = w.zh
	}
	if len(r.Args) == 0 {
		return f
	}
	args := make([]any, len(r.Args))
	for i, a := range r.Args {
		args[i] = a
		switch a := a.(type) {
		case interface{ In(string) string }:
			args[i] = a.In(lang)
		case string:
			if zh, ok := argWords[r.Kind][a]; ok && lang == "zh" {
				args[i] = zh
			}
		}
	}
	return fmt.Sprintf(f, args...)
}

func reason(k Kind, a ...any) Reason { return Reason{Kind: k, Args: a} }

// reasonOf is the reason of a refusal of the reader's own.
func reasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) && e.Err == nil {
		return e.Reason
	}
	return reason(RowUnreadable, err.Error())
}

// Error is a file refused: a reason, and the error it explains further
// (after ": "), which may be an Error itself. Plain errors (I/O) keep
// their words.
type Error struct {
	Reason
	Err error
}

func (e *Error) Error() string { return e.In("en") }

func (e *Error) Unwrap() error { return e.Err }

// In is the refusal in lang ("zh" or "en").
func (e *Error) In(lang string) string {
	s := e.Reason.In(lang)
	if e.Err == nil {
		return s
	}
	sep := ": "
	if lang == "zh" {
		sep = "："
	}
	return s + sep + ErrorIn(e.Err, lang)
}

// refuse is a refusal of kind k.
func refuse(k Kind, a ...any) error { return &Error{Reason: reason(k, a...)} }

// wrap is a refusal of kind k whose detail is err.
func wrap(k Kind, err error, a ...any) error { return &Error{Reason: reason(k, a...), Err: err} }

// Refuse is a refusal of kind k, for a package that refuses a file of
// its own in this table's words (batch: a plan file, a plan).
func Refuse(k Kind, a ...any) error { return refuse(k, a...) }

// Wrap is a refusal of kind k whose detail is err, for the same.
func Wrap(k Kind, err error, a ...any) error { return wrap(k, err, a...) }

// ErrorIn is err's text in lang: the refusal it holds (an *Error, or
// any error that says itself in a language, as a NotRegularError or a
// plan's) in that language, with whatever wrapped it as it is.
func ErrorIn(err error, lang string) string {
	s := err.Error()
	var e interface {
		error
		In(string) string
	}
	if lang != "zh" || !errors.As(err, &e) {
		return s
	}
	if en := e.Error(); strings.HasSuffix(s, en) {
		return s[:len(s)-len(en)] + e.In(lang)
	}
	return s
}

// WithoutEncodingFlag is err for a CSV read without an -encoding flag
// (a plan file): a refusal that would advise -encoding advises saving
// the file again as CSV UTF-8 instead; any other error is err.
func WithoutEncodingFlag(err error) error {
	for e := err; e != nil; e = errors.Unwrap(e) {
		ie, ok := e.(*Error)
		if !ok {
			continue
		}
		switch ie.Kind {
		case EncodingBOM:
			return refuse(SaveBOM)
		case EncodingBoth:
			return refuse(SaveBoth)
		case EncodingNeither:
			return refuse(SaveNeither)
		case CSVNotUTF8, CSVNotGBK:
			return refuse(SaveAsUTF8At, ie.Args[0])
		}
	}
	return err
}

// ReasonIn is a journaled reason (the English of a Reason, from any
// journal) in lang; text that is no reason's stays as it is.
func ReasonIn(en, lang string) string {
	if lang != "zh" {
		return en
	}
	if r, ok := ParseReason(en); ok {
		return r.In(lang)
	}
	return en
}

// ParseReason turns a row's reason, as journaled, back into its Reason.
// Only a text that renders back to itself is one.
func ParseReason(en string) (Reason, bool) {
	parseOnce.Do(compileRowReasons)
	for _, p := range parsers {
		if !strings.HasPrefix(en, p.prefix) {
			continue
		}
		m := p.re.FindStringSubmatch(en)
		if m == nil {
			continue
		}
		r := Reason{Kind: p.kind}
		ok := true
		for i, verb := range p.verbs {
			switch verb {
			case 'd':
				n, err := strconv.Atoi(m[i+1])
				ok = ok && err == nil
				r.Args = append(r.Args, n)
			case 'q':
				s, err := strconv.Unquote(m[i+1])
				ok = ok && err == nil
				r.Args = append(r.Args, s)
			default:
				r.Args = append(r.Args, m[i+1])
			}
		}
		if ok && r.String() == en {
			return r, true
		}
	}
	return Reason{}, false
}

// RowKinds are the kinds of reason a row can be journaled with.
func RowKinds() []Kind {
	var ks []Kind
	for _, w := range reasonWords {
		if w.row {
			ks = append(ks, w.kind)
		}
	}
	return ks
}

type reasonParser struct {
	kind   Kind
	prefix string // the words before the first verb
	re     *regexp.Regexp
	verbs  []byte
}

var (
	parseOnce sync.Once
	parsers   []reasonParser
)

var verbRE = regexp.MustCompile(`%(\[\d+\])?[dqs]`)

func compileRowReasons() {
	for _, w := range reasonWords {
		if !w.row {
			continue
		}
		p := reasonParser{kind: w.kind}
		var b strings.Builder
		b.WriteString(`^(?s)`)
		last := 0
		p.prefix = w.en
		if loc := verbRE.FindStringIndex(w.en); loc != nil {
			p.prefix = w.en[:loc[0]]
		}
		for _, loc := range verbRE.FindAllStringIndex(w.en, -1) {
			b.WriteString(regexp.QuoteMeta(w.en[last:loc[0]]))
			verb := w.en[loc[1]-1]
			switch verb {
			case 'd':
				b.WriteString(`(-?\d+)`)
			case 'q':
				b.WriteString(`("(?:[^"\\]|\\.)*")`)
			default:
				b.WriteString(`(.*)`)
			}
			p.verbs = append(p.verbs, verb)
			last = loc[1]
		}
		b.WriteString(regexp.QuoteMeta(w.en[last:]) + `$`)
		p.re = regexp.MustCompile(b.String())
		parsers = append(parsers, p)
	}
}

// argWords are the arguments a Chinese reason says in Chinese, by kind:
// the carriers of a plan's reason, the column a refusal is about.
var argWords = func() map[Kind]map[string]string {
	carriers := map[string]string{"China Mobile": "中国移动", "China Unicom": "中国联通", "China Telecom": "中国电信"}
	columns := map[string]string{"phone": "手机号", "product": "产品编码"}
	gives := map[string]string{"one product": "同一个产品", "its carrier's product": "其运营商的产品"}
	return map[Kind]map[string]string{
		NoPlanProductPrefix: carriers, NoPlanProductTelcheck: carriers,
		PlanTwice: carriers, PlanNotInCatalogue: carriers, PlanOtherCarrier: carriers, PlanAmbiguous: carriers,
		Merged: columns, ColumnHidden: columns,
		PidColTogether: gives, PidColumnPresent: gives,
		FileType: {SupportedFormats: ".csv、.txt（CSV）、.xlsx、.xlsm（Excel）和 .ods（LibreOffice）"},
		NotRegular: {"a directory": "一个文件夹", "a named pipe": "一个命名管道", "a device": "一个设备", "a socket": "一个套接字",
			"not a regular file": "一个特殊文件"},
	}
}()

// The reasons a row is given: journaled, so their English never changes
// (old journals are read with it); a new reason is a new kind.
const (
	RowFieldCount    Kind = "row_field_count"
	RowUnreadable    Kind = "row_unreadable"
	RowHidden        Kind = "row_hidden"
	RowFooterLike    Kind = "row_footer_like"
	PhoneFormula     Kind = "phone_formula"
	PidFormula       Kind = "pid_formula"
	PhoneFormat      Kind = "phone_format"
	PidFormat        Kind = "pid_format"
	PhoneEmpty       Kind = "phone_empty"
	PhoneLetters     Kind = "phone_letters"
	PhoneChar        Kind = "phone_char"
	PhoneDigits      Kind = "phone_digits"
	PhonePrefix      Kind = "phone_prefix"
	PhoneScientific  Kind = "phone_scientific"
	PhoneNotWhole    Kind = "phone_not_whole"
	PhoneTooLarge    Kind = "phone_too_large"
	PhoneNotSensible Kind = "phone_not_sensible"
	PidMissing       Kind = "pid_missing"
	PidNotWhole      Kind = "pid_not_whole"
	PidTooLarge      Kind = "pid_too_large"
	PidNotSensible   Kind = "pid_not_sensible"
	PidLong          Kind = "pid_long"
	PidChars         Kind = "pid_chars"
	Duplicate        Kind = "duplicate"
	// NoPlanProduct*: the plan has no product for the number's carrier
	// (batch.Chooser gives it): the plan's flag and the carrier's name.
	NoPlanProductPrefix   Kind = "no_plan_product_prefix"
	NoPlanProductTelcheck Kind = "no_plan_product_telcheck"
)

// The refusals of a whole file.
const (
	FileIn             Kind = "file_in"
	FileLegacyXLS      Kind = "file_legacy_xls"
	FileType           Kind = "file_type"
	FileEmpty          Kind = "file_empty"
	OptPid             Kind = "opt_pid"
	OptPidPlan         Kind = "opt_pid_plan"
	OptHiddenRows      Kind = "opt_hidden_rows"
	OptEncodingCSV     Kind = "opt_encoding_csv"
	AtRow              Kind = "at_row"
	AtHeaderRow        Kind = "at_header_row"
	AtHeaderSearch     Kind = "at_header_search"
	AfterRow           Kind = "after_row"
	AtSheet            Kind = "at_sheet"
	AtColumn           Kind = "at_column"
	AtPart             Kind = "at_part"
	HeaderHidden       Kind = "header_hidden"
	FooterTotal        Kind = "footer_total"
	Merged             Kind = "merged"
	NoHeader           Kind = "no_header"
	NoHeaderBlank      Kind = "no_header_blank"
	NoSuchColumn       Kind = "no_such_column"
	PidColTogether     Kind = "pid_col_together"
	ColumnHidden       Kind = "column_hidden"
	PhoneColumns       Kind = "phone_columns"
	PidColumns         Kind = "pid_columns"
	PidColumnPresent   Kind = "pid_column_present"
	NoPhoneColumn      Kind = "no_phone_column"
	NoPidColumn        Kind = "no_pid_column"
	NoColumns          Kind = "no_columns"
	EncodingUnknown    Kind = "encoding_unknown"
	EncodingBOM        Kind = "encoding_bom"
	EncodingBoth       Kind = "encoding_both"
	EncodingNeither    Kind = "encoding_neither"
	SaveBOM            Kind = "save_bom"
	SaveBoth           Kind = "save_both"
	SaveNeither        Kind = "save_neither"
	SaveAsUTF8At       Kind = "save_as_utf8_at"
	CSVUnreadable      Kind = "csv_unreadable"
	CSVLoneCR          Kind = "csv_lone_cr"
	CSVNotUTF8         Kind = "csv_not_utf8"
	CSVNotGBK          Kind = "csv_not_gbk"
	NotWorkbook        Kind = "not_workbook"
	NotZip             Kind = "not_zip"
	NotZipBecause      Kind = "not_zip_because"
	NotReadable        Kind = "not_readable"
	NotODS             Kind = "not_ods"
	Encrypted          Kind = "encrypted"
	Doctype            Kind = "doctype"
	Compression        Kind = "compression"
	Damaged            Kind = "damaged"
	DamagedZipStart    Kind = "damaged_zip_start"
	DamagedZipDir      Kind = "damaged_zip_dir"
	DamagedODS         Kind = "damaged_ods"
	NoSheets           Kind = "no_sheets"
	NoSheetsODS        Kind = "no_sheets_ods"
	NoSuchSheet        Kind = "no_such_sheet"
	NoVisibleSheet     Kind = "no_visible_sheet"
	NoVisibleSheetODS  Kind = "no_visible_sheet_ods"
	SheetHidden        Kind = "sheet_hidden"
	SheetHiddenODS     Kind = "sheet_hidden_ods"
	SheetNotWorksheet  Kind = "sheet_not_worksheet"
	SheetEmpty         Kind = "sheet_empty"
	SheetsAmbiguous    Kind = "sheets_ambiguous"
	NoSheetHeader      Kind = "no_sheet_header"
	SheetWhy           Kind = "sheet_why"
	Limit              Kind = "limit"
	LimitRows          Kind = "limit_rows"
	LimitRowAt         Kind = "limit_row_at"
	LimitColumns       Kind = "limit_columns"
	LimitColumnAt      Kind = "limit_column_at"
	LimitCell          Kind = "limit_cell"
	LimitCellAt        Kind = "limit_cell_at"
	LimitCellLong      Kind = "limit_cell_long"
	LimitRowBytes      Kind = "limit_row_bytes"
	LimitRowBytesOver  Kind = "limit_row_bytes_over"
	LimitText          Kind = "limit_text"
	LimitCSVRow        Kind = "limit_csv_row"
	LimitTechnical     Kind = "limit_technical"
	SharedString       Kind = "shared_string"
	SharedStringLong   Kind = "shared_string_long"
	LimitSharedStrings Kind = "limit_shared_strings"
	LimitSharedText    Kind = "limit_shared_text"
	LimitSheets        Kind = "limit_sheets"
	NotRegular         Kind = "not_regular"
)

// The refusals of a plan (package batch): -plan, a -plan-file, and
// writing the rows it plans.
const (
	PlanVolume         Kind = "plan_volume"
	PlanFileAt         Kind = "plan_file_at"
	PlanFileSize       Kind = "plan_file_size"
	PlanRowBytes       Kind = "plan_row_bytes"
	PlanNoCarrier      Kind = "plan_no_carrier"
	PlanCarrier        Kind = "plan_carrier"
	PlanPid            Kind = "plan_pid"
	PlanTwice          Kind = "plan_twice"
	PlanColumnsTwice   Kind = "plan_columns_twice"
	PlanColumnsNamed   Kind = "plan_columns_named"
	PlanNotInCatalogue Kind = "plan_not_in_catalogue"
	PlanOtherCarrier   Kind = "plan_other_carrier"
	PlanAmbiguous      Kind = "plan_ambiguous"
	TelcheckOff        Kind = "telcheck_off"
	TelcheckNoProduct  Kind = "telcheck_no_product"
	TelcheckNoCarrier  Kind = "telcheck_no_carrier"
	TelcheckNotAsked   Kind = "telcheck_not_asked"
	Planning           Kind = "planning"
	PlanningChanged    Kind = "planning_changed"
)

// reasonWords is every reason, in English and in Chinese, with the same
// verbs in the same order (or indexed). Row reasons come first, the more
// particular before the general, as ParseReason tries them.
var reasonWords = []struct {
	kind   Kind
	row    bool
	en, zh string
}{
	{RowFieldCount, true, "unreadable row: wrong number of fields", "这一行无法读取：列数与其他行不同"},
	{RowUnreadable, true, "unreadable row: %s", "这一行无法读取：%s"},
	{RowHidden, true, "the row is hidden in the sheet (hidden, filtered out or of no height): it is not on the list shown; unhide it, or pass -hidden-rows skip or include",
		"这一行在表格里是隐藏的（被隐藏、被筛选掉或行高为 0），不在看得见的名单上：请取消隐藏，或加 -hidden-rows skip 或 include"},
	{RowFooterLike, true, "the row starts with %q as a footer does, but holds a phone number: a footer is never charged; remove the word, or the row",
		"这一行像表尾那样以 %q 开头，却有手机号：表尾行从不充值；请删掉这个词，或删掉这一行"},
	{PhoneFormula, true, "the phone cell is a formula; its saved value may not be what the sheet shows: paste the column as values",
		"手机号单元格是公式，保存的值可能与表格显示的不同：请把这一列“选择性粘贴为数值”"},
	{PidFormula, true, "the pid cell is a formula; its saved value may not be what the sheet shows: paste the column as values",
		"产品编码单元格是公式，保存的值可能与表格显示的不同：请把这一列“选择性粘贴为数值”"},
	{PhoneFormat, true, "the phone cell has a number format under which the sheet may show other digits than it holds (a custom format, a date, a fraction…): set the column's format to General or Text",
		"手机号单元格的数字格式可能让表格显示的数字与实际保存的不同（自定义格式、日期、分数等）：请把这一列的格式设为“常规”或“文本”"},
	{PidFormat, true, "the pid cell has a number format under which the sheet may show other digits than it holds (a custom format, a date, a fraction…): set the column's format to General or Text",
		"产品编码单元格的数字格式可能让表格显示的数字与实际保存的不同（自定义格式、日期、分数等）：请把这一列的格式设为“常规”或“文本”"},
	{PhoneEmpty, true, "bad phone: empty", "手机号为空"},
	{PhoneLetters, true, "bad phone: contains letters", "手机号含有字母"},
	{PhonePrefix, true, "bad phone: not a mainland mobile prefix", "手机号不是大陆手机号段"},
	{PhoneDigits, true, "bad phone: %d digits", "手机号位数不对：%d 位，应为 11 位"},
	{PhoneScientific, true, "bad phone: %s in scientific notation may have lost digits: it shows %d significant digits, a phone has 11; store phone numbers as text",
		"手机号 %s 是科学计数法，可能丢了数字：只显示 %d 位有效数字，手机号有 11 位；请把手机号存为文本"},
	{PhoneNotSensible, true, "bad phone: %s is not a whole number of sensible size", "手机号 %s 不是大小合理的整数"},
	{PhoneNotWhole, true, "bad phone: %s is not a whole number", "手机号 %s 不是整数"},
	{PhoneTooLarge, true, "bad phone: %s is too large", "手机号 %s 太大"},
	{PhoneChar, true, "bad phone: contains %s", "手机号含有非数字字符 %s"},
	{PidMissing, true, "missing pid", "缺少产品编码"},
	{PidNotSensible, true, "bad pid: %s is not a whole number of sensible size", "产品编码 %s 不是大小合理的整数"},
	{PidNotWhole, true, "bad pid: %s is not a whole number", "产品编码 %s 不是整数"},
	{PidTooLarge, true, "bad pid: %s is too large", "产品编码 %s 太大"},
	{PidLong, true, "bad pid: %d characters; at most 32", "产品编码太长：%d 个字符，最多 32 个"},
	{PidChars, true, "bad pid: %q: only letters and digits are allowed", "产品编码 %q 有误：只能是字母和数字"},
	{Duplicate, true, "duplicate of row %d", "与第 %d 行重复（同一手机号、同一产品）"},
	{NoPlanProductPrefix, true, "no product of the plan %s for %s (the number's carrier by its prefix): name one in a -plan-file",
		"套餐计划 %s 里没有%s的产品（按号段判断的运营商）：请在 -plan-file 里写明一个"},
	{NoPlanProductTelcheck, true, "no product of the plan %s for %s (the number's carrier by flow/telcheck): name one in a -plan-file",
		"套餐计划 %s 里没有%s的产品（由 flow/telcheck 确定的运营商）：请在 -plan-file 里写明一个"},

	{FileIn, false, "read %s", "读取 %s"},
	{FileLegacyXLS, false, "an Excel 97–2003 workbook (.xls, or WPS .et) is not read: its binary format cannot be read safely. " +
		"Save it as .xlsx, then check that file. " +
		"Excel: File → Save As → Save as type \"Excel Workbook (*.xlsx)\". " +
		"WPS 表格: 文件 → 另存为 → 文件类型 \"Excel 文件(*.xlsx)\". " +
		"LibreOffice Calc: File → Save As → File type \"Excel 2007-365 (.xlsx)\", then \"Use Excel 2007-365!\"; " +
		"or on the command line: soffice --headless --convert-to xlsx FILE.xls. Nothing was read, nothing was spent",
		"不读取 Excel 97–2003 工作簿（.xls，或 WPS 的 .et）：它的二进制格式无法安全读取。" +
			"请另存为 .xlsx，再检查那个文件。" +
			"Excel：文件 → 另存为 → 保存类型“Excel 工作簿(*.xlsx)”。" +
			"WPS 表格：文件 → 另存为 → 文件类型“Excel 文件(*.xlsx)”。" +
			"LibreOffice Calc：文件 → 另存为 → 文件类型“Excel 2007-365 (.xlsx)”，再点“使用 Excel 2007-365!”；" +
			"或在命令行：soffice --headless --convert-to xlsx 文件.xls。什么都没有读取，什么都没有花费"},
	{FileType, false, "unsupported file type %q; supported: %s", "不支持的文件类型 %q；支持：%s"},
	{FileEmpty, false, "the file is empty: no header row", "文件是空的：没有表头行"},
	{OptPid, false, "-pid", "-pid"},
	{OptPidPlan, false, "-pid and a plan together: -pid gives every row one product, a plan one per carrier", "-pid 和套餐计划不能同时用：-pid 给每行同一个产品，套餐计划按运营商各给一个"},
	{OptHiddenRows, false, "-hidden-rows %q: use skip or include", "-hidden-rows %q：请用 skip 或 include"},
	{OptEncodingCSV, false, "-encoding applies to CSV files only", "-encoding 只用于 CSV 文件"},
	{AtRow, false, "row %d", "第 %d 行"},
	{AtHeaderRow, false, "row %d (header)", "第 %d 行（表头）"},
	{AtHeaderSearch, false, "row %d (looking for the header)", "第 %d 行（查找表头时）"},
	{AfterRow, false, "after row %d", "第 %d 行之后"},
	{AtSheet, false, "sheet %q", "工作表 %q"},
	{AtColumn, false, "column %s", "%s 列"},
	{AtPart, false, "%s", "%s"},
	{HeaderHidden, false, "row %d (header): the row is hidden in the sheet: unhide it, so that the list read is the list shown (or pass -hidden-rows skip or include)",
		"第 %d 行（表头）：这一行在表格里是隐藏的：请取消隐藏，让读取的名单就是看到的名单（或加 -hidden-rows skip 或 include）"},
	{FooterTotal, false, "row %d: the footer states %d rows (%s), but %d rows were read: the list is not the one its total describes; fix the list or its total",
		"第 %d 行：表尾写着 %d 行（%s），但读到 %d 行：名单与它的合计对不上；请改正名单或合计"},
	{Merged, false, "rows %d–%d: the sheet merges %s%d:%s%d, over the %s column: a merged cell shows one value across several cells and hides what the others hold; unmerge it, and give every row its own value",
		"第 %d–%d 行：表格合并了 %s%d:%s%d，跨过%s列：合并单元格在几个格子里只显示一个值，藏住了其他格子里的内容；请取消合并，给每一行填上自己的值"},
	{NoHeader, false, "no header row in the first %d rows: none names a phone column (accepted: %s); the rows as read: %s; name the columns with -phone-col and -pid-col",
		"前 %d 行里没有表头行：没有一行写着手机号列（可用的列名：%s）；读到的行：%s；请用 -phone-col 和 -pid-col 指明列"},
	{NoHeaderBlank, false, "no header row in the first %d rows: none names a phone column (accepted: %s); the rows read are blank",
		"前 %d 行里没有表头行：没有一行写着手机号列（可用的列名：%s）；读到的行都是空的"},
	{NoSuchColumn, false, "%s %q: no such column in the header (%s)", "%s %q：表头里没有这一列（%s）"},
	{PidColTogether, false, "%s and -pid-col together: %s gives every row %s, -pid-col reads it from a column", "%s 和 -pid-col 不能同时用：%s 给每行%s，-pid-col 从一列里读"},
	{ColumnHidden, false, "the %s column (%s, %q) is hidden in the sheet: a hidden column is not what the user sees; unhide it, or pass -hidden-rows include (read it) or skip (leave hidden columns out)",
		"%s列（%s 列，%q）在表格里是隐藏的：隐藏的列不是用户看到的；请取消隐藏，或加 -hidden-rows include（读取它）或 skip（不读隐藏的列）"},
	{PhoneColumns, false, "%d columns could be the phone: %s; say which with -phone-col %s (or -phone-col %s)", "有 %d 列都可能是手机号：%s；请用 -phone-col %s（或 -phone-col %s）指明"},
	{PidColumns, false, "%d columns could be the product: %s; say which with -pid-col %s (or -pid-col %s)", "有 %d 列都可能是产品编码：%s；请用 -pid-col %s（或 -pid-col %s）指明"},
	{PidColumnPresent, false, "%s gives every row %s, but the file has a product column %s: leave it out, or delete the column", "%s 给每行%s，但文件里有产品编码列 %s：请去掉 %[1]s，或删掉这一列"},
	{NoPhoneColumn, false, "no phone column (accepted headers: %s; or -phone-col)", "没有手机号列（可用的列名：%s；或用 -phone-col）"},
	{NoPidColumn, false, "no product column (accepted headers: %s; or -pid-col, or -pid PID for every row)", "没有产品编码列（可用的列名：%s；或用 -pid-col，或用 -pid 产品编码 给每一行）"},
	{NoColumns, false, "no phone column (accepted headers: %s; or -phone-col); no product column (accepted headers: %s; or -pid-col, or -pid PID for every row)",
		"没有手机号列（可用的列名：%s；或用 -phone-col）；没有产品编码列（可用的列名：%s；或用 -pid-col，或用 -pid 产品编码 给每一行）"},
	{EncodingUnknown, false, "unknown encoding %q; use utf-8, gbk or gb18030", "未知编码 %q；请用 utf-8、gbk 或 gb18030"},
	{EncodingBOM, false, "the file starts with a UTF-8 byte order mark but is not valid UTF-8; use -encoding", "文件以 UTF-8 的 BOM 开头，却不是有效的 UTF-8；请用 -encoding 指明编码"},
	{EncodingBoth, false, "cannot tell the encoding: the bytes read as UTF-8 and as GBK; use -encoding utf-8 or -encoding gbk", "无法判断编码：这些字节既能按 UTF-8 也能按 GBK 读；请用 -encoding utf-8 或 -encoding gbk 指明"},
	{EncodingNeither, false, "cannot tell the encoding: the file is neither UTF-8 nor GBK/GB18030; use -encoding", "无法判断编码：文件既不是 UTF-8 也不是 GBK/GB18030；请用 -encoding 指明编码"},
	// A file read without an -encoding flag (a plan file): the advice is
	// what works for it.
	{SaveBOM, false, "the file starts with a UTF-8 byte order mark but is not valid UTF-8; save it again as \"CSV UTF-8\"", "文件以 UTF-8 的 BOM 开头，却不是有效的 UTF-8；请把它另存为“CSV UTF-8”"},
	{SaveBoth, false, "cannot tell the encoding: the bytes read as UTF-8 and as GBK; save it again as \"CSV UTF-8\"", "无法判断编码：这些字节既能按 UTF-8 也能按 GBK 读；请把它另存为“CSV UTF-8”"},
	{SaveNeither, false, "cannot tell the encoding: the file is neither UTF-8 nor GBK/GB18030; save it again as \"CSV UTF-8\"", "无法判断编码：文件既不是 UTF-8 也不是 GBK/GB18030；请把它另存为“CSV UTF-8”"},
	{SaveAsUTF8At, false, "row %d: not valid in the file's encoding: save it again as \"CSV UTF-8\"", "第 %d 行：不符合文件的编码：请把它另存为“CSV UTF-8”"},
	{CSVUnreadable, false, "row %d: unreadable row (line %d, column %d)", "第 %d 行：这一行无法读取（文件第 %d 行，第 %d 个字符）"},
	{CSVLoneCR, false, "row %d: a carriage return without a line feed (an old Mac line ending, or one inside a cell): a spreadsheet starts a new row there; save the file again as CSV with ordinary line endings",
		"第 %d 行：有一个不带换行符的回车符（旧式 Mac 换行，或在单元格里）：表格软件会在那里另起一行；请用普通换行重新另存为 CSV"},
	{CSVNotUTF8, false, "row %d: not valid UTF-8 (read as -encoding utf-8); try -encoding gbk", "第 %d 行：不是有效的 UTF-8（按 -encoding utf-8 读取）；试试 -encoding gbk"},
	{CSVNotGBK, false, "row %d: not valid GBK/GB18030 (read as -encoding %s); try -encoding utf-8", "第 %d 行：不是有效的 GBK/GB18030（按 -encoding %s 读取）；试试 -encoding utf-8"},
	{NotWorkbook, false, "not an Excel workbook (no workbook part): save it again as .xlsx", "不是 Excel 工作簿（缺少工作簿部件）：请重新另存为 .xlsx"},
	{NotZip, false, "not a readable workbook (not a zip archive): save it again as .xlsx", "不是可读的工作簿（不是 zip 压缩包）：请重新另存为 .xlsx"},
	{NotZipBecause, false, "not a readable workbook (%s): save it again as .xlsx", "不是可读的工作簿（%s）：请重新另存为 .xlsx"},
	{NotReadable, false, "not a readable workbook", "不是可读的工作簿"},
	{NotODS, false, "not an OpenDocument spreadsheet (no content.xml): save it again as .ods or .xlsx", "不是 OpenDocument 电子表格（没有 content.xml）：请重新另存为 .ods 或 .xlsx"},
	{Encrypted, false, "refused workbook: %q is encrypted: save the file again without a password", "拒绝读取的工作簿：%q 是加密的：请不设密码重新保存"},
	{Doctype, false, "refused workbook: %s has a declaration <!%s>: a workbook never needs a DOCTYPE or entities", "拒绝读取的工作簿：%s 里有声明 <!%s>：工作簿从不需要 DOCTYPE 或实体"},
	{Compression, false, "%s is compressed with method %d, which Excel does not write: save the file again as .xlsx", "%s 用压缩方法 %d 压缩，Excel 不会这样写：请重新另存为 .xlsx"},
	{Damaged, false, "damaged workbook: %s", "工作簿已损坏：%s"},
	{DamagedZipStart, false, "damaged workbook: the file does not start with a zip entry (bytes before the archive?): save it again as .xlsx",
		"工作簿已损坏：文件不是以 zip 条目开头（压缩包前面多了字节？）：请重新另存为 .xlsx"},
	{DamagedZipDir, false, "damaged workbook: the zip directory is not where the archive says (bytes before or inside the archive?): save it again as .xlsx",
		"工作簿已损坏：zip 目录不在压缩包所说的位置（压缩包前面或里面多了字节？）：请重新另存为 .xlsx"},
	{DamagedODS, false, "damaged spreadsheet: %s", "电子表格已损坏：%s"},
	{NoSheets, false, "the workbook has no sheets", "工作簿里没有工作表"},
	{NoSheetsODS, false, "the spreadsheet has no sheets", "电子表格里没有工作表"},
	{NoSuchSheet, false, "no sheet %q; the sheets are: %s", "没有工作表 %q；工作表有：%s"},
	{NoVisibleSheet, false, "the workbook has no visible sheet (hidden: %s)", "工作簿里没有看得见的工作表（隐藏的：%s）"},
	{NoVisibleSheetODS, false, "the spreadsheet has no visible sheet (hidden: %s)", "电子表格里没有看得见的工作表（隐藏的：%s）"},
	{SheetHidden, false, "sheet %q is %s: a hidden sheet is not what the user sees; unhide it in Excel first, or choose a visible sheet: %s",
		"工作表 %q 是隐藏的（%s）：隐藏的工作表不是用户看到的；请先在 Excel 里取消隐藏，或选一个看得见的工作表：%s"},
	{SheetHiddenODS, false, "sheet %q is hidden: a hidden sheet is not what the user sees; unhide it first, or choose a visible sheet",
		"工作表 %q 是隐藏的：隐藏的工作表不是用户看到的；请先取消隐藏，或选一个看得见的工作表"},
	{SheetNotWorksheet, false, "sheet %q is not a worksheet (a chart sheet?) or its part is missing", "工作表 %q 不是普通工作表（图表工作表？），或它的部件缺失"},
	{SheetEmpty, false, "it is empty", "它是空的"},
	{SheetsAmbiguous, false, "%d sheets could be the list: %s; say which with -sheet NAME", "有 %d 个工作表都可能是名单：%s；请用 -sheet 名称 指明"},
	{NoSheetHeader, false, "no visible sheet has a header with a phone and a product column in its first %d rows (%s); pass -sheet NAME with the list's sheet",
		"没有一个看得见的工作表在前 %d 行里有带手机号列和产品编码列的表头（%s）；请用 -sheet 名称 指明名单所在的工作表"},
	{SheetWhy, false, "%q", "%q"},
	{Limit, false, "beyond the input limits (see README: Input files)", "超出输入文件的限制（见 README：Input files）"},
	{LimitRows, false, "at most %s rows (Excel's limit)", "最多 %s 行（Excel 的上限）"},
	{LimitRowAt, false, "row %s; at most %s rows (Excel's limit)", "第 %s 行；最多 %s 行（Excel 的上限）"},
	{LimitColumns, false, "%s columns; at most %s (Excel's limit)", "%s 列；最多 %s 列（Excel 的上限）"},
	{LimitColumnAt, false, "a cell in column %s; at most %s columns (Excel's limit)", "第 %s 列有单元格；最多 %s 列（Excel 的上限）"},
	{LimitCell, false, "column %s: a cell of %s characters; at most %s (Excel's limit)", "%s 列：一个单元格有 %s 个字符；最多 %s 个（Excel 的上限）"},
	{LimitCellAt, false, "column %s: a cell longer than %s characters", "%s 列：一个单元格超过 %s 个字符"},
	{LimitCellLong, false, "a cell longer than %s characters", "一个单元格超过 %s 个字符"},
	{LimitRowBytes, false, "the row holds %s bytes of text; at most %s", "这一行有 %s 字节的文字；最多 %s"},
	{LimitRowBytesOver, false, "the row holds more than %s bytes of text", "这一行的文字超过 %s 字节"},
	{LimitText, false, "the rows hold more than %s bytes of text together", "所有行的文字合计超过 %s 字节"},
	{LimitCSVRow, false, "a row longer than %s bytes", "一行超过 %s 字节"},
	{LimitSheets, false, "more than %s sheets", "超过 %s 个工作表"},
	{NotRegular, false, "it is %s, not a saved file: nothing was read from it; give the path of the file itself", "它是%s，不是保存好的文件：什么都没有读取；请给出文件本身的路径"},
	{LimitSharedStrings, false, "more than %s shared strings", "超过 %s 个共享字符串"},
	{LimitSharedText, false, "shared strings of more than %s bytes of text", "共享字符串的文字超过 %s 字节"},
	{SharedString, false, "shared string %s", "第 %s 个共享字符串"},
	{SharedStringLong, false, "shared string %s: longer than %s characters", "第 %s 个共享字符串超过 %s 个字符"},
	{PlanVolume, false, "-plan %q: want a flow volume such as 1G, 2G or 500M", "-plan %q：请给出流量大小，例如 1G、2G 或 500M"},
	{PlanFileAt, false, "-plan-file %s", "-plan-file %s"},
	{PlanFileSize, false, "-plan-file %s: %d bytes; a plan lists one product per carrier", "-plan-file %s：%d 字节；套餐计划每个运营商只列一个产品"},
	{PlanRowBytes, false, "row %d: more than %d bytes; a plan lists one product per carrier", "第 %d 行：超过 %d 字节；套餐计划每个运营商只列一个产品"},
	{PlanNoCarrier, false, "-plan-file %s: no carrier listed", "-plan-file %s：一个运营商也没有列出"},
	{PlanCarrier, false, "row %d: carrier %q: want 移动, 联通 or 电信", "第 %d 行：运营商 %q 无法识别：请写 移动、联通 或 电信"},
	{PlanPid, false, "row %d: pid %q: want 1–32 letters and digits", "第 %d 行：产品编码 %q 有误：应为 1–32 个字母和数字"},
	{PlanTwice, false, "row %d: %s is listed twice (pid %s and %s): one product per carrier", "第 %d 行：%s列了两次（产品编码 %s 和 %s）：每个运营商只列一个产品"},
	{PlanColumnsTwice, false, "row %d has two columns %q and %q for one thing: keep one", "第 %d 行有两列 %q 和 %q 说的是同一件事：请只留一列"},
	{PlanColumnsNamed, false, "row %d must name the columns: carrier (or 运营商) and pid (or 产品编码…); it has %q",
		"第 %d 行必须写明列名：运营商（或 carrier）和产品编码（或 pid…）；现在是 %q"},
	{PlanNotInCatalogue, false, "%s: pid %s (for %s) is not in the catalogue", "%s：产品编码 %s（列给%s）不在产品目录里"},
	{PlanOtherCarrier, false, "%s: pid %s is a %s product (%s), listed for %s", "%s：产品编码 %s 是%s的产品（%s），却列给了%s"},
	// Notes of the carriers a plan chose (check, run).
	{TelcheckOff, false, "flow/telcheck is not available (%s): carriers by prefix", "flow/telcheck 不可用（%s）：按号段判断运营商"},
	{TelcheckNoProduct, false, "flow/telcheck knows no product for %d numbers (210501, 210503…): their carrier by prefix; the provider will likely reject them, without charge",
		"flow/telcheck 对 %d 个号码没有可用的产品（210501、210503…）：按号段判断其运营商；服务商很可能拒绝它们，不扣费"},
	{TelcheckNoCarrier, false, "flow/telcheck gave no carrier for %d numbers (after %d tries each): their carrier by prefix", "flow/telcheck 没有给出 %d 个号码的运营商（各试了 %d 次）：按号段判断其运营商"},
	{TelcheckNotAsked, false, "flow/telcheck not asked (JUHE_KEY and JUHE_OPENID are not both set, or the key was refused): carriers by prefix here; submit and run ask it",
		"未询问 flow/telcheck（JUHE_KEY 和 JUHE_OPENID 没有都设置，或密钥被拒绝）：这里按号段判断运营商；submit 和 run 会询问它"},
	{PlanAmbiguous, false, "-plan %s matches %d %s products of the catalogue: %s; name the one for each carrier in a -plan-file (carrier,pid)",
		"-plan %s 在产品目录里对上了 %d 个%s的产品：%s；请在 -plan-file（carrier,pid）里为每个运营商写明一个"},
	{Planning, false, "planning %s", "登记 %s 的各行"},
	{PlanningChanged, false, "planning %s: the file changed while it was read (sha256 %s, then %s); nothing was submitted: run the command again",
		"登记 %s 的各行：读取时文件变了（校验值先是 %s，后是 %s）；什么都没有提交：请再运行一次命令"},
	// LimitTechnical: a limit of the file's structure (XML, archive)
	// that no list a person keeps comes near; its words are technical.
	{LimitTechnical, false, "%s", "%s"},
}

var wordsOf = func() map[Kind]struct{ en, zh string } {
	m := make(map[Kind]struct{ en, zh string }, len(reasonWords))
	for _, w := range reasonWords {
		m[w.kind] = struct{ en, zh string }{w.en, w.zh}
	}
	return m
}()

// sheetWhy is why a sheet holds no list, for a refusal that names
// every sheet.
type sheetWhy struct {
	name string
	why  error
}

type sheetWhys []sheetWhy

func (w sheetWhys) String() string { return w.In("en") }

func (w sheetWhys) In(lang string) string {
	sep, colon := "; ", ": "
	if lang == "zh" {
		sep, colon = "；", "："
	}
	parts := make([]string, len(w))
	for i, x := range w {
		parts[i] = strconv.Quote(x.name) + colon + ErrorIn(x.why, lang)
	}
	return strings.Join(parts, sep)
}

// seenRow is a row the header search read, for a refusal that shows
// them.
type seenRow struct {
	line  int
	cells string
}

type seenRows []seenRow

func (s seenRows) String() string { return s.In("en") }

func (s seenRows) In(lang string) string {
	parts := make([]string, len(s))
	for i, r := range s {
		parts[i] = reason(AtRow, r.line).In(lang) + ": " + r.cells
		if lang == "zh" {
			parts[i] = reason(AtRow, r.line).In(lang) + "：" + r.cells
		}
	}
	if lang == "zh" {
		return strings.Join(parts, "；")
	}
	return strings.Join(parts, "; ")
}
