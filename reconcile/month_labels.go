package reconcile

import (
	"fmt"
	"strings"
)

// monthWords are the month workbook's own labels in one language; the
// columns, states, carriers and the rest are the batch workbook's words.
type monthWords struct {
	*words
	allOrders, byProduct, byCarrier, repeats, provider string // sheet names
	byGroup                                            func(column string) string

	title    func(month string) string
	headline func(people int, spend, refunded string, open, failed int, check string) string
	tiles    []string // people, spend, refunded, open, batches, control

	failedNotice                                   func(n int) string
	verifyBlock, rulesBlock, batchBlock, totalWord string
	verifyHeader                                   []string // journal, batch, why
	rules                                          []string
	batchHeader                                    []string // see monthBatchColumns
	yes, no, failed                                string

	people, monthRows, lateRefunds, batches, chargeTime, month, workspace string
	monthTotal, monthCheck                                                string
	repeatHeader                                                          []string
	repeatPair, repeatPhone, intended, notIntended                        string
	noRepeats                                                             string
	providerMissing                                                       string
	late                                                                  func(finalMonth string) string
	pageHeader                                                            func(month string) string
}

var englishMonth = &monthWords{
	words:     english,
	allOrders: "All orders", byProduct: "By product", byCarrier: "By carrier", repeats: "Repeats", provider: "Provider",
	byGroup: func(c string) string { return sheetName("By " + c) },
	title:   func(m string) string { return "Flow gift month " + m + " · every batch of the workspace" },
	headline: func(people int, spend, refunded string, open, failed int, check string) string {
		s := fmt.Sprintf("%s people · spend %s yuan · refunded %s · open %s · control %s",
			thousands(int64(people)), spend, refunded, thousands(int64(open)), check)
		if failed > 0 {
			s += fmt.Sprintf(" · %d journal(s) FAILED verification", failed)
		}
		return s
	},
	tiles: []string{"people", "spend (yuan)", "refunded (yuan)", "open", "batches", "control"},
	failedNotice: func(n int) string {
		return fmt.Sprintf("%d journal(s) FAILED verification (listed below). Their rows are counted as the journal now reads, but it is not what was attested: keep the files, do not append, investigate.", n)
	},
	verifyBlock: "Journals that FAILED verification", rulesBlock: "Cut-off rules", batchBlock: "Batches", totalWord: "total",
	verifyHeader: []string{"journal", "batch_id", "why"},
	rules: []string{
		"Charge time decides the month. An order's charge time is when flowbatch journaled the provider's accepted answer to its submit (the At of the journal's S record); for an order whose answer was lost, the first answer or signed callback that proved the order exists.",
		"An order belongs to the month of its charge time in Beijing time (UTC+08:00). An order never proven charged (rejected, unknown, not submitted) belongs to the month of its first submit; a row never sent (invalid), to the month its batch read the input.",
		"A refund (a failed order) that arrives in a later month is shown in the month of its charge, marked late; the late column says the month it arrived in.",
		"A batch that runs across a month's end appears in each month with the rows of that month; its split is in the months column.",
	},
	batchHeader: []string{"batch_id", "input_file", "os_user", "host", "console_user", "confirmed_by",
		"rows", "success", "failed", "open", "spend", "refunded", "months (rows)", "journal_head_hash", "attested"},
	yes: "yes", no: "no", failed: "FAILED",
	people: "people (phones with a success)", monthRows: "rows of the month (All orders)", lateRefunds: "late refunds (arrived in a later month)",
	batches: "batches", chargeTime: "charge_time", month: "month", workspace: "workspace",
	monthTotal:   "month control total (sum of the batches' rows)",
	monthCheck:   "control_check (month control total = control_total)",
	repeatHeader: []string{"kind", "phone", "pid", "batches", "count", "amount", "intended"},
	repeatPair:   "phone+pid", repeatPhone: "phone",
	intended:        "intended (-allow-regift)",
	notIntended:     "NOT intended",
	noRepeats:       "No phone was charged in more than one batch of the month.",
	providerMissing: "The provider's three-way match is not part of this workbook: no statement was given for the month.",
	late:            func(m string) string { return "refund " + m },
	pageHeader:      func(m string) string { return "&LMonth " + hfEscape(m) + "&C&A" },
}

