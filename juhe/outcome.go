// Package juhe speaks the 聚合数据 flow-recharge API V2 (flow/onlineorder,
// flow/ordersta and the status callback) and nothing else.
//
// It promises that every answer, including a non-answer, is classified into
// exactly one Class, that money is exact (Money, in 厘), and that the key and
// the OpenID never appear in an error, a log line or a formatted value.
//
// It also speaks the account-side endpoints that public client code shows
// and V2 does not document (see account.go): the balance
// (ofpay/mobile/yue, signed with the OpenID), flow/batchquery (up to 50
// orders a request), the statement flow/ordersbydate (one Beijing month,
// 100 orders a page) and flow/telcheck (a number's carrier and products).
// Each is optional: it answers a Reply, never an Outcome, and a Reply that
// is not ReplyOK means "fall back to the V2 way", never "stop spending".
// Their parsers take every documented shape (uorderid or orderid,
// uordercash or ordercash, result or result.data or result.list,
// error_code as a number or a string); an order a batch answer lists but
// was not asked about is dropped, an order it leaves out is absent, never
// "not found", and a statement page with a line that cannot be read is
// refused whole.
package juhe

// GameState is an order's state on the provider side.
//
// The numbers are journaled, so they never change. They are the
// provider's game_state, except StateNone, which is ours, and
// StateSubmitFailed, which is the provider's -1 moved out of StateNone's way.
type GameState int

const (
	StateNone     GameState = -1 // no state in the answer
	StateCharging GameState = 0
	StateSuccess  GameState = 1
	StateFailed   GameState = 9
	// StateSubmitFailed is the provider's game_state -1 (提交充值失败):
	// the submit failed and nothing was charged. It is final. The code is
	// known from the provider's phone-bill demo code, so a caller keeps such
	// an order out of a retry until the statement shows no charge for it.
	StateSubmitFailed GameState = -2
)

// Final reports whether s will not change again.
func (s GameState) Final() bool {
	return s == StateSuccess || s == StateFailed || s == StateSubmitFailed
}

// Outcome is one classified answer to Submit or Query.
type Outcome struct {
	Class Class
	// Code is the provider's error_code, or NoCode when no JSON answer came.
	Code int
	// Reason is the provider's reason, or a description of the transport
	// failure. It never contains the key or the OpenID.
	Reason     string
	HTTPStatus int

	// Set when Class is ClassAccepted (and sometimes otherwise).
	SporderID string
	Cost      Money
	HasCost   bool
	CardName  string
	// State is the query's game_state; StateNone on submit.
	State GameState

	// Foreign is set when the answer is about another order (it names
	// another orderid or phone): Class is then ClassUnknown and nothing of
	// the other order (sporder_id, state, cost, card name) is kept. It says
	// what the answer named.
	Foreign string
}

// foreign turns o into an unknown answer about another order: nothing of
// it is about the order asked, so nothing of it is kept but the code.
func (o Outcome) foreign(why string) Outcome {
	return Outcome{Class: ClassUnknown, Code: o.Code, HTTPStatus: o.HTTPStatus, State: StateNone,
		Reason: appendReason(o.Reason, why+": query it"), Foreign: cleanReason(why)}
}

// NoCode is Outcome.Code when the answer was not a provider JSON answer.
const NoCode = -1
