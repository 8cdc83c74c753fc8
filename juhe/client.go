package juhe

import (
	"context"
	"net/http"
	"net/url"
	"time"
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

// Client talks to the provider. It is safe for concurrent use.
type Client struct {
	// (implementation fields; the key and OpenID are held so that they
	// never print)
}

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
}

// NewClient checks cfg and returns a Client.
func NewClient(cfg Config) (*Client, error) { panic("not implemented") }

// Submit places an order (flow/onlineorder). It never returns an error:
// every failure is an Outcome, usually ClassUnknown.
func (c *Client) Submit(ctx context.Context, r SubmitRequest) Outcome { panic("not implemented") }

// Query asks for an order's state (flow/ordersta).
func (c *Client) Query(ctx context.Context, orderID string) Outcome { panic("not implemented") }

// Products fetches the catalogue (flow/list), where the provider answers it.
func (c *Client) Products(ctx context.Context) ([]Product, error) { panic("not implemented") }

// VerifyCallback checks a callback's form (GET query or POST body, already
// parsed) against the key, in constant time.
func (c *Client) VerifyCallback(form url.Values) (Callback, error) { panic("not implemented") }

// ParseResponse classifies one HTTP answer to op. status is the HTTP
// status code; body is what was read of the body.
func ParseResponse(op Op, status int, body []byte) Outcome { panic("not implemented") }
