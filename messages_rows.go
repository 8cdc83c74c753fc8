package main

import (
	"strings"

	"github.com/flowbatch/flowbatch/batch/input"
	"github.com/flowbatch/flowbatch/batch/workspace"
)

// The words of rows, refusals and the guard, in the terminal's language.
// They are not here but where they are made, each in one table:
// batch/input/reasons.go holds every reason a row is given (journaled in
// English, parsed back from it) and every refusal of a file;
// batch/workspace/guard_words.go holds the guard's lines. This block
// renders them in a lang; what a script reads stays English.

// errText is err in l: a reader's refusal it holds in l's words, the
// rest as it is.
func errText(l lang, err error) string { return input.ErrorIn(err, string(l)) }

// guardLines is the guard's findings, one line each, rendered in the
// reader's language.
type guardLines struct{ found workspace.Findings }

func (g guardLines) in(l lang) string { return strings.Join(g.found.LinesIn(string(l)), "\n") }

// The guard's lines of check, and its refusal.
var (
	msgGuardRefused     = msg{"%s: %s", "%s：%s"}
	msgGuardNotChecked  = msg{"workspace guard: not checked (no -batch)", "工作区检查：没有检查（没有 -batch）"}
	msgGuardNoWorkspace = msg{
		"workspace guard: passed (workspace %s does not exist yet: no other batch to compare)",
		"工作区检查：通过（工作区 %s 还不存在：没有别的批次可比对）",
	}
)

// errIn is an error as a message's argument, rendered in the reader's
// language.
type errIn struct{ err error }

func (e errIn) in(l lang) string { return errText(l, e.err) }
