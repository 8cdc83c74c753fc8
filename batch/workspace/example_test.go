package workspace_test

import (
	"context"
	"fmt"
	"os"

	"github.com/flowbatch/flowbatch/batch/workspace"
)

// The shape of a start or resume of a batch: the guard and the writing
// of the rows under one lock, and nothing sent before the lock is let go.
func ExampleGuard() {
	ctx := context.Background()
	dir, err := workspace.Dir("", os.Getenv) // -workspace, FLOWBATCH_WORKSPACE, or the user's data directory
	if err != nil {
		fmt.Println(err)
		return
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	l, err := ws.Lock(ctx)
	if err != nil {
		fmt.Println(err) // a *LockedError names the holder
		return
	}
	defer l.Unlock()
	f, err := workspace.Guard(ctx, l, workspace.NewBatch{
		ID: "gift-dec", Period: workspace.CurrentPeriod(),
		Journal: dir + "/gift-dec.journal",
		Phones:  []string{"13900000001"}, // the rows not sent yet
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := f.Err(); err != nil {
		fmt.Println(err) // exit 3: nothing was sent
		return
	}
	// Journal the header (with workspace.SettingPeriod, SettingUser,
	// SettingHost from workspace.Who()) and the rows, and f.Regifted()
	// when -allow-regift let rows through; then:
	//	l.Register(ctx, journalPath)
	//	l.Unlock()
	// and only then send.
}
