package siteB

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// Proxy mode (corslab -upstream URL): site B is a reverse proxy to the
// user's own server instead of serving its endpoints. Every request goes
// upstream, preflights included — the upstream's own preflight handling is
// often the bug being reproduced — and site B's policy then overrides the
// upstream's answer header by header: a header the policy names replaces
// the upstream's (or removes it, when its placeholder fills in nothing), a
// header it does not name passes through untouched, and a preflight's status
// changes only when the policy sets one. So the closed policy, the default,
// is a pure pass-through: the browser sees what the upstream sends. The
// journal records the upstream's own status and headers beside what went to
// the browser.

// Timeouts of proxy mode: an upstream that does not answer gives a 502 or
// 504 with a clear body, never a hang.
const (
	UpstreamDialTimeout   = 5 * time.Second
	UpstreamHeaderTimeout = 30 * time.Second
)

// ParseUpstream checks the -upstream URL: http or https, a host, no user
// name or password, no fragment. A path is kept as a prefix of every
// proxied path.
func ParseUpstream(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, errors.New("not a URL; want e.g. http://localhost:3000")
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("want an http:// or https:// URL, e.g. http://localhost:3000")
	case u.Host == "" || u.Hostname() == "":
		return nil, errors.New("no host; want e.g. http://localhost:3000")
	case u.User != nil:
		return nil, errors.New("a user name or password in the URL is not supported")
	case u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return nil, errors.New("a fragment (#…) means nothing to a server")
	}
	return u, nil
}

// NewProxy returns site B in proxy mode: every request is forwarded to
// upstream (see ParseUpstream) and answered under the policy's overrides,
// each exchange recorded into rec.
func NewProxy(rec Recorder, upstream *url.URL) *Server {
	s := New(rec)
	s.proxy = newProxy(upstream, UpstreamDialTimeout, UpstreamHeaderTimeout)
	return s
}

// Upstream returns the server site B proxies to, or nil when site B serves
// its own endpoints.
func (s *Server) Upstream() *url.URL {
	if s.proxy == nil {
		return nil
	}
	u := *s.proxy.upstream
	return &u
}

// proxy forwards site B's requests to the upstream.
type proxy struct {
	upstream      *url.URL
	rp            *httputil.ReverseProxy
	headerTimeout time.Duration
}

func newProxy(upstream *url.URL, dial, header time.Duration) *proxy {
	p := &proxy{upstream: upstream, headerTimeout: header}
	p.rp = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The upstream's own Host, as it expects, and its path as a
			// prefix. Forwarding it is safe only because every request that
			// gets here came under site B's own name: the lab refuses any
			// other Host first (internal/hostguard), so a DNS-rebinding page
			// cannot use site B to get past the upstream's own Host check.
			// X-Forwarded-Host carries the name the browser used.
			pr.SetURL(upstream)
			pr.SetXForwarded()
		},
		Transport: &http.Transport{
			Proxy:                 nil, // the user's server is local: never through $HTTP_PROXY
			DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   dial,
			ResponseHeaderTimeout: header,
			ExpectContinueTimeout: time.Second,
			ForceAttemptHTTP2:     true,
			MaxIdleConnsPerHost:   32,
			IdleConnTimeout:       90 * time.Second,
		},
		ModifyResponse: p.override,
		ErrorHandler:   p.fail,
		ErrorLog:       log.New(io.Discard, "", 0), // every failure is on the live log instead
	}
	return p
}

// proxyKey carries a proxied request's state from serve to override and fail.
type proxyKey struct{}

type proxied struct {
	x      *journal.Exchange
	policy *policy.Policy
	in     *http.Request // the browser's request: the policy's placeholders read it
}

// serve forwards r upstream under policy pol, recording into e.
func (p *proxy) serve(e *exchange, r *http.Request, pol *policy.Policy) {
	st := &proxied{x: &e.x, policy: pol, in: r}
	p.rp.ServeHTTP(dropInterim{&e.rec}, r.WithContext(context.WithValue(r.Context(), proxyKey{}, st)))
	if e.x.UpstreamStatus == http.StatusSwitchingProtocols && e.rec.status == 0 {
		// A protocol switch (a websocket) hijacks the connection without
		// WriteHeader: record it as it went.
		e.rec.status, e.rec.header = http.StatusSwitchingProtocols, maps.Clone(e.x.UpstreamHeader)
	}
}

func state(r *http.Request) *proxied {
	st, _ := r.Context().Value(proxyKey{}).(*proxied)
	return st
}

// override records the upstream's answer, then lays the policy over it.
func (p *proxy) override(resp *http.Response) error {
	st := state(resp.Request)
	if st == nil {
		return nil
	}
	x := st.x
	x.UpstreamStatus = resp.StatusCode
	x.UpstreamHeader = recordHeader(resp.Header, &x.Truncated)
	if x.Preflight && st.policy.SetsPreflightStatus() && resp.StatusCode != http.StatusSwitchingProtocols {
		// The policy answers the preflight: its status, and no body.
		resp.StatusCode = st.policy.PreflightStatus()
		resp.Status = fmt.Sprintf("%d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		resp.Body.Close()
		resp.Body, resp.ContentLength = http.NoBody, 0
		resp.Header.Del("Content-Length")
		resp.Header.Del("Content-Encoding")
	}
	st.policy.Override(resp.Header, st.in, x.Preflight)
	return nil
}

// fail answers when the upstream gave no answer: 502 (504 for a timeout)
// with a plain-text body naming the upstream and the cause, the policy's
// headers on it as on any answer, and the cause on the live log.
func (p *proxy) fail(w http.ResponseWriter, r *http.Request, err error) {
	st := state(r)
	reason, status := p.failure(err)
	if st != nil {
		st.x.UpstreamError = reason
		if st.x.Preflight {
			st.policy.WritePreflight(w.Header(), st.in)
		} else {
			st.policy.WriteActual(w.Header(), st.in)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	fmt.Fprintf(w, "corslab: upstream %s: %s\n", p.upstream, reason)
}

// failure says in a few words why the upstream gave no answer, and the
// status site B answers with.
func (p *proxy) failure(err error) (string, int) {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "the browser went away before the upstream answered", http.StatusBadGateway
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is your server running, on that port?)", http.StatusBadGateway
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the upstream", http.StatusBadGateway
	case errors.As(err, &dnsErr):
		return fmt.Sprintf("cannot resolve host %q", dnsErr.Name), http.StatusBadGateway
	case errors.As(err, &netErr) && netErr.Timeout(), errors.Is(err, context.DeadlineExceeded):
		if strings.Contains(err.Error(), "awaiting response headers") {
			return fmt.Sprintf("no answer within %v", p.headerTimeout), http.StatusGatewayTimeout
		}
		return "timed out: " + err.Error(), http.StatusGatewayTimeout
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the upstream closed the connection without an answer", http.StatusBadGateway
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Err.Error(), http.StatusBadGateway
	}
	return err.Error(), http.StatusBadGateway
}

// dropInterim keeps 1xx informational answers (103 Early Hints) from the
// browser: the recorder would take them for the final status. A protocol
// switch (101) is final and goes through. It also records a copy of the
// committed headers: ReverseProxy adds an upstream's trailers to the
// header map after the body, and those were not sent as headers.
type dropInterim struct{ *recordingWriter }

func (d dropInterim) WriteHeader(code int) {
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		return
	}
	first := d.status == 0
	d.recordingWriter.WriteHeader(code)
	if first {
		d.header = maps.Clone(d.header)
	}
}
