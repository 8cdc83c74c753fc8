package reconcile

import (
	"fmt"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/juhe"
)

// words holds every label the workbook shows in one language. The English
// words are a contract scripts rely on; change them only with the README.
type words struct {
	summary, orders, exceptions, charts string // sheet names

	columns       map[column]string // the Orders and Exceptions headers (columns.go)
	summaryHeader []string          // item, value
	productHeader []string          // pid, cardname, count, successes, spend
	carrierHeader []string          // carrier, count, successes, spend
	groupHeader   []string          // (the column's name), count, successes, spend
	signoffHeader []string          // role, name, date, signature

	// The first screen: a title, one plain sentence, and tiles.
	title    func(batchID string) string
	headline func(successes int, spend string, failed int, refunded string, open int, check string) string
	tiles    []string // successes, spend, failed, refunded, open, control check

	// Block titles.
	controlBlock, productBlock, carrierBlock, auditBlock, signoffBlock string
	groupBlock                                                         func(column string) string

	roles          []string // prepared, reviewed, approved
	carriers       map[juhe.Carrier]string
	others, blank  string // a group row for the rest, and for an empty value
	rechargeFailed string // a failed order's reason when the provider gave none
	submitFailed   string // the reason of a game_state -1: failed, nothing charged
	// retryHeld is the retry note's line on the game_state -1 rows it
	// holds back.
	retryHeld func(n int) string
	// retryUnproven is its line on the failed or rejected rows it holds
	// back because the journal does not prove them uncharged.
	retryUnproven func(n int) string
	toolVersion   string

	// Charts.
	chartStates, chartProducts, chartCarriers string
	chartGroup                                func(column string) string

	// pageHeader and pageFooter are the printed header and footer of
	// every sheet, in Excel's &-codes.
	pageHeader func(batchID string) string
	pageFooter string

	// The retry file's note, and the xlsx sheet that holds it.
	retryNote      func(batchID, newBatchID string, rows int) []string
	retryNoteSheet string

	states  map[batch.Status]string
	sources map[string]string

	// Summary items.
	batchID, inputFile, inputSHA, headHash, records, generatedAt, timeZone string
	inputRows, controlTotal, controlCheck                                  string
	spend, charging, refunded, orphans, orphanSpend, open, exceptionRows   string
	ok, mismatch                                                           string
	attestSHA                                                              string
	// A masked copy's notice on row 3 of the Summary (in both languages),
	// its tag in the page header, and its audit item.
	maskedNotice, maskedTag, masking string
	maskingValue                     func(kept []string) string
	zoneName                         string

	extraName func(i int) string // for an extra column the journal does not name

	kinds   map[kind]string
	actions map[kind]string

	preExisting  string // reason of kindPreExisting
	costUnknown  string // reason of kindCostUnknown
	orphanReason func(line int) string
	dupReason    func(of int) string
	// rowReason is an invalid row's reason, journaled in English, in
	// the workbook's language (batch/input's words).
	rowReason  func(journaled string) string
	costReason func(submit, query string) string
	cbReason   func(callback, query string) string

	provider *providerWords
}

// kind is one reason a row needs a person.
type kind int

const (
	kindUnknown kind = iota
	kindCharging
	kindFailed
	kindRejected
	kindInvalid
	kindNotSubmitted
	kindDuplicate
	kindCallbackMismatch
	kindCostMismatch
	kindConflict
	kindOrphan
	kindPreExisting
	kindCostUnknown // a success no answer gave a cost for: not in the spend
)

