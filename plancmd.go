package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// -plan and -plan-file on check, submit and run (README "A list without
// a product column"): each number gets its carrier's product.

// Header settings of a plan.
const (
	settingPlan       = "plan"        // the plan's label, as its orderids derive from it
	settingPlanFile   = "plan-file"   // -plan-file's base name
	settingPlanSHA256 = "plan-sha256" // -plan-file's sha256
)

// loadPlan checks that at most one of -pid, -plan, -plan-file is given
// and reads the plan. A pid column in the file is refused by the reader.
func (t *tableFlags) loadPlan(cmd string) error {
	var given []string
	for _, g := range []struct{ name, v string }{{"-pid", t.pid}, {"-plan", t.plan}, {"-plan-file", t.planFile}} {
		if g.v != "" {
			given = append(given, g.name)
		}
	}
	if len(given) > 1 {
		return errOf(ExitUsage, msgPlanExclusive, cmd, strings.Join(given, " and "))
	}
	var err error
	switch {
	case t.plan != "":
		t.loaded, err = batch.ParsePlanLabel(t.plan)
	case t.planFile != "":
		t.loaded, err = batch.ReadPlanFile(t.planFile)
	}
	if err != nil {
		return errOf(ExitUsage, msgPlanBad, cmd, err).try(msgPlanBadTry)
	}
	return nil
}

// planSettings are the header settings of the plan: "" when none.
func (t *tableFlags) planSettings() map[string]string {
	s := map[string]string{settingPlan: "", settingPlanFile: "", settingPlanSHA256: ""}
	if p := t.loaded; p != nil {
		s[settingPlan], s[settingPlanFile], s[settingPlanSHA256] = p.Label, p.File, p.SHA256
	}
	return s
}

// planResumeErr refuses a resume with another plan, or with a plan
// where the journal has none, or none where it has one: the plan decides
// the orderids.
func planResumeErr(cmd, path string, book *batch.Book, t *tableFlags) error {
	was := book.Header.Settings
	now := t.planSettings()
	if was[settingPlan] == now[settingPlan] && was[settingPlanSHA256] == now[settingPlanSHA256] {
		return nil
	}
	describe := func(label, file, sum string) any {
		switch {
		case file != "":
			return fmt.Sprintf("-plan-file %s (sha256 %s…)", file, shortHash(sum))
		case label != "":
			return "-plan " + label
		}
		return msgPlanNone
	}
	before := describe(was[settingPlan], was[settingPlanFile], was[settingPlanSHA256])
	after := describe(now[settingPlan], now[settingPlanFile], now[settingPlanSHA256])
	return errOf(ExitUsage, msgPlanResume, cmd, path, before, after).try(msgPlanResumeTry, before)
}

// planRow is a row a plan gives its pid, as read.
type planRow struct {
	line, occurrence, dupOf int
	phone, orderID          string
	status                  journal.RowStatus
}

// planRows keeps the rows of a reading that a plan gives their pid;
// keep wraps a reading's callback: such rows are kept for later, the
// others go to fn.
type planRows struct {
	rows []planRow
}

func (p *planRows) keep(fn func(*journal.RowRecord) error) func(*journal.RowRecord) error {
	return func(r *journal.RowRecord) error {
		if r.OrderID != "" && r.Pid == "" {
			p.rows = append(p.rows, planRow{line: r.Line, occurrence: r.Occurrence, dupOf: r.DupOf, phone: r.Phone, orderID: r.OrderID, status: r.Status})
			return nil
		}
		return fn(r)
	}
}

// phones are the numbers whose carrier is to be decided: the rows the
// journal (book, nil for none) does not already have.
func (p *planRows) phones(book *batch.Book) []string {
	var out []string
	for _, r := range p.rows {
		if book != nil {
			if _, ok := book.Order(r.orderID); ok {
				continue
			}
		}
		out = append(out, r.phone)
	}
	return out
}

