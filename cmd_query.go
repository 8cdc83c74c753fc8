package main

import "context"

func runQuery(ctx context.Context, e *env, args []string) error {
	return &exitError{code: ExitError, msg: "query: not yet implemented"}
}
