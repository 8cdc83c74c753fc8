package main

import (
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/flowbatch/flowbatch/batch/workspace"
)

// What the console binds to a batch it starts (issue 15): the facts a
// person confirmed, checked again by the start itself under the
// workspace lock, after its own reading of the file and its own guard;
// and the header settings that say who confirmed. A start whose facts
// differ from the confirmed ones is refused, saying what changed, before
// anything is written or sent.

// Header settings the console adds to a batch it starts.
const (
	settingConfirmedBy   = "confirmed_by"   // the name typed at confirmation
	settingConsoleUser   = "console_user"   // the OS user running serve
	settingConfirmedYuan = "confirmed_yuan" // the amount typed, the batch's budget cap
)

// startBinding is what the console confirmed; nil on the command line.
type startBinding struct {
	facts boundFacts
	extra map[string]string // header settings of a new journal
}

// boundFacts are what a confirmation fixes of a batch about to start.
type boundFacts struct {
	SHA256 string         // the file's
	Rows   int            // rows to send
	RowSum string         // sha256 over every row to send: line, phone, pid, orderid
	Pids   map[string]int // rows to send per pid
	Guard  []string       // the guard's findings, one canonical line each
}

// factsOf is the facts of a start: its reading of the file (g) and what
// the guard found.
func factsOf(g *guardedStart, found workspace.Findings) boundFacts {
	f := boundFacts{SHA256: g.rep.Info.SHA256, Rows: len(g.rows.phones), Pids: maps.Clone(g.rows.byPid)}
	if g.rows.sum != nil {
		f.RowSum = hex.EncodeToString(g.rows.sum.Sum(nil))
	}
	if f.Pids == nil {
		f.Pids = map[string]int{}
	}
	for _, x := range found.List {
		f.Guard = append(f.Guard, fmt.Sprintf("%s %s %s rows=%d sent=%d allowed=%t %s",
			x.Kind, x.Other.BatchID, x.Other.Journal, x.Count, x.Sent, x.Allowed, x.Why))
	}
	slices.Sort(f.Guard)
	return f
}

// factChange is one fact that differs between a confirmation and a start.
type factChange struct {
	What     string // "sha256", "rows", "pids", "guard"
	Was, Now string
}

// changes lists what differs from a to b; nil when nothing does.
func (a boundFacts) changes(b boundFacts) []factChange {
	var out []factChange
	if a.SHA256 != b.SHA256 {
		out = append(out, factChange{"sha256", a.SHA256, b.SHA256})
	}
	if a.Rows != b.Rows || a.RowSum != b.RowSum {
		out = append(out, factChange{"rows", fmt.Sprintf("%d (%.12s)", a.Rows, a.RowSum), fmt.Sprintf("%d (%.12s)", b.Rows, b.RowSum)})
	}
	if !maps.Equal(a.Pids, b.Pids) {
		out = append(out, factChange{"pids", pidCounts(a.Pids), pidCounts(b.Pids)})
	}
	if !slices.Equal(a.Guard, b.Guard) {
		out = append(out, factChange{"guard", strings.Join(a.Guard, "; "), strings.Join(b.Guard, "; ")})
	}
	return out
}

func pidCounts(m map[string]int) string {
	var parts []string
	for _, p := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, p+"×"+strconv.Itoa(m[p]))
	}
	return strings.Join(parts, ", ")
}

// digest is one string for all the facts, to carry in a form.
func (a boundFacts) digest() string {
	return fmt.Sprintf("%s|%d|%s|%s|%s", a.SHA256, a.Rows, a.RowSum, pidCounts(a.Pids), strings.Join(a.Guard, "\n"))
}

// in is c as a reader of l sees it: a guard that found nothing said so.
func (c factChange) in(l lang) factChange {
	for _, v := range []*string{&c.Was, &c.Now} {
		if *v == "" && c.What == "guard" {
			*v = msgGuardFoundNothing.in(l)
		}
	}
	return c
}

// changeList is what changed, in the reader's language: the terminal's
// refusal, and so the batch page's last words.
type changeList []factChange

func (cl changeList) in(l lang) string {
	var parts []string
	for _, c := range cl {
		c = c.in(l)
		parts = append(parts, msgFactChanged.f(l, factName(c.What), c.Was, c.Now))
	}
	return strings.Join(parts, msgFactSep.in(l))
}

// factName is a fact as the refusal names it: its key in English
// ("sha256 was …"), the confirm page's word in Chinese.
type factName string

func (f factName) in(l lang) string {
	if l == langZH {
		return word(string(l), "fact."+string(f))
	}
	return string(f)
}

// check refuses, exit 3, a start whose facts differ from the confirmed
// ones; a nil binding (the command line) checks nothing.
func (b *startBinding) check(g *guardedStart, found workspace.Findings) error {
	if b == nil {
		return nil
	}
	if ch := b.facts.changes(factsOf(g, found)); len(ch) > 0 {
		return errOf(ExitInvalid, msgConfirmedChanged, "run", changeList(ch)).try(msgReuploadTry)
	}
	return nil
}

// settings are the header settings the binding adds to a new journal.
func (b *startBinding) settings() map[string]string {
	if b == nil {
		return nil
	}
	return b.extra
}
