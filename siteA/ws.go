package siteA

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/model/trial"
)

// The live log's limits, as in gorilla/websocket's chat example.
const (
	writeWait      = 10 * time.Second // a write that takes longer evicts the client
	pongWait       = 60 * time.Second // a client silent for longer is gone
	pingPeriod     = pongWait * 9 / 10
	maxMessageSize = 64 << 10 // bytes of one message from the page
	replay         = 500      // recent events a new client gets first
)

// Hello is the first frame a live-log client gets.
type Hello struct {
	Kind      string          `json:"kind"` // "hello"
	SiteBPort string          `json:"siteBPort"`
	Policy    json.RawMessage `json:"policy"`
	// PolicySeq is the seq of the event that announced Policy (0: none
	// did): the policy events up to it, replayed after the hello, are
	// older, and the page's editor draws none of them over Policy.
	PolicySeq uint64 `json:"policySeq"`
	// Started identifies this run of the lab: a page that reconnects and
	// sees another value knows the lab restarted and its log is new.
	Started time.Time `json:"started"`
	// Upstream is the URL site B proxies to, when it is a proxy.
	Upstream string `json:"upstream,omitempty"`
}

// message is what the page sends: "announce" before a fetch() starts,
// "outcome" when it settles.
type message struct {
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Request *trial.Request `json:"request,omitempty"`
	Outcome *trial.Outcome `json:"outcome,omitempty"`
	// Origin is "null" for a fetch() the page made from a sandboxed
	// iframe; otherwise the trial's origin is the connection's.
	Origin string `json:"origin,omitempty"`
}

// serveWS runs the live log for one client: GET /lab/ws.
//
// Server to client: text frames of one or more events, newline-separated
// JSON (journal.Event), after a first Hello frame: first up to replay
// recent events, then the broadcaster's frames (broadcast.go), the same
// prepared bytes for every client. Client to server: one JSON message per
// frame (message). A client that falls further behind than the history
// keeps, or whose writes stall past writeWait, is closed with a reason; it
// can reconnect. Nobody else waits for it.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	// No write buffer per connection: the broadcaster's frames are written
	// straight from their shared bytes, and the hello and the replay
	// borrow a buffer from the pool for the time of one message.
	up := websocket.Upgrader{CheckOrigin: s.originAllowed, WriteBufferSize: 64 << 10, WriteBufferPool: &writeBuffers}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered (403 for a foreign origin)
	}
	c := &wsClient{conn: conn, wake: make(chan struct{}, 1), closing: make(chan closeMsg, 1), pings: make(chan string, 1)}
	ctx, cancel := context.WithCancel(s.ctx)
	go func() {
		defer cancel()
		s.readPump(c, peer{origin: r.Header.Get("Origin"), userAgent: r.Header.Get("User-Agent")})
	}()
	s.writePump(ctx, c)
	cancel()
	conn.Close()
}

// writeBuffers are the live log's write buffers, lent for one message
// (websocket.BufferPool): a replay frame batches many events, and 64 KiB
// writes it in one or two syscalls instead of gorilla's 4 KiB pieces.
var writeBuffers sync.Pool

// wsClient is one live-log connection. Its writer goroutine is the only
// one that writes to it — the broadcaster's frames go straight to the
// socket, past gorilla's write lock — so the reader hands it the pongs
// and the close to send.
//
// The writer waits on one channel, wake, for all it does: a new frame (the
// broadcaster), a ping to answer or a close to send (the reader), a ping
// of its own due (a timer), the lab stopping (the context). The other
// channels are read without waiting once it is awake.
type wsClient struct {
	conn    *websocket.Conn
	wake    chan struct{} // capacity 1: a token when there may be something to do
	closing chan closeMsg // the close frame the reader wants sent
	pings   chan string   // pings from the client, to answer
	pingDue atomic.Bool   // time for the writer's own ping
}

// nudge wakes the writer (a token is enough; one may be waiting already).
func (c *wsClient) nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

type closeMsg struct {
	code   int
	reason string
}

// close asks the writer to close with code and reason (the first asked wins).
func (c *wsClient) close(code int, reason string) {
	select {
	case c.closing <- closeMsg{code, reason}:
	default:
	}
	c.nudge()
}

