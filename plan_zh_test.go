package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// TestPlanRefusalsInChinese renders every refusal of a plan (-plan, a
// -plan-file, its check against the catalogue, the planning of its rows)
// as check and run print it: in English byte for byte as it always read,
// in a Chinese terminal without an English run.
func TestPlanRefusalsInChinese(t *testing.T) {
	dir := t.TempDir()
	file := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	readPlan := func(name, text string) error {
		_, err := batch.ReadPlanFile(file(name, text))
		return err
	}
	cat := juhesim.DefaultCatalogue()
	all := map[juhe.Carrier]bool{juhe.CarrierMobile: true, juhe.CarrierUnicom: true, juhe.CarrierTelecom: true}
	resolveFile := func(name, text string) error {
		p, err := batch.ReadPlanFile(file(name, text))
		if err != nil {
			t.Fatal(err)
		}
		return p.Resolve(cat, all)
	}
	big := "carrier,pid\n" + strings.Repeat("x", 70000-12)
	cases := []struct {
		name string
		err  func() error
		en   string
	}{
		{"volume", func() error { _, err := batch.ParsePlanLabel("3T"); return err },
			`-plan "3T": want a flow volume such as 1G, 2G or 500M`},
		{"size", func() error { return readPlan("big.csv", big) },
			"-plan-file big.csv: 70000 bytes; a plan lists one product per carrier"},
		{"grew", func() error {
			return input.Wrap(input.PlanFileAt, input.Refuse(input.PlanRowBytes, 5, 64<<10), "plans.csv")
		},
			"-plan-file plans.csv: row 5: more than 65536 bytes; a plan lists one product per carrier"},
		{"empty", func() error { return readPlan("empty.csv", "") }, "-plan-file empty.csv: no carrier listed"},
		{"header only", func() error { return readPlan("head.csv", "carrier,pid\n") }, "-plan-file head.csv: no carrier listed"},
		{"carrier", func() error { return readPlan("c.csv", "carrier,pid\nfoo,1\n") },
			`-plan-file c.csv: row 2: carrier "foo": want 移动, 联通 or 电信`},
		{"pid", func() error { return readPlan("p.csv", "carrier,pid\n移动,10-5\n") },
			`-plan-file p.csv: row 2: pid "10-5": want 1–32 letters and digits`},
		{"twice", func() error { return readPlan("t.csv", "carrier,pid\n移动,105000\n中国移动,105001\n") },
			"-plan-file t.csv: row 3: China Mobile is listed twice (pid 105000 and 105001): one product per carrier"},
		{"two columns", func() error { return readPlan("two.csv", "carrier,运营商,pid\n移动,移动,1\n") },
			`-plan-file two.csv: row 1 has two columns "carrier" and "运营商" for one thing: keep one`},
		{"no columns", func() error { return readPlan("n.csv", "a,b\n1,2\n") },
			`-plan-file n.csv: row 1 must name the columns: carrier (or 运营商) and pid (or 产品编码…); it has ["a" "b"]`},
		{"not in catalogue", func() error { return resolveFile("nc.csv", "carrier,pid\n移动,999\n") },
			"-plan-file nc.csv: pid 999 (for China Mobile) is not in the catalogue"},
		{"other carrier", func() error { return resolveFile("oc.csv", "carrier,pid\n移动,106000\n") },
			"-plan-file oc.csv: pid 106000 is a China Unicom product (全国联通1G流量月包), listed for China Mobile"},
		{"ambiguous", func() error {
			p, _ := batch.ParsePlanLabel("1G")
			two := append(cat, juhe.Product{Pid: "105099", Name: "广东移动1G日包", Carrier: juhe.CarrierMobile, Price: 5000})
			return p.Resolve(two, all)
		}, "-plan 1G matches 2 China Mobile products of the catalogue: 105000 全国移动1G流量月包; 105099 广东移动1G日包; name the one for each carrier in a -plan-file (carrier,pid)"},
		// The planning refusals need a file changed while it is read, or
		// a journal failing: their words, as AppendPlanInput builds them.
		{"planning", func() error { return input.Wrap(input.Planning, errors.New("disk on fire"), "list.csv") },
			"planning list.csv: disk on fire"},
		{"planning changed", func() error {
			return input.Wrap(input.Planning, input.Refuse(input.PlanColumnsTwice, 1, "pid", "产品编码"), "list.csv")
		}, `planning list.csv: row 1 has two columns "pid" and "产品编码" for one thing: keep one`},
		{"changed", func() error { return input.Refuse(input.PlanningChanged, "list.csv", "0123456789ab", "ba9876543210") },
			"planning list.csv: the file changed while it was read (sha256 0123456789ab, then ba9876543210); nothing was submitted: run the command again"},
	}
	for _, tc := range cases {
		err := tc.err()
		if err == nil {
			t.Errorf("%s: no refusal", tc.name)
			continue
		}
		if got := err.Error(); got != tc.en {
			t.Errorf("%s: English\n%s\nwant\n%s", tc.name, got, tc.en)
		}
		if got := msgPlanBad.f(langEN, "check", err); got != "check: "+tc.en {
			t.Errorf("%s: English terminal %q", tc.name, got)
		}
		zh := msgPlanBad.f(langZH, "check", err)
		if strings.Contains(zh, tc.en) {
			t.Errorf("%s: a Chinese terminal shows the English: %s", tc.name, zh)
		}
		if run := englishRun(zh); run != "" && !strings.Contains(zh, "disk on fire") {
			t.Errorf("%s: a Chinese terminal shows %q: %s", tc.name, run, zh)
		}
	}
}

// TestPlanNotesInChinese: the notes under check's plan line (why some
// numbers' carriers came from their prefix) read as they always did in
// English, and without an English run in a Chinese terminal.
func TestPlanNotesInChinese(t *testing.T) {
	for _, tc := range []struct {
		note input.Reason
		en   string
	}{
		{input.Reason{Kind: input.TelcheckOff, Args: []any{"10012 超过每日限额"}}, "flow/telcheck is not available (10012 超过每日限额): carriers by prefix"},
		{input.Reason{Kind: input.TelcheckNoProduct, Args: []any{3}}, "flow/telcheck knows no product for 3 numbers (210501, 210503…): their carrier by prefix; the provider will likely reject them, without charge"},
		{input.Reason{Kind: input.TelcheckNoCarrier, Args: []any{2, 3}}, "flow/telcheck gave no carrier for 2 numbers (after 3 tries each): their carrier by prefix"},
		{input.Reason{Kind: input.TelcheckNotAsked}, "flow/telcheck not asked (JUHE_KEY and JUHE_OPENID are not both set, or the key was refused): carriers by prefix here; submit and run ask it"},
	} {
		if got := msgPlanNote.f(langEN, tc.note.In("en")); got != "  note: "+tc.en+"\n" {
			t.Errorf("en: %q, want %q", got, tc.en)
		}
		zh := msgPlanNote.f(langZH, tc.note.In("zh"))
		if run := englishRun(verbless(strings.NewReplacer("flow/telcheck", "", "JUHE_KEY", "", "JUHE_OPENID", "").Replace(zh))); run != "" {
			t.Errorf("zh %q keeps English %q", zh, run)
		}
	}
}
