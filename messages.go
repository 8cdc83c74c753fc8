package main

import (
	"fmt"
	"io/fs"
	"regexp"
	"strings"
	"syscall"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/callback"
	"github.com/flowbatch/flowbatch/batch/workspace"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
)

// The message catalogue: what a person reads from flowbatch, on the
// terminal (halts, refusals, summaries, progress, -h) and on the
// console's pages (consoleWords, by key), in English and in Chinese.
// The workbook's labels are reconcile's (reconcile/labels.go).
//
// What a script reads never changes with the language: exit codes,
// status -json and verify -json, and the lines the README says a script
// may parse ("ok: …" of verify, "wrote …", "journal head …",
// "attestation sha256 …") stay English in both.
//
// To add a message: declare a msg here, in the block of its file, with
// the same fmt verbs in the same order in both languages
// (TestCatalogueVerbsAgree holds them), and print it with e.tr(msgX, …),
// or return errOf(code, msgX, …).try(msgY, …) for an error. A word of
// the console is a key of consoleWords, a msg like any other: a page
// says it with {{.T "key"}} or {{.Tf "key" …}}, the console's code with
// word(l, key) or wordf(l, key, …) (TestConsoleWordsComplete holds every
// key named to one there).

// lang is the terminal's language.
type lang string

const (
	langEN lang = "en"
	langZH lang = "zh"
)

// termLang is the language of a command line: its -lang flag (zh or en)
// when given, else the locale: the first of LC_ALL, LC_MESSAGES and LANG
// that is set decides, as POSIX says; zh_* is Chinese, anything else
// (C, POSIX, en_US…) English.
func termLang(args []string, getenv func(string) string) lang {
	for i, a := range args {
		if a == "--" {
			break
		}
		v, ok := "", false
		switch {
		case a == "-lang" || a == "--lang":
			if i+1 < len(args) {
				v, ok = args[i+1], true
			}
		case strings.HasPrefix(a, "-lang="), strings.HasPrefix(a, "--lang="):
			_, v, _ = strings.Cut(a, "=")
			ok = true
		}
		if ok && (v == string(langZH) || v == string(langEN)) {
			return lang(v)
		}
	}
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := getenv(name); v != "" {
			if strings.HasPrefix(strings.ToLower(v), "zh") {
				return langZH
			}
			return langEN
		}
	}
	return langEN
}

// msg is one message in both languages. A msg with no Chinese falls
// back to English.
type msg struct{ en, zh string }

func (m msg) in(l lang) string {
	if l == langZH && m.zh != "" {
		return m.zh
	}
	return m.en
}

// f formats m in l; arguments that are themselves localized (a phrase, a
// count, a msg) are rendered in l first.
func (m msg) f(l lang, a ...any) string {
	if len(a) == 0 {
		return m.in(l)
	}
	return fmt.Sprintf(m.in(l), localize(l, a)...)
}

// with keeps m's arguments, to render later in the reader's language.
func (m msg) with(a ...any) phrase { return phrase{m, a} }

// phrase is a msg with its arguments.
type phrase struct {
	m msg
	a []any
}

func (p phrase) in(l lang) string { return p.m.f(l, p.a...) }

type localized interface{ in(lang) string }

func localize(l lang, a []any) []any {
	out := make([]any, len(a))
	for i, x := range a {
		switch x := x.(type) {
		case localized:
			out[i] = x.in(l)
		case error:
			out[i] = x
			if l == langZH {
				out[i] = errText(l, x) // a refusal it holds in l's words
			}
		default:
			out[i] = x
		}
	}
	return out
}

// tr formats m in the command's language.
func (e *env) tr(m msg, a ...any) string { return m.f(e.lang, a...) }

// noun is a counted thing: English singular and plural, and the Chinese
// word with its measure word.
type noun struct{ one, many, zh string }

var (
	nounRow     = noun{"row", "rows", "行"}
	nounOrder   = noun{"order", "orders", "个订单"}
	nounHidden  = noun{"hidden or filtered-out row", "hidden or filtered-out rows", "个隐藏或被筛选掉的行"}
	nounInvalid = noun{"invalid row", "invalid rows", "个无效行"}
	nounDup     = noun{"duplicate row", "duplicate rows", "个重复行"}
	nounPeriod  = noun{"period", "periods", "个周期"}
	nounRequest = noun{"request", "requests", "次请求"}
	nounBatch   = noun{"batch", "batches", "个批次"}
	nounBlank   = noun{"blank row", "blank rows", "个空行"}
	nounJournal = noun{"journal", "journals", "个日志"}

	nounOtherJournal = noun{"other journal", "other journals", "个日志"}

	nounHiddenRow = noun{"hidden row", "hidden rows", "个隐藏行"}
)

// count is n of a noun, e.g. "3 rows", "3 行".
type count struct {
	n    int
	what noun
}

func (c count) in(l lang) string {
	switch {
	case l == langZH:
		return fmt.Sprintf("%d %s", c.n, c.what.zh)
	case c.n == 1:
		return "1 " + c.what.one
	}
	return fmt.Sprintf("%d %s", c.n, c.what.many)
}

// carrierWord is a carrier as a sentence names it: "China Mobile", "移动".
type carrierWord struct{ c juhe.Carrier }

func (w carrierWord) in(l lang) string {
	if l == langZH {
		return string(w.c)
	}
	return w.c.English()
}

// stateName is a state's name on the terminal: the workbook's word.
func stateName(l lang, s batch.Status) string { return reconcile.StateName(string(l), s) }

// main.go: the command list.
var (
	msgUsageHead = msg{
		"flowbatch gifts mobile data plans in bulk through the 聚合数据 flow-recharge API V2.\n\nUsage:\n\n\tflowbatch <command> [flags]\n\nCommands:\n\n",
		"flowbatch 通过聚合数据流量充值 API V2 批量赠送手机流量套餐。\n\n用法：\n\n\tflowbatch <命令> [参数]\n\n命令：\n\n",
	}
	msgUsageFoot = msg{
		"\nRun 'flowbatch <command> -h' for a command's flags. Exit codes are in README.md.\nMessages are in Chinese with -lang zh or a zh_* locale (LC_ALL, LC_MESSAGES, LANG), English otherwise.\n",
		"\n运行 'flowbatch <命令> -h' 查看该命令的参数。退出码见 README.md。\n加 -lang zh 或在 zh_* 区域设置（LC_ALL、LC_MESSAGES、LANG）下显示中文，否则显示英文。\n",
	}
	msgUnknownCommand = msg{"unknown command %q", "未知命令 %q"}
	msgTryHelp        = msg{"Try: flowbatch help", "试试：flowbatch help"}
	msgInterrupting   = msg{
		"flowbatch: interrupted: finishing requests in flight and flushing the journal (Ctrl-C again to exit at once; the journal stays safe)",
		"flowbatch：已中断：正在完成已发出的请求并写入日志（再按 Ctrl-C 立即退出；日志仍然安全）",
	}
	msgExitingAtOnce = msg{"flowbatch: exiting at once", "flowbatch：立即退出"}
	msgInterrupted   = msg{"interrupted", "已中断"}
)

// commandSummaries are the one-line summaries of the command list.
var commandSummaries = map[string]msg{
	"check":     {"validate an input file and estimate its cost; spends nothing", "校验输入文件并估算费用；不花钱"},
	"submit":    {"submit every valid row of an input file exactly once", "把输入文件的每个有效行恰好提交一次"},
	"query":     {"query open orders until each is final", "查询未完成的订单，直到每个都有最终结果"},
	"reconcile": {"write the reconciliation workbook from a journal", "根据日志生成对账工作簿"},
	"run":       {"submit, query and reconcile in one resumable command", "提交、查询、对账，一条可续跑的命令"},
	"callback":  {"serve provider callbacks beside a running batch", "在批次运行时接收服务商回调"},
	"status":    {"print counts, spend and open orders of a journal", "显示日志的各状态数量、支出和未完成订单"},
	"workspace": {"list the batches of the workspace, or forget a lost journal", "列出工作区的批次，或忘记丢失的日志"},
	"verify":    {"check a journal's checksums and hash chain", "校验日志的校验和与哈希链"},
	"month":     {"write the month's workbook of every batch of the workspace, for the auditors", "为审计生成工作区全部批次的月度工作簿"},
	"sim":       {"serve the built-in provider simulator", "运行内置的服务商模拟器"},
	"demo":      {"run a sample batch against the built-in simulator", "用内置模拟器运行示例批次"},
	"serve":     {"serve the web console: start, watch and finish batches in a browser", "运行网页控制台：在浏览器里开始、观察和完成批次"},
	"version":   {"print the version", "显示版本"},
}

// flags.go: -h and bad command lines.
var (
	msgFlagLang       = msg{"terminal `language`: zh or en (default: from LC_ALL, LC_MESSAGES or LANG)", "终端`语言`：zh 或 en（默认取自 LC_ALL、LC_MESSAGES 或 LANG）"}
	msgFlagsHead      = msg{"Flags:\n", "参数：\n"}
	msgUnexpectedArg  = msg{"%s: unexpected argument %q", "%s：多余的参数 %q"}
	msgBadLang        = msg{"%s: -lang %q: use zh or en", "%s：-lang %q：请用 zh 或 en"}
	msgFlagIsRequired = msg{"%s: %s is required", "%s：缺少 %s"}
	msgCmdErr         = msg{"%s: %v", "%s：%v"}
	msgNotNegative    = msg{"%s: %s must not be negative", "%s：%s 不能是负数"}
	msgFlagValueTry   = msg{"Try: %s %s", "试试：%s %s"}
	msgTryCmdHelp     = msg{"Try: flowbatch %s -h", "试试：flowbatch %s -h"}

	// The flag package's refusals (flagErr); the English is its own.
	msgFlagUndefined  = msg{"flag provided but not defined: %s", "不认识的参数 %s"}
	msgFlagNeedsValue = msg{"flag needs an argument: %s", "参数 %s 需要一个值"}
	msgFlagBadBool    = msg{"invalid boolean value %s for %s", "参数 %[2]s 的值 %[1]s 无效：须为 true 或 false"}
	msgFlagBadValue   = msg{"invalid value %s for flag %s: %s", "参数 %[2]s 的值 %[1]s 无效：%[3]s"}
	msgFlagSyntax     = msg{"bad flag syntax: %s", "参数写法不对：%s"}
	msgFlagParseError = msg{"parse error", "格式不对"}
	msgFlagDefault    = msg{" (default ${1})", "（默认 ${1}）"}
	msgFlagOutOfRange = msg{"value out of range", "超出范围"}
)

// exitcodes.go: journals, halts, interrupts, open rows.
var (
	msgNotJournalTry = msg{"Try: the -journal path that submit or run used (BATCH.journal by default)", "试试：submit 或 run 用过的 -journal 路径（默认 BATCH.journal）"}
	msgLockedTry     = msg{"Try: wait for that process to finish, or stop it (Ctrl-C); the journal stays safe", "试试：等那个进程结束，或停止它（Ctrl-C）；日志仍然安全"}
	msgDamaged       = msg{"%s: journal damaged", "%s：日志已损坏"}
	msgDamagedTry    = msg{"Try: flowbatch verify -journal %s; keep the file for the audit and do not edit it", "试试：flowbatch verify -journal %s；保留该文件备审计，不要修改它"}
	msgNoJournal     = msg{"%s: no journal at %s", "%s：%s 处没有日志"}
	msgNoJournalTry  = msg{"Try: the -journal path that submit or run used", "试试：submit 或 run 用过的 -journal 路径"}

	msgNothingWritten    = msg{"%s: %v; nothing was written", "%s：%v；什么都没有写"}
	msgOtherJournalTry   = msg{"Try: another -out directory for this journal's workbook, or a new batch id; keep %s for the audit", "试试：给这个日志的工作簿换一个 -out 目录，或换一个新的批次号；保留 %s 备审计"}
	msgAnchorTry         = msg{"Try: flowbatch verify -journal %s -attest %s; keep both files for the audit. Only if this journal really replaces the attested one, move %s away (and keep it)", "试试：flowbatch verify -journal %s -attest %s；两个文件都保留备审计。只有这个日志确实取代了被证明的那个时，才把 %s 移走（并保留它）"}
	msgAttestChangedTry  = msg{"Try: keep %s for the audit, and find out who changed it", "试试：保留 %s 备审计，并查明是谁改了它"}
	msgCallbackLockedTry = msg{"Another callback server writes %s already; one per batch is enough.", "已有另一个回调服务在写 %s；每个批次一个就够了。"}

	msgHalted        = msg{"%s: halted: %s", "%s：已停止：%s"}
	msgHaltAdvice    = msg{"%s: %s (%s)", "%s：%s（%s）"}
	msgHaltAt        = msg{"%s (%s) at row %s", "第 %[3]s 行收到服务商应答：%[1]s（%[2]s）"}
	msgHaltWhere     = msg{"Stopped on %s. What was sent before it is in the journal and the summary above.", "%s。此前已发送的都在日志和上面的汇总里。"}
	msgHaltWhereNone = msg{
		"Stopped on %s. Nothing was charged: the journal holds an answer to every request sent, each a refusal that creates no order, and none is unknown.",
		"%s。没有扣费：日志里每个已发出的请求都有应答，每个都是不生成订单的拒绝，没有未知结果。",
	}
	msgInterruptRun = msg{"interrupted: run the same command again to continue: flowbatch %s %s", "已中断：再次运行同一命令即可继续：flowbatch %s %s"}

	msgStillNoOutcome    = msg{"%s: %s still without a submit outcome", "%s：%s 仍无提交结果"}
	msgSameCommandTry    = msg{"Try: the same command again: flowbatch %s", "试试：再次运行同一命令：flowbatch %s"}
	msgQueryNotFinal     = msg{"query: %s not final", "query：%s 尚未最终"}
	msgQueryResendAndTry = msg{
		"Try: the same submit command again to send the %s the provider does not have, then flowbatch query -journal %s -wait 1h",
		"试试：再次运行同一 submit 命令，发送服务商没有的 %s，然后 flowbatch query -journal %s -wait 1h",
	}
	msgQueryResendTry = msg{"Try: the same submit command again to send the %s the provider does not have", "试试：再次运行同一 submit 命令，发送服务商没有的 %s"}
	msgQueryLaterTry  = msg{"Try: flowbatch query -journal %s -wait 1h (later; the provider is still charging)", "试试：稍后 flowbatch query -journal %s -wait 1h（服务商仍在充值）"}
	msgVerifyFailed   = msg{"verify: FAILED", "verify：校验失败"}
	msgErrSep         = msg{": ", "："}

	msgNotJournalStart = msg{"%s is not a flowbatch journal (it starts with %s)", "%s 不是 flowbatch 日志（它的开头是 %s）"}
	msgNotJournalKind  = msg{"%s is not a flowbatch journal (it is %s)", "%s 不是 flowbatch 日志（它是 %s）"}
	msgNotJournalEmpty = msg{"%s is not a flowbatch journal (it is empty)", "%s 不是 flowbatch 日志（它是空文件）"}
	msgLockedBy        = msg{"journal %s is in use by process %d", "日志 %s 正被进程 %d 使用"}
	msgDamageAt        = msg{"journal %s: record %d at byte %d: %s", "日志 %s：第 %d 条记录（第 %d 字节处）：%s"}
	msgLockedOther     = msg{"journal %s is in use by another process", "日志 %s 正被另一个进程使用"}
)

