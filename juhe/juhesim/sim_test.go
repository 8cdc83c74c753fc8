package juhesim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

const (
	testKey    = "k3y-for-tests"
	testOpenID = "JHopenid-for-tests"
	mobile     = "13800138000" // China Mobile
	unicom     = "13012345678" // China Unicom
)

func newSim(t *testing.T, cfg Config) *Server {
	t.Helper()
	cfg.Key, cfg.OpenID = testKey, testOpenID
	if cfg.SettleDelay == 0 {
		cfg.SettleDelay = time.Hour // settle only when a test asks for it
	}
	s := NewServer(cfg)
	t.Cleanup(s.Close)
	return s
}

func orderForm(phone, pid, oid string) url.Values {
	return url.Values{
		"key": {testKey}, "phone": {phone}, "pid": {pid}, "orderid": {oid},
		"sign": {juhe.Sign(testOpenID, testKey, phone, pid, oid)},
	}
}

type reply struct {
	ErrorCode int             `json:"error_code"`
	Reason    string          `json:"reason"`
	Result    json.RawMessage `json:"result"`
}

// call sends form to path by method and decodes the provider envelope.
func call(t *testing.T, s *Server, method, path string, form url.Values) reply {
	t.Helper()
	status, body, err := send(http.DefaultClient, s.URL, method, path, form)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	if status != http.StatusOK {
		t.Fatalf("%s %s: HTTP %d: %s", method, path, status, body)
	}
	var r reply
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("%s %s: %v in %s", method, path, err, body)
	}
	return r
}

