package main

import (
	"fmt"
	"regexp"
	"strings"
)

// The console's words, Chinese first and English second, in one table so
// that they can join the terminal's message catalogue. A key not here is
// shown as itself (TestConsoleWordsComplete keeps that from happening).

var consoleWords = map[string][2]string{
	"brand":  {"流量赠送控制台", "data-gift console"},
	"footer": {"flowbatch · 每一笔都记在日志里，只付一次", "flowbatch · every order journaled, paid once"},
	"yuan":   {"元", "yuan"},

	"nav.start":    {"新建批次", "New batch"},
	"nav.batches":  {"全部批次", "Batches"},
	"nav.settings": {"设置", "Settings"},

	"step.check":   {"上传并检查", "Upload and check"},
	"step.confirm": {"确认", "Confirm"},
	"step.watch":   {"执行", "Watch"},
	"step.finish":  {"完成", "Finish"},

	"start.title":       {"新建批次", "New batch"},
	"start.h1":          {"新建一个赠送批次", "Start a gifting batch"},
	"start.lead":        {"上传名单（CSV、Excel 或 LibreOffice 表格）。先检查，确认之前不会花一分钱。", "Upload the list (CSV, Excel or LibreOffice). It is checked first; nothing is spent before you confirm."},
	"start.drop":        {"把文件拖到这里，或点击选择文件", "Drop the file here, or click to choose it"},
	"start.max":         {"最大 %d MB", "up to %d MB"},
	"start.batch":       {"批次名称", "Batch name"},
	"start.batch.help":  {"字母、数字、- _ .；默认是本月", "letters, digits, - _ .; this month by default"},
	"start.period":      {"赠送月份", "Month of the gift"},
	"start.period.help": {"YYYY-MM，每人每月只送一次", "YYYY-MM; one gift per person per month"},
	"start.more":        {"更多选项", "More options"},
	"start.skip":        {"跳过无效行，其余照常发送（无效行记录在案，不扣费）", "Skip invalid rows and send the rest (they are recorded, never charged)"},
	"start.pid":         {"统一产品编码", "One product id for every row"},
	"start.pid.help":    {"名单没有产品编码列时填写，例如 105000", "for a list without a product column, e.g. 105000"},
	"start.sheet":       {"工作表名称", "Sheet name"},
	"start.submit":      {"上传并检查", "Upload and check"},
	"start.note":        {"文件保存在本机的工作区，只有你能读取。", "The file is kept in this computer's workspace, readable only by you."},
	"start.badbatch":    {"批次名称不可用", "The batch name cannot be used"},
	"start.badperiod":   {"月份不对", "The month is not right"},
	"start.nofile":      {"请选择一个文件。", "Please choose a file."},
	"start.badext":      {"不支持这种文件。支持：%s", "This kind of file is not supported. Supported: %s"},

	"check.title":      {"检查结果", "Check"},
	"check.h1":         {"检查结果", "What the check found"},
	"check.file":       {"文件", "File"},
	"check.batch":      {"批次", "Batch"},
	"check.period":     {"月份", "month"},
	"check.format":     {"格式", "Format"},
	"check.sheet":      {"工作表", "sheet"},
	"check.header":     {"表头", "Header"},
	"check.headerrow":  {"第 %d 行", "row %d"},
	"check.carried":    {"附带列：", "carried columns:"},
	"check.rows":       {"行数", "Rows"},
	"check.rowcounts":  {"共 %d 行，待发送 %d 行，有问题 %d 行", "%d rows, %d to send, %d with problems"},
	"check.refused":    {"这个文件无法读取，整个文件未被使用", "This file cannot be read; none of it is used"},
	"check.problems":   {"问题行", "Problems"},
	"check.row":        {"行号", "Row"},
	"check.rowno":      {"第 %d 行", "row %d"},
	"check.reason":     {"原因", "Why"},
	"check.more":       {"只列出前 %d 条，共 %d 条。", "The first %d of %d are listed."},
	"check.fixhint":    {"请在表格里改正这些行后重新上传；或在“更多选项”里选择跳过无效行。", "Fix these rows in the spreadsheet and upload again, or choose to skip invalid rows under More options."},
	"check.noproblems": {"没有问题。", "None."},
	"check.hidden":     {"有 %d 行是隐藏或被筛选掉的：文件被拒绝，请取消隐藏或删除这些行。", "%d rows are hidden or filtered out: the file is refused; unhide or delete them."},
	"check.footers":    {"表格下方不是数据的行（不会发送）：", "Rows below the list that are not data (never sent):"},
	"check.bypid":      {"按产品", "By product"},
	"check.pid":        {"产品编码", "Product id"},
	"check.product":    {"产品", "Product"},
	"check.count":      {"行数", "Rows"},
	"check.price":      {"单价", "Price"},
	"check.cost":       {"小计", "Subtotal"},
	"check.noprice":    {"产品目录里没有这个编码", "not in the catalogue"},
	"check.none":       {"无", "None"},
	"check.bycarrier":  {"按运营商", "By carrier"},
	"check.catalogue":  {"服务商会按目录拒绝的行（不扣费）", "Rows the provider will reject by its catalogue (no charge)"},
	"check.estimate":   {"预计花费", "Estimate"},
	"check.balance":    {"账户余额", "Balance"},
	"check.cap":        {"预算上限（确认后生效）", "Budget cap (once confirmed)"},
	"check.short":      {"预计花费比余额多 %s 元：请先充值。", "The estimate exceeds the balance by %s yuan: please top up first."},
	"check.nobalance":  {"余额未读到：", "Balance not read:"},
	"check.capnote":    {"确认的金额就是这个批次的硬性上限：花费到此为止，无论重试多少次。", "The amount you confirm is this batch's hard cap: spending stops there, however often it is resumed."},
	"check.creds":      {"密钥：", "Key:"},
	"check.verified":   {"KEY 和 OpenID 已通过验证", "key and OpenID verified"},
	"check.nocreds":    {"没有设置 JUHE_KEY 和 JUHE_OPENID（在“设置”里填写）", "JUHE_KEY and JUHE_OPENID are not set (see Settings)"},
	"check.guard":      {"工作区检查（防止重复赠送）", "Workspace guard (no second gift)"},
	"check.guardnew":   {"工作区里还没有别的批次，无需比较。", "No other batch in the workspace yet: nothing to compare."},
	"check.ok":         {"可以发送 %d 笔订单，预计 %s 元。", "%d orders can be sent, estimated at %s yuan."},
	"check.next":       {"下一步：确认", "Next: confirm"},
	"check.again":      {"重新上传", "Upload again"},
	"check.full":       {"命令行 check 的完整输出", "The full output of check"},
	"check.tobatch":    {"打开这个批次", "Open this batch"},

	"why.refused": {"文件被拒绝：请修正后重新上传。", "The file is refused: fix it and upload again."},
	"why.exists":  {"这个批次名称已经有日志了：请在“全部批次”里继续它，或换一个名称。", "This batch name has a journal already: continue it under Batches, or choose another name."},
	"why.nocreds": {"还没有服务商密钥：请在“设置”里填写，或在启动前设置环境变量。", "No provider key yet: enter it under Settings, or set the environment before starting."},
	"why.check":   {"检查不通过：这样发送会被拒绝。请按上面的提示修正后重新上传。", "The check does not pass: a run would be refused. Fix what is listed above and upload again."},
	"why.nothing": {"没有可发送的行。", "Nothing to send."},
	"why.noprice": {"有产品没有价格，无法确定预算上限：请核对产品编码。", "A product has no price, so no budget cap can be set: check the product ids."},

	"confirm.title":      {"确认", "Confirm"},
	"confirm.h1":         {"确认发送", "Confirm the batch"},
	"confirm.lead":       {"将按名单 %[2]s 发送 %[1]d 笔订单，批次 %[3]s。确认后才开始扣费。", "%[1]d orders from %[2]s will be sent, as batch %[3]s. Nothing is charged before you confirm."},
	"confirm.rows":       {"订单数", "Orders"},
	"confirm.amount":     {"金额", "Amount"},
	"confirm.typeamount": {"请输入上面的金额（元）", "Type the amount above (yuan)"},
	"confirm.name":       {"你的姓名", "Your name"},
	"confirm.binds":      {"确认后：这个金额就是预算上限；你的姓名和电脑用户名记入日志；文件、行、产品和工作区检查的结果在此刻固定，开始时如有任何变化就拒绝执行。", "On confirming: this amount becomes the budget cap; your name and the computer's user are journaled; the file, the rows, the products and the guard's result are fixed now, and if any has changed when the batch starts it is refused."},
	"confirm.go":         {"确认并开始", "Confirm and start"},
	"confirm.back":       {"返回检查结果", "Back to the check"},
	"confirm.cannot":     {"这个批次现在不能确认：请返回检查结果。", "This batch cannot be confirmed now: go back to the check."},
	"confirm.changed":    {"确认页打开之后情况有变化，未开始。请看下表，核对后重新确认。", "Something changed since this page was shown; nothing started. See below, then confirm again."},
	"confirm.badamount":  {"输入的金额与要确认的金额 %s 元不一致。", "The amount typed is not the amount to confirm, %s yuan."},
	"confirm.noname":     {"请输入你的姓名（60 个字以内）。", "Please type your name (at most 60 characters)."},
	"confirm.what":       {"项目", "What"},
	"confirm.was":        {"确认时", "When shown"},
	"confirm.now":        {"现在", "Now"},

	"fact.sha256": {"文件 (sha256)", "File (sha256)"},
	"fact.rows":   {"待发送的行", "Rows to send"},
	"fact.pids":   {"各产品行数", "Rows per product"},
	"fact.guard":  {"工作区检查结果", "The guard's result"},

	"batch.title":         {"批次", "Batch"},
	"batch.h1":            {"批次", "Batch"},
	"batch.by":            {"确认人", "confirmed by"},
	"batch.bycli":         {"在终端里启动，用户", "started from a terminal by"},
	"batch.heldby":        {"进程 %d 正在处理", "held by process %d"},
	"batch.continue":      {"继续", "Continue"},
	"batch.continue.note": {"与再次运行同一条命令相同：使用日志里记下的设置和保存的文件，已付的不会再付。", "The same as running the same command again: the journal's settings and the stored file; nothing paid is paid again."},
	"batch.cli":           {"在终端里继续同一个批次", "The same batch from a terminal"},
	"batch.log":           {"运行记录", "Run log"},

	"watch.done":    {"已完成", "Rows done"},
	"watch.sent":    {"已提交", "Submitted"},
	"watch.success": {"成功", "Success"},
	"watch.failed":  {"失败", "Failed"},
	"watch.spent":   {"已支出", "Spent"},
	"watch.cap":     {"预算上限", "Budget cap"},
	"watch.speed":   {"速度", "Rate"},
	"watch.rate":    {"%.0f 行/分", "%.0f rows/min"},
	"watch.eta":     {"预计剩余", "ETA"},
	"time.h":        {"%d 小时", "%dh"},
	"time.m":        {"%d 分", "%dm"},
	"time.s":        {"%d 秒", "%ds"},
	"watch.note":    {"关闭浏览器不会停止批次。要停止，请在运行 flowbatch serve 的窗口按 Ctrl-C：正在进行的请求会完成并记入日志。", "Closing the browser does not stop the batch. To stop it, press Ctrl-C where flowbatch serve runs: requests in flight finish and are journaled."},

	"state.preparing": {"准备中", "preparing"},
	"state.running":   {"进行中", "running"},
	"state.halted":    {"已暂停", "halted"},
	"state.open":      {"未完成", "open"},
	"state.done":      {"已完成", "done"},
	"state.failed":    {"未开始", "not started"},
	"state.none":      {"不存在", "none"},

	"remedy.balance":     {"余额不足：请充值后点击继续", "Balance insufficient: top up, then press Continue"},
	"remedy.cap":         {"已达到确认的预算上限：如需多发，请在终端提高 -max-spend 后运行同一条命令", "The confirmed budget cap is reached: to send more, raise -max-spend from a terminal and run the same command"},
	"remedy.key":         {"密钥或 OpenID 不对：请在“设置”里改正后点击继续", "The key or the OpenID is wrong: correct it under Settings, then press Continue"},
	"remedy.maintenance": {"服务商接口维护中：请稍后点击继续", "The provider is under maintenance: press Continue later"},
	"remedy.throttled":   {"服务商限制了请求次数：请稍后点击继续", "The provider limits the requests: press Continue later"},
	"remedy.halt":        {"服务商要求停止：请按下面的提示处理后点击继续", "The provider said stop: do what the message below says, then press Continue"},
	"remedy.open":        {"还有订单在充值中：请稍后点击继续查询结果", "Some orders are still charging: press Continue later to ask again"},
	"remedy.locked":      {"另一个程序（另一个控制台或命令行）正在处理这个批次：请等它结束或停止它，再点击继续", "Another program (another console or a command line) holds this batch: wait for it or stop it, then press Continue"},
	"remedy.interrupted": {"已中断，进行中的请求都已记入日志：点击继续", "Interrupted, with every request in flight journaled: press Continue"},
	"remedy.invalid":     {"开始前的检查拒绝了这个批次，未花费：请看下面的说明", "The checks before the start refused this batch; nothing was spent: see the message below"},
	"remedy.damaged":     {"日志已损坏：请不要继续，保留文件并联系管理员", "The journal is damaged: do not continue; keep the files and ask for help"},
	"remedy.error":       {"出现意外错误，已记录的都不会丢失：请看下面的说明，然后点击继续", "An unexpected error; nothing recorded is lost: see the message below, then press Continue"},

	"finish.h2":        {"结果", "Result"},
	"finish.sofar":     {"到目前为止", "So far"},
	"finish.bystate":   {"各状态行数", "Rows by state"},
	"finish.bypid":     {"按产品支出（元）", "Spend by product (yuan)"},
	"finish.bycarrier": {"按运营商支出（元）", "Spend by carrier (yuan)"},
	"finish.files":     {"下载", "Downloads"},

	"fig.headline": {"%d 人成功 · 支出 %s 元 · 失败 %d (已退 %s) · 待处理 %d · 勾稽 %s", "%d succeeded · spent %s yuan · failed %d (refunded %s) · open %d · control total %s"},
	"fig.tied":     {"一致", "ties out"},
	"fig.mismatch": {"不一致", "MISMATCH"},

	// The seven states are named by the workbook (reconcile.StateName),
	// as on the terminal.

	"file.workbook":      {"对账工作簿", "Reconciliation workbook"},
	"file.workbook.note": {"完整的对账表，留档用", "the full reconciliation, for the records"},
	"file.masked":        {"脱敏副本", "Masked copy"},
	"file.masked.note":   {"手机号打码，可以对外发送", "phones masked, safe to circulate"},
	"file.retry":         {"重发名单", "Retry file"},
	"file.retry.note":    {"未扣费的行，可作为新批次上传", "rows that ended uncharged, to upload as a new batch"},
	"file.attest":        {"证明文件", "Attestation"},
	"file.attest.note":   {"日志的检查点，供审计核对", "the journal's checkpoint, for the audit"},

	"batches.title": {"全部批次", "Batches"},
	"batches.h1":    {"工作区里的全部批次", "Every batch of the workspace"},
	"batches.batch": {"批次", "Batch"},
	"batches.state": {"状态", "State"},
	"batches.none":  {"还没有批次。", "No batch yet."},

	"settings.title":     {"设置", "Settings"},
	"settings.h1":        {"服务商密钥", "Provider key"},
	"settings.lead":      {"聚合数据的 KEY 和 OpenID（在个人中心里）。保存在本机、只有你能读取的文件里，不会再显示在页面上。", "The 聚合数据 KEY and OpenID (from 个人中心). Kept in a file on this computer that only you can read; never shown on a page again."},
	"settings.from.env":  {"已设置（来自环境变量，优先使用）", "set (from the environment, which wins)"},
	"settings.from.file": {"已设置（保存在本机）", "set (saved on this computer)"},
	"settings.from.":     {"未设置", "not set"},
	"settings.key":       {"新的 KEY（留空则不变）", "New KEY (blank keeps it)"},
	"settings.openid":    {"新的 OpenID（留空则不变）", "New OpenID (blank keeps it)"},
	"settings.where":     {"保存位置：%s", "Saved in: %s"},
	"settings.save":      {"保存", "Save"},
	"settings.saved":     {"已保存。", "Saved."},

	"err.noplan":      {"找不到这次上传", "No such upload"},
	"err.noplan.try":  {"控制台重启后需要重新上传文件。", "After the console restarts, upload the file again."},
	"err.nobatch":     {"没有这个批次", "No such batch"},
	"err.nobatch.try": {"在“全部批次”里可以看到工作区的每个批次。", "Batches lists every batch of the workspace."},
	"err.continue":    {"无法继续", "Cannot continue"},
	"err.notthefile":  {"这不是这个批次的文件：需要 %s（sha256 %s…），同一个文件才能继续。", "That is not this batch's file: it takes %s (sha256 %s…), the very same file, to continue."},
	"batch.needfile":  {"这个批次是在终端里开始的，控制台没有它的文件。请上传同一个文件 %s（sha256 %s…）以继续：", "This batch was started from a terminal, and the console has no copy of its file. Upload the same file, %s (sha256 %s…), to continue:"},
	"batch.sendfile":  {"上传文件", "Upload the file"},
	"err.noupload":    {"这个批次的文件 %s（sha256 %s…）不在控制台的上传目录里：请在终端里用同一条命令继续。", "This batch's file %s (sha256 %s…) is not among the console's uploads: continue it from a terminal with the same command."},
}