// damageWhyWords are the journal's words for a damaged record (by its
// English, batch/journal), in Chinese; damageWhyPatterns those with numbers.
var damageWhyWords = map[string]msg{
	"checksum mismatch": {"checksum mismatch", "校验和不符：这条记录被改动过"},
	"prev hash does not match the record before it (the chain is broken)": {"prev hash does not match the record before it (the chain is broken)", "前一哈希与上一条记录不符（哈希链断了）"},
	"no complete header record":                                           {"no complete header record", "没有完整的头记录"},
	"no complete header record: the journal was never fully created":      {"no complete header record: the journal was never fully created", "没有完整的头记录：这个日志从未完整创建"},
	"not a journal record":                                                {"not a journal record", "不是日志记录"},
	"the record is complete but its line end is damaged":                  {"the record is complete but its line end is damaged", "记录完整，但行尾已损坏"},
	"bad bytes that do not look like a torn write":                        {"bad bytes that do not look like a torn write", "有坏字节，不像是写到一半时中断造成的"},
	"zero bytes in the middle of the journal, followed by intact records": {"zero bytes in the middle of the journal, followed by intact records", "日志中间有零字节，其后还有完好的记录"},
}

var damageWhyPatterns = []struct {
	re *regexp.Regexp
	m  msg
}{
	{regexp.MustCompile(`^seq (\d+) where (\d+) was expected \(a record is missing, moved or repeated\)$`), msg{"seq %s where %s was expected (a record is missing, moved or repeated)", "序号是 %s，应为 %s（有记录缺失、被移动或重复）"}},
	{regexp.MustCompile(`^(\d+) bytes after record (\d+) are not a complete record \(torn tail\)$`), msg{"%s bytes after record %s are not a complete record (torn tail)", "第 %[2]s 条记录之后的 %[1]s 个字节不是完整的记录（末尾残缺）"}},
}

// osErrWords say an error of the file system plainly in Chinese, by its
// kind, with the path (errText). The English stays Go's own text, as
// tests and scripts know it; en here only says what each means.
var osErrWords = []struct {
	err error
	m   msg
}{
	{fs.ErrNotExist, msg{"%s: no such file or directory", "找不到文件 %s"}},
	{fs.ErrPermission, msg{"%s: permission denied", "没有权限访问 %s"}},
	{syscall.EISDIR, msg{"%s: is a directory", "%s 是文件夹，不是文件"}},
	{syscall.ENOTDIR, msg{"%s: not a directory", "%s：路径中有一段不是文件夹"}},
	{syscall.ENOSPC, msg{"%s: no space left on device", "磁盘已满，无法写入 %s"}},
	{syscall.EROFS, msg{"%s: read-only file system", "%s 所在的磁盘只读，无法写入"}},
}

// haltWords are the halts' reasons and what to do, in Chinese, by the
// provider's code; English comes from juhe/codes.go. Every halt code
// there has its words here (TestEveryHaltCodeIsTranslated).
var haltWords = map[int][2]string{
	10001:  {"KEY 错误", "改正 JUHE_KEY"},
	10002:  {"该 KEY 无权使用此接口", "联系服务商"},
	10003:  {"KEY 已过期", "续期 KEY"},
	10004:  {"OPENID 错误", "改正 JUHE_OPENID"},
	10005:  {"应用未通过认证", "完成认证"},
	10007:  {"未知的请求来源", "检查 IP 白名单"},
	10008:  {"IP 被禁止", "修正白名单"},
	10009:  {"KEY 被禁用", "联系服务商"},
	10020:  {"接口维护中", "稍后"},
	10021:  {"接口已停用", "联系服务商"},
	210505: {"余额不足", "充值"},
	210506: {"签名 sign 错误", "检查 JUHE_KEY 和 JUHE_OPENID"},
}

// msgThrottleHalt is the persistent-throttle halt (no provider code of its own).
var msgThrottleHalt = [2]string{"服务商持续限流（可能是每日额度）", "等待额度恢复"}

// balance.go: what the provider said before the money moved.
var (
	msgCredsFix = map[string]msg{
		"key":    {"fix JUHE_KEY: the provider refused the key (%s)", "请改正 JUHE_KEY：服务商拒绝了这个 KEY（%s）"},
		"openid": {"fix JUHE_OPENID: the provider refused the OpenID (%s)", "请改正 JUHE_OPENID：服务商拒绝了这个 OpenID（%s）"},
		"sign":   {"fix JUHE_OPENID: it does not belong to JUHE_KEY, the provider refused the sign (%s)", "请改正 JUHE_OPENID：它与 JUHE_KEY 不配套，服务商拒绝了签名（%s）"},
	}
	msgCredsExport = msg{
		"export the right JUHE_KEY and JUHE_OPENID (from the provider's 个人中心), then run the same command again",
		"从服务商的个人中心取得正确的 JUHE_KEY 和 JUHE_OPENID 并 export，然后再次运行同一命令",
	}
	msgCredsFirst   = msg{"%s; %s", "%s；%s"}
	msgCredsDetail  = msg{"%s: %s: %s, so nothing was charged", "%s：%s：%s，所以没有扣费"}
	msgCredsRefusal = msg{"%s (%s); nothing was sent", "%s（%s）；什么都没有发送"}
	msgCredsName    = map[juhe.Credentials]msg{
		juhe.CredsUnverified:    {"key and OpenID not verified", "KEY 和 OpenID 未核实"},
		juhe.CredsKeyOnly:       {"key checked, OpenID not verified", "KEY 已核实，OpenID 未核实"},
		juhe.CredsVerified:      {"key and OpenID verified", "KEY 和 OpenID 已核实"},
		juhe.CredsKeyRefused:    {"key refused: check JUHE_KEY", "KEY 被拒绝：检查 JUHE_KEY"},
		juhe.CredsOpenIDRefused: {"OpenID refused: check JUHE_OPENID", "OpenID 被拒绝：检查 JUHE_OPENID"},
		juhe.CredsSignRefused:   {"sign refused: check that JUHE_OPENID belongs to JUHE_KEY", "签名被拒绝：检查 JUHE_OPENID 是否属于 JUHE_KEY"},
	}
	msgStartRefused   = msg{"%s: %s: %s", "%s：%s：%s"}
	msgCredsWithReply = msg{"%s (%s)", "%s（%s）"}
	msgHaltedFirst    = msg{"halted before the first request", "在第一个请求之前停止"}
	msgWouldBe        = msg{"submit and run would be %s", "submit 和 run 将会%s"}
	msgRefusedStart   = msg{"refused to start", "拒绝开始"}
	msgShortBalance   = msg{
		"the estimate for the %s to send, %s yuan, exceeds the balance, %s yuan, by %s yuan; nothing was sent",
		"待发送的 %s估算 %s 元，超过余额 %s 元，差 %s 元；什么都没有发送",
	}
	msgShortBalanceTry = msg{
		"Try: top up the account, then run the same command again; or add -allow-short-balance to send until the provider's 210505 stops it",
		"试试：先给账户充值，再运行同一命令；或加 -allow-short-balance，发送到服务商返回 210505 为止",
	}
	msgNoteNoBalance   = msg{"balance not read: %s; %s", "未读到余额：%s；%s"}
	msgNoteNoEstimate  = msg{"no estimate: %s", "无法估算：%s"}
	msgNoteNoPrice     = msg{"no price for pid %s: the estimate leaves those rows out", "pid %s 没有价格：估算不含这些行"}
	msgBalanceEstimate = msg{"flowbatch: balance %s yuan; estimate for the %s to send %s yuan", "flowbatch：余额 %s 元；待发送的 %s估算 %s 元"}
)

// provider.go: the statement pulled.
var (
	msgStmtNothing = msg{"flowbatch: statement: nothing was sent yet, nothing to pull", "flowbatch：对账单：还没有发送任何订单，无需拉取"}
	msgStmtPartial = msg{"flowbatch: statement: %s of %s read whole: %s", "flowbatch：对账单：完整读取 %s（共 %s）：%s"}
	msgStmtKept    = msg{"flowbatch: statement: %s, %s in %s, kept in %s", "flowbatch：对账单：%s，%s，%s，保存在 %s"}
	msgStmtLocked  = msg{"reconcile: %s (another pull?)", "reconcile：%s（另一次拉取？）"}
	msgStmtErr     = msg{"reconcile: statement", "reconcile：拉取对账单时出错"}
	msgKeyAccount  = msg{"the key is of account %s, the batch ran on account %s: its statement cannot show the batch; nothing was pulled", "KEY 属于账户 %s，而批次是在账户 %s 上运行的：它的对账单显示不了本批次；什么都没有拉取"}

	msgWarning             = msg{"flowbatch: warning: %v\n", "flowbatch：警告：%v\n"}
	msgWarnStatement       = msg{"flowbatch: warning: statement: %v\n", "flowbatch：警告：对账单：%v\n"}
	msgWarnWorkspaceUnread = msg{"flowbatch: warning: workspace %s: %v; charges of its other batches read as unexplained\n", "flowbatch：警告：工作区 %s：%v；其他批次的扣款将被视为无法解释\n"}
	msgWarnJournalsUnread  = msg{"flowbatch: warning: %s of the workspace could not be read (%s); their charges read as unexplained\n", "flowbatch：警告：工作区中有 %s无法读取（%s）；它们的扣款将被视为无法解释\n"}
	msgAttestIndexWarning  = msg{"flowbatch: warning: the workspace index does not keep this attestation (%v); month and the guard hold the journal only to the attestation file\n", "flowbatch：警告：工作区索引没有保存这份存证（%v）；month 和守卫只能凭存证文件核对日志\n"}

	msgProvNotAvailable = msg{"provider: not available: %s\n", "服务商：无法取得：%s\n"}
	msgProvSummary      = msg{
		"provider: %s; matched %d, state differs %d, cost differs %d, missing at provider %d, unexplained %d (%s yuan), other batch %d\n",
		"服务商：%s；相符 %d，状态不同 %d，费用不同 %d，服务商处缺失 %d，无法解释 %d（%s 元），其他批次 %d\n",
	}
	msgProvBalance = msg{"balance: opening %s, expected closing %s, actual %s, difference %s yuan\n", "余额：期初 %s，应有期末 %s，实际 %s，差额 %s 元\n"}
)

// cmd_serve.go: the console started.
var msgServeWorkspace = msg{
	"workspace %s; Ctrl-C stops the console and any batch it runs (run the same batch again to continue)",
	"工作区 %s；Ctrl-C 会停止控制台及它运行的批次（再次运行同一批次即可继续）",
}

// batchcmd.go: the input refused.
var (
	msgInputRefused = msg{"%s: %s has %s; nothing was submitted", "%s：%s 有 %s；什么都没有提交"}
	msgInputFixTry  = msg{"Try: fix the rows above, or add %s", "试试：改正上面列出的行，或加 %s"}
	msgAnd          = msg{" and ", "、"}
	msgCommaAnd     = msg{", and ", "；或加 "}
	msgFixHidden    = msg{"-hidden-rows skip to leave them out or -hidden-rows include to submit them too", "-hidden-rows skip 跳过它们，或 -hidden-rows include 也提交它们"}
	msgFixInvalid   = msg{"-skip-invalid to record them as invalid and submit the rest", "-skip-invalid 把它们记为无效并提交其余的行"}
	msgFixDup       = msg{"-allow-duplicates to submit each repeat as its own order", "-allow-duplicates 把每个重复行作为单独的订单提交"}
	msgChangedInput = msg{
		"%s: %s is not the file journal %s was started with: that was %s%s (sha256 %s…, now %s…); nothing was submitted",
		"%s：%s 不是日志 %s 开始时的文件：那是 %s%s（sha256 %s…，现在是 %s…）；什么都没有提交",
	}
	msgChangedInputTry = msg{
		"Try: the original file, or -allow-changed-input to continue with this one (rows no longer in it are never submitted)",
		"试试：用原来的文件，或加 -allow-changed-input 用这个文件继续（不在其中的行绝不提交）",
	}
	msgReadAt        = msg{", read %s", "，读取于 %s"}
	msgOtherBatch    = msg{"%s: journal %s belongs to batch %q, not %q", "%s：日志 %s 属于批次 %q，不是 %q"}
	msgOtherBatchTry = msg{"Try: -batch %s, or another -journal", "试试：-batch %s，或换一个 -journal"}
	msgRequiredTry   = msg{"Try: flowbatch %s -in FILE -batch ID", "试试：flowbatch %s -in 文件 -batch 批次号"}
	msgRequiredBTry  = msg{"Try: flowbatch %s -in %s -batch ID", "试试：flowbatch %s -in %s -batch 批次号"}
	msgNoCredsEnv    = msg{"%s not set: the provider key and OpenID come from the environment", "未设置 %s：服务商的 KEY 和 OpenID 取自环境变量"}
	msgNoCredsTry    = msg{"Try: export JUHE_KEY=… JUHE_OPENID=… (from the provider's 个人中心), or run against `flowbatch sim`", "试试：export JUHE_KEY=… JUHE_OPENID=…（在服务商的个人中心获取），或对 `flowbatch sim` 运行"}

	msgHiddenRowsBad      = msg{"%s: -hidden-rows %q: use skip or include", "%s：-hidden-rows %q：请用 skip 或 include"}
	msgRateBad            = msg{"%s: -rate %v: want a number of requests per second above 0", "%s：-rate %v：须为大于 0 的每秒请求数"}
	msgWorkersBad         = msg{"%s: -workers %d: want 0 (automatic) to 1024", "%s：-workers %d：须为 0（自动）到 1024"}
	msgGraceBad           = msg{"%s: -resubmit-grace %v: want a positive duration, e.g. 2m", "%s：-resubmit-grace %v：须为大于 0 的时长，如 2m"}
	msgDurationNegative   = msg{"%s: %s %v: want a duration of zero or more, e.g. 1m", "%s：%s %v：须为 0 或更长的时长，如 1m"}
	msgBatchIDBad         = msg{"%s: -batch: %v", "%s：-batch：%v"}
	msgJournalIsInput     = msg{"%s: -journal %s is the input file %s", "%s：-journal %s 就是输入文件 %s"}
	msgJournalIsInputTry  = msg{"Try: -journal %s.journal, or leave -journal out", "试试：-journal %s.journal，或不给 -journal"}
	msgPidResume          = msg{"%s: journal %s was started with -pid %q, not %q; nothing was submitted", "%s：日志 %s 开始时用的是 -pid %q，不是 %q；什么都没有提交"}
	msgPidResumeNoneTry   = msg{"Try: the same command without -pid", "试试：同一命令，不带 -pid"}
	msgProviderConfig     = msg{"provider", "服务商"}
	msgProviderBooks      = msg{"%s: the provider's books", "%s：读取服务商的账目时出错"}
	msgWritingWorkbook    = msg{"%s: writing the workbook", "%s：写工作簿时出错"}
	msgFlagNothingWritten = msg{"%s: -%v; nothing was written", "%s：-%v；什么都没有写"}
	msgAbsentHead         = msg{"flowbatch: %s journaled earlier no longer in the input; they will not be submitted:\n", "flowbatch：早先记入日志的 %s已不在输入中；它们不会被提交：\n"}
	msgAbsentRow          = msg{"  row %d of the earlier file: %s %s (%s): %s", "  早先文件的第 %d 行：%s %s（%s）：%s"}
)