func send(c *http.Client, base, method, path string, form url.Values) (int, []byte, error) {
	var req *http.Request
	var err error
	if method == http.MethodGet {
		req, err = http.NewRequest(method, base+path+"?"+form.Encode(), nil)
	} else {
		req, err = http.NewRequest(method, base+path, strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	}
	if err != nil {
		return 0, nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestSubmitErrorCodes(t *testing.T) {
	with := func(f url.Values, k, v string) url.Values {
		g := url.Values{}
		for kk, vv := range f {
			g[kk] = append([]string(nil), vv...)
		}
		g.Set(k, v)
		return g
	}
	resigned := func(phone, pid, oid string) url.Values { return orderForm(phone, pid, oid) }
	good := orderForm(mobile, "105000", "GOOD0000001")
	cases := []struct {
		name string
		form url.Values
		code int
	}{
		{"wrong key", with(good, "key", "nope"), codeWrongKey},
		{"missing key", with(good, "key", ""), codeWrongKey},
		{"bad sign", with(good, "sign", strings.Repeat("0", 32)), codeBadSign},
		{"sign with another openid", with(good, "sign", juhe.Sign("other", testKey, mobile, "105000", "GOOD0000001")), codeBadSign},
		{"missing sign", with(good, "sign", ""), codeBadSign},
		{"ten-digit phone", resigned("1380013800", "105000", "GOOD0000001"), codeBadPhone},
		{"phone 12x", resigned("12800138000", "105000", "GOOD0000001"), codeBadPhone},
		{"phone with letters", resigned("1380013800x", "105000", "GOOD0000001"), codeBadPhone},
		{"unknown pid", resigned(mobile, "999999", "GOOD0000001"), codeNoProduct},
		{"no carrier for prefix", resigned("14000000000", "105000", "GOOD0000001"), codeNoProduct},
		{"pid of another carrier", resigned(unicom, "105000", "GOOD0000001"), codeWrongCarrier},
		{"short orderid", resigned(mobile, "105000", "SHORT7x"), codeNoOrder},
		{"orderid with dash", resigned(mobile, "105000", "GOOD-0000001"), codeNoOrder},
		{"orderid too long", resigned(mobile, "105000", strings.Repeat("a", 33)), codeNoOrder},
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		s := newSim(t, Config{})
		for _, c := range cases {
			t.Run(method+"/"+c.name, func(t *testing.T) {
				r := call(t, s, method, "/flow/onlineorder", c.form)
				if r.ErrorCode != c.code {
					t.Errorf("error_code %d (%s), want %d", r.ErrorCode, r.Reason, c.code)
				}
				if string(r.Result) != "null" {
					t.Errorf("result %s, want null", r.Result)
				}
			})
		}
		if l := s.Ledger(); l.Count != 0 || l.Balance != DefaultBalance {
			t.Errorf("%s: after errors the ledger has %d orders and balance %s; want none charged", method, l.Count, l.Balance)
		}
		if got := s.Requests().Submits; got != len(cases) {
			t.Errorf("%s: Requests().Submits = %d, want %d", method, got, len(cases))
		}
	}
}

func TestGoodOrderDuplicateAndQuery(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			s := newSim(t, Config{})
			r := call(t, s, method, "/flow/onlineorder", orderForm(mobile, "105000", "20220705043629"))
			if r.ErrorCode != 0 || r.Reason != "订单提交成功，等待充值" {
				t.Fatalf("submit: %d %s", r.ErrorCode, r.Reason)
			}
			var res map[string]string
			if err := json.Unmarshal(r.Result, &res); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{"pid": "105000", "uordercash": "19.630", "cardname": "全国移动1G流量月包",
				"orderid": "20220705043629", "phone": mobile}
			for k, v := range want {
				if res[k] != v {
					t.Errorf("result %s = %q, want %q", k, res[k], v)
				}
			}
			if !regexp.MustCompile(`^F\d{23}$`).MatchString(res["sporder_id"]) {
				t.Errorf("sporder_id %q is not F + 23 digits", res["sporder_id"])
			}
			if got, want := s.Balance(), DefaultBalance-19630; got != want {
				t.Errorf("balance %s, want %s", got, want)
			}

			d := call(t, s, method, "/flow/onlineorder", orderForm(mobile, "105000", "20220705043629"))
			if d.ErrorCode != codeDuplicate {
				t.Errorf("duplicate: error_code %d, want %d", d.ErrorCode, codeDuplicate)
			}
			l := s.Ledger()
			if l.Count != 1 || l.Charged != 19630 || l.Balance != DefaultBalance-19630 {
				t.Fatalf("ledger after duplicate: count %d charged %s balance %s", l.Count, l.Charged, l.Balance)
			}
			o := l.Orders[0]
			if o.Submits != 2 || o.SporderID != res["sporder_id"] || o.Cost != 19630 || o.CostYuan != "19.630" || o.State != juhe.StateCharging {
				t.Errorf("ledger order %+v", o)
			}

			q := call(t, s, method, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"20220705043629"}})
			var qr map[string]string
			json.Unmarshal(q.Result, &qr)
			if q.ErrorCode != 0 || qr["uordercash"] != "19.630" || qr["game_state"] != "0" || qr["sporder_id"] != res["sporder_id"] {
				t.Errorf("query: %d %s", q.ErrorCode, q.Result)
			}
			if q := call(t, s, method, "/flow/ordersta", url.Values{"key": {"bad"}, "orderid": {"20220705043629"}}); q.ErrorCode != codeWrongKey {
				t.Errorf("query with a wrong key: %d", q.ErrorCode)
			}
			if q := call(t, s, method, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"NEVERSUBMITTED1"}}); q.ErrorCode != codeNoOrder {
				t.Errorf("query of an unknown orderid: %d", q.ErrorCode)
			}
		})
	}
}

func TestBalanceInsufficientThenTopUp(t *testing.T) {
	s := newSim(t, Config{})
	s.SetBalance(19629)
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "BALANCE00001")); r.ErrorCode != codeBalance {
		t.Fatalf("error_code %d, want %d", r.ErrorCode, codeBalance)
	}
	if l := s.Ledger(); l.Count != 0 || l.Balance != 19629 {
		t.Fatalf("210505 charged something: %+v", l)
	}
	status, body, err := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/balance", url.Values{"balance": {"19.63"}})
	if err != nil || status != http.StatusOK || !strings.Contains(string(body), `"balance_li":19630`) {
		t.Fatalf("top-up: %d %s %v", status, body, err)
	}
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "BALANCE00001")); r.ErrorCode != 0 {
		t.Fatalf("after top-up: error_code %d", r.ErrorCode)
	}
	o, ok := s.Order("BALANCE00001")
	if !ok || o.Submits != 2 || s.Balance() != 0 {
		t.Errorf("order %+v (found %v), balance %s; want 2 submits and balance 0", o, ok, s.Balance())
	}
	status, body, _ = send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/balance", url.Values{"add": {"1.5"}})
	if status != http.StatusOK || s.Balance() != 1500 {
		t.Errorf("add: %d %s, balance %s", status, body, s.Balance())
	}
	for _, bad := range []url.Values{{}, {"balance": {"-1"}}, {"balance": {"1"}, "add": {"1"}}, {"add": {"1e3"}}} {
		if status, _, _ := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/balance", bad); status != http.StatusBadRequest {
			t.Errorf("balance form %v: HTTP %d, want 400", bad, status)
		}
	}
}

