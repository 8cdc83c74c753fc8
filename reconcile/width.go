package reconcile

import (
	"github.com/flowbatch/flowbatch/juhe"
	"golang.org/x/text/width"
)

// Column widths are in Excel's character units: a CJK character counts
// two. A stream writer must set them before its first row, so they are
// measured on the rows held back for the purpose (Options.WidthSample)
// and, past those, estimated.
const (
	minWidth = 6
	maxWidth = 66 // a sha256 in hex fits
	padding  = 2
)

func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case r < 0x1100:
			n++
		default:
			switch width.LookupRune(r).Kind() {
			case width.EastAsianWide, width.EastAsianFullwidth:
				n += 2
			default:
				n++
			}
		}
	}
	return n
}

func headerWidths(names []string) []float64 {
	w := make([]float64, len(names))
	fit(w, names)
	return w
}

// fit widens ws to hold cells; extra cells beyond ws are ignored.
func fit(ws []float64, cells []string) {
	for i, c := range cells {
		if i >= len(ws) {
			break
		}
		d := float64(displayWidth(c) + padding)
		d = max(min(d, maxWidth), minWidth)
		if d > ws[i] {
			ws[i] = d
		}
	}
}

// fitOne widens ws[i] to hold s. The display width of s is at most its
// length in bytes (a rune of width two takes three or four), so most
// calls return without decoding.
func fitOne(ws []float64, i int, s string) {
	if float64(len(s)+padding) <= ws[i] || ws[i] >= maxWidth {
		return
	}
	fitN(ws, i, displayWidth(s))
}

// fitN widens ws[i] to hold n characters.
func fitN(ws []float64, i, n int) {
	d := max(min(float64(n+padding), maxWidth), minWidth)
	if d > ws[i] {
		ws[i] = d
	}
}

// digits is the length of strconv.FormatInt(n, 10).
func digits(n int64) int {
	d := 1
	if n < 0 {
		d++
		n = -n
	}
	for ; n >= 10; n /= 10 {
		d++
	}
	return d
}

// moneyWidth is len(m.String()): yuan digits, a point, three decimals.
func moneyWidth(m juhe.Money) int {
	if m < 0 {
		if m == -1<<63 {
			return len(m.String())
		}
		return 1 + moneyWidth(-m)
	}
	return digits(int64(m)/1000) + 4
}
