package workspace

import (
	"fmt"
	"strings"
)

// The guard's words, English and Chinese, in one place: its verdict
// lines and each finding, from the Finding's kind and fields. The
// English is what scripts and tests have always read; Chinese is for a
// person (the terminal's -lang zh, the console).
var guardWords = map[string][2]string{
	"refuses":       {"the workspace guard refuses batch %s (period %s); nothing was sent:", "工作区检查拒绝批次 %s（周期 %s）；什么都没有发送："},
	"passed":        {"workspace guard: batch %s (period %s) passed, against %d other journal%s in %s", "工作区检查：批次 %[1]s（周期 %[2]s）通过：已与 %[5]s 里其他 %[3]d 个日志比对，没有重复赠送"},
	"uncharged":     {"let through, since the earlier batch's journal shows them final and uncharged (nobody was charged for them this period):", "放行，因为之前批次的日志显示它们已最终确定且未扣费（这个周期没有人为它们付过钱）："},
	"wouldpass":     {"these would pass, since the earlier batch's journal shows them final and uncharged (nobody was charged for them this period):", "这些可以放行，因为之前批次的日志显示它们已最终确定且未扣费（这个周期没有人为它们付过钱）："},
	"onpurpose":     {"let through on purpose (-allow-regift):", "有意放行（-allow-regift）："},
	"rebuilt":       {"note: the workspace index was missing and was made again from the journals in %s; a journal kept in another folder is compared again once it runs again", "注意：工作区索引丢失，已根据 %s 里的日志重建；放在别的文件夹的日志，要等它再次运行后才会重新比对"},
	"clash":         {"batch id %q is batch %q spelled differently (journal %s): ids that differ only in case or in '-', '_', '.' are one batch. Try: -batch %s to resume that batch, or pick another id", "批次号 %q 与批次 %q 只是写法不同（日志 %s）：只在大小写或 '-'、'_'、'.' 上不同的批次号是同一个批次。试试：用 -batch %s 继续那个批次，或换一个批次号"},
	"elsewhere":     {"batch %q was already started with another journal: %s. Try: resume it with -journal %s, or pick another batch id", "批次 %q 已经用另一个日志开始过：%s。试试：用 -journal %s 继续它，或换一个批次号"},
	"sameinput":     {"this input file%s was already submitted under batch %q (journal %s, %s%s)", "这个输入文件%s已经在批次 %q 下提交过（日志 %s，%s%s）"},
	"sameinput.try": {". Try: check that this is the file you mean; a second batch on the same file pays everyone again, so it takes -allow-regift", "。试试：确认这就是你要的文件；同一个文件的第二个批次会给每个人再付一次，所以需要 -allow-regift"},
	"regift":        {"%d row%s of this batch %s already in batch %q for period %s%s (journal %s; %s): %s", "本批次有 %[1]d 行已在批次 %[4]q 里（周期 %[5]s%[6]s；日志 %[7]s；%[8]s）：%[9]s"},
	"regift.try":    {". One gift per person per period. Try: remove them from the file, or pass -allow-regift to send them again on purpose", "。每人每个周期只送一次。试试：从文件里删掉它们，或加 -allow-regift 有意再送一次"},
	"unch":          {"%d row%s of this batch %s sent by batch %q for period %s%s, and its journal %s shows %s final and uncharged (failed and refunded, or rejected): %s", "本批次有 %[1]d 行已由批次 %[4]q 在周期 %[5]s%[6]s 里发送过，它的日志 %[7]s 显示%[8]s已最终确定且未扣费（失败并已退款，或被拒绝）：%[9]s"},
	"missing":       {"journal %s%s has gone missing (last seen %s, %d records, head %.12s). Try: restore the file; if it is gone for good, forget it on purpose, saying why", "日志 %s%s 不见了（最后见到于 %s，%d 条记录，日志头 %.12s）。试试：恢复这个文件；如果确实永远没了，请有意地忘记它，并说明原因"},
	"cut":           {"journal %s%s was cut short: %s. Try: restore it from a copy; if the cut is known and accepted, forget it on purpose, saying why", "日志 %s%s 被截短了：%s。试试：从副本恢复它；如果截短是已知并接受的，请有意地忘记它，并说明原因"},
	"damaged":       {"journal %s%s cannot be read: %s. Try: flowbatch verify -journal %s; keep the file for the audit, move it out of the workspace folder, and forget it on purpose", "日志 %s%s 无法读取：%s。试试：flowbatch verify -journal %s；保留该文件备审计，把它移出工作区文件夹，再有意地忘记它"},
	"sent":          {"%d sent", "已发送 %d 行"},
	"planned":       {", %d planned, which it sends when it resumes", "，计划中 %d 行，它恢复时会发送"},
	"inputname":     {" (%s)", "（%s）"},
	"ofbatch":       {" of batch %q", "（批次 %q）"},
	"derived":       {" (its journal declares no period: the month of its first intent, Beijing time)", "（它的日志没有声明周期：取它第一个请求的月份，北京时间）"},
	"by":            {", by %s", "，操作者 %s"},
	"more":          {" and %d more", "，另有 %d 行"},
	"sep":           {", ", "，"},
	"here":          {" (row %d here, row %d there, %s)", "（这里第 %d 行，那边第 %d 行，%s）"},
	"there":         {" (its row %d, %s)", "（它的第 %d 行，%s）"},
	"st.sent":       {"sent", "已发送"},
	"st.planned":    {"planned", "计划中"},
	"st.final":      {"final and uncharged", "已最终确定且未扣费"},
	"it":            {"it", "它"},
	"them":          {"them", "它们"},
	"is":            {"is", ""},
	"are":           {"are", ""},
	"was":           {"was", ""},
	"were":          {"were", ""},
}

