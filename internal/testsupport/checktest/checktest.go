// Package checktest gives tests of `corslab check` the two servers a probe
// must fail on clearly: a port nothing listens on, and one that never answers.
package checktest

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

// ClosedURL returns http://127.0.0.1:port/api on a loopback port that was
// free a moment ago and is closed now: a request to it is refused.
func ClosedURL(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/api"
	ln.Close()
	return url
}

// Hanging starts a server that accepts every request and never answers it
// (until the request is cancelled or the test ends).
func Hanging(t testing.TB) *httptest.Server {
	t.Helper()
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) }) // cleanups run last-in first: release, then close
	return hang
}
