package juhe_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

const (
	testKey    = "SECRETKEY123"
	testOpenID = "OPENIDXYZ"
)

const docSubmitAnswer = `{"reason":"订单提交成功，等待充值","result":{"pid":"105000","uordercash":"19.630","cardname":"全国移动1G流量月包","sporder_id":"F22070512362939019255270","orderid":"20220705043629","phone":"15925601712"},"error_code":0}`

// received is one request as the test server saw it.
type received struct {
	Method, Path, ContentType string
	Form                      url.Values
	Query                     string
}

// recorder is a test server that records requests and answers with fn.
type recorder struct {
	mu   sync.Mutex
	reqs []received
}

func (rec *recorder) last(t *testing.T) received {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) == 0 {
		t.Fatal("the server received no request")
	}
	return rec.reqs[len(rec.reqs)-1]
}

func newServer(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) (*httptest.Server, *recorder) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.RawQuery
		if err := r.ParseForm(); err != nil {
			t.Errorf("server: ParseForm: %v", err)
		}
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, received{r.Method, r.URL.Path, r.Header.Get("Content-Type"), r.PostForm, q})
		rec.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, rec
}

func newClient(t *testing.T, base string, mod ...func(*juhe.Config)) *juhe.Client {
	t.Helper()
	cfg := juhe.Config{BaseURL: base, Key: testKey, OpenID: testOpenID, Timeout: 5 * time.Second}
	for _, m := range mod {
		m(&cfg)
	}
	c, err := juhe.NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func text(body string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, body) }
}

func TestSubmitSendsTheDocumentedForm(t *testing.T) {
	srv, rec := newServer(t, text(strings.Replace(docSubmitAnswer, "20220705043629", "FB0001ABCDEF", 1)))
	c := newClient(t, srv.URL+"/") // trailing slash trimmed
	o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF", CBURL: "http://cb.example/x?a=1&b=2"})
	if o.Class != juhe.ClassAccepted || o.Cost != 19630 || !o.HasCost || o.SporderID != "F22070512362939019255270" || o.Code != 0 || o.HTTPStatus != 200 {
		t.Fatalf("got %+v", o)
	}
	got := rec.last(t)
	if got.Method != "POST" || got.Path != "/flow/onlineorder" || got.ContentType != "application/x-www-form-urlencoded" || got.Query != "" {
		t.Errorf("request %s %s %q query %q", got.Method, got.Path, got.ContentType, got.Query)
	}
	want := url.Values{
		"phone":   {"15925601712"},
		"pid":     {"105000"},
		"orderid": {"FB0001ABCDEF"},
		"key":     {testKey},
		"sign":    {md5hex(testOpenID + testKey + "15925601712" + "105000" + "FB0001ABCDEF")},
		"cburl":   {"http://cb.example/x?a=1&b=2"},
	}
	if got.Form.Encode() != want.Encode() {
		t.Errorf("form\n got %s\nwant %s", got.Form.Encode(), want.Encode())
	}

	// Without cburl, no cburl field.
	c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if f := rec.last(t).Form; f.Has("cburl") {
		t.Errorf("cburl sent when not set: %v", f)
	}
}

func TestQuerySendsTheDocumentedForm(t *testing.T) {
	srv, rec := newServer(t, text(`{"reason":"查询成功","result":{"uordercash":"19.630","sporder_id":"F1","game_state":"1"},"error_code":0}`))
	c := newClient(t, srv.URL)
	o := c.Query(t.Context(), "FB0001ABCDEF")
	if o.Class != juhe.ClassAccepted || o.State != juhe.StateSuccess || o.Cost != 19630 || o.SporderID != "F1" {
		t.Fatalf("got %+v", o)
	}
	got := rec.last(t)
	want := url.Values{"orderid": {"FB0001ABCDEF"}, "key": {testKey}}
	if got.Method != "POST" || got.Path != "/flow/ordersta" || got.ContentType != "application/x-www-form-urlencoded" || got.Form.Encode() != want.Encode() {
		t.Errorf("got %+v", got)
	}
}

