package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// SubOptions says how a Subscriber behaves.
type SubOptions struct {
	// Origin is sent on the handshake; site A accepts only its own.
	Origin string
	// Latency keeps, for every event published after the subscription
	// started, the time from the event's stamp to the frame's arrival.
	Latency bool
	// Stall connects and then never reads: the client a slow phone on bad
	// Wi-Fi looks like to the server. RecvBuffer shrinks its socket's
	// receive buffer so the server's writes block sooner.
	Stall      bool
	RecvBuffer int
}

// Subscriber is one live-log client (GET /lab/ws) that checks that the
// events it receives have consecutive sequence numbers.
type Subscriber struct {
	conn  *websocket.Conn
	opts  SubOptions
	start time.Time
	done  chan struct{}

	mu        sync.Mutex
	frames    int
	events    int
	firstSeq  uint64
	lastSeq   uint64
	gaps      []string // "after 41 came 47", the first few
	latencies []time.Duration
	err       error // why reading stopped
}

// Subscribe opens a live-log connection to wsURL (ws://host:port/lab/ws)
// and starts reading it unless opts.Stall.
func Subscribe(ctx context.Context, wsURL string, opts SubOptions) (*Subscriber, error) {
	d := websocket.Dialer{
		HandshakeTimeout: 5 * time.Second,
		ReadBufferSize:   64 << 10,
		NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
			if err == nil && opts.RecvBuffer > 0 {
				if tc, ok := c.(*net.TCPConn); ok {
					tc.SetReadBuffer(opts.RecvBuffer)
				}
			}
			return c, err
		},
	}
	h := http.Header{}
	if opts.Origin != "" {
		h.Set("Origin", opts.Origin)
	}
	conn, resp, err := d.DialContext(ctx, wsURL, h)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, err
	}
	s := &Subscriber{conn: conn, opts: opts, start: time.Now(), done: make(chan struct{})}
	if opts.Stall {
		close(s.done)
		return s, nil
	}
	go s.read()
	return s, nil
}

func (s *Subscriber) read() {
	defer close(s.done)
	var buf bytes.Buffer
	for {
		_, r, err := s.conn.NextReader()
		if err == nil {
			buf.Reset()
			_, err = buf.ReadFrom(r)
		}
		if err != nil {
			s.mu.Lock()
			s.err = err
			s.mu.Unlock()
			return
		}
		now := time.Now()
		s.frame(buf.Bytes(), now)
	}
}

// frame accounts for one frame: newline-separated events (or the hello).
func (s *Subscriber) frame(data []byte, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.frames++
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		seq, stamp, ok := eventHead(line, s.opts.Latency)
		if !ok {
			continue // the hello, or something that is not an event
		}
		s.events++
		switch {
		case s.firstSeq == 0:
			s.firstSeq = seq
		case seq != s.lastSeq+1 && len(s.gaps) < 10:
			s.gaps = append(s.gaps, fmt.Sprintf("after %d came %d", s.lastSeq, seq))
		case seq != s.lastSeq+1:
			s.gaps = append(s.gaps[:9], "and more")
		}
		s.lastSeq = seq
		if s.opts.Latency && !stamp.Before(s.start) {
			s.latencies = append(s.latencies, now.Sub(stamp))
		}
	}
}

// eventHead reads the sequence number at the head of an event's JSON
// ({"seq":N,"time":"…",…}) without decoding the rest, and the time stamp
// too when stamp is set (parsing it costs more than the rest: a
// subscriber that keeps no latencies skips it). It falls back to decoding
// the whole line when the head is not in that order.
func eventHead(line []byte, stamp bool) (seq uint64, t time.Time, ok bool) {
	const seqKey, timeKey = `{"seq":`, `,"time":"`
	if rest, found := bytes.CutPrefix(line, []byte(seqKey)); found {
		if i := bytes.IndexByte(rest, ','); i > 0 {
			n, err := strconv.ParseUint(string(rest[:i]), 10, 64)
			if ts, found := bytes.CutPrefix(rest[i:], []byte(timeKey)); err == nil && found {
				if !stamp {
					return n, time.Time{}, true
				}
				if j := bytes.IndexByte(ts, '"'); j > 0 {
					if t, err := time.Parse(time.RFC3339Nano, string(ts[:j])); err == nil {
						return n, t, true
					}
				}
			}
		}
	}
	var e struct {
		Seq  uint64    `json:"seq"`
		Time time.Time `json:"time"`
	}
	if json.Unmarshal(line, &e) != nil || e.Seq == 0 {
		return 0, time.Time{}, false
	}
	return e.Seq, e.Time, true
}

// SubStats is what a Subscriber saw.
type SubStats struct {
	Frames, Events    int
	FirstSeq, LastSeq uint64
	Gaps              []string
	Latencies         []time.Duration
	// Err is why reading stopped: nil while it reads, a
	// *websocket.CloseError when the server closed with a reason.
	Err error
}

// Stats returns a copy of what the subscriber has seen so far.
func (s *Subscriber) Stats() SubStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SubStats{
		Frames: s.frames, Events: s.events, FirstSeq: s.firstSeq, LastSeq: s.lastSeq,
		Gaps: append([]string(nil), s.gaps...), Latencies: append([]time.Duration(nil), s.latencies...),
		Err: s.err,
	}
}

// WaitSeq waits until the subscriber has read event seq, or stopped
// reading, or ctx ends.
func (s *Subscriber) WaitSeq(ctx context.Context, seq uint64) error {
	return Poll(ctx, func() (bool, error) {
		st := s.Stats()
		if st.LastSeq >= seq {
			return true, nil
		}
		if st.Err != nil {
			return false, fmt.Errorf("stopped at seq %d of %d: %w", st.LastSeq, seq, st.Err)
		}
		return false, nil
	})
}

// Closed waits until the server ends the connection, reading (and
// dropping) whatever it still has to deliver, and returns the close error:
// a *websocket.CloseError when the server said why.
func (s *Subscriber) Closed(ctx context.Context) error {
	if s.opts.Stall {
		if tc, ok := s.conn.NetConn().(*net.TCPConn); ok && s.opts.RecvBuffer > 0 {
			tc.SetReadBuffer(4 << 20) // through a tiny window, draining takes minutes
		}
		stop := context.AfterFunc(ctx, func() { s.conn.NetConn().SetReadDeadline(time.Now()) })
		defer stop()
		for {
			_, r, err := s.conn.NextReader()
			if err == nil {
				_, err = io.Copy(io.Discard, r)
			}
			if err != nil {
				return err
			}
		}
	}
	select {
	case <-s.done:
		return s.Stats().Err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Conn is the underlying connection, to send messages on.
func (s *Subscriber) Conn() *websocket.Conn { return s.conn }

// Close ends the connection and waits for the reader to stop.
func (s *Subscriber) Close() {
	s.conn.Close()
	<-s.done
}

// Poll calls f every few milliseconds until it reports done or an error,
// or ctx ends.
func Poll(ctx context.Context, f func() (bool, error)) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for {
		ok, err := f()
		if ok || err != nil {
			return err
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return errors.Join(ctx.Err(), errLastPoll(f))
		}
	}
}

func errLastPoll(f func() (bool, error)) error {
	if ok, err := f(); !ok {
		return err
	}
	return nil
}
