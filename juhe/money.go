package juhe

import (
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in 厘 (0.001 yuan). The provider quotes prices
// with three decimals; a float would eventually misstate a total, so money
// is never a float anywhere in flowbatch.
type Money int64

// ParseMoney parses a provider amount such as "19.630", "19.63" or "19".
// field names the field in errors. Signs, exponents, more than three
// decimals and anything that is not plain digits are errors.
func ParseMoney(field, s string) (Money, error) {
	bad := func(why string) (Money, error) {
		return 0, fmt.Errorf("%s: %q is not an amount in yuan: %s", field, truncate(s, 40), why)
	}
	if s == "" {
		return bad("empty")
	}
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" {
		return bad("no digits before the decimal point")
	}
	if dot && frac == "" {
		return bad("no digits after the decimal point")
	}
	if len(frac) > 3 {
		return bad("more than three decimals")
	}
	if !allDigits(whole) || !allDigits(frac) {
		return bad("only digits and one decimal point are allowed")
	}
	if len(whole) > 12 {
		return bad("too large")
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return bad("too large")
	}
	f := int64(0)
	for i := 0; i < 3; i++ {
		f *= 10
		if i < len(frac) {
			f += int64(frac[i] - '0')
		}
	}
	return Money(w*1000 + f), nil
}

// String formats m in yuan with exactly three decimals, e.g. "19.630".
func (m Money) String() string {
	sign := ""
	v := uint64(m)
	if m < 0 {
		sign = "-"
		v = -v // two's complement: right even for the most negative value
	}
	return fmt.Sprintf("%s%d.%03d", sign, v/1000, v%1000)
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
