package juhe_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/flowbatch/flowbatch/juhe"
)

// A gateway/WAF error page that reflects the request body as plain text.
// The reason keeps only a snippet of it; the key must be scrubbed before
// the cut, or a key straddling the cut would leave its prefix in Reason
// (which is journaled and shown in the workbook).
func TestReflectedKeyIsScrubbedBeforeAnyCut(t *testing.T) {
	const key = "0123456789abcdef0123456789abcdef"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(502)
		w.Write(b) // reflect the form
	}))
	defer srv.Close()
	c, err := juhe.NewClient(juhe.Config{BaseURL: srv.URL, Key: key, OpenID: "openid-secret-value"})
	if err != nil {
		t.Fatal(err)
	}
	out := c.Submit(context.Background(), juhe.SubmitRequest{Phone: "13900000001", Pid: "105000",
		OrderID: "abcdef0123456789", CBURL: "http://a.b/"})
	t.Logf("class %v reason %q", out.Class, out.Reason)
	for n := 32; n >= 8; n-- {
		if strings.Contains(out.Reason, key[:n]) {
			t.Errorf("Reason holds the first %d characters of JUHE_KEY: %q", n, out.Reason)
			break
		}
	}
}
