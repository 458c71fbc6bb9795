package siteA

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// The live log's limits, as in gorilla/websocket's chat example.
const (
	writeWait      = 10 * time.Second // a write that takes longer evicts the client
	pongWait       = 60 * time.Second // a client silent for longer is gone
	pingPeriod     = pongWait * 9 / 10
	maxMessageSize = 64 << 10 // bytes of one message from the page
	replay         = 500      // recent events a new client gets first
	maxBatch       = 256      // events sent in one frame
)

// Hello is the first frame a live-log client gets.
type Hello struct {
	Kind      string          `json:"kind"` // "hello"
	SiteBPort string          `json:"siteBPort"`
	Policy    json.RawMessage `json:"policy"`
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
// JSON (journal.Event), after a first Hello frame. Client to server: one
// JSON message per frame (message). A client that falls further behind
// than the history keeps, or whose writes stall past writeWait, is closed
// with a reason; it can reconnect. Nobody else waits for it.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	// A frame batches many events; a 64 KiB buffer writes it in one or two
	// syscalls instead of gorilla's default 4 KiB pieces (BENCHMARKS.md).
	up := websocket.Upgrader{CheckOrigin: s.originAllowed, WriteBufferSize: 64 << 10}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered (403 for a foreign origin)
	}
	ctx, cancel := context.WithCancel(s.ctx)
	sub := s.journal.Hub().Subscribe(replay)
	go func() {
		defer cancel()
		s.readPump(conn, r.Header.Get("Origin"))
	}()
	go ping(ctx, conn)
	s.writePump(ctx, conn, sub)
	cancel()
	sub.Close()
	conn.Close()
}

func (s *Server) writePump(ctx context.Context, conn *websocket.Conn, sub *journal.Subscription) {
	hello, _ := json.Marshal(Hello{Kind: "hello", SiteBPort: s.cfg.SiteBPort, Policy: s.policy.PolicyJSON(), Started: s.started, Upstream: s.cfg.Upstream})
	conn.SetWriteDeadline(time.Now().Add(writeWait))
	if conn.WriteMessage(websocket.TextMessage, hello) != nil {
		return
	}
	var buf []*journal.Event
	pace := newFramePacer(s.journal.Hub(), time.Now())
	timer := time.NewTimer(time.Hour) // one for every paced wait: a frame a millisecond, per client
	defer timer.Stop()
	for {
		if d := pace.wait(time.Now()); d > 0 && !sleep(ctx, timer, d) {
			return
		}
		events, lost, err := sub.Next(ctx, buf, maxBatch)
		if err != nil {
			return
		}
		if lost > 0 {
			closeWith(conn, websocket.ClosePolicyViolation, fmt.Sprintf("too slow: fell %d events behind; reconnect", lost))
			return
		}
		conn.SetWriteDeadline(time.Now().Add(writeWait))
		fw, err := conn.NextWriter(websocket.TextMessage)
		if err != nil {
			return
		}
		for i, e := range events {
			if i > 0 {
				fw.Write([]byte{'\n'})
			}
			fw.Write(e.JSON())
		}
		if fw.Close() != nil {
			return
		}
		pace.sent(time.Now(), len(events) == maxBatch)
		buf = events
	}
}

func (s *Server) readPump(conn *websocket.Conn, origin string) {
	conn.SetReadLimit(maxMessageSize)
	conn.SetReadDeadline(time.Now().Add(pongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(pongWait)) })
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		conn.SetReadDeadline(time.Now().Add(pongWait))
		if err := s.handle(data, origin); err != nil {
			closeWith(conn, websocket.CloseUnsupportedData, err.Error())
			return
		}
	}
}

// handle applies one message from the page.
func (s *Server) handle(data []byte, origin string) error {
	var m message
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("message is not JSON: %v", err)
	}
	switch {
	case m.Type == "announce" && m.Request != nil:
		if m.Origin == "null" {
			origin = "null"
		}
		return s.journal.Announce(m.ID, origin, *m.Request)
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

func ping(ctx context.Context, conn *websocket.Conn) {
	t := time.NewTicker(pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)) != nil {
				return
			}
		}
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