// TestNoAnswerIsUnknown: every way of not getting a whole JSON answer is
// ClassUnknown with NoCode, for submit and for query.
func TestNoAnswerIsUnknown(t *testing.T) {
	block := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}
	hijackClose := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		conn.Close()
	}
	halfBody := func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		fmt.Fprint(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n"+docSubmitAnswer[:60])
		buf.Flush()
		conn.Close()
	}
	pad := docSubmitAnswer + strings.Repeat(" ", 2000) // its 1 KiB prefix is valid JSON
	tests := []struct {
		name    string
		handler func(http.ResponseWriter, *http.Request)
		mod     func(*juhe.Config)
		reason  string
		status  int
	}{
		{"timeout", block, func(c *juhe.Config) { c.Timeout = 100 * time.Millisecond }, "no answer: timeout", 0},
		{"connection closed before answer", hijackClose, nil, "no answer", 0},
		{"connection closed mid-body", halfBody, nil, "answer cut off, HTTP 200", 200},
		{"HTML 502", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			fmt.Fprint(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
		}, nil, "HTML answer, HTTP 502", 502},
		{"empty 200", text(""), nil, "empty answer, HTTP 200", 200},
		{"empty 504", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(504) }, nil, "empty answer, HTTP 504", 504},
		{"body larger than MaxBody", text(pad), func(c *juhe.Config) { c.MaxBody = 1024 }, "answer larger than 1024 bytes", 200},
		{"JSON without error_code", text(`{"result":{"sporder_id":"S","uordercash":"1"}}`), nil, "without error_code", 200},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/elsewhere", http.StatusTemporaryRedirect)
		}, nil, "redirect not followed, HTTP 307", 307},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := newServer(t, tt.handler)
			var mods []func(*juhe.Config)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			c := newClient(t, srv.URL, mods...)
			for _, op := range []string{"submit", "query"} {
				start := time.Now()
				var o juhe.Outcome
				if op == "submit" {
					o = c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
				} else {
					o = c.Query(t.Context(), "FB0001ABCDEF")
				}
				if o.Class != juhe.ClassUnknown || o.Code != juhe.NoCode || o.HTTPStatus != tt.status || o.State != juhe.StateNone {
					t.Errorf("%s: got %+v", op, o)
				}
				if !strings.Contains(o.Reason, tt.reason) {
					t.Errorf("%s: reason %q, want it to contain %q", op, o.Reason, tt.reason)
				}
				t.Logf("%s: %s", op, o.Reason)
				if d := time.Since(start); d > 4*time.Second {
					t.Errorf("%s took %s", op, d)
				}
			}
			rec.mu.Lock()
			defer rec.mu.Unlock()
			for _, r := range rec.reqs {
				if r.Path == "/elsewhere" {
					t.Error("the client followed a redirect")
				}
			}
		})
	}
}

func TestBodyOfExactlyMaxBodyIsRead(t *testing.T) {
	body := docSubmitAnswer
	body = strings.Replace(body, "20220705043629", "FB0001ABCDEF", 1)
	srv, _ := newServer(t, text(body))
	c := newClient(t, srv.URL, func(c *juhe.Config) { c.MaxBody = int64(len(body)) })
	o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassAccepted {
		t.Errorf("got %+v", o)
	}
}

