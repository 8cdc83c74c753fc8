package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// standIn is a provider that is not the project's simulator: a few lines
// answering the documented shapes (juhe-flow-api-v2.md, NOTES.md), so
// that check and run are held to the protocol, not to juhesim.
type standIn struct {
	mu      sync.Mutex
	balance juhe.Money
	// mode: "" answers everything; "badkey" answers 10001 everywhere;
	// "badopenid" 10004 on the balance and 210506 on submits;
	// "keyonly" 10002 on the balance.
	mode   string
	orders map[string][2]string // orderid → cost, sporder_id
	spent  int                  // submits accepted
}

var standInCatalogue = map[string]struct {
	carrier string
	price   juhe.Money
}{"105000": {"中国移动", 19630}, "106000": {"中国联通", 19500}}

func (s *standIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r.ParseForm()
	answer := func(code int, reason string, result any) {
		json.NewEncoder(w).Encode(map[string]any{"error_code": code, "reason": reason, "result": result})
	}
	if s.mode == "badkey" {
		answer(10001, "错误的请求KEY", nil)
		return
	}
	switch r.URL.Path {
	case "/ofpay/mobile/yue":
		switch s.mode {
		case "badopenid":
			answer(10004, "错误的OPENID", nil)
		case "keyonly":
			answer(10002, "该KEY无请求权限", nil)
		default:
			answer(0, "查询成功", map[string]any{"uid": "stand-in-account", "money": s.balance.String()})
		}
	case "/flow/list":
		var groups []map[string]any
		for _, pid := range []string{"105000", "106000"} {
			p := standInCatalogue[pid]
			groups = append(groups, map[string]any{"company": p.carrier, "name": p.carrier, "flows": []map[string]any{
				{"id": pid, "p": "1G", "v": "1024", "inprice": p.price.String()}}})
		}
		answer(0, "success", groups)
	case "/flow/onlineorder":
		id, phone, pid := r.Form.Get("orderid"), r.Form.Get("phone"), r.Form.Get("pid")
		p, ok := standInCatalogue[pid]
		switch {
		case s.mode == "badopenid":
			answer(210506, "校验值sign错误", nil)
		case !ok:
			answer(210503, "检索不到符合该手机号码的流量套餐", nil)
		case (p.carrier == "中国移动") != (juhe.CarrierOf(phone) == juhe.CarrierMobile):
			answer(210504, "套餐ID不符合当前手机号", nil)
		case s.orders[id][0] != "":
			answer(210508, "重复的订单号", nil)
		case s.balance < p.price:
			answer(210505, "余额不足", nil)
		default:
			s.balance -= p.price
			s.spent++
			s.orders[id] = [2]string{p.price.String(), fmt.Sprintf("S%020d", s.spent)}
			answer(0, "订单提交成功，等待充值", map[string]any{"pid": pid, "uordercash": p.price.String(), "cardname": "1G",
				"sporder_id": s.orders[id][1], "orderid": id, "phone": phone})
		}
	case "/flow/ordersta":
		o := s.orders[r.Form.Get("orderid")]
		if o[0] == "" {
			answer(210511, "订单号错误/不存在", nil)
			return
		}
		answer(0, "查询成功", map[string]any{"uordercash": o[0], "sporder_id": o[1], "game_state": "1"})
	default:
		http.NotFound(w, r)
	}
}

