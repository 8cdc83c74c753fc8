package batch

import (
	"strings"
	"testing"
)

// A plan file whose encoding the input reader cannot decide is refused
// in the input reader's words, but those words say "use -encoding", and
// -encoding reaches -in only: a user who follows the advice
// (check -in list.csv -plan-file plans.csv -encoding utf-8) gets the
// same refusal again. A refusal of a plan file must say what works for
// a plan file (save it again, e.g. as Excel's "CSV UTF-8", which writes
// a BOM), never a flag that does not reach it. Found by the old/new
// differential review: the old plan reader said "save it again as CSV
// UTF-8" (and read the first case as the UTF-8 it is); the test passes
// on that reader, which is also a way out: reading it is no refusal.
func TestReadPlanFileRefusalAdviceReachesThePlan(t *testing.T) {
	for _, tc := range []struct{ name, text string }{
		{"utf-8 and gbk alike", "carrier,pid,note\nmobile,105000,caf\xc3\xa9\n"},
		{"neither", "carrier,pid\n移动,105000\n\xff,1\n"},
		{"bom then gbk", "\ufeffcarrier,pid\n\xd2\xc6\xb6\xaf,1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadPlanFile(writePlan(t, tc.text))
			if err != nil && strings.Contains(err.Error(), "-encoding") {
				t.Errorf("ReadPlanFile: %v\nthe advice names -encoding, which does not apply to -plan-file", err)
			}
		})
	}
}