// gw is the guard's words for key in lang ("zh" or "en").
func gw(lang, key string, a ...any) string {
	w, ok := guardWords[key]
	if !ok {
		return key
	}
	f := w[0]
	if lang == "zh" {
		f = w[1]
	}
	if len(a) == 0 {
		return f
	}
	return fmt.Sprintf(f, a...)
}

// LinesIn is the findings in lang ("zh" or "en"), one line each.
func (f Findings) LinesIn(lang string) []string {
	var refuse, allowed, passed []string
	for _, x := range f.List {
		switch {
		case x.Kind == KindUncharged:
			passed = append(passed, "  - "+x.In(lang))
		case x.Allowed:
			allowed = append(allowed, "  - "+x.In(lang))
		default:
			refuse = append(refuse, "  - "+x.In(lang))
		}
	}
	var out []string
	if len(refuse) > 0 {
		out = append(out, gw(lang, "refuses", f.Batch, f.Period))
		out = append(out, refuse...)
	} else {
		out = append(out, gw(lang, "passed", f.Batch, f.Period, f.Compared, plural(f.Compared), f.Workspace))
	}
	if len(passed) > 0 {
		head := gw(lang, "uncharged")
		if len(refuse) > 0 {
			head = gw(lang, "wouldpass")
		}
		out = append(out, head)
		out = append(out, passed...)
	}
	if len(allowed) > 0 {
		out = append(out, gw(lang, "onpurpose"))
		out = append(out, allowed...)
	}
	if f.IndexRebuilt {
		out = append(out, gw(lang, "rebuilt", f.Workspace))
	}
	return out
}

// In is the finding in lang ("zh" or "en").
func (x Finding) In(lang string) string {
	o := x.Other
	switch x.Kind {
	case KindClash:
		return gw(lang, "clash", x.Why, o.BatchID, o.Journal, o.BatchID)
	case KindElsewhere:
		return gw(lang, "elsewhere", o.BatchID, o.Journal, o.Journal)
	case KindSameInput:
		s := gw(lang, "sameinput", inputName(lang, o.InputName), o.BatchID, o.Journal, sentPlanned(lang, x.Sent, x.Count-x.Sent), by(lang, o))
		if !x.Allowed {
			s += gw(lang, "sameinput.try")
		}
		return s
	case KindRegift:
		verb := gw(lang, "are")
		if x.Count == 1 {
			verb = gw(lang, "is")
		}
		s := gw(lang, "regift", x.Count, plural(x.Count), verb, o.BatchID, o.Period, derived(lang, o), o.Journal, sentPlanned(lang, x.Sent, x.Count-x.Sent), rowList(lang, x.Rows))
		if !x.Allowed {
			s += gw(lang, "regift.try")
		}
		return s
	case KindUncharged:
		verb, them := gw(lang, "were"), gw(lang, "them")
		if x.Count == 1 {
			verb, them = gw(lang, "was"), gw(lang, "it")
		}
		return gw(lang, "unch", x.Count, plural(x.Count), verb, o.BatchID, o.Period, derived(lang, o), o.Journal, them, rowList(lang, x.Rows))
	case KindMissing:
		return gw(lang, "missing", o.Journal, ofBatch(lang, o), o.LastSeen.UTC().Format("2006-01-02 15:04 UTC"), o.Records, o.Head)
	case KindCut:
		return gw(lang, "cut", o.Journal, ofBatch(lang, o), x.Why)
	case KindDamaged:
		return gw(lang, "damaged", o.Journal, ofBatch(lang, o), x.Why, o.Journal)
	}
	return string(x.Kind)
}

func sentPlanned(lang string, sent, planned int) string {
	s := gw(lang, "sent", sent)
	if planned > 0 {
		s += gw(lang, "planned", planned)
	}
	return s
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func inputName(lang, n string) string {
	if n == "" {
		return ""
	}
	return gw(lang, "inputname", n)
}

func ofBatch(lang string, o Other) string {
	if o.BatchID == "" {
		return ""
	}
	return gw(lang, "ofbatch", o.BatchID)
}

func derived(lang string, o Other) string {
	if o.PeriodDerived {
		return gw(lang, "derived")
	}
	return ""
}

func by(lang string, o Other) string {
	id := Identity{User: o.User, Host: o.Host}
	if id.User == "" && id.Host == "" {
		return ""
	}
	return gw(lang, "by", id.String())
}

func rowList(lang string, rows []RowHit) string {
	var b strings.Builder
	for i, r := range rows {
		if i == listed {
			b.WriteString(gw(lang, "more", len(rows)-listed))
			break
		}
		if i > 0 {
			b.WriteString(gw(lang, "sep"))
		}
		b.WriteString(r.Phone)
		state := gw(lang, "st.sent")
		switch {
		case r.OtherUncharged:
			state = gw(lang, "st.final")
		case !r.OtherSent:
			state = gw(lang, "st.planned")
		}
		if r.Line > 0 {
			b.WriteString(gw(lang, "here", r.Line, r.OtherLine, state))
		} else {
			b.WriteString(gw(lang, "there", r.OtherLine, state))
		}
	}
	return b.String()
}
