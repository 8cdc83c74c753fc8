package reconcile

import (
	"fmt"

	"github.com/flowbatch/flowbatch/batch"
)

// words holds every label the workbook shows in one language. The English
// words are a contract scripts rely on; change them only with the README.
type words struct {
	summary, orders, exceptions string // sheet names

	columns       map[column]string // the Orders and Exceptions headers (columns.go)
	summaryHeader []string          // item, value
	productHeader []string          // pid, cardname, count, successes, spend

	states  map[batch.Status]string
	sources map[string]string

	// Summary items.
	batchID, inputFile, inputSHA, headHash, records, generatedAt, timeZone string
	inputRows, controlTotal, controlCheck                                  string
	spend, charging, refunded, orphans, orphanSpend, open, exceptionRows   string
	ok, mismatch                                                           string
	attestSHA                                                              string
	zoneName                                                               string

	extraName func(i int) string // for an extra column the journal does not name

	kinds   map[kind]string
	actions map[kind]string

	preExisting  string // reason of kindPreExisting
	orphanReason func(line int) string
	dupReason    func(of int) string
	costReason   func(submit, query string) string
	cbReason     func(callback, query string) string
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
)

var english = &words{
	summary: "Summary", orders: "Orders", exceptions: "Exceptions",
	columns: map[column]string{
		colRow: "row", colPhone: "phone", colPid: "pid", colCardName: "cardname", colOrderID: "orderid",
		colSporderID: "sporder_id", colCost: "cost", colState: "state", colSubmitted: "submitted_at",
		colFinal: "final_at", colSource: "source", colCode: "error_code", colReason: "reason",
		colException: "exception", colAction: "action",
	},
	summaryHeader: []string{"item", "value"},
	productHeader: []string{"pid", "cardname", "count", "successes", "spend"},
	states: map[batch.Status]string{
		batch.StatusSuccess: "success", batch.StatusFailed: "failed", batch.StatusCharging: "charging",
		batch.StatusUnknown: "unknown", batch.StatusRejected: "rejected", batch.StatusInvalid: "invalid",
		batch.StatusNotSubmitted: "not_submitted",
	},
	sources:   map[string]string{"query": "query", "callback": "callback", "submit": "submit"},
	batchID:   "batch_id",
	inputFile: "input_file", inputSHA: "input_sha256", headHash: "journal_head_hash",
	records: "journal_records", generatedAt: "generated_at", timeZone: "time_zone",
	attestSHA:     "attestation_sha256",
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
		kindPreExisting: "pre_existing",
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
	},
	preExisting: "the provider already had this orderid before this batch first sent it (210508)",
	extraName:   func(i int) string { return fmt.Sprintf("extra_%d", i) },
	orphanReason: func(line int) string {
		if line == 0 {
			return "not in the latest input"
		}
		return fmt.Sprintf("not in the latest input (row %d of an earlier input)", line)
	},
	dupReason:  func(of int) string { return fmt.Sprintf("duplicate of row %d", of) },
	costReason: func(s, q string) string { return fmt.Sprintf("submit said %s, query said %s", s, q) },
	cbReason:   func(c, q string) string { return fmt.Sprintf("callback said %s, query said %s", c, q) },
}

var chinese = &words{
	summary: "汇总", orders: "订单明细", exceptions: "异常",
	columns: map[column]string{
		colRow: "行号", colPhone: "手机号", colPid: "产品编码", colCardName: "产品名称", colOrderID: "商户订单号",
		colSporderID: "聚合订单号", colCost: "金额(元)", colState: "状态", colSubmitted: "提交时间",
		colFinal: "完成时间", colSource: "来源", colCode: "错误码", colReason: "说明",
		colException: "异常类型", colAction: "建议处理",
	},
	summaryHeader: []string{"项目", "数值"},
	productHeader: []string{"产品编码", "产品名称", "订单数", "成功数", "支出金额(元)"},
	states: map[batch.Status]string{
		batch.StatusSuccess: "成功", batch.StatusFailed: "失败", batch.StatusCharging: "充值中",
		batch.StatusUnknown: "未知", batch.StatusRejected: "已拒绝", batch.StatusInvalid: "无效",
		batch.StatusNotSubmitted: "未提交",
	},
	sources:   map[string]string{"query": "查询", "callback": "回调", "submit": "提交"},
	batchID:   "批次号",
	inputFile: "输入文件", inputSHA: "输入文件 SHA-256", headHash: "日志头哈希",
	records: "日志记录数", generatedAt: "生成时间", timeZone: "时区",
	attestSHA:     "存证文件 SHA-256",
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
		kindPreExisting: "订单号已存在",
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
	},
	preExisting: "本批次首次提交前，供应商已有此订单号（210508）",
	extraName:   func(i int) string { return fmt.Sprintf("附加列%d", i) },
	orphanReason: func(line int) string {
		if line == 0 {
			return "不在最新输入中"
		}
		return fmt.Sprintf("不在最新输入中（来自早前输入的第 %d 行）", line)
	},
	dupReason:  func(of int) string { return fmt.Sprintf("与第 %d 行重复", of) },
	costReason: func(s, q string) string { return fmt.Sprintf("提交返回 %s，查询返回 %s", s, q) },
	cbReason:   func(c, q string) string { return fmt.Sprintf("回调为%s，查询为%s", c, q) },
}

func lookupWords(lang string) (*words, error) {
	switch lang {
	case "", "zh":
		return chinese, nil
	case "en":
		return english, nil
	}
	return nil, fmt.Errorf("language %q: want zh or en", lang)
}
