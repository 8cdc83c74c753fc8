package juhe_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// The account-side endpoints, client against simulator over real HTTP.

func TestBalanceSendsTheSignedForm(t *testing.T) {
	srv, rec := newServer(t, text(`{"reason":"查询成功","result":{"uid":"1888","money":"8812.340"},"error_code":0}`))
	before := time.Now().Unix()
	b, r := newClient(t, srv.URL).Balance(t.Context())
	if r.Status != juhe.ReplyOK || b.Money != 8812340 || b.AccountID != "1888" || b.Credentials != juhe.CredsVerified {
		t.Fatalf("%+v %+v", b, r)
	}
	got := rec.last(t)
	ts := got.Form.Get("timestamp")
	n, err := strconv.ParseInt(ts, 10, 64)
	if got.Path != "/ofpay/mobile/yue" || got.Method != http.MethodPost || err != nil || n < before || n > time.Now().Unix() {
		t.Fatalf("request %+v", got)
	}
	if got.Form.Get("key") != testKey || got.Form.Get("sign") != md5hex(testOpenID+testKey+ts) || len(got.Form) != 3 {
		t.Errorf("form %v: want key, timestamp and sign = md5(OpenID+key+timestamp)", got.Form)
	}
}

func TestBalanceAgainstSimulator(t *testing.T) {
	sim := newSim(t, func(c *juhesim.Config) { c.AccountID = "JH777" })
	sim.SetBalance(8812340)
	for _, tt := range []struct {
		name   string
		mod    func(*juhe.Config)
		status juhe.ReplyStatus
		code   int
		creds  juhe.Credentials
	}{
		{"right key and OpenID", nil, juhe.ReplyOK, 0, juhe.CredsVerified},
		{"wrong OpenID", func(c *juhe.Config) { c.OpenID = "WRONGOPENID" }, juhe.ReplyRefused, 210506, juhe.CredsSignRefused},
		{"wrong key", func(c *juhe.Config) { c.Key = "WRONGKEY" }, juhe.ReplyRefused, 10001, juhe.CredsKeyRefused},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var mods []func(*juhe.Config)
			if tt.mod != nil {
				mods = append(mods, tt.mod)
			}
			b, r := newClient(t, sim.URL, mods...).Balance(t.Context())
			if r.Status != tt.status || r.Code != tt.code || b.Credentials != tt.creds {
				t.Fatalf("%+v %+v, want %s %d %s", b, r, tt.status, tt.code, tt.creds)
			}
			if tt.status == juhe.ReplyOK && (b.Money != 8812340 || b.AccountID != "JH777") {
				t.Errorf("balance %s of %q", b.Money, b.AccountID)
			}
			if tt.status != juhe.ReplyOK && !b.Credentials.Wrong() {
				t.Errorf("%s is not wrong", b.Credentials)
			}
		})
	}
	if c := sim.AccountRequests(); c.Balance != 3 || c.Codes[0] != 1 || c.Codes[210506] != 1 || c.Codes[10001] != 1 {
		t.Errorf("counts %+v", c)
	}
}

// TestAccountDenied: a key without permission on the account endpoints
// (10002) makes each of them "not available", never a halt, and says the
// OpenID was not verified; submit, query and telcheck still work.
func TestAccountDenied(t *testing.T) {
	sim := newSim(t, func(c *juhesim.Config) { c.AccountDenied = true })
	c := newClient(t, sim.URL)
	ctx := t.Context()
	b, r := c.Balance(ctx)
	if r.Status != juhe.ReplyNotAvailable || r.Code != 10002 || b.Credentials != juhe.CredsKeyOnly ||
		b.Credentials.String() != "key checked, OpenID not verified" {
		t.Errorf("balance: %+v %+v", b, r)
	}
	if !strings.Contains(r.String(), "ofpay/mobile/yue: not available: 10002") {
		t.Errorf("reply says %q", r)
	}
	if _, r := c.BatchQuery(ctx, []string{"FBDENIED00001"}); r.Status != juhe.ReplyNotAvailable || r.Code != 10002 {
		t.Errorf("batchquery: %+v", r)
	}
	start, end := juhe.MonthOf(time.Now())
	if _, r := c.OrdersByDate(ctx, start, end, 1, 100); r.Status != juhe.ReplyNotAvailable || r.Code != 10002 {
		t.Errorf("ordersbydate: %+v", r)
	}
	if o := c.Submit(ctx, juhe.SubmitRequest{Phone: "15925601712", Pid: "105000", OrderID: "FBDENIED00001"}); o.Class != juhe.ClassAccepted {
		t.Errorf("submit: %+v", o)
	}
	if q := c.Query(ctx, "FBDENIED00001"); q.Class != juhe.ClassAccepted || q.State != juhe.StateSuccess {
		t.Errorf("query: %+v", q)
	}
	if np, r := c.Telcheck(ctx, "15925601712"); r.Status != juhe.ReplyOK || np.Carrier != juhe.CarrierMobile {
		t.Errorf("telcheck: %+v %+v", np, r)
	}
}

