package juhesim

import (
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
)

// The provider codes the simulator answers.
const (
	codeWrongKey     = 10001
	codeQPS          = 10012
	codeInternal     = 10014
	codeBadPhone     = 210501
	codeNoProduct    = 210503
	codeWrongCarrier = 210504
	codeBalance      = 210505
	codeBadSign      = 210506
	codeDuplicate    = 210508
	codeNoOrder      = 210511
)

const maxForm = 64 << 10

type op int

const (
	opSubmit op = iota
	opQuery
	opList
)

// Counts are the requests the simulator has seen, for tests that must
// prove what a client did (or did not) send.
type Counts struct {
	Submits int `json:"submits"` // flow/onlineorder requests, every one
	Queries int `json:"queries"` // flow/ordersta requests, every one
	Lists   int `json:"lists"`   // flow/list and flow/telcheck requests
	// Telchecks counts the flow/telcheck requests among Lists.
	Telchecks int `json:"telchecks"`

	// SubmitCodes and QueryCodes count JSON answers by error_code.
	SubmitCodes map[int]int `json:"submit_codes"`
	QueryCodes  map[int]int `json:"query_codes"`

	Dropped int `json:"dropped"` // connections closed after a charge (DropAfterCharge)
	HTML502 int `json:"html502"` // HTML 502 pages served, before or after a charge
	Slowed  int `json:"slowed"`  // requests delayed by the Latency fault

	Callbacks          int `json:"callbacks"`           // callback attempts sent
	CallbacksDelivered int `json:"callbacks_delivered"` // callback attempts that got a response body
}

func newCounts() Counts {
	return Counts{SubmitCodes: map[int]int{}, QueryCodes: map[int]int{}}
}

// Requests returns a copy of the request counts.
func (s *Server) Requests() Counts {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.counts
	c.SubmitCodes = maps.Clone(c.SubmitCodes)
	c.QueryCodes = maps.Clone(c.QueryCodes)
	return c
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/flow/onlineorder", s.withForm(s.handleSubmit))
	mux.HandleFunc("/flow/ordersta", s.withForm(s.handleQuery))
	mux.HandleFunc("/flow/list", s.withForm(s.handleList))
	mux.HandleFunc("/flow/telcheck", s.withForm(s.handleList))
	mux.HandleFunc("GET /_sim/ledger", s.handleLedger)
	mux.HandleFunc("GET /_sim/requests", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(s.Requests())
	})
	mux.HandleFunc("POST /_sim/balance", s.withForm(s.handleBalance))
	// The account-side endpoints (account.go).
	mux.HandleFunc("/ofpay/mobile/yue", s.withForm(s.handleYue))
	mux.HandleFunc("/flow/batchquery", s.withForm(s.handleBatchQuery))
	mux.HandleFunc("/flow/ordersbydate", s.withForm(s.handleOrdersByDate))
	mux.HandleFunc("POST /_sim/charge", s.withForm(s.handleCharge))
	mux.HandleFunc("POST /_sim/port", s.withForm(s.handlePort))
	mux.HandleFunc("GET /_sim/account-requests", s.handleAccountRequests)
	return mux
}

// withForm parses the GET query or POST form, as the provider accepts both.
func (s *Server) withForm(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodPost {
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form: "+err.Error(), http.StatusBadRequest)
			return
		}
		h(w, r)
	}
}

// answer writes the provider's JSON envelope and counts the code.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, o op, code int, result any) {
	s.mu.Lock()
	switch o {
	case opSubmit:
		s.counts.SubmitCodes[code]++
	case opQuery:
		s.counts.QueryCodes[code]++
	}
	s.mu.Unlock()
	reason := "查询成功"
	if code == 0 && o == opSubmit {
		reason = "订单提交成功，等待充值"
	} else if c, ok := juhe.LookupCode(code); ok && code != 0 {
		reason = c.Text
	}
	body, err := json.Marshal(struct {
		Reason    string `json:"reason"`
		Result    any    `json:"result"`
		ErrorCode int    `json:"error_code"`
	}{reason, result, code})
	if err != nil {
		panic(fmt.Sprintf("juhesim: encoding an answer: %v", err)) // only our own types are encoded
	}
	w.Header().Set("Content-Type", "application/json;charset=utf-8")
	w.Write(body)
	if code != 0 {
		s.logf("%s %s → %d", r.URL.Path, r.Form.Get("orderid"), code)
	}
}

