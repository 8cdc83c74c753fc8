package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// parseFlags is the prologue every command shares. -h prints usage and
// the flags and is no error (help is true: the command has nothing more
// to do); a bad flag, and an argument left over, are exit 2, said in the
// terminal's language. try is the hint for a left-over argument, the
// zero phrase for none.
//
// Every command takes -lang (zh or en): the terminal's language, which
// Run has already read (termLang); a command that has a -lang of its own
// (the workbook's) shares it. In Chinese, usage is usageZh's and the
// flags' help flagHelpZh's, where they have one.
func parseFlags(e *env, fs *flag.FlagSet, usage string, args []string, try phrase) (help bool, err error) {
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
		out := fs.Output()
		fmt.Fprint(out, usage)
		var defaults strings.Builder
		fs.SetOutput(&defaults)
		fs.PrintDefaults()
		fs.SetOutput(out)
		s := defaults.String()
		if e.lang == langZH {
			s = defaultRE.ReplaceAllString(s, msgFlagDefault.in(langZH))
		}
		io.WriteString(out, s)
	}
	// The flag package says a bad flag in English before the usage; in
	// Chinese, the refusal after it says it instead.
	var said bytes.Buffer
	fs.SetOutput(&said)
	err = fs.Parse(args)
	fs.SetOutput(e.stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			e.stderr.Write(said.Bytes())
			return true, nil
		}
		out := said.String()
		if e.lang == langZH {
			out = strings.TrimPrefix(out, err.Error()+"\n")
		}
		io.WriteString(e.stderr, out)
		return false, usageErr(msgCmdErr, fs.Name(), flagErr{err})
	}
	if fs.NArg() > 0 {
		ee := errOf(ExitUsage, msgUnexpectedArg, fs.Name(), fs.Arg(0))
		if try.m.en != "" {
			ee.tipText = &try
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

// defaultRE is the flag package's " (default X)" at the end of a help line.
var defaultRE = regexp.MustCompile(`(?m) \(default (.*)\)$`)

// flagErr is an error of the flag package in the reader's language: in
// English its own text, in Chinese by its kind.
type flagErr struct{ err error }

var flagErrRE = []struct {
	re *regexp.Regexp
	m  msg
}{
	{regexp.MustCompile(`^flag provided but not defined: (-\S*)$`), msgFlagUndefined},
	{regexp.MustCompile(`^flag needs an argument: (-\S*)$`), msgFlagNeedsValue},
	{regexp.MustCompile(`^invalid boolean value (".*") for (-\S+): .*$`), msgFlagBadBool},
	{regexp.MustCompile(`^invalid value (".*") for flag (-\S+): (.*)$`), msgFlagBadValue},
	{regexp.MustCompile(`^bad flag syntax: (.*)$`), msgFlagSyntax},
}

func (f flagErr) in(l lang) string {
	s := f.err.Error()
	if l != langZH {
		return s
	}
	for _, x := range flagErrRE {
		if m := x.re.FindStringSubmatch(s); m != nil {
			a := make([]any, len(m)-1)
			for i, g := range m[1:] {
				a[i] = flagWhy(g)
			}
			return x.m.f(l, a...)
		}
	}
	return s
}

// flagWhy is the flag package's word for a bad value in Chinese.
func flagWhy(s string) string {
	switch s {
	case "parse error":
		return msgFlagParseError.in(langZH)
	case "value out of range":
		return msgFlagOutOfRange.in(langZH)
	}
	return s
}
