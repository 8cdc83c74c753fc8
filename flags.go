package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
)

// parseFlags is the prologue every command shares. -h prints usage and
// the flags and is no error (help is true: the command has nothing more
// to do); a bad flag, and an argument left over, are exit 2. try is the
// hint for a left-over argument, "" for none.
//
// Every command takes -lang (zh or en): the terminal's language, which
// Run has already read (termLang); a command that has a -lang of its own
// (the workbook's) shares it. In Chinese, usage is usageZh's and the
// flags' help flagHelpZh's, where they have one.
func parseFlags(e *env, fs *flag.FlagSet, usage string, args []string, try string) (help bool, err error) {
	fs.SetOutput(e.stderr)
	own := fs.Lookup("lang") != nil
	if !own {
		fs.String("lang", "", msgFlagLang.in(e.lang))
	}
	fs.Usage = func() {
		if e.lang == langZH {
			if zh, ok := usageZh[fs.Name()]; ok {
				usage = zh + msgFlagsHead.in(langZH)
			}
			fs.VisitAll(func(f *flag.Flag) {
				if h, ok := flagHelpZh[fs.Name()+"."+f.Name]; ok {
					f.Usage = h
				} else if h, ok := flagHelpZh[f.Name]; ok {
					f.Usage = h
				}
			})
		}
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
		ee := errOf(ExitUsage, msgUnexpectedArg, fs.Name(), fs.Arg(0))
		if try != "" {
			ee.hint("%s", try)
		}
		return false, ee
	}
	if l := fs.Lookup("lang"); !own && l.Value.String() != "" && l.Value.String() != string(langZH) && l.Value.String() != string(langEN) {
		return false, errOf(ExitUsage, msgBadLang, fs.Name(), l.Value.String())
	}
	return false, nil
}

// keepColFlag is -keep-col of reconcile and month: the extra input columns
// a masked copy keeps, the flag repeated or a comma list.
func keepColFlag(fs *flag.FlagSet) *[]string {
	var keep []string
	fs.Func("keep-col", "with -mask, keep this extra input `column` (repeat it, or a comma list)", func(v string) error {
		for _, c := range strings.Split(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				keep = append(keep, c)
			}
		}
		return nil
	})
	return &keep
}