func TestSettlement(t *testing.T) {
	cases := []struct {
		name   string
		ratio  float64
		delay  time.Duration
		state  juhe.GameState
		refund bool
	}{
		{"success", 1, 10 * time.Millisecond, juhe.StateSuccess, false},
		{"failure refunds", -1, 10 * time.Millisecond, juhe.StateFailed, true},
		{"at once", 1, -1, juhe.StateSuccess, false},
		{"at once failing", -1, -1, juhe.StateFailed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t, Config{SuccessRatio: c.ratio, SettleDelay: c.delay})
			for _, oid := range []string{"SETTLE000001", "SETTLE000002"} {
				if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105001", oid)); r.ErrorCode != 0 {
					t.Fatalf("submit: %d", r.ErrorCode)
				}
			}
			if c.delay < 0 {
				q := call(t, s, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"SETTLE000001"}})
				if !strings.Contains(string(q.Result), `"game_state":"`+map[juhe.GameState]string{1: "1", 9: "9"}[c.state]+`"`) {
					t.Errorf("first query after a settle-at-once submit: %s", q.Result)
				}
			}
			waitFor(t, "settlement", func() bool {
				l := s.Ledger()
				return l.Orders[0].State.Final() && l.Orders[1].State.Final()
			})
			l := s.Ledger()
			for _, o := range l.Orders {
				if o.State != c.state || o.Refunded != c.refund || o.SettledAt.IsZero() {
					t.Errorf("order %s: state %d refunded %v settled %v", o.OrderID, o.State, o.Refunded, o.SettledAt)
				}
			}
			want := DefaultBalance - 2*9810
			if c.refund {
				want = DefaultBalance
			}
			if l.Balance != want || l.Charged != 2*9810 || l.Charged-l.Refunded != DefaultBalance-l.Balance {
				t.Errorf("balance %s charged %s refunded %s; want balance %s", l.Balance, l.Charged, l.Refunded, want)
			}
		})
	}
}

// receiver is a callback endpoint that answers the given bodies in turn
// (the last one repeats) and records what it was sent.
type receiver struct {
	mu     sync.Mutex
	bodies []string
	got    []url.Values
	method []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r.Form)
	rc.method = append(rc.method, r.Method)
	b := rc.bodies[min(len(rc.got), len(rc.bodies))-1]
	io.WriteString(w, b)
}

func (rc *receiver) calls() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.got)
}

