//go:build !unix && !windows

package workspace

import (
	"context"
	"fmt"
)

// Lock is not available on this system yet.
func (ws *Workspace) Lock(ctx context.Context) (*Locked, error) {
	return nil, fmt.Errorf("locking workspace %s: the workspace lock needs a unix or Windows system", ws.Dir)
}