// stateWord is a state as the terminal names it: its English name, or
// the workbook's Chinese word.
type stateWord struct{ s batch.Status }

func (w stateWord) in(l lang) string {
	if l == langZH {
		return stateName(l, w.s)
	}
	return string(w.s)
}

// plancmd.go: -plan and -plan-file.
var (
	msgPlanExclusive = msg{
		"%s: %s: -pid gives every row one product, -plan one per carrier found in the provider's catalogue, -plan-file one per carrier as listed; give one of them",
		"%s：%s：-pid 给每行同一个产品，-plan 按运营商从服务商的产品目录里找，-plan-file 按文件列出的给每个运营商一个产品；只能给其中一个",
	}
	msgPlanBad       = msg{"%s: %v", "%s：%v"}
	msgPlanBadTry    = msg{"Try: -plan 1G, or a -plan-file of two columns, carrier,pid, one row per carrier", "试试：-plan 1G，或一个两列（carrier,pid）、每个运营商一行的 -plan-file"}
	msgPlanResume    = msg{"%s: journal %s was started with %s, not %s; nothing was submitted", "%s：日志 %s 开始时用的是 %s，不是 %s；什么都没有提交"}
	msgPlanResumeTry = msg{"Try: the same command with %s", "试试：同一命令，带上 %s"}
	msgPlanNone      = msg{"no plan", "没有套餐计划"}
	msgPlanNoProduct = msg{
		"%s: %s: neither flow/list nor flow/telcheck listed any product (%s); nothing was submitted",
		"%s：%s：flow/list 和 flow/telcheck 都没有列出任何产品（%s）；什么都没有提交",
	}
	msgPlanNoProductTry = msg{"Try: again later, or name each carrier's product in a -plan-file (carrier,pid)", "试试：稍后再试，或在 -plan-file（carrier,pid）里写明每个运营商的产品"}
	msgPlanUnsettled    = msg{"%s: %v; nothing was submitted", "%s：%v；什么都没有提交"}
	msgPlanRefused      = msg{"%s: %s has %s under %s; nothing was submitted", "%s：按 %[4]s，%[2]s 有 %[3]s；什么都没有提交"}
	msgPlanFixTry       = msg{"Try: name each carrier's product in a -plan-file, or add %s", "试试：在 -plan-file 里写明每个运营商的产品，或加 %s"}
	msgPlanLine         = msg{"plan:     %s (orderids from %s): %s\n", "套餐计划：%s（orderid 由 %s 生成）：%s\n"}
	msgPlanCarriers     = msg{"carriers: %d by flow/telcheck (ported numbers included), %d by prefix\n", "运营商：  %d 个由 flow/telcheck 确定（含携号转网），%d 个按号段\n"}
	msgPlanNote         = msg{"  note: %s\n", "  注意：%s\n"}
	msgPlanSep          = msg{"; ", "；"}
)

// resume.go: a resume reads the journal.
var (
	msgResumeKeep = msg{
		"the journal's rows, read when the batch started, are kept: they are the orders planned",
		"保留日志里的行（批次开始时读取的）：它们就是计划的订单",
	}
	msgResumeDiffersAt = msg{
		"flowbatch: warning: today's reader reads %s from %s where the journal has %d rows, first differing at row %d of the journal; %s\n",
		"flowbatch：警告：现在的读取器从 %[2]s 读出 %[1]s，日志里有 %[3]d 行，第一个不同在日志的第 %[4]d 行；%[5]s\n",
	}
	msgResumeDiffers = msg{
		"flowbatch: warning: today's reader reads %s from %s where the journal has %d rows; %s\n",
		"flowbatch：警告：现在的读取器从 %[2]s 读出 %[1]s，日志里有 %[3]d 行；%[4]s\n",
	}
	msgResumeRefused = msg{
		"flowbatch: warning: today's reader refuses %s (%v), but it is the file journal %s was started with (sha256 %s…); %s\n",
		"flowbatch：警告：现在的读取器拒绝 %s（%v），但它正是日志 %s 开始时的文件（sha256 %s…）；%s\n",
	}
)

// print.go: the summaries.
var (
	msgSumBatch     = msg{"batch:", "批次："}
	msgSumJournal   = msg{"journal:", "日志："}
	msgSumInput     = msg{"input:", "输入："}
	msgSumInputLine = msg{"%s (sha256 %s…), %s", "%s（sha256 %s…），%s"}
	msgSumRequests  = msg{"%s submits, %s queries in %s (%.1f requests/s)", "提交 %s 次，查询 %s 次，用时 %s（每秒 %.1f 个请求）"}
	msgSumRows      = msg{"rows:", "行："}
	msgSumCmd       = msg{"%s:", "%s："}
	msgSumNone      = msg{"none", "无"}
	msgSumSpend     = msg{"spend:", "支出："}
	msgSumSpendLine = msg{"%s yuan (success), %s yuan still charging, %s yuan refunded", "%s 元（成功），%s 元仍在充值，%s 元已退"}
	msgSumAbsent    = msg{"absent:", "不在输入中："}
	msgSumAbsentL   = msg{"%s journaled earlier, not in this input", "%s 早先已记入日志，不在本次输入中"}
	msgSumHead      = msg{"head:", "日志头："}
	msgSumHeadLine  = msg{"%s (%s records)", "%s（%s 条记录）"}

	msgWbInputRows   = msg{"input rows", "输入行数"}
	msgWbControl     = msg{"control total", "控制总数"}
	msgWbOK          = msg{"OK", "一致"}
	msgWbMismatch    = msg{"MISMATCH", "不一致"}
	msgWbSpend       = msg{"spend (yuan)", "支出（元）"}
	msgWbCharging    = msg{"charging (yuan)", "充值中（元）"}
	msgWbRefunded    = msg{"refunded (yuan)", "已退（元）"}
	msgWbNotInInput  = msg{"not in input", "不在输入中"}
	msgWbTheirSpend  = msg{"their spend (yuan)", "其支出（元）"}
	msgWbOpenRows    = msg{"open rows", "未完成行"}
	msgWbExceptions  = msg{"exceptions", "异常"}
	msgWbBatch       = msg{"batch", "批次"}
	msgWbRetryRows   = msg{"(%d rows to retry)", "（%d 行待重试）"}
	msgProblemsNone  = msg{"\nproblems: none\n", "\n问题：无\n"}
	msgProblemsCount = msg{"\nproblems: %d\n", "\n问题：%d 个\n"}
	msgProblemsMore  = msg{"  … and %d more\n", "  …… 另有 %d 个\n"}
	msgProblemRow    = msg{"  row %d: %s\n", "  第 %d 行：%s\n"}
)

// progress.go: the progress line and bar.
var (
	msgPhaseSubmit = msg{"submit", "提交"}
	msgPhaseSettle = msg{"settle", "查询结果"}
	msgProgSubmit  = msg{"rows %s/%s sent", "已发送 %s/%s 行"}
	msgProgSettle  = msg{"orders %s/%s final", "已定 %s/%s 个订单"}
	msgProgTally   = msg{"success %s · failed %s · spent %s yuan", "成功 %s · 失败 %s · 已花 %s 元"}
	msgProgRate    = msg{"%.1f/s", "每秒 %.1f"}
	msgProgETA     = msg{"eta %s", "预计还需 %s"}
	msgProgThrot   = msg{"throttled %s", "被限流 %s 次"}
)

// cmd_check.go: the report (for people: no script reads it) and the verdict.
var (
	msgCheckTry       = msg{"Try: flowbatch check -in FILE", "试试：flowbatch check -in 文件"}
	msgCheckInTry     = msg{"Try: flowbatch check -in samples/gift-utf8.csv", "试试：flowbatch check -in samples/gift-utf8.csv"}
	msgCheckPricesBad = msg{"check: -prices %q: use auto, sim, provider or none", "check：-prices %q：请用 auto、sim、provider 或 none"}

	msgCheckFile       = msg{"file:     %s\n", "文件：    %s\n"}
	msgCheckSheet      = msg{"format:   %s, sheet %q\n", "格式：    %s，工作表 %q\n"}
	msgCheckEncoding   = msg{"format:   %s, encoding %s\n", "格式：    %s，编码 %s\n"}
	msgCheckSHA        = msg{"sha256:   %s\n", "sha256：  %s\n"}
	msgCheckRows       = msg{"rows:     %d (%d to submit, %d invalid, %d duplicate)\n", "行数：    %d（待提交 %d，无效 %d，重复 %d）\n"}
	msgCheckCarried    = msg{"carried:  %s\n", "附带列：  %s\n"}
	msgListSep         = msg{", ", "、"}
	msgCheckSent       = msg{"journal:  %s: %d of the rows were sent already; %d left to send\n", "日志：    %s：其中 %d 行已发送；还剩 %d 行待发送\n"}
	msgCheckHeader     = msg{"header:   row %d%s\n", "表头：    第 %d 行%s\n"}
	msgCheckAbove      = msg{" (the rows above it are not data)", "（其上方的行不是数据）"}
	msgCheckBlank      = msg{"skipped:  %s inside the list\n", "跳过：    名单中的 %s\n"}
	msgCheckHiddenSkip = msg{"skipped:  %s (-hidden-rows skip)\n", "跳过：    %s（-hidden-rows skip）\n"}
	msgCheckFooters    = msg{"footers:  not data, never submitted:\n", "表尾：    不是数据，绝不提交：\n"}
	msgCheckMoreRows   = msg{"  … and %d more\n", "  …… 另有 %d 行\n"}
	msgCheckTrailing   = msg{"  %s at the end\n", "  末尾有 %s\n"}
	msgCheckTotal      = msg{"total:    row %d states %d rows: matches the %d read\n", "合计：    第 %d 行写明 %d 行：与读到的 %d 行一致\n"}
	msgCheckHidden     = msg{"hidden:   %s hidden or filtered out, not what the user sees:", "隐藏：    %s被隐藏或被筛选掉，与屏幕上看到的不同："}
	msgCheckMoreInline = msg{" … and %d more", " …… 另有 %d 行"}

	msgCheckByCarrier  = msg{"\nto submit by carrier:\n", "\n待提交行数（按运营商）：\n"}
	msgCheckByPid      = msg{"\nto submit by pid (prices: %s):\n", "\n待提交行数（按 pid；价格：%s）：\n"}
	msgPricesNone      = msg{"none", "无"}
	msgPricesSim       = msg{"simulator catalogue — not the provider's", "模拟器的产品目录，不是服务商的"}
	msgPricesProvider  = msg{"provider (flow/list)", "服务商（flow/list）"}
	msgNoPricesCreds   = msg{"no prices: JUHE_KEY and JUHE_OPENID are not both set", "没有价格：JUHE_KEY 和 JUHE_OPENID 未全部设置"}
	msgNoPrices        = msg{"no prices: %s", "没有价格：%s"}
	msgPriceUnknown    = msg{"price unknown", "价格未知"}
	msgPidOtherCarrier = msg{"pid %s is a %s product, but %d rows to submit are %s numbers", "pid %s 是%s的产品，但有 %d 个待提交的行是%s号码"}
	msgCheckWarning    = msg{"  warning: %s\n", "  警告：%s\n"}
	msgCostUnknown     = msg{"estimated cost: unknown\n", "估算费用：未知\n"}
	msgCostPartial     = msg{"estimated cost: %s yuan, plus rows of pid %s (price unknown)\n", "估算费用：%s 元，另有 pid %s 的行（价格未知）\n"}
	msgCost            = msg{"estimated cost: %s yuan\n", "估算费用：%s 元\n"}
	msgCatNotIn        = msg{"row %d: pid %s is not in the catalogue: the provider will reject it (no charge)", "第 %d 行：pid %s 不在产品目录中：服务商会拒绝它（不扣费）"}
	msgCatOtherCarrier = msg{
		"row %d: %s is a %s number by its prefix, pid %s is a %s product: the provider will reject it (no charge), unless the number was ported to %s",
		"第 %d 行：按号段 %s 是%s号码，pid %s 是%s的产品：服务商会拒绝它（不扣费），除非该号码已携号转网到%s",
	}
	msgCatRejects = msg{"\nrows the provider will reject by its catalogue: %d\n", "\n按产品目录，服务商会拒绝的行：%d\n"}

	msgCheckBalance     = msg{"balance:  %s yuan (account %s); estimate for the %s to send %s yuan", "余额：    %s 元（账户 %s）；待发送的 %s估算 %s 元"}
	msgNotGiven         = msg{"not given", "未提供"}
	msgPlusUnknown      = msg{", plus rows of pid %s (price unknown)", "，另有 pid %s 的行（价格未知）"}
	msgBalanceShortBy   = msg{"\n  warning: the estimate exceeds the balance by %s yuan", "\n  警告：估算超过余额 %s 元"}
	msgBalanceNotRead   = msg{"balance:  not read (%s)", "余额：    未读到（%s）"}
	msgCheckCreds       = msg{"credentials: %s\n", "凭据：    %s\n"}
	msgCredsNotSet      = msg{"key and OpenID not verified: JUHE_KEY and JUHE_OPENID are not both set, and submit and run refuse to start without them", "KEY 和 OpenID 未核实：JUHE_KEY 和 JUHE_OPENID 未全部设置，缺少它们时 submit 和 run 不会开始"}
	msgCredsNotVerified = msg{"key and OpenID not verified: %v", "KEY 和 OpenID 未核实：%v"}

	msgCheckWouldRefuse  = msg{"check: submit would refuse this file: %s", "check：submit 会拒绝这个文件：%s"}
	msgCheckShortAllowed = msg{"check: with -allow-short-balance, submit would send until the provider's 210505 (balance insufficient) stops it: %s", "check：加了 -allow-short-balance，submit 会一直发送，直到服务商返回 210505（余额不足）为止：%s"}
	msgTopUpTry          = msg{"Try: top up the account first", "试试：先给账户充值"}

	msgCheckNothing     = msg{"\nnothing to submit.\n", "\n没有要提交的。\n"}
	msgCheckWouldSend   = msg{"submit would send %d orders", "submit 将发送 %d 个订单"}
	msgCheckWouldReject = msg{"; the provider will reject %d of them unless the numbers were ported (rows above)", "；除非号码已携号转网，服务商会拒绝其中 %d 个（见上面列出的行）"}
	msgCheckOK          = msg{"\nok: %s; key and OpenID verified.\n", "\nok: %s；KEY 和 OpenID 已核实。\n"}
	msgCheckVerdict     = msg{"\n%s; %s.\n", "\n%s；%s。\n"}
)

