package juhe

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseBalance(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		body   string
		want   ReplyStatus
		money  Money
		uid    string
		creds  Credentials
		code   int
	}{
		{"documented", 200, `{"reason":"查询成功","result":{"uid":"1888","money":"8812.340"},"error_code":0}`, ReplyOK, 8812340, "1888", CredsVerified, 0},
		{"string code, number money, number uid", 200, `{"result":{"uid":1888,"money":8812.34},"error_code":"0"}`, ReplyOK, 8812340, "1888", CredsVerified, 0},
		{"no uid", 200, `{"result":{"money":"0"},"error_code":0}`, ReplyOK, 0, "", CredsVerified, 0},
		{"overdrawn", 200, `{"result":{"money":"-1.5"},"error_code":0}`, ReplyOK, -1500, "", CredsVerified, 0},
		{"BOM", 200, "\xef\xbb\xbf" + `{"result":{"money":"1"},"error_code":0}`, ReplyOK, 1000, "", CredsVerified, 0},
		{"wrong key", 200, `{"reason":"错误的请求KEY","result":null,"error_code":10001}`, ReplyRefused, 0, "", CredsKeyRefused, 10001},
		{"key expired", 200, `{"result":[],"error_code":"10003"}`, ReplyRefused, 0, "", CredsKeyRefused, 10003},
		{"wrong openid", 200, `{"result":[],"error_code":10004}`, ReplyRefused, 0, "", CredsOpenIDRefused, 10004},
		{"bad sign", 200, `{"result":null,"error_code":210506}`, ReplyRefused, 0, "", CredsSignRefused, 210506},
		{"no permission", 200, `{"reason":"该KEY无请求权限","error_code":10002}`, ReplyNotAvailable, 0, "", CredsKeyOnly, 10002},
		{"maintenance", 200, `{"error_code":10020}`, ReplyNotAvailable, 0, "", CredsUnverified, 10020},
		{"throttled", 200, `{"error_code":10012}`, ReplyThrottled, 0, "", CredsUnverified, 10012},
		{"internal", 200, `{"error_code":10014}`, ReplyUnknown, 0, "", CredsUnverified, 10014},
		{"result null with 0: sign proven, shape not", 200, `{"result":null,"error_code":0}`, ReplyNotAvailable, 0, "", CredsVerified, 0},
		{"result []", 200, `{"result":[],"error_code":0}`, ReplyNotAvailable, 0, "", CredsVerified, 0},
		{"money float text with 4 decimals", 200, `{"result":{"money":"1.2345"},"error_code":0}`, ReplyNotAvailable, 0, "", CredsVerified, 0},
		{"money exponent", 200, `{"result":{"money":1e3},"error_code":0}`, ReplyNotAvailable, 0, "", CredsVerified, 0},
		{"money object", 200, `{"result":{"money":{}},"error_code":0}`, ReplyNotAvailable, 0, "", CredsVerified, 0},
		{"code 0 on HTTP 500", 500, `{"result":{"money":"1"},"error_code":0}`, ReplyUnknown, 0, "", CredsUnverified, 0},
		{"HTML 502", 502, `<html>bad gateway</html>`, ReplyUnknown, 0, "", CredsUnverified, NoCode},
		{"404 page", 404, `404 page not found`, ReplyNotAvailable, 0, "", CredsUnverified, NoCode},
		{"empty", 200, ``, ReplyUnknown, 0, "", CredsUnverified, NoCode},
		{"array", 200, `[]`, ReplyUnknown, 0, "", CredsUnverified, NoCode},
		{"no code", 200, `{"result":{"money":"1"}}`, ReplyUnknown, 0, "", CredsUnverified, NoCode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, r := parseBalance(tt.status, []byte(tt.body))
			if r.Status != tt.want || r.Code != tt.code || b.Credentials != tt.creds || r.Endpoint != "ofpay/mobile/yue" {
				t.Fatalf("got %+v %+v (%s), want %s code %d %s", r, b, b.Credentials, tt.want, tt.code, tt.creds)
			}
			if tt.want == ReplyOK && (b.Money != tt.money || b.AccountID != tt.uid) {
				t.Errorf("balance %s uid %q, want %s %q", b.Money, b.AccountID, tt.money, tt.uid)
			}
		})
	}
}

