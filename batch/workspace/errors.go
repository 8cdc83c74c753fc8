package workspace

import (
	"fmt"
	"time"
)

// LockedError says another process held the workspace lock for longer
// than Lock would wait.
type LockedError struct {
	Dir    string
	PID    int // 0 when unknown
	Waited time.Duration
}

func (e *LockedError) Error() string {
	who := "another process"
	if e.PID > 0 {
		who = fmt.Sprintf("process %d", e.PID)
	}
	return fmt.Sprintf("workspace %s is in use by %s (waited %s); Try: wait for it to finish starting its batch, then run the same command again",
		e.Dir, who, e.Waited.Round(time.Millisecond))
}