// cmd_status.go: the text form (-json is the script's).
var (
	msgStBatch     = msg{"batch", "批次"}
	msgStPeriod    = msg{"period", "周期"}
	msgStInput     = msg{"input", "输入"}
	msgStInputLine = msg{"%s (sha256 %s)", "%s（sha256 %s）"}
	msgStNoInput   = msg{"none planned yet", "尚未规划"}
	msgStRows      = msg{"rows", "行数"}
	msgStSpend     = msg{"spend", "支出"}
	msgStCharging  = msg{"charging", "充值中"}
	msgStRefunded  = msg{"refunded", "已退"}
	msgStYuan      = msg{"%s yuan", "%s 元"}
	msgStOpen      = msg{"open rows", "未完成行"}
	msgStOrphans   = msg{"orphans", "不在输入中"}
	msgStRecords   = msg{"records", "记录数"}
	msgStHead      = msg{"head", "日志头"}
	msgStHeldBy    = msg{"held by", "占用者"}
	msgStHeldErr   = msg{"unknown (%v)", "未知（%v）"}
	msgStHeldPid   = msg{"process %d (running)", "进程 %d（运行中）"}
	msgStHeldOther = msg{"another process (running)", "另一进程（运行中）"}
	msgStHeldNone  = msg{"nobody (stopped)", "无人（已停止）"}
	msgStRequired  = msg{"Try: flowbatch status -journal BATCH.journal", "试试：flowbatch status -journal 批次.journal"}
	msgStatusTry   = msg{"Try: flowbatch status -journal PATH", "试试：flowbatch status -journal 路径"}

	msgStWorkspace    = msg{"workspace", "工作区"}
	msgStWsUnknown    = msg{"unknown (%v)", "未知（%v）"}
	msgStWsNone       = msg{"%s (does not exist: this journal is not in it)", "%s（不存在：这个日志不在其中）"}
	msgStWsUnread     = msg{"%s (cannot be read: %v)", "%s（无法读取：%v）"}
	msgStWsRegistered = msg{"registered", "已登记"}
	msgStWsInDir      = msg{"in the workspace folder", "在工作区文件夹里"}
	msgStWsIn         = msg{"%s (%s, period %s, %s)", "%s（%s，周期 %s，另有 %s）"}
	msgStWsNotIn      = msg{
		"%s (this journal is not in it: the guard does not see it; Try: -workspace DIR, or resume it once to register it)",
		"%s（这个日志不在其中：守卫看不到它；试试：-workspace 目录，或续跑它一次以登记）",
	}
)

// spendcap.go: the spending cap.
var (
	msgCapBad         = msg{"%s: %v", "%s：%v"}
	msgCapBadTry      = msg{"Try: %s 150 or %s 150.5 (yuan, at most three decimals)", "试试：%s 150 或 %s 150.5（元，最多三位小数）"}
	msgCapNotAbove0   = msg{"%s: %s %s: want an amount above 0 yuan", "%s：%s %s：金额须大于 0 元"}
	msgCapFromFlag    = msg{"from %s", "来自 %s"}
	msgCapJournaled   = msg{"journaled", "已记入日志"}
	msgCapLine        = msg{"spending cap %s yuan (%s); committed %s yuan; estimate for the %s to send %s yuan", "支出上限 %s 元（%s）；已承诺 %s 元；待发送的 %s估算 %s 元"}
	msgCapHalts       = msg{"the rows to send, %s yuan at the catalogue prices, with %s yuan committed, exceed the spending cap of %s yuan: %d of the %s fit, then the batch halts at the cap", "待发送的行按目录价 %s 元，加上已承诺的 %s 元，超过支出上限 %s 元：%d 行（共 %s）放得下，然后批次在上限处停止"}
	msgCapWarn        = msg{"\n  warning: %s", "\n  警告：%s"}
	msgCapNoCatalog   = msg{"the spending cap needs the catalogue's prices, and the catalogue did not answer (%s); nothing was sent", "支出上限需要目录价，而目录没有应答（%s）；什么都没有发送"}
	msgCapNoCatTry    = msg{"Try: the same command again when the provider's flow/list answers", "试试：等服务商的 flow/list 应答后再运行同一命令"}
	msgCapUnpriced    = msg{"under the spending cap every pid needs a price, and the catalogue has none for %s; nothing was sent", "在支出上限下每个 pid 都需要价格，而目录里没有 %s的价格；什么都没有发送"}
	msgCapUnpricedTry = msg{"Try: correct the pid of those rows (flowbatch check lists the catalogue's), or take them out of the file", "试试：改正这些行的 pid（flowbatch check 会列出目录），或把它们移出文件"}
	msgCapPidRows     = msg{"pid %s (%s %s%s)", "pid %s（%s %s%s）"}
	msgCapRowWord     = msg{"row", "行"}
	msgCapRowsWord    = msg{"rows", "行"}
	msgCapMore        = msg{" … and %d more", " …… 另有 %d 行"}
	msgCapSet         = msg{"spending cap set: %s yuan", "支出上限已设定：%s 元"}
	msgCapRaised      = msg{"spending cap raised: %s yuan, was %s yuan (journaled)", "支出上限已提高：%s 元，原为 %s 元（已记入日志）"}
	msgCapEnvNoRaise  = msg{"%s=%s would raise the journal's spending cap of %s yuan: raising takes -max-spend; the cap stays", "%s=%s 会提高日志中的支出上限 %s 元：提高上限须用 -max-spend；上限不变"}
	msgCapLowered     = msg{"spending cap lowered: %s yuan, was %s yuan (journaled)", "支出上限已降低：%s 元，原为 %s 元（已记入日志）"}
	msgCapHalted      = msg{
		"%s: halted: the spending cap of %s yuan is reached: %s yuan committed (the confirmed cost of every order, and the price of every one in flight or unknown), and the next request, at %s yuan, does not fit at row %s: %s not sent yet (%s yuan at the catalogue prices); raise the cap with -max-spend (-max-spend %s covers them all), then run the same command again",
		"%s：已停止：已达到支出上限 %s 元：已承诺 %s 元（每个订单已确认的费用，加上每个在途或未知订单的价格），下一个请求（%s 元）放不下，在第 %s 行：还有 %s 未发送（按目录价 %s 元）；用 -max-spend 提高上限（-max-spend %s 可覆盖全部），然后再次运行同一命令",
	}
	msgCapHaltTry    = msg{"Try: flowbatch %s", "试试：flowbatch %s"}
	msgCapWouldHalt  = msg{"check: submit and run would halt at the spending cap: %s", "check：submit 和 run 将在支出上限处停止：%s"}
	msgCapWouldTry   = msg{"Try: -max-spend %s to send them all, or fewer rows", "试试：-max-spend %s 以发送全部，或减少行数"}
	msgCapPricedWith = msg{"  note: priced with the %s: run uses the provider's\n", "  注意：按 %s 计价：run 用服务商的目录\n"}
	msgStCap         = msg{"spending cap", "支出上限"}
	msgStCapNone     = msg{"none", "无"}
	msgStCapChanged  = msg{"%s yuan (%d changes after the start)", "%s 元（开始后修改 %d 次）"}
	msgStCommitted   = msg{"committed", "已承诺"}
	msgStCommittedIs = msg{"%s yuan (confirmed costs, and the price of every order in flight or unknown)", "%s 元（已确认的费用，加上每个在途或未知订单的价格）"}
	msgStCapLeft     = msg{"cap left", "上限余量"}
)

// batchguard.go: the period and where the journal is.
var (
	msgPeriodBad       = msg{"%s: -period: %v", "%s：-period：%v"}
	msgPeriodForm      = msg{"period %q: want a month as YYYY-MM, e.g. 2026-11", "周期 %q：须为 YYYY-MM 格式的月份，如 2026-11"}
	msgPeriodDamaged   = msg{"%s: journal %s declares period %q", "%s：日志 %s 声明的周期 %q 无效"}
	msgPeriodOther     = msg{"%s: -period %s: journal %s is batch %q for period %s", "%s：-period %s：日志 %s 是周期 %[5]s 的批次 %[4]q"}
	msgPeriodOtherTry  = msg{"Try: leave -period out to resume it, or start a new batch id for %s", "试试：不给 -period 以续跑它，或为 %s 换一个新的批次号"}
	msgLocalJournal    = msg{"%s: %s is in the current folder, and journals now live in the workspace %s", "%s：%s 在当前文件夹里，而日志现在放在工作区 %s"}
	msgLocalJournalTry = msg{"Try: -journal %s to resume that batch (it is registered in the workspace)", "试试：-journal %s 以续跑那个批次（它会登记到工作区）"}
)

// outpaths.go: a file written must not be one read.
var (
	msgOutExt       = msg{"%s: %s %s: the file written is %s, not %q", "%s：%s %s：写出的文件是 %s，不是 %q"}
	msgOutNoDir     = msg{"%s: %s %s: there is no directory %s", "%s：%s %s：没有文件夹 %s"}
	msgOutNoDirTry  = msg{"Try: mkdir -p %s, or another %s", "试试：mkdir -p %s，或换一个 %s"}
	msgOutIsDir     = msg{"%s: %s %s is a directory", "%s：%s %s 是文件夹"}
	msgOutIsRead    = msg{"%s: %s %s is the same file as %s %s: writing it would destroy it; nothing was written", "%s：%s %s 与 %s %s 是同一个文件：写它会毁掉它；什么都没有写"}
	msgWsJournal    = msg{"a journal of the workspace", "工作区的一个日志"}
	msgOtherNameTry = msg{"Try: another %s name", "试试：给 %s 换一个文件名"}
	msgCSVIsOut     = msg{"%s: -csv %s is the same file as -out %s", "%s：-csv %s 与 -out %s 是同一个文件"}
	msgRetryExt     = msg{"%s: -retry %s: the retry file is a .csv or .xlsx, not %q", "%s：-retry %s：重试文件须为 .csv 或 .xlsx，不是 %q"}
	msgRetryIsOther = msg{"%s: -retry %s is the same file as %s; nothing was written", "%s：-retry %s 与 %s 是同一个文件；什么都没有写"}
	msgOutIsList    = msg{"%s: %s %s is the input list of batch %s (%s, sha256 %s…): writing it would destroy it; nothing was written", "%s：%s %s 是批次 %s 的输入名单（%s，sha256 %s…）：写它会毁掉它；什么都没有写"}
)

// cmd_callback.go: the callback server.
var (
	msgCallbackRequired    = msg{"callback: -addr and -journal are required", "callback：缺少 -addr 和 -journal"}
	msgCallbackRequiredTry = msg{"Try: flowbatch callback -addr :8080 -journal batch.journal", "试试：flowbatch callback -addr :8080 -journal 批次.journal"}
	msgCallbackMaxBody     = msg{"callback: -max-body must be positive", "callback：-max-body 须大于 0"}
	msgCallbackNoKey       = msg{"callback: no key: set JUHE_KEY (it checks the callbacks' sign)", "callback：没有 KEY：请设置 JUHE_KEY（用它校验回调的签名）"}
	msgCannotListen        = msg{"%s: cannot listen", "%s：无法监听"}
	msgClosingSide         = msg{"callback: closing the side journal", "callback：关闭旁路日志时出错"}
)

// cmd_query.go and cmd_run.go: what is still open.
var (
	msgQueryRequiredTry    = msg{"Try: flowbatch query -journal ID.journal", "试试：flowbatch query -journal 批次号.journal"}
	msgOrphansOpen         = msg{"%s: %s no longer in the input may exist at the provider and are not final yet", "%s：不在输入中的 %s可能在服务商处存在，且尚未最终"}
	msgLaterTry            = msg{"Try: the same command again later", "试试：稍后再次运行同一命令"}
	msgRunOrphansOpen      = msg{"run: %s no longer in the input may exist at the provider and are not final yet; the workbook lists them", "run：不在输入中的 %s可能在服务商处存在，且尚未最终；工作簿列出了它们"}
	msgQueryJournalTry     = msg{"Try: flowbatch query -journal %s", "试试：flowbatch query -journal %s"}
	msgRunOpen             = msg{"run: %s not final yet (charging, unknown or not submitted); the workbook marks them", "run：%s尚未最终（充值中、未知或未提交）；工作簿已标出它们"}
	msgRunLaterTry         = msg{"Try: the same command again later: flowbatch run %s", "试试：稍后再次运行同一命令：flowbatch run %s"}
	msgRunOutTry           = msg{"Try: flowbatch run -in %s -batch %s -out %s.xlsx", "试试：flowbatch run -in %s -batch %s -out %s.xlsx"}
	msgRunWaitBad          = msg{"run: -wait %v: want a duration of zero or more", "run：-wait %v：须为 0 或更长的时长"}
	msgRunCallbackAddr     = msg{"run: -callback-addr", "run：-callback-addr"}
	msgRunServingCallbacks = msg{"flowbatch: serving callbacks on http://%s/ (the provider calls %s)\n", "flowbatch：在 http://%s/ 接收回调（服务商调用 %s）\n"}
	msgRunNeedsCburl       = msg{"run: -callback-addr %s needs -cburl, the public URL at which the provider reaches it", "run：-callback-addr %s 需要 -cburl，即服务商能访问到它的公网地址"}
)