func TestBatchQueryAgainstSimulator(t *testing.T) {
	for _, shapes := range []juhesim.Shapes{{}, {OrderID: true}, {OrderCash: true}, {StringCode: true}, {OrderID: true, OrderCash: true, StringCode: true}} {
		t.Run(fmt.Sprintf("%+v", shapes), func(t *testing.T) {
			sim := newSim(t, func(c *juhesim.Config) { c.Shapes = shapes })
			c := newClient(t, sim.URL)
			ctx := t.Context()
			var asked []string
			want := map[string]juhesim.LedgerOrder{}
			for i := range 45 {
				id := fmt.Sprintf("FBBQ%08d", i)
				asked = append(asked, id)
				if i%3 == 2 {
					continue // never charged: must come back absent
				}
				if o := c.Submit(ctx, juhe.SubmitRequest{Phone: "15925601712", Pid: "105001", OrderID: id}); o.Class != juhe.ClassAccepted {
					t.Fatalf("submit %s: %+v", id, o)
				}
				lo, _ := sim.Order(id)
				want[id] = lo
			}
			res, r := c.BatchQuery(ctx, asked)
			if r.Status != juhe.ReplyOK || r.Code != 0 {
				t.Fatalf("reply %+v", r)
			}
			if len(res.Items) != len(want) || len(res.Absent) != 15 || res.DroppedCount != 0 {
				t.Fatalf("%d items, %d absent, %d dropped", len(res.Items), len(res.Absent), res.DroppedCount)
			}
			for id, lo := range want {
				it := res.Items[id]
				if it.OrderID != id || it.SporderID != lo.SporderID || it.State != juhe.StateSuccess || !it.HasCost || it.Cost != 9810 || it.StateRemark != "充值成功" {
					t.Errorf("%s: %+v, ledger %+v", id, it, lo)
				}
			}
			for _, id := range res.Absent {
				if _, charged := want[id]; charged {
					t.Errorf("%s charged but absent", id)
				}
			}
			if n := sim.AccountRequests(); n.BatchQueries != 1 || n.BatchOrders != 45 {
				t.Errorf("counts %+v", n)
			}
		})
	}
}

func TestBatchQueryRefusesWithoutSending(t *testing.T) {
	sim := newSim(t, nil)
	c := newClient(t, sim.URL)
	var fifty1 []string
	for i := range 51 {
		fifty1 = append(fifty1, fmt.Sprintf("FBBQ%08d", i))
	}
	for name, ids := range map[string][]string{
		"none": nil, "51": fifty1, "short orderid": {"FB1"}, "twice": {"FBBQ00000001", "FBBQ00000001"}, "comma": {"FBBQ0001,FBBQ0002"},
	} {
		if _, r := c.BatchQuery(t.Context(), ids); r.Status != juhe.ReplyRejected || !strings.HasPrefix(r.Reason, "not sent") {
			t.Errorf("%s: %+v", name, r)
		}
	}
	if n := sim.AccountRequests(); n.BatchQueries != 0 {
		t.Errorf("%d requests sent", n.BatchQueries)
	}
	if _, r := c.BatchQuery(t.Context(), fifty1[:50]); r.Status != juhe.ReplyOK {
		t.Errorf("50: %+v", r)
	}
}

