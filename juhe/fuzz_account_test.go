package juhe

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// Seeds for these targets, including the alternate documented shapes and
// hostile inputs, are in testdata/fuzz/<target>/.

// checkReply holds for every Reply a parser returns.
func checkReply(t *testing.T, r Reply, endpoint string, status int, body []byte) {
	t.Helper()
	if _, ok := replyStatusNames[r.Status]; !ok {
		t.Fatalf("invalid status %d", r.Status)
	}
	if r.Endpoint != endpoint || r.HTTPStatus != status {
		t.Errorf("endpoint %q HTTP %d", r.Endpoint, r.HTTPStatus)
	}
	if !oneLine(r.Reason, maxReason+1) {
		t.Errorf("reason not one short line: %q", r.Reason)
	}
	if r.Code == NoCode && r.Status != ReplyUnknown && !(r.Status == ReplyNotAvailable && status == 404) {
		t.Errorf("no code but %s", r.Status)
	}
	if r.Status == ReplyOK {
		if r.Code != 0 || status < 200 || status > 299 {
			t.Errorf("ok without code 0 and HTTP 2xx: %+v", r)
		}
		var top map[string]json.RawMessage
		if err := json.Unmarshal(bytes.TrimPrefix(bytes.TrimSpace(body), []byte("\xef\xbb\xbf")), &top); err != nil {
			t.Errorf("ok from a body that is not a JSON object: %v", err)
		}
	}
}

func oneLine(s string, runes int) bool {
	return utf8.ValidString(s) && utf8.RuneCountInString(s) <= runes && !strings.ContainsAny(s, "\n\r\x00")
}

func validLineState(s GameState) bool {
	return s == StateCharging || s == StateSuccess || s == StateFailed || s == StateSubmitFailed
}