var chineseMonth = &monthWords{
	words:     chinese,
	allOrders: "全部订单", byProduct: "按产品", byCarrier: "按运营商", repeats: "重复赠送", provider: "供应商对账",
	byGroup: func(c string) string { return sheetName("按" + c) },
	title:   func(m string) string { return "流量赠送月度汇总 " + m + " · 工作区全部批次" },
	headline: func(people int, spend, refunded string, open, failed int, check string) string {
		s := fmt.Sprintf("%s 人 · 支出 %s 元 · 已退 %s · 待处理 %s · 勾稽 %s",
			thousands(int64(people)), spend, refunded, thousands(int64(open)), check)
		if failed > 0 {
			s += fmt.Sprintf(" · %d 个日志校验失败", failed)
		}
		return s
	},
	tiles: []string{"人数", "支出(元)", "已退(元)", "待处理", "批次数", "勾稽"},
	failedNotice: func(n int) string {
		return fmt.Sprintf("%d 个日志校验失败（见下表）。其订单按日志现状计入，但这不是存证时的内容：请保留文件，不要追加，并调查原因。", n)
	},
	verifyBlock: "校验失败的日志", rulesBlock: "截止规则", batchBlock: "批次", totalWord: "合计",
	verifyHeader: []string{"日志", "批次号", "原因"},
	rules: []string{
		"以扣款时间定归属月份。订单的扣款时间是 flowbatch 记下供应商受理其提交的应答的时间（日志 S 记录的时间）；应答丢失的订单，为首个证明订单存在的应答或已验签回调的时间。",
		"订单归入其扣款时间（北京时间 UTC+08:00）所在的月份。从未证明扣款的订单（已拒绝、未知、未提交）归入首次提交的月份；从未发送的行（无效行）归入其批次读取输入文件的月份。",
		"次月才到的退款（失败订单）仍列在扣款所在月份，并标为跨月；“跨月”列写明退款到达的月份。",
		"跨月运行的批次在每个月份中各列出该月的行；拆分情况见“月份(行数)”列。",
	},
	batchHeader: []string{"批次号", "输入文件", "系统用户", "主机", "控制台用户", "确认人",
		"行数", "成功", "失败", "待处理", "支出(元)", "已退(元)", "月份(行数)", "日志头哈希", "已存证"},
	yes: "是", no: "否", failed: "校验失败",
	people: "人数（成功的手机号）", monthRows: "本月行数（全部订单）", lateRefunds: "跨月退款（次月及以后到达）",
	batches: "批次数", chargeTime: "扣款时间", month: "月份", workspace: "工作区",
	monthTotal:   "本月控制合计（各批次行数之和）",
	monthCheck:   "勾稽校验（本月控制合计 = 控制合计）",
	repeatHeader: []string{"类型", "手机号", "产品编码", "批次", "次数", "金额(元)", "是否有意"},
	repeatPair:   "手机号+产品", repeatPhone: "手机号",
	intended:        "有意（-allow-regift）",
	notIntended:     "非有意",
	noRepeats:       "本月没有手机号在多个批次中扣款。",
	providerMissing: "本工作簿不含供应商三方对账：未提供本月的对账单。",
	late:            func(m string) string { return "退款于 " + m },
	pageHeader:      func(m string) string { return "&L月份 " + hfEscape(m) + "&C&A" },
}

func lookupMonthWords(lang string) (*monthWords, error) {
	return byLang(lang, chineseMonth, englishMonth)
}

// sheetName makes s a valid sheet name: at most 31 characters, none of
// []:*?/\.
func sheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