var english = &words{
	summary: "Summary", orders: "Orders", exceptions: "Exceptions", charts: "Charts",
	columns: map[column]string{
		colRow: "row", colPhone: "phone", colPid: "pid", colCardName: "cardname", colOrderID: "orderid",
		colSporderID: "sporder_id", colCost: "cost", colCharged: "charged", colRefunded: "refunded",
		colCarrier: "carrier", colState: "state", colSubmitted: "submitted_at",
		colFinal: "final_at", colSource: "source", colCode: "error_code", colReason: "reason",
		colException: "exception", colAction: "action",
		colBatch: "batch_id", colChargedAt: "charged_at", colLate: "late",
	},
	summaryHeader: []string{"item", "value"},
	productHeader: []string{"pid", "cardname", "count", "successes", "spend"},
	carrierHeader: []string{"carrier", "count", "successes", "spend"},
	groupHeader:   []string{"", "count", "successes", "spend"},
	signoffHeader: []string{"role", "name", "date", "signature"},
	title:         func(id string) string { return "Flow gift reconciliation · batch " + id },
	headline: func(n int, spend string, failed int, refunded string, open int, check string) string {
		return fmt.Sprintf("%s succeeded · spend %s yuan · failed %s (refunded %s) · open %s · control %s",
			thousands(int64(n)), spend, thousands(int64(failed)), refunded, thousands(int64(open)), check)
	},
	tiles:        []string{"succeeded", "spend (yuan)", "failed", "refunded (yuan)", "open", "control"},
	controlBlock: "Control totals", productBlock: "By product", carrierBlock: "By carrier",
	auditBlock: "Audit", signoffBlock: "Sign-off",
	groupBlock: func(c string) string { return "By " + c },
	roles:      []string{"Prepared by", "Reviewed by", "Approved by"},
	carriers: map[juhe.Carrier]string{juhe.CarrierMobile: "China Mobile", juhe.CarrierUnicom: "China Unicom",
		juhe.CarrierTelecom: "China Telecom", juhe.CarrierUnknown: "unknown"},
	others: "(others)", blank: "(blank)", rechargeFailed: "recharge failed", submitFailed: "submit failed, nothing charged (game_state -1)", toolVersion: "tool_version",
	chartStates: "Orders by state", chartProducts: "Spend by product (yuan)", chartCarriers: "Spend by carrier (yuan)",
	chartGroup:     func(c string) string { return "Spend by " + c + " (yuan)" },
	pageHeader:     func(id string) string { return "&LBatch " + hfEscape(id) + "&C&A" },
	pageFooter:     "&LGenerated by flowbatch&RPage &P of &N",
	retryNoteSheet: "Note",
	retryHeld: func(n int) string {
		return fmt.Sprintf("Held back: %d failed rows the provider answered game_state -1 (submit failed, nothing charged). That code is known only from phone-bill clients: they are left out until the provider's statement confirms that nothing was charged for them.", n)
	},
	retryUnproven: func(n int) string {
		return fmt.Sprintf("Held back: %d failed or rejected rows whose journal does not prove them uncharged (a conflict, a callback that disagrees, or an earlier submit whose answer was lost): the workspace guard would refuse them in a retry batch. Query them (flowbatch query), or send them on purpose.", n)
	},
	retryNote: func(id, next string, rows int) []string {
		return []string{
			fmt.Sprintf("Retry file of batch %s: %d rows that ended uncharged (failed and refunded, rejected, invalid).", id, rows),
			"Fix the invalid and rejected rows first: their reason is on the Exceptions sheet.",
			fmt.Sprintf("Gift them in a new batch, for example: flowbatch run -in FILE -batch %s -out %s.xlsx", next, next),
			"Never reuse the batch id " + id + ": its orderids are already spent.",
		}
	},
	states: map[batch.Status]string{
		batch.StatusSuccess: "success", batch.StatusFailed: "failed", batch.StatusCharging: "charging",
		batch.StatusUnknown: "unknown", batch.StatusRejected: "rejected", batch.StatusInvalid: "invalid",
		batch.StatusNotSubmitted: "not_submitted",
	},
	sources:   map[string]string{"query": "query", "callback": "callback", "submit": "submit"},
	batchID:   "batch_id",
	inputFile: "input_file", inputSHA: "input_sha256", headHash: "journal_head_hash",
	records: "journal_records", generatedAt: "generated_at", timeZone: "time_zone",
	attestSHA: "attestation_sha256",
	maskedNotice: "MASKED COPY 脱敏副本: phones show only their first 3 and last 4 digits (138****1234); orderid, sporder_id and the input columns not kept are left out. " +
		"It is not the audit record: the unmasked workbook and its attestation are.",
	maskedTag: "MASKED COPY",
	masking:   "masking",
	maskingValue: func(kept []string) string {
		k := "none"
		if len(kept) > 0 {
			k = strings.Join(kept, ", ")
		}
		return "phones 138****1234; orderid and sporder_id left out; input columns kept: " + k
	},
	inputRows:     "input_rows",
	controlTotal:  "control_total (invalid + rejected + success + failed + charging + unknown + not_submitted)",
	controlCheck:  "control_check (input_rows = control_total)",
	spend:         "spend (sum of success costs)",
	charging:      "charging_amount (still charging)",
	refunded:      "refunded_amount (failed, refunded by the provider)",
	orphans:       "orphans (journaled, absent from the input)",
	orphanSpend:   "orphan_spend (success costs of orphans)",
	open:          "open_rows (charging + unknown + not_submitted)",
	exceptionRows: "exceptions (rows on the Exceptions sheet)",
	ok:            "OK", mismatch: "MISMATCH",
	zoneName: "UTC+08:00 (Asia/Shanghai); times are yyyy-mm-dd hh:mm:ss",
	kinds: map[kind]string{
		kindUnknown: "unknown", kindCharging: "charging", kindFailed: "failed", kindRejected: "rejected",
		kindInvalid: "invalid", kindNotSubmitted: "not_submitted", kindDuplicate: "duplicate",
		kindCallbackMismatch: "callback_mismatch", kindCostMismatch: "cost_mismatch", kindConflict: "conflict", kindOrphan: "orphan",
		kindPreExisting: "pre_existing", kindCostUnknown: "cost_unknown",
	},
	actions: map[kind]string{
		kindUnknown:          "run `flowbatch query -journal <journal>` or the same run command again; do not resubmit by hand",
		kindCharging:         "wait, then run `flowbatch query -journal <journal>` again",
		kindFailed:           "refunded by the provider; re-gift in a new batch if still owed",
		kindRejected:         "fix the phone/pid and gift in a new batch",
		kindInvalid:          "fix the row in the input",
		kindNotSubmitted:     "run the same run command again to submit it",
		kindDuplicate:        "check the recipient was meant to get it twice",
		kindCallbackMismatch: "the query is authoritative; ask the provider if in doubt",
		kindCostMismatch:     "ask the provider which cost is billed",
		kindConflict:         "the journal holds contradicting answers; ask the provider for the order's true state",
		kindOrphan:           "not in the latest input; check whether it was meant to be gifted",
		kindPreExisting:      "check whether this batch id was used for an earlier batch; if so, this recipient may not have been gifted: gift the row in a new batch with a new batch id",
		kindCostUnknown:      "ask the provider what it charged (its statement: reconcile -provider); the spend leaves this row out",
	},
	preExisting: "the provider already had this orderid before this batch first sent it (210508)",
	costUnknown: "success, but no answer gave its cost (none, or 0): not counted in the spend",
	extraName:   func(i int) string { return fmt.Sprintf("extra_%d", i) },
	orphanReason: func(line int) string {
		if line == 0 {
			return "not in the latest input"
		}
		return fmt.Sprintf("not in the latest input (row %d of an earlier input)", line)
	},
	dupReason:  func(of int) string { return fmt.Sprintf("duplicate of row %d", of) },
	rowReason:  func(r string) string { return r },
	costReason: func(s, q string) string { return fmt.Sprintf("submit said %s, query said %s", s, q) },
	cbReason:   func(c, q string) string { return fmt.Sprintf("callback said %s, query said %s", c, q) },
	provider:   englishProvider,
}

