package juhe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// maxNotes bounds the notes a parser keeps about lines it set aside.
const maxNotes = 20

// envelope reads an account-side answer's envelope: the Reply, and result
// when error_code is 0. ParseResponse stays the one reader of error_code
// and of non-answers (HTML pages, empty bodies…).
func envelope(path string, status int, body []byte) (Reply, json.RawMessage) {
	o := ParseResponse(OpQuery, status, body)
	r := Reply{Endpoint: endpointName(path), Code: o.Code, HTTPStatus: status}
	if o.Code == NoCode {
		r.Status, r.Reason = ReplyUnknown, o.Reason
		if status == 404 {
			r.Status, r.Reason = ReplyNotAvailable, appendReason(o.Reason, "no such endpoint here")
		}
		return r, nil
	}
	var top struct {
		Reason json.RawMessage `json:"reason"`
		Result json.RawMessage `json:"result"`
	}
	// ParseResponse has read this as a JSON object already.
	_ = json.Unmarshal(bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\xef\xbb\xbf")), &top)
	reason, _ := stringish(top.Reason)
	r.Reason = cleanReason(reason)
	r.Status = replyStatusOf(o.Code)
	if o.Code == 0 && (status < 200 || status > 299) {
		r.Status = ReplyUnknown
		r.Reason = appendReason(r.Reason, fmt.Sprintf("error_code 0 with HTTP %d", status))
	}
	if r.Status != ReplyOK {
		return r, nil
	}
	return r, top.Result
}

// replyStatusOf says what a provider code means for an account-side endpoint.
func replyStatusOf(code int) ReplyStatus {
	switch code {
	case 0:
		return ReplyOK
	case 10002, 10020, 10021:
		return ReplyNotAvailable
	case 210501, 210502, 210503, 210504:
		return ReplyRejected
	}
	switch Classify(OpQuery, code) {
	case ClassHalt:
		return ReplyRefused
	case ClassThrottled:
		return ReplyThrottled
	}
	return ReplyUnknown
}

// unreadable turns an OK reply into "not available: the shape cannot be read".
func unreadable(r Reply, why string) Reply {
	r.Status = ReplyNotAvailable
	r.Reason = appendReason(r.Reason, "answer not readable: "+why)
	return r
}

// parseBalance reads an ofpay/mobile/yue answer: result {uid, money}, money
// in yuan as a string ("8812.340") or a number.
func parseBalance(status int, body []byte) (Balance, Reply) {
	r, result := envelope(PathBalance, status, body)
	b := Balance{Credentials: credentialsOf(r)}
	if r.Status != ReplyOK {
		return b, r
	}
	fields := resultFields(result)
	if fields == nil {
		return b, unreadable(r, "result is not an object")
	}
	if uid, ok := stringish(fields["uid"]); ok {
		b.AccountID = cleanN(strings.TrimSpace(uid), 64)
	}
	raw, ok := stringish(fields["money"])
	if !ok {
		return b, unreadable(r, "no money in the result")
	}
	m, err := parseSignedMoney("money", strings.TrimSpace(raw))
	if err != nil {
		return b, unreadable(r, err.Error())
	}
	b.Money = m
	return b, r
}

// credentialsOf says what a balance answer proved. A code 0 proves the
// sign, hence the OpenID, even when the result cannot be read.
func credentialsOf(r Reply) Credentials {
	switch r.Code {
	case 0:
		if r.HTTPStatus >= 200 && r.HTTPStatus <= 299 {
			return CredsVerified
		}
	case 10001, 10003, 10009:
		return CredsKeyRefused
	case 10004:
		return CredsOpenIDRefused
	case 210506:
		return CredsSignRefused
	case 10002:
		return CredsKeyOnly
	}
	return CredsUnverified
}

// parseSignedMoney is ParseMoney that also takes a leading minus: an
// overdrawn account is still an answer.
func parseSignedMoney(field, s string) (Money, error) {
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		m, err := ParseMoney(field, rest)
		return -m, err
	}
	return ParseMoney(field, s)
}

// listOf finds the list in a result: the result itself, or its "data" or
// "list" field. null and [] are an empty list. An object without a list is
// read as empty only when it says its totalcount.
func listOf(result json.RawMessage) (items []json.RawMessage, fields map[string]json.RawMessage, err error) {
	result = bytes.TrimSpace(result)
	if isNull(result) || string(result) == `""` {
		return nil, nil, nil
	}
	if result[0] == '[' {
		if err := json.Unmarshal(result, &items); err != nil {
			return nil, nil, fmt.Errorf("result is not a list")
		}
		return items, nil, nil
	}
	fields = resultFields(result)
	if fields == nil {
		return nil, nil, fmt.Errorf("result is neither a list nor an object")
	}
	for _, name := range []string{"data", "list"} {
		raw, ok := fields[name]
		if !ok {
			continue
		}
		if isNull(raw) {
			return nil, fields, nil
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, nil, fmt.Errorf("result.%s is not a list", name)
		}
		return items, fields, nil
	}
	if _, ok := fields["totalcount"]; ok {
		return nil, fields, nil
	}
	return nil, nil, fmt.Errorf("result has no data or list")
}

