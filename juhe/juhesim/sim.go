// Package juhesim is a faithful stand-in for the 聚合数据 flow-recharge API
// V2, in the manner of net/http/httptest: NewServer starts a real server on
// a real port, so tests and users (`flowbatch sim`, `make demo`) exercise the
// real protocol over real HTTP.
//
// It serves flow/onlineorder, flow/ordersta, flow/list and flow/telcheck
// (GET or POST form), keeps a catalogue and a balance, settles orders
// asynchronously to success or failure (refunding failures), sends signed
// status callbacks with the provider's retry rule, and injects faults on
// request. It promises that its ledger (Ledger, GET /_sim/ledger) records
// every charge it ever made (a second charge of one orderid is an entry of
// its own), with how many times each orderid was submitted, so a test can
// prove "charged exactly once". It never logs the
// key or the OpenID.
//
// Which faults apply where:
//
//	fault                submit  query  list
//	Latency                yes     yes    no
//	HTML502Before          yes     yes    no
//	DropAfterCharge        yes     no     no   (only when an order was charged)
//	Err10014AfterCharge    yes     no     no   (only when an order was charged)
//	HTML502After           yes     no     no   (only when an order was charged)
//	Lag                    yes     yes    no   (every order, for Lag after its charge)
//	Foreign                yes     yes    no   (submit: only when an order was charged)
//
// Lag is an eventually consistent lookup and duplicate check: for Lag after
// a charge, ordersta answers 210511 for the order, and a submit of the same
// orderid is not seen as a duplicate: it is charged again. The ledger lists
// every charge as its own entry (LedgerOrder.Charge counts them), so a test
// sees a double payment.
//
// Foreign is a provider that answers about another order: ordersta answers
// with another order's sporder_id, game_state and cost, naming the other
// orderid in result.orderid or result.uorderid, or in neither; a submit that
// charged answers with another order's orderid and sporder_id.
// Without another charged order to lie about, it makes one up.
//
// It also serves the account-side endpoints (account.go):
// ofpay/mobile/yue (the balance and the uid, signed
// md5(OpenID+key+timestamp)), flow/batchquery (at most 50 orderids; an
// unknown one is absent from the list) and flow/ordersbydate (the orders
// charged in a period of one Beijing month, newest first, at most 100 a
// page, addtime in Beijing time). A request across a month, over 50
// orderids or over 100 a page is answered with code 210500, the
// simulator's own: the provider's is not public. Config.AccountDenied
// makes the three answer 10002; Config.Shapes picks the other documented
// shapes. Faults do not apply to them; the QPS limit does.
//
// Besides the provider's endpoints it serves, for tests in other processes:
//
//	GET  /_sim/ledger           the Ledger as JSON (?summary=1: without orders); see FetchLedger
//	GET  /_sim/requests         the Counts as JSON; see FetchRequests
//	GET  /_sim/account-requests the AccountCounts as JSON; see FetchAccountRequests
//	POST /_sim/balance          form field balance (set) or add (top up), in yuan
//	POST /_sim/charge           form fields phone, pid, optional orderid and addtime
//	                            (Beijing time): a charge no batch made; see Charge
//	POST /_sim/port             form fields phone and carrier (移动, 联通, 电信, or
//	                            mobile, unicom, telecom): the number was ported; see Port
//
// A request is first delayed (Latency), then may get an HTML 502
// (HTML502Before, as from a gateway in front), then is counted against the
// QPS limit (10012), and only then checked and served.
package juhesim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// Config configures a Server. The zero value of every field but Key and
// OpenID is a sensible default.
type Config struct {
	// Key and OpenID are the credentials the server accepts. Both are required.
	Key, OpenID string
	// Products is the catalogue; nil means DefaultCatalogue().
	Products []juhe.Product
	// Balance is the opening balance; 0 means DefaultBalance. For an empty
	// account call SetBalance(0) after NewServer.
	Balance juhe.Money
	// SettleDelay is how long after the charge an order settles; 0 means
	// 2s. A negative value settles the order before the submit is answered,
	// so that the first query already sees the final state.
	SettleDelay time.Duration
	// SuccessRatio is the probability that an order settles to success;
	// 0 means 0.95. A negative value makes every order fail.
	SuccessRatio float64
	// CallbackMethod is "GET" (the document; default) or "POST" (the
	// provider's callback page).
	CallbackMethod string
	// CallbackRetries is how many more times a callback is sent while no
	// response body comes back; 0 means 3, negative means never retry.
	CallbackRetries int
	// CallbackInterval is the time between callback attempts; 0 means 3s.
	CallbackInterval time.Duration
	// QPS limits requests per key per one-second window (answered 10012
	// without touching anything); 0 means unlimited.
	QPS int
	// Faults are injected at random, see the package documentation.
	Faults Faults
	// Seed seeds the random source (settlement and faults), so a run can be
	// replayed. 0 is a seed like any other.
	Seed int64
	// Logf, when set, receives one line per request and per notable event.
	// Lines never contain the key or the OpenID.
	Logf func(format string, args ...any)

	// The account-side endpoints (account.go).

	// AccountDenied makes ofpay/mobile/yue, flow/batchquery and
	// flow/ordersbydate answer 10002, as for a key without permission.
	AccountDenied bool
	// Shapes picks the documented answer shapes those endpoints use.
	Shapes Shapes
	// AccountID is the uid the balance endpoint reports; "" means
	// DefaultAccountID.
	AccountID string

	// Ported are numbers moved to another carrier (携号转网): telcheck,
	// submit and Charge take the number's carrier from here, not from its
	// prefix. Port (POST /_sim/port) adds to it while the server runs.
	Ported map[string]juhe.Carrier
	// TelcheckDown makes flow/telcheck answer an HTML 502 page, always:
	// the endpoint that does not answer.
	TelcheckDown bool
}

