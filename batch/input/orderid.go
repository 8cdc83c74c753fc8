package input

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
)

// orderIDDomain separates flowbatch's orderids from any other use of sha256
// over the same fields; the version lets a future formula coexist.
const orderIDDomain = "flowbatch/v1"

// OrderID derives the deterministic orderid of the occurrence-th
// (phone, pid) row of a batch:
//
//	hex(sha256("flowbatch/v1" 0x00 batchID 0x00 phone 0x00 pid 0x00 decimal(occurrence)))[:32]
//
// 32 lowercase hex characters, within the provider's 8–32 letters and
// digits. The same batch, phone, pid and occurrence give the same orderid
// on every machine, whatever the row order, so a retry is never a new order.
// For a row whose pid a plan chooses, pid is PlanProduct(label).
func OrderID(batchID, phone, pid string, occurrence int) string {
	h := sha256.New()
	h.Write([]byte(orderIDDomain))
	for _, s := range []string{batchID, phone, pid, strconv.Itoa(occurrence)} {
		h.Write([]byte{0})
		h.Write([]byte(s))
	}
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0]))[:32]
}

// PlanProduct is what the orderid of a row whose pid a plan chooses
// derives from, in place of the pid: "plan:" and the plan's label
// ("plan:1G"). A rerun after a lost journal gives the same orderids even
// when the catalogue, or a number's carrier, changed since, so the
// provider's duplicate check still stops a second charge.
func PlanProduct(label string) string { return "plan:" + label }

// ValidateBatchID checks a batch id: 1–64 letters, digits, '-', '_' or '.'.
// The id goes into orderids and file names, so nothing else is allowed.
func ValidateBatchID(id string) error {
	if id == "" {
		return fmt.Errorf("batch id is empty")
	}
	if len(id) > 64 {
		return fmt.Errorf("batch id %.20q… is %d characters; at most 64", id, len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		default:
			return fmt.Errorf("batch id %q: only letters, digits, '-', '_' and '.' are allowed", id)
		}
	}
	if id == "." || id == ".." {
		return fmt.Errorf("batch id %q is not a usable name", id)
	}
	return nil
}
