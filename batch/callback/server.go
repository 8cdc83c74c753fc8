package callback

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Callback server limits. A public port gets slow and oversized clients;
// these keep one of them from holding a connection or memory for long.
const (
	ReadHeaderTimeout       = 5 * time.Second
	ReadTimeout             = 10 * time.Second
	WriteTimeout            = 10 * time.Second
	IdleTimeout             = 60 * time.Second
	MaxHeaderBytes          = 16 << 10
	callbackShutdownTimeout = 5 * time.Second
)

// NewServer returns an http.Server for h on addr with the
// callback limits set. Tests may shorten the timeouts before serving.
func NewServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// Serve serves srv on ln until ctx is done, then shuts down
// gracefully: callbacks being recorded finish and are answered. It
// returns nil after a shutdown caused by ctx.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serving callbacks on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callbackShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("serving callbacks on %s: %w", ln.Addr(), serr)
	}
	if err != nil {
		srv.Close()
		return fmt.Errorf("stopping the callback server on %s: %w", ln.Addr(), err)
	}
	return nil
}
