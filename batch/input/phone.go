package input

import (
	"errors"
	"strconv"
	"strings"
	"unicode"

	"github.com/flowbatch/flowbatch/batch/journal"
)

// NormalizePhone turns a cell into an 11-digit mainland number, or says why not.
//
// It strips spaces (including U+3000 and NBSP), dashes and parentheses,
// reads fullwidth digits, drops a "+86", "0086" or "86" prefix in front of
// 11 digits, and accepts the numeric forms a spreadsheet writes for a
// number cell ("15925601712", "15925601712.0", "1.5925601712E10",
// "1.5925601712E+10"), converted exactly: never through a float. A number
// in scientific notation must show all 11 digits: fewer may be rounded.
func NormalizePhone(cell string) (string, error) { return normalizePhone(cell, false) }

// normalizePhone is NormalizePhone; stored says the cell is a number a
// workbook stores (an XLSX <v>), not text a screen showed: its digits are
// the value, however few it writes (1.3800138E10 is 13800138000 exactly),
// so only a value that is not a whole number is refused.
func normalizePhone(cell string, stored bool) (string, error) {
	s := stripSeparators(cell)
	if s == "" {
		return "", refuse(PhoneEmpty)
	}
	if looksLikeNumberCell(s) {
		// A number shown with fewer digits than a phone has ("1.59256E+10",
		// "1.38001380E+10": Excel's General format in a CSV) may have been
		// rounded: the digits that remain are another person's number.
		// Refuse rather than guess.
		digits, _, err := exactWholeNumber(s)
		if err != nil {
			return "", refuse(notWhole[err][0], journal.Clip(s))
		}
		if sig := significantDigits(s); !stored && strings.ContainsAny(s, "eE") && sig < 11 {
			return "", refuse(PhoneScientific, journal.Clip(s), sig)
		}
		s = digits
	}
	switch {
	case strings.HasPrefix(s, "+86"):
		s = s[3:]
	case strings.HasPrefix(s, "0086") && len(s) == 15:
		s = s[4:]
	case strings.HasPrefix(s, "86") && len(s) == 13:
		s = s[2:]
	}
	letters, other := false, rune(0)
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
		case unicode.IsLetter(r):
			letters = true
		case other == 0:
			other = r
		}
	}
	switch {
	case letters:
		return "", refuse(PhoneLetters)
	case other != 0:
		return "", refuse(PhoneChar, strconv.QuoteRune(other))
	case len(s) != 11:
		return "", refuse(PhoneDigits, len(s))
	case s[0] != '1' || s[1] < '3':
		return "", refuse(PhonePrefix)
	}
	return s, nil
}

// normalizePid reads a product code: trimmed, a number cell read as its
// digits ("105000.0", "1.05E5" → "105000"), then 1–32 letters or digits.
func normalizePid(cell string) (string, error) {
	s := trimCell(cell)
	if s == "" {
		return "", refuse(PidMissing)
	}
	// Only forms with a decimal point or an explicit exponent sign are
	// numbers; "1E5" is a valid product code as it stands.
	if looksLikeNumberCell(s) && (strings.ContainsRune(s, '.') || strings.Contains(s, "E+") || strings.Contains(s, "e+")) {
		d, _, err := exactWholeNumber(s)
		if err != nil {
			return "", refuse(notWhole[err][1], journal.Clip(s))
		}
		s = d
	}
	if len(s) > 32 {
		return "", refuse(PidLong, len(s))
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", refuse(PidChars, s)
		}
	}
	return s, nil
}

func isCellSpace(r rune) bool {
	return unicode.IsSpace(r) || r == '\u3000' || r == '\u00a0' || r == '\ufeff' || r == '\u200b'
}

func trimCell(s string) string { return strings.TrimFunc(s, isCellSpace) }

// stripSeparators drops every space, dash and parenthesis and turns
// fullwidth digits and plus signs into ASCII.
func stripSeparators(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case isCellSpace(r):
		case r == '-', r == '‐', r == '‑', r == '–', r == '—', r == '－', r == '(', r == ')', r == '（', r == '）':
		case r >= '０' && r <= '９':
			b.WriteByte(byte('0' + r - '０'))
		case r == '＋':
			b.WriteByte('+')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// looksLikeNumberCell reports whether s is a plain decimal number, optionally in
// scientific notation, with a '.' or an exponent (so not just digits).
func looksLikeNumberCell(s string) bool {
	mant, exp, hasExp := strings.Cut(strings.ToUpper(s), "E")
	if hasExp {
		exp = strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
		if exp == "" || !digitsOnly(exp) {
			return false
		}
	}
	whole, frac, dot := strings.Cut(mant, ".")
	if whole == "" || !digitsOnly(whole) || !digitsOnly(frac) {
		return false
	}
	return dot || hasExp
}

// Why exactWholeNumber refuses a number, and the phone's and the pid's
// reason for each.
var (
	errNotSensible = errors.New("not a whole number of sensible size")
	errTooLarge    = errors.New("too large")
	errNotWhole    = errors.New("not a whole number")

	notWhole = map[error][2]Kind{
		errNotSensible: {PhoneNotSensible, PidNotSensible},
		errTooLarge:    {PhoneTooLarge, PidTooLarge},
		errNotWhole:    {PhoneNotWhole, PidNotWhole},
	}
)

// exactWholeNumber converts a decimal number as looksLikeNumberCell accepts it into
// its integer digits, exactly. appended is how many zeros the exponent
// added beyond the written digits.
func exactWholeNumber(s string) (digits string, appended int, err error) {
	mant, expStr, _ := strings.Cut(strings.ToUpper(s), "E")
	exp := 0
	if expStr != "" {
		neg := strings.HasPrefix(expStr, "-")
		expStr = strings.TrimLeft(expStr, "+-")
		if len(expStr) > 3 {
			return "", 0, errNotSensible
		}
		for _, c := range expStr {
			exp = exp*10 + int(c-'0')
		}
		if neg {
			exp = -exp
		}
	}
	whole, frac, _ := strings.Cut(mant, ".")
	d := whole + frac
	shift := exp - len(frac)
	switch {
	case shift > 40:
		return "", 0, errTooLarge
	case shift >= 0:
		d += strings.Repeat("0", shift)
		appended = shift
	default:
		if -shift > len(d) {
			d = strings.Repeat("0", -shift-len(d)) + d
		}
		cut := len(d) + shift
		if strings.Trim(d[cut:], "0") != "" {
			return "", 0, errNotWhole
		}
		d = d[:cut]
	}
	d = strings.TrimLeft(d, "0")
	if d == "" {
		d = "0"
	}
	return d, appended, nil
}

// significantDigits counts the digits of a number's mantissa as written,
// leading zeros aside: "1.38001380E+10" has 9.
func significantDigits(s string) int {
	mant, _, _ := strings.Cut(strings.ToUpper(s), "E")
	d := strings.TrimLeft(strings.Replace(mant, ".", "", 1), "0")
	return len(d)
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
