package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

var servingRE = regexp.MustCompile(`flowbatch sim: serving (http://\S+)\n`)

// startSim runs `flowbatch sim args…` in the background and returns its
// URL, its output and a stop function that cancels it and returns its error.
func startSim(t *testing.T, vars map[string]string, args ...string) (base string, out, errOut *syncBuffer, stop func() error) {
	t.Helper()
	out, errOut = &syncBuffer{}, &syncBuffer{}
	e := &env{stdout: out, stderr: errOut, getenv: func(k string) string { return vars[k] }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, e, append([]string{"sim", "-addr", "127.0.0.1:0"}, args...)) }()
	var once sync.Once
	var stopErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(10 * time.Second):
				t.Error("sim did not return after its context was cancelled")
			}
		})
		return stopErr
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(out.String()); m != nil {
			t.Cleanup(func() { stop() })
			return m[1], out, errOut, stop
		}
		select {
		case err := <-done:
			t.Fatalf("sim returned before serving: %v\nstderr: %s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("sim printed no URL; stdout %q stderr %q", out.String(), errOut.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func simPost(t *testing.T, base, path string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(base+path, form)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

func TestSimServesAndStops(t *testing.T) {
	t.Parallel()
	const key, openID = "sim-key-9f8e7d", "JHsim-openid-1a2b3c"
	vars := map[string]string{"JUHE_KEY": key, "JUHE_OPENID": openID}
	base, out, errOut, stop := startSim(t, vars, "-balance", "30", "-settle-delay", "0", "-success-ratio", "1", "-v")

	phone, pid := "13800138000", "105000"
	order := func(oid string) url.Values {
		return url.Values{"key": {key}, "phone": {phone}, "pid": {pid}, "orderid": {oid},
			"sign": {juhe.Sign(openID, key, phone, pid, oid)}}
	}
	probes := []struct {
		name string
		path string
		form url.Values
		code float64
	}{
		{"good order", "/flow/onlineorder", order("SIMCMD000001"), 0},
		{"duplicate", "/flow/onlineorder", order("SIMCMD000001"), 210508},
		{"balance", "/flow/onlineorder", order("SIMCMD000002"), 210505},
		{"query", "/flow/ordersta", url.Values{"key": {key}, "orderid": {"SIMCMD000001"}}, 0},
		{"unknown orderid", "/flow/ordersta", url.Values{"key": {key}, "orderid": {"SIMCMD999999"}}, 210511},
		{"wrong key", "/flow/ordersta", url.Values{"key": {"nope"}, "orderid": {"SIMCMD000001"}}, 10001},
	}
	for _, p := range probes {
		status, m := simPost(t, base, p.path, p.form)
		if status != http.StatusOK || m["error_code"] != p.code {
			t.Errorf("%s: HTTP %d %v, want error_code %v", p.name, status, m, p.code)
		}
	}
	l, err := juhesim.FetchLedger(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	if l.Count != 1 || l.Balance != 30000-19630 || l.Orders[0].State != juhe.StateSuccess || l.Orders[0].Submits != 2 {
		t.Errorf("ledger: %+v", l)
	}

	if err := stop(); err != nil {
		t.Errorf("sim returned %v after cancel, want nil", err)
	}
	if _, err := http.Get(base + "/_sim/ledger"); err == nil {
		t.Errorf("still serving after cancel")
	}
	all := out.String() + errOut.String()
	if strings.Contains(all, key) || strings.Contains(all, openID) {
		t.Errorf("output shows the key or OpenID:\n%s", all)
	}
	if !strings.Contains(errOut.String(), "210508") {
		t.Errorf("-v logged no requests:\n%s", errOut.String())
	}
	if n := strings.Count(out.String(), "\n"); n != 1 {
		t.Errorf("stdout has %d lines, want the one URL line:\n%s", n, out.String())
	}
}

func TestSimFlags(t *testing.T) {
	t.Parallel()
	// Flags whose zero means zero, not "default": no settling delay, every
	// order fails, faults at 1.
	base, _, _, stop := startSim(t, nil, "-key", "k-flags", "-openid", "o-flags", "-settle-delay", "0",
		"-success-ratio", "0", "-html502-after", "1", "-qps", "100", "-seed", "5")
	form := url.Values{"key": {"k-flags"}, "phone": {"13012345678"}, "pid": {"106000"}, "orderid": {"FLAGS0000001"},
		"sign": {juhe.Sign("o-flags", "k-flags", "13012345678", "106000", "FLAGS0000001")}}
	resp, err := http.PostForm(base+"/flow/onlineorder", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("HTTP %d, want 502", resp.StatusCode)
	}
	l, err := juhesim.FetchLedger(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	if l.Count != 1 || l.Orders[0].State != juhe.StateFailed || !l.Orders[0].Refunded || l.Balance != juhesim.DefaultBalance {
		t.Errorf("ledger: %+v", l)
	}
	if err := stop(); err != nil {
		t.Error(err)
	}
}

func TestSimUsage(t *testing.T) {
	t.Parallel()
	keys := map[string]string{"JUHE_KEY": "k", "JUHE_OPENID": "o"}
	cases := []struct {
		name string
		vars map[string]string
		args []string
		code int
		want string
	}{
		{"no key", nil, nil, ExitUsage, "no key or OpenID"},
		{"no openid", map[string]string{"JUHE_KEY": "k"}, nil, ExitUsage, "no key or OpenID"},
		{"bad balance", keys, []string{"-balance", "1e3"}, ExitUsage, "-balance"},
		{"bad probability", keys, []string{"-drop-after-charge", "1.5"}, ExitUsage, "-drop-after-charge"},
		{"bad method", keys, []string{"-callback-method", "PUT"}, ExitUsage, "-callback-method"},
		{"bad latency", keys, []string{"-latency-min", "2s", "-latency-max", "1s"}, ExitUsage, "-latency-min"},
		{"negative qps", keys, []string{"-qps", "-1"}, ExitUsage, "-qps"},
		{"negative lag", keys, []string{"-lag", "-1s"}, ExitUsage, "-lag"},
		{"bad foreign", keys, []string{"-foreign", "2"}, ExitUsage, "-foreign"},
		{"argument", keys, []string{"extra"}, ExitUsage, "unexpected argument"},
		{"unknown flag", keys, []string{"-nope"}, ExitUsage, "-nope"},
		{"bad address", keys, []string{"-addr", "256.0.0.1:1"}, ExitError, "cannot start"},
		{"help", nil, []string{"-h"}, ExitOK, "Usage: flowbatch sim"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return c.vars[k] }}
			err := Run(context.Background(), e, append([]string{"sim"}, c.args...))
			if code := report(&errb, err); code != c.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.code, errb.String())
			}
			var ee *exitError
			if c.code == ExitUsage && !errors.As(err, &ee) {
				t.Errorf("error %v is not a usage error", err)
			}
			if !strings.Contains(errb.String(), c.want) {
				t.Errorf("stderr does not mention %q:\n%s", c.want, errb.String())
			}
		})
	}
}

