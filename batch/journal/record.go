package journal

import "github.com/flowbatch/flowbatch/juhe"

// RecordType is the kind of one journal record.
type RecordType byte

const (
	RecHeader   RecordType = 'H' // first record: the batch
	RecInput    RecordType = 'I' // an input file was read; its rows follow
	RecRow      RecordType = 'R' // one input row, valid or not
	RecPlanned  RecordType = 'P' // all rows of the preceding input are written
	RecIntent   RecordType = 'T' // a submit is about to leave (fsynced first)
	RecSubmit   RecordType = 'S' // what the submit came back with
	RecQuery    RecordType = 'Q' // what a query came back with
	RecCallback RecordType = 'C' // a verified callback arrived
	RecSpendCap RecordType = 'M' // the batch's spending cap was set or changed
)

// Record is one journal record. Exactly one of the pointer fields is set,
// matching Type. Seq, Prev and Hash are filled in by the journal.
type Record struct {
	Seq  uint64
	Type RecordType
	At   int64  // unix milliseconds when the event happened
	Prev string // hash of the previous record (hex)
	Hash string // this record's chained hash (hex)

	Header   *Header
	Input    *InputInfo
	Row      *RowRecord
	Planned  *Planned
	Intent   *Intent
	Submit   *SubmitResult
	Query    *QueryResult
	Callback *CallbackNote

	Balance   *BalanceNote
	Window    *Window
	Line      *StatementLine
	WindowEnd *WindowEnd
	SpendCap  *SpendCap
}

// Header names the batch. It is the first record of every journal.
type Header struct {
	BatchID     string
	ToolVersion string
	Settings    map[string]string // rate, workers, cburl set, flags…
}

// InputInfo describes one reading of the input file. A resume with a
// changed input (-allow-changed-input) appends a new one; the latest one
// followed by its Planned record is "the input".
type InputInfo struct {
	Name     string // base name of the file
	SHA256   string // hex
	Rows     int    // data rows (excluding the header row)
	Format   string // csv or xlsx
	Encoding string // utf-8, utf-8-bom, gb18030 (csv only)
	Sheet    string // xlsx only
	Extra    []string
}

// RowStatus is what validation said about an input row.
type RowStatus string

const (
	RowValid     RowStatus = "valid"
	RowInvalid   RowStatus = "invalid"   // bad phone, missing pid, unreadable
	RowDuplicate RowStatus = "duplicate" // same (phone, pid) as row DupOf, submitted under -allow-duplicates with its own orderid
)

// RowRecord is one input row as read and validated.
type RowRecord struct {
	Line       int // row number in the file, header is row 1
	Phone      string
	Pid        string
	OrderID    string // empty unless the row will be submitted
	Occurrence int    // 1 for the first (phone, pid), 2 for the second…
	Status     RowStatus
	Reason     string // why invalid or duplicate
	DupOf      int    // for duplicates: the line of the first occurrence
	Extra      []string
	// Chosen says how a plan chose Pid (ChosenTelcheck, ChosenPrefix,
	// ChosenJournal); "" for a pid read from the file or given by -pid.
	Chosen string
}

// How a plan chose a row's pid: by the carrier flow/telcheck gave for the
// number (ported numbers included), by the number's prefix when telcheck
// did not answer, or as an earlier input of the journal had it.
const (
	ChosenTelcheck = "telcheck"
	ChosenPrefix   = "prefix"
	ChosenJournal  = "journal"
)

func validChosen(s string) bool {
	switch s {
	case "", ChosenTelcheck, ChosenPrefix, ChosenJournal:
		return true
	}
	return false
}

// Submittable is the rule of which rows become orders: a row with an
// orderid that is not invalid. The book and the workbook both follow it.
func (r *RowRecord) Submittable() bool { return submittable(r.OrderID != "", r.Status) }

func submittable(hasOrderID bool, s RowStatus) bool { return hasOrderID && s != RowInvalid }

// Planned closes an input section: Rows RowRecords were written after it.
type Planned struct {
	Rows int
}

// Intent is written, and fsynced, before a submit request leaves.
type Intent struct {
	OrderID string
	Attempt int // 1 for the first submit of this orderid, 2 after a 210511…
	// Reserved is the price the request was reserved at against the
	// batch's spending cap (HasReserved): the worst case it may cost. An
	// intent written without a cap has none, and is written as before.
	Reserved    juhe.Money
	HasReserved bool
}

// SpendCap is the ceiling on what the batch may commit, over all its
// runs: set on the first run with one, and again each time it changes.
// The latest one is in force.
type SpendCap struct {
	Max juhe.Money // 厘, above 0
}

// Answer is what the classified answers to a submit and to a query share.
type Answer struct {
	OrderID   string
	Class     juhe.Class
	Code      int
	Reason    string
	SporderID string
	Cost      juhe.Money
	HasCost   bool
}

// SubmitResult is the classified answer to a submit.
type SubmitResult struct {
	Answer
	CardName string
}

// QueryResult is the classified answer to a query.
type QueryResult struct {
	Answer
	State juhe.GameState
}

// CallbackNote is a callback whose sign verified.
type CallbackNote struct {
	OrderID   string
	SporderID string
	State     juhe.GameState // 1 or 9
	ErrMsg    string
}

// Record types outside the first version. A batch journal holds balance
// snapshots; a provider statement file (a journal of its own, whose
// header says kind "statement") holds the other three. Neither kind is
// ever written into the other.
const (
	RecBalance   RecordType = 'B' // batch journal: the account balance before the first request or after the last answer
	RecWindow    RecordType = 'W' // statement: the pull of one period begins
	RecLine      RecordType = 'L' // statement: one order of the provider's list
	RecWindowEnd RecordType = 'E' // statement: the pull of the period ended, whole or not
)

// BalanceNote is what the balance endpoint said at one moment of a batch.
type BalanceNote struct {
	When    string     // BalanceBefore or BalanceAfter
	Account string     // the provider's uid, "" when it did not say
	Money   juhe.Money // set when Known
	Known   bool       // the endpoint answered with a balance
	Reply   string     // how it answered, for a person ("ofpay/mobile/yue: ok")
}

// The moments a balance is read.
const (
	BalanceBefore = "before" // before the first request of a session
	BalanceAfter  = "after"  // after its last answer
)

// Window opens one period of a statement pull: the lines after it, up to
// its WindowEnd, are the provider's orders between Start and End.
type Window struct {
	Start, End int64 // unix seconds, both inclusive, one calendar month in Beijing time
	PageSize   int
	Account    string // the account the key belongs to, "" when the balance endpoint did not say
}

// StatementLine is one order of the provider's statement (flow/ordersbydate).
type StatementLine struct {
	OrderID   string
	SporderID string
	Phone     string
	Pid       string
	CardName  string
	Cost      juhe.Money
	HasCost   bool
	State     juhe.GameState
	AddTime   int64 // unix seconds; 0 when the line did not say
}

// WindowEnd closes a Window. Complete says every page was read; a pull
// that was not (not available, unknown answers, the bound) says why.
type WindowEnd struct {
	Complete   bool
	Lines      int // StatementLines written for the window
	Pages      int // pages read
	Requests   int // requests sent, retries included
	TotalCount int // the provider's totalcount, -1 when it gave none
	Reply      string
}
