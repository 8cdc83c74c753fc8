package juhe

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The account-side endpoints (NOTES.md): public client code shows them, V2
// does not document them, so each is optional. Their answers are a Reply,
// never an Outcome: nothing here creates an order, and a refusal of an
// optional endpoint means "fall back", never "stop spending".
const (
	PathBalance      = "/ofpay/mobile/yue"
	PathBatchQuery   = "/flow/batchquery"
	PathOrdersByDate = "/flow/ordersbydate"
	PathTelcheck     = "/flow/telcheck"
)

// Limits of the account-side endpoints.
const (
	MaxBatchQuery    = 50  // orderids per flow/batchquery request
	MaxStatementPage = 100 // orders per flow/ordersbydate page
)

// statementMaxBody bounds one page of flow/ordersbydate when the client's
// MaxBody is smaller: 100 orders with long escaped names stay well under it.
const statementMaxBody = 256 << 10

// Beijing is the provider's time zone (UTC+8, no daylight saving), in which
// flow/ordersbydate takes its period and gives its addtime.
var Beijing = time.FixedZone("CST", 8*3600)

// TimeLayout is how the provider writes a time: "2026-11-30 23:59:58".
const TimeLayout = "2006-01-02 15:04:05"

// ReplyStatus is what an answer from an account-side endpoint means for
// using that endpoint.
type ReplyStatus int

const (
	// ReplyOK: answered and read.
	ReplyOK ReplyStatus = iota + 1
	// ReplyNotAvailable: the key may not use the endpoint (10002), it is
	// down or disabled (10020, 10021), it does not exist here (HTTP 404),
	// or error_code 0 came with a result that cannot be read. Fall back to
	// the V2 way and say so once.
	ReplyNotAvailable
	// ReplyRefused: the key, the OpenID or the account was refused
	// (10001, 10003, 10004, 210506…): what Submit would halt on.
	ReplyRefused
	// ReplyThrottled: over a rate limit (10011-10013); ask again later.
	ReplyThrottled
	// ReplyRejected: the provider refused this request as asked: a bad
	// phone or no product for it (210501-210504), or a request not sent
	// because it was malformed.
	ReplyRejected
	// ReplyUnknown: no readable answer (transport failure, HTML page,
	// 10014, a code not in the table). Nothing was learnt.
	ReplyUnknown
)

var replyStatusNames = map[ReplyStatus]string{
	ReplyOK:           "ok",
	ReplyNotAvailable: "not available",
	ReplyRefused:      "refused",
	ReplyThrottled:    "throttled",
	ReplyRejected:     "rejected",
	ReplyUnknown:      "unknown",
}

func (s ReplyStatus) String() string {
	if n, ok := replyStatusNames[s]; ok {
		return n
	}
	return "invalid"
}

// Reply is how an account-side endpoint answered. Its Reason never holds
// the key or the OpenID.
type Reply struct {
	Endpoint   string // e.g. "flow/batchquery"
	Status     ReplyStatus
	Code       int // the provider's error_code, NoCode when no JSON answer came
	Reason     string
	HTTPStatus int
}

// String is one line for a person: "flow/batchquery: not available: 10002 该KEY无请求权限".
func (r Reply) String() string {
	var b strings.Builder
	if r.Endpoint != "" {
		b.WriteString(r.Endpoint + ": ")
	}
	b.WriteString(r.Status.String())
	if r.Code != NoCode {
		fmt.Fprintf(&b, ": %d", r.Code)
	}
	if r.Reason != "" {
		if r.Code != NoCode {
			b.WriteString(" ")
		} else {
			b.WriteString(": ")
		}
		b.WriteString(r.Reason)
	}
	return b.String()
}

// Credentials is what an answer proved about the key and the OpenID.
type Credentials int

const (
	// CredsUnverified: nothing proven either way (no answer, throttled…).
	CredsUnverified Credentials = iota
	// CredsKeyOnly: the provider knew the key but the endpoint did not
	// check the OpenID (10002 on the balance endpoint).
	CredsKeyOnly
	// CredsVerified: the balance endpoint, signed with the OpenID, answered.
	CredsVerified
	// CredsKeyRefused: the key is wrong (10001), expired (10003) or banned (10009).
	CredsKeyRefused
	// CredsOpenIDRefused: the OpenID is wrong (10004).
	CredsOpenIDRefused
	// CredsSignRefused: the sign made with the OpenID was refused (210506):
	// the OpenID does not belong to the key.
	CredsSignRefused
)

