package siteA

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

func (l *lab) wsURL() string { return "ws" + strings.TrimPrefix(l.ts.URL, "http") + "/lab/ws" }

// dialWith opens the live log with dialer d, sending origin unless it is "".
func (l *lab) dialWith(d *websocket.Dialer, origin string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	c, resp, err := d.Dial(l.wsURL(), h)
	if c != nil {
		c.SetReadLimit(64 << 20)
	}
	return c, resp, err
}

// dial opens the live log and reads its hello.
func (l *lab) dial(t *testing.T, origin string) (*websocket.Conn, Hello) {
	t.Helper()
	c, _, err := l.dialWith(&websocket.Dialer{HandshakeTimeout: 5 * time.Second}, origin)
	if err != nil {
		t.Fatalf("dial with Origin %q: %v", origin, err)
	}
	t.Cleanup(func() { c.Close() })
	return c, readHello(t, c)
}

func readHello(t *testing.T, c *websocket.Conn) Hello {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	typ, data, err := c.ReadMessage()
	if err != nil {
		t.Fatalf("reading the hello: %v", err)
	}
	var h Hello
	if err := json.Unmarshal(data, &h); err != nil || typ != websocket.TextMessage || h.Kind != "hello" {
		t.Fatalf("first frame (type %d) is not a hello: %s (%v)", typ, data, err)
	}
	return h
}

// wireEvent is a journal.Event as it arrives.
type wireEvent struct {
	Seq      uint64                `json:"seq"`
	Kind     journal.Kind          `json:"kind"`
	Exchange *journal.Exchange     `json:"exchange"`
	Policy   *journal.PolicyChange `json:"policy"`
	Trial    *journal.Trial        `json:"trial"`
}