const html502 = `<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx</center>
</body>
</html>
`

func (s *Server) writeHTML502(w http.ResponseWriter, r *http.Request, why string) {
	s.mu.Lock()
	s.counts.HTML502++
	s.mu.Unlock()
	s.logf("%s %s → HTML 502 (%s)", r.URL.Path, r.Form.Get("orderid"), why)
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	w.Write([]byte(html502))
}

// drop closes the connection without answering.
func (s *Server) drop(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.counts.Dropped++
	s.mu.Unlock()
	s.logf("%s %s → connection dropped after the charge", r.URL.Path, r.Form.Get("orderid"))
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// prelude applies what happens before a request is looked at: latency, a
// gateway 502, and the QPS limit. It reports whether to go on.
func (s *Server) prelude(w http.ResponseWriter, r *http.Request, o op) bool {
	f := s.cfg.Faults
	s.mu.Lock()
	if o == opSubmit {
		s.counts.Submits++
	} else {
		s.counts.Queries++
	}
	var delay time.Duration
	if s.roll(f.Latency) {
		delay = f.LatencyMin
		if f.LatencyMax > f.LatencyMin {
			delay += time.Duration(s.rng.Int64N(int64(f.LatencyMax-f.LatencyMin) + 1))
		}
		s.counts.Slowed++
	}
	bad := s.roll(f.HTML502Before)
	s.mu.Unlock()

	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		case <-s.ctx.Done():
			t.Stop()
			panic(http.ErrAbortHandler)
		}
	}
	if bad {
		s.writeHTML502(w, r, "before anything")
		return false
	}
	if s.overQPS(r.Form.Get("key")) {
		s.answer(w, r, o, codeQPS, nil)
		return false
	}
	return true
}

// roll reports true with probability p. Call with s.mu held.
func (s *Server) roll(p float64) bool {
	return p > 0 && s.rng.Float64() < p
}

// overQPS counts one request for key in the current one-second window.
func (s *Server) overQPS(key string) bool {
	if s.cfg.QPS == 0 {
		return false
	}
	now := time.Now().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	if now != s.qpsWin {
		s.qpsWin = now
		clear(s.qpsUsed)
	}
	s.qpsUsed[key]++
	return s.qpsUsed[key] > s.cfg.QPS
}

func (s *Server) keyOK(key string) bool {
	return key != "" && subtle.ConstantTimeCompare([]byte(key), []byte(s.cfg.Key)) == 1
}

func validPhone(p string) bool {
	if len(p) != 11 || p[0] != '1' || p[1] < '3' || p[1] > '9' {
		return false
	}
	for i := 2; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// handleBalance sets (form field balance) or raises (form field add) the
// balance, both in yuan, and answers the new balance.
func (s *Server) handleBalance(w http.ResponseWriter, r *http.Request) {
	set, add := r.Form.Get("balance"), r.Form.Get("add")
	if (set == "") == (add == "") {
		http.Error(w, "give exactly one of the form fields balance or add, in yuan", http.StatusBadRequest)
		return
	}
	field, v := "balance", set
	if add != "" {
		field, v = "add", add
	}
	m, err := juhe.ParseMoney(field, v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	if add != "" {
		s.balance += m
	} else {
		s.balance = m
	}
	b := s.balance
	s.mu.Unlock()
	s.logf("balance now %s", b)
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, "{\"balance\":%q,\"balance_li\":%d}\n", b.String(), int64(b))
}