var chinese = &words{
	summary: "汇总", orders: "订单明细", exceptions: "异常", charts: "图表",
	columns: map[column]string{
		colRow: "行号", colPhone: "手机号", colPid: "产品编码", colCardName: "产品名称", colOrderID: "商户订单号",
		colSporderID: "聚合订单号", colCost: "订单金额(元)", colCharged: "扣款(元)", colRefunded: "退款(元)",
		colCarrier: "运营商", colState: "状态", colSubmitted: "提交时间",
		colFinal: "完成时间", colSource: "来源", colCode: "错误码", colReason: "说明",
		colException: "异常类型", colAction: "建议处理",
		colBatch: "批次号", colChargedAt: "扣款时间", colLate: "跨月",
	},
	summaryHeader: []string{"项目", "数值"},
	productHeader: []string{"产品编码", "产品名称", "订单数", "成功数", "支出金额(元)"},
	carrierHeader: []string{"运营商", "订单数", "成功数", "支出金额(元)"},
	groupHeader:   []string{"", "订单数", "成功数", "支出金额(元)"},
	signoffHeader: []string{"职责", "姓名", "日期", "签字"},
	title:         func(id string) string { return "流量赠送对账 · 批次 " + id },
	headline: func(n int, spend string, failed int, refunded string, open int, check string) string {
		return fmt.Sprintf("%s 人成功 · 支出 %s 元 · 失败 %s (已退 %s) · 待处理 %s · 勾稽 %s",
			thousands(int64(n)), spend, thousands(int64(failed)), refunded, thousands(int64(open)), check)
	},
	tiles:        []string{"成功人数", "支出(元)", "失败", "已退(元)", "待处理", "勾稽"},
	controlBlock: "控制合计", productBlock: "按产品", carrierBlock: "按运营商",
	auditBlock: "审计信息", signoffBlock: "签核",
	groupBlock: func(c string) string { return "按" + c },
	roles:      []string{"制表", "审核", "批准"},
	carriers: map[juhe.Carrier]string{juhe.CarrierMobile: "移动", juhe.CarrierUnicom: "联通",
		juhe.CarrierTelecom: "电信", juhe.CarrierUnknown: "未知"},
	others: "(其他)", blank: "(空)", rechargeFailed: "充值失败", submitFailed: "提交充值失败，未扣款（game_state -1）", toolVersion: "工具版本",
	chartStates: "订单状态分布", chartProducts: "按产品支出(元)", chartCarriers: "按运营商支出(元)",
	chartGroup:     func(c string) string { return "按" + c + "支出(元)" },
	pageHeader:     func(id string) string { return "&L批次 " + hfEscape(id) + "&C&A" },
	pageFooter:     "&L由 flowbatch 生成&R第 &P 页，共 &N 页",
	retryNoteSheet: "说明",
	retryHeld: func(n int) string {
		return fmt.Sprintf("暂不重试：%d 行失败订单的查询结果为 game_state -1（提交充值失败，未扣款）。该状态码仅见于话费充值的客户端代码：在服务商的对账单确认这些订单未扣款之前，不列入本文件。", n)
	},
	retryUnproven: func(n int) string {
		return fmt.Sprintf("暂不重试：%d 行失败或被拒的订单，日志不能证明其未扣款（状态冲突、回调与查询不一致，或先前一次提交的结果丢失）：工作区防护会在重试批次中拒绝它们。请先查询（flowbatch query），或有意再次发送。", n)
	},
	retryNote: func(id, next string, rows int) []string {
		return []string{
			fmt.Sprintf("批次 %s 的重试文件：%d 行最终未扣款（失败已退款、已拒绝、无效）。", id, rows),
			"请先修正无效行和被拒绝的行：原因见“异常”表。",
			fmt.Sprintf("请在新批次中赠送，例如：flowbatch run -in 文件 -batch %s -out %s.xlsx", next, next),
			"切勿重复使用批次号 " + id + "：其订单号已经用过。",
		}
	},
	states: map[batch.Status]string{
		batch.StatusSuccess: "成功", batch.StatusFailed: "失败", batch.StatusCharging: "充值中",
		batch.StatusUnknown: "未知", batch.StatusRejected: "已拒绝", batch.StatusInvalid: "无效",
		batch.StatusNotSubmitted: "未提交",
	},
	sources:   map[string]string{"query": "查询", "callback": "回调", "submit": "提交"},
	batchID:   "批次号",
	inputFile: "输入文件", inputSHA: "输入文件 SHA-256", headHash: "日志头哈希",
	records: "日志记录数", generatedAt: "生成时间", timeZone: "时区",
	attestSHA: "存证文件 SHA-256",
	maskedNotice: "脱敏副本 MASKED COPY：手机号只显示前 3 位和后 4 位（138****1234），商户订单号、聚合订单号及未保留的输入列已删除。" +
		"本副本不是审计依据，审计以未脱敏的工作簿及其存证文件为准。",
	maskedTag: "脱敏副本",
	masking:   "脱敏",
	maskingValue: func(kept []string) string {
		k := "无"
		if len(kept) > 0 {
			k = strings.Join(kept, "、")
		}
		return "手机号 138****1234；商户订单号、聚合订单号已删除；保留的输入列：" + k
	},
	inputRows:     "输入行数",
	controlTotal:  "控制合计（无效+已拒绝+成功+失败+充值中+未知+未提交）",
	controlCheck:  "勾稽校验（输入行数 = 控制合计）",
	spend:         "实际支出（成功订单金额合计）",
	charging:      "充值中金额",
	refunded:      "失败退款金额",
	orphans:       "不在输入中的已记账订单",
	orphanSpend:   "不在输入中订单的支出",
	open:          "未完结行数（充值中+未知+未提交）",
	exceptionRows: "异常条数",
	ok:            "一致", mismatch: "不一致",
	zoneName: "北京时间 UTC+08:00；时间格式 yyyy-mm-dd hh:mm:ss",
	kinds: map[kind]string{
		kindUnknown: "结果未知", kindCharging: "充值中", kindFailed: "失败", kindRejected: "已拒绝",
		kindInvalid: "无效行", kindNotSubmitted: "未提交", kindDuplicate: "重复",
		kindCallbackMismatch: "回调与查询不一致", kindCostMismatch: "金额不一致", kindConflict: "状态冲突", kindOrphan: "不在输入中",
		kindPreExisting: "订单号已存在", kindCostUnknown: "金额未知",
	},
	actions: map[kind]string{
		kindUnknown:          "运行 `flowbatch query -journal <journal>` 或重新执行同一条 run 命令；切勿手工重新提交",
		kindCharging:         "稍候再运行 `flowbatch query -journal <journal>`",
		kindFailed:           "已由供应商退款；如仍需赠送，请在新批次中重新赠送",
		kindRejected:         "修正手机号/产品编码后在新批次中赠送",
		kindInvalid:          "在输入文件中修正该行",
		kindNotSubmitted:     "重新执行同一条 run 命令以提交",
		kindDuplicate:        "确认该号码是否应获赠两次",
		kindCallbackMismatch: "以查询结果为准；如有疑问请联系供应商",
		kindCostMismatch:     "向供应商确认按哪个金额结算",
		kindConflict:         "日志中有相互矛盾的结果；请向供应商核实订单的真实状态",
		kindOrphan:           "不在最新输入文件中；请确认是否应当赠送",
		kindPreExisting:      "核实该批次号是否曾用于更早的批次；如是，该号码可能并未获赠，请用新的批次号在新批次中赠送",
		kindCostUnknown:      "向供应商核实实际扣款（其对账单：reconcile -provider）；实际支出未计入该行",
	},
	preExisting: "本批次首次提交前，供应商已有此订单号（210508）",
	costUnknown: "充值成功，但没有任何应答给出金额（缺失或为 0）：未计入实际支出",
	extraName:   func(i int) string { return fmt.Sprintf("附加列%d", i) },
	orphanReason: func(line int) string {
		if line == 0 {
			return "不在最新输入中"
		}
		return fmt.Sprintf("不在最新输入中（来自早前输入的第 %d 行）", line)
	},
	dupReason:  func(of int) string { return fmt.Sprintf("与第 %d 行重复", of) },
	rowReason:  func(r string) string { return input.ReasonIn(r, "zh") },
	costReason: func(s, q string) string { return fmt.Sprintf("提交返回 %s，查询返回 %s", s, q) },
	cbReason:   func(c, q string) string { return fmt.Sprintf("回调为%s，查询为%s", c, q) },
	provider:   chineseProvider,
}

