package juhesim

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// FuzzHandler sends arbitrary requests to the simulator's provider
// endpoints. Whatever arrives, it must answer (never panic), answer a
// provider JSON envelope on the provider paths, charge an order exactly
// when it answers a submit with error_code 0, and keep its books balanced:
// balance = opening - charged + refunded.
func FuzzHandler(f *testing.F) {
	f.Add(uint8(0), true, "15925601712", "105000", "fuzz00000001", true, "")
	f.Add(uint8(0), false, "15925601712", "105000", "fuzz00000001", true, "")
	f.Add(uint8(0), true, "13012345678", "105000", "fuzz00000002", true, "")
	f.Add(uint8(0), true, "1592560171", "105000", "fuzz00000003", true, "")
	f.Add(uint8(0), true, "15925601712", "999999", "fuzz00000004", true, "")
	f.Add(uint8(0), true, "15925601712", "105000", "short", true, "")
	f.Add(uint8(0), true, "15925601712", "105000", "fuzz00000005", false, "")
	f.Add(uint8(1), true, "", "", "fuzz00000001", true, "")
	f.Add(uint8(1), false, "", "", "nosuchorder1", true, "key=x")
	f.Add(uint8(2), true, "", "", "", true, "")
	f.Add(uint8(0), true, "15925601712", "105000", "fuzz00000006", true, "key=a&key=b&phone=1")
	f.Add(uint8(0), true, "15925601712", "105000", "fuzz00000007", true, "%zz&&=;")

	const key, openID = "fuzz-key", "fuzz-openid"
	s := NewServer(Config{Key: key, OpenID: openID, SettleDelay: -1, SuccessRatio: 0.5, Seed: 1})
	f.Cleanup(s.Close)
	h := s.Handler()
	paths := []string{"/flow/onlineorder", "/flow/ordersta", "/flow/list", "/flow/telcheck"}

	f.Fuzz(func(t *testing.T, which uint8, post bool, phone, pid, orderID string, signed bool, extra string) {
		path := paths[int(which)%len(paths)]
		form := url.Values{"phone": {phone}, "pid": {pid}, "orderid": {orderID}, "key": {key}}
		if signed {
			form.Set("sign", juhe.Sign(openID, key, phone, pid, orderID))
		} else {
			form.Set("sign", juhe.Sign(openID, "other", phone, pid, orderID))
		}
		body := form.Encode()
		if extra != "" {
			body += "&" + extra
		}
		if q, err := url.ParseQuery(body); err == nil && q.Has("cburl") {
			// A fuzzed callback URL could point anywhere: only loopback
			// traffic is allowed here.
			return
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
			t.Fatalf("books out of balance: balance %s, charged %s, refunded %s", after.Balance, after.Charged, after.Refunded)
		}
		if w.Code == http.StatusBadRequest {
			// An unparsable form is refused before anything happens.
			if after.Count != before.Count {
				t.Fatalf("a refused form charged %d orders", after.Count-before.Count)
			}
			return
		}
		if path == "/flow/list" || path == "/flow/telcheck" {
			return
		}
		var env struct {
			ErrorCode *int            `json:"error_code"`
			Result    json.RawMessage `json:"result"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &env); err != nil || env.ErrorCode == nil {
			t.Fatalf("%s answered %d %q, not a provider envelope", path, w.Code, w.Body.String())
		}
		charged := after.Count - before.Count
		switch {
		case path == "/flow/onlineorder" && *env.ErrorCode == 0 && charged != 1:
			t.Fatalf("submit answered 0 but charged %d orders", charged)
		case path == "/flow/onlineorder" && *env.ErrorCode != 0 && charged != 0:
			t.Fatalf("submit answered %d but charged %d orders", *env.ErrorCode, charged)
		case path == "/flow/ordersta" && charged != 0:
			t.Fatalf("a query charged %d orders", charged)
		}
	})
}
