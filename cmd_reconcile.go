package main

import "context"

func runReconcile(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "reconcile: not yet implemented"}
}
