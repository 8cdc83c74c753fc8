package journal

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Thousands formats n with comma thousands separators: 1204 → "1,204".
// Record counts and row numbers in messages are written this way, in
// every package.
func Thousands[T ~int | ~int64](n T) string {
	s := strconv.FormatInt(int64(n), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Clip shortens s for a message, to at most 40 bytes cut at a character
// boundary: a cell may be 32,767 characters, a provider's text anything.
func Clip(s string) string {
	const max = 40
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
