package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
)

// Go's client edits the header map of a response: it removes
// `Connection: close` (it only sets Response.Close) and `Transfer-Encoding`
// (moved to Response.TransferEncoding), among others. A browser keeps every
// line — under `Access-Control-Expose-Headers: *` JavaScript can read
// `connection` — so the probe reads the header block as the server sent it,
// from the bytes on the connection.

// maxRecorded bounds what a connection keeps of the bytes it read.
const maxRecorded = 1 << 20

// recordingConn keeps the bytes read from a connection (after TLS, when
// there is TLS), up to maxRecorded.
type recordingConn struct {
	net.Conn
	mu   sync.Mutex
	buf  []byte
	full bool
}

func (c *recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.mu.Lock()
		if len(c.buf)+n <= maxRecorded {
			c.buf = append(c.buf, p[:n]...)
		} else {
			c.full = true
		}
		c.mu.Unlock()
	}
	return n, err
}

// mark is how many bytes were read so far: a response on a reused
// connection starts there.
func (c *recordingConn) mark() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.buf)
}

// since returns the bytes read from offset on, or false when some were not kept.
func (c *recordingConn) since(off int) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.full || off > len(c.buf) {
		return nil, false
	}
	return append([]byte(nil), c.buf[off:]...), true
}

// recordingTransport returns a transport that sends as t does but over
// recording connections (HTTP/1.1: the header block of HTTP/2 is not text
// on the wire), or nil when t is not an *http.Transport.
func recordingTransport(t http.RoundTripper) *http.Transport {
	ht, ok := t.(*http.Transport)
	if !ok {
		return nil
	}
	rt := ht.Clone()
	dial := rt.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	rt.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &recordingConn{Conn: c}, nil
	}
	cfg := rt.TLSClientConfig
	rt.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		conf := &tls.Config{}
		if cfg != nil {
			conf = cfg.Clone()
		}
		if conf.ServerName == "" {
			host, _, _ := net.SplitHostPort(addr)
			conf.ServerName = host
		}
		conf.NextProtos = []string{"http/1.1"}
		tc := tls.Client(c, conf)
		if err := tc.HandshakeContext(ctx); err != nil {
			c.Close()
			return nil, err
		}
		return &recordingConn{Conn: tc}, nil
	}
	rt.ForceAttemptHTTP2 = false
	rt.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	return rt
}

// rawHeader parses the header block of the final response in data (1xx
// answers skipped): every line as sent, names canonicalized as keys, values
// in order. ok is false when data holds no complete block with that status.
func rawHeader(data []byte, status int) (http.Header, bool) {
	for {
		end := bytes.Index(data, []byte("\r\n\r\n"))
		if end < 0 {
			return nil, false
		}
		block := string(data[:end])
		data = data[end+4:]
		statusLine, rest, _ := strings.Cut(block, "\r\n")
		fields := strings.Fields(statusLine)
		if len(fields) < 2 || !strings.HasPrefix(fields[0], "HTTP/") {
			return nil, false
		}
		code, err := strconv.Atoi(fields[1])
		if err != nil {
			return nil, false
		}
		if code >= 100 && code <= 199 && code != status {
			continue
		}
		if code != status {
			return nil, false
		}
		h := http.Header{}
		if rest == "" {
			return h, true
		}
		for _, line := range strings.Split(rest, "\r\n") {
			if line != "" && (line[0] == ' ' || line[0] == '\t') {
				return nil, false // obsolete line folding: let Go's parser have it
			}
			name, value, ok := strings.Cut(line, ":")
			if !ok || name == "" || strings.ContainsAny(name, " \t") {
				return nil, false
			}
			key := textproto.CanonicalMIMEHeaderKey(name)
			h[key] = append(h[key], strings.Trim(value, " \t"))
		}
		return h, true
	}
}
