package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flowbatch/flowbatch/batch"
	"github.com/flowbatch/flowbatch/batch/workspace"
)

const serveUsage = `Usage: flowbatch serve [-addr 127.0.0.1:8080] [-workspace DIR] [flags]

Serves the web console: a page that starts a batch from a CSV, XLSX or ODS
file, shows what check shows, asks for a confirmation (the amount and a
name), and then runs the batch with the same engine, journal and lock as
'flowbatch run'; it shows the progress live, and the workbook, the masked
copy, the retry file and the attestation when the batch is done. A batch
started in the console continues from the command line and the other way
round.

It prints a link with a random token at start: open it in a browser on
this computer. Every request needs the token (the link sets a cookie).
Closing the browser does not stop a batch; Ctrl-C stops serve the way it
stops run: requests in flight finish and are journaled.

It listens on loopback only, unless -allow-remote is given with
-tls-cert and -tls-key: the token and the spending never cross a network
in the clear. The settings page, which takes the key and the OpenID, only
answers on loopback.

Exit codes: 0 stopped with no batch running; 2 bad command line;
130 interrupted (batches running then continue with the same command, or
the console's continue button).

Flags:
`

func runServe(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "listen `address`; loopback unless -allow-remote")
	wsDir := fs.String("workspace", "", "workspace `directory` (default $"+workspace.EnvDir+", else your data directory)")
	allowRemote := fs.Bool("allow-remote", false, "listen on an address other than loopback (needs -tls-cert and -tls-key)")
	tlsCert := fs.String("tls-cert", "", "TLS certificate `file` (PEM)")
	tlsKey := fs.String("tls-key", "", "TLS key `file` (PEM)")
	var hostnames []string
	fs.Func("hostname", "with -allow-remote, a host `name` browsers use to reach this console (repeat it); checked against every request's Host header", func(v string) error {
		hostnames = append(hostnames, v)
		return nil
	})
	maxUpload := fs.Int64("max-upload", 64, "largest upload in `MiB`")
	grace := fs.Duration("resubmit-grace", 0, "as run: the resubmit grace of every batch this console starts (default run's)")
	firstQuery := fs.Duration("first-query", batch.DefaultFirstQueryDelay, "as run: the first query of an order this long after its submit was accepted, in every batch this console starts")
	queryEvery := fs.Duration("query-interval", batch.DefaultQueryInterval, "as run: at least this long between two queries of one order, in every batch this console starts")
	baseURL := fs.String("base-url", "", "provider base `URL` (default $JUHE_BASE_URL or http://v.juhe.cn)")
	if help, err := parseFlags(e, fs, serveUsage, args, msgServeTry.with()); help || err != nil {
		return err
	}
	if *maxUpload <= 0 || *maxUpload > 1024 {
		return usageErr(msgServeMaxUpload, *maxUpload)
	}
	host, port, err := net.SplitHostPort(*addr)
	if err != nil {
		return usageErr(msgServeAddrBad, *addr, addrErr{err}).try(msgServeAddrTry)
	}
	loopback := isLoopbackHost(host)
	useTLS := *tlsCert != "" || *tlsKey != ""
	switch {
	case !loopback && !*allowRemote:
		return usageErr(msgServeNotLoopback, *addr).try(msgServeNotLoopbackTry, port)
	case !loopback && (*tlsCert == "" || *tlsKey == ""):
		return usageErr(msgServeRemoteTLS)
	case useTLS && (*tlsCert == "" || *tlsKey == ""):
		return usageErr(msgServeBothTLS)
	}
	dir, err := workspace.Dir(*wsDir, e.getenv)
	if err != nil {
		return usageErr(msgCmdErr, "serve", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return usageErr(msgServeAddr).cause(err)
	}
	defer ln.Close()
	tcp := ln.Addr().(*net.TCPAddr)

	c, err := newConsole(ctx, e, dir, *baseURL, *maxUpload<<20, useTLS)
	if err != nil {
		ln.Close()
		return &exitError{code: ExitError, msg: "serve", err: err}
	}
	c.allowHosts(tcp.Port, loopback, host, hostnames)
	c.grace = *grace
	c.firstQuery, c.queryEvery = *firstQuery, *queryEvery

	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	shown := ln.Addr().String()
	if loopback {
		shown = net.JoinHostPort("127.0.0.1", strconv.Itoa(tcp.Port))
	} else if len(hostnames) > 0 {
		shown = net.JoinHostPort(hostnames[0], strconv.Itoa(tcp.Port))
	}
	fmt.Fprintf(e.stdout, "flowbatch console: open %s://%s/?token=%s\n", scheme, shown, c.token)
	fmt.Fprintln(e.stdout, e.tr(msgServeWorkspace, dir))

	srv := &http.Server{
		Handler:           c.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          log.New(e.stderr, "flowbatch: serve: ", 0),
	}
	done := make(chan error, 1)
	go func() {
		if useTLS {
			done <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
		} else {
			done <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-done:
		c.wait()
		return &exitError{code: ExitError, msg: "serve", err: err}
	case <-ctx.Done():
	}
	// The batches see the same cancelled context the command line's run
	// sees: they finish the requests in flight and journal them.
	running := c.wait()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	if running > 0 {
		return errOf(ExitInterrupted, msgServeInterrupted, count{running, nounBatch})
	}
	return errOf(ExitInterrupted, msgServeStopped)
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// newToken is 32 random bytes in hex.
func newToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on a supported system
	}
	return hex.EncodeToString(b)
}

