package main

import "context"

func runCheck(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "check: not yet implemented"}
}