// check and run agree: the exit code check gives is the one run gives
// with the same flags, and a refusal is worded the same.
func TestCheckPredictsRun(t *testing.T) {
	t.Parallel()
	type setup func(t *testing.T, dir string, vars map[string]string)
	runBatch := func(in, id string) setup {
		return func(t *testing.T, dir string, vars map[string]string) {
			t.Helper()
			if _, errOut, code := runCmd(context.Background(), t, vars, "run", "-in", filepath.Join(dir, in), "-batch", id,
				"-out", filepath.Join(dir, id+"-first.xlsx"), "-wait", "10s", "-period", "2026-11"); code != ExitOK {
				t.Fatalf("setup run: exit %d\n%s", code, errOut)
			}
		}
	}
	mobile := "phone,pid\n13900000001,105000\n13900000002,105000\n13900000003,105000\n"
	other := "phone,pid\n13900000009,105000\n"
	for _, tc := range []struct {
		name     string
		mode     string
		balance  juhe.Money
		file     string
		extra    []string
		setup    setup
		code     int
		sayCheck []string // in check's output
		same     string   // run's and check's messages both end with the text after this
	}{
		{name: "verified", balance: 1000000, file: mobile, code: ExitOK, sayCheck: []string{"ok: submit would send 3 orders; key and OpenID verified."}},
		{name: "wrong key", mode: "badkey", balance: 1000000, file: mobile, code: ExitHalted, same: "before the first request: "},
		{name: "wrong OpenID", mode: "badopenid", balance: 1000000, file: mobile, code: ExitHalted, same: "before the first request: ",
			sayCheck: []string{"OpenID refused: check JUHE_OPENID"}},
		{name: "OpenID not checked", mode: "keyonly", balance: 1000000, file: mobile, code: ExitOK,
			sayCheck: []string{"submit would send 3 orders; key checked, OpenID not verified"}},
		{name: "short balance", balance: 30000, file: mobile, code: ExitHalted, same: "refused to start: ",
			sayCheck: []string{"warning: the estimate exceeds the balance by 28.890 yuan"}},
		{name: "short balance allowed", balance: 30000, file: mobile, extra: []string{"-allow-short-balance"}, code: ExitHalted},
		{name: "pid not in the catalogue", balance: 1000000, file: "phone,pid\n13900000001,105000\n13900000002,999999\n", code: ExitOK,
			sayCheck: []string{"row 3: pid 999999 is not in the catalogue: the provider will reject it"}},
		{name: "another carrier", balance: 1000000, file: "phone,pid\n13900000001,105000\n18612345678,105000\n", code: ExitOK,
			sayCheck: []string{"row 3: 18612345678 is a China Unicom number by its prefix, pid 105000 is a China Mobile product", "unless the number was ported to China Mobile"}},
		{name: "same file, another batch", balance: 1000000, file: mobile, setup: runBatch("in.csv", "first"), code: ExitInvalid,
			same: "refuses batch ", sayCheck: []string{`already submitted under batch "first"`}},
		{name: "overlapping list", balance: 1000000, file: mobile, setup: func(t *testing.T, dir string, vars map[string]string) {
			os.WriteFile(filepath.Join(dir, "early.csv"), []byte("phone,pid\n13900000002,105000\n"), 0o600)
			runBatch("early.csv", "early")(t, dir, vars)
		}, code: ExitInvalid, same: "refuses batch ", sayCheck: []string{`1 row of this batch is already in batch "early"`}},
		{name: "batch id spelled differently", balance: 1000000, file: mobile, setup: func(t *testing.T, dir string, vars map[string]string) {
			os.WriteFile(filepath.Join(dir, "other.csv"), []byte(other), 0o600)
			runBatch("other.csv", "B")(t, dir, vars)
		}, code: ExitInvalid, same: "refuses batch ", sayCheck: []string{`batch id "b" is batch "B" spelled differently`}},
		{name: "journal holds another file", balance: 1000000, file: mobile, setup: func(t *testing.T, dir string, vars map[string]string) {
			os.WriteFile(filepath.Join(dir, "other.csv"), []byte(other), 0o600)
			runBatch("other.csv", "b")(t, dir, vars)
		}, code: ExitInvalid, same: "is not the file journal ", sayCheck: []string{"that was other.csv, read "}},
		{name: "verified, capped above the estimate", balance: 1000000, file: mobile, extra: []string{"-max-spend", "100"}, code: ExitOK,
			sayCheck: []string{"spending cap 100.000 yuan (from -max-spend); committed 0.000 yuan; estimate for the 3 rows to send 58.890 yuan", "ok: submit would send 3 orders"}},
		{name: "capped below the estimate", balance: 1000000, file: mobile, extra: []string{"-max-spend", "40"}, code: ExitHalted,
			sayCheck: []string{"would halt at the spending cap: the rows to send, 58.890 yuan at the catalogue prices, with 0.000 yuan committed, exceed the spending cap of 40.000 yuan: 2 of the 3 rows fit"}},
		{name: "cap from the environment", balance: 1000000, file: mobile, setup: func(t *testing.T, dir string, vars map[string]string) {
			vars[envMaxSpend] = "19.63"
		}, code: ExitHalted, sayCheck: []string{"spending cap 19.630 yuan (from FLOWBATCH_MAX_SPEND)", "1 of the 3 rows fit"}},
		{name: "capped, pid not in the catalogue", balance: 1000000, file: "phone,pid\n13900000001,105000\n13900000002,999999\n",
			extra: []string{"-max-spend", "100"}, code: ExitInvalid, same: "refused to start: ",
			sayCheck: []string{"the catalogue has none for pid 999999 (row 3)"}},
		{name: "capped within a short balance", balance: 30000, file: mobile, extra: []string{"-max-spend", "25"}, code: ExitHalted,
			sayCheck: []string{"1 of the 3 rows fit"}},
		{name: "journaled cap, resumed", balance: 1000000, file: mobile, setup: func(t *testing.T, dir string, vars map[string]string) {
			t.Helper()
			if _, errOut, code := runCmd(context.Background(), t, vars, "run", "-in", filepath.Join(dir, "in.csv"), "-batch", "b",
				"-out", filepath.Join(dir, "b-first.xlsx"), "-wait", "10s", "-period", "2026-11", "-max-spend", "20"); code != ExitHalted {
				t.Fatalf("setup run: exit %d, want %d\n%s", code, ExitHalted, errOut)
			}
		}, code: ExitHalted, sayCheck: []string{"spending cap 20.000 yuan (journaled); committed 19.630 yuan; estimate for the 2 rows to send 39.260 yuan", "0 of the 2 rows fit"}},
		{name: "bad cap", balance: 1000000, file: mobile, extra: []string{"-max-spend", "1.0001"}, code: ExitUsage, same: "-max-spend: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // its own stand-in, directory and workspace
			p := &standIn{balance: tc.balance, mode: tc.mode, orders: map[string][2]string{}}
			srv := httptest.NewServer(p)
			defer srv.Close()
			dir := t.TempDir()
			vars := withWorkspace(t, map[string]string{"JUHE_KEY": "stand-in-key", "JUHE_OPENID": "stand-in-openid", "JUHE_BASE_URL": srv.URL})
			in := filepath.Join(dir, "in.csv")
			os.WriteFile(in, []byte(tc.file), 0o600)
			if tc.setup != nil {
				tc.setup(t, dir, vars)
			}
			before := p.spent
			flags := append([]string{"-in", in, "-batch", "b", "-period", "2026-11"}, tc.extra...)
			cout, cerr, ccode := runCmd(context.Background(), t, vars, append([]string{"check"}, flags...)...)
			if p.spent != before {
				t.Fatalf("check placed %d orders", p.spent-before)
			}
			_, rerr, rcode := runCmd(context.Background(), t, vars, append([]string{"run", "-out", filepath.Join(dir, "b.xlsx"), "-wait", "10s"}, flags...)...)
			for i, a := range tc.extra {
				if a == "-max-spend" {
					cap, _ := juhe.ParseMoney("cap", tc.extra[i+1])
					var spent juhe.Money
					for _, o := range p.orders {
						c, _ := juhe.ParseMoney("cost", o[0])
						spent += c
					}
					if spent > cap {
						t.Errorf("run charged %s, over the cap %s", spent, cap)
					}
				}
			}
			if ccode != tc.code || rcode != tc.code {
				t.Fatalf("check exit %d, run exit %d, want both %d\ncheck:\n%s%s\nrun:\n%s", ccode, rcode, tc.code, cout, cerr, rerr)
			}
			for _, s := range tc.sayCheck {
				if !strings.Contains(cout+cerr, s) {
					t.Errorf("check does not say %q:\n%s%s", s, cout, cerr)
				}
			}
			if tc.code == ExitOK && strings.Contains(cout, "ok:") != strings.Contains(tc.name, "verified") && tc.name != "OpenID not checked" {
				t.Errorf("check says ok when it should not, or the reverse:\n%s", cout)
			}
			if tc.mode == "keyonly" && strings.Contains(cout, "ok:") {
				t.Errorf("check says ok with the OpenID not verified:\n%s", cout)
			}
			if tc.same != "" {
				_, cmsg, ok1 := strings.Cut(lineWith(cerr, tc.same), tc.same)
				_, rmsg, ok2 := strings.Cut(lineWith(rerr, tc.same), tc.same)
				if !ok1 || !ok2 || cmsg != rmsg {
					t.Errorf("check and run word it differently:\ncheck: %s\nrun:   %s", lineWith(cerr, tc.same), lineWith(rerr, tc.same))
				}
			}
		})
	}
}

// lineWith is the first line of s that holds sub.
func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}
