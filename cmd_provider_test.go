package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/statement"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/reconcile"
	"github.com/xuri/excelize/v2"
)

// bookKeeper is a provider that is not the project's simulator: it keeps
// its own books, answers the account-side endpoints in shapes of its own
// from the documented set (error_code as a string, the statement under
// result.list with totals, "orderid" and "ordercash" rather than
// "uorderid" and "uordercash"), and does what a real account sees:
// charges made behind the batch's back, orders that fail after the run,
// a balance that moves (a top-up).
type bookKeeper struct {
	mu      sync.Mutex
	denied  bool // 10002 on the balance and the statement
	balance juhe.Money
	orders  []*keptOrder
	byID    map[string]*keptOrder
	submits int
	// On the submit numbered atSubmit, these happen too.
	behindAt, topUpAt int
	behind            []keptOrder // charged behind the batch's back
	topUp             juhe.Money
	ledger            []string // what really happened, for the test's own sums
	statementCalls    int
}

type keptOrder struct {
	orderID, sporderID, phone, pid string
	cost                           juhe.Money
	state                          int
	at                             time.Time
}

var keeperPrices = map[string]juhe.Money{"105000": 19630, "105001": 2940}

func newBookKeeper(balance juhe.Money) *bookKeeper {
	return &bookKeeper{balance: balance, byID: map[string]*keptOrder{}}
}

func (k *bookKeeper) add(o keptOrder) *keptOrder {
	k.balance -= o.cost
	o.sporderID = fmt.Sprintf("K%023d", len(k.orders)+1)
	p := &o
	k.orders = append(k.orders, p)
	if o.orderID != "" {
		k.byID[o.orderID] = p
	}
	return p
}

// fail makes orders fail after the fact and refunds them.
func (k *bookKeeper) fail(ids ...string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		o := k.byID[id]
		o.state = 9
		k.balance += o.cost
	}
}

func (k *bookKeeper) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	r.ParseForm()
	answer := func(code any, reason string, result any) {
		json.NewEncoder(w).Encode(map[string]any{"reason": reason, "result": result, "error_code": code})
	}
	switch r.URL.Path {
	case "/ofpay/mobile/yue":
		if k.denied {
			answer("10002", "该KEY无请求权限", nil)
			return
		}
		answer("0", "查询成功", map[string]any{"uid": "keeper-7", "money": k.balance.String()})
	case "/flow/list":
		answer(0, "success", []map[string]any{{"company": "中国移动", "name": "中国移动", "flows": []map[string]any{
			{"id": "105000", "p": "1G", "v": "1024", "inprice": keeperPrices["105000"].String()},
			{"id": "105001", "p": "100M", "v": "100", "inprice": keeperPrices["105001"].String()}}}})
	case "/flow/onlineorder":
		id, phone, pid := r.Form.Get("orderid"), r.Form.Get("phone"), r.Form.Get("pid")
		price, ok := keeperPrices[pid]
		switch {
		case !ok:
			answer(210503, "检索不到符合该手机号码的流量套餐", nil)
			return
		case k.byID[id] != nil:
			answer(210508, "重复的订单号", nil)
			return
		}
		k.submits++
		o := k.add(keptOrder{orderID: id, phone: phone, pid: pid, cost: price, state: 1, at: time.Now()})
		k.ledger = append(k.ledger, fmt.Sprintf("batch %s %s", id, price))
		if k.submits == k.behindAt {
			for _, b := range k.behind {
				b.at = time.Now()
				k.add(b)
				k.ledger = append(k.ledger, fmt.Sprintf("behind %s %s", b.phone, b.cost))
			}
		}
		if k.submits == k.topUpAt {
			k.balance += k.topUp
			k.ledger = append(k.ledger, "top-up "+k.topUp.String())
		}
		answer(0, "订单提交成功，等待充值", map[string]any{"pid": pid, "uordercash": price.String(), "cardname": "流量",
			"sporder_id": o.sporderID, "orderid": id, "phone": phone})
	case "/flow/ordersta":
		o := k.byID[r.Form.Get("orderid")]
		if o == nil {
			answer(210511, "订单号错误/不存在", nil)
			return
		}
		answer(0, "查询成功", map[string]any{"uordercash": o.cost.String(), "sporder_id": o.sporderID, "game_state": strconv.Itoa(o.state)})
	case "/flow/ordersbydate":
		k.statementCalls++
		if k.denied {
			answer("10002", "该KEY无请求权限", nil)
			return
		}
		start, err1 := time.ParseInLocation(juhe.TimeLayout, r.Form.Get("starttime"), juhe.Beijing)
		end, err2 := time.ParseInLocation(juhe.TimeLayout, r.Form.Get("endtime"), juhe.Beijing)
		page, _ := strconv.Atoi(r.Form.Get("page"))
		size, _ := strconv.Atoi(r.Form.Get("pagesize"))
		if err1 != nil || err2 != nil || start.Month() != end.Month() || page < 1 || size < 1 || size > 100 {
			answer("210509", "参数错误", nil)
			return
		}
		var in []*keptOrder
		for _, o := range k.orders {
			at := o.at.Truncate(time.Second)
			if !at.Before(start) && !at.After(end) {
				in = append(in, o)
			}
		}
		sort.SliceStable(in, func(i, j int) bool { return in[i].at.After(in[j].at) }) // newest first
		var list []map[string]any
		for i := (page - 1) * size; i < len(in) && i < page*size; i++ {
			o := in[i]
			line := map[string]any{"sporder_id": o.sporderID, "phone": o.phone, "pid": o.pid, "cardname": "流量",
				"ordercash": o.cost.String(), "game_state": strconv.Itoa(o.state), "addtime": o.at.In(juhe.Beijing).Format(juhe.TimeLayout)}
			if o.orderID != "" {
				line["orderid"] = o.orderID
			}
			list = append(list, line)
		}
		answer("0", "查询成功", map[string]any{"list": list, "totalcount": strconv.Itoa(len(in)), "totalpage": (len(in) + size - 1) / size})
	default:
		http.NotFound(w, r)
	}
}

