package juhesim

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// The account-side endpoints: ofpay/mobile/yue, flow/batchquery and
// flow/ordersbydate, and the test hook that charges behind a batch's back.

// Shapes picks, for the account-side endpoints, which of the documented
// answer shapes the simulator uses (NOTES.md). The zero value is the
// first documented shape of each.
type Shapes struct {
	// OrderID names a line's orderid "orderid" instead of "uorderid"
	// (flow/batchquery and flow/ordersbydate).
	OrderID bool
	// OrderCash names a line's cost "ordercash" instead of "uordercash".
	OrderCash bool
	// List puts flow/ordersbydate's orders in result.list instead of
	// result.data; Bare makes result the list itself, without totals.
	List, Bare bool
	// StringCode writes error_code as a string ("0") on the account-side
	// endpoints.
	StringCode bool
}

// DefaultAccountID is the uid the balance endpoint reports when
// Config.AccountID is empty.
const DefaultAccountID = "100001"

// codeBadParam answers an account-side request the simulator cannot
// serve as asked: more than 50 orderids, a period across a month, a page
// size over 100. The provider's own code for these is not public; this
// one is in no table, so a client reads it as unknown.
const codeBadParam = 210500

const (
	maxBatchQuery    = 50
	maxStatementPage = 100
)

// AccountCounts are the requests to the account-side endpoints.
type AccountCounts struct {
	Balance      int `json:"balance"`       // ofpay/mobile/yue requests
	BatchQueries int `json:"batch_queries"` // flow/batchquery requests
	BatchOrders  int `json:"batch_orders"`  // orderids asked by them, in all
	Statements   int `json:"statements"`    // flow/ordersbydate requests (pages)
	// Codes counts their JSON answers by error_code.
	Codes map[int]int `json:"codes"`
}

// accountState is the Server's state for the account-side endpoints.
type accountState struct {
	counts AccountCounts
	// The orders are in charge order unless Charge back-dated one (or the
	// clock stepped back): checked orders have been looked at, and
	// unsorted says whether one was out of order. While none is, a
	// statement page is found by binary search.
	checked  int
	unsorted bool
}

// AccountRequests returns a copy of the account-side request counts.
func (s *Server) AccountRequests() AccountCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.account.counts
	c.Codes = maps.Clone(c.Codes)
	if c.Codes == nil {
		c.Codes = map[int]int{}
	}
	return c
}

// FetchAccountRequests reads the account-side request counts of a
// simulator running elsewhere from baseURL + "/_sim/account-requests".
func FetchAccountRequests(ctx context.Context, baseURL string) (AccountCounts, error) {
	var c AccountCounts
	err := fetchJSON(ctx, baseURL, "/_sim/account-requests", "account request counts", &c)
	return c, err
}

func (s *Server) handleAccountRequests(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(s.AccountRequests())
}

// accountGate counts the request and answers what comes before serving
// it: the QPS limit, a wrong key, a key without permission. It reports
// whether to go on.
func (s *Server) accountGate(w http.ResponseWriter, r *http.Request, count func(*AccountCounts)) bool {
	s.mu.Lock()
	count(&s.account.counts)
	s.mu.Unlock()
	key := r.Form.Get("key")
	switch {
	case s.overQPS(key):
		s.accountAnswer(w, r, codeQPS, nil)
	case !s.keyOK(key):
		s.accountAnswer(w, r, codeWrongKey, nil)
	case s.cfg.AccountDenied:
		s.accountAnswer(w, r, codeNoPermission, nil)
	default:
		return true
	}
	return false
}

const codeNoPermission = 10002