func TestCallbacks(t *testing.T) {
	cases := []struct {
		name      string
		method    string
		ratio     float64
		retries   int
		bodies    []string
		calls     int
		delivered bool
	}{
		{"GET success", "GET", 1, 0, []string{"success"}, 1, true},
		{"POST failure", "POST", -1, 0, []string{"ok"}, 1, true},
		{"retried while empty", "GET", 1, 3, []string{"", "", "success"}, 3, true},
		{"gives up after retries", "POST", 1, 2, []string{""}, 3, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rc := &receiver{bodies: c.bodies}
			hs := httptest.NewServer(rc)
			defer hs.Close()
			s := newSim(t, Config{SettleDelay: time.Millisecond, SuccessRatio: c.ratio, CallbackMethod: c.method,
				CallbackRetries: c.retries, CallbackInterval: 5 * time.Millisecond})
			f := orderForm(unicom, "106000", "CALLBACK0001")
			f.Set("cburl", hs.URL+"/cb?batch=7")
			if r := call(t, s, http.MethodPost, "/flow/onlineorder", f); r.ErrorCode != 0 {
				t.Fatalf("submit: %d", r.ErrorCode)
			}
			waitFor(t, "callbacks to finish", func() bool {
				o, _ := s.Order("CALLBACK0001")
				s.mu.Lock()
				defer s.mu.Unlock()
				return o.Callbacks == c.calls && len(s.events) == 0 && len(s.ready) == 0
			})
			if n := rc.calls(); n != c.calls {
				t.Fatalf("receiver got %d calls, want %d", n, c.calls)
			}
			o, _ := s.Order("CALLBACK0001")
			if o.CallbackDelivered != c.delivered {
				t.Errorf("delivered %v, want %v", o.CallbackDelivered, c.delivered)
			}
			rc.mu.Lock()
			defer rc.mu.Unlock()
			for i, g := range rc.got {
				if rc.method[i] != c.method {
					t.Errorf("call %d by %s, want %s", i, rc.method[i], c.method)
				}
				sta := "1"
				if c.ratio < 0 {
					sta = "9"
					if g.Get("err_msg") == "" {
						t.Errorf("failure callback without err_msg: %v", g)
					}
				}
				if g.Get("sporder_id") != o.SporderID || g.Get("orderid") != "CALLBACK0001" || g.Get("sta") != sta ||
					g.Get("sign") != juhe.CallbackSign(testKey, o.SporderID, "CALLBACK0001") {
					t.Errorf("call %d: %v", i, g)
				}
				if c.method == "GET" && g.Get("batch") != "7" {
					t.Errorf("the cburl's own query was lost: %v", g)
				}
			}
		})
	}
}

func TestFaults(t *testing.T) {
	noKeepAlive := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	cases := []struct {
		name    string
		faults  Faults
		status  int // 0: a transport error
		code    int // error_code when the answer is JSON
		charged bool
	}{
		{"drop after charge", Faults{DropAfterCharge: 1}, 0, 0, true},
		{"10014 after charge", Faults{Err10014AfterCharge: 1}, 200, codeInternal, true},
		{"HTML 502 before", Faults{HTML502Before: 1}, 502, 0, false},
		{"HTML 502 after", Faults{HTML502After: 1}, 502, 0, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newSim(t, Config{Faults: c.faults})
			status, body, err := send(noKeepAlive, s.URL, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "FAULT0000001"))
			switch {
			case c.status == 0:
				if err == nil {
					t.Fatalf("want a connection error, got HTTP %d %s", status, body)
				}
			case err != nil:
				t.Fatal(err)
			case status != c.status:
				t.Fatalf("HTTP %d, want %d: %s", status, c.status, body)
			case status == 502:
				if !strings.Contains(string(body), "<html>") || json.Valid(body) {
					t.Errorf("502 body is not an HTML page: %s", body)
				}
			default:
				var r reply
				if json.Unmarshal(body, &r); r.ErrorCode != c.code {
					t.Errorf("error_code %d, want %d", r.ErrorCode, c.code)
				}
			}
			o, ok := s.Order("FAULT0000001")
			if ok != c.charged {
				t.Fatalf("charged %v, want %v", ok, c.charged)
			}
			if c.charged && (o.Submits != 1 || s.Balance() != DefaultBalance-19630) {
				t.Errorf("order %+v, balance %s", o, s.Balance())
			}
			if !c.charged && s.Balance() != DefaultBalance {
				t.Errorf("balance %s moved without a charge", s.Balance())
			}
			// Query sees HTML502Before too, and nothing else.
			status, body, _ = send(noKeepAlive, s.URL, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"FAULT0000001"}})
			if (status == 502) != (c.faults.HTML502Before > 0) {
				t.Errorf("query: HTTP %d %s", status, body)
			}
		})
	}
}

func TestLatency(t *testing.T) {
	s := newSim(t, Config{Faults: Faults{Latency: 1, LatencyMin: 60 * time.Millisecond, LatencyMax: 80 * time.Millisecond}})
	start := time.Now()
	if r := call(t, s, http.MethodGet, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"NOSUCHORDER1"}}); r.ErrorCode != codeNoOrder {
		t.Errorf("error_code %d", r.ErrorCode)
	}
	if d := time.Since(start); d < 60*time.Millisecond {
		t.Errorf("answered in %v, want at least 60ms", d)
	}
	if n := s.Requests().Slowed; n != 1 {
		t.Errorf("Slowed %d, want 1", n)
	}
}

