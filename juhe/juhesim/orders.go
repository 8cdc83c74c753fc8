package juhesim

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// order is one charged order, kept small and free of pointers: a million
// of them must fit, and the garbage collector need not scan them. Its
// sporder_id is derived from its index and charge time.
type order struct {
	phone     uint64
	chargedAt int64 // unix nanoseconds
	settledAt int64 // unix nanoseconds, 0 while charging
	cost      juhe.Money
	submits   int32
	cburl     int32 // index+1 into Server.cburls; 0 for none
	product   uint16
	oidLen    uint8
	state     uint8 // 0 charging, 1 success, 9 failed
	refunded  bool
	cbTries   uint8
	cbDone    bool
	charge    uint8 // 1 for an orderid's first charge, 2 for its second (Lag)…
	oid       [32]byte
}

// id returns the orderid. Comparing it to a string does not allocate.
func (o *order) id() string { return string(o.oid[:o.oidLen]) }

// cst is the provider's time zone, used in sporder_ids.
var cst = time.FixedZone("CST", 8*3600)

// sporderID is "F" + yyMMddHHmmss of the charge + 11 digits of sequence,
// the shape of the document's F22070512362939019255270.
func sporderID(idx int, chargedAt int64) string {
	var b strings.Builder
	b.Grow(24)
	b.WriteByte('F')
	b.WriteString(time.Unix(0, chargedAt).In(cst).Format("060102150405"))
	seq := strconv.Itoa(idx + 1)
	b.WriteString(strings.Repeat("0", 11-len(seq)))
	b.WriteString(seq)
	return b.String()
}

func (s *Server) handleSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.prelude(w, r, opSubmit) {
		return
	}
	f := r.Form
	phone, pid, oid := f.Get("phone"), f.Get("pid"), f.Get("orderid")
	if !s.keyOK(f.Get("key")) {
		s.answer(w, r, opSubmit, codeWrongKey, nil)
		return
	}
	okID := juhe.ValidOrderID(oid)
	if okID {
		s.countSubmit(oid)
	}
	if !juhe.SignEqual(strings.ToLower(f.Get("sign")), juhe.Sign(s.cfg.OpenID, s.cfg.Key, phone, pid, oid)) {
		s.answer(w, r, opSubmit, codeBadSign, nil)
		return
	}
	if !validPhone(phone) {
		s.answer(w, r, opSubmit, codeBadPhone, nil)
		return
	}
	pi, ok := s.catalog[pid]
	carrier := juhe.CarrierOf(phone)
	if !ok || carrier == juhe.CarrierUnknown {
		s.answer(w, r, opSubmit, codeNoProduct, nil)
		return
	}
	p := s.cfg.Products[pi]
	if p.Carrier != carrier {
		s.answer(w, r, opSubmit, codeWrongCarrier, nil)
		return
	}
	if !okID {
		s.answer(w, r, opSubmit, codeNoOrder, nil)
		return
	}
	phoneN, _ := strconv.ParseUint(phone, 10, 64)
	cburl := f.Get("cburl")

	fl := s.cfg.Faults
	now := time.Now()
	s.mu.Lock()
	charge := uint8(1)
	if first, dup := s.index.find(s.orders, oid); dup {
		if s.visible(&s.orders[first], now) {
			s.mu.Unlock()
			s.answer(w, r, opSubmit, codeDuplicate, nil)
			return
		}
		// The duplicate check lags (Faults.Lag): this charges again.
		charge = s.orders[first].charge + 1
		for i := len(s.orders) - 1; i > int(first); i-- {
			if s.orders[i].id() == oid && s.orders[i].charge >= charge {
				charge = s.orders[i].charge + 1
			}
		}
	}
	if s.balance < p.Price {
		s.mu.Unlock()
		s.answer(w, r, opSubmit, codeBalance, nil)
		return
	}
	idx := len(s.orders)
	o := order{
		cburl:     s.intern(cburl),
		phone:     phoneN,
		chargedAt: now.UnixNano(),
		cost:      p.Price,
		submits:   s.tries[oid],
		product:   uint16(pi),
		charge:    charge,
	}
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
	drop := s.roll(fl.DropAfterCharge)
	internal := !drop && s.roll(fl.Err10014AfterCharge)
	bad := !drop && !internal && s.roll(fl.HTML502After)
	sp := sporderID(idx, now.UnixNano())
	echoID := oid
	if !drop && !internal && !bad && s.roll(fl.Foreign) {
		// The other order's orderid and sporder_id. (Our orderid with
		// another's sporder_id, on an order's first answer, would be a
		// lie no client could see through; the statement shows it.)
		other := s.otherOrder(oid)
		echoID, sp = other.oid, other.sporderID
	}
	s.mu.Unlock()

	s.logf("%s %s phone=%s pid=%s charged %s", r.URL.Path, oid, phone, pid, p.Price)
	switch {
	case drop:
		s.drop(w, r)
	case internal:
		s.answer(w, r, opSubmit, codeInternal, nil)
	case bad:
		s.writeHTML502(w, r, "after the charge")
	default:
		s.answer(w, r, opSubmit, 0, map[string]string{
			"pid":        p.Pid,
			"uordercash": p.Price.String(),
			"cardname":   p.Name,
			"sporder_id": sp,
			"orderid":    echoID,
			"phone":      phone,
		})
	}
}