// readFrame reads one frame of newline-separated events.
func readFrame(c *websocket.Conn) ([]wireEvent, error) {
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	typ, data, err := c.ReadMessage()
	if err != nil {
		return nil, err
	}
	if typ != websocket.TextMessage {
		return nil, fmt.Errorf("frame type %d", typ)
	}
	var out []wireEvent
	for line := range bytes.SplitSeq(data, []byte{'\n'}) {
		var e wireEvent
		if err := json.Unmarshal(line, &e); err != nil {
			return nil, fmt.Errorf("event %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// stream reads a client's events, checking that they come in seq order
// with no gaps.
type stream struct {
	c    *websocket.Conn
	last uint64 // seq of the last event read; 0 before any
	got  []wireEvent
}

// until reads until the event with sequence number seq has arrived.
func (s *stream) until(t *testing.T, seq uint64) {
	t.Helper()
	for s.last < seq {
		events, err := readFrame(s.c)
		if err != nil {
			t.Fatalf("after seq %d, waiting for %d: %v", s.last, seq, err)
		}
		s.add(t, events)
	}
}

func (s *stream) add(t *testing.T, events []wireEvent) {
	t.Helper()
	for _, e := range events {
		if s.last != 0 && e.Seq != s.last+1 {
			t.Fatalf("seq %d after %d", e.Seq, s.last)
		}
		s.last = e.Seq
		s.got = append(s.got, e)
	}
}

// closeErr reads until the connection ends and returns how.
func (s *stream) closeErr(t *testing.T) error {
	t.Helper()
	for {
		events, err := readFrame(s.c)
		if err != nil {
			return err
		}
		s.add(t, events)
	}
}

func wantClose(t *testing.T, err error, code int, textPrefix string) {
	t.Helper()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) {
		t.Fatalf("connection ended with %v, want close %d %q", err, code, textPrefix)
	}
	if ce.Code != code || !strings.HasPrefix(ce.Text, textPrefix) {
		t.Errorf("close %d %q, want %d %q…", ce.Code, ce.Text, code, textPrefix)
	}
}

func publishPolicies(j *journal.Journal, n int) {
	for i := range n {
		j.PolicyChanged(fmt.Sprint("test ", i), []byte(`{}`))
	}
}

func TestWSOrigin(t *testing.T) {
	tests := []struct {
		desc   string
		cfg    func(port string) Config
		origin func(l *lab) string
		wantOK bool
	}{
		{"no Origin", loopbackOrigins, func(*lab) string { return "" }, true},
		{"localhost", loopbackOrigins, func(l *lab) string { return "http://localhost:" + l.port }, true},
		{"127.0.0.1", loopbackOrigins, func(l *lab) string { return "http://127.0.0.1:" + l.port }, true},
		{"[::1]", loopbackOrigins, func(l *lab) string { return "http://[::1]:" + l.port }, true},
		{"a foreign site", loopbackOrigins, func(*lab) string { return "http://evil.example" }, false},
		{"site B: same host, other port", loopbackOrigins, func(*lab) string { return "http://localhost:" + siteBPort }, false},
		{"https", loopbackOrigins, func(l *lab) string { return "https://localhost:" + l.port }, false},
		{"opaque origin", loopbackOrigins, func(*lab) string { return "null" }, false},
		{"LAN: a configured address", lanOrigins, func(l *lab) string { return "http://10.0.0.5:" + l.port }, true},
		{"LAN: another host", lanOrigins, func(l *lab) string { return "http://10.0.0.9:" + l.port }, false},
		{"LAN: https", lanOrigins, func(l *lab) string { return "https://10.0.0.5:" + l.port }, false},
		{"LAN: host with a path", lanOrigins, func(l *lab) string { return "http://10.0.0.5:" + l.port + "/" }, false},
		{"the request's Host is not enough (DNS rebinding)", func(string) Config { return Config{} },
			func(l *lab) string { return "http://127.0.0.1:" + l.port }, false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			l := newLab(t, 64, tt.cfg, nil)
			origin := tt.origin(l)
			c, resp, err := l.dialWith(&websocket.Dialer{HandshakeTimeout: 5 * time.Second}, origin)
			if !tt.wantOK {
				if err == nil {
					c.Close()
					t.Fatalf("Origin %q: upgraded, want 403", origin)
				}
				if !errors.Is(err, websocket.ErrBadHandshake) || resp == nil || resp.StatusCode != http.StatusForbidden {
					t.Errorf("Origin %q: %v (%v), want 403", origin, err, resp)
				}
				if n := l.j.Hub().Subscribers(); n != 0 {
					t.Errorf("a refused client subscribed: %d", n)
				}
				return
			}
			if err != nil {
				t.Fatalf("Origin %q: %v", origin, err)
			}
			defer c.Close()
			readHello(t, c)
			if n := l.j.Hub().Subscribers(); n != 1 {
				t.Errorf("%d subscribers, want 1", n)
			}
		})
	}
}

// lanOrigins is Config.Origins as the lab sets it under -lan on a machine
// whose address is 10.0.0.5.
func lanOrigins(port string) Config {
	c := loopbackOrigins(port)
	c.Origins = append(c.Origins, "http://10.0.0.5:"+port)
	return c
}

func TestWSHello(t *testing.T) {
	l := newLab(t, 64, loopbackOrigins, nil)
	p, err := policy.ParsePolicy([]byte(`{"preflight": {"status": 200, "headers": {"Access-Control-Allow-Origin": "{origin}"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	l.b.SetPolicy(p, "test")
	_, hello := l.dial(t, "")
	if hello.SiteBPort != siteBPort {
		t.Errorf("hello siteBPort = %q", hello.SiteBPort)
	}
	if hello.Upstream != "" {
		t.Errorf("hello upstream = %q, want none when site B is not a proxy", hello.Upstream)
	}
	var got, want any
	json.Unmarshal(hello.Policy, &got)
	json.Unmarshal(p.JSON(), &want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("hello policy = %s, want %s", hello.Policy, p.JSON())
	}
	if _, seq := l.j.LastPolicy(); seq == 0 || hello.PolicySeq != seq {
		t.Errorf("hello policySeq = %d, want the seq of the event that announced it (%d)", hello.PolicySeq, seq)
	}
}

func TestWSReplayThenLive(t *testing.T) {
	tests := []struct {
		desc      string
		before    int // events published before the client connects
		wantFirst uint64
	}{
		{"empty history", 0, 1},
		{"short history: all of it", 5, 1},
		{"long history: the last replay events", replay + 100, 101},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			l := newLab(t, 4096, loopbackOrigins, nil)
			publishPolicies(l.j, tt.before)
			c, _ := l.dial(t, "")
			s := &stream{c: c}
			if tt.before > 0 {
				s.until(t, uint64(tt.before))
				if first := s.got[0].Seq; first != tt.wantFirst {
					t.Errorf("first replayed seq %d, want %d", first, tt.wantFirst)
				}
			}
			// Live events follow, from several publishers at once.
			const publishers, each = 4, 100
			var wg sync.WaitGroup
			for range publishers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					publishPolicies(l.j, each)
				}()
			}
			wg.Wait()
			s.until(t, uint64(tt.before+publishers*each))
			if s.got[0].Seq != tt.wantFirst {
				t.Errorf("first seq %d, want %d", s.got[0].Seq, tt.wantFirst)
			}
			if s.last != uint64(tt.before+publishers*each) {
				t.Errorf("last seq %d", s.last)
			}
		})
	}
}

func TestWSAnnounceAndOutcome(t *testing.T) {
	l := newLab(t, 256, loopbackOrigins, nil)
	origin := "http://localhost:" + l.port
	c, _ := l.dial(t, origin)
	s := &stream{c: c}
	req := trial.Request{Label: "PUT json", Method: "PUT", URL: "http://localhost:7071/api/items/1",
		Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"name":"x"}`, Credentials: "omit", Mode: "cors"}
	out := trial.Outcome{OK: false, Error: "TypeError: Failed to fetch"}
	send := func(v any) {
		t.Helper()
		if err := c.WriteJSON(v); err != nil {
			t.Fatal(err)
		}
	}
	send(map[string]any{"type": "announce", "id": "t-1", "request": req})
	// Site B sees the preflight, carrying the trial in its Referer.
	r, _ := http.NewRequest("OPTIONS", "http://localhost:7071/api/items/1", nil)
	r.Header.Set("Origin", origin)
	r.Header.Set("Access-Control-Request-Method", "PUT")
	r.Header.Set("Referer", origin+"/trial/t-1")
	poll.Until(t, 10*time.Second, "the announcement", func() bool { _, ok := l.j.Trial("t-1"); return ok })
	l.b.ServeHTTP(discard{}, r)
	send(map[string]any{"type": "outcome", "id": "t-1", "outcome": out})

	// The live log shows the trial growing: announced, the exchange (which
	// names its trial), the outcome (carrying the exchange).
	var trials []*journal.Trial
	var exchanges []*journal.Exchange
	for i := 0; len(trials) == 0 || trials[len(trials)-1].Outcome == nil; i++ {
		if i == len(s.got) {
			s.until(t, s.last+1) // a frame may carry several events
		}
		switch e := s.got[i]; e.Kind {
		case journal.KindTrial:
			trials = append(trials, e.Trial)
		case journal.KindExchange:
			exchanges = append(exchanges, e.Exchange)
		}
	}
	if len(trials) != 2 || len(trials[0].Exchanges) != 0 || len(trials[1].Exchanges) != 1 {
		t.Fatalf("trial events: %s", jsonOf(trials))
	}
	if len(exchanges) != 1 || exchanges[0].Trial != "t-1" {
		t.Fatalf("exchange events: %s", jsonOf(exchanges))
	}
	got, ok := l.j.Trial("t-1")
	if !ok {
		t.Fatal("no trial t-1")
	}
	if got.Origin != origin || !reflect.DeepEqual(got.Request, req) || got.Outcome == nil || !reflect.DeepEqual(*got.Outcome, out) {
		t.Errorf("trial = %+v", got)
	}
	if len(got.Exchanges) != 1 || !got.Exchanges[0].Preflight || got.Exchanges[0].Status != 204 {
		t.Errorf("trial exchanges = %+v", got.Exchanges)
	}
	if a, b := jsonOf(trials[1]), jsonOf(got); a != b {
		t.Errorf("last trial event %s, journal has %s", a, b)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestWSStaleOutcome: an outcome for a trial the journal does not know
// (the lab restarted, or it aged out) is dropped; the connection stays.
func TestWSStaleOutcome(t *testing.T) {
	l := newLab(t, 64, loopbackOrigins, nil)
	c, _ := l.dial(t, "")
	for _, m := range []string{
		`{"type": "outcome", "id": "t9", "outcome": {"ok": true}}`,
		`{"type": "announce", "id": "t10", "request": {"method": "GET"}}`,
	} {
		if err := c.WriteMessage(websocket.TextMessage, []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	s := &stream{c: c}
	s.until(t, 1)
	if e := s.got[0]; e.Kind != journal.KindTrial || e.Trial.ID != "t10" {
		t.Errorf("first event %+v, want trial t10's announcement", e)
	}
	if _, ok := l.j.Trial("t9"); ok {
		t.Error("the stale outcome made a trial")
	}
}

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return len(b), nil }
func (discard) WriteHeader(int)             {}

func TestWSBadMessages(t *testing.T) {
	tests := []struct {
		desc     string
		msg      []byte
		wantCode int
		wantText string // a prefix
	}{
		{"garbage", []byte("hello?"), websocket.CloseUnsupportedData, "message is not JSON: invalid character 'h'"},
		{"JSON, not an object", []byte(`[1]`), websocket.CloseUnsupportedData, "message is not JSON: json: cannot unmarshal array"},
		{"unknown type", []byte(`{"type": "subscribe"}`), websocket.CloseUnsupportedData,
			`message type "subscribe": want announce with request, or outcome with outcome`},
		{"announce without a request", []byte(`{"type": "announce", "id": "t1"}`), websocket.CloseUnsupportedData,
			`message type "announce": want announce with request`},
		{"announce with a bad id", []byte(`{"type": "announce", "id": "a b", "request": {}}`), websocket.CloseUnsupportedData,
			`trial id "a b": only letters, digits, '-' and '_' are allowed`},
		{"a long reason is cut, still UTF-8", []byte(`{"type": "` + strings.Repeat("€", 100) + `"}`), websocket.CloseUnsupportedData,
			`message type "€€€`},
		{"over 64 KiB", append([]byte(`{"type": "`), bytes.Repeat([]byte("x"), maxMessageSize)...), websocket.CloseMessageTooBig, ""},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			l := newLab(t, 64, loopbackOrigins, nil)
			c, _ := l.dial(t, "")
			if err := c.WriteMessage(websocket.TextMessage, tt.msg); err != nil {
				t.Fatal(err)
			}
			err := (&stream{c: c}).closeErr(t)
			wantClose(t, err, tt.wantCode, tt.wantText)
			var ce *websocket.CloseError
			if errors.As(err, &ce) && (!utf8.ValidString(ce.Text) || len(ce.Text) > 123) {
				t.Errorf("close reason %q: not UTF-8 or too long", ce.Text)
			}
			poll.Until(t, 10*time.Second, "unsubscribed", func() bool { return l.j.Hub().Subscribers() == 0 })
		})
	}
}

// TestWSMessageAtTheLimit: a message of exactly 64 KiB is read, and what the
// journal keeps of its body is clipped, saying so.
func TestWSMessageAtTheLimit(t *testing.T) {
	l := newLab(t, 64, loopbackOrigins, nil)
	c, _ := l.dial(t, "")
	head := `{"type": "announce", "id": "big", "request": {"method": "POST", "url": "u", "body": "`
	tail := `"}}`
	msg := head + strings.Repeat("b", maxMessageSize-len(head)-len(tail)) + tail
	if len(msg) != maxMessageSize {
		t.Fatalf("message of %d bytes", len(msg))
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	s := &stream{c: c}
	s.until(t, 1)
	if e := s.got[0]; e.Kind != journal.KindTrial || e.Trial.ID != "big" || !strings.HasPrefix(e.Trial.Request.Body, "bbb") ||
		!strings.Contains(e.Trial.Request.Body, journal.ClipMark) || len(e.Trial.Request.Body) > 4<<10 {
		t.Errorf("event %+v", e)
	}
}

// smallBuffers makes the server's sockets buffer little, so that a client
// that stops reading stalls the server's writes soon.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(32 << 10)
	}
	return c, err
}

// TestWSSlowClientIsEvicted: a client that stops reading falls behind a
// tiny history while another keeps up; publishing never waits for it, the
// other client gets every event in order, and the slow one, once it reads
// again, is told it fell behind and is closed.
func TestWSSlowClientIsEvicted(t *testing.T) {
	const history = 16
	l := newLab(t, history, loopbackOrigins, func(ln net.Listener) net.Listener { return smallBuffers{ln} })

	stalledDialer := &websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetReadBuffer(32 << 10)
			}
			return c, err
		},
	}
	stalledConn, _, err := l.dialWith(stalledDialer, "")
	if err != nil {
		t.Fatal(err)
	}
	defer stalledConn.Close()
	readHello(t, stalledConn) // subscribed; now it stops reading
	goodConn, _ := l.dial(t, "")
	good := &stream{c: goodConn}

	// First an event larger than the stalled client's sockets hold (about
	// 128 KB): its writer blocks on it until the client reads again, so it
	// cannot notice that it falls behind before then. Then many more, in
	// bursts of half the history, the good client catching up after each.
	l.j.Record(&journal.Exchange{Method: "GET", Path: "/" + strings.Repeat("x", 1<<20), Status: 200})
	published := uint64(1)
	good.until(t, published)
	const bursts, burst = 40, history / 2
	for range bursts {
		for range burst {
			l.j.Record(&journal.Exchange{Method: "GET", Path: "/small", Status: 200})
		}
		published += burst
		good.until(t, published)
	}
	if good.got[0].Seq != 1 || good.last != published {
		t.Errorf("good client got %d..%d, want 1..%d", good.got[0].Seq, good.last, published)
	}

	// The stalled client reads again: what was in flight, in order, then
	// the close that says it fell behind.
	stalled := &stream{c: stalledConn}
	wantClose(t, stalled.closeErr(t), websocket.ClosePolicyViolation, "too slow: fell ")
	if len(stalled.got) > 0 && stalled.got[0].Seq != 1 || stalled.last >= published-history {
		t.Errorf("stalled client read %d events up to seq %d, of %d", len(stalled.got), stalled.last, published)
	}
	t.Logf("stalled client read %d events before its close", len(stalled.got))
	poll.Until(t, 10*time.Second, "the stalled client unsubscribed", func() bool { return l.j.Hub().Subscribers() == 1 })

	// The good client is still there and still in order.
	l.j.PolicyChanged("after", []byte(`{}`))
	good.until(t, published+1)
}

func TestWSCloseEndsConnections(t *testing.T) {
	l := newLab(t, 64, loopbackOrigins, nil)
	var streams []*stream
	for range 3 {
		c, _ := l.dial(t, "")
		streams = append(streams, &stream{c: c})
	}
	poll.Until(t, 10*time.Second, "three subscribers", func() bool { return l.j.Hub().Subscribers() == 3 })
	l.a.Close()
	for i, s := range streams {
		err := s.closeErr(t)
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Errorf("client %d: still open after Close: %v", i, err)
		}
	}
	poll.Until(t, 10*time.Second, "no subscribers", func() bool { return l.j.Hub().Subscribers() == 0 })
}

// In proxy mode the hello names the upstream, for the page's header.
func TestWSHelloUpstream(t *testing.T) {
	const upstream = "http://localhost:3000/api"
	l := newLab(t, 64, func(string) Config { return Config{SiteBPort: siteBPort, Upstream: upstream} }, nil)
	if _, hello := l.dial(t, ""); hello.Upstream != upstream {
		t.Errorf("hello upstream = %q, want %q", hello.Upstream, upstream)
	}
}