var credentialNames = map[Credentials]string{
	CredsUnverified:    "key and OpenID not verified",
	CredsKeyOnly:       "key checked, OpenID not verified",
	CredsVerified:      "key and OpenID verified",
	CredsKeyRefused:    "key refused: check JUHE_KEY",
	CredsOpenIDRefused: "OpenID refused: check JUHE_OPENID",
	CredsSignRefused:   "sign refused: check that JUHE_OPENID belongs to JUHE_KEY",
}

// String says it in the words check prints.
func (c Credentials) String() string {
	if n, ok := credentialNames[c]; ok {
		return n
	}
	return "invalid"
}

// Wrong reports whether the answer proved the key or the OpenID wrong.
func (c Credentials) Wrong() bool {
	return c == CredsKeyRefused || c == CredsOpenIDRefused || c == CredsSignRefused
}

// Balance is the account balance (ofpay/mobile/yue): the one balance that
// serves flow orders too.
type Balance struct {
	Money     Money  // set when the Reply is ReplyOK
	AccountID string // the provider's uid; "" when the answer did not give it
	// Credentials is what the answer proved, whatever the Reply's status.
	Credentials Credentials
}

// Balance reads the account balance. The request is signed with the
// OpenID, so a ReplyOK proves both the key and the OpenID; see
// Balance.Credentials for what any other answer proved.
func (c *Client) Balance(ctx context.Context) (Balance, Reply) {
	key, openID := c.key.value(), c.openID.value()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	form := url.Values{
		"key":       {key},
		"timestamp": {ts},
		"sign":      {BalanceSign(openID, key, ts)},
	}
	status, body, failure := c.post(ctx, PathBalance, form)
	if failure != "" {
		return Balance{}, c.noReply(PathBalance, status, failure)
	}
	b, r := parseBalance(status, body)
	r.Reason = c.scrub(r.Reason)
	b.AccountID = c.scrub(b.AccountID)
	return b, r
}

// BalanceSign is the balance endpoint's signature:
// md5(OpenID+key+timestamp), lowercase hex.
func BalanceSign(openID, key, timestamp string) string {
	return md5hex(openID + key + timestamp)
}

// BatchItem is one order of a flow/batchquery answer.
type BatchItem struct {
	OrderID     string
	SporderID   string
	State       GameState // StateCharging, StateSuccess, StateFailed or StateSubmitFailed
	StateRemark string
	Cost        Money
	HasCost     bool
}

// BatchResult is a flow/batchquery answer, checked against the question.
type BatchResult struct {
	// Items holds the answer's items, by the orderid each names; only
	// orderids that were asked for.
	Items map[string]BatchItem
	// Absent lists the orderids asked for that the answer did not give (or
	// gave unreadably), in the order asked. Absent is not "no such order":
	// only flow/ordersta's 210511 says that. Query them one by one.
	Absent []string
	// Dropped says why items of the answer were set aside: an orderid not
	// asked for, two different items for one orderid, a field that cannot
	// be read. At most maxNotes lines; DroppedCount counts them all.
	Dropped      []string
	DroppedCount int
}

// BatchQuery asks for the state of up to MaxBatchQuery orders in one
// request (flow/batchquery). When the Reply is not ReplyOK, query the
// orders with Query instead.
func (c *Client) BatchQuery(ctx context.Context, orderIDs []string) (BatchResult, Reply) {
	if why := checkBatch(orderIDs); why != "" {
		return BatchResult{}, Reply{Endpoint: endpointName(PathBatchQuery), Status: ReplyRejected, Code: NoCode, Reason: "not sent: " + why}
	}
	form := url.Values{
		"orderid": {strings.Join(orderIDs, ",")},
		"key":     {c.key.value()},
	}
	status, body, failure := c.post(ctx, PathBatchQuery, form)
	if failure != "" {
		return BatchResult{}, c.noReply(PathBatchQuery, status, failure)
	}
	res, r := parseBatchQuery(status, body, orderIDs)
	r.Reason = c.scrub(r.Reason)
	return res, r
}

func checkBatch(ids []string) string {
	if len(ids) == 0 {
		return "no orderids"
	}
	if len(ids) > MaxBatchQuery {
		return fmt.Sprintf("%d orderids: at most %d", len(ids), MaxBatchQuery)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		if !ValidOrderID(id) {
			return fmt.Sprintf("orderid %d: must be 8-32 letters and digits", i+1)
		}
		if seen[id] {
			return fmt.Sprintf("orderid %s asked twice", id)
		}
		seen[id] = true
	}
	return ""
}

// StatementOrder is one order of the provider's statement (flow/ordersbydate).
type StatementOrder struct {
	OrderID   string // "" when the line gave only a sporder_id
	SporderID string // "" when the line gave only an orderid
	Phone     string
	Pid       string
	CardName  string
	Cost      Money
	HasCost   bool
	State     GameState // StateCharging, StateSuccess, StateFailed or StateSubmitFailed
	// AddTime is when the provider took the order, in Beijing time; zero
	// when the line did not say.
	AddTime time.Time
}

