package reconcile

import "golang.org/x/text/width"

// Column widths are in Excel's character units: a CJK character counts
// two. They are measured on every cell in the first pass, because a
// stream writer must set them before its first row.
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
