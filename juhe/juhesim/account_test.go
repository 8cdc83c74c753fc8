package juhesim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

func yueForm(key, openID, ts string) url.Values {
	return url.Values{"key": {key}, "timestamp": {ts}, "sign": {juhe.BalanceSign(openID, key, ts)}}
}

func TestYueChecksKeyAndSign(t *testing.T) {
	s := newSim(t, Config{AccountID: "JH42"})
	s.SetBalance(8812340)
	now := fmt.Sprint(time.Now().Unix())
	upper := yueForm(testKey, testOpenID, now)
	upper.Set("sign", strings.ToUpper(upper.Get("sign")))
	noTS := yueForm(testKey, testOpenID, "")
	for _, tt := range []struct {
		name string
		form url.Values
		code int
	}{
		{"signed", yueForm(testKey, testOpenID, now), 0},
		{"upper-case sign", upper, 0},
		{"signed with another OpenID", yueForm(testKey, "other-openid", now), codeBadSign},
		{"sign of another timestamp", func() url.Values { f := yueForm(testKey, testOpenID, now); f.Set("timestamp", "1"); return f }(), codeBadSign},
		{"no timestamp", noTS, codeBadSign},
		{"wrong key", yueForm("wrong", testOpenID, now), codeWrongKey},
	} {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			r := call(t, s, method, "/ofpay/mobile/yue", tt.form)
			if r.ErrorCode != tt.code {
				t.Errorf("%s %s: %d, want %d", tt.name, method, r.ErrorCode, tt.code)
			}
			if tt.code == 0 && string(r.Result) != `{"money":"8812.340","uid":"JH42"}` {
				t.Errorf("%s: result %s", tt.name, r.Result)
			}
		}
	}
}

// TestAccountEndpointsDenied: AccountDenied answers 10002 on the three
// account endpoints, after the key check, and leaves the rest alone.
func TestAccountEndpointsDenied(t *testing.T) {
	s := newSim(t, Config{AccountDenied: true})
	now := fmt.Sprint(time.Now().Unix())
	for path, form := range map[string]url.Values{
		"/ofpay/mobile/yue":  yueForm(testKey, testOpenID, now),
		"/flow/batchquery":   {"key": {testKey}, "orderid": {"FBDENY000001"}},
		"/flow/ordersbydate": {"key": {testKey}, "starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-11-30 23:59:59"}},
	} {
		if r := call(t, s, http.MethodPost, path, form); r.ErrorCode != codeNoPermission || r.Reason != "该KEY无请求权限" {
			t.Errorf("%s: %+v", path, r)
		}
		form.Set("key", "wrong")
		if r := call(t, s, http.MethodPost, path, form); r.ErrorCode != codeWrongKey {
			t.Errorf("%s with a wrong key: %+v", path, r)
		}
	}
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "FBDENY000001")); r.ErrorCode != 0 {
		t.Errorf("submit: %+v", r)
	}
	if r := call(t, s, http.MethodPost, "/flow/list", url.Values{"key": {testKey}}); r.ErrorCode != 0 {
		t.Errorf("list: %+v", r)
	}
}

func TestBatchQueryAnswersKnownOrdersOnly(t *testing.T) {
	s := newSim(t, Config{})
	if r := call(t, s, http.MethodPost, "/flow/onlineorder", orderForm(mobile, "105000", "FBBQKNOWN001")); r.ErrorCode != 0 {
		t.Fatal(r)
	}
	r := call(t, s, http.MethodPost, "/flow/batchquery", url.Values{"key": {testKey}, "orderid": {"FBBQKNOWN001,FBBQUNKNOWN1,FBBQKNOWN001"}})
	var items []map[string]string
	if err := json.Unmarshal(r.Result, &items); err != nil || r.ErrorCode != 0 || len(items) != 1 {
		t.Fatalf("%+v: %v", r, err)
	}
	lo, _ := s.Order("FBBQKNOWN001")
	if it := items[0]; it["uorderid"] != "FBBQKNOWN001" || it["sporder_id"] != lo.SporderID || it["game_state"] != "0" || it["state_remark"] != "充值中" || it["uordercash"] != "19.630" {
		t.Errorf("item %v", it)
	}
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = fmt.Sprintf("FBBQ%08d", i)
	}
	for name, v := range map[string]string{"51 orderids": strings.Join(ids, ","), "none": "", "commas only": ",,"} {
		if r := call(t, s, http.MethodGet, "/flow/batchquery", url.Values{"key": {testKey}, "orderid": {v}}); r.ErrorCode != codeBadParam {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if r := call(t, s, http.MethodGet, "/flow/batchquery", url.Values{"key": {testKey}, "orderid": {strings.Join(ids[:50], ",")}}); r.ErrorCode != 0 || string(r.Result) != "[]" {
		t.Errorf("50 unknown orderids: %+v", r)
	}
	if c := s.AccountRequests(); c.BatchQueries != 5 || c.BatchOrders != 3+51+0+0+50 || c.Codes[codeBadParam] != 3 {
		t.Errorf("counts %+v", c)
	}
}

func TestStringCodeShape(t *testing.T) {
	s := newSim(t, Config{Shapes: Shapes{StringCode: true, Bare: true}})
	for path, form := range map[string]url.Values{
		"/ofpay/mobile/yue":  yueForm(testKey, testOpenID, "1"),
		"/flow/batchquery":   {"key": {testKey}, "orderid": {"FBSTRING0001"}},
		"/flow/ordersbydate": {"key": {testKey}, "starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-11-30 23:59:59"}},
	} {
		_, body, err := send(http.DefaultClient, s.URL, http.MethodPost, path, form)
		if err != nil || !strings.Contains(string(body), `"error_code":"0"`) {
			t.Errorf("%s: %s %v", path, body, err)
		}
		if strings.Contains(string(body), "totalcount") {
			t.Errorf("%s: bare list with totals: %s", path, body)
		}
	}
}

