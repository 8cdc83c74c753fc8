package juhe

import "strings"

// Carrier is a mobile network operator.
type Carrier string

const (
	CarrierMobile  Carrier = "移动" // China Mobile
	CarrierUnicom  Carrier = "联通" // China Unicom
	CarrierTelecom Carrier = "电信" // China Telecom
	CarrierUnknown Carrier = "未知"
)

// English returns the operator's English name.
func (c Carrier) English() string {
	switch c {
	case CarrierMobile:
		return "China Mobile"
	case CarrierUnicom:
		return "China Unicom"
	case CarrierTelecom:
		return "China Telecom"
	}
	return "unknown"
}

// carrierPrefixes maps the first three digits of a number to its operator
// (number-portability aside, which the provider resolves itself).
var carrierPrefixes = func() map[string]Carrier {
	m := map[string]Carrier{}
	add := func(c Carrier, ps ...string) {
		for _, p := range ps {
			m[p] = c
		}
	}
	add(CarrierMobile, "134", "135", "136", "137", "138", "139", "147", "148", "150", "151", "152",
		"157", "158", "159", "165", "172", "178", "182", "183", "184", "187", "188", "195", "197", "198")
	add(CarrierUnicom, "130", "131", "132", "145", "146", "155", "156", "166", "167", "171", "175",
		"176", "185", "186", "196")
	add(CarrierTelecom, "133", "149", "153", "162", "173", "174", "177", "180", "181", "189", "190",
		"191", "193", "199")
	return m
}()

// CarrierOf returns the operator of an 11-digit mainland number by prefix.
func CarrierOf(phone string) Carrier {
	if len(phone) < 3 {
		return CarrierUnknown
	}
	if c, ok := carrierPrefixes[phone[:3]]; ok {
		return c
	}
	return CarrierUnknown
}

// ParseCarrier reads a carrier as people write it: 移动, 中国移动, mobile,
// China Mobile, cmcc (and the same for Unicom and Telecom).
func ParseCarrier(s string) (Carrier, bool) {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "移动", "中国移动", "mobile", "china mobile", "cmcc":
		return CarrierMobile, true
	case "联通", "中国联通", "unicom", "china unicom", "cucc":
		return CarrierUnicom, true
	case "电信", "中国电信", "telecom", "china telecom", "ctcc":
		return CarrierTelecom, true
	}
	return CarrierUnknown, false
}
