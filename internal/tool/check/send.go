package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
)

// client sends the probe's requests: never a redirect followed, never a
// cookie jar, each request bounded by the timeout.
type client struct {
	http    *http.Client
	timeout time.Duration
}

func newClient(opt Options) *client {
	t := opt.Transport
	if t == nil {
		t = http.DefaultTransport
	}
	if rt := recordingTransport(t); rt != nil {
		t = rt
	}
	return &client{
		http: &http.Client{
			Transport: t,
			// The browser follows no redirect of a preflight and judges every
			// answer of the actual request on its own: Run follows the
			// redirects the model says the browser follows, one hop at a time.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
			Timeout:       opt.Timeout,
		},
		timeout: opt.Timeout,
	}
}

// sentHop is a Hop and the error that ended it, if any.
type sentHop struct {
	*Hop
	err *NetError
}

// send makes one request with exactly the given header lines.
func (c *client) send(ctx context.Context, method string, target *url.URL, lines [][2]string, body string) sentHop {
	hop := &Hop{Method: method, URL: target.String(), Sent: lines}
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, hop.URL, rd)
	if err != nil { // a method that is not a token: fetch.Judge refuses those first
		return sentHop{hop, &NetError{Method: method, URL: hop.URL, Reason: err.Error(), Err: err}}
	}
	for _, kv := range lines {
		req.Header[http.CanonicalHeaderKey(kv[0])] = append(req.Header[http.CanonicalHeaderKey(kv[0])], kv[1])
	}
	var conn *recordingConn
	var from int
	req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
		GotConn: func(info httptrace.GotConnInfo) {
			if rc, ok := info.Conn.(*recordingConn); ok {
				conn, from = rc, rc.mark()
			}
		},
	}))
	start := time.Now()
	resp, err := c.http.Do(req)
	hop.Elapsed = time.Since(start)
	if err != nil {
		return sentHop{hop, &NetError{Method: method, URL: hop.URL, Reason: describe(err, c.timeout), Err: err}}
	}
	defer resp.Body.Close()
	hop.Proto = resp.Proto
	hop.Response = &fetch.Response{Status: resp.StatusCode, Header: resp.Header}
	if conn != nil { // the header lines as sent, not as Go's client edited them
		if data, ok := conn.since(from); ok {
			if h, ok := rawHeader(data, resp.StatusCode); ok {
				hop.Response.Header = h
			}
		}
	}
	hop.Body, err = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if len(hop.Body) > MaxBody {
		hop.Body, hop.BodyTruncated = hop.Body[:MaxBody], true
	}
	if err != nil { // the headers came, the body broke off: CORS is decided on the headers
		hop.BodyTruncated = true
	}
	hop.Elapsed = time.Since(start)
	return sentHop{Hop: hop}
}

// NetError is a request that got no HTTP answer.
type NetError struct {
	Method, URL string
	// Reason is the cause in a few words: "connection refused", "timed out
	// after 10s", "TLS error: …", "cannot resolve host …".
	Reason string
	Err    error
}

func (e *NetError) Error() string { return fmt.Sprintf("%s %s: %s", e.Method, e.URL, e.Reason) }
func (e *NetError) Unwrap() error { return e.Err }

// describe turns a transport error into the few words a person needs.
func describe(err error, timeout time.Duration) string {
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		netError net.Error
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "interrupted"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netError) && netError.Timeout():
		return fmt.Sprintf("timed out: no answer within %v (-timeout)", timeout)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is the server running, on that port?)"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Sprintf("cannot resolve host %q: no such host", dnsErr.Name)
		}
		return fmt.Sprintf("cannot resolve host %q: %v", dnsErr.Name, dnsErr.Err)
	case errors.As(err, &unknown):
		return "TLS error: certificate signed by an unknown authority (not trusted by this system)"
	case errors.As(err, &hostErr):
		return "TLS error: " + hostErr.Error()
	case errors.As(err, &invalid):
		return "TLS error: " + invalid.Error()
	case errors.As(err, &verify):
		return "TLS error: " + verify.Err.Error()
	case errors.As(err, &record):
		return "TLS error: the server does not speak TLS (try http://)"
	case errors.As(err, &alert):
		return "TLS error: " + alert.Error()
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "TLS error: the server answered in plain HTTP (try http://)"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection without an answer"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	if errors.As(err, &op) {
		err = op.Err
	}
	return err.Error()
}

// parseTarget checks the URL a probe can send to.
func parseTarget(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	if s := strings.ToLower(u.Scheme); (s != "http" && s != "https") || u.Host == "" {
		return nil, fmt.Errorf("%q: %w", raw, ErrBadURL)
	}
	if u.User != nil {
		return nil, fmt.Errorf("%q: a URL with a user name or password: fetch() refuses it", raw)
	}
	u.Fragment, u.RawFragment = "", "" // never sent
	return u, nil
}