// StatementPage is one page of the statement, newest first.
type StatementPage struct {
	Orders []StatementOrder // empty: past the last page
	// TotalCount and TotalPage are the provider's totals, when HasTotals.
	TotalCount, TotalPage int
	HasTotals             bool
}

// OrdersByDate reads one page (from 1) of the account's orders between
// start and end (flow/ordersbydate), both inclusive and in one calendar
// month in Beijing time, at most MaxStatementPage a page. An empty page
// means the end. A page with a line that cannot be read is
// ReplyNotAvailable as a whole: a statement is never half-read. A page may
// be up to 256 KiB, or Config.MaxBody when that is larger.
func (c *Client) OrdersByDate(ctx context.Context, start, end time.Time, page, pageSize int) (StatementPage, Reply) {
	if why := checkPeriod(start, end, page, pageSize); why != "" {
		return StatementPage{}, Reply{Endpoint: endpointName(PathOrdersByDate), Status: ReplyRejected, Code: NoCode, Reason: "not sent: " + why}
	}
	form := url.Values{
		"starttime": {start.In(Beijing).Format(TimeLayout)},
		"endtime":   {end.In(Beijing).Format(TimeLayout)},
		"page":      {strconv.Itoa(page)},
		"pagesize":  {strconv.Itoa(pageSize)},
		"key":       {c.key.value()},
	}
	status, body, failure := c.postBounded(ctx, PathOrdersByDate, form, max(c.maxBody, statementMaxBody))
	if failure != "" {
		return StatementPage{}, c.noReply(PathOrdersByDate, status, failure)
	}
	p, r := parseOrdersByDate(status, body)
	r.Reason = c.scrub(r.Reason)
	return p, r
}

func checkPeriod(start, end time.Time, page, pageSize int) string {
	s, e := start.In(Beijing), end.In(Beijing)
	switch {
	case start.IsZero() || end.IsZero():
		return "no start or end time"
	case e.Before(s):
		return fmt.Sprintf("end %s is before start %s", e.Format(TimeLayout), s.Format(TimeLayout))
	case s.Year() != e.Year() || s.Month() != e.Month():
		return fmt.Sprintf("%s to %s crosses a month (Beijing time): ask one month at a time",
			s.Format(TimeLayout), e.Format(TimeLayout))
	case page < 1:
		return fmt.Sprintf("page %d: pages count from 1", page)
	case pageSize < 1 || pageSize > MaxStatementPage:
		return fmt.Sprintf("page size %d: want 1 to %d", pageSize, MaxStatementPage)
	}
	return ""
}

// MonthOf returns the first and the last second of t's calendar month in
// Beijing time: the widest period one OrdersByDate request may ask for.
func MonthOf(t time.Time) (start, end time.Time) {
	t = t.In(Beijing)
	start = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, Beijing)
	end = start.AddDate(0, 1, 0).Add(-time.Second)
	return start, end
}

// NumberProducts is what flow/telcheck says a number can take.
type NumberProducts struct {
	// Carrier is the number's operator as the provider sees it, ported
	// numbers (携号转网) included; CarrierUnknown when the products name
	// none, or more than one.
	Carrier  Carrier
	Products []Product
}

// Telcheck asks which products phone can take (flow/telcheck).
func (c *Client) Telcheck(ctx context.Context, phone string) (NumberProducts, Reply) {
	if phone == "" {
		return NumberProducts{Carrier: CarrierUnknown}, Reply{Endpoint: endpointName(PathTelcheck), Status: ReplyRejected, Code: NoCode, Reason: "not sent: no phone"}
	}
	form := url.Values{"phone": {phone}, "key": {c.key.value()}}
	status, body, failure := c.post(ctx, PathTelcheck, form)
	if failure != "" {
		return NumberProducts{Carrier: CarrierUnknown}, c.noReply(PathTelcheck, status, failure)
	}
	np, r := parseTelcheck(status, body)
	r.Reason = c.scrub(r.Reason)
	for i := range np.Products {
		np.Products[i].Name = c.scrub(np.Products[i].Name)
	}
	return np, r
}

func (c *Client) noReply(path string, status int, failure string) Reply {
	return Reply{Endpoint: endpointName(path), Status: ReplyUnknown, Code: NoCode, Reason: cleanReason(c.scrub(failure)), HTTPStatus: status}
}

func endpointName(path string) string { return strings.TrimPrefix(path, "/") }