// providerSheet reads the English Provider sheet: its rows by column name.
func providerSheet(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Provider", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("no Provider sheet: %v", err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, c := range r {
			if i < len(rows[0]) {
				m[rows[0][i]] = c
			}
		}
		out = append(out, m)
	}
	return out
}

func money(s string) juhe.Money {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return -1
	}
	return juhe.Money(f*1000 + 0.5)
}

// The provider's books, end to end against a provider that is not
// juhesim: the workbook lists exactly the charges made behind the batch's
// back, to the 厘, the roll-forward's difference is the top-up, and the
// orders the provider failed after the run come out as state differs.
func TestProviderBooksThreeWay(t *testing.T) {
	t.Parallel() // its own stand-in, directory and workspace
	ctx := context.Background()
	k := newBookKeeper(5_000_000)
	k.behindAt, k.topUpAt = 3, 5
	k.behind = []keptOrder{
		{phone: "13712345670", pid: "105000", cost: 7777, state: 1},
		{orderID: "LEAKED00000000000000000000000001", phone: "13712345671", pid: "105001", cost: 2941, state: 1},
	}
	k.topUp = 100_000
	srv := httptest.NewServer(k)
	defer srv.Close()
	dir := t.TempDir()
	vars := withWorkspace(t, map[string]string{"JUHE_KEY": "keeper-key", "JUHE_OPENID": "keeper-openid", "JUHE_BASE_URL": srv.URL})

	// An earlier batch of the workspace: its orders are "other batch".
	early := filepath.Join(dir, "early.csv")
	os.WriteFile(early, []byte("phone,pid\n13800000101,105001\n13800000102,105001\n"), 0o600)
	if _, errOut, code := runCmd(ctx, t, vars, "run", "-in", early, "-batch", "early", "-out", filepath.Join(dir, "early.xlsx"),
		"-wait", "10s", "-period", "2026-11", "-rate", "50"); code != ExitOK {
		t.Fatalf("early run: exit %d\n%s", code, errOut)
	}

	var in strings.Builder
	in.WriteString("phone,pid\n")
	for i := range 8 {
		fmt.Fprintf(&in, "1390000%04d,105000\n", i)
	}
	list := filepath.Join(dir, "gift.csv")
	os.WriteFile(list, []byte(in.String()), 0o600)
	out := filepath.Join(dir, "gift.xlsx")
	stdout, errOut, code := runCmd(ctx, t, vars, "run", "-in", list, "-batch", "gift", "-out", out, "-lang", "en",
		"-wait", "10s", "-period", "2026-11", "-rate", "50")
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, errOut)
	}
	spend := 8 * keeperPrices["105000"]

	check := func(label string, wantState int) {
		t.Helper()
		rows := providerSheet(t, out)
		var unexplained []string
		var sum juhe.Money
		state := 0
		for _, r := range rows {
			switch r["result"] {
			case "unexplained_at_provider":
				unexplained = append(unexplained, r["phone"]+" "+r["pid"]+" "+money(r["provider_cost"]).String())
				sum += money(r["amount"])
				if r["provider_time"] == "" {
					t.Errorf("%s: an unexplained line without its time: %v", label, r)
				}
			case "state_differs":
				state++
			default:
				t.Errorf("%s: a line the provider's books should not flag: %v", label, r)
			}
		}
		sort.Strings(unexplained)
		if want := []string{"13712345670 105000 7.777", "13712345671 105001 2.941"}; strings.Join(unexplained, "|") != strings.Join(want, "|") {
			t.Errorf("%s: unexplained lines %q, want %q (ledger %q)", label, unexplained, want, k.ledger)
		}
		if sum != 7777+2941 || state != wantState {
			t.Errorf("%s: unexplained total %s, state differs %d; want 10.718, %d", label, sum, state, wantState)
		}
		_, _, summary := readWorkbook(t, out)
		if summary["unexplained_at_provider"] != "2" || summary["other_batch"] != "2" || summary["missing_at_provider"] != "0" ||
			summary["three_way_check (nothing unexplained, nothing missing)"] != "MISMATCH" {
			t.Errorf("%s: three-way block %v", label, summary)
		}
		if got := money(summary["difference (actual − expected)"]); got != k.topUp {
			t.Errorf("%s: roll-forward difference %s, want the top-up %s (ledger %q)", label, got, k.topUp, k.ledger)
		}
		if got := money(summary["− unexplained charges (statement)"]); got != 7777+2941 {
			t.Errorf("%s: unexplained in the window %s, want 10.718", label, got)
		}
		if got := money(summary["− success spend (this batch)"]); got != spend {
			t.Errorf("%s: spend %s", label, got)
		}
	}
	check("run", 0)
	if !strings.Contains(stdout, "provider: MISMATCH") || !strings.Contains(stdout, "difference 100.000 yuan") {
		t.Errorf("run does not say the provider's books:\n%s", stdout)
	}

	// The provider fails two orders after the run; reconcile -provider
	// pulls again and sees them. The journal still says success: the
	// roll-forward still closes on the balance read after the last answer.
	var ids []string
	for _, o := range k.orders {
		if strings.HasPrefix(o.phone, "1390000") && len(ids) < 2 {
			ids = append(ids, o.orderID)
		}
	}
	k.fail(ids...)
	before, err := os.ReadFile(journalOf(t, vars, "gift"))
	if err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCmd(ctx, t, vars, "reconcile", "-provider", "-journal", journalOf(t, vars, "gift"), "-out", out, "-lang", "en", "-rate", "50"); code != ExitOK {
		t.Fatalf("reconcile -provider: exit %d\n%s", code, errOut)
	}
	if after, _ := os.ReadFile(journalOf(t, vars, "gift")); string(after) != string(before) {
		t.Errorf("reconcile -provider changed the journal")
	}
	// The spend in the roll-forward is the journal's, read when the
	// closing balance was.
	check("reconcile -provider", 2)
	rows := providerSheet(t, out)
	n := 0
	for _, r := range rows {
		if r["result"] == "state_differs" && r["our_state"] == "success" && r["provider_state"] == "failed" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d orders failed after the run are listed as state differs, want 2: %v", n, rows)
	}
	// The workbook is reproducible from the journal and the statement file.
	st, err := statement.Read(ctx, statement.Path(journalOf(t, vars, "gift")))
	if err != nil || !st.Whole() {
		t.Fatalf("statement: %v %+v", err, st)
	}
	_, _, summary := readWorkbook(t, out)
	if summary["statement_head_hash"] != st.HeadHash {
		t.Errorf("the workbook records statement head %q, the file's is %q", summary["statement_head_hash"], st.HeadHash)
	}
	att, err := os.ReadFile(reconcile.AttestationPath(out, "gift"))
	if err != nil || !strings.Contains(string(att), `"statement_head": "`+st.HeadHash+`"`) || !strings.Contains(string(att), `"unexplained_li": 10718`) {
		t.Errorf("the attestation does not hold the statement: %v\n%s", err, att)
	}
}