func TestCredentialsSayWhatCheckPrints(t *testing.T) {
	for c, want := range map[Credentials]string{
		CredsKeyOnly:    "key checked, OpenID not verified",
		CredsVerified:   "key and OpenID verified",
		CredsUnverified: "key and OpenID not verified",
	} {
		if c.String() != want || c.Wrong() {
			t.Errorf("%d: %q, wrong=%v", c, c, c.Wrong())
		}
	}
	for _, c := range []Credentials{CredsKeyRefused, CredsOpenIDRefused, CredsSignRefused} {
		if !c.Wrong() {
			t.Errorf("%s is not wrong", c)
		}
	}
}

const (
	oidA = "FBAAAAAAAAAA0001"
	oidB = "FBBBBBBBBBBB0002"
	oidC = "FBCCCCCCCCCC0003"
)

func TestParseBatchQuery(t *testing.T) {
	asked := []string{oidA, oidB, oidC}
	for _, tt := range []struct {
		name    string
		body    string
		status  ReplyStatus
		items   map[string]BatchItem
		absent  []string
		dropped int
	}{
		{"documented: uorderid",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1","state_remark":"充值成功","uordercash":"19.630"},{"sporder_id":"S2","uorderid":"` + oidB + `","game_state":9}]}`,
			ReplyOK, map[string]BatchItem{
				oidA: {OrderID: oidA, SporderID: "S1", State: StateSuccess, StateRemark: "充值成功", Cost: 19630, HasCost: true},
				oidB: {OrderID: oidB, SporderID: "S2", State: StateFailed},
			}, []string{oidC}, 0},
		{"orderid, ordercash, string code, result.data",
			`{"error_code":"0","result":{"data":[{"sporder_id":"S1","orderid":"` + oidA + `","game_state":0,"ordercash":19.63}]}}`,
			ReplyOK, map[string]BatchItem{oidA: {OrderID: oidA, SporderID: "S1", State: StateCharging, Cost: 19630, HasCost: true}}, []string{oidB, oidC}, 0},
		{"game_state -1 without sporder_id",
			`{"error_code":0,"result":[{"uorderid":"` + oidC + `","game_state":"-1","state_remark":"提交充值失败"}]}`,
			ReplyOK, map[string]BatchItem{oidC: {OrderID: oidC, State: StateSubmitFailed, StateRemark: "提交充值失败"}}, []string{oidA, oidB}, 0},
		{"result null: all absent", `{"error_code":0,"result":null}`, ReplyOK, map[string]BatchItem{}, asked, 0},
		{"result []: all absent", `{"error_code":0,"result":[]}`, ReplyOK, map[string]BatchItem{}, asked, 0},
		{"an orderid not asked for is dropped",
			`{"error_code":0,"result":[{"sporder_id":"S9","uorderid":"FBZZZZZZZZZZ9999","game_state":"1"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1"}]}`,
			ReplyOK, map[string]BatchItem{oidA: {OrderID: oidA, SporderID: "S1", State: StateSuccess}}, []string{oidB, oidC}, 1},
		{"two different items for one orderid: neither",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"9"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 2},
		{"the same item twice is one",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1"}]}`,
			ReplyOK, map[string]BatchItem{oidA: {OrderID: oidA, SporderID: "S1", State: StateSuccess}}, []string{oidB, oidC}, 0},
		{"empty uorderid, orderid given",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"","orderid":"` + oidA + `","game_state":"1"}]}`,
			ReplyOK, map[string]BatchItem{oidA: {OrderID: oidA, SporderID: "S1", State: StateSuccess}}, []string{oidB, oidC}, 0},
		{"uorderid and orderid disagree",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","orderid":"` + oidB + `","game_state":"1"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 1},
		{"unreadable state, no sporder_id, bad cost, not an object",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"2"},{"uorderid":"` + oidB + `","game_state":"1"},{"sporder_id":"S3","uorderid":"` + oidC + `","game_state":"1","uordercash":"-1"},"x",null]}`,
			ReplyOK, map[string]BatchItem{}, asked, 5},
		// An item that names an asked orderid but cannot be read is still
		// an answer about that order: with another item for it, believe
		// neither (a failed 9 beside an unreadable success would otherwise
		// be adopted, and a failed order goes to the retry file).
		{"an unreadable item and a readable one for one orderid: neither",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"1","uordercash":"abc"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"9"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 2},
		{"a readable item, then an unreadable one for its orderid: neither",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"9"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"7"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 1},
		{"an item without sporder_id beside one with: neither",
			`{"error_code":0,"result":[{"uorderid":"` + oidA + `","game_state":"1"},{"sporder_id":"S1","uorderid":"` + oidA + `","game_state":"9"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 2},
		{"uorderid and orderid disagree, beside a readable item for one of them: neither",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + oidA + `","orderid":"` + oidB + `","game_state":"1"},{"sporder_id":"S2","uorderid":"` + oidB + `","game_state":"9"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 2},
		// Spellings of an orderid: another case is another orderid (not
		// asked for); padding is the same one; a number is its digits.
		{"an orderid in another case is not the one asked for",
			`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"` + strings.ToLower(oidA) + `","game_state":"9"}]}`,
			ReplyOK, map[string]BatchItem{}, asked, 1},
		{"a padded orderid is the one asked for",
			`{"error_code":0,"result":[{"sporder_id":" S1 ","uorderid":" ` + oidA + `\t","game_state":" 9 "}]}`,
			ReplyOK, map[string]BatchItem{oidA: {OrderID: oidA, SporderID: "S1", State: StateFailed}}, []string{oidB, oidC}, 0},
		{"denied", `{"error_code":10002,"result":null}`, ReplyNotAvailable, nil, nil, 0},
		{"result is a string", `{"error_code":0,"result":"oops"}`, ReplyNotAvailable, nil, nil, 0},
		{"result object without a list", `{"error_code":0,"result":{"x":1}}`, ReplyNotAvailable, nil, nil, 0},
		{"HTML", `<html></html>`, ReplyUnknown, nil, nil, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res, r := parseBatchQuery(200, []byte(tt.body), asked)
			if r.Status != tt.status {
				t.Fatalf("reply %+v, want %s", r, tt.status)
			}
			if tt.status != ReplyOK {
				return
			}
			if len(res.Items) != len(tt.items) {
				t.Errorf("items %+v, want %+v", res.Items, tt.items)
			}
			for id, want := range tt.items {
				if got := res.Items[id]; got != want {
					t.Errorf("%s: %+v, want %+v", id, got, want)
				}
			}
			if !slices.Equal(res.Absent, tt.absent) {
				t.Errorf("absent %v, want %v", res.Absent, tt.absent)
			}
			if res.DroppedCount != tt.dropped || len(res.Dropped) != tt.dropped {
				t.Errorf("dropped %d %q, want %d", res.DroppedCount, res.Dropped, tt.dropped)
			}
		})
	}
}

