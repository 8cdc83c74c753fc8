package juhe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Defaults for Config's zero values.
const (
	DefaultBaseURL = "http://v.juhe.cn"
	DefaultTimeout = 15 * time.Second
	DefaultMaxBody = 64 << 10
)

// Config configures a Client.
type Config struct {
	BaseURL string // default http://v.juhe.cn
	Key     string
	OpenID  string
	// Timeout bounds each request, default 15s.
	Timeout time.Duration
	// MaxBody bounds how much of a response body is read, default 64 KiB.
	MaxBody int64
	// HTTPClient is used when set (its Timeout is left alone).
	HTTPClient *http.Client
}

// String, GoString and Format print cfg with the key and the OpenID
// redacted, so that logging a Config by mistake leaks nothing.
func (cfg Config) String() string {
	return fmt.Sprintf("juhe.Config{BaseURL:%q, Key:%s, OpenID:%s, Timeout:%s, MaxBody:%d}",
		cfg.BaseURL, redactedOrEmpty(cfg.Key), redactedOrEmpty(cfg.OpenID), cfg.Timeout, cfg.MaxBody)
}

// GoString implements fmt.GoStringer; see String.
func (cfg Config) GoString() string { return cfg.String() }

// Format implements fmt.Formatter; every verb prints String.
func (cfg Config) Format(f fmt.State, _ rune) { io.WriteString(f, cfg.String()) }

// MarshalJSON keeps the key and the OpenID out of JSON logs too.
func (cfg Config) MarshalJSON() ([]byte, error) {
	return fmt.Appendf(nil, `{"BaseURL":%q,"Key":%q,"OpenID":%q,"Timeout":%q,"MaxBody":%d}`,
		cfg.BaseURL, redactedOrEmpty(cfg.Key), redactedOrEmpty(cfg.OpenID), cfg.Timeout.String(), cfg.MaxBody), nil
}

const redacted = "[redacted]"

func redactedOrEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return redacted
}

// secret holds the key or the OpenID. It prints as [redacted] through
// every fmt verb; it holds a pointer so that even fmt's reflection on an
// unexported field prints only an address.
type secret struct{ p *string }

func newSecret(s string) secret { return secret{&s} }

func (s secret) value() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

