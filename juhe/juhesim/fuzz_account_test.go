package juhesim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// FuzzAccountHandler sends arbitrary requests to the account-side
// endpoints and the charge hook. Whatever arrives, the simulator answers
// (never panics); the account endpoints answer a provider envelope whose
// error_code is a number, charge nothing, and answer 0 only to a right key
// (and, for the balance, a right sign), with at most 50 batch items and
// 100 statement lines; the books stay balanced.
func FuzzAccountHandler(f *testing.F) {
	f.Add(uint8(0), true, true, "1764518400", "", "", "", "", "")
	f.Add(uint8(0), false, false, "x", "", "", "", "", "")
	f.Add(uint8(1), true, true, "", "FUZZ00000001,FUZZ00000002,nosuch", "", "", "", "")
	f.Add(uint8(1), false, true, "", strings.Repeat("FUZZ00000001,", 51), "", "", "", "")
	f.Add(uint8(2), true, true, "", "", "2026-11-01 00:00:00", "2026-11-30 23:59:59", "1", "100")
	f.Add(uint8(2), true, true, "", "", "2026-11-01 00:00:00", "2026-12-01 00:00:00", "1", "100")
	f.Add(uint8(2), true, true, "", "", "2026-11-30 23:59:59", "2026-11-01 00:00:00", "-1", "101")
	f.Add(uint8(2), false, true, "", "", "2026-13-01 00:00:00", "", "99999999999", "0")
	f.Add(uint8(3), true, true, "", "13800138000", "105001", "FUZZ00000003", "2026-11-15 12:00:00", "")
	f.Add(uint8(3), true, true, "", "13012345678", "105001", "", "", "")
	f.Add(uint8(3), true, true, "", "13800138000", "105001", "FUZZ00000001", "bad", "")

	const key, openID = "fuzz-key", "fuzz-openid"
	s := NewServer(Config{Key: key, OpenID: openID, SettleDelay: -1, SuccessRatio: 0.5, Seed: 1})
	f.Cleanup(s.Close)
	for i, oid := range []string{"FUZZ00000001", "FUZZ00000002"} {
		at := time.Date(2026, 11, 10+i, 0, 0, 0, 0, juhe.Beijing)
		if _, err := s.Charge(ChargeRequest{Phone: "13800138000", Pid: "105001", OrderID: oid, At: at}); err != nil {
			f.Fatal(err)
		}
	}
	h := s.Handler()
	paths := []string{"/ofpay/mobile/yue", "/flow/batchquery", "/flow/ordersbydate", "/_sim/charge"}

	f.Fuzz(func(t *testing.T, which uint8, post, rightKey bool, ts, a, b, c, d, extra string) {
		path := paths[int(which)%len(paths)]
		k := key
		if !rightKey {
			k = "other"
		}
		form := url.Values{"key": {k}}
		switch path {
		case "/ofpay/mobile/yue":
			form.Set("timestamp", ts)
			form.Set("sign", juhe.BalanceSign(openID, key, ts))
		case "/flow/batchquery":
			form.Set("orderid", a)
		case "/flow/ordersbydate":
			form.Set("starttime", b)
			form.Set("endtime", c)
			form.Set("page", d)
			form.Set("pagesize", extra)
		case "/_sim/charge":
			form = url.Values{"phone": {a}, "pid": {b}, "orderid": {c}, "addtime": {d}}
			post = true
		}
		body := form.Encode()
		if path == "/flow/batchquery" && extra != "" {
			body += "&" + extra
		}
		var r *http.Request
		if post {
			r = httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		} else {
			r = httptest.NewRequest(http.MethodGet, path, nil)
			r.URL.RawQuery = body
		}
		books := func() Ledger {
			s.mu.Lock()
			defer s.mu.Unlock()
			return s.summary()
		}
		before := books()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		after := books()
		if after.Balance != DefaultBalance-after.Charged+after.Refunded {
			t.Fatalf("books out of balance: %+v", after)
		}
		charged := after.Count - before.Count
		if path == "/_sim/charge" {
			if (w.Code == http.StatusOK) != (charged == 1) || charged > 1 {
				t.Fatalf("charge answered HTTP %d and charged %d", w.Code, charged)
			}
			return
		}
		if w.Code == http.StatusBadRequest {
			return // an unparsable form
		}
		if charged != 0 {
			t.Fatalf("%s charged %d orders", path, charged)
		}
		var env struct {
			ErrorCode *int            `json:"error_code"`
			Result    json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.ErrorCode == nil {
			t.Fatalf("%s answered %d %q, not a provider envelope", path, w.Code, w.Body.String())
		}
		if *env.ErrorCode == 0 && !rightKey {
			t.Fatalf("%s answered 0 to a wrong key", path)
		}
		if *env.ErrorCode != 0 {
			return
		}
		switch path {
		case "/flow/batchquery":
			var items []json.RawMessage
			if err := json.Unmarshal(env.Result, &items); err != nil || len(items) > 50 {
				t.Fatalf("batchquery result %s", env.Result)
			}
		case "/flow/ordersbydate":
			var page struct {
				Data []json.RawMessage `json:"data"`
			}
			if err := json.Unmarshal(env.Result, &page); err != nil || len(page.Data) > 100 {
				t.Fatalf("ordersbydate result %s", env.Result)
			}
		}
	})
}
