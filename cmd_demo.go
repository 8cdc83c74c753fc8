package main

import "context"

func runDemo(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "demo: not yet implemented"}
}
