package reconcile

import (
	"strconv"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// shanghai is China Standard Time. A fixed zone, so the workbook does not
// depend on the machine's tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

const timeLayout = "2006-01-02 15:04:05"

// line is one Orders row, before it becomes cells.
type line struct {
	row       int // 0 for an order absent from the latest input
	phone     string
	pid       string
	cardName  string
	orderID   string
	sporderID string
	cost      juhe.Money
	hasCost   bool
	status    batch.Status
	carrier   juhe.Carrier
	submitted string // as text, for the CSV
	final     string
	// submittedAt and finalAt are the same times in ms, for the cells.
	submittedAt, finalAt int64
	source               string
	code                 int // 0 when none
	reason               string
	extra                []string

	exc []exception
}

type exception struct {
	kind   kind
	reason string
}

// lineMaker makes lines. It keeps the last formatted second of each time
// column: consecutive orders mostly share it, so most rows format none.
type lineMaker struct {
	w                *words
	submitted, final secondText
}

func newLineMaker(w *words) *lineMaker { return &lineMaker{w: w} }

// secondText formats a time to the second, remembering the last one.
type secondText struct {
	sec  int64
	text string
	buf  []byte
}

func (c *secondText) format(ms int64) string {
	if ms <= 0 {
		return ""
	}
	sec := ms / 1000
	if c.text == "" || sec != c.sec {
		c.buf = time.Unix(sec, 0).In(shanghai).AppendFormat(c.buf[:0], timeLayout)
		c.sec, c.text = sec, string(c.buf)
	}
	return c.text
}

// source is the word for what settled an order's state.
func (m *lineMaker) source(s string) string {
	if ws, ok := m.w.sources[s]; ok {
		return ws
	}
	return s
}

// fromRow joins an input row with its order (nil when the row has none).
func (m *lineMaker) fromRow(r *journal.RowRecord, o *batch.OrderState) line {
	w := m.w
	l := line{row: r.Line, phone: r.Phone, pid: r.Pid, orderID: r.OrderID, extra: r.Extra, carrier: juhe.CarrierOf(r.Phone)}
	switch {
	case !r.Submittable():
		l.status = batch.StatusInvalid
		l.reason = w.rowReason(r.Reason)
	case o == nil:
		l.status = batch.StatusNotSubmitted
	default:
		m.fill(&l, o)
	}
	if r.Status == journal.RowDuplicate || (o != nil && o.Dup) {
		of := r.DupOf
		if of == 0 && o != nil {
			of = o.DupOf
		}
		dr := w.dupReason(of)
		if l.status == batch.StatusInvalid && r.Reason == english.dupReason(of) {
			l.reason = "" // the row's own reason says it: once is enough
		}
		l.reason = join(dr, l.reason)
		if l.status != batch.StatusInvalid { // an unsubmitted duplicate is already an invalid row
			l.exc = append(l.exc, exception{kind: kindDuplicate, reason: dr})
		}
	}
	l.exceptions(w, o)
	return l
}

// fromOrphan is an order journaled from an earlier input.
func (m *lineMaker) fromOrphan(o *batch.OrderState) line {
	w := m.w
	l := line{phone: o.Phone, pid: o.Pid, orderID: o.OrderID, carrier: juhe.CarrierOf(o.Phone)}
	m.fill(&l, o)
	or := w.orphanReason(o.Line)
	l.reason = join(or, l.reason)
	l.exceptions(w, o)
	l.exc = append(l.exc, exception{kind: kindOrphan, reason: or})
	return l
}

func (m *lineMaker) fill(l *line, o *batch.OrderState) {
	l.cardName = o.CardName
	l.sporderID = o.SporderID
	l.cost, l.hasCost = o.Cost()
	if o.SubmitFailed() {
		l.cost, l.hasCost = 0, false // game_state -1: nothing was charged
	}
	l.status = o.Status()
	l.submitted = m.submitted.format(o.SubmittedAt)
	l.final = m.final.format(o.FinalAt)
	l.submittedAt, l.finalAt = max(o.SubmittedAt, 0), max(o.FinalAt, 0)
	if s := o.Source(); s != "" && l.status != batch.StatusNotSubmitted {
		l.source = m.source(s)
	}
	if o.Code > 0 {
		l.code = o.Code
	}
	l.reason = reasonOf(m.w, o, l.status)
}

// reasonOf is what the reason cell says about o. The book keeps the
// latest reason the provider sent with its code. Under code 0 that is the
// answer's own acknowledgement ("查询成功", "订单提交成功"), which says
// nothing about the order, so it is never shown. A failed order says why
// it failed; V2's query gives no cause, so that is "recharge failed"
// unless a provider error or the callback's err_msg came with one, or the
// query said -1 (the submit failed, nothing charged).
func reasonOf(w *words, o *batch.OrderState, st batch.Status) string {
	reason := o.Reason
	if o.Code == 0 {
		reason = ""
	}
	if st == batch.StatusFailed && reason == "" {
		switch {
		case o.SubmitFailed():
			reason = join(w.submitFailed, o.CallbackReason)
		case o.CallbackReason != "":
			reason = o.CallbackReason
		default:
			reason = w.rechargeFailed
		}
	}
	return reason
}

// charged is the amount the provider deducted for an input row: the cost
// of a success or a failed order (whose refund is refundedCost).
func (l *line) charged() (juhe.Money, bool) {
	if l.row == 0 || !l.hasCost || (l.status != batch.StatusSuccess && l.status != batch.StatusFailed) {
		return 0, false
	}
	return l.cost, true
}

// refundedCost is the amount the provider gave back for an input row: the
// cost of a failed order.
func (l *line) refundedCost() (juhe.Money, bool) {
	if l.row == 0 || !l.hasCost || l.status != batch.StatusFailed {
		return 0, false
	}
	return l.cost, true
}

func (l *line) carrierWord(w *words) string {
	if l.status == batch.StatusInvalid {
		return ""
	}
	return w.carriers[l.carrier]
}

// serialTime is the spreadsheet date-time serial (days since 1899-12-30)
// of the Beijing wall-clock time at ms, to the second.
func serialTime(ms int64) float64 {
	sec := ms/1000 + 8*3600
	return float64(sec)/86400 + 25569
}

func (l *line) exceptions(w *words, o *batch.OrderState) {
	var k kind
	switch l.status {
	case batch.StatusUnknown:
		k = kindUnknown
	case batch.StatusCharging:
		k = kindCharging
	case batch.StatusFailed:
		k = kindFailed
	case batch.StatusRejected:
		k = kindRejected
	case batch.StatusInvalid:
		k = kindInvalid
	case batch.StatusNotSubmitted:
		k = kindNotSubmitted
	default:
		k = -1
	}
	if k >= 0 {
		l.exc = append(l.exc, exception{kind: k, reason: l.reason})
	}
	if o == nil {
		return
	}
	if o.CallbackState.Final() && o.QueryState.Final() && o.CallbackState != o.QueryState {
		l.exc = append(l.exc, exception{kind: kindCallbackMismatch,
			reason: w.cbReason(gameWord(w, o.CallbackState), gameWord(w, o.QueryState))})
	}
	if o.Conflict != "" {
		l.exc = append(l.exc, exception{kind: kindConflict, reason: o.Conflict})
	}
	if o.SubmitHasCost && o.QueryHasCost && o.SubmitCost != o.QueryCost {
		l.exc = append(l.exc, exception{kind: kindCostMismatch,
			reason: w.costReason(o.SubmitCost.String(), o.QueryCost.String())})
	}
	if o.PreExisting {
		l.exc = append(l.exc, exception{kind: kindPreExisting, reason: w.preExisting})
	}
	if l.status == batch.StatusSuccess && !l.hasCost {
		// Never summed as 0 without a word: the spend falls short of it.
		l.exc = append(l.exc, exception{kind: kindCostUnknown, reason: w.costUnknown})
	}
}

func gameWord(w *words, s juhe.GameState) string {
	switch s {
	case juhe.StateSuccess:
		return w.states[batch.StatusSuccess]
	case juhe.StateFailed:
		return w.states[batch.StatusFailed]
	case juhe.StateCharging:
		return w.states[batch.StatusCharging]
	}
	return strconv.Itoa(int(s))
}

func join(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// costValue is the exact yuan value of m as a float64: the double nearest
// the three-decimal number, which is what Excel stores for that number.
// Below 2^53 厘 both m and 1000 are exact doubles and IEEE division rounds
// the true quotient m/1000 once, to that nearest double; beyond, parse the
// decimal text.
func costValue(m juhe.Money) float64 {
	if m > -1<<53 && m < 1<<53 {
		return float64(m) / 1000
	}
	f, _ := strconv.ParseFloat(m.String(), 64)
	return f
}
