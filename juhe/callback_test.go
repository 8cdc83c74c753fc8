package juhe_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

func signedCallback(key, sporderID, orderID, sta string) url.Values {
	return url.Values{
		"sporder_id": {sporderID},
		"orderid":    {orderID},
		"sta":        {sta},
		"sign":       {md5hex(key + sporderID + orderID)},
	}
}

func TestVerifyCallback(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	good := signedCallback(testKey, "F22070512362939019255270", "FB0001ABCDEF", "1")

	cb, err := c.VerifyCallback(good)
	if err != nil || cb != (juhe.Callback{SporderID: "F22070512362939019255270", OrderID: "FB0001ABCDEF", State: juhe.StateSuccess}) {
		t.Fatalf("good callback: %+v, %v", cb, err)
	}

	failed := signedCallback(testKey, "F1", "FB0001ABCDEF", "9")
	failed.Set("err_msg", "运营商\n失败")
	cb, err = c.VerifyCallback(failed)
	if err != nil || cb.State != juhe.StateFailed || cb.ErrMsg != "运营商 失败" {
		t.Errorf("failed callback: %+v, %v", cb, err)
	}

	upper := signedCallback(testKey, "F1", "FB0001ABCDEF", "1")
	upper.Set("sign", strings.ToUpper(upper.Get("sign")))
	if _, err := c.VerifyCallback(upper); err != nil {
		t.Errorf("upper-case sign: %v", err)
	}

	with := func(mod func(url.Values)) url.Values {
		v := url.Values{}
		for k, vs := range good {
			v[k] = append([]string(nil), vs...)
		}
		mod(v)
		return v
	}
	bad := []struct {
		name string
		form url.Values
		want string
	}{
		{"empty", url.Values{}, "no sporder_id"},
		{"no sign", with(func(v url.Values) { v.Del("sign") }), "no sign"},
		{"no sta", with(func(v url.Values) { v.Del("sta") }), "no sta"},
		{"no orderid", with(func(v url.Values) { v.Del("orderid") }), "no orderid"},
		{"empty sporder_id", with(func(v url.Values) { v.Set("sporder_id", "") }), "no sporder_id"},
		{"sta 0", signedCallback(testKey, "F1", "FB0001ABCDEF", "0"), "sta"},
		{"sta 2", signedCallback(testKey, "F1", "FB0001ABCDEF", "2"), "sta"},
		{"short orderid", signedCallback(testKey, "F1", "FB0001", "1"), "orderid"},
		{"long orderid", signedCallback(testKey, "F1", strings.Repeat("A", 33), "1"), "orderid"},
		{"orderid with dash", signedCallback(testKey, "F1", "FB0001-ABCDEF", "1"), "orderid"},
		{"sporder_id with space", signedCallback(testKey, "F 1", "FB0001ABCDEF", "1"), "sporder_id"},
		{"signed with another key", signedCallback("OTHERKEY", "F1", "FB0001ABCDEF", "1"), "bad sign"},
		{"sign of another order", with(func(v url.Values) { v.Set("orderid", "FB0001ABCDEG") }), "bad sign"},
		{"sta changed", with(func(v url.Values) { v.Set("sta", "9") }), ""}, // sta is not signed: accepted, query decides
		{"garbage sign", with(func(v url.Values) { v.Set("sign", "zz") }), "bad sign"},
		{"two signs", with(func(v url.Values) { v.Add("sign", "x") }), "2 times"},
		{"two orderids", with(func(v url.Values) { v.Add("orderid", "FB0001ABCDEG") }), "2 times"},
	}
	for _, tt := range bad {
		_, err := c.VerifyCallback(tt.form)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want it to contain %q", tt.name, err, tt.want)
			continue
		}
		if s := err.Error(); strings.Contains(s, testKey) || strings.Contains(s, good.Get("sign")) {
			t.Errorf("%s: error leaks: %s", tt.name, s)
		}
	}
}