func TestCancelledSubmitIsUnknown(t *testing.T) {
	arrived := make(chan struct{})
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done()
	})
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	go func() { <-arrived; cancel() }()
	o := c.Submit(ctx, juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassUnknown || o.Reason != "no answer: cancelled" {
		t.Errorf("got %+v", o)
	}
	// Already cancelled: still unknown, never rejected.
	o = c.Submit(ctx, juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassUnknown {
		t.Errorf("got %+v", o)
	}
}

func TestConnectionRefusedIsUnknown(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	c := newClient(t, base)
	o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassUnknown || o.Code != juhe.NoCode || !strings.HasPrefix(o.Reason, "no answer: ") {
		t.Errorf("got %+v", o)
	}
}

func TestAnswerForAnotherOrderIsUnknown(t *testing.T) {
	srv, _ := newServer(t, text(docSubmitAnswer)) // names orderid 20220705043629
	c := newClient(t, srv.URL)
	o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassUnknown || !strings.Contains(o.Reason, "20220705043629") {
		t.Errorf("got %+v", o)
	}
}

func TestSubmitRefusesABadOrderIDWithoutSending(t *testing.T) {
	srv, rec := newServer(t, text(docSubmitAnswer))
	c := newClient(t, srv.URL)
	for _, id := range []string{"", "short", "has-dash-12345", strings.Repeat("a", 33), "订单订单订单订单"} {
		o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: id})
		if o.Class != juhe.ClassRejected || o.Code != juhe.NoCode || !strings.HasPrefix(o.Reason, "not sent") {
			t.Errorf("orderid %q: got %+v", id, o)
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.reqs) != 0 {
		t.Errorf("%d requests sent", len(rec.reqs))
	}
}

func TestNewClient(t *testing.T) {
	c, err := juhe.NewClient(juhe.Config{Key: "k", OpenID: "o"})
	if err != nil || c.BaseURL() != "http://v.juhe.cn" {
		t.Fatalf("defaults: %v %v", c, err)
	}
	if s := fmt.Sprint(c); !strings.Contains(s, "Timeout:15s") || !strings.Contains(s, "MaxBody:65536") {
		t.Errorf("defaults: %s", s)
	}
	c, err = juhe.NewClient(juhe.Config{BaseURL: "http://127.0.0.1:8099//", Key: "k", OpenID: "o"})
	if err != nil || c.BaseURL() != "http://127.0.0.1:8099" {
		t.Errorf("trailing slash: %v %v", c, err)
	}
	for _, cfg := range []juhe.Config{
		{Key: "", OpenID: "o"},
		{Key: "k", OpenID: " "},
		{BaseURL: "v.juhe.cn", Key: "k", OpenID: "o"},
		{BaseURL: "ftp://v.juhe.cn", Key: "k", OpenID: "o"},
		{BaseURL: "http://user:pw@v.juhe.cn", Key: "k", OpenID: "o"},
		{BaseURL: "http://v.juhe.cn?x=1", Key: "k", OpenID: "o"},
		{Key: "k", OpenID: "o", Timeout: -1},
	} {
		if _, err := juhe.NewClient(cfg); err == nil {
			t.Errorf("%v: no error", cfg)
		}
	}
}

