package juhe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxReason bounds Outcome.Reason, in runes: it goes into journals and
// workbooks, and a provider error page must not flood them.
const maxReason = 200

// answer is what ParseResponse read out of a JSON answer besides the
// Outcome: the echoed request fields, which the Client cross-checks.
type answer struct {
	OrderID  string // result.orderid
	UOrderID string // result.uorderid, as batchquery and some answers name it
	Phone    string
	Pid      string
}

// names returns the orderid the answer names when it names one other
// than asked, in result.orderid or result.uorderid.
func (a answer) names(asked string) (string, bool) {
	for _, id := range []string{a.OrderID, a.UOrderID} {
		if id = strings.TrimSpace(id); id != "" && id != asked {
			return id, true
		}
	}
	return "", false
}

// ParseResponse classifies one HTTP answer to op. status is the HTTP
// status code; body is what was read of the body.
func ParseResponse(op Op, status int, body []byte) Outcome {
	o, _ := parseAnswer(op, status, body)
	return o
}

// parseAbout is ParseResponse for the answer to a request about orderID
// (and phone, when not empty): an answer that names another orderid or
// phone is not an answer about this order, whatever its code says. It is
// unknown, and keeps nothing of the other order (Outcome.Foreign).
func parseAbout(op Op, status int, body []byte, orderID, phone string) Outcome {
	o, a := parseAnswer(op, status, body)
	if id, ok := a.names(orderID); ok {
		return o.foreign(fmt.Sprintf("answer about another order: names orderid %s, not %s", snippet([]byte(id)), orderID))
	}
	if phone != "" && a.Phone != "" && a.Phone != phone {
		return o.foreign("answer about another order: names another phone")
	}
	return o
}

// parseAnswer is ParseResponse that also returns the echoed request fields.
// Anything it cannot read with certainty is ClassUnknown: an answer about
// money is never guessed, and an empty or broken answer is never success.
func parseAnswer(op Op, status int, body []byte) (Outcome, answer) {
	unknown := func(format string, args ...any) (Outcome, answer) {
		return Outcome{
			Class:      ClassUnknown,
			Code:       NoCode,
			Reason:     cleanReason(fmt.Sprintf(format, args...)),
			HTTPStatus: status,
			State:      StateNone,
		}, answer{}
	}

	trimmed := bytes.TrimSpace(body)
	// A UTF-8 byte-order mark is not JSON, but some gateways send one.
	trimmed = bytes.TrimPrefix(trimmed, []byte("\xef\xbb\xbf"))
	if len(trimmed) == 0 {
		return unknown("empty answer, HTTP %d", status)
	}
	if trimmed[0] != '{' {
		if looksLikeHTML(trimmed) {
			return unknown("HTML answer, HTTP %d", status)
		}
		if trimmed[0] == '[' || trimmed[0] == '"' || json.Valid(trimmed) {
			return unknown("JSON answer that is not an object, HTTP %d", status)
		}
		return unknown("non-JSON answer, HTTP %d: %s", status, snippet(trimmed))
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &top); err != nil {
		return unknown("malformed JSON answer, HTTP %d", status)
	}
	rawCode, ok := top["error_code"]
	if !ok || isNull(rawCode) {
		return unknown("JSON answer without error_code, HTTP %d", status)
	}
	code, ok := parseCode(rawCode)
	if !ok {
		return unknown("unreadable error_code %s, HTTP %d", snippet(rawCode), status)
	}

	reason := ""
	if s, ok := stringish(top["reason"]); ok {
		reason = s
	}
	o := Outcome{
		Class:      Classify(op, code),
		Code:       code,
		Reason:     cleanReason(reason),
		HTTPStatus: status,
		State:      StateNone,
	}
	result := resultFields(top["result"])
	var a answer
	a.OrderID, _ = stringish(result["orderid"])
	a.UOrderID, _ = stringish(result["uorderid"])
	a.Phone, _ = stringish(result["phone"])
	a.Pid, _ = stringish(result["pid"])
	o.SporderID, _ = stringish(result["sporder_id"])
	o.SporderID = strings.TrimSpace(o.SporderID)
	o.CardName, _ = stringish(result["cardname"])
	o.CardName = cleanReason(o.CardName)

	// The cost is read whenever present, whatever the code: a reconcile can
	// use it. Only code 0 turns a missing cost into a note in Reason.
	costNote := ""
	field, rawCost := "uordercash", result["uordercash"]
	if isNull(rawCost) {
		field, rawCost = "ordercash", result["ordercash"] // older flow/recharge
	}
	if isNull(rawCost) {
		costNote = "no uordercash in the answer"
	} else if s, ok := stringish(rawCost); !ok {
		costNote = "uordercash is not a string or a number"
	} else if m, err := ParseMoney(field, strings.TrimSpace(s)); err != nil {
		costNote = err.Error()
	} else {
		o.Cost, o.HasCost = m, true
	}

	if code != 0 {
		return o, a
	}
	if status < 200 || status > 299 {
		o.Class = ClassUnknown
		o.Reason = appendReason(o.Reason, fmt.Sprintf("error_code 0 with HTTP %d: query it", status))
		return o, a
	}
	if op == OpQuery && o.SporderID == "" {
		// game_state -1 (提交充值失败) may come without a sporder_id: the
		// submit failed, and no order number was given out.
		if st, ok := parseLineState(result["game_state"]); ok && st == StateSubmitFailed {
			o.Class, o.State = ClassAccepted, st
			return o, a
		}
	}
	if o.SporderID == "" {
		o.Class = ClassUnknown
		o.Reason = appendReason(o.Reason, "error_code 0 without sporder_id: the order may exist, query it")
		return o, a
	}
	if op == OpQuery {
		st, ok := parseLineState(result["game_state"])
		if !ok {
			o.Class = ClassUnknown
			o.Reason = appendReason(o.Reason, "error_code 0 with unreadable game_state "+snippet(result["game_state"]))
			return o, a
		}
		o.State = st
	}
	o.Class = ClassAccepted
	if op == OpQuery && o.HasCost && o.Cost == 0 {
		// A cost of 0 is no cost ("sometimes uordercash": an answer may
		// fill the field it does not know with 0): a success at 0.000 is
		// a success whose cost is unknown, never one that cost nothing.
		o.Cost, o.HasCost = 0, false
		costNote = "uordercash 0: no cost"
	}
	if costNote != "" {
		// The order exists whatever its cost says; the cost is then unknown.
		o.Reason = appendReason(o.Reason, costNote)
	}
	return o, a
}