// choosePlan decides each number's carrier (tc nil: by prefix) and the
// plan's product for each carrier, from products (the catalogue) or,
// when there is none, from what telcheck listed.
func choosePlan(ctx context.Context, cmd string, plan *batch.Plan, rows *planRows, book *batch.Book,
	tc batch.Telchecker, products []juhe.Product, catNote string, rate float64) (*batch.Chooser, error) {
	cc, err := batch.Choose(ctx, tc, rows.phones(book), batch.ChooseOptions{Rate: rate})
	if err != nil {
		return nil, err
	}
	if len(products) == 0 {
		products = cc.Products
	}
	if plan.File == "" && len(products) == 0 && len(cc.ByPhone) > 0 {
		return nil, errOf(ExitError, msgPlanNoProduct, cmd, plan.Flag(), orNone(catNote)).try(msgPlanNoProductTry)
	}
	need := map[juhe.Carrier]bool{}
	for _, c := range cc.ByPhone {
		need[c.Carrier] = true
	}
	if err := plan.Resolve(products, need); err != nil {
		return nil, errOf(ExitUsage, msgPlanUnsettled, cmd, err)
	}
	ch := &batch.Chooser{Plan: plan, Carriers: cc}
	if book != nil {
		ch.Known = func(id string) (string, bool) {
			o, ok := book.Order(id)
			if !ok || o.Pid == "" {
				return "", false
			}
			return o.Pid, true
		}
	}
	return ch, nil
}

// applyPlan gives the kept rows their pid, counts them into rep as the
// reader would have, and hands each to fn; a row whose carrier has no
// product in the plan becomes one of rep's invalid rows.
func applyPlan(rep *input.Report, rows *planRows, ch *batch.Chooser, fn func(*journal.RowRecord) error) error {
	delete(rep.ByPid, "")
	for c := range rep.ByCarrier {
		delete(rep.ByCarrier, c)
	}
	invalid := false
	for _, p := range rows.rows {
		r := &journal.RowRecord{Line: p.line, Phone: p.phone, OrderID: p.orderID, Occurrence: p.occurrence, DupOf: p.dupOf, Status: p.status}
		ch.Apply(r)
		if !r.Submittable() {
			rep.Valid--
			rep.Invalid = append(rep.Invalid, input.Problem{Line: r.Line, Reason: r.Reason})
			invalid = true
			continue
		}
		rep.ByPid[r.Pid]++
		c := juhe.CarrierOf(r.Phone)
		if x, ok := ch.Carriers.ByPhone[r.Phone]; ok {
			c = x.Carrier
		}
		rep.ByCarrier[c]++
		if err := fn(r); err != nil {
			return err
		}
	}
	if invalid {
		sort.SliceStable(rep.Invalid, func(i, j int) bool { return rep.Invalid[i].Line < rep.Invalid[j].Line })
	}
	return nil
}

// printPlan says what the plan chose: each carrier's product and how the
// carriers were decided.
func printPlan(w io.Writer, l lang, ch *batch.Chooser) {
	p := ch.Plan
	var parts []string
	for _, c := range batch.Carriers {
		if x, ok := p.Pids[c]; ok {
			s := c.English() + " " + x.Pid
			if l == langZH {
				s = string(c) + " " + x.Pid
			}
			if x.Name != "" {
				s += " " + x.Name
			}
			parts = append(parts, s)
		}
	}
	fmt.Fprint(w, msgPlanLine.f(l, p.Flag(), p.Product(), strings.Join(parts, msgPlanSep.in(l))))
	tel, pre := ch.Carriers.Count()
	fmt.Fprint(w, msgPlanCarriers.f(l, tel, pre))
	for _, n := range ch.Carriers.Notes {
		fmt.Fprint(w, msgPlanNote.f(l, n.In(string(l))))
	}
}

// catalogueProducts lists a catalogue map, in pid order.
func catalogueProducts(cat map[string]juhe.Product) []juhe.Product {
	out := make([]juhe.Product, 0, len(cat))
	for _, p := range cat {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pid < out[j].Pid })
	return out
}