// cmd_reconcile.go: the workbook from a journal.
var (
	msgReconcileTry     = msg{"Try: flowbatch reconcile -journal PATH -out FILE.xlsx", "试试：flowbatch reconcile -journal 路径 -out 文件.xlsx"}
	msgReconcileOutTry  = msg{"Try: flowbatch reconcile -journal %s -out reconciliation.xlsx", "试试：flowbatch reconcile -journal %s -out reconciliation.xlsx"}
	msgKeepColNoMask    = msg{"%s: -keep-col is for a masked copy; the unmasked workbook keeps every column", "%s：-keep-col 只用于脱敏副本；未脱敏的工作簿保留所有列"}
	msgKeepColTry       = msg{"Try: add -mask, or leave -keep-col out", "试试：加上 -mask，或去掉 -keep-col"}
	msgRetryMask        = msg{"reconcile: -retry with -mask: a retry file needs the real phones, and a masked copy has none", "reconcile：-retry 不能与 -mask 同用：重试文件需要真实手机号，而脱敏副本没有"}
	msgRetryMaskTry     = msg{"Try: write the retry file with the unmasked workbook (reconcile without -mask)", "试试：随未脱敏的工作簿写重试文件（reconcile 不加 -mask）"}
	msgMaskOverUnmasked = msg{"reconcile: -mask %s %s: the file there is not a masked copy (the unmasked one?); writing over it would lose it; nothing was written", "reconcile：-mask %s %s：那里的文件不是脱敏副本（是未脱敏的那份？）；覆盖它会丢失它；什么都没有写"}
	msgMaskedNoAttest   = msg{"masked copy: no attestation written; the audit record is the unmasked workbook and its attestation", "脱敏副本：不写存证；审计依据是未脱敏的工作簿及其存证"}
)

// cmd_serve.go: the console's command line.
var (
	msgServeTry            = msg{"Try: flowbatch serve -addr 127.0.0.1:8080", "试试：flowbatch serve -addr 127.0.0.1:8080"}
	msgServeMaxUpload      = msg{"serve: -max-upload %d: want 1 to 1024 MiB", "serve：-max-upload %d：须为 1 到 1024 MiB"}
	msgServeAddrBad        = msg{"serve: -addr %q: %v", "serve：-addr %q：%v"}
	msgServeAddrForm       = msg{"want HOST:PORT", "须为 主机:端口"}
	msgServeAddrTry        = msg{"Try: -addr 127.0.0.1:8080", "试试：-addr 127.0.0.1:8080"}
	msgServeAddr           = msg{"serve: -addr", "serve：-addr"}
	msgServeNotLoopback    = msg{"serve: -addr %s is not a loopback address: the console spends money, and its token would cross the network", "serve：-addr %s 不是本机回环地址：控制台会花钱，它的令牌会经过网络传输"}
	msgServeNotLoopbackTry = msg{"Try: -addr 127.0.0.1:%s, or -allow-remote with -tls-cert and -tls-key", "试试：-addr 127.0.0.1:%s，或 -allow-remote 并加上 -tls-cert 和 -tls-key"}
	msgServeRemoteTLS      = msg{"serve: -allow-remote needs -tls-cert and -tls-key: the token and the spending would otherwise cross the network in the clear", "serve：-allow-remote 需要 -tls-cert 和 -tls-key：否则令牌和付款操作会以明文经过网络"}
	msgServeBothTLS        = msg{"serve: give both -tls-cert and -tls-key", "serve：-tls-cert 和 -tls-key 须同时给出"}
	msgServeInterrupted    = msg{"serve: interrupted: %s stopped with every request in flight journaled; continue in the console, or run the same command again", "serve：已中断：%s已停止，每个在途请求都已记入日志；在控制台里继续，或再次运行同一命令"}
	msgServeStopped        = msg{"serve: stopped", "serve：已停止"}
	msgReuploadTry         = msg{"Try: upload the file again and confirm what it holds now", "试试：重新上传文件，并确认它现在的内容"}
)

// serve_*.go and console/: the console's words, by the key its templates
// ({{.T "key"}}, {{.Tf "key" …}}) and its code (word(l, key)) name;
// TestConsoleWordsComplete holds every key named to one here.
var consoleWords = map[string]msg{
	"brand":  {"data-gift console", "流量赠送控制台"},
	"footer": {"flowbatch · every order journaled, paid once", "flowbatch · 每一笔都记在日志里，只付一次"},
	"yuan":   {"yuan", "元"},

	"nav.start":    {"New batch", "新建批次"},
	"nav.batches":  {"Batches", "全部批次"},
	"nav.settings": {"Settings", "设置"},

	"step.check":   {"Upload and check", "上传并检查"},
	"step.confirm": {"Confirm", "确认"},
	"step.watch":   {"Watch", "执行"},
	"step.finish":  {"Finish", "完成"},

	"start.title":       {"New batch", "新建批次"},
	"start.h1":          {"Start a gifting batch", "新建一个赠送批次"},
	"start.lead":        {"Upload the list (CSV, Excel or LibreOffice). It is checked first; nothing is spent before you confirm.", "上传名单（CSV、Excel 或 LibreOffice 表格）。先检查，确认之前不会花一分钱。"},
	"start.drop":        {"Drop the file here, or click to choose it", "把文件拖到这里，或点击选择文件"},
	"start.max":         {"up to %d MB", "最大 %d MB"},
	"start.batch":       {"Batch name", "批次名称"},
	"start.batch.help":  {"letters, digits, - _ .; this month by default", "字母、数字、- _ .；默认是本月"},
	"start.period":      {"Month of the gift", "赠送月份"},
	"start.period.help": {"YYYY-MM; one gift per person per month", "YYYY-MM，每人每月只送一次"},
	"start.more":        {"More options", "更多选项"},
	"start.skip":        {"Skip invalid rows and send the rest (they are recorded, never charged)", "跳过无效行，其余照常发送（无效行记录在案，不扣费）"},
	"start.pid":         {"One product id for every row", "统一产品编码"},
	"start.pid.help":    {"for a list without a product column, e.g. 105000", "名单没有产品编码列时填写，例如 105000"},
	"start.sheet":       {"Sheet name", "工作表名称"},
	"start.submit":      {"Upload and check", "上传并检查"},
	"start.note":        {"The file is kept in this computer's workspace, readable only by you.", "文件保存在本机的工作区，只有你能读取。"},
	"start.badbatch":    {"The batch name cannot be used: %s", "批次名称不可用：%s"},
	"start.badperiod":   {"The month is not right: %s", "月份不对：%s"},
	"start.nofile":      {"Please choose a file.", "请选择一个文件。"},
	"start.badext":      {"This kind of file is not supported. Supported: %s", "不支持这种文件。支持：%s"},

	"check.title":      {"Check", "检查结果"},
	"check.h1":         {"What the check found", "检查结果"},
	"check.file":       {"File", "文件"},
	"check.batch":      {"Batch", "批次"},
	"check.period":     {"month", "月份"},
	"check.format":     {"Format", "格式"},
	"check.sheet":      {"sheet", "工作表"},
	"check.header":     {"Header", "表头"},
	"check.headerrow":  {"row %d", "第 %d 行"},
	"check.carried":    {"carried columns:", "附带列："},
	"check.rows":       {"Rows", "行数"},
	"check.rowcounts":  {"%d rows, %d to send, %d with problems", "共 %d 行，待发送 %d 行，有问题 %d 行"},
	"check.refused":    {"This file cannot be read; none of it is used", "这个文件无法读取，整个文件未被使用"},
	"check.problems":   {"Problems", "问题行"},
	"check.row":        {"Row", "行号"},
	"check.rowno":      {"row %d", "第 %d 行"},
	"check.reason":     {"Why", "原因"},
	"check.more":       {"The first %d of %d are listed.", "只列出前 %d 条，共 %d 条。"},
	"check.fixhint":    {"Fix these rows in the spreadsheet and upload again, or choose to skip invalid rows under More options.", "请在表格里改正这些行后重新上传；或在“更多选项”里选择跳过无效行。"},
	"check.noproblems": {"None.", "没有问题。"},
	"check.hidden":     {"%d rows are hidden or filtered out: the file is refused; unhide or delete them.", "有 %d 行是隐藏或被筛选掉的：文件被拒绝，请取消隐藏或删除这些行。"},
	"check.footers":    {"Rows below the list that are not data (never sent):", "表格下方不是数据的行（不会发送）："},
	"check.bypid":      {"By product", "按产品"},
	"check.pid":        {"Product id", "产品编码"},
	"check.product":    {"Product", "产品"},
	"check.count":      {"Rows", "行数"},
	"check.price":      {"Price", "单价"},
	"check.cost":       {"Subtotal", "小计"},
	"check.noprice":    {"not in the catalogue", "产品目录里没有这个编码"},
	"check.none":       {"None", "无"},
	"check.bycarrier":  {"By carrier", "按运营商"},
	"check.catalogue":  {"Rows the provider will reject by its catalogue (no charge)", "服务商会按目录拒绝的行（不扣费）"},
	"check.estimate":   {"Estimate", "预计花费"},
	"check.balance":    {"Balance", "账户余额"},
	"check.cap":        {"Budget cap (once confirmed)", "预算上限（确认后生效）"},
	"check.short":      {"The estimate exceeds the balance by %s yuan: please top up first.", "预计花费比余额多 %s 元：请先充值。"},
	"check.nobalance":  {"Balance not read:", "余额未读到："},
	"check.capnote":    {"The amount you confirm is this batch's hard cap: spending stops there, however often it is resumed.", "确认的金额就是这个批次的硬性上限：花费到此为止，无论重试多少次。"},
	"check.creds":      {"Key:", "密钥："},
	"check.verified":   {"key and OpenID verified", "KEY 和 OpenID 已通过验证"},
	"check.nocreds":    {"JUHE_KEY and JUHE_OPENID are not set (see Settings)", "没有设置 JUHE_KEY 和 JUHE_OPENID（在“设置”里填写）"},
	"check.guard":      {"Workspace guard (no second gift)", "工作区检查（防止重复赠送）"},
	"check.guardnew":   {"No other batch in the workspace yet: nothing to compare.", "工作区里还没有别的批次，无需比较。"},
	"check.ok":         {"%d orders can be sent, estimated at %s yuan.", "可以发送 %d 笔订单，预计 %s 元。"},
	"check.next":       {"Next: confirm", "下一步：确认"},
	"check.again":      {"Upload again", "重新上传"},
	"check.full":       {"The full output of check", "命令行 check 的完整输出"},
	"check.tobatch":    {"Open this batch", "打开这个批次"},

	"why.refused": {"The file is refused: fix it and upload again.", "文件被拒绝：请修正后重新上传。"},
	"why.exists":  {"This batch name has a journal already: continue it under Batches, or choose another name.", "这个批次名称已经有日志了：请在“全部批次”里继续它，或换一个名称。"},
	"why.nocreds": {"No provider key yet: enter it under Settings, or set the environment before starting.", "还没有服务商密钥：请在“设置”里填写，或在启动前设置环境变量。"},
	"why.check":   {"The check does not pass: a run would be refused. Fix what is listed above and upload again.", "检查不通过：这样发送会被拒绝。请按上面的提示修正后重新上传。"},
	"why.nothing": {"Nothing to send.", "没有可发送的行。"},
	"why.noprice": {"A product has no price, so no budget cap can be set: check the product ids.", "有产品没有价格，无法确定预算上限：请核对产品编码。"},

	"confirm.title":      {"Confirm", "确认"},
	"confirm.h1":         {"Confirm the batch", "确认发送"},
	"confirm.lead":       {"%[1]d orders from %[2]s will be sent, as batch %[3]s. Nothing is charged before you confirm.", "将按名单 %[2]s 发送 %[1]d 笔订单，批次 %[3]s。确认后才开始扣费。"},
	"confirm.rows":       {"Orders", "订单数"},
	"confirm.amount":     {"Amount", "金额"},
	"confirm.typeamount": {"Type the amount above (yuan)", "请输入上面的金额（元）"},
	"confirm.name":       {"Your name", "你的姓名"},
	"confirm.binds":      {"On confirming: this amount becomes the budget cap; your name and the computer's user are journaled; the file, the rows, the products and the guard's result are fixed now, and if any has changed when the batch starts it is refused.", "确认后：这个金额就是预算上限；你的姓名和电脑用户名记入日志；文件、行、产品和工作区检查的结果在此刻固定，开始时如有任何变化就拒绝执行。"},
	"confirm.go":         {"Confirm and start", "确认并开始"},
	"confirm.back":       {"Back to the check", "返回检查结果"},
	"confirm.cannot":     {"This batch cannot be confirmed now: go back to the check.", "这个批次现在不能确认：请返回检查结果。"},
	"confirm.changed":    {"Something changed since this page was shown; nothing started. See below, then confirm again.", "确认页打开之后情况有变化，未开始。请看下表，核对后重新确认。"},
	"confirm.badamount":  {"The amount typed is not the amount to confirm, %s yuan.", "输入的金额与要确认的金额 %s 元不一致。"},
	"confirm.noname":     {"Please type your name (at most 60 characters).", "请输入你的姓名（60 个字以内）。"},
	"confirm.what":       {"What", "项目"},
	"confirm.was":        {"When shown", "确认时"},
	"confirm.now":        {"Now", "现在"},

	"fact.sha256": {"File (sha256)", "文件 (sha256)"},
	"fact.rows":   {"Rows to send", "待发送的行"},
	"fact.pids":   {"Rows per product", "各产品行数"},
	"fact.guard":  {"The guard's result", "工作区检查结果"},

	"batch.title":         {"Batch", "批次"},
	"batch.h1":            {"Batch", "批次"},
	"batch.by":            {"confirmed by", "确认人"},
	"batch.bycli":         {"started from a terminal by", "在终端里启动，用户"},
	"batch.heldby":        {"held by process %d", "进程 %d 正在处理"},
	"batch.continue":      {"Continue", "继续"},
	"batch.continue.note": {"The same as running the same command again: the journal's settings and the stored file; nothing paid is paid again.", "与再次运行同一条命令相同：使用日志里记下的设置和保存的文件，已付的不会再付。"},
	"batch.cli":           {"The same batch from a terminal", "在终端里继续同一个批次"},
	"batch.log":           {"Run log", "运行记录"},

	"watch.done":    {"Rows done", "已完成"},
	"watch.sent":    {"Submitted", "已提交"},
	"watch.success": {"Success", "成功"},
	"watch.failed":  {"Failed", "失败"},
	"watch.spent":   {"Spent", "已支出"},
	"watch.cap":     {"Budget cap", "预算上限"},
	"watch.speed":   {"Rate", "速度"},
	"watch.rate":    {"%.0f rows/min", "%.0f 行/分"},
	"watch.eta":     {"ETA", "预计剩余"},
	"time.h":        {"%dh", "%d 小时"},
	"time.m":        {"%dm", "%d 分"},
	"time.s":        {"%ds", "%d 秒"},
	"watch.note":    {"Closing the browser does not stop the batch. To stop it, press Ctrl-C where flowbatch serve runs: requests in flight finish and are journaled.", "关闭浏览器不会停止批次。要停止，请在运行 flowbatch serve 的窗口按 Ctrl-C：正在进行的请求会完成并记入日志。"},

	"state.preparing": {"preparing", "准备中"},
	"state.running":   {"running", "进行中"},
	"state.halted":    {"halted", "已暂停"},
	"state.open":      {"open", "未完成"},
	"state.done":      {"done", "已完成"},
	"state.failed":    {"not started", "未开始"},
	"state.none":      {"none", "不存在"},

	"remedy.balance":     {"Balance insufficient: top up, then press Continue", "余额不足：请充值后点击继续"},
	"remedy.cap":         {"The confirmed budget cap is reached: to send more, raise -max-spend from a terminal and run the same command", "已达到确认的预算上限：如需多发，请在终端提高 -max-spend 后运行同一条命令"},
	"remedy.key":         {"The key or the OpenID is wrong: correct it under Settings, then press Continue", "密钥或 OpenID 不对：请在“设置”里改正后点击继续"},
	"remedy.maintenance": {"The provider is under maintenance: press Continue later", "服务商接口维护中：请稍后点击继续"},
	"remedy.throttled":   {"The provider limits the requests: press Continue later", "服务商限制了请求次数：请稍后点击继续"},
	"remedy.halt":        {"The provider said stop: do what the message below says, then press Continue", "服务商要求停止：请按下面的提示处理后点击继续"},
	"remedy.open":        {"Some orders are still charging: press Continue later to ask again", "还有订单在充值中：请稍后点击继续查询结果"},
	"remedy.locked":      {"Another program (another console or a command line) holds this batch: wait for it or stop it, then press Continue", "另一个程序（另一个控制台或命令行）正在处理这个批次：请等它结束或停止它，再点击继续"},
	"remedy.interrupted": {"Interrupted, with every request in flight journaled: press Continue", "已中断，进行中的请求都已记入日志：点击继续"},
	"remedy.invalid":     {"The checks before the start refused this batch; nothing was spent: see the message below", "开始前的检查拒绝了这个批次，未花费：请看下面的说明"},
	"remedy.damaged":     {"The journal is damaged: do not continue; keep the files and ask for help", "日志已损坏：请不要继续，保留文件并联系管理员"},
	"remedy.error":       {"An unexpected error; nothing recorded is lost: see the message below, then press Continue", "出现意外错误，已记录的都不会丢失：请看下面的说明，然后点击继续"},

	"finish.h2":        {"Result", "结果"},
	"finish.sofar":     {"So far", "到目前为止"},
	"finish.bystate":   {"Rows by state", "各状态行数"},
	"finish.bypid":     {"Spend by product (yuan)", "按产品支出（元）"},
	"finish.bycarrier": {"Spend by carrier (yuan)", "按运营商支出（元）"},
	"finish.files":     {"Downloads", "下载"},

	"fig.headline": {"%d succeeded · spent %s yuan · failed %d (refunded %s) · open %d · control total %s", "%d 人成功 · 支出 %s 元 · 失败 %d (已退 %s) · 待处理 %d · 勾稽 %s"},
	"fig.tied":     {"ties out", "一致"},
	"fig.mismatch": {"MISMATCH", "不一致"},

	// The seven states are named by the workbook (reconcile.StateName),
	// as on the terminal.

	"file.workbook":      {"Reconciliation workbook", "对账工作簿"},
	"file.workbook.note": {"the full reconciliation, for the records", "完整的对账表，留档用"},
	"file.masked":        {"Masked copy", "脱敏副本"},
	"file.masked.note":   {"phones masked, safe to circulate", "手机号打码，可以对外发送"},
	"file.retry":         {"Retry file", "重发名单"},
	"file.retry.note":    {"rows that ended uncharged, to upload as a new batch", "未扣费的行，可作为新批次上传"},
	"file.attest":        {"Attestation", "证明文件"},
	"file.attest.note":   {"the journal's checkpoint, for the audit", "日志的检查点，供审计核对"},

	"batches.title": {"Batches", "全部批次"},
	"batches.h1":    {"Every batch of the workspace", "工作区里的全部批次"},
	"batches.batch": {"Batch", "批次"},
	"batches.state": {"State", "状态"},
	"batches.none":  {"No batch yet.", "还没有批次。"},

	"settings.title":     {"Settings", "设置"},
	"settings.h1":        {"Provider key", "服务商密钥"},
	"settings.lead":      {"The 聚合数据 KEY and OpenID (from 个人中心). Kept in a file on this computer that only you can read; never shown on a page again.", "聚合数据的 KEY 和 OpenID（在个人中心里）。保存在本机、只有你能读取的文件里，不会再显示在页面上。"},
	"settings.from.env":  {"set (from the environment, which wins)", "已设置（来自环境变量，优先使用）"},
	"settings.from.file": {"set (saved on this computer)", "已设置（保存在本机）"},
	"settings.from.":     {"not set", "未设置"},
	"settings.key":       {"New KEY (blank keeps it)", "新的 KEY（留空则不变）"},
	"settings.openid":    {"New OpenID (blank keeps it)", "新的 OpenID（留空则不变）"},
	"settings.where":     {"Saved in: %s", "保存位置：%s"},
	"settings.save":      {"Save", "保存"},
	"settings.saved":     {"Saved.", "已保存。"},
	"settings.nosave":    {"The settings could not be saved: %s", "设置无法保存：%s"},

	"err.noplan":      {"No such upload", "找不到这次上传"},
	"err.noplan.try":  {"After the console restarts, upload the file again.", "控制台重启后需要重新上传文件。"},
	"err.nobatch":     {"No such batch", "没有这个批次"},
	"err.nobatch.try": {"Batches lists every batch of the workspace.", "在“全部批次”里可以看到工作区的每个批次。"},
	"err.continue":    {"Cannot continue", "无法继续"},
	"err.notthefile":  {"That is not this batch's file: it takes %s (sha256 %s…), the very same file, to continue.", "这不是这个批次的文件：需要 %s（sha256 %s…），同一个文件才能继续。"},
	"batch.needfile":  {"This batch was started from a terminal, and the console has no copy of its file. Upload the same file, %s (sha256 %s…), to continue:", "这个批次是在终端里开始的，控制台没有它的文件。请上传同一个文件 %s（sha256 %s…）以继续："},
	"batch.sendfile":  {"Upload the file", "上传文件"},
	"err.noupload":    {"This batch's file %s (sha256 %s…) is not among the console's uploads: continue it from a terminal with the same command.", "这个批次的文件 %s（sha256 %s…）不在控制台的上传目录里：请在终端里用同一条命令继续。"},

	// What a page or a plain answer says when a request cannot be done.
	"err.store":    {"The file could not be stored in the workspace: %s", "文件无法保存到工作区：%s"},
	"err.running":  {"This batch is running in this console already.", "这个批次已经在这个控制台里运行。"},
	"err.start":    {"The batch could not start: %s", "批次无法开始：%s"},
	"err.render":   {"The page could not be shown: %s", "页面无法显示：%s"},
	"err.stream":   {"This connection cannot carry live progress; reload the page.", "这个连接无法实时显示进度：请刷新页面。"},
	"err.toolarge": {"The file is larger than %d MiB, the most this console takes (flowbatch serve -max-upload).", "文件超过 %d MiB，超出控制台能接收的大小（flowbatch serve -max-upload）。"},
	"err.form":     {"The form could not be read: %s", "无法读取表单：%s"},
	"err.journal":  {"The journal could not be read: %s", "无法读取日志：%s"},
}