// Faults are probabilities in [0, 1] of misbehaving on a request.
type Faults struct {
	// DropAfterCharge: charge, then close the connection without answering.
	DropAfterCharge float64
	// Err10014AfterCharge: charge, then answer 10014 (系统内部异常).
	Err10014AfterCharge float64
	// HTML502Before: answer an nginx HTML 502 page; nothing is charged.
	HTML502Before float64
	// HTML502After: charge, then answer the HTML 502 page.
	HTML502After float64
	// Latency: wait a random time in [LatencyMin, LatencyMax] before handling.
	Latency                float64
	LatencyMin, LatencyMax time.Duration
	// Lag (a duration, not a probability): for this long after a charge,
	// ordersta answers 210511 for the order and a submit of its orderid
	// charges it again.
	Lag time.Duration
	// Foreign: answer about another order (see the package documentation).
	Foreign float64
}

// DefaultBalance is the opening balance when Config.Balance is 0:
// 1,000,000 yuan.
const DefaultBalance juhe.Money = 1_000_000 * 1000

const (
	defaultSettleDelay      = 2 * time.Second
	defaultSuccessRatio     = 0.95
	defaultCallbackRetries  = 3
	defaultCallbackInterval = 3 * time.Second
	callbackWorkers         = 8
)

// Server is a running simulator. It is safe for concurrent use.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234", without a
	// trailing slash. Empty when the Server only serves through Handler.
	URL string

	cfg     Config
	catalog map[string]int // pid → index in cfg.Products
	handler http.Handler
	srv     *http.Server
	cb      *http.Client

	ctx    context.Context // cancelled by Close: stops latency waits and callbacks
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
	wake   chan struct{} // the scheduler has an earlier event
	cbWake chan struct{} // a callback is ready

	mu       sync.Mutex
	rng      *rand.Rand
	balance  juhe.Money
	charged  juhe.Money // sum of all charges
	refund   juhe.Money // sum of all refunds
	orders   []order
	index    orderIndex
	tries    map[string]int32 // submits of orderids not (yet) charged
	cburls   []string         // callback URLs, numbered from 1
	cburlIDs map[string]int32 // callback URL → its number
	events   eventHeap
	ready    []event // callbacks due now
	qpsWin   int64   // unix second of the current QPS window
	qpsUsed  map[string]int
	counts   Counts

	account accountState // the account-side endpoints (account.go)
	ported  map[string]juhe.Carrier
}

// NewServer starts a Server on 127.0.0.1 on a free port. Like
// httptest.NewServer it panics when it cannot; call Close when done.
func NewServer(cfg Config) *Server {
	s, err := NewServerAt("127.0.0.1:0", cfg)
	if err != nil {
		panic(fmt.Sprintf("juhesim: %v", err))
	}
	return s
}

// NewServerAt starts a Server listening on addr ("host:port"; port 0 picks
// a free one).
func NewServerAt(addr string, cfg Config) (*Server, error) {
	s, err := newServer(cfg)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("juhesim: listen on %s: %w", addr, err)
	}
	s.URL = "http://" + ln.Addr().String()
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(io.Discard, "", 0), // dropped connections are deliberate
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logf("serve: %v", err)
		}
	}()
	return s, nil
}