// TestOrdersByDatePaging pulls a month of a few thousand orders, some of
// them charged behind the batch's back and back-dated to the month's
// edges, page by page in every documented shape: each order of the month
// exactly once, newest first, with its phone, pid, cost and time; none of
// the neighbouring months.
func TestOrdersByDatePaging(t *testing.T) {
	nov := time.Date(2026, 11, 1, 0, 0, 0, 0, juhe.Beijing)
	start, end := juhe.MonthOf(nov)
	for _, tt := range []struct {
		name      string
		shapes    juhesim.Shapes
		totals    bool
		backdated bool // charges out of time order
	}{
		{"result.data", juhesim.Shapes{}, true, true},
		{"result.list, orderid, ordercash", juhesim.Shapes{List: true, OrderID: true, OrderCash: true}, true, false},
		{"bare list, string code", juhesim.Shapes{Bare: true, StringCode: true}, false, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sim := newSim(t, func(c *juhesim.Config) { c.Shapes = tt.shapes })
			c := newClient(t, sim.URL)
			const n = 2345
			charge := func(at time.Time) juhesim.LedgerOrder {
				lo, err := sim.Charge(juhesim.ChargeRequest{Phone: "13012345678", Pid: "106001", At: at})
				if err != nil {
					t.Fatal(err)
				}
				return lo
			}
			outside := []time.Time{start.Add(-time.Second), end.Add(time.Second), end.Add(time.Hour)}
			if !tt.backdated {
				charge(outside[0])
				outside = outside[1:]
			}
			want := map[string]juhesim.LedgerOrder{}
			for i := range n {
				at := start.Add(time.Duration(i) * (30 * 24 * time.Hour / n))
				switch { // the month's first second is i == 0's
				case i == n-1 && !tt.backdated:
					at = end // the month's last second
				case i == 7 && tt.backdated:
					at = end
				case i == 8 && tt.backdated:
					at = start
				}
				lo := charge(at)
				want[lo.OrderID] = lo
			}
			for _, at := range outside {
				charge(at)
			}
			seen := map[string]bool{}
			var last time.Time
			pages := 0
			for page := 1; ; page++ {
				p, r := c.OrdersByDate(t.Context(), start, end, page, juhe.MaxStatementPage)
				if r.Status != juhe.ReplyOK {
					t.Fatalf("page %d: %+v", page, r)
				}
				if p.HasTotals != tt.totals || (tt.totals && (p.TotalCount != n || p.TotalPage != (n+99)/100)) {
					t.Fatalf("page %d totals %v %d %d", page, p.HasTotals, p.TotalCount, p.TotalPage)
				}
				if len(p.Orders) == 0 {
					break
				}
				pages++
				for _, o := range p.Orders {
					lo, ok := want[o.OrderID]
					if !ok || seen[o.OrderID] {
						t.Fatalf("page %d: %+v not in the month or seen twice", page, o)
					}
					seen[o.OrderID] = true
					if o.SporderID != lo.SporderID || o.Phone != "13012345678" || o.Pid != "106001" || o.CardName != "全国联通500M流量月包" ||
						!o.HasCost || o.Cost != 9750 || o.State != juhe.StateSuccess || !o.AddTime.Equal(lo.ChargedAt.Truncate(time.Second)) {
						t.Fatalf("%+v, ledger %+v", o, lo)
					}
					if !last.IsZero() && o.AddTime.After(last) {
						t.Fatalf("page %d: %v after %v: not newest first", page, o.AddTime, last)
					}
					last = o.AddTime
				}
			}
			if len(seen) != n || pages != (n+99)/100 {
				t.Errorf("%d orders in %d pages, want %d in %d", len(seen), pages, n, (n+99)/100)
			}
			l := sim.Ledger()
			if l.Count != n+3 || l.Charged != juhe.Money(n+3)*9750 || l.Balance != juhesim.DefaultBalance-l.Charged {
				t.Errorf("ledger: %d orders, %s charged, balance %s", l.Count, l.Charged, l.Balance)
			}
		})
	}
}