// word is the console's text for key in lang ("zh" or "en"); a key not
// in consoleWords is shown as itself.
func word(l, key string) string {
	m, ok := consoleWords[key]
	if !ok {
		return key
	}
	return m.in(lang(l))
}

// wordf is word with its fmt verbs filled; an argument that is an error
// or a localized thing is said in lang, as on the terminal.
func wordf(l, key string, a ...any) string {
	return fmt.Sprintf(word(l, key), localize(lang(l), a)...)
}

// serve_bind.go: a start whose confirmed facts changed (the run's
// refusal, on the terminal and on the batch's page).
var (
	msgConfirmedChanged  = msg{"%s: what was confirmed changed before the batch started: %s; nothing was sent", "%s：确认的内容在批次开始前变了：%s；什么都没有发送"}
	msgFactChanged       = msg{"%s was %s, now %s", "%s 确认时是 %s，现在是 %s"}
	msgFactSep           = msg{"; ", "；"}
	msgGuardFoundNothing = msg{"passed, nothing found", "通过，没有发现问题"}
)

// cmd_demo.go: the demo.
var (
	msgDemoSim      = msg{"simulator: %s (seed %d; latency 20–250 ms, 10014/dropped answers/HTML 502 now and then, 10%% of orders fail)\n", "模拟器：%s（种子 %d；延迟 20–250 毫秒，不时出现 10014、丢失的应答和 HTML 502，10%% 的订单失败）\n"}
	msgDemoRunning  = msg{"running: flowbatch run %s\n\n", "运行：flowbatch run %s\n\n"}
	msgDemoLedger   = msg{"\nsimulator ledger: %d orders charged, %d succeeded, spend %s yuan, refunded %s yuan, balance %s yuan\n", "\n模拟器账本：扣款订单 %d 个，成功 %d 个，支出 %s 元，已退 %s 元，余额 %s 元\n"}
	msgDemoWorkbook = msg{"workbook: %s\n", "工作簿：%s\n"}
)

// cmd_sim.go: the simulator's command line.
var (
	msgSimNoKey          = msg{"sim: no key or OpenID: set JUHE_KEY and JUHE_OPENID, or pass -key and -openid", "sim：没有 KEY 或 OpenID：请设置 JUHE_KEY 和 JUHE_OPENID，或给出 -key 和 -openid"}
	msgSimNoKeyTry       = msg{"Try: flowbatch sim -key demo-key -openid demo-openid", "试试：flowbatch sim -key demo-key -openid demo-openid"}
	msgSimProbability    = msg{"sim: %s %v: want a probability from 0 to 1", "sim：%s %v：须为 0 到 1 之间的概率"}
	msgSimNegative       = msg{"sim: %s %v is negative", "sim：%s %v 不能是负数"}
	msgSimPositive       = msg{"sim: %s %v: want a positive duration", "sim：%s %v：须为大于 0 的时长"}
	msgSimLatency        = msg{"sim: -latency-min %v and -latency-max %v: want 0 ≤ min ≤ max", "sim：-latency-min %v 和 -latency-max %v：须满足 0 ≤ min ≤ max"}
	msgSimCallbackMethod = msg{"sim: -callback-method %q: want GET or POST", "sim：-callback-method %q：须为 GET 或 POST"}
	msgSimShapeList      = msg{"sim: -shape-list %q: want data, list or bare", "sim：-shape-list %q：须为 data、list 或 bare"}
	msgSimPorted         = msg{"sim: -ported %q: want PHONE=CARRIER, the carrier 移动, 联通 or 电信", "sim：-ported %q：须为 手机号=运营商，运营商为移动、联通或电信"}
	msgSimCannotStart    = msg{"sim: cannot start", "sim：无法启动"}
	msgSimStarted        = msg{"flowbatch sim: balance %s yuan, settle after %v at %.0f%% success, seed %d; ledger at %s/_sim/ledger\n", "flowbatch sim：余额 %s 元，%v 后结算，成功率 %.0f%%，种子 %d；账本见 %s/_sim/ledger\n"}
	msgSimShuttingDown   = msg{"flowbatch sim: shutting down\n", "flowbatch sim：正在关闭\n"}
)

// cmd_verify.go: verify's refusals (-json and the "ok:" lines are the script's).
var (
	msgVerifyTry            = msg{"Try: flowbatch verify -journal PATH", "试试：flowbatch verify -journal 路径"}
	msgVerifyRequiredTry    = msg{"Try: flowbatch verify -journal BATCH.journal", "试试：flowbatch verify -journal 批次.journal"}
	msgVerifyHeadRecords    = msg{"verify: -head and -records go together", "verify：-head 和 -records 须一起给出"}
	msgVerifyHeadRecordsTry = msg{"Try: flowbatch verify -journal %s -head HEX -records N (both from the Summary)", "试试：flowbatch verify -journal %s -head 哈希 -records N（两者都在汇总表上）"}
	msgVerifyHeadBad        = msg{"verify: -head %q: want the 64 hex digits of the head hash", "verify：-head %q：须为日志头哈希的 64 位十六进制数"}
	msgVerifyRecordsBad     = msg{"verify: -records %d: want 1 or more", "verify：-records %d：须为 1 或更大"}
	msgVerifyAttestHashBad  = msg{"verify: -attest-hash %q: want the 64 hex digits of the attestation's sha256", "verify：-attest-hash %q：须为存证文件 sha256 的 64 位十六进制数"}
	msgVerifyNoAttest       = msg{"verify: no attestation at %s", "verify：%s 处没有存证文件"}
	msgVerifyAttestMissing  = msg{"verify: FAILED: the attestation %s whose sha256 was given is missing", "verify：校验失败：给出了 sha256 的存证文件 %s 不见了"}
	msgVerifyAttestOther    = msg{"verify: FAILED: attestation %s has sha256 %s, not the attested %s: it is not the file whose hash was printed", "verify：校验失败：存证文件 %s 的 sha256 是 %s，不是证明过的 %s：它不是当初打印出哈希的那个文件"}
	msgVerifyAttestBatch    = msg{"verify: attestation %s is for batch %q, journal %s is batch %q", "verify：存证文件 %s 属于批次 %q，而日志 %s 属于批次 %q"}
)

