package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/flowbatch/flowbatch/batch/journal"
	"github.com/flowbatch/flowbatch/juhe"
)

// DefaultMaxBody bounds a callback request body. A real callback
// is four short form fields.
const DefaultMaxBody = 8 << 10

// maxErrMsg bounds the provider's err_msg as journaled. err_msg is not
// covered by the sign, so it is kept short and never trusted.
const maxErrMsg = 256

// verifier checks a callback's sign; *juhe.Client satisfies it.
type verifier interface {
	VerifyCallback(url.Values) (juhe.Callback, error)
}

// Options configures a Handler. Known, Seen and Record
// are called from many goroutines at once; for one orderid, Seen and
// Record are never called concurrently.
type Options struct {
	// Verifier checks the sign in constant time (a *juhe.Client).
	Verifier verifier
	// Known reports whether orderID belongs to the batch.
	Known func(orderID string) bool
	// Seen reports whether n is already recorded (a replay).
	Seen func(n *journal.CallbackNote) bool
	// Record durably records n (a RecCallback record) and returns after
	// it is on disk. Afterwards Seen(n) must report true.
	Record func(ctx context.Context, n *journal.CallbackNote) error
	// Notify, if set, is told of every newly recorded callback, so the
	// engine can query that order now.
	Notify func(orderID string)
	// Logf, if set, gets one line per refused or failed callback, a
	// format of Notes. Lines never hold the sign or the key.
	Logf func(format string, args ...any)
	// MaxBody bounds a request body; default DefaultMaxBody.
	MaxBody int64
}

// The notes a handler writes through Options.Logf, one format each. The
// main package prints them in the terminal's language by their format:
// change one only with its translation (TestEveryNoteIsTranslated).
const (
	NoteNotRecorded = "callback: from %s orderid=%s: not recorded, answering 500 so the provider retries: %v"
	NoteRefused     = "callback: refused %s %s from %s orderid=%s: %s"
)

// Notes are every note format above.
var Notes = []string{NoteNotRecorded, NoteRefused}

// Handler serves the provider's status callbacks: it verifies the
// sign, records each new verified callback once, and answers "success".
// A forged, malformed or unknown callback gets 403 and writes nothing.
type Handler struct {
	opts  Options
	locks keyedMutex
}

// NewHandler returns a handler for opts. Verifier, Known, Seen
// and Record are required.
func NewHandler(opts Options) *Handler {
	if opts.Verifier == nil || opts.Known == nil || opts.Seen == nil || opts.Record == nil {
		panic("batch: NewHandler needs Verifier, Known, Seen and Record")
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = DefaultMaxBody
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	return &Handler{opts: opts}
}

// callbackFields are the fields the sign and the state depend on; each
// may appear at most once, so what is verified is what is recorded.
var callbackFields = []string{"orderid", "sporder_id", "sta", "sign", "err_msg"}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		w.Header().Set("Allow", "GET, POST")
		reply(w, http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	if r.ContentLength > h.opts.MaxBody {
		h.refuse(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("body of %d bytes is over the %d-byte limit", r.ContentLength, h.opts.MaxBody))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.opts.MaxBody)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge, "", fmt.Sprintf("body over the %d-byte limit", h.opts.MaxBody))
			return
		}
		h.refuse(w, r, http.StatusForbidden, "", "unreadable form")
		return
	}
	form := r.Form
	orderID := form.Get("orderid")
	for _, f := range callbackFields {
		if len(form[f]) > 1 {
			h.refuse(w, r, http.StatusForbidden, orderID, "field "+f+" given more than once")
			return
		}
	}
	cb, err := h.opts.Verifier.VerifyCallback(form)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), "callback: ")
		h.refuse(w, r, http.StatusForbidden, orderID, scrubReason(why, form.Get("sign")))
		return
	}
	if cb.OrderID != orderID || !cb.State.Final() {
		// The verifier's answer must describe this request and a final state.
		h.refuse(w, r, http.StatusForbidden, orderID, fmt.Sprintf("verified callback has orderid %q and state %d", logOrderID(cb.OrderID), cb.State))
		return
	}
	if !h.opts.Known(cb.OrderID) {
		h.refuse(w, r, http.StatusForbidden, orderID, "orderid not in this batch")
		return
	}
	n := &journal.CallbackNote{
		OrderID:   cb.OrderID,
		SporderID: cb.SporderID,
		State:     cb.State,
		ErrMsg:    cleanErrMsg(cb.ErrMsg),
	}

	unlock := h.locks.lock(n.OrderID)
	if h.opts.Seen(n) {
		unlock()
		reply(w, http.StatusOK, "success")
		return
	}
	// A provider that hangs up must not abort a write halfway.
	err = h.opts.Record(context.WithoutCancel(r.Context()), n)
	unlock()
	if err != nil {
		h.opts.Logf(NoteNotRecorded, r.RemoteAddr, n.OrderID, err)
		reply(w, http.StatusInternalServerError, "error")
		return
	}
	if h.opts.Notify != nil {
		h.opts.Notify(n.OrderID)
	}
	reply(w, http.StatusOK, "success")
}

// refuse answers code and logs one line. The orderid is logged only when
// well-formed; the sign never is.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, code int, orderID, why string) {
	id := logOrderID(orderID)
	if id == "" {
		id = "-"
	}
	h.opts.Logf(NoteRefused, r.Method, http.StatusText(code), r.RemoteAddr, id, why)
	body := "forbidden"
	switch code {
	case http.StatusRequestEntityTooLarge:
		body = "request too large"
		// Do not read the rest of a large body; drop the connection.
		w.Header().Set("Connection", "close")
	}
	reply(w, code, body)
}

func reply(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	fmt.Fprint(w, body)
}

// logOrderID returns id if it is a well-formed orderid, else "": only
// those go into a log line.
func logOrderID(id string) string {
	if juhe.ValidOrderID(id) {
		return id
	}
	return ""
}

// scrubReason keeps a verifier's reason fit for a log line: no sign, no
// control characters, bounded length.
func scrubReason(why, sign string) string {
	if sign != "" {
		why = strings.ReplaceAll(why, sign, "[sign]")
	}
	why = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(why, "?"))
	if len(why) > 200 {
		why = truncUTF8(why, 200) + "…"
	}
	return why
}

func cleanErrMsg(s string) string {
	return truncUTF8(strings.ToValidUTF8(s, "?"), maxErrMsg)
}

func truncUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// keyedMutex serialises work per key, so concurrent identical callbacks
// are recorded once without one slow fsync holding up other orders.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*keyLock
}

type keyLock struct {
	mu   sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = make(map[string]*keyLock)
	}
	l := k.m[key]
	if l == nil {
		l = &keyLock{}
		k.m[key] = l
	}
	l.refs++
	k.mu.Unlock()
	l.mu.Lock()
	return func() {
		l.mu.Unlock()
		k.mu.Lock()
		l.refs--
		if l.refs == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
