package main

import "context"

func runSim(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "sim: not yet implemented"}
}