func TestProducts(t *testing.T) {
	const list = `{"reason":"success","error_code":0,"result":[
	 {"city":"全国","company":"中国移动","companytype":"1","name":"移动全国","type":"1","flows":[
	   {"id":"105000","p":"全国移动1G流量月包","v":"1024","inprice":"19.630"},
	   {"id":105001,"p":"全国移动2G","v":"2048","inprice":29.5}]},
	 {"city":"全国","company":"中国联通","companytype":"2","name":"联通全国","type":"1","flows":[
	   {"id":"205000","p":"联通1G","v":"1024","inprice":"18"}]},
	 {"city":"全国","company":"中国电信","companytype":"3","name":"电信全国","type":"1","flows":[
	   {"id":"305000","p":"电信1G","v":"1024","inprice":"17.001"}]}]}`
	srv, rec := newServer(t, text(list))
	c := newClient(t, srv.URL)
	ps, err := c.Products(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := []juhe.Product{
		{Pid: "105000", Name: "全国移动1G流量月包", Carrier: juhe.CarrierMobile, Price: 19630, VolumeMB: 1024},
		{Pid: "105001", Name: "全国移动2G", Carrier: juhe.CarrierMobile, Price: 29500, VolumeMB: 2048},
		{Pid: "205000", Name: "联通1G", Carrier: juhe.CarrierUnicom, Price: 18000, VolumeMB: 1024},
		{Pid: "305000", Name: "电信1G", Carrier: juhe.CarrierTelecom, Price: 17001, VolumeMB: 1024},
	}
	if fmt.Sprint(ps) != fmt.Sprint(want) {
		t.Errorf("got  %v\nwant %v", ps, want)
	}
	if got := rec.last(t); got.Path != "/flow/list" || got.Method != "POST" || got.Form.Encode() != "key="+testKey {
		t.Errorf("request %+v", got)
	}

	for _, tt := range []struct{ body, want string }{
		{`{"error_code":10001,"reason":"错误的请求KEY"}`, "10001"},
		{`<html>404</html>`, "HTML answer"},
		{`{"error_code":0,"result":[]}`, "no products"},
		{`{"error_code":0,"result":{}}`, "not a list"},
		{`{"error_code":0,"result":[{"company":"中国移动","flows":[{"id":"1","p":"x","inprice":"-1"}]}]}`, "inprice"},
		{`{"error_code":0,"result":[{"company":"中国移动","flows":[{"p":"x","inprice":"1"}]}]}`, "no id"},
	} {
		srv, _ := newServer(t, text(tt.body))
		_, err := newClient(t, srv.URL).Products(t.Context())
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "flow/list") {
			t.Errorf("%s: error %v, want it to mention %q", tt.body, err, tt.want)
		}
	}
}

// TestHijackHelpersWork guards the test server itself: a hijacked
// connection that writes a complete answer is read normally, so the
// failures above come from the closing, not from hijacking.
func TestHijackHelpersWork(t *testing.T) {
	body := strings.Replace(docSubmitAnswer, "20220705043629", "FB0001ABCDEF", 1)
	srv, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("hijack: %v", err)
			return
		}
		defer conn.Close()
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		buf.Flush()
	})
	o := newClient(t, srv.URL).Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FB0001ABCDEF"})
	if o.Class != juhe.ClassAccepted {
		t.Errorf("got %+v", o)
	}
}

// A query answer that names another orderid (orderid or uorderid) is not an
// answer about the order asked: unknown, and nothing of the other order
// (state, cost, sporder_id) is kept.
func TestQueryAnswerAboutAnotherOrderIsUnknown(t *testing.T) {
	for _, tc := range []struct{ name, body string }{
		{"orderid", `{"reason":"ok","result":{"uordercash":"19.630","sporder_id":"F9","game_state":"1","orderid":"othersorder0001"},"error_code":0}`},
		{"uorderid", `{"reason":"ok","result":{"uordercash":"19.630","sporder_id":"F9","game_state":"9","uorderid":"othersorder0001"},"error_code":0}`},
		{"210511 naming another", `{"reason":"订单号错误","result":{"orderid":"othersorder0001"},"error_code":210511}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newServer(t, text(tc.body))
			o := newClient(t, srv.URL).Query(t.Context(), "FB0001ABCDEF")
			if o.Class != juhe.ClassUnknown || o.Foreign == "" || !strings.Contains(o.Reason, "othersorder0001") ||
				o.SporderID != "" || o.HasCost || o.State != juhe.StateNone {
				t.Errorf("got %+v", o)
			}
		})
	}
	srv, _ := newServer(t, text(`{"reason":"ok","result":{"sporder_id":"F9","game_state":"1","uorderid":"FB0001ABCDEF"},"error_code":0}`))
	if o := newClient(t, srv.URL).Query(t.Context(), "FB0001ABCDEF"); o.Class != juhe.ClassAccepted || o.Foreign != "" {
		t.Errorf("an answer naming the order asked: %+v", o)
	}
}
