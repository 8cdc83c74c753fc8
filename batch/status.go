package batch

// Status is an order's state in the workbook and in `status`.
type Status string

const (
	StatusSuccess      Status = "success"
	StatusFailed       Status = "failed"
	StatusCharging     Status = "charging"
	StatusUnknown      Status = "unknown"
	StatusRejected     Status = "rejected"
	StatusInvalid      Status = "invalid"
	StatusNotSubmitted Status = "not_submitted"
)

// Statuses lists every Status in the order the workbook shows them.
var Statuses = []Status{StatusSuccess, StatusFailed, StatusCharging, StatusUnknown, StatusRejected, StatusInvalid, StatusNotSubmitted}

// Final reports whether s needs no more work from flowbatch.
func (s Status) Final() bool {
	switch s {
	case StatusSuccess, StatusFailed, StatusRejected, StatusInvalid:
		return true
	}
	return false
}
