package batch

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParsePlanLabel(t *testing.T) {
	for _, tc := range []struct {
		in, label string
		mb        int
	}{
		{"1G", "1G", 1024}, {"1g", "1G", 1024}, {"1024M", "1G", 1024}, {"1024MB", "1G", 1024},
		{" 2 GB ", "2G", 2048}, {"500M", "500M", 500}, {"1536M", "1536M", 1536},
	} {
		p, err := ParsePlanLabel(tc.in)
		if err != nil || p.Label != tc.label || p.VolumeMB != tc.mb || p.Product() != "plan:"+tc.label {
			t.Errorf("ParsePlanLabel(%q) = %+v, %v; want %s %d", tc.in, p, err, tc.label, tc.mb)
		}
	}
	for _, bad := range []string{"", "1", "G", "0G", "1.5G", "1T", "-1G", "1G1", "105000"} {
		if _, err := ParsePlanLabel(bad); err == nil {
			t.Errorf("ParsePlanLabel(%q) accepted", bad)
		}
	}
}

func TestProductVolumeMB(t *testing.T) {
	for _, tc := range []struct {
		p  juhe.Product
		mb int
	}{
		{juhe.Product{Name: "全国移动1G流量月包"}, 1024},
		{juhe.Product{Name: "全国移动500M流量月包"}, 500},
		{juhe.Product{Name: "省内1.5G日包"}, 1536},
		{juhe.Product{Name: "省内1.3G日包"}, 0}, // not a whole number of MB
		{juhe.Product{Name: "10元包"}, 0},
		{juhe.Product{Name: "全国移动1G", VolumeMB: 2048}, 2048}, // v wins over the name
	} {
		if got := ProductVolumeMB(tc.p); got != tc.mb {
			t.Errorf("ProductVolumeMB(%+v) = %d, want %d", tc.p, got, tc.mb)
		}
	}
}

func writePlan(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "plans.csv")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadPlanFile(t *testing.T) {
	p, err := ReadPlanFile(writePlan(t, "\ufeff运营商,产品编码\n电信,107000\n中国移动,105000\n\nunicom,106001\n"))
	if err != nil {
		t.Fatal(err)
	}
	if p.Label != "移动=105000,联通=106001,电信=107000" || p.File != "plans.csv" || len(p.SHA256) != 64 || p.Flag() != "-plan-file plans.csv" {
		t.Errorf("plan %+v", p)
	}
	for _, tc := range []struct{ text, why string }{
		{"carrier,pid\n移动,105000\nmobile,105001\n", "listed twice"},
		{"carrier,pid\n小灵通,1\n", "want 移动, 联通 or 电信"},
		{"carrier,pid\n移动,10 5\n", "letters and digits"},
		{"carrier,pid\n", "no carrier listed"},
		{"name,pid\n移动,1\n", "must name the columns"},
		{"carrier,pid\n\"移动,1\n", "-plan-file"},
	} {
		if _, err := ReadPlanFile(writePlan(t, tc.text)); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ReadPlanFile(%q): %v, want %q", tc.text, err, tc.why)
		}
	}
}

// A plan file saved by Excel in GBK reads as the input does, and every
// refusal names the row a spreadsheet shows: blank lines count, a quoted
// cell over two lines is one row.
func TestReadPlanFileEncodingAndRows(t *testing.T) {
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("运营商,产品编码\n中国移动,105000\n电信,107000\n")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ReadPlanFile(writePlan(t, gbk))
	if err != nil || p.Label != "移动=105000,电信=107000" {
		t.Fatalf("GBK plan: %+v, %v", p, err)
	}
	for _, tc := range []struct{ text, why string }{
		{"carrier,pid\n\n移动,1\n移动,2\n", "plans.csv: row 4: China Mobile is listed twice"},
		{"carrier,pid,note\n移动,1,\"two\nlines\"\n小灵通,2\n", "plans.csv: row 3: carrier \"小灵通\""},
		{"\n\ncarrier,pid\n电信,\n", "plans.csv: row 4: pid \"\""},
		{"carrier,运营商,pid\n", "row 1 has two columns"},
		{"carrier,pid\n\xff\xfe移动,1\n", "neither UTF-8 nor GBK"},
		{"", "no carrier listed"},
		{"\ufeffcarrier,pid\n\xd2\xc6\xb6\xaf,1\n", "byte order mark but is not valid UTF-8"},
	} {
		if _, err := ReadPlanFile(writePlan(t, tc.text)); err == nil || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("ReadPlanFile(%q): %v, want %q", tc.text, err, tc.why)
		}
	}
}