// journalOf is where run put the journal of batch id.
func journalOf(t *testing.T, vars map[string]string, id string) string {
	t.Helper()
	p := filepath.Join(withWorkspace(t, vars)["FLOWBATCH_WORKSPACE"], id+".journal")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("journal of %s: %v", id, err)
	}
	return p
}

// Against a provider that refuses the account endpoints, the run still
// settles and reconciles, and the workbook says plainly that the provider
// leg was not available.
func TestProviderBooksNotAvailable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newBookKeeper(5_000_000)
	k.denied = true
	srv := httptest.NewServer(k)
	defer srv.Close()
	dir := t.TempDir()
	vars := withWorkspace(t, map[string]string{"JUHE_KEY": "keeper-key", "JUHE_OPENID": "keeper-openid", "JUHE_BASE_URL": srv.URL})
	list := filepath.Join(dir, "gift.csv")
	os.WriteFile(list, []byte("phone,pid\n13900000001,105000\n13900000002,105000\n"), 0o600)
	out := filepath.Join(dir, "gift.xlsx")
	stdout, errOut, code := runCmd(ctx, t, vars, "run", "-in", list, "-batch", "gift", "-out", out, "-lang", "en", "-wait", "10s", "-period", "2026-11")
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, errOut)
	}
	_, _, summary := readWorkbook(t, out)
	if summary["success"] != "2" || summary["three_way_check (nothing unexplained, nothing missing)"] != "NOT AVAILABLE" {
		t.Errorf("summary: %v", summary)
	}
	rows := providerSheet(t, out)
	if len(rows) != 1 || !strings.Contains(rows[0]["result"], "The provider leg was not available") || !strings.Contains(rows[0]["result"], "10002") {
		t.Errorf("Provider sheet does not say the leg was not available: %v", rows)
	}
	if !strings.Contains(stdout, "provider: not available") || k.statementCalls != 1 {
		t.Errorf("stdout %q, %d statement requests (want 1)", stdout, k.statementCalls)
	}
	if _, errOut, code := runCmd(ctx, t, vars, "reconcile", "-provider", "-journal", journalOf(t, vars, "gift"), "-out", out, "-lang", "en"); code != ExitOK {
		t.Fatalf("reconcile -provider: exit %d\n%s", code, errOut)
	}
}

// TestProviderStatementLineInTheTerminalsLanguage: the line that says what
// the pull kept is the catalogue's, in Chinese too.
func TestProviderStatementLineInTheTerminalsLanguage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	k := newBookKeeper(5_000_000)
	srv := httptest.NewServer(k)
	defer srv.Close()
	dir := t.TempDir()
	vars := withWorkspace(t, map[string]string{"JUHE_KEY": "keeper-key", "JUHE_OPENID": "keeper-openid", "JUHE_BASE_URL": srv.URL})
	list := filepath.Join(dir, "gift.csv")
	os.WriteFile(list, []byte("phone,pid\n13900000001,105000\n13900000002,105000\n"), 0o600)
	out := filepath.Join(dir, "gift.xlsx")
	stdout, errOut, code := runCmd(ctx, t, vars, "run", "-in", list, "-batch", "gift", "-out", out, "-lang", "zh", "-wait", "10s", "-period", "2026-11")
	if code != ExitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, errOut)
	}
	if !strings.Contains(errOut, "flowbatch：对账单：1 个周期，2 个订单，1 次请求，保存在 ") || strings.Contains(errOut, "statement: ") {
		t.Errorf("the statement line is not the catalogue's Chinese:\n%s", errOut)
	}
}
