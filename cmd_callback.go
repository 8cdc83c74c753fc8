package main

import "context"

func runCallback(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "callback: not yet implemented"}
}
