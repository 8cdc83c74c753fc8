package input

import (
	"regexp"
	"strings"
	"testing"
)

// The vectors were computed outside Go, e.g.
//
//	printf 'flowbatch/v1\0B20240601\015925601712\0105000\01' | sha256sum | cut -c1-32
//	→ 40cd5b55fc033765cb5edcd4edd60fe4
func TestOrderIDVectors(t *testing.T) {
	tests := []struct {
		batch, phone, pid string
		occ               int
		want              string
	}{
		{"B20240601", "15925601712", "105000", 1, "40cd5b55fc033765cb5edcd4edd60fe4"},
		{"B20240601", "15925601712", "105000", 2, "b5620ced7e0797525eeb69c7b0cbdfd5"},
		{"gift-2024-06", "13800138000", "105000", 1, "8b7931ad06aa6ae366fc5f7b83c00ade"},
		{"", "15925601712", "105000", 1, "e5c21864da9cf7b9fec818700b84b67c"},
		// A plan's row: the plan's product in place of the pid (computed with
		// Python's hashlib: printf reads \0159… as an octal escape).
		{"B20240601", "15925601712", PlanProduct("1G"), 1, "faea960c58aa3040878a4a77bea81cf1"},
	}
	shape := regexp.MustCompile(`^[0-9a-f]{32}$`)
	for _, tt := range tests {
		got := OrderID(tt.batch, tt.phone, tt.pid, tt.occ)
		if got != tt.want {
			t.Errorf("OrderID(%q, %q, %q, %d) = %s, want %s", tt.batch, tt.phone, tt.pid, tt.occ, got, tt.want)
		}
		if !shape.MatchString(got) {
			t.Errorf("OrderID %q is not 32 lowercase hex characters", got)
		}
	}
}

func TestValidateBatchID(t *testing.T) {
	for _, ok := range []string{"a", "B20240601", "gift-2024_06.v2", strings.Repeat("x", 64)} {
		if err := ValidateBatchID(ok); err != nil {
			t.Errorf("ValidateBatchID(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", strings.Repeat("x", 65), "a b", "a/b", "../x", "批次", "a\x00", ".", ".."} {
		if err := ValidateBatchID(bad); err == nil {
			t.Errorf("ValidateBatchID(%q) = nil, want an error", bad)
		}
	}
}