func TestQPS(t *testing.T) {
	s := newSim(t, Config{QPS: 2})
	accepted, limited := 0, 0
	for i := range 6 {
		r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "QPS00000000"+string(rune('a'+i))))
		switch r.ErrorCode {
		case 0:
			accepted++
		case codeQPS:
			limited++
		default:
			t.Fatalf("error_code %d", r.ErrorCode)
		}
	}
	// Six requests in well under a second span at most two windows.
	if limited < 2 {
		t.Errorf("%d answered 10012, want at least 2", limited)
	}
	l := s.Ledger()
	if l.Count != accepted || s.Requests().SubmitCodes[codeQPS] != limited {
		t.Errorf("%d accepted but %d charged; counts %+v", accepted, l.Count, s.Requests())
	}
	for _, o := range l.Orders {
		if o.Submits != 1 {
			t.Errorf("%s: %d submits counted; a 10012 must touch nothing", o.OrderID, o.Submits)
		}
	}
}

func TestCatalogue(t *testing.T) {
	s := newSim(t, Config{})
	r := call(t, s, http.MethodGet, "/flow/list", url.Values{"key": {testKey}})
	var groups []listGroup
	if err := json.Unmarshal(r.Result, &groups); err != nil || r.ErrorCode != 0 || r.Reason != "查询成功" {
		t.Fatalf("flow/list: %d %s %v", r.ErrorCode, r.Result, err)
	}
	n, seen := 0, false
	for _, g := range groups {
		for _, f := range g.Flows {
			n++
			if f.ID == "105000" {
				seen = f.InPrice == "19.630" && f.P == "全国移动1G流量月包" && g.Company == "中国移动" && f.V == "1024"
			}
		}
	}
	if n != len(DefaultCatalogue()) || !seen || len(groups) != 3 {
		t.Errorf("flow/list: %d products, 105000 right: %v; %s", n, seen, r.Result)
	}
	r = call(t, s, http.MethodPost, "/flow/telcheck", url.Values{"key": {testKey}, "phone": {unicom}})
	if err := json.Unmarshal(r.Result, &groups); err != nil || len(groups) != 1 || groups[0].Company != "中国联通" {
		t.Errorf("telcheck for a Unicom number: %s", r.Result)
	}
	if r := call(t, s, http.MethodGet, "/flow/list", url.Values{"key": {"x"}}); r.ErrorCode != codeWrongKey {
		t.Errorf("flow/list with a wrong key: %d", r.ErrorCode)
	}
	for _, bad := range [][]juhe.Product{
		{{Pid: "1", Name: "x", Carrier: juhe.CarrierMobile, Price: 0}},
		{{Pid: "1", Name: "x", Carrier: juhe.CarrierUnknown, Price: 1}},
		{{Pid: "1", Name: "x", Carrier: juhe.CarrierMobile, Price: 1}, {Pid: "1", Name: "y", Carrier: juhe.CarrierMobile, Price: 1}},
	} {
		if _, err := NewServerAt("127.0.0.1:0", Config{Key: "k", OpenID: "o", Products: bad}); err == nil {
			t.Errorf("catalogue %v accepted", bad)
		}
	}
}