// TestChargeBehindTheBatchsBack: a charge made outside any batch, by the
// Go method or POST /_sim/charge, is in the ledger (with no submit), in the
// statement, and off the balance; a bad one charges nothing.
func TestChargeBehindTheBatchsBack(t *testing.T) {
	s := newSim(t, Config{SettleDelay: -1, SuccessRatio: 1})
	s.SetBalance(30000)
	lo, err := s.Charge(ChargeRequest{Phone: mobile, Pid: "105001"})
	if err != nil || !juhe.ValidOrderID(lo.OrderID) || lo.Submits != 0 || lo.Cost != 9810 || lo.State != juhe.StateSuccess {
		t.Fatalf("%+v %v", lo, err)
	}
	status, body, err := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/charge",
		url.Values{"phone": {unicom}, "pid": {"106001"}, "orderid": {"LEAKED000001"}, "addtime": {"2026-11-30 23:59:58"}})
	var viaHTTP LedgerOrder
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &viaHTTP) != nil {
		t.Fatalf("HTTP %d %s %v", status, body, err)
	}
	if viaHTTP.OrderID != "LEAKED000001" || !viaHTTP.ChargedAt.Equal(time.Date(2026, 11, 30, 23, 59, 58, 0, juhe.Beijing)) || viaHTTP.Phone != unicom {
		t.Errorf("%+v", viaHTTP)
	}
	for name, form := range map[string]url.Values{
		"bad phone":         {"phone": {"1380013800"}, "pid": {"105001"}},
		"unknown pid":       {"phone": {mobile}, "pid": {"999"}},
		"other carrier":     {"phone": {unicom}, "pid": {"105001"}},
		"orderid taken":     {"phone": {mobile}, "pid": {"105001"}, "orderid": {"LEAKED000001"}},
		"bad orderid":       {"phone": {mobile}, "pid": {"105001"}, "orderid": {"x-1"}},
		"bad addtime":       {"phone": {mobile}, "pid": {"105001"}, "addtime": {"2026-11-30"}},
		"balance too small": {"phone": {mobile}, "pid": {"105000"}},
	} {
		if status, body, _ := send(http.DefaultClient, s.URL, http.MethodPost, "/_sim/charge", form); status != http.StatusBadRequest {
			t.Errorf("%s: HTTP %d %s", name, status, body)
		}
	}
	if status, _, _ := send(http.DefaultClient, s.URL, http.MethodGet, "/_sim/charge", url.Values{"phone": {mobile}, "pid": {"105001"}}); status != http.StatusMethodNotAllowed {
		t.Errorf("GET /_sim/charge: HTTP %d", status)
	}
	l := s.Ledger()
	if l.Count != 2 || l.Charged != 9810+9750 || l.Balance != 30000-9810-9750 {
		t.Errorf("ledger %+v", l)
	}
	r := call(t, s, http.MethodPost, "/flow/ordersbydate", url.Values{"key": {testKey}, "starttime": {"2026-11-30 23:59:58"}, "endtime": {"2026-11-30 23:59:59"}})
	var page struct {
		TotalCount int                 `json:"totalcount"`
		Data       []map[string]string `json:"data"`
	}
	if err := json.Unmarshal(r.Result, &page); err != nil || page.TotalCount != 1 || len(page.Data) != 1 {
		t.Fatalf("%s: %v", r.Result, err)
	}
	if d := page.Data[0]; d["uorderid"] != "LEAKED000001" || d["addtime"] != "2026-11-30 23:59:58" || d["phone"] != unicom || d["pid"] != "106001" || d["uordercash"] != "9.750" || d["game_state"] != "1" {
		t.Errorf("statement line %v", d)
	}
	got, err := FetchAccountRequests(t.Context(), s.URL)
	if err != nil || got.Statements != 1 || got.Codes[0] != 1 {
		t.Errorf("fetched counts %+v %v", got, err)
	}
}
