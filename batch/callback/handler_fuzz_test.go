package callback

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// FuzzCallbackHandler: whatever the method, query and body, the handler
// never panics, and records a callback only when its sign is valid for an
// orderid of the batch and its state is 1 or 9.
func FuzzCallbackHandler(f *testing.F) {
	good := cbForm(cbKey, cbOrderA, cbSpA, "1").Encode()
	f.Add("GET", good, []byte(nil), "")
	f.Add("POST", "", []byte(good), "application/x-www-form-urlencoded")
	f.Add("POST", "sta=9", []byte(good), "application/x-www-form-urlencoded")
	f.Add("PUT", good, []byte(good), "text/plain")
	v := cbVerifier(f)
	h := func(st *cbMemStore) http.Handler {
		o := st.options(v, nil)
		o.MaxBody = 1 << 10
		return NewHandler(o)
	}
	f.Fuzz(func(t *testing.T, method, query string, body []byte, contentType string) {
		req, err := http.NewRequest(method, "http://cb.test/?"+query, bytes.NewReader(body))
		if err != nil {
			return
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		// The oracle parses an identical request on its own.
		oracle, _ := http.NewRequest(method, "http://cb.test/?"+query, bytes.NewReader(body))
		oracle.Header = req.Header.Clone()
		oracle.ParseForm()

		st := &cbMemStore{known: map[string]bool{cbOrderA: true, cbOrderB: true}}
		rec := httptest.NewRecorder()
		h(st).ServeHTTP(rec, req)

		recs, _ := st.snapshot()
		if len(recs) > 1 {
			t.Fatalf("one request recorded %d callbacks", len(recs))
		}
		if len(recs) == 1 {
			n := recs[0]
			sign := strings.ToLower(oracle.Form.Get("sign"))
			if !st.known[n.OrderID] || !n.State.Final() ||
				sign != juhe.CallbackSign(cbKey, n.SporderID, n.OrderID) ||
				oracle.Form.Get("orderid") != n.OrderID || oracle.Form.Get("sporder_id") != n.SporderID {
				t.Fatalf("recorded %+v from a request that is not a valid callback", n)
			}
			if rec.Code != http.StatusOK || rec.Body.String() != "success" {
				t.Fatalf("recorded, but answered %d %q", rec.Code, rec.Body.String())
			}
		} else if rec.Code == http.StatusOK {
			t.Fatalf("answered 200 without recording (nothing was seen before)")
		}
	})
}
