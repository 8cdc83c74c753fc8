package input

import (
	"regexp"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		cell, want, err string
	}{
		{"15925601712", "15925601712", ""},
		{" 15925601712 ", "15925601712", ""},
		{"159 2560 1712", "15925601712", ""},
		{"159-2560-1712", "15925601712", ""},
		{"(159)2560-1712", "15925601712", ""},
		{"\u3000159\u30002560\u00a01712\u3000", "15925601712", ""},
		{"\ufeff15925601712", "15925601712", ""},
		{"１５９２５６０１７１２", "15925601712", ""},
		{"+8615925601712", "15925601712", ""},
		{"+86 159-2560-1712", "15925601712", ""},
		{"＋86 15925601712", "15925601712", ""},
		{"8615925601712", "15925601712", ""},
		{"008615925601712", "15925601712", ""},
		{"1.5925601712E10", "15925601712", ""},
		{"1.5925601712E+10", "15925601712", ""},
		{"1.5925601712e+10", "15925601712", ""},
		{"15925601712.0", "15925601712", ""},
		{"15925601712.000", "15925601712", ""},
		{"159256017.12E2", "15925601712", ""},
		{"19812345678", "19812345678", ""},
		{"13800138000", "13800138000", ""},
		{"", "", "empty"},
		{"   ", "", "empty"},
		{"1592560171", "", "10 digits"},
		{"159256017123", "", "12 digits"},
		{"86159256017", "", "not a mainland mobile prefix"},
		{"1592560171a", "", "contains letters"},
		{"abc", "", "contains letters"},
		{"159.25601712", "", "not a whole number"},
		{"1.5925601712E9", "", "not a whole number"},
		{"1.59256E+10", "", "lost digits"},
		// Scientific notation must show all 11 digits: fewer may be rounded.
		{"1.38001380E+10", "", "shows 9 significant digits"},
		{"1.3800138E10", "", "shows 8 significant digits"},
		{"1.59256017E10", "", "shows 9 significant digits"},
		{"1.592560171E+10", "", "shows 10 significant digits"},
		{"0.15925601712E+11", "15925601712", ""},
		{"1.3800138000E+10", "13800138000", ""},
		{"1.59256017120E+10", "15925601712", ""},
		{"13800138000.0", "13800138000", ""}, // no exponent: every digit is there
		{"12925601712", "", "not a mainland mobile prefix"},
		{"25925601712", "", "not a mainland mobile prefix"},
		{"159/2560/1712", "", `contains '/'`},
		{"+8715925601712", "", `contains '+'`},
		{"1E400", "", "too large"},
		{"1E4000", "", "sensible size"},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.cell)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("NormalizePhone(%q): %v", tt.cell, err)
		case tt.err == "" && got != tt.want:
			t.Errorf("NormalizePhone(%q) = %q, want %q", tt.cell, got, tt.want)
		case tt.err != "" && err == nil:
			t.Errorf("NormalizePhone(%q) = %q, want an error with %q", tt.cell, got, tt.err)
		case tt.err != "" && !strings.Contains(err.Error(), tt.err):
			t.Errorf("NormalizePhone(%q) error %q, want it to say %q", tt.cell, err, tt.err)
		}
	}
}

func TestNormalizePid(t *testing.T) {
	tests := []struct {
		cell, want, err string
	}{
		{"105000", "105000", ""},
		{" 105000 ", "105000", ""},
		{"105000.0", "105000", ""},
		{"1.05E5", "105000", ""},
		{"1.05E+05", "105000", ""},
		{"1E5", "1E5", ""}, // letters and digits: a code as it stands
		{"abc123", "abc123", ""},
		{strings.Repeat("9", 32), strings.Repeat("9", 32), ""},
		{"", "", "missing pid"},
		{"  ", "", "missing pid"},
		{"105-000", "", "bad pid"},
		{"10500.5", "", "bad pid"},
		{strings.Repeat("9", 33), "", "bad pid: 33 characters"},
		{"流量", "", "bad pid"},
	}
	for _, tt := range tests {
		got, err := normalizePid(tt.cell)
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("normalizePid(%q): %v", tt.cell, err)
		case tt.err == "" && got != tt.want:
			t.Errorf("normalizePid(%q) = %q, want %q", tt.cell, got, tt.want)
		case tt.err != "" && err == nil:
			t.Errorf("normalizePid(%q) = %q, want an error with %q", tt.cell, got, tt.err)
		case tt.err != "" && !strings.Contains(err.Error(), tt.err):
			t.Errorf("normalizePid(%q) error %q, want it to say %q", tt.cell, err, tt.err)
		}
	}
}

var mainlandMobile = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"15925601712", "+86 159-2560-1712", "1.5925601712E10", "8615925601712", "\u3000１５９２５６０１７１２", "1e999", "0086", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		got, err := NormalizePhone(cell)
		if err != nil {
			return
		}
		if !mainlandMobile.MatchString(got) {
			t.Fatalf("NormalizePhone(%q) = %q, not a mainland mobile number", cell, got)
		}
		again, err := NormalizePhone(got)
		if err != nil || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", got, again, err)
		}
	})
}
