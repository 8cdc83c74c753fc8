package juhe

import "testing"

func TestCodeTable(t *testing.T) {
	codes := Codes()
	if len(codes) != len(codeTable) || len(codeIndex) != len(codeTable) {
		t.Fatalf("%d codes, %d indexed, %d in table: a duplicate?", len(codes), len(codeIndex), len(codeTable))
	}
	for i, c := range codes {
		if i > 0 && codes[i-1].Code >= c.Code {
			t.Errorf("Codes not sorted at %d", c.Code)
		}
		if c.Text == "" || c.Why == "" {
			t.Errorf("code %d lacks text or why", c.Code)
		}
		for _, cl := range []Class{c.Submit, c.Query} {
			if _, ok := classNames[cl]; !ok {
				t.Errorf("code %d: invalid class %d", c.Code, cl)
			}
		}
		if c.Submit == ClassNotFound {
			t.Errorf("code %d: not_found is only for queries", c.Code)
		}
		if c.Code != 0 && (c.Submit == ClassAccepted || c.Query == ClassAccepted) {
			t.Errorf("code %d: only 0 may be accepted", c.Code)
		}
		if got, ok := LookupCode(c.Code); !ok || got != c {
			t.Errorf("LookupCode(%d) = %+v, %v", c.Code, got, ok)
		}
	}
	for _, code := range []int{-1, 1, 10006, 10010, 10015, 210500, 210512, 99999} {
		if Classify(OpSubmit, code) != ClassUnknown || Classify(OpQuery, code) != ClassUnknown {
			t.Errorf("code %d not in the table must be unknown", code)
		}
	}
}

func TestParseClass(t *testing.T) {
	for c := range classNames {
		if got, ok := ParseClass(c.String()); !ok || got != c {
			t.Errorf("ParseClass(%q) = %v, %v", c.String(), got, ok)
		}
	}
	if _, ok := ParseClass("failed"); ok {
		t.Error(`"failed" is not a class`)
	}
	if Class(0).String() != "invalid" {
		t.Error("zero class must print invalid")
	}
}