// orderLine is the fields an order line of batchquery or ordersbydate may have.
type orderLine struct {
	OrderID, SporderID, StateRemark string
	State                           GameState
	Cost                            Money
	HasCost                         bool
	fields                          map[string]json.RawMessage
}

// namedIDs is every orderid a line names (uorderid, orderid), read as
// far as they can be, for a line that could not be read whole.
func (l *orderLine) namedIDs() []string {
	var ids []string
	for _, name := range []string{"uorderid", "orderid"} {
		if s, ok := stringish(l.fields[name]); ok && strings.TrimSpace(s) != "" {
			ids = append(ids, strings.TrimSpace(s))
		}
	}
	return ids
}

// readOrderLine reads the fields batchquery and ordersbydate share. The
// orderid is uorderid or orderid; when both are given they must agree.
func readOrderLine(raw json.RawMessage) (orderLine, error) {
	var l orderLine
	l.fields = resultFields(raw)
	if l.fields == nil {
		return l, fmt.Errorf("not an object")
	}
	text := func(name string) (string, bool, error) {
		v, present := l.fields[name]
		if !present || isNull(v) {
			return "", false, nil
		}
		s, ok := stringish(v)
		if !ok {
			return "", true, fmt.Errorf("%s is not a string", name)
		}
		return strings.TrimSpace(s), true, nil
	}
	u, hasU, err := text("uorderid")
	if err != nil {
		return l, err
	}
	o, hasO, err := text("orderid")
	if err != nil {
		return l, err
	}
	hasU, hasO = hasU && u != "", hasO && o != "" // an empty field names nothing
	if hasU && hasO && u != o {
		return l, fmt.Errorf("uorderid %q and orderid %q differ", cleanN(u, 40), cleanN(o, 40))
	}
	l.OrderID = u
	if !hasU {
		l.OrderID = o
	}
	if l.SporderID, _, err = text("sporder_id"); err != nil {
		return l, err
	}
	if l.OrderID != "" && !ValidOrderID(l.OrderID) {
		return l, fmt.Errorf("orderid %q is not 8-32 letters and digits", cleanN(l.OrderID, 40))
	}
	if len(l.SporderID) > 64 || strings.ContainsFunc(l.SporderID, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return l, fmt.Errorf("sporder_id %s is not an order number", snippet([]byte(l.SporderID)))
	}
	st, ok := parseLineState(l.fields["game_state"])
	if !ok {
		return l, fmt.Errorf("game_state %s is not 0, 1, 9 or -1", snippet(l.fields["game_state"]))
	}
	l.State = st
	remark, _, _ := text("state_remark")
	l.StateRemark = cleanReason(remark)

	field := "uordercash"
	cash, has, err := text(field)
	if !has {
		field = "ordercash"
		cash, has, err = text(field)
	}
	if err != nil {
		return l, err
	}
	if has && cash != "" {
		m, err := ParseMoney(field, cash)
		if err != nil {
			return l, err
		}
		l.Cost, l.HasCost = m, true
	}
	return l, nil
}

// parseLineState is parseGameState that also takes the provider's -1.
func parseLineState(raw json.RawMessage) (GameState, bool) {
	if s, ok := stringish(raw); ok && strings.TrimSpace(s) == "-1" {
		return StateSubmitFailed, true
	}
	return parseGameState(raw)
}

// parseBatchQuery reads a flow/batchquery answer to the orderids asked.
func parseBatchQuery(status int, body []byte, asked []string) (BatchResult, Reply) {
	r, result := envelope(PathBatchQuery, status, body)
	res := BatchResult{}
	if r.Status != ReplyOK {
		return res, r
	}
	items, _, err := listOf(result)
	if err != nil {
		return res, unreadable(r, err.Error())
	}
	want := make(map[string]bool, len(asked))
	for _, id := range asked {
		want[id] = true
	}
	drop := func(i int, id, why string) {
		res.DroppedCount++
		if len(res.Dropped) < maxNotes {
			if id != "" {
				why = fmt.Sprintf("orderid %s: %s", cleanN(id, 40), why)
			}
			res.Dropped = append(res.Dropped, fmt.Sprintf("item %d: %s", i+1, cleanReason(why)))
		}
	}
	res.Items = make(map[string]BatchItem, len(asked))
	conflict := map[string]bool{}
	// distrust sets aside every item about an asked orderid that an item
	// which cannot be used names: it is an answer about that order too,
	// and two answers that may differ are believed neither.
	distrust := func(ids ...string) {
		for _, id := range ids {
			if want[id] {
				delete(res.Items, id)
				conflict[id] = true
			}
		}
	}
	for i, raw := range items {
		l, err := readOrderLine(raw)
		switch {
		case err != nil:
			// Its orderid, if one can be read, stays absent: query it alone.
			drop(i, "", err.Error())
			distrust(l.namedIDs()...)
			continue
		case l.OrderID == "":
			drop(i, "", "no orderid")
			continue
		case !want[l.OrderID]:
			drop(i, l.OrderID, "not asked for")
			continue
		case l.SporderID == "" && l.State != StateSubmitFailed:
			drop(i, l.OrderID, "no sporder_id")
			distrust(l.OrderID)
			continue
		case conflict[l.OrderID]:
			drop(i, l.OrderID, "listed again")
			continue
		}
		it := BatchItem{OrderID: l.OrderID, SporderID: l.SporderID, State: l.State, StateRemark: l.StateRemark, Cost: l.Cost, HasCost: l.HasCost}
		if prev, dup := res.Items[l.OrderID]; dup {
			if prev != it {
				// Two different answers about one order: believe neither.
				delete(res.Items, l.OrderID)
				conflict[l.OrderID] = true
				drop(i, l.OrderID, "listed twice, differently")
			}
			continue
		}
		res.Items[l.OrderID] = it
	}
	for _, id := range asked {
		if _, ok := res.Items[id]; !ok {
			res.Absent = append(res.Absent, id)
		}
	}
	return res, r
}

