package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

// A list of names and phones, and the decision "everyone gets 1G", run
// by the real binary: each number is charged once, with its carrier's
// 1G product, a ported number (携号转网) with its new carrier's. The run
// is killed with SIGKILL while it submits; the resume asks telcheck
// nothing (it never chooses again), even though a number was ported in
// between. And after the journal is lost, a rerun finds the same
// orderids (they derive from plan:1G, not from the pid chosen), so the
// provider's duplicate check stops a second charge.
func TestE2EPlanChargesEachCarriersProduct(t *testing.T) {
	bin := flowbatchBinary(t)
	const (
		portedToUnicom   = "13800000001" // a China Mobile prefix
		portedToTelecom  = "13000000002" // a China Unicom prefix
		portedAfterStart = "13800000004"
	)
	sim := juhesim.NewServer(juhesim.Config{Key: e2eKey, OpenID: e2eOpenID, SettleDelay: 200 * time.Millisecond,
		Ported: map[string]juhe.Carrier{portedToUnicom: juhe.CarrierUnicom, portedToTelecom: juhe.CarrierTelecom},
		Faults: juhesim.Faults{Latency: 1, LatencyMin: 40 * time.Millisecond, LatencyMax: 80 * time.Millisecond}})
	defer sim.Close()
	dir := t.TempDir()
	in := filepath.Join(dir, "名单.csv")
	var b strings.Builder
	b.WriteString("姓名,手机号,部门\n")
	real := map[string]juhe.Carrier{} // phone → its carrier, ported or not
	for i := range 45 {
		prefix := []string{"138", "130", "133"}[i%3]
		phone := fmt.Sprintf("%s%08d", prefix, i+1)
		real[phone] = juhe.CarrierOf(phone)
		fmt.Fprintf(&b, "员工%d,%s,部门%d\n", i+1, phone, i%4)
	}
	real[portedToUnicom], real[portedToTelecom] = juhe.CarrierUnicom, juhe.CarrierTelecom
	if _, ok := real[portedAfterStart]; !ok {
		t.Fatalf("%s is not in the list", portedAfterStart)
	}
	if err := os.WriteFile(in, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	pidOf := map[juhe.Carrier]string{juhe.CarrierMobile: "105000", juhe.CarrierUnicom: "106000", juhe.CarrierTelecom: "107000"}
	jp := filepath.Join(dir, "p.journal")
	args := []string{"run", "-in", in, "-batch", "plan-e2e", "-journal", jp, "-out", filepath.Join(dir, "out.xlsx"),
		"-rate", "40", "-workers", "2", "-plan", "1G", "-wait", "60s",
		"-resubmit-grace", "1s"} // a killed submit is sent again soon

	cmd, out := startProc(t, bin, sim.URL, args...)
	waitFor(t, "the first charges", 60*time.Second, func() bool { return sim.Ledger().Count >= 5 })
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if n := sim.Ledger().Count; n >= len(real) {
		t.Fatalf("killed too late: %d of %d charged", n, len(real))
	}
	if got := sim.Requests().Telchecks; got != len(real) {
		t.Errorf("%d telchecks before the kill, want one per number (%d)\n%s", got, len(real), out)
	}
	if !strings.Contains(out.String(), "carriers: 45 by flow/telcheck (ported numbers included), 0 by prefix") {
		t.Errorf("run did not say how the carriers were decided:\n%s", out)
	}
	// A number ported after the rows were journaled keeps the pid the
	// journal chose for it: it is not asked about again.
	if err := sim.Port(portedAfterStart, juhe.CarrierTelecom); err != nil {
		t.Fatal(err)
	}
	telchecks := sim.Requests().Telchecks
	var res procResult
	for try := 0; try < 3; try++ {
		if res = runProc(t, bin, sim.URL, 0, args...); res.code == ExitOK {
			break
		}
	}
	if got := sim.Requests().Telchecks; got != telchecks {
		t.Errorf("the resume asked telcheck %d times: it chose again", got-telchecks)
	}

	book, err := batch.LoadBook(context.Background(), jp)
	if err != nil {
		t.Fatal(err)
	}
	chosen := map[string]string{} // orderid → pid journaled
	err = book.Rows(context.Background(), func(r *journal.RowRecord) error {
		if r.Chosen != journal.ChosenTelcheck {
			t.Errorf("row %d: chosen %q, want telcheck", r.Line, r.Chosen)
		}
		if want := input.OrderID("plan-e2e", r.Phone, "plan:1G", 1); r.OrderID != want {
			t.Errorf("row %d: orderid %s, want %s (from plan:1G)", r.Line, r.OrderID, want)
		}
		chosen[r.OrderID] = r.Pid
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ledger := sim.Ledger()
	for _, o := range ledger.Orders {
		want := pidOf[real[o.Phone]]
		if o.Phone == portedAfterStart {
			want = "105000" // chosen before it was ported
		}
		if o.Pid != want || chosen[o.OrderID] != o.Pid || o.Charge != 1 {
			t.Errorf("charged %s with %s (journal %s, charge %d), want %s", o.Phone, o.Pid, chosen[o.OrderID], o.Charge, want)
		}
	}
	// The number ported after the start is refused by the provider with
	// the pid chosen before (210504, not charged), unless it was charged
	// before the kill: every other row is charged exactly once.
	if n := ledger.Count; n != len(real) && n != len(real)-1 {
		t.Errorf("%d orders charged, want %d\n%s", n, len(real), joinOutput(res))
	}

	// The journal is lost; a rerun in another workspace derives the same
	// orderids from plan:1G, though a number's carrier changed since: the
	// provider's duplicate check stops every second charge.
	if err := sim.Port(portedToUnicom, juhe.CarrierMobile); err != nil {
		t.Fatal(err)
	}
	charged := ledger.Charged
	os.Remove(jp)
	again := append(append([]string{}, args...), "-journal", filepath.Join(dir, "lost.journal"), "-workspace", filepath.Join(dir, "ws2"), "-out", filepath.Join(dir, "again", "again.xlsx"))
	os.Mkdir(filepath.Join(dir, "again"), 0o700)
	if ra := runProc(t, bin, sim.URL, 0, again...); ra.code != ExitOK {
		t.Errorf("rerun after a lost journal: exit %d\n%s", ra.code, joinOutput(ra))
	}
	if got := sim.Ledger().Charged; got != charged {
		t.Errorf("a rerun after a lost journal charged %s more", got-charged)
	}
	for _, o := range sim.Ledger().Orders {
		if o.Charge != 1 {
			t.Errorf("%s charged again (charge %d)", o.Phone, o.Charge)
		}
	}
}