// visible reports whether the lookup and the duplicate check see o at now
// (Faults.Lag). Call with s.mu held.
func (s *Server) visible(o *order, now time.Time) bool {
	lag := s.cfg.Faults.Lag
	return lag <= 0 || now.UnixNano()-o.chargedAt >= int64(lag)
}

// foreignOrder is what a Foreign answer says about another order.
type foreignOrder struct {
	oid, sporderID string
	cost           juhe.Money
	state          uint8
}

// otherOrder picks a charged order whose orderid is not oid, or makes one
// up when there is none. Call with s.mu held.
func (s *Server) otherOrder(oid string) foreignOrder {
	for range 8 {
		if len(s.orders) == 0 {
			break
		}
		i := s.rng.IntN(len(s.orders))
		if o := &s.orders[i]; o.id() != oid {
			return foreignOrder{oid: o.id(), sporderID: sporderID(i, o.chargedAt), cost: o.cost, state: o.state}
		}
	}
	n := s.rng.Int64N(1e9)
	return foreignOrder{
		oid:       fmt.Sprintf("simother%09d", n),
		sporderID: fmt.Sprintf("F%s%011d", time.Now().In(cst).Format("060102150405"), 90000000000+n),
		cost:      s.cfg.Products[0].Price,
		state:     1,
	}
}

// countSubmit counts one submit of a well-formed orderid, charged or not.
func (s *Server) countSubmit(oid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if idx, ok := s.index.find(s.orders, oid); ok {
		s.orders[idx].submits++
		return
	}
	s.tries[oid]++
}

// intern numbers callback URLs, which repeat, so that an order holds a
// small number instead of a string. Call with s.mu held.
func (s *Server) intern(u string) int32 {
	if u == "" {
		return 0
	}
	if n, ok := s.cburlIDs[u]; ok {
		return n
	}
	s.cburls = append(s.cburls, u)
	n := int32(len(s.cburls))
	s.cburlIDs[u] = n
	return n
}

func (s *Server) handleQuery(w http.ResponseWriter, r *http.Request) {
	if !s.prelude(w, r, opQuery) {
		return
	}
	if !s.keyOK(r.Form.Get("key")) {
		s.answer(w, r, opQuery, codeWrongKey, nil)
		return
	}
	oid := r.Form.Get("orderid")
	s.mu.Lock()
	s.runDue()
	idx, ok := s.index.find(s.orders, oid)
	var o order
	if ok {
		o = s.orders[idx]
		ok = s.visible(&o, time.Now())
	}
	if s.roll(s.cfg.Faults.Foreign) {
		other := s.otherOrder(oid)
		name := s.rng.IntN(3)
		s.mu.Unlock()
		res := map[string]string{
			"uordercash": other.cost.String(),
			"sporder_id": other.sporderID,
			"game_state": strconv.Itoa(int(other.state)),
		}
		switch name {
		case 0:
			res["orderid"] = other.oid
		case 1:
			res["uorderid"] = other.oid
		}
		s.logf("%s %s → answered about %s", r.URL.Path, oid, other.oid)
		s.answer(w, r, opQuery, 0, res)
		return
	}
	s.mu.Unlock()
	if !ok {
		s.answer(w, r, opQuery, codeNoOrder, nil)
		return
	}
	s.answer(w, r, opQuery, 0, map[string]string{
		"uordercash": o.cost.String(),
		"sporder_id": sporderID(int(idx), o.chargedAt),
		"game_state": strconv.Itoa(int(o.state)),
	})
}

// settle decides an order's fate, refunds a failure and queues its
// callback. Call with s.mu held.
func (s *Server) settle(idx int) {
	o := &s.orders[idx]
	if o.state != 0 {
		return
	}
	o.settledAt = time.Now().UnixNano()
	if s.cfg.SuccessRatio > 0 && s.rng.Float64() < s.cfg.SuccessRatio {
		o.state = 1
	} else {
		o.state = 9
		o.refunded = true
		s.balance += o.cost
		s.refund += o.cost
	}
	if o.cburl != 0 {
		s.queueCallback(event{idx: int32(idx), kind: evCallback})
	}
}

// Ledger is the simulator's books: the balance and every order ever charged.
// GET /_sim/ledger answers it as JSON (with ?summary=1, without Orders).
type Ledger struct {
	Balance     juhe.Money    `json:"balance_li"`
	BalanceYuan string        `json:"balance"`
	Charged     juhe.Money    `json:"charged_li"`  // sum of every charge
	Refunded    juhe.Money    `json:"refunded_li"` // sum of every refund
	Count       int           `json:"count"`       // number of orders charged
	Orders      []LedgerOrder `json:"orders,omitempty"`
}