// cmd_workspace.go: list and forget.
var (
	msgWorkspaceTry      = msg{"Try: flowbatch workspace list", "试试：flowbatch workspace list"}
	msgWorkspaceWhich    = msg{"workspace: list or forget?", "workspace：list 还是 forget？"}
	msgForgetRequired    = msg{"workspace forget: -journal and -why are required", "workspace forget：缺少 -journal 和 -why"}
	msgWsListNone        = msg{"workspace %s: none yet (no batch has started in it)\n", "工作区 %s：还没有日志（还没有批次在这里开始）\n"}
	msgWsListHead        = msg{"workspace %s: %s\n", "工作区 %s：%s\n"}
	msgWsListColumns     = msg{"state\tbatch\tperiod\tsent\tplanned\tby\tjournal", "状态\t批次\t周期\t已发送\t计划\t操作人\t日志"}
	msgForgot            = msg{"forgot %s journal %s of batch %q (%d records, head %.12s), by %s: %s\n", "已忘记 %s 的日志 %s，批次 %q（%d 条记录，日志头 %.12s），决定人 %s：%s\n"}
	msgForgetRequiredTry = msg{"Try: flowbatch workspace forget -journal PATH -why \"the laptop was lost\"", "试试：flowbatch workspace forget -journal 路径 -why \"笔记本电脑丢了\""}
)

// cmd_month.go: the month's workbook.
var (
	msgMonthFailed      = msg{"month: %d journal(s) FAILED verification; the workbook lists them on its Summary: keep the files, do not append, investigate", "month：%d 个日志校验失败；工作簿的汇总表列出了它们：请保留文件，不要追加，并调查原因"}
	msgMonthFailedLine  = msg{"FAILED: %s (batch %s): %s", "校验失败：%s（批次 %s）：%s"}
	msgMonthMasked      = msg{"masked copy: the audit record is the unmasked month workbook and the batches' attestations", "脱敏副本：审计依据是未脱敏的月度工作簿和各批次的存证文件"}
	msgMonthAgrees      = msg{"provider statement %s: agrees", "服务商对账单 %s：一致"}
	msgMonthDisagrees   = msg{"provider statement %s: DISAGREES: see the Provider sheet", "服务商对账单 %s：不一致，见“供应商对账”表"}
	msgMonthNoMatch     = msg{"provider statement: %s", "服务商对账单：%s"}
	msgMonthNoStatement = "no whole statement of %s beside any journal of the workspace (run, or reconcile -provider, pulls one)"
	msgMonthMonth       = msg{"month", "月份"}
	msgMonthBatches     = msg{"batches", "批次数"}
	msgMonthRows        = msg{"rows", "行数"}
	msgMonthPeople      = msg{"people", "人数"}
	msgMonthLate        = msg{"late refunds", "跨月退款"}
	msgMonthRepeats     = msg{"repeats", "重复赠送"}
	msgMonthRepeatsN    = msg{"%d (%d not intended)", "%d（%d 非有意）"}
	msgMonthFailedN     = msg{"failed journals", "校验失败的日志"}

	msgMonthTry           = msg{"Try: flowbatch month -month 2026-11 -out 2026-11.audit.xlsx", "试试：flowbatch month -month 2026-11 -out 2026-11.audit.xlsx"}
	msgMonthOutTry        = msg{"Try: flowbatch month -month %s -out %s.audit.xlsx", "试试：flowbatch month -month %s -out %s.audit.xlsx"}
	msgMonthBad           = msg{"month: -month: %v", "month：-month：%v"}
	msgMonthWorkspace     = msg{"month: workspace %s: %v", "month：工作区 %s：%v"}
	msgMonthWorkspaceTry  = msg{"Try: -workspace DIR, the folder that holds the month's journals", "试试：-workspace 目录，即存放本月日志的文件夹"}
	msgMonthWorkspaceErr  = msg{"month: workspace %s", "month：读取工作区 %s 时出错"}
	msgMonthStatementBad  = msg{"month: -statement %s: %v", "month：-statement %s：%v"}
	msgMonthStatementNone = msg{"month: -statement %s holds no whole pull of %s", "month：-statement %s 里没有 %s 的完整对账单"}
)

// usageZh is each command's -h text in Chinese, by the flag set's
// name; the English is the command's own Usage constant.
var usageZh = map[string]string{
	"check": `用法：flowbatch check -in 文件 [-batch 批次号] [参数]

读取并校验整个输入文件，列出每个问题及其行号、每个产品和每个运营商的行数，
以及估算费用。它什么都不提交，什么都不写。加上与 submit 或 run 相同的参数时，
它按同样的规则、用同样的话说出它们将会怎样：

  3  输入会被拒绝（有无效行或重复行）、本批次的日志记录的是另一个文件，
     工作区守卫拒绝本批次，或在支出上限下某个 pid 没有价格；
  4  KEY 或 OpenID 错误（用 OpenID 签名的余额接口这样说），或估算超过余额，
     或行放不进支出上限（-max-spend 或日志里的），或在上限下目录没有应答；
  0  submit 会照常进行。无法核实的（余额接口不对该 KEY 开放时的 OpenID，
     余额接口不应答时的余额）会点名说出，绝不当作"正常"。

`,
	"submit": `用法：flowbatch submit -in 文件 -batch 批次号 [参数]

把输入文件的每个有效行恰好提交一次，每个请求发出前先写入日志。任何中断之后，
再次运行同一命令即可继续：已有结果的行跳过，结果丢失的行先查询，未开始的行提交。

KEY 和 OpenID 取自 JUHE_KEY 和 JUHE_OPENID，服务商地址取自 JUHE_BASE_URL
（默认 http://v.juhe.cn）或 -base-url。

退出码：0 每个有效行都有结果（受理或拒绝）；3 输入无效，或自日志开始后输入已变；
4 服务商要求停止（余额、KEY、签名、额度），或达到支出上限（-max-spend，记入日志：
提高它后再运行）；5 仍有行结果未知或未提交；
6 日志正被使用；7 日志已损坏；130 已中断。

`,
	"query": `用法：flowbatch query -journal 路径 [参数]

查询本批次中可能存在但尚未最终的每个订单（充值中或未知），直到每个都有最终结果
（成功或失败），或 -wait 用完。每个订单各自退避（2 秒增至 60 秒，带抖动）；
所有查询共用 -rate。每次状态变化都写入日志。再次运行即可继续。

退出码：0 每行都已最终；4 服务商要求停止；5 仍有行未完成（充值中、未知或未提交）；
6 日志正被使用；7 日志已损坏；130 已中断。

`,
	"reconcile": `用法：flowbatch reconcile -journal 路径 -out 文件.xlsx [-lang zh|en] [-csv 文件] [-group-by 列名] [-retry 文件]
      flowbatch reconcile -mask [-keep-col 列名]... -journal 路径 -out 文件.masked.xlsx [-csv 文件]

仅根据日志写出对账工作簿（汇总、订单、异常）。它只读日志，所以可以在批次运行时
同时运行。未完成的行在工作簿中标出；工作簿写成后退出码为 0。

加 -mask 时改为写一份可以更广传阅的脱敏副本：手机号显示为 138****1234，
不含 orderid 和 sporder_id 列，输入的附加列只保留 -keep-col 指定的（CSV 同样）。
脱敏副本从不出具证明；见 README 的 "Personal data"。

`,
	"run": `用法：flowbatch run -in 文件 -batch 批次号 -out 文件.xlsx [参数]

把每个有效行恰好提交一次，查询每个订单直到有最终结果（或 -wait 用完），然后写出
对账工作簿。任何中断之后，再次运行同一命令：它从停下的地方继续，绝不重复付款。
无论如何都会写出工作簿，未完成的行会标出。

回调：-callback-addr :端口 在本进程接收服务商回调；此时 -cburl 必须是能到达它的
公网地址。独立运行的 'flowbatch callback' 为本日志收到的回调也会导入。

退出码：0 每行都已最终（成功、失败、拒绝或无效）且工作簿已写出；3 输入无效或输入已变；
4 服务商要求停止，或达到支出上限（-max-spend）；5 仍有行未完成（充值中、未知、未提交）；6 日志正被使用；
7 日志已损坏；130 已中断。

`,
	"callback": `用法：flowbatch callback -addr 主机:端口 -journal 路径 [-max-body N]

在另一个进程运行批次时，接收服务商的状态回调。它不加锁地读取批次日志，把每个
签名验证通过、属于本批次订单的回调写入它自己的旁路日志 路径.callbacks；
运行中或续跑的批次会把它们导入自己的日志。签名错误或未知 orderid 得到 403 和
一行日志，什么都不写。

KEY 取自 $JUHE_KEY（sign 为 md5(key+sporder_id+orderid)）；不需要 OpenID。
一直运行到被中断。

`,
	"status": `用法：flowbatch status -journal 路径 [-json]

显示日志关于其批次的内容：周期和工作区、输入、各状态的行数、到目前的支出、
仍在充值或未完成的、已记入日志但不在输入中的订单、日志头哈希，以及现在是否有
进程占用该日志。它不加锁地读取，所以批次运行时也能用（此刻正在写的记录不算）。
它只是报告：无论批次状态如何退出码都是 0；日志损坏时为 7。

-json 输出一个 JSON 对象，键为固定的英文（见 README "Reading flowbatch from a
script"），不随语言改变，供脚本读取。

`,
	"month": `用法：flowbatch month -month YYYY-MM -out 文件.xlsx [-workspace 目录] [-lang zh|en] [-group-by 列名] [-statement 文件]
      flowbatch month -month YYYY-MM -mask [-keep-col 列名]... -out 文件.masked.xlsx

为审计生成一个工作簿，包含工作区中订单落在该月（北京时间）的全部批次：汇总表（批次
表和本月控制合计）、按部门（或 -group-by）、按产品、按运营商、重复赠送（在多个批次
中扣款的手机号，是否以 -allow-regift 有意为之）、全部订单、图表和供应商对账表（本月
对账单与本月全部日志的三方核对）。

订单归入其扣款时间所在的月份：flowbatch 记下服务商受理其提交的应答的时间。跨月运行
的批次在两个月份中都会出现；次月才到的退款仍列在扣款所在月份，并标为跨月。汇总表写明
这些规则。

先校验工作区的每个日志：校验和、哈希链、其旁边的存证文件和工作区索引保存的已存证头。
校验失败的日志列在汇总表首屏；工作簿照常写出，month 以 7 退出。

`,
	"verify": `用法：flowbatch verify -journal 路径 [-head 哈希 -records N] [-attest 文件] [-attest-hash 哈希] [-json]

校验日志每条记录的校验和及整条哈希链，不修改日志也不加锁。显示记录数、
日志头哈希（工作簿的汇总表显示同样的值）和批次号。

哈希链能发现日志头之前任何位置的改动字节、删除、重复、插入或重排的记录，以及
残缺的末尾。它发现不了从末尾整条截掉的记录：剩下的是一个有效的、更短的日志。
请用保存在别处的记录数和日志头哈希来核对：
  -head 哈希 -records N  run 和 reconcile 结束时显示的值，也在工作簿的汇总表上；
  -attest 文件           reconcile 写出的证明（ID.attest.json）；
  -attest-hash 哈希      显示过的该证明的 sha256（在汇总表上，run 结束时）；
                         不给 -attest 时，证明为日志旁边的 ID.attest.json。
日志必须仍有第 N 条记录，且哈希相同。

日志完好并达到每个给出的锚点时退出码为 0；有任何改动、末尾被截、或证明不是
被证明的那一份时为 7；参数错误（如文件不是日志）时为 2。-json 输出一个键为固定
英文的 JSON 对象，失败时也是。

`,
	"workspace": `用法：flowbatch workspace list [-workspace 目录]
      flowbatch workspace forget -journal 路径 -why 原因 [-who 姓名] [-workspace 目录]

工作区是各批次相遇的地方（README "The workspace"）：它的日志、汇总它们的索引，
以及拒绝重复赠送的守卫。

list 列出工作区知道的每个日志及其情况：ok、missing、cut 或 damaged。
不加锁地读取，什么都不写。

forget 让守卫不再因一个丢失、被截短或损坏的日志而拒绝：这是人的决定，连同原因和
决定人记在工作区的 forgotten.log 里。完好的日志不能被忘记。

退出码：0 完成；2 参数错误，或没有可忘记的；6 工作区正被使用。

`,
	"demo": `用法：flowbatch demo [-out 目录] [-lang zh|en]

无需 KEY、网络和任何设置，完整运行主要流程：在本进程启动内置的服务商模拟器
（有真实的延迟、少量丢失的应答和少量失败的订单），用 'flowbatch run' 带回调运行
samples/gift.xlsx，写出对账工作簿，并与模拟器自己的账本核对总数。

`,
	"serve": `用法：flowbatch serve [-addr 127.0.0.1:8080] [-workspace 目录] [参数]

运行网页控制台：在页面上用 CSV、XLSX 或 ODS 文件开始一个批次，显示 check 所显示的
内容，请你确认（金额和姓名），然后用与 'flowbatch run' 相同的引擎、日志和锁运行
该批次；实时显示进度，批次完成后提供工作簿、脱敏副本、重试文件和存证。在控制台开始
的批次可以在命令行继续，反之亦然。

启动时显示一个带随机令牌的链接：请在本机的浏览器里打开它。每个请求都需要这个令牌
（链接会设置 cookie）。关闭浏览器不会停止批次；Ctrl-C 停止 serve 的方式与停止 run
相同：在途的请求会完成并记入日志。

它只在本机回环地址上监听，除非同时给出 -allow-remote、-tls-cert 和 -tls-key：
令牌和付款操作绝不以明文经过网络。填写 KEY 和 OpenID 的设置页只在本机回环上应答。

退出码：0 已停止且没有批次在运行；2 参数错误；130 已中断（当时在运行的批次可用同一
命令或控制台的"继续"按钮继续）。

`,
	"sim": `用法：flowbatch sim [-addr 主机:端口] [-key K] [-openid O] [参数]

运行内置的服务商模拟器：flow/onlineorder、flow/ordersta、flow/list、
flow/telcheck，以及账户侧的 ofpay/mobile/yue（余额）、flow/batchquery 和
flow/ordersbydate（对账单），GET 或 POST 表单均可。测试用的 /_sim/ 接口见英文
帮助（LANG=C flowbatch sim -h）。它显示所服务的地址，一直运行到被中断。

KEY 和 OpenID 默认取自 $JUHE_KEY 和 $JUHE_OPENID。把 JUHE_BASE_URL 设为显示的
地址，flowbatch 就会连到它。

`,
}