// parseCode reads error_code as a JSON integer or a string holding one.
// Only canonical non-negative decimals are accepted: "0", not "00" or "0.0".
func parseCode(raw json.RawMessage) (int, bool) {
	s := string(raw)
	if len(raw) > 0 && raw[0] == '"' {
		if err := json.Unmarshal(raw, &s); err != nil {
			return 0, false
		}
		s = strings.TrimSpace(s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, false
	}
	return n, true
}

// parseGameState accepts 0, 1 and 9, as a JSON number or a string.
func parseGameState(raw json.RawMessage) (GameState, bool) {
	s, ok := stringish(raw)
	if !ok {
		return StateNone, false
	}
	switch strings.TrimSpace(s) {
	case "0":
		return StateCharging, true
	case "1":
		return StateSuccess, true
	case "9":
		return StateFailed, true
	}
	return StateNone, false
}

// resultFields returns result's fields when it is an object. null, [] and
// anything else give no fields, so nothing can be read as success from them.
func resultFields(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil
	}
	return m
}

// stringish reads a JSON string, or a JSON number as its literal text.
// null, booleans, objects and arrays are not values here.
func stringish(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return s, true
	case c == '-' || (c >= '0' && c <= '9'):
		return string(raw), true
	}
	return "", false
}

func isNull(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null"
}

func looksLikeHTML(b []byte) bool {
	if b[0] == '<' {
		return true
	}
	head := b
	if len(head) > 512 {
		head = head[:512]
	}
	return bytes.Contains(bytes.ToLower(head), []byte("<html"))
}

// snippet is a short, printable excerpt of b for a Reason.
func snippet(b []byte) string {
	const n = 40
	s := string(b)
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n]) + "…"
	}
	return strconv.Quote(s)
}

// cleanReason makes provider text safe for one line of a journal or a
// workbook: valid UTF-8, no control characters, at most maxReason runes.
func cleanReason(s string) string { return cleanN(s, maxReason) }

func cleanN(s string, max int) string {
	s = strings.ToValidUTF8(s, "�")
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			r = ' '
		}
		if r == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		if n == max {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}

// appendReason adds our note to the provider's reason, shortening the
// reason rather than the note.
func appendReason(reason, note string) string {
	note = cleanReason(note)
	if reason == "" {
		return note
	}
	budget := maxReason - utf8.RuneCountInString(note) - 2
	if budget < 40 {
		budget = 40
	}
	return cleanN(reason, budget) + "; " + note
}
