package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/juhe"
	"github.com/flowbatch/flowbatch/juhe/juhesim"
)

const simUsage = `Usage: flowbatch sim [-addr HOST:PORT] [-key K] [-openid O] [flags]

Serves the built-in provider simulator: flow/onlineorder, flow/ordersta,
flow/list and flow/telcheck, and the account-side ofpay/mobile/yue (the
balance), flow/batchquery and flow/ordersbydate (the statement), all GET or
POST form. For tests it also serves GET /_sim/ledger (the balance and every
order ever charged, as JSON), GET /_sim/requests and
GET /_sim/account-requests (request counts by error code), POST
/_sim/balance (form field balance or add, in yuan) and POST /_sim/charge
(form fields phone, pid, and optionally orderid and addtime: a charge no
batch made). It prints the URL it serves and runs until interrupted.

The key and OpenID default to $JUHE_KEY and $JUHE_OPENID. Point flowbatch
at it with JUHE_BASE_URL set to the printed URL.

Flags:
`

func runSim(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("sim", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8099", "listen `address` (port 0 picks a free one)")
	key := fs.String("key", "", "the key to accept (default $JUHE_KEY)")
	openID := fs.String("openid", "", "the OpenID to check signs with (default $JUHE_OPENID)")
	balance := fs.String("balance", "1000000", "opening balance in `yuan`")
	settle := fs.Duration("settle-delay", 2*time.Second, "time from charge to settlement (0: settle before answering)")
	success := fs.Float64("success-ratio", 0.95, "probability that an order settles to success")
	cbMethod := fs.String("callback-method", "GET", "callback method: GET or POST")
	cbRetries := fs.Int("callback-retries", 3, "callback retries while no response body comes back")
	cbInterval := fs.Duration("callback-interval", 3*time.Second, "time between callback attempts")
	qps := fs.Int("qps", 0, "requests per key per second before 10012 (0: unlimited)")
	drop := fs.Float64("drop-after-charge", 0, "probability of charging, then closing the connection unanswered")
	e10014 := fs.Float64("err10014-after-charge", 0, "probability of charging, then answering 10014")
	h502b := fs.Float64("html502-before", 0, "probability of an HTML 502 page before anything (submit and query)")
	h502a := fs.Float64("html502-after", 0, "probability of charging, then answering an HTML 502 page")
	latP := fs.Float64("latency-prob", 0, "probability of a slow answer (submit and query)")
	latMin := fs.Duration("latency-min", 100*time.Millisecond, "shortest slow answer")
	latMax := fs.Duration("latency-max", 2*time.Second, "longest slow answer")
	denied := fs.Bool("account-denied", false, "answer 10002 on ofpay/mobile/yue, flow/batchquery and flow/ordersbydate")
	accountID := fs.String("account-id", juhesim.DefaultAccountID, "the `uid` the balance endpoint reports")
	shapeList := fs.String("shape-list", "data", "where flow/ordersbydate puts its orders: data (result.data), list (result.list) or bare (result itself)")
	shapeOrderID := fs.Bool("shape-orderid", false, "name a batchquery or statement line's orderid \"orderid\", not \"uorderid\"")
	shapeOrderCash := fs.Bool("shape-ordercash", false, "name a batchquery or statement line's cost \"ordercash\", not \"uordercash\"")
	shapeStringCode := fs.Bool("shape-string-code", false, "write error_code as a string on the account-side endpoints")
	lag := fs.Duration("lag", 0, "for this long after a charge, ordersta says 210511 and a resubmit charges again (eventually consistent lookup)")
	foreign := fs.Float64("foreign", 0, "probability of answering about another order (ordersta, and submits that charged)")
	seed := fs.Int64("seed", 0, "random seed for settlement and faults (default: from the clock, printed)")
	ported := fs.String("ported", "", "numbers ported to another carrier (携号转网), `PHONE=CARRIER,…` (carrier 移动, 联通, 电信 or mobile, unicom, telecom): telcheck and submit see the new carrier")
	telcheckDown := fs.Bool("telcheck-down", false, "answer flow/telcheck with an HTML 502 page, always")
	verbose := fs.Bool("v", false, "log every request and event to stderr (never the key or OpenID)")
	if help, err := parseFlags(e, fs, simUsage, args, msgTryCmdHelp.with("sim")); help || err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	if *key == "" {
		*key = e.getenv("JUHE_KEY")
	}
	if *openID == "" {
		*openID = e.getenv("JUHE_OPENID")
	}
	if *key == "" || *openID == "" {
		return usageErr(msgSimNoKey).try(msgSimNoKeyTry)
	}
	bal, err := juhe.ParseMoney("-balance", *balance)
	if err != nil {
		return usageErr(msgCmdErr, "sim", err)
	}
	for name, p := range map[string]float64{"-success-ratio": *success, "-drop-after-charge": *drop,
		"-err10014-after-charge": *e10014, "-html502-before": *h502b, "-html502-after": *h502a, "-latency-prob": *latP,
		"-foreign": *foreign} {
		if p < 0 || p > 1 {
			return usageErr(msgSimProbability, name, p)
		}
	}
	switch {
	case *settle < 0:
		return usageErr(msgSimNegative, "-settle-delay", *settle)
	case *cbRetries < 0:
		return usageErr(msgSimNegative, "-callback-retries", *cbRetries)
	case *cbInterval <= 0:
		return usageErr(msgSimPositive, "-callback-interval", *cbInterval)
	case *qps < 0:
		return usageErr(msgSimNegative, "-qps", *qps)
	case *lag < 0:
		return usageErr(msgSimNegative, "-lag", *lag)
	case *latMin < 0 || *latMax < *latMin:
		return usageErr(msgSimLatency, *latMin, *latMax)
	}
	*cbMethod = strings.ToUpper(*cbMethod)
	if *cbMethod != "GET" && *cbMethod != "POST" {
		return usageErr(msgSimCallbackMethod, *cbMethod)
	}
	shapes := juhesim.Shapes{OrderID: *shapeOrderID, OrderCash: *shapeOrderCash, StringCode: *shapeStringCode}
	switch *shapeList {
	case "data":
	case "list":
		shapes.List = true
	case "bare":
		shapes.Bare = true
	default:
		return usageErr(msgSimShapeList, *shapeList)
	}
	if !set["seed"] {
		*seed = rand.Int64()
	}

	// Config's zero values mean "default"; the flags' zeros mean zero.
	cfg := juhesim.Config{
		Key: *key, OpenID: *openID,
		SettleDelay:      *settle,
		SuccessRatio:     *success,
		CallbackMethod:   *cbMethod,
		CallbackRetries:  *cbRetries,
		CallbackInterval: *cbInterval,
		QPS:              *qps,
		Seed:             *seed,
		AccountDenied:    *denied,
		AccountID:        *accountID,
		Shapes:           shapes,
		TelcheckDown:     *telcheckDown,
		Faults: juhesim.Faults{
			DropAfterCharge: *drop, Err10014AfterCharge: *e10014,
			HTML502Before: *h502b, HTML502After: *h502a,
			Latency: *latP, LatencyMin: *latMin, LatencyMax: *latMax,
			Lag: *lag, Foreign: *foreign,
		},
	}
	if *ported != "" {
		cfg.Ported = map[string]juhe.Carrier{}
		for _, kv := range strings.Split(*ported, ",") {
			phone, name, _ := strings.Cut(strings.TrimSpace(kv), "=")
			c, ok := juhe.ParseCarrier(name)
			if !ok {
				return usageErr(msgSimPorted, kv)
			}
			cfg.Ported[phone] = c
		}
	}
	if *settle == 0 {
		cfg.SettleDelay = -1
	}
	if *success == 0 {
		cfg.SuccessRatio = -1
	}
	if *cbRetries == 0 {
		cfg.CallbackRetries = -1
	}
	if *verbose {
		cfg.Logf = lineLogger(e.stderr)
	}
	s, err := juhesim.NewServerAt(*addr, cfg)
	if err != nil {
		return errOf(ExitError, msgSimCannotStart).cause(err)
	}
	defer s.Close()
	s.SetBalance(bal)

	fmt.Fprintf(e.stdout, "flowbatch sim: serving %s\n", s.URL)
	fmt.Fprint(e.stderr, e.tr(msgSimStarted, bal, *settle, *success*100, *seed, s.URL))
	<-ctx.Done()
	fmt.Fprint(e.stderr, e.tr(msgSimShuttingDown))
	return nil
}

// lineLogger writes one line per call; Run has made w safe for concurrent use.
func lineLogger(w io.Writer) func(string, ...any) {
	return func(format string, args ...any) {
		fmt.Fprintf(w, "flowbatch sim: "+format+"\n", args...)
	}
}
