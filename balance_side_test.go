package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// The balance side file one version of run wrote beside the journal is
// still read, whole or not at all; a torn last line is a crash while
// appending.
func TestSideBalances(t *testing.T) {
	t.Parallel()
	before := `{"at":"2026-11-30T06:00:00.5Z","kind":"balance","os_user":"u","host":"h","batch":"B","balance_yuan":"8812.340","account_id":"JH9","when":"before","reply":"ofpay/mobile/yue: ok"}` + "\n"
	after := `{"at":"2026-11-30T06:10:00Z","kind":"balance","batch":"B","when":"after","reply":"ofpay/mobile/yue: not available: 10002 该KEY无请求权限"}` + "\n"
	for _, tc := range []struct {
		name, file string
		n          int
		bad        bool
	}{
		{"none", "", 0, false},
		{"both", before + after, 2, false},
		{"torn last line", before + after[:30], 1, false},
		{"damaged middle", before[:40] + "\n" + after, 0, true},
		{"not a balance", `{"at":"2026-11-30T06:00:00Z","kind":"allow-regift","batch":"B"}` + "\n", 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			j := filepath.Join(t.TempDir(), "b.journal")
			if tc.file != "" {
				os.WriteFile(balanceSidePath(j), []byte(tc.file), 0o600)
			}
			got, err := sideBalances(j)
			if (err != nil) != tc.bad || len(got) != tc.n {
				t.Fatalf("%d snapshots, err %v", len(got), err)
			}
			if tc.n >= 1 {
				b := got[0]
				if b.When != journal.BalanceBefore || !b.Known || b.Money != 8812340 || b.Account != "JH9" || b.At != 1796018400500 {
					t.Errorf("before: %+v", b)
				}
			}
			if tc.n == 2 && (got[1].Known || got[1].When != journal.BalanceAfter || got[1].Reply == "") {
				t.Errorf("after: %+v", got[1])
			}
		})
	}
}