// The label's rule: the one product of the carrier whose volume is the
// plan's; two are refused, naming both; none leaves the carrier out.
func TestPlanResolve(t *testing.T) {
	cat := juhesim.DefaultCatalogue()
	p, _ := ParsePlanLabel("1G")
	all := map[juhe.Carrier]bool{juhe.CarrierMobile: true, juhe.CarrierUnicom: true, juhe.CarrierTelecom: true}
	if err := p.Resolve(cat, all); err != nil {
		t.Fatal(err)
	}
	if p.Pids[juhe.CarrierMobile].Pid != "105000" || p.Pids[juhe.CarrierUnicom].Pid != "106000" || p.Pids[juhe.CarrierTelecom].Pid != "107000" {
		t.Errorf("1G resolved to %+v", p.Pids)
	}
	p2, _ := ParsePlanLabel("2G")
	if err := p2.Resolve(cat, all); err != nil || len(p2.Pids) != 1 || p2.Pids[juhe.CarrierMobile].Pid != "105002" {
		t.Errorf("2G: %+v, %v", p2.Pids, err)
	}
	two := append(cat, juhe.Product{Pid: "105099", Name: "广东移动1G日包", Carrier: juhe.CarrierMobile, Price: 5000})
	err := p.Resolve(two, all)
	var ae *AmbiguousPlanError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "105000 全国移动1G流量月包; 105099 广东移动1G日包") {
		t.Errorf("two 1G Mobile products: %v", err)
	}
	// Not needed, not refused: no row is a Mobile number.
	if err := p.Resolve(two, map[juhe.Carrier]bool{juhe.CarrierUnicom: true}); err != nil {
		t.Errorf("ambiguity of a carrier no row needs: %v", err)
	}
	f, err := ReadPlanFile(writePlan(t, "carrier,pid\n移动,106000\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Resolve(cat, all); err == nil || !strings.Contains(err.Error(), "pid 106000 is a China Unicom product") {
		t.Errorf("a file's pid of another carrier: %v", err)
	}
	f, _ = ReadPlanFile(writePlan(t, "carrier,pid\n移动,999\n"))
	if err := f.Resolve(cat, all); err == nil || !strings.Contains(err.Error(), "not in the catalogue") {
		t.Errorf("a file's pid not in the catalogue: %v", err)
	}
	if err := f.Resolve(nil, all); err != nil {
		t.Errorf("no catalogue: a file is taken as it is: %v", err)
	}
}

// fakeTelcheck answers from a script per phone, counting the calls.
type fakeTelcheck struct {
	mu     sync.Mutex
	calls  map[string]int
	answer func(phone string, call int) (juhe.NumberProducts, juhe.Reply)
}

func (f *fakeTelcheck) Telcheck(ctx context.Context, phone string) (juhe.NumberProducts, juhe.Reply) {
	f.mu.Lock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[phone]++
	n := f.calls[phone]
	f.mu.Unlock()
	return f.answer(phone, n)
}

func ok(c juhe.Carrier) (juhe.NumberProducts, juhe.Reply) {
	return juhe.NumberProducts{Carrier: c, Products: []juhe.Product{{Pid: "p" + string(c), Carrier: c, Name: "1G"}}}, juhe.Reply{Status: juhe.ReplyOK}
}