// csrfFor derives the form token from the session token: it is in every
// page, never in a cookie.
func csrfFor(token string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("flowbatch console csrf"))
	return hex.EncodeToString(m.Sum(nil))
}

const (
	tokenCookie = "flowbatch_token"
	langCookie  = "flowbatch_lang"
)

// allowHosts decides the Host headers answered: the loopback names on
// the port, or the remote names given.
func (c *console) allowHosts(port int, loopback bool, host string, names []string) {
	p := strconv.Itoa(port)
	c.hosts = map[string]bool{}
	add := func(h string) { c.hosts[strings.ToLower(net.JoinHostPort(h, p))] = true }
	if loopback {
		for _, h := range []string{"127.0.0.1", "localhost", "::1"} {
			add(h)
		}
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		add(host)
	}
	for _, n := range names {
		add(n)
	}
}

// guard is every request's gate, in this order: the Host header (DNS
// rebinding), the token (the link, then the cookie), and for a POST the
// origin and the CSRF token. Whatever fails is a 403 that says nothing
// of the console.
func (c *console) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		// same-origin, not no-referrer: with no-referrer a browser sends
		// "Origin: null" with a form, and the origin check would refuse it.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cache-Control", "no-store")
		if !c.hosts[strings.ToLower(r.Host)] {
			forbidden(w, "host")
			return
		}
		if q := r.URL.Query().Get("token"); q != "" {
			if !c.tokenOK(q) || r.Method != http.MethodGet {
				forbidden(w, "token")
				return
			}
			http.SetCookie(w, &http.Cookie{Name: tokenCookie, Value: c.token, Path: "/", HttpOnly: true,
				SameSite: http.SameSiteStrictMode, Secure: c.tls})
			u := *r.URL
			qs := u.Query()
			qs.Del("token")
			u.RawQuery = qs.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return
		}
		ck, err := r.Cookie(tokenCookie)
		if err != nil || !c.tokenOK(ck.Value) {
			forbidden(w, "token")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if r.Method != http.MethodPost || !c.sameOrigin(r) {
				forbidden(w, "origin")
				return
			}
			if err := parseForm(w, r, c.maxUpload); err != nil {
				http.Error(w, formErrText(c.lang(r), err, c.maxUpload), http.StatusRequestEntityTooLarge)
				return
			}
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(c.csrf)) != 1 {
				forbidden(w, "csrf")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (c *console) tokenOK(s string) bool {
	return subtle.ConstantTimeCompare([]byte(s), []byte(c.token)) == 1
}

// sameOrigin refuses what a browser says came from another site.
func (c *console) sameOrigin(r *http.Request) bool {
	if s := r.Header.Get("Sec-Fetch-Site"); s != "" && s != "same-origin" && s != "none" {
		return false
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			return false
		}
	}
	return true
}

// parseForm reads a POST body, bounded: a multipart upload up to max
// (past it, an *http.MaxBytesError: formErrText says it).
func parseForm(w http.ResponseWriter, r *http.Request, max int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, max+1<<20)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}

func forbidden(w http.ResponseWriter, why string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, "403 forbidden (%s): open the link flowbatch serve printed / 请打开 flowbatch serve 启动时打印的链接\n", why)
}

// loopbackOnly answers only requests from this computer.
func loopbackOnly(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// addrErr is a -addr that is no host:port: net's words in English, the
// form wanted in Chinese.
type addrErr struct{ err error }

func (a addrErr) in(l lang) string {
	if l == langZH {
		return msgServeAddrForm.in(l)
	}
	return a.err.Error()
}