// hfEscape escapes s for a page header or footer, where & starts a code.
func hfEscape(s string) string { return strings.ReplaceAll(s, "&", "&&") }

func lookupWords(lang string) (*words, error) { return byLang(lang, chinese, english) }

// byLang picks the Chinese (the default) or the English of a table.
func byLang[T any](lang string, zh, en *T) (*T, error) {
	switch lang {
	case "", "zh":
		return zh, nil
	case "en":
		return en, nil
	}
	return nil, fmt.Errorf("language %q: want zh or en", lang)
}

// providerWords are the words of the provider's books: the Provider
// sheet, and the Summary's three-way and roll-forward blocks.
type providerWords struct {
	sheet   string
	header  []string // providerColumns, in order
	results map[Result]string
	actions map[Result]string

	block, blockHeaderCount, blockHeaderMoney, check string
	unavailable                                      string // the check cell when the leg was not available
	notAvailable                                     func(why string) string
	notPulled                                        string
	nothingFlagged                                   string // the Provider sheet when every line matched
	notCovered                                       func(n, row int, sent string) string
	skipped                                          func(list string) string
	statementFile, statementHead, statementRecords   string
	account, periods                                 string
	submitFailed                                     string // game_state -1

	roll, opening, spend, charging, other, unexplained, expected, actual, difference string
	rollNote                                                                         string
	noBalance                                                                        func(which, why string) string
	noSnapshot                                                                       string // noBalance's why when the journal has none
	at                                                                               func(when string) string
}

