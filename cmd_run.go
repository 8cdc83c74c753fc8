package main

import "context"

func runRun(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "run: not yet implemented"}
}