func TestLedgerEndpoint(t *testing.T) {
	s := newSim(t, Config{SettleDelay: -1, SuccessRatio: 0.5, Seed: 7})
	for _, oid := range []string{"LEDGER000001", "LEDGER000002", "LEDGER000003"} {
		call(t, s, http.MethodGet, "/flow/onlineorder", orderForm(mobile, "105002", oid))
	}
	got, err := FetchLedger(context.Background(), s.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	want := s.Ledger()
	a, _ := json.Marshal(got)
	b, _ := json.Marshal(want)
	if string(a) != string(b) || got.Count != 3 || len(got.Orders) != 3 {
		t.Errorf("FetchLedger:\n%s\nLedger():\n%s", a, b)
	}
	counts, err := FetchRequests(context.Background(), s.URL)
	if err != nil || counts.Submits != 3 || counts.SubmitCodes[0] != 3 {
		t.Errorf("FetchRequests: %+v, %v", counts, err)
	}
	_, body, _ := send(http.DefaultClient, s.URL, http.MethodGet, "/_sim/ledger", url.Values{"summary": {"1"}})
	var sum map[string]any
	if err := json.Unmarshal(body, &sum); err != nil || sum["orders"] != nil || sum["balance"] != want.BalanceYuan {
		t.Errorf("summary ledger: %s (%v)", body, err)
	}
}

func TestSeedReplays(t *testing.T) {
	states := func() string {
		s := newSim(t, Config{SettleDelay: -1, SuccessRatio: 0.5, Seed: 42})
		var b strings.Builder
		for i := range 20 {
			oid := "SEED" + strings.Repeat("0", 6) + string(rune('A'+i))
			call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", oid))
			o, _ := s.Order(oid)
			b.WriteString(map[juhe.GameState]string{1: "1", 9: "9"}[o.State])
		}
		return b.String()
	}
	a, b := states(), states()
	if a != b || !strings.Contains(a, "1") || !strings.Contains(a, "9") {
		t.Errorf("same seed, different fates: %s vs %s", a, b)
	}
}

func TestCloseIsPromptAndLeaksNothing(t *testing.T) {
	before := runtime.NumGoroutine()
	hang := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	// One server has a callback hanging, the other a slow query.
	s := NewServer(Config{Key: testKey, OpenID: testOpenID, SettleDelay: -1, CallbackInterval: time.Hour})
	slow := NewServer(Config{Key: testKey, OpenID: testOpenID, Faults: Faults{Latency: 1, LatencyMin: time.Hour, LatencyMax: time.Hour}})
	f := orderForm(mobile, "105000", "CLOSE0000001")
	f.Set("cburl", hs.URL)
	call(t, s, http.MethodPost, "/flow/onlineorder", f)
	errc := make(chan error, 1)
	go func() {
		_, _, err := send(&http.Client{}, slow.URL, http.MethodGet, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"CLOSE0000001"}})
		errc <- err
	}()
	waitFor(t, "the callback and the slow query to be in flight", func() bool {
		return s.Requests().Callbacks == 1 && slow.Requests().Slowed == 1
	})
	start := time.Now()
	s.Close()
	slow.Close()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v", d)
	}
	if err := <-errc; err == nil {
		t.Errorf("the slow query was answered after Close")
	}
	close(hang)
	hs.Close()
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, "goroutines to end", func() bool { return runtime.NumGoroutine() <= before })
}

// Faults.Lag: the lookup and the duplicate check do not see an order until
// Lag after its charge; a resubmit then charges again, and the ledger
// shows both charges.
func TestLagChargesAgain(t *testing.T) {
	const lag = 300 * time.Millisecond
	s := newSim(t, Config{Faults: Faults{Lag: lag}})
	oid := "lagorder0001"
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", oid)); r.ErrorCode != 0 {
		t.Fatalf("first submit: %+v", r)
	}
	if r := call(t, s, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {oid}}); r.ErrorCode != codeNoOrder {
		t.Errorf("query within the lag: %d, want %d", r.ErrorCode, codeNoOrder)
	}
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", oid)); r.ErrorCode != 0 {
		t.Errorf("resubmit within the lag: %+v, want charged again", r)
	}
	waitFor(t, "the lag to pass", func() bool {
		return call(t, s, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {oid}}).ErrorCode == 0
	})
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", oid)); r.ErrorCode != codeDuplicate {
		t.Errorf("resubmit after the lag: %d, want %d", r.ErrorCode, codeDuplicate)
	}
	l := s.Ledger()
	if len(l.Orders) != 2 || l.Orders[0].Charge != 1 || l.Orders[1].Charge != 2 || l.Orders[1].OrderID != oid {
		t.Fatalf("ledger %+v: want two charges of %s", l.Orders, oid)
	}
	if l.Charged != 2*19630 {
		t.Errorf("charged %s, want two charges", l.Charged)
	}
}