// parseOrdersByDate reads one page of a flow/ordersbydate answer.
func parseOrdersByDate(status int, body []byte) (StatementPage, Reply) {
	r, result := envelope(PathOrdersByDate, status, body)
	var p StatementPage
	if r.Status != ReplyOK {
		return p, r
	}
	items, fields, err := listOf(result)
	if err != nil {
		return p, unreadable(r, err.Error())
	}
	if fields != nil {
		tc, okC := count(fields["totalcount"])
		tp, okP := count(fields["totalpage"])
		if okC || okP {
			p.TotalCount, p.TotalPage, p.HasTotals = tc, tp, true
		}
	}
	p.Orders = make([]StatementOrder, 0, len(items))
	for i, raw := range items {
		o, err := readStatementLine(raw)
		if err != nil {
			return StatementPage{}, unreadable(r, fmt.Sprintf("order %d of the page: %v", i+1, err))
		}
		p.Orders = append(p.Orders, o)
	}
	return p, r
}

func readStatementLine(raw json.RawMessage) (StatementOrder, error) {
	l, err := readOrderLine(raw)
	if err != nil {
		return StatementOrder{}, err
	}
	if l.OrderID == "" && l.SporderID == "" {
		return StatementOrder{}, fmt.Errorf("neither orderid nor sporder_id")
	}
	o := StatementOrder{OrderID: l.OrderID, SporderID: l.SporderID, State: l.State, Cost: l.Cost, HasCost: l.HasCost}
	str := func(name string, n int) string {
		s, _ := stringish(l.fields[name])
		return cleanN(strings.TrimSpace(s), n)
	}
	o.Phone, o.Pid, o.CardName = str("phone", 32), str("pid", 64), str("cardname", maxReason)
	if raw, ok := l.fields["addtime"]; ok && !isNull(raw) {
		s, ok := stringish(raw)
		if !ok {
			return StatementOrder{}, fmt.Errorf("addtime %s is not a time", snippet(raw))
		}
		t, err := parseAddTime(strings.TrimSpace(s))
		if err != nil {
			return StatementOrder{}, err
		}
		o.AddTime = t
	}
	return o, nil
}

// parseAddTime reads "2026-11-30 23:59:58" in Beijing time, or Unix seconds.
func parseAddTime(s string) (time.Time, error) {
	if len(s) == 10 && allDigits(s) {
		n, _ := strconv.ParseInt(s, 10, 64)
		return time.Unix(n, 0).In(Beijing), nil
	}
	t, err := time.ParseInLocation(TimeLayout, s, Beijing)
	if err != nil {
		return time.Time{}, fmt.Errorf("addtime %s is not like 2026-11-30 23:59:58", snippet([]byte(s)))
	}
	return t, nil
}

// count reads a non-negative total given as a number or a string.
func count(raw json.RawMessage) (int, bool) {
	s, ok := stringish(raw)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || len(s) > 12 {
		return 0, false
	}
	return n, true
}

// parseTelcheck reads a flow/telcheck answer, the flow/list shape.
func parseTelcheck(status int, body []byte) (NumberProducts, Reply) {
	r, result := envelope(PathTelcheck, status, body)
	np := NumberProducts{Carrier: CarrierUnknown}
	if r.Status != ReplyOK {
		return np, r
	}
	ps, err := parseProductGroups(result)
	if err != nil {
		return np, unreadable(r, err.Error())
	}
	np.Products = ps
	for i, p := range ps {
		if i == 0 {
			np.Carrier = p.Carrier
		} else if p.Carrier != np.Carrier {
			np.Carrier = CarrierUnknown
			break
		}
	}
	return np, r
}
