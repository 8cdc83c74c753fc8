package juhe_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// The client against the simulator, over real HTTP.

func newSim(t *testing.T, mod func(*juhesim.Config)) *juhesim.Server {
	t.Helper()
	cfg := juhesim.Config{Key: testKey, OpenID: testOpenID, SettleDelay: -1, SuccessRatio: 1, CallbackInterval: 50 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	sim := juhesim.NewServer(cfg)
	t.Cleanup(sim.Close)
	return sim
}

func TestClientAgainstSimulator(t *testing.T) {
	sim := newSim(t, nil)
	c := newClient(t, sim.URL)
	ctx := t.Context()
	good := juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIM0001AAAA"}

	o := c.Submit(ctx, good)
	if o.Class != juhe.ClassAccepted || o.Code != 0 || o.Cost != 19630 || !o.HasCost || o.SporderID == "" || o.CardName != "全国移动1G流量月包" {
		t.Fatalf("good order: %+v", o)
	}
	lo, ok := sim.Order(good.OrderID)
	if !ok || lo.SporderID != o.SporderID || lo.Cost != 19630 || lo.Phone != good.Phone {
		t.Fatalf("ledger %+v, %v", lo, ok)
	}

	if d := c.Submit(ctx, good); d.Class != juhe.ClassUnknown || d.Code != 210508 {
		t.Errorf("duplicate: %+v", d)
	}

	q := c.Query(ctx, good.OrderID)
	if q.Class != juhe.ClassAccepted || q.State != juhe.StateSuccess || q.SporderID != o.SporderID || q.Cost != 19630 {
		t.Errorf("query: %+v", q)
	}
	if nf := c.Query(ctx, "FBSIMNOSUCH0001"); nf.Class != juhe.ClassNotFound || nf.Code != 210511 {
		t.Errorf("unknown orderid: %+v", nf)
	}

	for _, tt := range []struct {
		name  string
		c     *juhe.Client
		req   juhe.SubmitRequest
		class juhe.Class
		code  int
	}{
		{"wrong openid: bad sign", newClient(t, sim.URL, func(c *juhe.Config) { c.OpenID = "WRONGOPENID" }),
			juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIM0002AAAA"}, juhe.ClassHalt, 210506},
		{"wrong key", newClient(t, sim.URL, func(c *juhe.Config) { c.Key = "WRONGKEY" }),
			juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIM0003AAAA"}, juhe.ClassHalt, 10001},
		{"bad phone", c, juhe.SubmitRequest{Phone: "1592560171", Pid: "105000", OrderID: "FBSIM0004AAAA"}, juhe.ClassRejected, 210501},
		{"unknown pid", c, juhe.SubmitRequest{Phone: "15925601712", Pid: "999999", OrderID: "FBSIM0005AAAA"}, juhe.ClassRejected, 210503},
		{"pid of another carrier", c, juhe.SubmitRequest{Phone: "18612345678", Pid: "105000", OrderID: "FBSIM0006AAAA"}, juhe.ClassRejected, 210504},
	} {
		o := tt.c.Submit(ctx, tt.req)
		if o.Class != tt.class || o.Code != tt.code {
			t.Errorf("%s: %+v, want %s %d", tt.name, o, tt.class, tt.code)
		}
	}
	if q := newClient(t, sim.URL, func(c *juhe.Config) { c.Key = "WRONGKEY" }).Query(ctx, good.OrderID); q.Class != juhe.ClassHalt || q.Code != 10001 {
		t.Errorf("query with wrong key: %+v", q)
	}

	sim.SetBalance(0)
	if o := c.Submit(ctx, juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIM0007AAAA"}); o.Class != juhe.ClassHalt || o.Code != 210505 {
		t.Errorf("no balance: %+v", o)
	}

	if l := sim.Ledger(); l.Count != 1 || l.Charged != 19630 {
		t.Errorf("ledger: %d orders, %s charged; want exactly the good one", l.Count, l.Charged)
	}

	ps, err := c.Products(ctx)
	if err != nil || len(ps) != len(juhesim.DefaultCatalogue()) {
		t.Fatalf("products: %v, %v", ps, err)
	}
	for _, p := range ps {
		if p.Pid == "105000" && (p.Price != 19630 || p.Carrier != juhe.CarrierMobile) {
			t.Errorf("product 105000: %+v", p)
		}
	}
}

// TestFaultsAreUnknownAndTheOrderIsFound: after each fault that happens
// after the charge, the client says unknown, and a query finds the order.
func TestFaultsAreUnknownAndTheOrderIsFound(t *testing.T) {
	for _, tt := range []struct {
		name   string
		faults juhesim.Faults
		code   int
	}{
		{"drop after charge", juhesim.Faults{DropAfterCharge: 1}, juhe.NoCode},
		{"10014 after charge", juhesim.Faults{Err10014AfterCharge: 1}, 10014},
		{"HTML 502 after charge", juhesim.Faults{HTML502After: 1}, juhe.NoCode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, func(c *juhesim.Config) { c.Faults = tt.faults })
			c := newClient(t, sim.URL)
			o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIMFAULT0001"})
			if o.Class != juhe.ClassUnknown || o.Code != tt.code {
				t.Fatalf("submit: %+v", o)
			}
			q := c.Query(t.Context(), "FBSIMFAULT0001")
			if q.Class != juhe.ClassAccepted || q.State != juhe.StateSuccess || q.Cost != 19630 {
				t.Errorf("query after fault: %+v", q)
			}
		})
	}
	sim := newSim(t, func(c *juhesim.Config) { c.Faults = juhesim.Faults{HTML502Before: 1} })
	c := newClient(t, sim.URL)
	if o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIMFAULT0002"}); o.Class != juhe.ClassUnknown || o.HTTPStatus != 502 {
		t.Errorf("502 before: %+v", o)
	}
}

func TestSimulatorCallbacksVerify(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			var mu sync.Mutex
			var forms []url.Values
			var gotMethod string
			cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				mu.Lock()
				forms = append(forms, r.Form)
				gotMethod = r.Method
				mu.Unlock()
				w.Write([]byte("success"))
			}))
			defer cb.Close()
			sim := newSim(t, func(c *juhesim.Config) { c.CallbackMethod = method; c.SuccessRatio = -1 })
			c := newClient(t, sim.URL)
			o := c.Submit(t.Context(), juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBSIMCB00001", CBURL: cb.URL + "/cb"})
			if o.Class != juhe.ClassAccepted {
				t.Fatalf("submit: %+v", o)
			}
			deadline := time.Now().Add(5 * time.Second)
			for {
				mu.Lock()
				n := len(forms)
				mu.Unlock()
				if n > 0 {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("no callback within 5s")
				}
				time.Sleep(10 * time.Millisecond)
			}
			mu.Lock()
			form, m := forms[0], gotMethod
			mu.Unlock()
			if m != method {
				t.Errorf("callback method %s", m)
			}
			got, err := c.VerifyCallback(form)
			if err != nil || got.OrderID != "FBSIMCB00001" || got.SporderID != o.SporderID || got.State != juhe.StateFailed {
				t.Errorf("verify: %+v, %v (form %v)", got, err, form)
			}
			other := newClient(t, sim.URL, func(c *juhe.Config) { c.Key = "OTHERKEY" })
			if _, err := other.VerifyCallback(form); err == nil {
				t.Error("a client with another key accepted the callback")
			}
		})
	}
}