// Faults.Foreign: every answer is about another order.
func TestForeignAnswers(t *testing.T) {
	s := newSim(t, Config{Faults: Faults{Foreign: 1}})
	ids := []string{"foreign00001", "foreign00002", "foreign00003"}
	for _, oid := range ids {
		r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", oid))
		var res struct {
			OrderID   string `json:"orderid"`
			SporderID string `json:"sporder_id"`
		}
		json.Unmarshal(r.Result, &res)
		lo, ok := s.Order(oid)
		if r.ErrorCode != 0 || !ok {
			t.Fatalf("submit %s: %+v, charged %v", oid, r, ok)
		}
		if res.OrderID == oid || res.SporderID == lo.SporderID {
			t.Errorf("submit %s answered truthfully: %s", oid, r.Result)
		}
	}
	named := map[string]int{}
	for range 30 {
		r := call(t, s, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {ids[0]}})
		var res map[string]string
		json.Unmarshal(r.Result, &res)
		lo, _ := s.Order(ids[0])
		if r.ErrorCode != 0 || res["sporder_id"] == lo.SporderID || res["orderid"] == ids[0] || res["uorderid"] == ids[0] {
			t.Errorf("query answered about the order itself: %d %s", r.ErrorCode, r.Result)
		}
		switch {
		case res["orderid"] != "":
			named["orderid"]++
		case res["uorderid"] != "":
			named["uorderid"]++
		default:
			named["none"]++
		}
	}
	if len(named) != 3 {
		t.Errorf("answers named the other order as %v; want orderid, uorderid and neither", named)
	}
	// An orderid never charged gets an answer about another order too.
	if r := call(t, s, http.MethodPost, "/flow/ordersta", url.Values{"key": {testKey}, "orderid": {"neverseen001"}}); r.ErrorCode != 0 {
		t.Errorf("query of an unknown order: %d, want a lie (0)", r.ErrorCode)
	}
}

// A ported number (携号转网) is its new carrier's: telcheck lists that
// carrier's products, a submit of its prefix's carrier's product is
// 210504 and one of its new carrier's is charged. Numbers are ported by
// Config, by Port and by POST /_sim/port; TelcheckDown answers 502.
func TestSimPortedNumbers(t *testing.T) {
	s := newSim(t, Config{Ported: map[string]juhe.Carrier{mobile: juhe.CarrierUnicom}})
	var groups []listGroup
	r := call(t, s, http.MethodPost, "/flow/telcheck", url.Values{"key": {testKey}, "phone": {mobile}})
	if err := json.Unmarshal(r.Result, &groups); err != nil || len(groups) != 1 || groups[0].Company != "中国联通" {
		t.Fatalf("telcheck for a Mobile number ported to Unicom: %s", r.Result)
	}
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "port00000001")); r.ErrorCode != codeWrongCarrier {
		t.Errorf("a Mobile product for the ported number: %d %s", r.ErrorCode, r.Reason)
	}
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "106000", "port00000002")); r.ErrorCode != 0 {
		t.Errorf("a Unicom product for the ported number: %d %s", r.ErrorCode, r.Reason)
	}
	status, body, err := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/port", url.Values{"phone": {unicom}, "carrier": {"telecom"}})
	if err != nil || status != http.StatusNoContent {
		t.Fatalf("POST /_sim/port: %d %s %v", status, body, err)
	}
	r = call(t, s, http.MethodPost, "/flow/telcheck", url.Values{"key": {testKey}, "phone": {unicom}})
	if err := json.Unmarshal(r.Result, &groups); err != nil || len(groups) != 1 || groups[0].Company != "中国电信" {
		t.Fatalf("telcheck after /_sim/port: %s", r.Result)
	}
	if status, _, _ := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/port", url.Values{"phone": {unicom}, "carrier": {"x"}}); status != http.StatusBadRequest {
		t.Errorf("/_sim/port with no carrier: %d", status)
	}
	if got := s.Requests().Telchecks; got != 2 {
		t.Errorf("%d telchecks counted, want 2", got)
	}
	down := newSim(t, Config{TelcheckDown: true})
	if status, _, err := send(http.DefaultClient, down.URL, http.MethodPost, "/flow/telcheck", url.Values{"key": {testKey}, "phone": {mobile}}); err != nil || status != http.StatusBadGateway {
		t.Errorf("TelcheckDown: %d %v", status, err)
	}
}