var englishProvider = &providerWords{
	sheet: "Provider",
	header: []string{"result", "batch_id", "row", "phone", "pid", "orderid", "sporder_id", "our_state", "our_cost",
		"provider_state", "provider_cost", "provider_time", "amount", "action"},
	results: map[Result]string{Matched: "matched", StateDiffers: "state_differs", CostDiffers: "cost_differs",
		MissingAtProvider: "missing_at_provider", Unexplained: "unexplained_at_provider", OtherBatch: "other_batch"},
	actions: map[Result]string{
		StateDiffers:      "query the order again (flowbatch query); if the provider still differs, ask it which state is billed",
		CostDiffers:       "ask the provider which cost is billed",
		MissingAtProvider: "ask the provider for the order (orderid, sporder_id); pull the statement again later",
		Unexplained:       "a charge no batch of this workspace made: check who else uses the key (another system, the web console); rotate the key if nobody does",
	},
	block: "Provider's books (three-way match)", blockHeaderCount: "count", blockHeaderMoney: "amount (yuan)",
	check:       "three_way_check (nothing unexplained, nothing missing)",
	unavailable: "NOT AVAILABLE",
	notAvailable: func(why string) string {
		return "The provider leg was not available: " + why + ". Everything else in this workbook stands."
	},
	notPulled:      "no statement pulled (flowbatch reconcile -provider)",
	nothingFlagged: "Every order of this batch matches the provider's statement, and the statement shows no charge that no batch made: nothing to follow up.",
	notCovered: func(n, row int, sent string) string {
		orders := "orders"
		if n == 1 {
			orders = "order"
		}
		return fmt.Sprintf("the statement does not cover %d %s of the batch (the first: row %d, sent %s): pull it again (flowbatch reconcile -provider)",
			n, orders, row, sent)
	},
	skipped:       func(l string) string { return "journals of other accounts left out: " + l },
	statementFile: "statement_file", statementHead: "statement_head_hash", statementRecords: "statement_records",
	account: "account_id", periods: "statement_periods", submitFailed: "submit_failed (-1)",
	roll:        "Balance roll-forward",
	opening:     "opening balance",
	spend:       "− success spend (this batch)",
	charging:    "− still charging (this batch)",
	other:       "− other batches' charges (statement)",
	unexplained: "− unexplained charges (statement)",
	expected:    "= expected closing balance",
	actual:      "actual closing balance",
	difference:  "difference (actual − expected)",
	rollNote: "A difference is shown, never hidden. Usual causes: a top-up during the batch (positive), a refund the journal does not know of yet (positive), " +
		"an order still unknown (negative).",
	noBalance:  func(which, why string) string { return which + " not read: " + why },
	noSnapshot: "no balance snapshot in the journal",
	at:         func(when string) string { return " at " + when },
}