// accountAnswer writes the envelope, with error_code a number or, under
// Shapes.StringCode, a string.
func (s *Server) accountAnswer(w http.ResponseWriter, r *http.Request, code int, result any) {
	s.mu.Lock()
	c := &s.account.counts
	if c.Codes == nil {
		c.Codes = map[int]int{}
	}
	c.Codes[code]++
	s.mu.Unlock()
	reason := "查询成功"
	switch c, ok := juhe.LookupCode(code); {
	case code == codeBadParam:
		reason = "参数错误"
	case ok && code != 0:
		reason = c.Text
	}
	var ec any = code
	if s.cfg.Shapes.StringCode {
		ec = strconv.Itoa(code)
	}
	body, err := json.Marshal(struct {
		Reason    string `json:"reason"`
		Result    any    `json:"result"`
		ErrorCode any    `json:"error_code"`
	}{reason, result, ec})
	if err != nil {
		panic(fmt.Sprintf("juhesim: encoding an answer: %v", err)) // only our own types are encoded
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write(body)
	if code != 0 {
		s.logf("%s → %d", r.URL.Path, code)
	}
}

// handleYue serves ofpay/mobile/yue: the balance, signed
// md5(OpenID+key+timestamp).
func (s *Server) handleYue(w http.ResponseWriter, r *http.Request) {
	if !s.accountGate(w, r, func(c *AccountCounts) { c.Balance++ }) {
		return
	}
	ts := r.Form.Get("timestamp")
	if _, err := strconv.ParseInt(ts, 10, 64); err != nil ||
		!juhe.SignEqual(strings.ToLower(r.Form.Get("sign")), juhe.BalanceSign(s.cfg.OpenID, s.cfg.Key, ts)) {
		s.accountAnswer(w, r, codeBadSign, nil)
		return
	}
	uid := s.cfg.AccountID
	if uid == "" {
		uid = DefaultAccountID
	}
	s.accountAnswer(w, r, 0, map[string]string{"uid": uid, "money": s.Balance().String()})
}

// accountLine is one order as batchquery and ordersbydate give it.
func (s *Server) accountLine(idx int, o *order, statement bool) map[string]string {
	oidField, cashField := "uorderid", "uordercash"
	if s.cfg.Shapes.OrderID {
		oidField = "orderid"
	}
	if s.cfg.Shapes.OrderCash {
		cashField = "ordercash"
	}
	m := map[string]string{
		"sporder_id": sporderID(idx, o.chargedAt),
		oidField:     o.id(),
		"game_state": strconv.Itoa(int(o.state)),
		cashField:    o.cost.String(),
	}
	if statement {
		p := s.cfg.Products[o.product]
		m["phone"] = strconv.FormatUint(o.phone, 10)
		m["pid"] = p.Pid
		m["cardname"] = p.Name
		m["addtime"] = time.Unix(0, o.chargedAt).In(juhe.Beijing).Format(juhe.TimeLayout)
	} else {
		m["state_remark"] = map[uint8]string{0: "充值中", 1: "充值成功", 9: "充值失败"}[o.state]
	}
	return m
}

// handleBatchQuery serves flow/batchquery: the orders of up to 50
// orderids; an orderid it does not know is absent from the list.
func (s *Server) handleBatchQuery(w http.ResponseWriter, r *http.Request) {
	var ids []string
	for _, id := range strings.Split(r.Form.Get("orderid"), ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	if !s.accountGate(w, r, func(c *AccountCounts) { c.BatchQueries++; c.BatchOrders += len(ids) }) {
		return
	}
	if len(ids) == 0 || len(ids) > maxBatchQuery {
		s.accountAnswer(w, r, codeBadParam, nil)
		return
	}
	list := []map[string]string{}
	seen := map[string]bool{}
	s.mu.Lock()
	s.runDue()
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if idx, ok := s.index.find(s.orders, id); ok {
			list = append(list, s.accountLine(int(idx), &s.orders[idx], false))
		}
	}
	s.mu.Unlock()
	s.accountAnswer(w, r, 0, list)
}

// handleOrdersByDate serves flow/ordersbydate: the orders charged between
// starttime and endtime (Beijing time, both in one month), newest first,
// page by page.
func (s *Server) handleOrdersByDate(w http.ResponseWriter, r *http.Request) {
	if !s.accountGate(w, r, func(c *AccountCounts) { c.Statements++ }) {
		return
	}
	f := r.Form
	start, err1 := time.ParseInLocation(juhe.TimeLayout, f.Get("starttime"), juhe.Beijing)
	end, err2 := time.ParseInLocation(juhe.TimeLayout, f.Get("endtime"), juhe.Beijing)
	page, err3 := formInt(f.Get("page"), 1)
	size, err4 := formInt(f.Get("pagesize"), maxStatementPage)
	if err := errors.Join(err1, err2, err3, err4); err != nil ||
		end.Before(start) || start.Year() != end.Year() || start.Month() != end.Month() ||
		page < 1 || size < 1 || size > maxStatementPage {
		s.accountAnswer(w, r, codeBadParam, nil)
		return
	}
	lo, hi := start.UnixNano(), end.Add(time.Second).UnixNano() // endtime is inclusive to the second

	s.mu.Lock()
	total, nth := s.inPeriod(lo, hi)
	lines := []map[string]string{}
	for k := (page - 1) * size; k < page*size && k < total; k++ {
		idx := nth(k)
		lines = append(lines, s.accountLine(idx, &s.orders[idx], true))
	}
	s.mu.Unlock()

	if s.cfg.Shapes.Bare {
		s.accountAnswer(w, r, 0, lines)
		return
	}
	field := "data"
	if s.cfg.Shapes.List {
		field = "list"
	}
	s.accountAnswer(w, r, 0, map[string]any{
		"totalcount": total,
		"totalpage":  (total + size - 1) / size,
		"page":       page,
		"pagesize":   size,
		field:        lines,
	})
}

// inPeriod counts the orders charged in [lo, hi) (unix nanoseconds) and
// returns a function giving the index of the k-th newest of them. Call
// with s.mu held; nth is valid while it is.
func (s *Server) inPeriod(lo, hi int64) (total int, nth func(k int) int) {
	a := &s.account
	for ; a.checked < len(s.orders); a.checked++ {
		if i := a.checked; i > 0 && s.orders[i].chargedAt < s.orders[i-1].chargedAt {
			a.unsorted = true
		}
	}
	if !a.unsorted {
		first := sort.Search(len(s.orders), func(i int) bool { return s.orders[i].chargedAt >= lo })
		end := sort.Search(len(s.orders), func(i int) bool { return s.orders[i].chargedAt >= hi })
		return end - first, func(k int) int { return end - 1 - k }
	}
	var in []int
	for i := range s.orders {
		if at := s.orders[i].chargedAt; at >= lo && at < hi {
			in = append(in, i)
		}
	}
	// Stable: orders charged in the same nanosecond stay in charge order.
	slices.SortStableFunc(in, func(x, y int) int { return cmp.Compare(s.orders[x].chargedAt, s.orders[y].chargedAt) })
	return len(in), func(k int) int { return in[len(in)-1-k] }
}

func formInt(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || len(v) > 9 {
		return 0, fmt.Errorf("%q is not a small number", v)
	}
	return n, nil
}

// ChargeRequest is a charge made outside any batch: another system, the
// web console, a leaked key. Its Submits count in the ledger stays 0.
type ChargeRequest struct {
	Phone, Pid string
	// OrderID is the order's orderid; empty picks a fresh one ("SIMX…").
	OrderID string
	// At is the charge time; zero means now. An earlier time back-dates
	// the order in the statement, e.g. to the last second of a month.
	At time.Time
}

// Charge charges an order as if another client had submitted it: it is in
// the ledger and the statement, debits the balance, and settles like any
// other order.
func (s *Server) Charge(req ChargeRequest) (LedgerOrder, error) {
	if !validPhone(req.Phone) {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: phone %q is not an 11-digit mainland number", req.Phone)
	}
	pi, ok := s.catalog[req.Pid]
	if !ok {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: pid %q is not in the catalogue", req.Pid)
	}
	p := s.cfg.Products[pi]
	if c := juhe.CarrierOf(req.Phone); c != p.Carrier {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: pid %s is for %s, %s is %s", p.Pid, p.Carrier.English(), req.Phone, c.English())
	}
	if req.OrderID != "" && !juhe.ValidOrderID(req.OrderID) {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: orderid %q is not 8-32 letters and digits", req.OrderID)
	}
	at := req.At
	if at.IsZero() {
		at = time.Now()
	}
	phoneN, _ := strconv.ParseUint(req.Phone, 10, 64)

	s.mu.Lock()
	defer s.mu.Unlock()
	oid := req.OrderID
	if oid == "" {
		for n := len(s.orders) + 1; ; n++ {
			oid = fmt.Sprintf("SIMX%010d", n)
			if _, taken := s.index.find(s.orders, oid); !taken {
				break
			}
		}
	} else if _, dup := s.index.find(s.orders, oid); dup {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: orderid %s was charged already", oid)
	}
	if s.balance < p.Price {
		return LedgerOrder{}, fmt.Errorf("juhesim: charge: balance %s is less than %s", s.balance, p.Price)
	}
	idx := len(s.orders)
	o := order{phone: phoneN, chargedAt: at.UnixNano(), cost: p.Price, product: uint16(pi)}
	o.oidLen = uint8(copy(o.oid[:], oid))
	s.orders = append(s.orders, o)
	delete(s.tries, oid)
	s.index.add(s.orders, int32(idx))
	s.balance -= p.Price
	s.charged += p.Price
	if s.cfg.SettleDelay < 0 {
		s.settle(idx)
	} else {
		s.at(s.cfg.SettleDelay, event{idx: int32(idx), kind: evSettle})
	}
	s.logf("charge outside any batch: %s phone=%s pid=%s charged %s", oid, req.Phone, p.Pid, p.Price)
	return s.ledgerOrder(idx, &s.orders[idx]), nil
}

// handleCharge serves POST /_sim/charge: form fields phone, pid, and
// optionally orderid and addtime ("2026-11-30 23:59:58", Beijing time).
func (s *Server) handleCharge(w http.ResponseWriter, r *http.Request) {
	req := ChargeRequest{Phone: r.Form.Get("phone"), Pid: r.Form.Get("pid"), OrderID: r.Form.Get("orderid")}
	if v := r.Form.Get("addtime"); v != "" {
		t, err := time.ParseInLocation(juhe.TimeLayout, v, juhe.Beijing)
		if err != nil {
			http.Error(w, "addtime: want 2026-11-30 23:59:58 (Beijing time)", http.StatusBadRequest)
			return
		}
		req.At = t
	}
	lo, err := s.Charge(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(lo)
}
