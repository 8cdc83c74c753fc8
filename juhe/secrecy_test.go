package juhe_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// TestSecretsNeverLeak provokes every error path and printing we can think
// of, and asserts that neither the key nor the OpenID appears anywhere.
func TestSecretsNeverLeak(t *testing.T) {
	var seen []string
	see := func(what string, v ...any) {
		for _, x := range v {
			seen = append(seen, what+": "+fmt.Sprint(x))
		}
	}
	outcome := func(what string, o juhe.Outcome) { see(what, fmt.Sprintf("%+v %#v", o, o)) }

	// Printing the configuration and the client, every way.
	cfg := juhe.Config{BaseURL: "http://127.0.0.1:1", Key: testKey, OpenID: testOpenID}
	c, err := juhe.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type holder struct {
		Exported   *juhe.Client
		unexported *juhe.Client
		Value      juhe.Client
		value      juhe.Client
		Cfg        juhe.Config
		CfgPtr     *juhe.Config
		// An unexported Config field is beyond reach: fmt's reflection
		// prints its plain string fields. Callers drop the Config after
		// NewClient.
	}
	h := holder{c, c, *c, *c, cfg, &cfg}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%T %d"} {
		see("fmt "+verb, fmt.Sprintf(verb, c), fmt.Sprintf(verb, *c), fmt.Sprintf(verb, cfg), fmt.Sprintf(verb, &cfg),
			fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, []any{c, cfg}))
	}
	for _, v := range []any{cfg, &cfg, c, h} {
		b, _ := json.Marshal(v)
		see("json", string(b))
	}
	var logged strings.Builder
	for _, hd := range []slog.Handler{slog.NewTextHandler(&logged, nil), slog.NewJSONHandler(&logged, nil)} {
		slog.New(hd).Info("x", "client", c, "cfg", cfg, "holder", h)
	}
	see("slog", logged.String())

	// Configuration errors, including secrets pasted into the wrong place.
	for _, bad := range []juhe.Config{
		{Key: testKey},
		{OpenID: testOpenID},
		{BaseURL: "http://" + testKey + ":" + testOpenID + "@host", Key: testKey, OpenID: testOpenID},
		{BaseURL: testKey + "/" + testOpenID, Key: testKey, OpenID: testOpenID},
		{BaseURL: "http://host/?key=" + testKey, Key: testKey, OpenID: testOpenID},
		{BaseURL: "http://[" + testKey, Key: testKey, OpenID: testOpenID},
		{BaseURL: "http://h\x00" + testKey, Key: testKey, OpenID: testOpenID},
	} {
		_, err := juhe.NewClient(bad)
		if err == nil {
			t.Errorf("NewClient(%v) accepted", bad)
			continue
		}
		see("NewClient", err)
	}

	// Transport failures: refused, unresolvable host, timeout.
	req := juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"}
	for i, base := range []string{"http://127.0.0.1:1", "http://" + testKey + ".invalid", "http://" + testOpenID + ".invalid:9", "http://127.0.0.1:1/" + testKey} {
		c := newClient(t, base, func(c *juhe.Config) { c.Timeout = 2 * time.Second })
		outcome(fmt.Sprint("submit ", i), c.Submit(t.Context(), req))
		outcome(fmt.Sprint("query ", i), c.Query(t.Context(), "FB0001ABCDEF"))
		_, err := c.Products(t.Context())
		see(fmt.Sprint("products ", i), err)
	}

	// A provider (or a proxy) that echoes the request back, in every field.
	echo := func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		raw := r.PostForm.Encode() + " " + fmt.Sprint(r.PostForm) + " " + testOpenID
		switch r.URL.Path {
		case "/flow/list":
			fmt.Fprintf(w, `{"error_code":0,"result":[{"company":%q,"flows":[{"id":"1","p":%q,"inprice":"1"}]}]}`, raw, raw)
		default:
			fmt.Fprintf(w, `{"error_code":%s,"reason":%q,"result":{"sporder_id":"S1","cardname":%q,"game_state":"1","uordercash":%q}}`,
				r.URL.Query().Get("code"), raw, raw, raw)
		}
	}
	for _, code := range []string{"0", "10001", "99999"} {
		mux := http.NewServeMux()
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			r.URL.RawQuery = "code=" + code
			echo(w, r)
		})
		s := httptest.NewServer(mux)
		c := newClient(t, s.URL)
		o := c.Submit(t.Context(), req)
		if !strings.Contains(o.Reason, "[redacted]") {
			t.Errorf("echo %s: reason %q: the echo did not reach the reason", code, o.Reason)
		}
		outcome("echo submit "+code, o)
		outcome("echo query "+code, c.Query(t.Context(), "FB0001ABCDEF"))
		ps, err := c.Products(t.Context())
		see("echo products", ps, err)
		s.Close()
	}
	// Non-JSON echoes: text and HTML.
	for _, body := range []string{"key=" + testKey + " openid=" + testOpenID, "<html>" + testKey + "</html>", url.QueryEscape(testKey + "&" + testOpenID)} {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500); fmt.Fprint(w, body) }))
		c := newClient(t, s.URL)
		outcome("text submit", c.Submit(t.Context(), req))
		_, err := c.Products(t.Context())
		see("text products", err)
		s.Close()
	}

	// Callback verification failures and an err_msg that carries the secrets.
	for _, form := range []url.Values{
		{},
		signedCallback(testKey, "F1", "FB0001ABCDEF", "5"),
		{"sporder_id": {"F1"}, "orderid": {testKey}, "sta": {"1"}, "sign": {md5hex(testOpenID + "F1" + testKey)}},
		signedCallback(testOpenID, "F1", "FB0001ABCDEF", "1"),
		{"sporder_id": {testKey}, "orderid": {"FB0001ABCDEF"}, "sta": {"1"}, "sign": {testKey}},
	} {
		_, err := c.VerifyCallback(form)
		if err == nil {
			t.Errorf("VerifyCallback(%v) accepted", form)
		}
		see("callback", err)
	}
	ok := signedCallback(testKey, "F1", "FB0001ABCDEF", "9")
	ok.Set("err_msg", testKey+" "+testOpenID)
	cb, err := c.VerifyCallback(ok)
	see("callback ok", fmt.Sprintf("%+v", cb), err)

	if len(seen) < 50 {
		t.Fatalf("only %d observations: the test is not looking", len(seen))
	}
	for _, s := range seen {
		for _, secret := range []string{testKey, testOpenID, strings.ToLower(testKey), strings.ToLower(testOpenID)} {
			if strings.Contains(s, secret) {
				t.Errorf("leak of %q in %s", secret, s)
			}
		}
	}
}