// flagHelpZh is the Chinese help of a flag, by "command.flag" or, for a
// flag every command means the same by, by "flag". A flag not here
// shows its English help.
var flagHelpZh = map[string]string{
	"lang":                      "终端`语言`：zh 或 en（默认取自 LC_ALL、LC_MESSAGES 或 LANG）",
	"reconcile.lang":            "工作簿和终端的`语言`：zh 或 en（en 的名称是脚本的约定）",
	"run.lang":                  "工作簿和终端的`语言`：zh 或 en（en 的名称是脚本的约定）",
	"demo.lang":                 "工作簿和终端的`语言`：zh 或 en",
	"in":                        "输入`文件`：.csv、.txt、.xlsx、.xlsm 或 .ods",
	"batch":                     "`批次号`：字母、数字、'-'、'_'、'.'；orderid 由它生成",
	"journal":                   "日志`路径`",
	"status.journal":            "要读取的日志`文件`",
	"verify.journal":            "要校验的日志`文件`",
	"rate":                      "每秒向服务商发出的`请求数`（所有并发合计）",
	"workers":                   "最多同时在途的`请求数`（默认 rate/4，至少 8，至多 64）",
	"cburl":                     "随每个订单交给服务商的回调`地址`",
	"skip-invalid":              "把无效行记为无效，提交其余的行",
	"allow-duplicates":          "把重复的（手机号，pid）作为单独的订单提交",
	"allow-changed-input":       "继续一个输入文件已改变的日志；不在文件中的行绝不提交",
	"encoding":                  "CSV `编码`：utf-8、gbk 或 gb18030（默认按内容判断）",
	"sheet":                     "XLSX 或 ODS `工作表名`（默认：前 20 行内有表头的可见工作表；从不读取隐藏表）",
	"base-url":                  "服务商`地址`（默认 $JUHE_BASE_URL 或 http://v.juhe.cn）",
	"allow-short-balance":       "估算超过余额也开始；由服务商的 210505 停止",
	"resubmit-grace":            "210511 只有在订单上次提交结束这么久之后才表示\"没有此订单\"；在此之前只查询，绝不重新提交",
	"first-query":               "订单受理后隔这么长`时间`第一次查询它（0：立即；回调到达时立即查询）",
	"query-interval":            "结算时同一订单两次查询之间至少隔这么长`时间`（0：只按退避，2 秒逐步增至 60 秒）",
	"pid":                       "给每行这个产品 `id`：用于没有产品列的名单（记入日志：续跑时须相同）",
	"plan":                      "按运营商从服务商的产品目录里给每个号码这个`流量`（1G、500M）的产品：用于没有产品列的名单（记入日志：续跑时须相同）",
	"plan-file":                 "按这个 CSV `文件`给每个号码其运营商的产品：两列 carrier,pid，每个运营商一行（其 sha256 记入日志）",
	"check.rate":                "同 submit：每秒向服务商发出的请求数（套餐计划的 flow/telcheck）",
	"phone-col":                 "手机号列，按表头`名`或列字母（有两个候选列时指定）",
	"pid-col":                   "产品列，按表头`名`或列字母",
	"hidden-rows":               "隐藏或被筛选掉的行，以及隐藏的手机号或 pid 列：`skip` 或 include（默认拒绝该文件并列出它们）",
	"out":                       "要写出的工作簿`文件`（.xlsx）",
	"wait":                      "查询未完成订单多久后暂时放弃",
	"csv":                       "同时把订单表写到这个`文件`（带 BOM 的 UTF-8 CSV）",
	"retry":                     "同时把最终未扣费的行（失败、拒绝、无效）写成输入`文件`（.csv 或 .xlsx）",
	"callback-addr":             "运行时在这个`地址`（如 :8088）接收服务商回调",
	"workspace":                 "工作区`目录`（默认 $FLOWBATCH_WORKSPACE，否则为你的数据目录）",
	"period":                    "本批次赠送的月份，`YYYY-MM`（默认为北京时间的本月；续跑沿用日志里的）",
	"allow-regift":              "有意给工作区中别的批次本周期已赠送过的手机号，或别的批次已提交过的文件再次发送；日志会记下",
	"json":                      "输出 JSON（固定的英文键，供脚本读取）",
	"head":                      "被证明的日志头`哈希`（与 -records 一起）",
	"records":                   "被证明的记录`数`（与 -head 一起）",
	"attest":                    "用来核对日志的证明`文件`（ID.attest.json）",
	"attest-hash":               "证明显示过的 sha256（`十六进制`）",
	"addr":                      "监听`地址`",
	"check.max-problems":        "最多列出`个数`个问题",
	"check.prices":              "价格来源：auto（设置了 JUHE_KEY 时用服务商的，否则用模拟器的）、sim、provider 或 none",
	"reconcile.group-by":        "在汇总表上按这个附加的输入`列`计数和求和（默认：部门/department 列）",
	"month.group-by":            "按这个附加的输入`列`计数和求和（默认：部门/department 列）",
	"keep-col":                  "与 -mask 一起：保留这个附加的输入`列`（可重复给出，或用逗号分隔）",
	"reconcile.mask":            "改为在 -out 写一份可更广传阅的脱敏副本（个人信息保护法）：手机号显示为 138****1234，不含 orderid 和 sporder_id，附加列只保留 -keep-col 指定的",
	"month.mask":                "改为写一份可更广传阅的脱敏副本（个人信息保护法）：手机号显示为 138****1234，不含 orderid 和 sporder_id，附加列只保留 -keep-col 指定的",
	"reconcile.provider":        "先拉取服务商在本批次周期内的对账单（flow/ordersbydate，需 JUHE_KEY），存到日志旁边的对账单文件，并与之核对",
	"run.provider":              "结束时拉取服务商的对账单，并在工作簿中核对（服务商的账目）；-provider=false 跳过",
	"callback.max-body":         "请求体最大`字节数`",
	"workspace.who":             "forget：由谁决定（`姓名`；默认为操作系统用户）",
	"workspace.why":             "forget：为什么忘记它（`说明`，记入 forgotten.log）",
	"month.month":               "月份，北京时间的 `YYYY-MM`",
	"month.statement":           "本月服务商对账单`文件`（默认：工作区某个日志旁边本月最新的完整拉取）",
	"demo.seed":                 "模拟器的随机`种子`，用于重放一次演示",
	"serve.allow-remote":        "在本机回环以外的地址监听（需要 -tls-cert 和 -tls-key）",
	"serve.hostname":            "与 -allow-remote 一起：浏览器访问本控制台所用的主机`名`（可重复给出）；每个请求的 Host 头都要与之相符",
	"serve.max-upload":          "上传文件的最大大小，单位 `MiB`",
	"serve.tls-cert":            "TLS 证书`文件`（PEM）",
	"serve.tls-key":             "TLS 私钥`文件`（PEM）",
	"serve.resubmit-grace":      "同 run：本控制台启动的每个批次的重新提交宽限期",
	"sim.addr":                  "监听`地址`（端口 0 表示任选一个空闲端口）",
	"sim.key":                   "接受的 KEY（默认 $JUHE_KEY）",
	"sim.openid":                "用来校验签名的 OpenID（默认 $JUHE_OPENID）",
	"sim.balance":               "期初余额，单位`元`",
	"sim.settle-delay":          "从扣款到结算的时间（0：应答之前就结算）",
	"sim.success-ratio":         "订单结算为成功的概率",
	"sim.callback-method":       "回调方法：GET 或 POST",
	"sim.callback-retries":      "没有收到应答正文时回调的重试次数",
	"sim.callback-interval":     "两次回调尝试之间的时间",
	"sim.qps":                   "每个 KEY 每秒允许的请求数，超过即返回 10012（0：不限）",
	"sim.drop-after-charge":     "扣款后不应答就断开连接的概率",
	"sim.err10014-after-charge": "扣款后应答 10014 的概率",
	"sim.html502-before":        "任何处理之前就返回 HTML 502 页面的概率（提交和查询）",
	"sim.html502-after":         "扣款后应答 HTML 502 页面的概率",
	"sim.latency-prob":          "应答变慢的概率（提交和查询）",
	"sim.latency-min":           "变慢时最短的应答时间",
	"sim.latency-max":           "变慢时最长的应答时间",
	"sim.account-denied":        "对 ofpay/mobile/yue、flow/batchquery 和 flow/ordersbydate 应答 10002",
	"sim.account-id":            "余额接口报告的 `uid`",
	"sim.shape-list":            "flow/ordersbydate 把订单放在哪里：data（result.data）、list（result.list）或 bare（result 本身）",
	"sim.shape-orderid":         "把 batchquery 或对账单行的 orderid 命名为 \"orderid\"，而不是 \"uorderid\"",
	"sim.shape-ordercash":       "把 batchquery 或对账单行的费用命名为 \"ordercash\"，而不是 \"uordercash\"",
	"sim.shape-string-code":     "在账户侧接口上把 error_code 写成字符串",
	"sim.lag":                   "扣款后这么长时间内，ordersta 返回 210511，重新提交会再次扣款（最终一致的查询）",
	"sim.foreign":               "应答另一个订单内容的概率（ordersta，以及已扣款的提交）",
	"sim.seed":                  "结算和故障的随机种子（默认：取自时钟，并显示出来）",
	"sim.ported":                "携号转网的号码，`手机号=运营商,…`（运营商为移动、联通、电信或 mobile、unicom、telecom）：telcheck 和提交看到的是新运营商",
	"sim.telcheck-down":         "始终以 HTML 502 页面应答 flow/telcheck",
	"sim.v":                     "把每个请求和事件记到 stderr（从不记 KEY 或 OpenID）",
	"max-spend":                 "本批次所有运行合计的支出上限，单位`元`（默认 $FLOWBATCH_MAX_SPEND；记入日志：续跑沿用，给出更高或更低的金额即修改）",
}

// The operator's notes while a batch runs: the engine's and the
// settler's (batch.Notes), the callback server's (callback.Notes) and
// the importing of its callbacks (batchcmd.go). Each note is its
// package's English format; noteIn finds its Chinese here by it, and a
// format not here prints in English (TestEveryNoteIsTranslated).
const (
	noteImportFailed = "importing callbacks: %v"
	noteImported     = "imported %s from the callback server"
)

var noteMsgs = []msg{
	{batch.NotePreExisting, "第 %s 行：订单 %s：服务商说在本日志第一次发送它之前就已有这个订单号（210508）；批次号 %q 以前用过吗？除非查询发现它仍在充值，否则它算作那个订单"},
	{batch.NoteNoSuchOrderIn, "第 %s 行：订单 %s：本次运行已提交 %d 次，服务商仍没有这个订单；留给下次运行"},
	{batch.NoteStillUnknown, "第 %s 行：订单 %s：查询 %d 次仍没有应答；它仍是未知，结算时会再次查询"},
	{batch.NoteStaysOpen, "第 %s 行：订单 %s：%s；它仍未完成，会再次查询"},
	{batch.NoteExistsYetNone, "第 %s 行：订单 %s：服务商说没有这个订单，但它此前已表明订单存在；它仍未完成，会再次查询"},
	{batch.NoteBatchOff, "%s：本次运行余下的时间里逐个查询订单（flow/ordersta）"},
	{batch.NoteBatchDropped, "flow/batchquery：一个应答中的 %d 项被搁置，其订单改为逐个查询；第一项：%s"},
	{batch.NoteNotFound, "第 %s 行：订单 %s：服务商没有这个订单；submit 或 run 会再次提交它"},
	{callback.NoteNotRecorded, "回调：来自 %s，orderid=%s：未能记录，回复 500 让服务商重发：%v"},
	{callback.NoteRefused, "回调：已拒绝 %s %s，来自 %s，orderid=%s：%s"},
	{noteImportFailed, "导入回调时出错：%v"},
	{noteImported, "已从回调服务导入 %s"},
}

// noteByFormat is noteMsgs by their English.
var noteByFormat = func() map[string]msg {
	m := make(map[string]msg, len(noteMsgs))
	for _, n := range noteMsgs {
		m[n.en] = n
	}
	return m
}()

var (
	msgNoteLine  = msg{"flowbatch: %s", "flowbatch：%s"}
	nounCallback = noun{"callback", "callbacks", "个回调"}
)

// noteIn is a note of format in l: its Chinese from noteMsgs, or the
// format itself.
func noteIn(l lang, format string, a ...any) string {
	m, ok := noteByFormat[format]
	if !ok {
		m = msg{en: format}
	}
	return fmt.Sprintf(m.in(l), localize(l, a)...)
}

// batchguard.go and cmd_workspace.go: the workspace lock another
// process holds (wsLockedWords; the English is workspace.LockedError's).
var (
	msgWsLockedBy     = msg{"workspace %s is in use by process %d (waited %s)", "工作区 %s 正被进程 %d 使用（已等待 %s）"}
	msgWsLockedOther  = msg{"workspace %s is in use by another process (waited %s)", "工作区 %s 正被另一个进程使用（已等待 %s）"}
	msgWsLockedTry    = msg{"Try: wait for it to finish starting its batch, then run the same command again", "试试：等它把批次启动完，再运行同一命令"}
	msgWsLockedAndTry = msg{"%s; %s", "%s；%s"}
)

// The words of rows, refusals and the guard, in the terminal's language.
// They are not here but where they are made, each in one table:
// batch/input/reasons.go holds every reason a row is given (journaled in
// English, parsed back from it) and every refusal of a file;
// batch/workspace/guard_words.go holds the guard's lines. This block
// renders them in a lang; what a script reads stays English.

// guardLines is the guard's findings, one line each, rendered in the
// reader's language.
type guardLines struct{ found workspace.Findings }

func (g guardLines) in(l lang) string { return strings.Join(g.found.LinesIn(string(l)), "\n") }

// The guard's lines of check, and its refusal.
var (
	msgGuardRefused     = msg{"%s: %s", "%s：%s"}
	msgErrLine          = msg{"flowbatch: %s\n", "flowbatch：%s\n"}
	msgGuardFailed      = msg{"%s: workspace guard", "%s：工作区检查时出错"}
	msgGuardLine        = msg{"flowbatch: %s\n", "flowbatch：%s\n"}
	msgGuardNotChecked  = msg{"workspace guard: not checked (no -batch)", "工作区检查：没有检查（没有 -batch）"}
	msgGuardNoWorkspace = msg{
		"workspace guard: passed (workspace %s does not exist yet: no other batch to compare)",
		"工作区检查：通过（工作区 %s 还不存在：没有别的批次可比对）",
	}
)

// errIn is an error as a message's argument, rendered in the reader's
// language.
type errIn struct{ err error }

func (e errIn) in(l lang) string { return errText(l, e.err) }
