package main

import (
	"errors"
	"flag"
	"fmt"
)

// parseFlags is the prologue every command shares. -h prints usage and
// the flags and is no error (help is true: the command has nothing more
// to do); a bad flag, and an argument left over, are exit 2. try is the
// hint for a left-over argument, "" for none.
func parseFlags(e *env, fs *flag.FlagSet, usage string, args []string, try string) (help bool, err error) {
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprint(e.stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return true, nil
		}
		return false, usageErr("%s: %v", fs.Name(), err)
	}
	if fs.NArg() > 0 {
		ee := usageErr("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
		if try != "" {
			ee.hint("%s", try)
		}
		return false, ee
	}
	return false, nil
}