// TestOrdersByDateOneMonthRule: the client never sends a period across a
// month; the simulator answers one with an error code.
func TestOrdersByDateOneMonthRule(t *testing.T) {
	sim := newSim(t, nil)
	c := newClient(t, sim.URL)
	nov := time.Date(2026, 11, 15, 0, 0, 0, 0, juhe.Beijing)
	for _, tt := range []struct {
		name       string
		start, end time.Time
		page, size int
	}{
		{"across a month", nov, nov.AddDate(0, 1, 0), 1, 100},
		{"across a Beijing month in UTC", time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 17, 0, 0, 0, time.UTC), 1, 100},
		{"page size 101", nov, nov, 1, 101},
		{"page 0", nov, nov, 0, 100},
	} {
		if _, r := c.OrdersByDate(t.Context(), tt.start, tt.end, tt.page, tt.size); r.Status != juhe.ReplyRejected || !strings.HasPrefix(r.Reason, "not sent") {
			t.Errorf("%s: %+v", tt.name, r)
		}
	}
	if n := sim.AccountRequests(); n.Statements != 0 {
		t.Fatalf("%d requests sent", n.Statements)
	}
	for name, form := range map[string]url.Values{
		"across a month":  {"starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-12-01 00:00:00"}},
		"backwards":       {"starttime": {"2026-11-02 00:00:00"}, "endtime": {"2026-11-01 00:00:00"}},
		"page size 101":   {"starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-11-30 23:59:59"}, "pagesize": {"101"}},
		"not a time":      {"starttime": {"2026-11-01"}, "endtime": {"2026-11-30 23:59:59"}},
		"page 0":          {"starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-11-30 23:59:59"}, "page": {"0"}},
		"fine, for scale": {"starttime": {"2026-11-01 00:00:00"}, "endtime": {"2026-11-30 23:59:59"}},
	} {
		form.Set("key", testKey)
		resp, err := http.PostForm(sim.URL+"/flow/ordersbydate", form)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		wantCode := `"error_code":210500`
		if name == "fine, for scale" {
			wantCode = `"error_code":0`
		}
		if !strings.Contains(string(body), wantCode) {
			t.Errorf("%s: %s", name, body)
		}
	}
}

func TestTelcheckAgainstSimulator(t *testing.T) {
	sim := newSim(t, nil)
	c := newClient(t, sim.URL)
	np, r := c.Telcheck(t.Context(), "18612345678")
	if r.Status != juhe.ReplyOK || np.Carrier != juhe.CarrierUnicom || len(np.Products) != 2 {
		t.Fatalf("%+v %+v", np, r)
	}
	for _, p := range np.Products {
		if p.Carrier != juhe.CarrierUnicom || p.Price <= 0 || p.Name == "" {
			t.Errorf("product %+v", p)
		}
	}
	if _, r := c.Telcheck(t.Context(), "1861234567"); r.Status != juhe.ReplyRejected || r.Code != 210501 {
		t.Errorf("bad phone: %+v", r)
	}
	if _, r := newClient(t, sim.URL, func(c *juhe.Config) { c.Key = "WRONGKEY" }).Telcheck(t.Context(), "18612345678"); r.Status != juhe.ReplyRefused || r.Code != 10001 {
		t.Errorf("wrong key: %+v", r)
	}
}

// TestAccountRepliesNeverLeakSecrets: whatever the endpoint answers,
// echoes or fails with, the key and the OpenID are in no Reply, no
// account id and no product name.
func TestAccountRepliesNeverLeakSecrets(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		k, o := r.PostForm.Get("key"), testOpenID
		switch r.URL.Path {
		case "/ofpay/mobile/yue":
			fmt.Fprintf(w, `{"reason":"bad %s %s","result":{"uid":"%s%s","money":"1"},"error_code":0}`, k, o, k, o)
		case "/flow/telcheck":
			fmt.Fprintf(w, `{"reason":"%s","result":[{"company":"中国移动","flows":[{"id":"1","p":"%s %s","inprice":"1"}]}],"error_code":0}`, k, k, o)
		default:
			fmt.Fprintf(w, `{"reason":"%s %s %s","result":{"data":[{"uorderid":"%s","game_state":"1"}]},"error_code":10014}`, k, o, url.QueryEscape(k), k)
		}
	}
	srv, _ := newServer(t, echo)
	var seen []string
	for _, base := range []string{srv.URL, "http://127.0.0.1:1", "http://" + testKey + ".invalid"} {
		c := newClient(t, base)
		b, r1 := c.Balance(t.Context())
		res, r2 := c.BatchQuery(t.Context(), []string{"FBLEAK000001"})
		p, r3 := c.OrdersByDate(t.Context(), time.Now(), time.Now(), 1, 10)
		np, r4 := c.Telcheck(t.Context(), "13800138000")
		for _, v := range []any{b, r1, res, r2, p, r3, np, r4} {
			seen = append(seen, fmt.Sprintf("%+v %#v %v", v, v, v))
		}
		seen = append(seen, r1.String(), r2.String(), r3.String(), r4.String())
	}
	for _, s := range seen {
		if strings.Contains(s, testKey) || strings.Contains(s, testOpenID) {
			t.Errorf("leak: %s", s)
		}
	}
}
