package batch

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// Balance snapshots fold the same way live (Apply) and replayed (LoadBook).
func TestBookBalances(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "b.journal")
	j, live, err := CreateJournal(ctx, path, journal.Header{BatchID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range []journal.BalanceNote{
		{When: journal.BalanceBefore, Account: "JH9", Money: 8812340, Known: true, Reply: "ofpay/mobile/yue: ok"},
		{When: journal.BalanceAfter, Reply: "ofpay/mobile/yue: unknown: timeout"},
	} {
		r := &journal.Record{Type: journal.RecBalance, At: int64(1000 + i), Balance: &n}
		if err := j.Append(ctx, r); err != nil {
			t.Fatal(err)
		}
		live.Apply(r)
	}
	j.Close()
	replayed, err := LoadBook(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := replayed.Balances(), live.Balances(); len(got) != 2 || !reflect.DeepEqual(got, want) || got[0].At != 1000 || got[0].Account != "JH9" {
		t.Errorf("replayed %+v, live %+v", got, want)
	}
	if replayed.HeadHash != live.HeadHash || replayed.Records != 3 {
		t.Errorf("head %s/%d, live %s/%d", replayed.HeadHash, replayed.Records, live.HeadHash, live.Records)
	}
}
