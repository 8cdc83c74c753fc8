package juhe

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzAsked is the orderid FuzzParseResponse reads every answer as about.
const fuzzAsked = "fuzzasked0001"

func other(id string) bool { id = strings.TrimSpace(id); return id != "" && id != fuzzAsked }

func FuzzParseResponse(f *testing.F) {
	f.Add(1, 200, []byte(`{"reason":"ok","result":{"sporder_id":"S1","uordercash":"19.630"},"error_code":0}`))
	f.Add(2, 200, []byte(`{"reason":"ok","result":{"sporder_id":"S1","uordercash":"19.630","game_state":"1"},"error_code":"0"}`))
	f.Add(1, 502, []byte(`<html>502</html>`))
	f.Add(2, 200, []byte(`{"error_code":210511,"result":[]}`))
	f.Fuzz(func(t *testing.T, opN, status int, body []byte) {
		op := OpSubmit
		if opN%2 == 0 {
			op = OpQuery
		}
		// The same answer, read as one about fuzzAsked: an answer naming
		// another orderid or uorderid is never accepted, and keeps
		// nothing of the other order.
		if ab := parseAbout(op, status, body, fuzzAsked, ""); ab.Foreign != "" {
			if ab.Class != ClassUnknown || ab.SporderID != "" || ab.HasCost || ab.State != StateNone || ab.CardName != "" {
				t.Errorf("answer about another order kept something of it: %+v", ab)
			}
		} else if _, a := parseAnswer(op, status, body); other(a.OrderID) || other(a.UOrderID) {
			t.Errorf("answer naming %q/%q read as about %s: %+v", a.OrderID, a.UOrderID, fuzzAsked, ab)
		}
		o := ParseResponse(op, status, body)
		if _, ok := classNames[o.Class]; !ok {
			t.Fatalf("invalid class %d", o.Class)
		}
		if o.HTTPStatus != status {
			t.Errorf("HTTPStatus %d, want %d", o.HTTPStatus, status)
		}
		if !utf8.ValidString(o.Reason) || utf8.RuneCountInString(o.Reason) > maxReason+1 || strings.ContainsAny(o.Reason, "\n\r\x00") {
			t.Errorf("reason not one short line: %q", o.Reason)
		}
		if o.Code == NoCode && o.Class != ClassUnknown {
			t.Errorf("no code but class %s", o.Class)
		}
		if o.HasCost && o.Cost < 0 {
			t.Errorf("negative cost %d", o.Cost)
		}
		if o.Code != NoCode {
			if want := Classify(op, o.Code); o.Class != want && !(o.Code == 0 && o.Class == ClassUnknown) {
				t.Errorf("code %d: class %s, table says %s", o.Code, o.Class, want)
			}
		}
		if o.Class == ClassAccepted {
			noSporder := strings.TrimSpace(o.SporderID) == "" && !(op == OpQuery && o.State == StateSubmitFailed)
			if o.Code != 0 || noSporder || status < 200 || status > 299 {
				t.Errorf("accepted without code 0, a sporder_id and HTTP 2xx: %+v", o)
			}
			// An accepted answer must really be a JSON object saying so.
			var top map[string]json.RawMessage
			if err := json.Unmarshal(bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\xef\xbb\xbf")), &top); err != nil {
				t.Errorf("accepted a body that is not a JSON object: %v", err)
			}
			if op == OpQuery && !o.State.Final() && o.State != StateCharging {
				t.Errorf("accepted query with state %d", o.State)
			}
		}
		if op == OpSubmit && o.State != StateNone {
			t.Errorf("submit with state %d", o.State)
		}
		if o.Class == ClassNotFound && (op != OpQuery || o.Code != 210511) {
			t.Errorf("not found from %+v", o)
		}
	})
}

func FuzzVerifyCallback(f *testing.F) {
	const key = "FUZZKEY"
	f.Add("F22070512362939019255270", "FB0001ABCDEF", "1", CallbackSign(key, "F22070512362939019255270", "FB0001ABCDEF"), "", "")
	f.Add("F1", "FB0001ABCDEF", "9", CallbackSign(key, "F1", "FB0001ABCDEF"), "失败", "sign=x")
	f.Add("F1", "FB0001ABCDEF", "1", "00000000000000000000000000000000", "", "")
	c, err := NewClient(Config{Key: key, OpenID: "FUZZOPENID"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, sporderID, orderID, sta, sign, errMsg, extra string) {
		form := url.Values{"sporder_id": {sporderID}, "orderid": {orderID}, "sta": {sta}, "sign": {sign}}
		if errMsg != "" {
			form.Set("err_msg", errMsg)
		}
		if q, err := url.ParseQuery(extra); err == nil {
			for k, vs := range q {
				form[k] = append(form[k], vs...)
			}
		}
		cb, err := c.VerifyCallback(form)
		if err != nil {
			if strings.Contains(err.Error(), key) || strings.Contains(err.Error(), CallbackSign(key, sporderID, orderID)) {
				t.Fatalf("error leaks: %v", err)
			}
			return
		}
		if len(form["sign"]) != 1 || strings.ToLower(form.Get("sign")) != CallbackSign(key, form.Get("sporder_id"), form.Get("orderid")) {
			t.Fatalf("accepted a wrongly signed callback: %v", form)
		}
		if cb.SporderID != form.Get("sporder_id") || cb.OrderID != form.Get("orderid") || !ValidOrderID(cb.OrderID) {
			t.Fatalf("callback %+v does not match form %v", cb, form)
		}
		if !(cb.State == StateSuccess && form.Get("sta") == "1" || cb.State == StateFailed && form.Get("sta") == "9") {
			t.Fatalf("state %d from sta %q", cb.State, form.Get("sta"))
		}
	})
}
