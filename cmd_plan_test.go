package main

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const planList = "姓名,手机号\n张伟,13800138000\n李娜,13012345678\n王芳,13312345678\n"

func writeTemp(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The command line of a plan: one of -pid, -plan, -plan-file; no pid
// column; a resume with the plan it was started with, and no other.
func TestPlanFlags(t *testing.T) {
	sim, vars := subSim(t, juhesim.Config{Ported: map[string]juhe.Carrier{"13800138000": juhe.CarrierTelecom}})
	dir := t.TempDir()
	in := writeTemp(t, dir, "in.csv", planList)
	withPid := writeTemp(t, dir, "pid.csv", "手机号,pid\n13800138000,105000\n")
	plans := writeTemp(t, dir, "plans.csv", "carrier,pid\n移动,105001\n联通,106001\n电信,107001\n")
	ctx := context.Background()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-plan", "1G", "-pid", "105000"}, ExitUsage, "-pid and -plan: -pid gives every row one product"},
		{[]string{"-plan", "1G", "-plan-file", plans}, ExitUsage, "-plan and -plan-file"},
		{[]string{"-plan", "1T"}, ExitUsage, "want a flow volume such as 1G"},
		{[]string{"-plan-file", filepath.Join(dir, "none.csv")}, ExitUsage, "-plan-file"},
		{[]string{"-plan", "1G", "-pid-col", "B"}, ExitInvalid, "-plan 1G and -pid-col together"},
		{[]string{"-plan", "1G", "-in", withPid}, ExitInvalid, "-plan 1G gives every row its carrier's product, but the file has a product column"},
		{[]string{"-plan", "3G"}, ExitInvalid, "no product of the plan -plan 3G for China Unicom"},
	} {
		args := append([]string{"check", "-in", in}, tc.args...)
		out, errOut, code := runCmd(ctx, t, vars, args...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Errorf("%q: exit %d, want %d and %q\n%s%s", tc.args, code, tc.code, tc.want, out, errOut)
		}
	}

	// check with the plan file: telcheck for every number, the ported
	// one its new carrier's product.
	out, errOut, code := runCmd(ctx, t, vars, "check", "-in", in, "-plan-file", plans)
	if code != ExitOK || !strings.Contains(out, "plan:     -plan-file plans.csv (orderids from plan:移动=105001,联通=106001,电信=107001)") ||
		!strings.Contains(out, "carriers: 3 by flow/telcheck (ported numbers included), 0 by prefix") ||
		!strings.Contains(out, "107001  2") || strings.Contains(out, "reject") {
		t.Fatalf("check -plan-file: exit %d\n%s%s", code, out, errOut)
	}

	jp := filepath.Join(dir, "b.journal")
	args := []string{"submit", "-in", in, "-batch", "b", "-journal", jp, "-rate", "500", "-plan", "1G"}
	if out, errOut, code := runCmd(ctx, t, vars, args...); code != ExitOK {
		t.Fatalf("submit -plan 1G: exit %d\n%s%s", code, out, errOut)
	}
	got := map[string]string{}
	for _, o := range sim.Ledger().Orders {
		got[o.Phone] = o.Pid
	}
	if got["13800138000"] != "107000" || got["13012345678"] != "106000" || got["13312345678"] != "107000" || len(got) != 3 {
		t.Errorf("charged %v", got)
	}
	for _, tc := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-plan", "2G"}, "was started with -plan 1G, not -plan 2G"},
		{[]string{"-plan-file", plans}, "was started with -plan 1G, not -plan-file plans.csv (sha256"},
		{[]string{"-pid", "105000"}, `was started with -pid "", not "105000"`},
		{nil, "was started with -plan 1G, not no plan"},
	} {
		a := append(append([]string{}, args[:len(args)-2]...), tc.flags...)
		_, errOut, code := runCmd(ctx, t, vars, a...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("resume %q: exit %d\n%s", tc.flags, code, errOut)
		}
	}
	telchecks := sim.Requests().Telchecks
	if _, errOut, code := runCmd(ctx, t, vars, append(args, "-plan", "1024M")...); code != ExitOK || sim.Requests().Telchecks != telchecks {
		t.Errorf("resume with -plan 1024M (1G): exit %d, %d telchecks\n%s", code, sim.Requests().Telchecks-telchecks, errOut)
	}
	if n := sim.Ledger().Count; n != 3 {
		t.Errorf("%d charged after the resumes", n)
	}
}

