package main

import "context"

func runVerify(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "verify: not yet implemented"}
}