func TestParseOrdersByDate(t *testing.T) {
	line := `{"sporder_id":"F1","uorderid":"` + oidA + `","phone":"13800138000","pid":"105000","cardname":"全国移动1G流量月包","uordercash":"19.630","game_state":"1","addtime":"2026-11-30 23:59:58"}`
	alt := `{"sporder_id":"F2","orderid":"` + oidB + `","phone":13012345678,"pid":106000,"ordercash":19.5,"game_state":-1,"addtime":"2026-11-01 00:00:00"}`
	want := []StatementOrder{
		{OrderID: oidA, SporderID: "F1", Phone: "13800138000", Pid: "105000", CardName: "全国移动1G流量月包", Cost: 19630, HasCost: true, State: StateSuccess,
			AddTime: time.Date(2026, 11, 30, 23, 59, 58, 0, Beijing)},
		{OrderID: oidB, SporderID: "F2", Phone: "13012345678", Pid: "106000", Cost: 19500, HasCost: true, State: StateSubmitFailed,
			AddTime: time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)},
	}
	for _, tt := range []struct {
		name          string
		body          string
		status        ReplyStatus
		orders        int
		totals        bool
		count, npages int
	}{
		{"result.data with totals", `{"error_code":0,"result":{"totalcount":"2","totalpage":1,"data":[` + line + `,` + alt + `]}}`, ReplyOK, 2, true, 2, 1},
		{"result.list", `{"error_code":"0","result":{"totalcount":2,"list":[` + line + `,` + alt + `]}}`, ReplyOK, 2, true, 2, 0},
		{"bare list", `{"error_code":0,"result":[` + line + `,` + alt + `]}`, ReplyOK, 2, false, 0, 0},
		{"empty page: null", `{"error_code":0,"result":null}`, ReplyOK, 0, false, 0, 0},
		{"empty page: []", `{"error_code":0,"result":[]}`, ReplyOK, 0, false, 0, 0},
		{"empty page: data null", `{"error_code":0,"result":{"data":null,"totalcount":0}}`, ReplyOK, 0, true, 0, 0},
		{"empty page: totals only", `{"error_code":0,"result":{"totalcount":"0","totalpage":"0"}}`, ReplyOK, 0, true, 0, 0},
		{"object without a list", `{"error_code":0,"result":{"rows":[]}}`, ReplyNotAvailable, 0, false, 0, 0},
		{"one bad line refuses the page", `{"error_code":0,"result":[` + line + `,{"uorderid":"` + oidC + `","game_state":"1","addtime":"30/11/2026"}]}`, ReplyNotAvailable, 0, false, 0, 0},
		{"a line without any id refuses the page", `{"error_code":0,"result":[{"game_state":"1"}]}`, ReplyNotAvailable, 0, false, 0, 0},
		{"a line without game_state refuses the page", `{"error_code":0,"result":[{"sporder_id":"F1"}]}`, ReplyNotAvailable, 0, false, 0, 0},
		{"denied", `{"error_code":10002}`, ReplyNotAvailable, 0, false, 0, 0},
		{"wrong key", `{"error_code":10001}`, ReplyRefused, 0, false, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p, r := parseOrdersByDate(200, []byte(tt.body))
			if r.Status != tt.status || len(p.Orders) != tt.orders {
				t.Fatalf("reply %+v, %d orders; want %s, %d", r, len(p.Orders), tt.status, tt.orders)
			}
			if p.HasTotals != tt.totals || p.TotalCount != tt.count || p.TotalPage != tt.npages {
				t.Errorf("totals %v %d %d, want %v %d %d", p.HasTotals, p.TotalCount, p.TotalPage, tt.totals, tt.count, tt.npages)
			}
			for i := range p.Orders {
				got, w := p.Orders[i], want[i]
				if !got.AddTime.Equal(w.AddTime) {
					t.Errorf("order %d addtime %v, want %v", i, got.AddTime, w.AddTime)
				}
				got.AddTime, w.AddTime = time.Time{}, time.Time{}
				if got != w {
					t.Errorf("order %d: %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

func TestParseTelcheck(t *testing.T) {
	body := `{"error_code":0,"result":[{"city":"全国","company":"中国联通","companytype":"2","name":"中国联通全国流量","type":"1","flows":[{"id":"106000","p":"全国联通1G流量月包","v":"1024","inprice":"19.500"},{"id":106001,"p":"","v":"500","inprice":9.75}]}]}`
	np, r := parseTelcheck(200, []byte(body))
	if r.Status != ReplyOK || np.Carrier != CarrierUnicom || len(np.Products) != 2 || np.Products[1].Pid != "106001" || np.Products[1].Price != 9750 || np.Products[1].Name != "500" {
		t.Fatalf("%+v %+v", np, r)
	}
	mixed := `{"error_code":0,"result":[{"company":"中国联通","flows":[{"id":"1","inprice":"1"}]},{"company":"中国移动","flows":[{"id":"2","inprice":"1"}]}]}`
	if np, r := parseTelcheck(200, []byte(mixed)); r.Status != ReplyOK || np.Carrier != CarrierUnknown {
		t.Errorf("mixed carriers: %+v %+v", np, r)
	}
	for body, want := range map[string]ReplyStatus{
		`{"error_code":0,"result":[]}`:                                        ReplyOK,
		`{"error_code":210501,"result":null}`:                                 ReplyRejected,
		`{"error_code":210503}`:                                               ReplyRejected,
		`{"error_code":0,"result":{"flows":[]}}`:                              ReplyNotAvailable,
		`{"error_code":0,"result":[{"company":"中国联通","flows":[{"id":"1"}]}]}`: ReplyNotAvailable,
	} {
		if _, r := parseTelcheck(200, []byte(body)); r.Status != want {
			t.Errorf("%s: %+v, want %s", body, r, want)
		}
	}
}

func TestCheckPeriod(t *testing.T) {
	nov1 := time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)
	for _, tt := range []struct {
		name       string
		start, end time.Time
		page, size int
		bad        string
	}{
		{"a whole month", nov1, time.Date(2026, 11, 30, 23, 59, 59, 0, Beijing), 1, 100, ""},
		{"one second", nov1, nov1, 3, 1, ""},
		{"UTC times inside one Beijing month", time.Date(2026, 10, 31, 16, 0, 0, 0, time.UTC), time.Date(2026, 11, 30, 15, 59, 59, 0, time.UTC), 1, 100, ""},
		{"UTC times that cross a Beijing month", time.Date(2026, 10, 31, 15, 59, 59, 0, time.UTC), time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC), 1, 100, "crosses a month"},
		{"across a month", nov1, time.Date(2026, 12, 1, 0, 0, 0, 0, Beijing), 1, 100, "crosses a month"},
		{"same month, another year", nov1, time.Date(2027, 11, 1, 0, 0, 0, 0, Beijing), 1, 100, "crosses a month"},
		{"backwards", nov1.Add(time.Hour), nov1, 1, 100, "before"},
		{"page 0", nov1, nov1, 0, 100, "pages count from 1"},
		{"page size 101", nov1, nov1, 1, 101, "page size"},
		{"page size 0", nov1, nov1, 1, 0, "page size"},
		{"zero time", time.Time{}, nov1, 1, 100, "no start"},
	} {
		got := checkPeriod(tt.start, tt.end, tt.page, tt.size)
		if (tt.bad == "") != (got == "") || !strings.Contains(got, tt.bad) {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.bad)
		}
	}
	s, e := MonthOf(time.Date(2026, 12, 31, 20, 0, 0, 0, time.UTC)) // already January in Beijing
	if !s.Equal(time.Date(2027, 1, 1, 0, 0, 0, 0, Beijing)) || !e.Equal(time.Date(2027, 1, 31, 23, 59, 59, 0, Beijing)) || checkPeriod(s, e, 1, 100) != "" {
		t.Errorf("MonthOf: %v to %v", s, e)
	}
}

// TestGameStateNumbersStay: the journal stores these numbers, so adding
// the provider's -1 must not move any of them.
func TestGameStateNumbersStay(t *testing.T) {
	for s, n := range map[GameState]int{StateNone: -1, StateCharging: 0, StateSuccess: 1, StateFailed: 9, StateSubmitFailed: -2} {
		if int(s) != n {
			t.Errorf("state %d, journaled as %d", s, n)
		}
	}
	for s, final := range map[GameState]bool{StateNone: false, StateCharging: false, StateSuccess: true, StateFailed: true, StateSubmitFailed: true} {
		if s.Final() != final {
			t.Errorf("state %d final %v", s, s.Final())
		}
	}
	// flow/ordersta takes the -1 too (issue 12: final, never charged): an
	// order answered so and refused would be queried forever.
	if o := ParseResponse(OpQuery, 200, []byte(`{"error_code":0,"result":{"sporder_id":"S1","game_state":"-1"}}`)); o.Class != ClassAccepted || o.State != StateSubmitFailed {
		t.Errorf("ordersta with game_state -1: %+v", o)
	}
	if st, ok := parseLineState([]byte(`-1`)); !ok || st != StateSubmitFailed {
		t.Errorf("batch line -1: %d %v", st, ok)
	}
}

// TestParseBatchQueryNumbers: an all-digit orderid given as a JSON number
// is that orderid; one that a number cannot spell exactly (a leading
// zero lost, an exponent) is not, and its order is queried alone.
func TestParseBatchQueryNumbers(t *testing.T) {
	asked := []string{"12345678901234", "01234567890123"}
	body := `{"error_code":0,"result":[{"sporder_id":123,"uorderid":12345678901234,"game_state":1,"uordercash":2.94},` +
		`{"sporder_id":"S2","uorderid":1234567890123,"game_state":9},{"sporder_id":"S3","uorderid":1.2345678901234e13,"game_state":9}]}`
	res, r := parseBatchQuery(200, []byte(body), asked)
	if r.Status != ReplyOK {
		t.Fatalf("reply %+v", r)
	}
	want := BatchItem{OrderID: asked[0], SporderID: "123", State: StateSuccess, Cost: 2940, HasCost: true}
	if len(res.Items) != 1 || res.Items[asked[0]] != want {
		t.Errorf("items %+v, want only %+v", res.Items, want)
	}
	if !slices.Equal(res.Absent, asked[1:]) || res.DroppedCount != 2 {
		t.Errorf("absent %v, dropped %q", res.Absent, res.Dropped)
	}
}