// problemWords are the input reader's reasons a clerk meets most, in
// Chinese; a reason not here is shown as the reader gave it.
var problemWords = map[string]string{
	"bad phone: empty":                        "手机号为空",
	"bad phone: contains letters":             "手机号含有字母",
	"bad phone: not a mainland mobile prefix": "不是大陆手机号段",
	"missing pid":                             "缺少产品编码",
}

var problemPrefixes = []struct{ en, zh string }{
	{"bad phone: contains ", "手机号含有非数字字符 "},
	{"bad phone: ", "手机号有误："},
	{"bad pid: ", "产品编码有误："},
	{"unreadable row: ", "这一行无法读取："},
}

// problemReason is an input problem's reason in lang.
func problemReason(lang, r string) string {
	if lang == "en" {
		return r
	}
	if zh, ok := problemWords[r]; ok {
		return zh
	}
	var n int
	if _, err := fmt.Sscanf(r, "bad phone: %d digits", &n); err == nil && r == fmt.Sprintf("bad phone: %d digits", n) {
		return fmt.Sprintf("手机号位数不对：%d 位，应为 11 位", n)
	}
	if _, err := fmt.Sscanf(r, "duplicate of row %d", &n); err == nil && r == fmt.Sprintf("duplicate of row %d", n) {
		return fmt.Sprintf("与第 %d 行重复（同一手机号、同一产品）", n)
	}
	for _, p := range problemPrefixes {
		if rest, ok := strings.CutPrefix(r, p.en); ok {
			return p.zh + rest
		}
	}
	return r
}

// guardWords are the guard's verdict lines in Chinese; its findings
// below them stay as the guard wrote them.
var guardWords = []struct {
	en *regexp.Regexp
	zh string
}{
	{regexp.MustCompile(`^workspace guard: batch (\S+) \(period (\S+)\) passed, against (\d+) other journals? in (.+)$`), "通过：批次 $1（$2）与工作区 $4 里其他 $3 个批次比对，没有重复赠送"},
	{regexp.MustCompile(`^the workspace guard refuses batch (\S+) \(period (\S+)\); nothing was sent:$`), "拒绝：批次 $1（$2）会重复赠送，什么都没有发送："},
}

// guardLine is a line of the guard's findings in lang.
func guardLine(lang, l string) string {
	if lang == "en" {
		return l
	}
	for _, g := range guardWords {
		if g.en.MatchString(l) {
			return g.en.ReplaceAllString(l, g.zh)
		}
	}
	return l
}

// word is the text for key in lang ("zh" or "en").
func word(lang, key string) string {
	w, ok := consoleWords[key]
	if !ok {
		return key
	}
	if lang == "en" {
		return w[1]
	}
	return w[0]
}
