package workspace

import "strings"

// Normalize returns the form in which two batch ids are compared: ASCII
// letters folded to lower case, and the separators '-', '_' and '.'
// dropped. gift-dec, Gift_Dec, gift.dec and GIFTDEC are one batch. Two ids
// with the same form but different spellings clash: they would make two
// orderid spaces for one batch, so the guard refuses the second.
func Normalize(id string) string {
	var b strings.Builder
	b.Grow(len(id))
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c == '-', c == '_', c == '.':
		case c >= 'A' && c <= 'Z':
			b.WriteByte(c + 'a' - 'A')
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