func TestChoose(t *testing.T) {
	opt := ChooseOptions{Rate: 1000, Backoff: time.Millisecond}
	ctx := context.Background()
	const mobile, ported, flaky, dead, none = "13800000001", "13800000002", "13800000003", "13000000004", "13300000005"
	tc := &fakeTelcheck{answer: func(phone string, call int) (juhe.NumberProducts, juhe.Reply) {
		switch phone {
		case ported:
			return ok(juhe.CarrierTelecom)
		case flaky: // unknown twice, then an answer
			if call < 3 {
				return juhe.NumberProducts{}, juhe.Reply{Status: juhe.ReplyUnknown}
			}
		case dead:
			return juhe.NumberProducts{}, juhe.Reply{Status: juhe.ReplyThrottled}
		case none:
			return juhe.NumberProducts{}, juhe.Reply{Status: juhe.ReplyRejected, Code: 210503}
		}
		return ok(juhe.CarrierOf(phone))
	}}
	cc, err := Choose(ctx, tc, []string{mobile, ported, flaky, dead, mobile, none}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Choice{
		mobile: {juhe.CarrierMobile, journal.ChosenTelcheck},
		ported: {juhe.CarrierTelecom, journal.ChosenTelcheck},
		flaky:  {juhe.CarrierMobile, journal.ChosenTelcheck},
		dead:   {juhe.CarrierUnicom, journal.ChosenPrefix},
		none:   {juhe.CarrierTelecom, journal.ChosenPrefix},
	}
	for ph, w := range want {
		if cc.ByPhone[ph] != w {
			t.Errorf("%s: %+v, want %+v", ph, cc.ByPhone[ph], w)
		}
	}
	if tc.calls[mobile] != 1 || tc.calls[flaky] != 3 || tc.calls[dead] != 3 || tc.calls[none] != 1 {
		t.Errorf("calls %v: a number is asked once, an unknown answer at most 3 times", tc.calls)
	}
	if len(cc.Notes) != 2 || !strings.Contains(cc.Notes[0].String(), "no product for 1 numbers") || !strings.Contains(cc.Notes[1].String(), "no carrier for 1 numbers") {
		t.Errorf("notes %q", cc.Notes)
	}
	if n, p := cc.Count(); n != 3 || p != 2 {
		t.Errorf("count %d by telcheck, %d by prefix", n, p)
	}

	// An endpoint the key may not use is asked no more.
	off := &fakeTelcheck{answer: func(string, int) (juhe.NumberProducts, juhe.Reply) {
		return juhe.NumberProducts{}, juhe.Reply{Endpoint: "flow/telcheck", Status: juhe.ReplyNotAvailable, Code: 10002}
	}}
	phones := []string{"13800000001", "13800000002", "13800000003", "13800000004", "13800000005", "13800000006", "13800000007", "13800000008", "13800000009"}
	cc, err = Choose(ctx, off, phones, ChooseOptions{Rate: 1000, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(off.calls) != 1 || len(cc.Notes) != 1 || !strings.Contains(cc.Notes[0].String(), "not available") {
		t.Errorf("not available: %d numbers asked, notes %q", len(off.calls), cc.Notes)
	}
	if _, p := cc.Count(); p != len(phones) {
		t.Errorf("%d by prefix, want all %d", p, len(phones))
	}
}

func TestChooserApply(t *testing.T) {
	p, _ := ParsePlanLabel("1G")
	p.Pids = map[juhe.Carrier]juhe.Product{juhe.CarrierMobile: {Pid: "105000"}}
	ch := &Chooser{Plan: p, Carriers: &CarrierChoices{ByPhone: map[string]Choice{"13000000001": {juhe.CarrierMobile, journal.ChosenTelcheck}}},
		Known: func(id string) (string, bool) { return "105001", id == "known" }}
	for _, tc := range []struct {
		r           journal.RowRecord
		pid, chosen string
		invalid     bool
	}{
		{journal.RowRecord{Phone: "13000000001", OrderID: "a", Status: journal.RowValid}, "105000", journal.ChosenTelcheck, false},
		{journal.RowRecord{Phone: "13800000001", OrderID: "b", Status: journal.RowValid}, "105000", journal.ChosenPrefix, false},
		{journal.RowRecord{Phone: "13800000001", OrderID: "known", Status: journal.RowValid}, "105001", journal.ChosenJournal, false},
		{journal.RowRecord{Phone: "13300000001", OrderID: "c", Status: journal.RowValid}, "", "", true},
		{journal.RowRecord{Phone: "x", Status: journal.RowInvalid}, "", "", true},
	} {
		r := tc.r
		ch.Apply(&r)
		if r.Pid != tc.pid || r.Chosen != tc.chosen || (r.Status == journal.RowInvalid) != tc.invalid {
			t.Errorf("Apply(%+v) = %+v", tc.r, r)
		}
		if tc.r.OrderID != "" && tc.invalid && (r.OrderID != "" || !strings.Contains(r.Reason, "no product of the plan -plan 1G for China Telecom")) {
			t.Errorf("Apply(%+v): %+v", tc.r, r)
		}
	}
}

func FuzzReadPlanFile(f *testing.F) {
	for _, s := range []string{"carrier,pid\n移动,105000\n联通,106000\n电信,107000\n", "\ufeff运营商,套餐ID\nmobile,1\n", "carrier,pid\n\"移动\n", "carrier\x00,pid\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(t.TempDir(), "p.csv")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		p, err := ReadPlanFile(path)
		if err != nil {
			return
		}
		if len(p.Pids) == 0 || len(p.Pids) > 3 || p.Label == "" {
			t.Fatalf("plan %+v", p)
		}
		for c, x := range p.Pids {
			if x.Carrier != c || x.Pid == "" || strings.ContainsAny(p.Label, "\t\n") {
				t.Fatalf("plan %+v", p)
			}
		}
	})
}

// A plan file is decoded as the input reader decodes a CSV, in one place
// (input.ReadCSV): a GBK or a UTF-8-BOM plan reads as the input would,
// and bytes the input reader refuses (an encoding it cannot tell, bytes
// neither UTF-8 nor GBK, a lone carriage return) refuse the plan with the
// input reader's own words. Once the plan had its own decoding, which
// took bytes both UTF-8 and GBK for UTF-8 and a tab-separated file for
// one column.
func TestReadPlanFileDecodesAsTheInput(t *testing.T) {
	gbk := func(s string) string {
		b, err := simplifiedchinese.GBK.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, tc := range []struct {
		name, text, label string // label "" when refused
	}{
		{"gbk", gbk("运营商,产品编码\n中国移动,105000\n电信,107000\n"), "移动=105000,电信=107000"},
		{"utf-8 bom", "\ufeff运营商,产品编码\n\n联通,106000\n", "联通=106000"},
		{"tab-separated", "运营商\t产品编码\n移动\t105000\n", "移动=105000"},
		{"gb18030 U+FFFD", gbk("运营商,产品编码,备注\n移动,105000,") + "\x84\x31\xa4\x37\n", "移动=105000"},
		{"utf-8 and gbk alike", "carrier,pid,note\nmobile,105000,caf\xc3\xa9\n", ""},
		{"neither", "carrier,pid\n移动,105000\n\xff,1\n", ""},
		{"bom then gbk", "\ufeffcarrier,pid\n\xd2\xc6\xb6\xaf,1\n", ""},
		{"lone CR", "carrier,pid,note\n移动,105000,a\rb\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writePlan(t, tc.text)
			info, inErr := input.ReadCSV(context.Background(), path, "", func(int, []string) error { return nil })
			if (inErr == nil) != (tc.label != "") {
				t.Fatalf("input.ReadCSV: %v; the case expects the plan label %q", inErr, tc.label)
			}
			p, err := ReadPlanFile(path)
			switch {
			case inErr != nil && (err == nil || !strings.HasSuffix(err.Error(), ": "+input.WithoutEncodingFlag(inErr).Error())):
				t.Errorf("ReadPlanFile: %v (plan %+v); want the input reader's refusal %q, its advice for a file without -encoding", err, p, inErr)
			case inErr == nil && (err != nil || p.Label != tc.label || p.SHA256 != info.SHA256):
				t.Errorf("ReadPlanFile: %+v, %v; want %s, sha256 %s", p, err, tc.label, info.SHA256)
			}
		})
	}
}