var chineseProvider = &providerWords{
	sheet: "供应商对账",
	header: []string{"结果", "批次号", "行号", "手机号", "产品编码", "商户订单号", "聚合订单号", "本方状态", "本方金额(元)",
		"供应商状态", "供应商金额(元)", "供应商时间", "计入金额(元)", "建议处理"},
	results: map[Result]string{Matched: "一致", StateDiffers: "状态不一致", CostDiffers: "金额不一致",
		MissingAtProvider: "供应商无此单", Unexplained: "来历不明", OtherBatch: "其他批次"},
	actions: map[Result]string{
		StateDiffers:      "重新查询该订单（flowbatch query）；如仍不一致，请向供应商确认按哪个状态结算",
		CostDiffers:       "向供应商确认按哪个金额结算",
		MissingAtProvider: "凭商户订单号、聚合订单号向供应商查询；稍后重新拉取对账单",
		Unexplained:       "本工作区没有任何批次发出此单：请核查谁还在使用该 KEY（其他系统、网页后台）；如无人使用，请更换 KEY",
	},
	block: "供应商账目（三方核对）", blockHeaderCount: "笔数", blockHeaderMoney: "金额(元)",
	check:       "三方核对（无来历不明、无缺失）",
	unavailable: "未取得",
	notAvailable: func(why string) string {
		return "未能取得供应商对账：" + why + "。本工作簿其余内容不受影响。"
	},
	notPulled:      "未拉取对账单（flowbatch reconcile -provider）",
	nothingFlagged: "本批次每笔订单都与供应商对账单一致，对账单上也没有来历不明的扣款：无需处理。",
	notCovered: func(n, row int, sent string) string {
		return fmt.Sprintf("对账单未覆盖本批次 %d 笔订单（第一笔：第 %d 行，发送于 %s）：请重新拉取（flowbatch reconcile -provider）", n, row, sent)
	},
	skipped:       func(l string) string { return "其他账户的日志未参与核对：" + l },
	statementFile: "对账单文件", statementHead: "对账单头哈希", statementRecords: "对账单记录数",
	account: "账户", periods: "对账期间", submitFailed: "提交失败(-1)",
	roll:        "余额滚动核对",
	opening:     "期初余额",
	spend:       "− 成功支出（本批次）",
	charging:    "− 充值中金额（本批次）",
	other:       "− 期间内其他批次扣款（对账单）",
	unexplained: "− 期间内来历不明扣款（对账单）",
	expected:    "= 预计期末余额",
	actual:      "实际期末余额",
	difference:  "差额（实际 − 预计）",
	rollNote:    "差额如实列示，绝不隐藏。常见原因：批次期间充值（正数）、日志尚未知晓的退款（正数）、结果仍未知的订单（负数）。",
	noBalance:   func(which, why string) string { return which + "未读取：" + why },
	noSnapshot:  "日志中没有余额快照",
	at:          func(when string) string { return "（" + when + "）" },
}

// StateName is the workbook's word for s in lang (zh or en; en for any
// other), so that the terminal says what the workbook says.
func StateName(lang string, s batch.Status) string {
	w := english
	if lang == "zh" {
		w = chinese
	}
	if n, ok := w.states[s]; ok {
		return n
	}
	return string(s)
}