// TestSimAccountFlags: the account-side flags reach the simulator: a
// denied key, and every alternate shape, read by the client.
func TestSimAccountFlags(t *testing.T) {
	t.Parallel()
	const key, openID = "k-account", "o-account"
	ctx := context.Background()
	client := func(base string) *juhe.Client {
		c, err := juhe.NewClient(juhe.Config{BaseURL: base, Key: key, OpenID: openID})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	base, _, _, _ := startSim(t, nil, "-key", key, "-openid", openID, "-account-denied")
	if b, r := client(base).Balance(ctx); r.Status != juhe.ReplyNotAvailable || r.Code != 10002 || b.Credentials != juhe.CredsKeyOnly {
		t.Errorf("denied: %+v %+v", b, r)
	}

	base, _, _, _ = startSim(t, nil, "-key", key, "-openid", openID, "-settle-delay", "0", "-success-ratio", "1", "-account-id", "JH9",
		"-shape-list", "bare", "-shape-orderid", "-shape-ordercash", "-shape-string-code")
	if status, m := simPost(t, base, "/_sim/charge", url.Values{"phone": {"13800138000"}, "pid": {"105000"}, "orderid": {"SIMFLAGS0001"}}); status != http.StatusOK || m["orderid"] != "SIMFLAGS0001" {
		t.Fatalf("charge: HTTP %d %v", status, m)
	}
	c := client(base)
	if b, r := c.Balance(ctx); r.Status != juhe.ReplyOK || b.AccountID != "JH9" || b.Money != juhesim.DefaultBalance-19630 {
		t.Errorf("balance: %+v %+v", b, r)
	}
	if res, r := c.BatchQuery(ctx, []string{"SIMFLAGS0001"}); r.Status != juhe.ReplyOK || res.Items["SIMFLAGS0001"].Cost != 19630 {
		t.Errorf("batchquery: %+v %+v", res, r)
	}
	start, end := juhe.MonthOf(time.Now())
	p, r := c.OrdersByDate(ctx, start, end, 1, 100)
	if r.Status != juhe.ReplyOK || p.HasTotals || len(p.Orders) != 1 || p.Orders[0].OrderID != "SIMFLAGS0001" || p.Orders[0].Cost != 19630 {
		t.Errorf("ordersbydate: %+v %+v", p, r)
	}

	var errb bytes.Buffer
	e := &env{stdout: io.Discard, stderr: &errb, getenv: func(string) string { return "" }}
	err := Run(ctx, e, []string{"sim", "-key", key, "-openid", openID, "-shape-list", "rows"})
	if code := report(&errb, err); code != ExitUsage || !strings.Contains(errb.String(), "-shape-list") {
		t.Errorf("bad -shape-list: exit %d: %s", code, errb.String())
	}
}