// Without an answer from telcheck the carrier is the prefix's, and check
// says so; a catalogue with two products for a plan refuses, naming them.
func TestPlanFallbacksAndAmbiguity(t *testing.T) {
	_, vars := subSim(t, juhesim.Config{TelcheckDown: true})
	dir := t.TempDir()
	in := writeTemp(t, dir, "in.csv", planList)
	out, errOut, code := runCmd(context.Background(), t, vars, "check", "-in", in, "-plan", "1G")
	if code != ExitOK || !strings.Contains(out, "carriers: 0 by flow/telcheck (ported numbers included), 3 by prefix") ||
		!strings.Contains(out, "flow/telcheck gave no carrier for 3 numbers (after 3 tries each): their carrier by prefix") {
		t.Errorf("telcheck down: exit %d\n%s%s", code, out, errOut)
	}
	cat := append(juhesim.DefaultCatalogue(), juhe.Product{Pid: "105099", Name: "广东移动1G日包", Carrier: juhe.CarrierMobile, Price: 5000})
	_, vars = subSim(t, juhesim.Config{Products: cat})
	_, errOut, code = runCmd(context.Background(), t, vars, "submit", "-in", in, "-batch", "amb", "-journal", filepath.Join(dir, "amb.journal"), "-plan", "1G")
	if code != ExitUsage || !strings.Contains(errOut, "-plan 1G matches 2 China Mobile products of the catalogue: 105000 全国移动1G流量月包; 105099 广东移动1G日包") {
		t.Errorf("ambiguous: exit %d\n%s", code, errOut)
	}
	if _, err := os.Stat(filepath.Join(dir, "amb.journal")); err == nil {
		t.Errorf("an ambiguous plan wrote a journal")
	}
}

// A plan's orderids come from its label, not from the pid chosen: a
// rerun after the journal and the workspace are lost, when telcheck now
// gives a ported number its old carrier (the port undone) and so another
// pid, makes the same orderids, and the provider's duplicate check stops
// a second charge. Everyone is charged once.
func TestPlanRerunAfterLostJournalChargesOnce(t *testing.T) {
	t.Parallel()
	sim, vars := subSim(t, juhesim.Config{Ported: map[string]juhe.Carrier{"13800138000": juhe.CarrierTelecom}})
	dir := t.TempDir()
	in := writeTemp(t, dir, "in.csv", planList)
	jp := filepath.Join(dir, "b.journal")
	args := []string{"submit", "-in", in, "-batch", "lost", "-journal", jp, "-rate", "500", "-plan", "1G", "-period", "2026-11"}
	if out, errOut, code := runCmd(context.Background(), t, vars, args...); code != ExitOK {
		t.Fatalf("submit: exit %d\n%s%s", code, out, errOut)
	}
	if err := os.Remove(jp); err != nil {
		t.Fatal(err)
	}
	if err := sim.Port("13800138000", juhe.CarrierMobile); err != nil {
		t.Fatal(err)
	}
	again := maps.Clone(vars)
	again["FLOWBATCH_WORKSPACE"] = filepath.Join(dir, "other-workspace")
	submits := sim.Requests().Submits
	out, errOut, code := runCmd(context.Background(), t, again, args...)
	t.Logf("rerun: exit %d\n%s%s", code, out, errOut)
	if sim.Requests().Submits-submits != 3 {
		t.Errorf("the rerun sent %d submits, want 3 (the same orderids again)", sim.Requests().Submits-submits)
	}
	led := sim.Ledger()
	byPhone := map[string]int{}
	for _, o := range led.Orders {
		byPhone[o.Phone]++
	}
	if len(led.Orders) != 3 || byPhone["13800138000"] != 1 {
		t.Errorf("after the rerun: %d orders %v, want 3, each phone once", len(led.Orders), byPhone)
	}
}
