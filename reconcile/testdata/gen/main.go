//go:build ignore

// Gen writes a journal of n orders through the batch API, for measuring
// reconcile at scale (BENCHMARKS.md):
//
//	go run ./reconcile/testdata/gen/main.go -n 1000000 -out /tmp/big.journal
//
// -batch, -phone and -at make one of several batches of a workspace (the
// month benchmark): its id, its first phone and its first record's time.
//
// 90% success, 5% failed, 3% charging, 1% unknown, 1% rejected, two extra
// columns with Chinese text.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"strconv"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

func main() {
	n := flag.Int("n", 1000000, "orders")
	out := flag.String("out", "big.journal", "journal to create")
	batchID := flag.String("batch", "BENCH", "batch id")
	first := flag.Int64("phone", 13800000000, "the first row's phone")
	start := flag.Int64("at", 1740794400000, "unix ms of the first record")
	flag.Parse()
	ctx := context.Background()
	j, _, err := batch.CreateJournal(ctx, *out, journal.Header{BatchID: *batchID, ToolVersion: "gen"})
	if err != nil {
		log.Fatal(err)
	}
	var recs []*journal.Record
	at := *start
	flush := func(force bool) {
		if len(recs) >= 20000 || (force && len(recs) > 0) {
			if err := j.Append(ctx, recs...); err != nil {
				log.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	add := func(r *journal.Record) {
		at++
		r.At = at
		recs = append(recs, r)
		flush(false)
	}
	add(&journal.Record{Type: journal.RecInput, Input: &journal.InputInfo{Name: "big.csv", SHA256: fmt.Sprintf("%064x", 1),
		Rows: *n, Format: "csv", Encoding: "utf-8", Extra: []string{"姓名", "部门"}}})
	ids := make([]string, *n)
	for i := 0; i < *n; i++ {
		phone := strconv.FormatInt(*first+int64(i), 10)
		pid := strconv.Itoa(10 + i%3*10)
		ids[i] = input.OrderID(*batchID, phone, pid, 1)
		add(&journal.Record{Type: journal.RecRow, Row: &journal.RowRecord{Line: i + 2, Phone: phone, Pid: pid, OrderID: ids[i],
			Occurrence: 1, Status: journal.RowValid, Extra: []string{"张三" + strconv.Itoa(i%1000), "技术部"}}})
	}
	add(&journal.Record{Type: journal.RecPlanned, Planned: &journal.Planned{Rows: *n}})
	for i, id := range ids {
		cost := juhe.Money(19630 + i%3*1000)
		add(&journal.Record{Type: journal.RecIntent, Intent: &journal.Intent{OrderID: id, Attempt: 1}})
		switch k := i % 100; {
		case k == 98:
			add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassUnknown, Code: juhe.NoCode, Reason: "timeout"}}})
		case k == 99:
			add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassRejected, Code: 210502, Reason: "不支持"}}})
		default:
			add(&journal.Record{Type: journal.RecSubmit, Submit: &journal.SubmitResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, SporderID: "J" + id[:20], Cost: cost, HasCost: true}, CardName: "移动全国1G"}})
			switch {
			case k < 90:
				add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, Cost: cost, HasCost: true}, State: juhe.StateSuccess}})
			case k < 95:
				add(&journal.Record{Type: journal.RecQuery, Query: &journal.QueryResult{Answer: journal.Answer{OrderID: id, Class: juhe.ClassAccepted, Cost: cost, HasCost: true}, State: juhe.StateFailed}})
			}
		}
	}
	flush(true)
	if err := j.Close(); err != nil {
		log.Fatal(err)
	}
}
