package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/batch/workspace"
)

const statusUsage = `Usage: flowbatch status -journal PATH [-json]

Prints what a journal says about its batch: its period and workspace, the input, the rows per state,
the spend so far, the spending cap and what is committed against it, what is still charging or open, orders journaled but no
longer in the input, the head hash, and whether a process holds the journal
now. It reads without locking, so it works while a batch runs (a record
being written at that moment is left out). It is informational: exit 0
whatever the state of the batch; 7 if the journal is damaged.

-json prints one JSON object instead, with stable English keys whatever the
language (README "Reading flowbatch from a script").

Flags:
`

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	path := fs.String("journal", "", "journal `file` to read")
	wsDir := fs.String("workspace", "", "workspace `directory` to name (default $"+workspace.EnvDir+", else your data directory)")
	asJSON := fs.Bool("json", false, "print one JSON object with stable English keys, for scripts")
	if help, err := parseFlags(e, fs, statusUsage, args, msgStatusTry.with()); help || err != nil {
		return err
	}
	switch {
	case *path == "":
		return errOf(ExitUsage, msgFlagIsRequired, "status", "-journal").try(msgStRequired)
	}
	b, err := batch.LoadBook(ctx, *path)
	if err != nil {
		return journalErr("status", *path, err)
	}
	pid, held, holdErr := journal.Holder(*path)
	if *asJSON {
		return writeJSON(e.stdout, statusOf(b, pid, held, holdErr))
	}
	l := e.lang
	t := b.Counts()
	var tb table
	tb.add(msgStBatch.in(l), b.Header.BatchID)
	if p := b.Header.Settings[workspace.SettingPeriod]; p != "" {
		tb.add(msgStPeriod.in(l), p)
	}
	var ws strings.Builder
	printWorkspaceLine(ctx, &ws, e, *wsDir, *path)
	for _, line := range strings.Split(strings.TrimSuffix(ws.String(), "\n"), "\n") {
		if k, v, ok := strings.Cut(line, "\t"); ok {
			tb.add(k, v)
		}
	}
	if b.Input.Name != "" {
		tb.add(msgStInput.in(l), msgStInputLine.f(l, b.Input.Name, b.Input.SHA256))
	} else {
		tb.add(msgStInput.in(l), msgStNoInput.in(l))
	}
	tb.add(msgStRows.in(l), fmt.Sprint(t.Rows))
	for _, s := range batch.Statuses {
		tb.add("  "+stateName(l, s), fmt.Sprint(t.ByStatus[s]))
	}
	tb.add(msgStSpend.in(l), msgStYuan.f(l, t.Spend))
	tb.add(msgStCharging.in(l), msgStYuan.f(l, t.Charging))
	tb.add(msgStRefunded.in(l), msgStYuan.f(l, t.Refunded))
	addSpendCap(&tb, l, b)
	tb.add(msgStOpen.in(l), fmt.Sprint(t.OpenCount))
	tb.add(msgStOrphans.in(l), fmt.Sprint(t.Orphans))
	tb.add(msgStRecords.in(l), fmt.Sprint(b.Records))
	tb.add(msgStHead.in(l), b.HeadHash)
	switch {
	case holdErr != nil:
		tb.add(msgStHeldBy.in(l), msgStHeldErr.f(l, holdErr))
	case held && pid > 0:
		tb.add(msgStHeldBy.in(l), msgStHeldPid.f(l, pid))
	case held:
		tb.add(msgStHeldBy.in(l), msgStHeldOther.in(l))
	default:
		tb.add(msgStHeldBy.in(l), msgStHeldNone.in(l))
	}
	tb.write(e.stdout)
	return nil
}

// statusJSON is what status -json prints: a contract for scripts, in
// English whatever the language; README "Reading flowbatch from a
// script" lists the keys. Money is a string of yuan with three decimals
// (exact: 厘), never a float.
type statusJSON struct {
	Batch        string         `json:"batch"`
	Period       string         `json:"period"`
	Input        *statusInput   `json:"input"`
	Rows         int            `json:"rows"`
	States       map[string]int `json:"states"`
	SpendYuan    string         `json:"spend_yuan"`
	ChargingYuan string         `json:"charging_yuan"`
	RefundedYuan string         `json:"refunded_yuan"`
	OpenRows     int            `json:"open_rows"`
	Orphans      int            `json:"orphans"`
	Records      int64          `json:"records"`
	Head         string         `json:"head"`
	Held         bool           `json:"held"`
	HolderPID    int            `json:"holder_pid"`
	HeldError    string         `json:"held_error,omitempty"`
	// The spending cap, when the batch has one: the cap, what the journal
	// commits against it, and how often it changed after the start.
	SpendCapYuan   string `json:"spend_cap_yuan,omitempty"`
	CommittedYuan  string `json:"committed_yuan,omitempty"`
	SpendCapChange int    `json:"spend_cap_changes,omitempty"`
}

type statusInput struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

func statusOf(b *batch.Book, pid int, held bool, holdErr error) statusJSON {
	t := b.Counts()
	s := statusJSON{
		Batch: b.Header.BatchID, Period: b.Header.Settings[workspace.SettingPeriod],
		Rows: t.Rows, States: make(map[string]int, len(batch.Statuses)),
		SpendYuan: t.Spend.String(), ChargingYuan: t.Charging.String(), RefundedYuan: t.Refunded.String(),
		OpenRows: t.OpenCount, Orphans: t.Orphans, Records: b.Records, Head: b.HeadHash,
		Held: held, HolderPID: pid,
	}
	if b.Input.Name != "" {
		s.Input = &statusInput{Name: b.Input.Name, SHA256: b.Input.SHA256}
	}
	for _, st := range batch.Statuses {
		s.States[string(st)] = t.ByStatus[st]
	}
	if holdErr != nil {
		s.HeldError = holdErr.Error()
	}
	if max, ok := b.SpendCap(); ok {
		s.SpendCapYuan, s.CommittedYuan, s.SpendCapChange = max.String(), b.Committed(nil).String(), b.SpendCapChanges()
	}
	return s
}

// writeJSON prints v as one indented JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	out, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}