func (secret) String() string               { return redacted }
func (secret) GoString() string             { return redacted }
func (secret) Format(f fmt.State, _ rune)   { io.WriteString(f, redacted) }
func (secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Client talks to the provider. It is safe for concurrent use.
type Client struct {
	base    string
	key     secret
	openID  secret
	timeout time.Duration
	maxBody int64
	hc      *http.Client
}

// String, GoString and Format describe c without its secrets.
func (c *Client) String() string {
	if c == nil {
		return "juhe.Client(nil)"
	}
	return fmt.Sprintf("juhe.Client{BaseURL:%q, Key:%s, OpenID:%s, Timeout:%s, MaxBody:%d}",
		c.base, redacted, redacted, c.timeout, c.maxBody)
}

// GoString implements fmt.GoStringer; see String.
func (c *Client) GoString() string { return c.String() }

// Format implements fmt.Formatter; every verb prints String.
func (c *Client) Format(f fmt.State, _ rune) { io.WriteString(f, c.String()) }

// SubmitRequest is one order to place.
type SubmitRequest struct {
	Phone, Pid, OrderID string
	CBURL               string // optional
}

// Callback is a verified status callback.
type Callback struct {
	SporderID string
	OrderID   string
	State     GameState // StateSuccess or StateFailed
	ErrMsg    string
}

// Product is one entry of the provider's catalogue (flow/list).
type Product struct {
	Pid     string
	Name    string
	Carrier Carrier
	Price   Money
	// VolumeMB is the flow the product gives, in MB, as the catalogue's
	// v field states it; 0 when it does not.
	VolumeMB int
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Key) == "" {
		return nil, errors.New("juhe: no key (set JUHE_KEY)")
	}
	if strings.TrimSpace(cfg.OpenID) == "" {
		return nil, errors.New("juhe: no OpenID (set JUHE_OPENID)")
	}
	base := strings.TrimSpace(cfg.BaseURL)
	if base == "" {
		base = DefaultBaseURL
	}
	base = strings.TrimRight(base, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("juhe: base URL %q: want http://host[:port] or https://host[:port]",
			scrub(base, cfg.Key, cfg.OpenID))
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("juhe: base URL %q: no user info, query or fragment allowed",
			scrub(u.Redacted(), cfg.Key, cfg.OpenID))
	}
	if cfg.Timeout < 0 || cfg.MaxBody < 0 {
		return nil, errors.New("juhe: negative Timeout or MaxBody")
	}
	c := &Client{
		base:    base,
		key:     newSecret(cfg.Key),
		openID:  newSecret(cfg.OpenID),
		timeout: cfg.Timeout,
		maxBody: cfg.MaxBody,
		hc:      cfg.HTTPClient,
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.hc == nil {
		c.hc = &http.Client{
			Timeout: c.timeout,
			// A redirect would re-send the key elsewhere, or turn the POST
			// into a GET without the order; the 3xx is an unknown answer.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		}
	}
	return c, nil
}

// Timeout returns the longest one request may take.
func (c *Client) Timeout() time.Duration { return c.timeout }

// BaseURL returns the provider address the client talks to.
func (c *Client) BaseURL() string { return c.base }

// Submit places an order (flow/onlineorder). It never returns an error:
// every failure is an Outcome, usually ClassUnknown.
func (c *Client) Submit(ctx context.Context, r SubmitRequest) Outcome {
	if why := checkSubmit(r); why != "" {
		// Not sent, so certainly not created.
		return Outcome{Class: ClassRejected, Code: NoCode, Reason: "not sent: " + why, State: StateNone}
	}
	key, openID := c.key.value(), c.openID.value()
	form := url.Values{
		"phone":   {r.Phone},
		"pid":     {r.Pid},
		"orderid": {r.OrderID},
		"key":     {key},
		"sign":    {Sign(openID, key, r.Phone, r.Pid, r.OrderID)},
	}
	if r.CBURL != "" {
		form.Set("cburl", r.CBURL)
	}
	status, body, failure := c.post(ctx, "/flow/onlineorder", form)
	if failure != "" {
		return c.noAnswer(status, failure)
	}
	o := parseAbout(OpSubmit, status, body, r.OrderID, r.Phone)
	o.Reason = c.scrub(o.Reason)
	o.CardName = c.scrub(o.CardName)
	return o
}

// Query asks for an order's state (flow/ordersta).
func (c *Client) Query(ctx context.Context, orderID string) Outcome {
	if !ValidOrderID(orderID) {
		return Outcome{Class: ClassUnknown, Code: NoCode, Reason: "not sent: orderid must be 8-32 letters and digits", State: StateNone}
	}
	form := url.Values{
		"orderid": {orderID},
		"key":     {c.key.value()},
	}
	status, body, failure := c.post(ctx, "/flow/ordersta", form)
	if failure != "" {
		return c.noAnswer(status, failure)
	}
	o := parseAbout(OpQuery, status, body, orderID, "")
	o.Reason = c.scrub(o.Reason)
	o.CardName = c.scrub(o.CardName)
	return o
}

// Products fetches the catalogue (flow/list), where the provider answers it.
// It is optional: V2 does not document flow/list, so an error here should
// mean "no catalogue", never "stop".
func (c *Client) Products(ctx context.Context) ([]Product, error) {
	status, body, failure := c.post(ctx, "/flow/list", url.Values{"key": {c.key.value()}})
	if failure != "" {
		return nil, fmt.Errorf("juhe: flow/list: %s", cleanReason(c.scrub(failure)))
	}
	ps, err := parseProducts(status, body)
	if err != nil {
		return nil, fmt.Errorf("juhe: flow/list: %s", c.scrub(err.Error()))
	}
	for i := range ps {
		ps[i].Name = c.scrub(ps[i].Name)
	}
	return ps, nil
}

func (c *Client) noAnswer(status int, failure string) Outcome {
	return Outcome{
		Class:      ClassUnknown,
		Code:       NoCode,
		Reason:     cleanReason(c.scrub(failure)),
		HTTPStatus: status,
		State:      StateNone,
	}
}

func checkSubmit(r SubmitRequest) string {
	switch {
	case !ValidOrderID(r.OrderID):
		return "orderid must be 8-32 letters and digits"
	case r.Phone == "":
		return "no phone"
	case r.Pid == "":
		return "no pid"
	}
	return ""
}

// ValidOrderID reports whether s is an orderid the provider accepts: 8-32
// ASCII letters and digits.
func ValidOrderID(s string) bool {
	if len(s) < 8 || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// post sends form to path and reads the answer. failure is non-empty when
// no complete answer came back; it says why, briefly, and may still carry
// the secrets of an underlying error until scrubbed.
func (c *Client) post(ctx context.Context, path string, form url.Values) (status int, body []byte, failure string) {
	return c.postBounded(ctx, path, form, c.maxBody)
}

// postBounded is post with its own bound on the body, for an answer that
// is larger by design (a page of the statement).
func (c *Client) postBounded(ctx context.Context, path string, form url.Values, maxBody int64) (status int, body []byte, failure string) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, nil, "not sent: " + err.Error()
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "flowbatch")
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, nil, "no answer: " + describeErr(ctx, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode <= 399 {
		return resp.StatusCode, nil, fmt.Sprintf("redirect not followed, HTTP %d", resp.StatusCode)
	}
	body, err = io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return resp.StatusCode, nil, fmt.Sprintf("answer cut off, HTTP %d: %s", resp.StatusCode, describeErr(ctx, err))
	}
	if int64(len(body)) > maxBody {
		return resp.StatusCode, nil, fmt.Sprintf("answer larger than %d bytes, HTTP %d", maxBody, resp.StatusCode)
	}
	// Scrub before anything reads the body: a reason is cut short later,
	// and a secret echoed across the cut would no longer be recognised.
	return resp.StatusCode, []byte(c.scrub(string(body))), ""
}

// describeErr names a transport failure in a few words.
func describeErr(ctx context.Context, err error) string {
	var ne net.Error
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(ctx.Err(), context.Canceled), errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "connection closed"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return "DNS: " + dnsErr.Err
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

func (c *Client) scrub(s string) string {
	return scrub(s, c.key.value(), c.openID.value())
}

// scrub removes the secrets from s, in their plain and URL-encoded forms.
func scrub(s string, secrets ...string) string {
	for _, v := range secrets {
		if v == "" {
			continue
		}
		s = strings.ReplaceAll(s, v, redacted)
		if e := url.QueryEscape(v); e != v {
			s = strings.ReplaceAll(s, e, redacted)
		}
		if e := url.PathEscape(v); e != v {
			s = strings.ReplaceAll(s, e, redacted)
		}
	}
	return s
}