func FuzzParseBalance(f *testing.F) {
	f.Add(200, []byte(`{"reason":"查询成功","result":{"uid":"1888","money":"8812.340"},"error_code":0}`))
	f.Add(200, []byte(`{"error_code":10002,"result":null}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		b, r := parseBalance(status, body)
		checkReply(t, r, "ofpay/mobile/yue", status, body)
		if _, ok := credentialNames[b.Credentials]; !ok {
			t.Fatalf("invalid credentials %d", b.Credentials)
		}
		if b.Credentials == CredsVerified && (r.Code != 0 || status < 200 || status > 299) {
			t.Errorf("verified by %+v", r)
		}
		if b.Credentials.Wrong() && r.Status != ReplyRefused {
			t.Errorf("credentials %s with status %s", b.Credentials, r.Status)
		}
		if r.Status != ReplyOK && b.Money != 0 {
			t.Errorf("money %s from %+v", b.Money, r)
		}
		if !oneLine(b.AccountID, 65) {
			t.Errorf("account id %q", b.AccountID)
		}
	})
}

func FuzzParseBatchQuery(f *testing.F) {
	f.Add(200, []byte(`{"error_code":0,"result":[{"sporder_id":"S1","uorderid":"FBAAAAAAAAAA0001","game_state":"1","uordercash":"19.630"}]}`), "FBAAAAAAAAAA0001,FBBBBBBBBBBB0002")
	f.Add(200, []byte(`{"error_code":"0","result":{"list":[{"sporder_id":"S1","orderid":"FBAAAAAAAAAA0001","game_state":-1}]}}`), "FBAAAAAAAAAA0001")
	f.Fuzz(func(t *testing.T, status int, body []byte, askedList string) {
		var asked []string
		seen := map[string]bool{}
		for _, id := range strings.Split(askedList, ",") {
			if ValidOrderID(id) && !seen[id] && len(asked) < MaxBatchQuery {
				seen[id] = true
				asked = append(asked, id)
			}
		}
		res, r := parseBatchQuery(status, body, asked)
		checkReply(t, r, "flow/batchquery", status, body)
		if r.Status != ReplyOK {
			if len(res.Items) != 0 || len(res.Absent) != 0 {
				t.Fatalf("items from %+v", r)
			}
			return
		}
		for id, it := range res.Items {
			if !seen[id] || it.OrderID != id {
				t.Errorf("item %q for %q, not asked for", it.OrderID, id)
			}
			if !validLineState(it.State) || (it.SporderID == "" && it.State != StateSubmitFailed) || it.Cost < 0 || (!it.HasCost && it.Cost != 0) {
				t.Errorf("item %+v", it)
			}
			if !oneLine(it.StateRemark, maxReason+1) || !oneLine(it.SporderID, 64) {
				t.Errorf("item text %+v", it)
			}
		}
		if len(res.Items)+len(res.Absent) != len(asked) {
			t.Errorf("%d items and %d absent for %d asked", len(res.Items), len(res.Absent), len(asked))
		}
		for i, id := range res.Absent {
			if _, both := res.Items[id]; both || !seen[id] || (i > 0 && id == res.Absent[i-1]) {
				t.Errorf("absent %q", id)
			}
		}
		if len(res.Dropped) > maxNotes || res.DroppedCount < len(res.Dropped) {
			t.Errorf("%d notes for %d dropped", len(res.Dropped), res.DroppedCount)
		}
		for _, n := range res.Dropped {
			if !oneLine(n, maxReason+1) {
				t.Errorf("note %q", n)
			}
		}
	})
}

func FuzzParseOrdersByDate(f *testing.F) {
	f.Add(200, []byte(`{"error_code":0,"result":{"totalcount":"1","totalpage":1,"data":[{"sporder_id":"F1","uorderid":"FBAAAAAAAAAA0001","phone":"13800138000","pid":"105000","cardname":"全国移动1G流量月包","uordercash":"19.630","game_state":"1","addtime":"2026-11-30 23:59:58"}]}}`))
	f.Add(200, []byte(`{"error_code":0,"result":[]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		p, r := parseOrdersByDate(status, body)
		checkReply(t, r, "flow/ordersbydate", status, body)
		if r.Status != ReplyOK {
			if len(p.Orders) != 0 || p.HasTotals {
				t.Fatalf("orders from %+v", r)
			}
			return
		}
		if p.TotalCount < 0 || p.TotalPage < 0 || (!p.HasTotals && (p.TotalCount != 0 || p.TotalPage != 0)) {
			t.Errorf("totals %+v", p)
		}
		for _, o := range p.Orders {
			if o.OrderID == "" && o.SporderID == "" {
				t.Errorf("order without an id: %+v", o)
			}
			if o.OrderID != "" && !ValidOrderID(o.OrderID) {
				t.Errorf("orderid %q", o.OrderID)
			}
			if !validLineState(o.State) || o.Cost < 0 || (!o.HasCost && o.Cost != 0) {
				t.Errorf("order %+v", o)
			}
			if !oneLine(o.Phone, 33) || !oneLine(o.Pid, 65) || !oneLine(o.CardName, maxReason+1) || !oneLine(o.SporderID, 64) {
				t.Errorf("order text %+v", o)
			}
			if !o.AddTime.IsZero() && o.AddTime.Location() != Beijing {
				t.Errorf("addtime %v not in Beijing time", o.AddTime)
			}
		}
	})
}

func FuzzParseTelcheck(f *testing.F) {
	f.Add(200, []byte(`{"error_code":0,"result":[{"city":"全国","company":"中国联通","companytype":"2","name":"中国联通全国流量","type":"1","flows":[{"id":"106000","p":"全国联通1G流量月包","v":"1024","inprice":"19.500"}]}]}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		np, r := parseTelcheck(status, body)
		checkReply(t, r, "flow/telcheck", status, body)
		if r.Status != ReplyOK && (len(np.Products) != 0 || np.Carrier != CarrierUnknown) {
			t.Fatalf("products from %+v", r)
		}
		for _, p := range np.Products {
			if p.Pid == "" || p.Price < 0 || !oneLine(p.Name, maxReason+1) {
				t.Errorf("product %+v", p)
			}
			if np.Carrier != CarrierUnknown && p.Carrier != np.Carrier {
				t.Errorf("carrier %s but product of %s", np.Carrier, p.Carrier)
			}
		}
	})
}
