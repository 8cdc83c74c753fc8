package juhe

import (
	"math"
	"strings"
	"testing"
)

func TestParseMoney(t *testing.T) {
	good := []struct {
		in   string
		want Money
	}{
		{"19.630", 19630}, {"19.63", 19630}, {"19.6", 19600}, {"19", 19000},
		{"0.001", 1}, {"0", 0}, {"0.000", 0}, {"007.5", 7500}, {"999999999999.999", 999999999999999},
	}
	for _, tt := range good {
		m, err := ParseMoney("uordercash", tt.in)
		if err != nil || m != tt.want {
			t.Errorf("ParseMoney(%q) = %d, %v; want %d", tt.in, m, err, tt.want)
		}
	}
	bad := []string{"abc", "-1", "1e3", "19.6301", "", ".5", "5.", " 1", "1 ", "+1", "1,000",
		"1.2.3", "0x10", "１９", "1_000", "NaN", "Inf", "1000000000000", "19.63\n"}
	for _, in := range bad {
		m, err := ParseMoney("uordercash", in)
		if err == nil {
			t.Errorf("ParseMoney(%q) = %d, want an error", in, m)
			continue
		}
		if !strings.Contains(err.Error(), "uordercash") {
			t.Errorf("ParseMoney(%q): error %q does not name the field", in, err)
		}
	}
}

func TestMoneyString(t *testing.T) {
	for _, tt := range []struct {
		m    Money
		want string
	}{
		{19630, "19.630"}, {1, "0.001"}, {0, "0.000"}, {-1, "-0.001"}, {-19630, "-19.630"},
		{math.MaxInt64, "9223372036854775.807"}, {math.MinInt64, "-9223372036854775.808"},
	} {
		if got := tt.m.String(); got != tt.want {
			t.Errorf("Money(%d).String() = %q, want %q", int64(tt.m), got, tt.want)
		}
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"19.630", "19.63", "19", "0.001", "-1", "1e3", "19.6301", ".5", "5.", "999999999999.999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMoney("f", s)
		if err != nil {
			if m != 0 {
				t.Errorf("error with value %d", m)
			}
			if !strings.HasPrefix(err.Error(), "f: ") {
				t.Errorf("error %q does not name the field", err)
			}
			return
		}
		if m < 0 {
			t.Fatalf("ParseMoney(%q) = %d, negative", s, m)
		}
		again, err := ParseMoney("f", m.String())
		if err != nil || again != m {
			t.Fatalf("ParseMoney(%q) = %d; String %q re-parses to %d, %v", s, m, m.String(), again, err)
		}
	})
}