// LedgerOrder is one charged order.
type LedgerOrder struct {
	OrderID   string         `json:"orderid"`
	SporderID string         `json:"sporder_id"`
	Phone     string         `json:"phone"`
	Pid       string         `json:"pid"`
	CardName  string         `json:"cardname"`
	Cost      juhe.Money     `json:"cost_li"`
	CostYuan  string         `json:"cost"`
	State     juhe.GameState `json:"state"` // 0 charging, 1 success, 9 failed
	ChargedAt time.Time      `json:"charged_at"`
	SettledAt time.Time      `json:"settled_at,omitzero"`
	Refunded  bool           `json:"refunded"`
	// Submits counts every submit with this orderid and the right key,
	// including those answered with an error before or after the charge
	// (on the orderid's first charge only).
	Submits int `json:"submits"`
	// Charge is 1 for the orderid's first charge and 2 or more for a
	// charge the lagging duplicate check let through again (Faults.Lag):
	// each charge is its own entry.
	Charge int `json:"charge"`
	// Callbacks counts callback attempts; CallbackDelivered is set once
	// one got a response body.
	Callbacks         int  `json:"callbacks"`
	CallbackDelivered bool `json:"callback_delivered"`
}

func (s *Server) ledgerOrder(idx int, o *order) LedgerOrder {
	p := s.cfg.Products[o.product]
	lo := LedgerOrder{
		OrderID:           o.id(),
		SporderID:         sporderID(idx, o.chargedAt),
		Phone:             strconv.FormatUint(o.phone, 10),
		Pid:               p.Pid,
		CardName:          p.Name,
		Cost:              o.cost,
		CostYuan:          o.cost.String(),
		State:             juhe.GameState(o.state),
		ChargedAt:         time.Unix(0, o.chargedAt).In(cst),
		Refunded:          o.refunded,
		Submits:           int(o.submits),
		Charge:            int(o.charge),
		Callbacks:         int(o.cbTries),
		CallbackDelivered: o.cbDone,
	}
	if o.settledAt != 0 {
		lo.SettledAt = time.Unix(0, o.settledAt).In(cst)
	}
	return lo
}

// summary returns the ledger without orders and a copy of the orders.
// Call with s.mu held.
func (s *Server) summary() Ledger {
	return Ledger{
		Balance:     s.balance,
		BalanceYuan: s.balance.String(),
		Charged:     s.charged,
		Refunded:    s.refund,
		Count:       len(s.orders),
	}
}

// Ledger returns the books with every order, in charge order.
func (s *Server) Ledger() Ledger {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := s.summary()
	l.Orders = make([]LedgerOrder, len(s.orders))
	for i := range s.orders {
		l.Orders[i] = s.ledgerOrder(i, &s.orders[i])
	}
	return l
}

// Order returns the ledger entry of one orderid, if it was ever charged.
func (s *Server) Order(orderID string) (LedgerOrder, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	idx, ok := s.index.find(s.orders, orderID)
	if !ok {
		return LedgerOrder{}, false
	}
	return s.ledgerOrder(int(idx), &s.orders[idx]), true
}

// handleLedger streams the ledger from a snapshot, so that a large one does
// not hold up orders while it is written.
func (s *Server) handleLedger(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	l := s.summary()
	var snap []order
	if r.URL.Query().Get("summary") == "" {
		snap = make([]order, len(s.orders))
		copy(snap, s.orders)
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json")
	bw := bufio.NewWriterSize(w, 64<<10)
	head, _ := json.Marshal(l) // no orders: omitempty
	bw.Write(head[:len(head)-1])
	if snap != nil {
		bw.WriteString(`,"orders":[`)
		enc := json.NewEncoder(bw)
		for i := range snap {
			if i > 0 {
				bw.WriteByte(',')
			}
			if err := enc.Encode(s.ledgerOrder(i, &snap[i])); err != nil {
				return
			}
		}
		bw.WriteString("]")
	}
	bw.WriteString("}\n")
	bw.Flush()
}

// FetchLedger reads the ledger of a simulator running elsewhere (another
// process) from baseURL + "/_sim/ledger".
func FetchLedger(ctx context.Context, baseURL string) (Ledger, error) {
	var l Ledger
	err := fetchJSON(ctx, baseURL, "/_sim/ledger", "ledger", &l)
	return l, err
}

// FetchRequests reads the request counts of a simulator running elsewhere
// from baseURL + "/_sim/requests".
func FetchRequests(ctx context.Context, baseURL string) (Counts, error) {
	var c Counts
	err := fetchJSON(ctx, baseURL, "/_sim/requests", "request counts", &c)
	return c, err
}

func fetchJSON(ctx context.Context, baseURL, path, what string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(baseURL, "/")+path, nil)
	if err != nil {
		return fmt.Errorf("fetching the simulator %s: %w", what, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("fetching the simulator %s: %w", what, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("fetching the simulator %s: HTTP %d: %s", what, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("decoding the simulator %s: %w", what, err)
	}
	return nil
}
