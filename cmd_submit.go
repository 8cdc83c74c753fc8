package main

import "context"

func runSubmit(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "submit: not yet implemented"}
}