func newServer(cfg Config) (*Server, error) {
	if cfg.Key == "" || cfg.OpenID == "" {
		return nil, errors.New("juhesim: Config.Key and Config.OpenID are required")
	}
	if cfg.Products == nil {
		cfg.Products = DefaultCatalogue()
	}
	catalog, err := indexCatalogue(cfg.Products)
	if err != nil {
		return nil, err
	}
	if cfg.Balance == 0 {
		cfg.Balance = DefaultBalance
	}
	if cfg.SettleDelay == 0 {
		cfg.SettleDelay = defaultSettleDelay
	}
	if cfg.SuccessRatio == 0 {
		cfg.SuccessRatio = defaultSuccessRatio
	}
	switch cfg.CallbackMethod {
	case "":
		cfg.CallbackMethod = http.MethodGet
	case http.MethodGet, http.MethodPost:
	default:
		return nil, fmt.Errorf("juhesim: CallbackMethod %q: want GET or POST", cfg.CallbackMethod)
	}
	if cfg.CallbackRetries == 0 {
		cfg.CallbackRetries = defaultCallbackRetries
	} else if cfg.CallbackRetries < 0 {
		cfg.CallbackRetries = 0
	}
	if cfg.CallbackInterval <= 0 {
		cfg.CallbackInterval = defaultCallbackInterval
	}
	if cfg.QPS < 0 {
		return nil, fmt.Errorf("juhesim: QPS %d is negative", cfg.QPS)
	}
	f := cfg.Faults
	for _, p := range []struct {
		name string
		v    float64
	}{
		{"DropAfterCharge", f.DropAfterCharge}, {"Err10014AfterCharge", f.Err10014AfterCharge},
		{"HTML502Before", f.HTML502Before}, {"HTML502After", f.HTML502After}, {"Latency", f.Latency},
		{"Foreign", f.Foreign},
	} {
		if p.v < 0 || p.v > 1 {
			return nil, fmt.Errorf("juhesim: Faults.%s %v: want a probability in [0, 1]", p.name, p.v)
		}
	}
	if f.Lag < 0 {
		return nil, fmt.Errorf("juhesim: Faults.Lag %v is negative", f.Lag)
	}
	if f.LatencyMin < 0 || f.LatencyMax < f.LatencyMin {
		return nil, fmt.Errorf("juhesim: latency range [%v, %v] is empty", f.LatencyMin, f.LatencyMax)
	}

	ctx, cancel := context.WithCancel(context.Background())
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = callbackWorkers
	s := &Server{
		cfg:      cfg,
		catalog:  catalog,
		cb:       &http.Client{Transport: tr, Timeout: 10 * time.Second},
		ctx:      ctx,
		cancel:   cancel,
		wake:     make(chan struct{}, 1),
		cbWake:   make(chan struct{}, 1),
		rng:      rand.New(rand.NewPCG(uint64(cfg.Seed), 0x9e3779b97f4a7c15)),
		balance:  cfg.Balance,
		index:    newOrderIndex(),
		tries:    make(map[string]int32),
		cburlIDs: make(map[string]int32),
		qpsUsed:  make(map[string]int),
		counts:   newCounts(),
	}
	for phone, c := range cfg.Ported {
		if err := s.Port(phone, c); err != nil {
			cancel()
			return nil, err
		}
	}
	s.handler = s.routes()
	s.wg.Add(1 + callbackWorkers)
	go s.schedule()
	for range callbackWorkers {
		go s.sendCallbacks()
	}
	return s, nil
}

// Handler returns the simulator's handler, for serving it another way.
// Close still stops its settlement and callbacks.
func (s *Server) Handler() http.Handler { return s.handler }

// Close shuts the server down: it stops listening, aborts latency waits and
// pending callbacks, lets requests in flight finish, and returns when every
// goroutine it started has ended. Orders not yet settled stay unsettled.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		if s.srv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.srv.Shutdown(ctx); err != nil {
				s.srv.Close()
			}
			cancel()
		}
		s.wg.Wait()
		s.cb.CloseIdleConnections()
	})
}

// SetBalance sets the account balance, e.g. to top up after 210505.
func (s *Server) SetBalance(m juhe.Money) {
	s.mu.Lock()
	s.balance = m
	s.mu.Unlock()
	s.logf("balance set to %s", m)
}

// Balance returns the account balance.
func (s *Server) Balance() juhe.Money {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.balance
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}
