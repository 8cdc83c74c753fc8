package main

import "context"

func runStatus(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "status: not yet implemented"}
}
