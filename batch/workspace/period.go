package workspace

import (
	"fmt"
	"time"
)

// Beijing is the time zone periods are counted in: UTC+8, no daylight
// saving, the same on every machine whatever its tz database says.
var Beijing = time.FixedZone("UTC+8", 8*60*60)

// Period is the month a batch gifts for, "2026-11". One gift per person
// per period is the guard's default rule.
type Period string

// ParsePeriod reads "YYYY-MM" (a year from 2000 to 2999, a month from 01
// to 12), nothing else.
func ParsePeriod(s string) (Period, error) {
	bad := func() (Period, error) {
		return "", fmt.Errorf("period %q: want a month as YYYY-MM, e.g. 2026-11", clip(s))
	}
	if len(s) != 7 || s[4] != '-' {
		return bad()
	}
	for i, c := range []byte(s) {
		if i != 4 && (c < '0' || c > '9') {
			return bad()
		}
	}
	if s[0] != '2' {
		return bad()
	}
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	if m < 1 || m > 12 {
		return bad()
	}
	return Period(s), nil
}

// PeriodOf is the month of t in Beijing time.
func PeriodOf(t time.Time) Period {
	return Period(t.In(Beijing).Format("2006-01"))
}

// CurrentPeriod is the default period: this month in Beijing time.
func CurrentPeriod() Period { return PeriodOf(time.Now()) }

// Start is the first instant of the period.
func (p Period) Start() time.Time {
	t, err := time.ParseInLocation("2006-01", string(p), Beijing)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (p Period) String() string { return string(p) }

// clip bounds text from the outside for an error message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