func (s *Server) writePump(ctx context.Context, c *wsClient) {
	conn := c.conn
	next, covered := s.live.join(c.wake)
	defer s.live.leave(c.wake)
	policyDoc, policySeq := s.announcedPolicy()
	hello, _ := json.Marshal(Hello{Kind: "hello", SiteBPort: s.cfg.SiteBPort, Policy: policyDoc, PolicySeq: policySeq, Started: s.started, Upstream: s.cfg.Upstream})
	conn.SetWriteDeadline(time.Now().Add(writeWait))
	if conn.WriteMessage(websocket.TextMessage, hello) != nil {
		return
	}
	if !s.writeReplay(conn, covered) {
		return
	}
	seq := covered + 1 // the next event to send
	ping := time.AfterFunc(pingPeriod, func() { c.pingDue.Store(true); c.nudge() })
	defer ping.Stop()
	defer context.AfterFunc(ctx, c.nudge)()
	var frames []*frame
	var bufs, iov net.Buffers
	for {
		if !c.control(ctx, ping) {
			return
		}
		var lost uint64
		frames, lost = s.live.pending(frames[:0], next, seq, maxWrite)
		if lost > 0 {
			closeWith(conn, websocket.ClosePolicyViolation, fmt.Sprintf("too slow: fell %d events behind; reconnect", lost))
			return
		}
		if len(frames) == 0 {
			<-c.wake // a frame, or something for control
			continue
		}
		bufs = bufs[:0]
		for _, f := range frames {
			bufs = append(bufs, f.wire)
		}
		iov = bufs // WriteTo consumes iov, not bufs' array
		nc := conn.NetConn()
		nc.SetWriteDeadline(time.Now().Add(writeWait))
		if _, err := iov.WriteTo(nc); err != nil {
			return
		}
		last := frames[len(frames)-1]
		next, seq = next+uint64(len(frames)), last.last+1
		clear(frames) // let the frames go with the history
		clear(bufs)
	}
}

// control does what the writer has to besides frames, without waiting:
// the close the reader asked for, the end of the lab, a pong to send, its
// own ping when due (re-arming ping). false: the connection is done.
func (c *wsClient) control(ctx context.Context, ping *time.Timer) bool {
	select {
	case m := <-c.closing: // the reader stopped on a bad message, or the page closed
		closeWith(c.conn, m.code, m.reason)
		return false
	default:
	}
	if ctx.Err() != nil {
		return false
	}
	select {
	case data := <-c.pings:
		if c.conn.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(writeWait)) != nil {
			return false
		}
	default:
	}
	if c.pingDue.Swap(false) {
		if c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
			return false
		}
		ping.Reset(pingPeriod)
	}
	return true
}

// maxWrite is about the most bytes of frames a writer sends in one write.
const maxWrite = 4 << 20

// writeReplay sends the last replay events through covered, in frames of
// up to maxFrameEvents.
func (s *Server) writeReplay(conn *websocket.Conn, covered uint64) bool {
	hub := s.journal.Hub()
	recent := hub.Recent(replay + int(hub.Published()-covered))
	for len(recent) > 0 && recent[len(recent)-1].Seq > covered {
		recent = recent[:len(recent)-1] // the broadcaster's frames carry these
	}
	recent = recent[max(0, len(recent)-replay):]
	for len(recent) > 0 {
		batch := recent[:min(len(recent), maxFrameEvents)]
		recent = recent[len(batch):]
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		fw, err := conn.NextWriter(websocket.TextMessage)
		if err != nil {
			return false
		}
		for i, e := range batch {
			if i > 0 {
				fw.Write([]byte{'\n'})
			}
			fw.Write(e.JSON())
		}
		if fw.Close() != nil {
			return false
		}
	}
	return true
}

// readPump reads the page's messages until the connection ends. It writes
// nothing itself: pongs and closes go through the writer (wsClient).
// peer is the page at the other end of a live-log connection: its origin,
// and its User-Agent, which tells whose words its trials are explained in
// when site B saw nothing of them (fetch() refused them before sending).
type peer struct{ origin, userAgent string }

func (s *Server) readPump(c *wsClient, p peer) {
	conn := c.conn
	conn.SetReadLimit(maxMessageSize)
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	conn.SetPingHandler(func(data string) error {
		select {
		case c.pings <- data:
		default: // one is waiting to be answered already
		}
		c.nudge()
		return nil
	})
	conn.SetCloseHandler(func(code int, _ string) error {
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		c.close(code, "") // echo the close (RFC 6455 §5.5.1)
		return nil
	})
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(pongWait))
		if err := s.handle(data, p); err != nil {
			c.close(websocket.CloseUnsupportedData, err.Error())
			return
		}
	}
}

// handle applies one message from the page.
func (s *Server) handle(data []byte, p peer) error {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("message is not JSON: %v", err)
	}
	switch {
	case m.Type == "announce" && m.Request != nil:
		origin := p.origin
		if m.Origin == "null" {
			origin = "null"
		}
		return s.journal.AnnounceFrom(m.ID, origin, p.userAgent, *m.Request)
	case m.Type == "outcome" && m.Outcome != nil:
		// An outcome for a trial the journal no longer knows (the lab
		// restarted, or the trial aged out) is stale, not hostile: drop it.
		if s.journal.Settle(m.ID, *m.Outcome) == nil {
			s.lessons.check(m.ID)
		}
		return nil
	}
	return fmt.Errorf("message type %q: want announce with request, or outcome with outcome", m.Type)
}

// sleep waits for d on t, or until ctx ends (false).
func sleep(ctx context.Context, t *time.Timer, d time.Duration) bool {
	t.Reset(d) // since Go 1.23, Reset leaves no stale tick in t.C
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func closeWith(conn *websocket.Conn, code int, reason string) {
	if len(reason) > 120 { // a close frame's payload is at most 125 bytes
		cut := 120
		for cut > 0 && !utf8.RuneStart(reason[cut]) { // the reason must stay UTF-8 (RFC 6455 §5.5.1)
			cut--
		}
		reason = reason[:cut]
	}
	conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
}
