package loadtest

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/labtest"
)

// Lab is a lab running on loopback ports for a test, with a load tool's
// view of it: live-log subscribers.
type Lab struct{ *labtest.Lab }

// StartLab starts a lab on free loopback ports under policy (nil: the
// closed policy), stopped when the test ends (labtest.StartPolicy).
func StartLab(tb testing.TB, doc []byte) *Lab {
	tb.Helper()
	return &Lab{labtest.StartPolicy(tb, doc)}
}

// Subscribe opens a live-log client from site A's own origin, closed when
// the test ends.
func (l *Lab) Subscribe(tb testing.TB, opts SubOptions) *Subscriber {
	tb.Helper()
	if opts.Origin == "" {
		opts.Origin = l.URLA
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := Subscribe(ctx, l.WS, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// BrowserGET returns request i as site A's page sends it from trial i/2
// (a preflighted fetch() makes two exchanges).
func BrowserGET(base, origin, path string) func(i int) *http.Request {
	return func(i int) *http.Request {
		r, _ := http.NewRequest("GET", base+path, nil)
		h := r.Header
		h["User-Agent"] = []string{"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36"}
		h["Accept"] = []string{"*/*"}
		h["Origin"] = []string{origin}
		h["Sec-Fetch-Site"] = []string{"same-site"}
		h["Sec-Fetch-Mode"] = []string{"cors"}
		h["Sec-Fetch-Dest"] = []string{"empty"}
		h["Referer"] = []string{fmt.Sprintf("%s/trial/t%07d", origin, i/2)}
		h["Accept-Language"] = []string{"en-GB,en;q=0.9"}
		return r
	}
}

// ServeBare serves h on a free loopback port with the lab's server
// settings and nothing else, until the test ends; it returns the base URL.
func ServeBare(tb testing.TB, h http.Handler) string {
	tb.Helper()
	base, srv, err := serveBare(h)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Close() })
	return base
}

func serveBare(h http.Handler) (string, *http.Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		IdleTimeout: 120 * time.Second, MaxHeaderBytes: 256 << 10}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), srv, nil
}
