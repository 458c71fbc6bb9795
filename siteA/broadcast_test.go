package siteA

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
)

// sizedEvent is an event whose JSON is exactly n bytes long.
func sizedEvent(t *testing.T, n int) *journal.Event {
	t.Helper()
	mk := func(k int) *journal.Event {
		return &journal.Event{Seq: 1, Kind: journal.KindPolicy, Policy: &journal.PolicyChange{By: "t", Document: []byte(`"` + strings.Repeat("x", k) + `"`)}}
	}
	base := len(mk(0).JSON())
	if n < base {
		t.Fatalf("an event is at least %d bytes", base)
	}
	return mk(n - base)
}

// A frame built once by the broadcaster is a websocket text frame a real
// client reads whole, at every length encoding (RFC 6455 §5.2: 7 bits,
// 16 bits from 126 bytes, 64 bits from 65,536).
func TestTextFrame(t *testing.T) {
	sizes := [][]int{{125}, {126}, {100, 100}, {65535}, {65536}, {200, 70000, 300}}
	frames := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for f := range frames {
			conn.NetConn().Write(f)
		}
	}))
	defer srv.Close()
	defer close(frames)
	c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for _, sz := range sizes {
		var events []*journal.Event
		var want [][]byte
		for _, n := range sz {
			e := sizedEvent(t, n)
			events = append(events, e)
			want = append(want, e.JSON())
		}
		frames <- textFrame(events)
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		typ, got, err := c.ReadMessage()
		if err != nil {
			t.Fatalf("events of %v bytes: %v", sz, err)
		}
		if typ != websocket.TextMessage || !bytes.Equal(got, bytes.Join(want, []byte("\n"))) {
			t.Errorf("events of %v bytes: type %d, %d bytes read, want the %d joined", sz, typ, len(got), len(bytes.Join(want, []byte("\n"))))
		}
	}
}

// Every client gets the same frames: one encoding and one framing per
// batch, whatever the number of clients.
func TestBroadcastFramesOnce(t *testing.T) {
	l := newLab(t, 4096, loopbackOrigins, nil)
	var streams []*stream
	for range 5 {
		c, _ := l.dial(t, "")
		streams = append(streams, &stream{c: c})
	}
	for i := range 300 {
		l.j.Record(&journal.Exchange{Method: "GET", Path: "/api/items/" + strings.Repeat("1", i%7), Status: 200})
	}
	for _, s := range streams {
		s.until(t, 300)
	}
	l.a.live.mu.Lock()
	frames := append([]*frame(nil), l.a.live.frames...)
	l.a.live.mu.Unlock()
	if len(frames) == 0 {
		t.Fatal("no frames")
	}
	events := 0
	for i, f := range frames {
		events += int(f.last - f.first + 1)
		if i > 0 && f.first != frames[i-1].last+1 {
			t.Errorf("frame %d starts at %d after %d", i, f.first, frames[i-1].last)
		}
	}
	if events != 300 || frames[len(frames)-1].last != 300 {
		t.Errorf("%d frames carry %d events through seq %d, want 300 through 300", len(frames), events, frames[len(frames)-1].last)
	}
	t.Logf("300 events to 5 clients in %d frames, each built once", len(frames))
}

// A writer gets its pending frames in order, as many as fit one write;
// one whose next frame the history has forgotten, or that would cross the
// broadcaster's own gap, is told how many events it lost.
func TestBroadcasterPending(t *testing.T) {
	hub := journal.NewHub(8)
	b := newBroadcaster(hub)
	wake := make(chan struct{}, 1)
	next, covered := b.join(wake)
	if next != 0 || covered != 0 {
		t.Fatalf("join on an empty hub: frame %d, covered %d; want 0, 0", next, covered)
	}
	// Frames of 2 events each: seq 1-2, 3-4, 5-6.
	publish := func(n int) []*journal.Event {
		var evs []*journal.Event
		for range n {
			e := &journal.Event{Kind: journal.KindPolicy, Policy: &journal.PolicyChange{By: "t", Document: []byte("{}")}}
			hub.Publish(e)
			evs = append(evs, e)
		}
		return evs
	}
	for range 3 {
		evs := publish(2)
		b.add(&frame{first: evs[0].Seq, last: evs[1].Seq, wire: textFrame(evs)})
	}
	got, lost := b.pending(nil, 0, 1, 1<<20)
	if len(got) != 3 || lost != 0 || got[0].first != 1 || got[2].last != 6 {
		t.Fatalf("from the start: %d frames, lost %d", len(got), lost)
	}
	got, _ = b.pending(nil, 0, 1, 1) // one write's worth: at least one frame
	if len(got) != 1 {
		t.Errorf("with a 1-byte budget: %d frames, want 1", len(got))
	}
	got, lost = b.pending(nil, 3, 7, 1<<20)
	if len(got) != 0 || lost != 0 {
		t.Errorf("at the newest: %d frames, lost %d; want none, 0", len(got), lost)
	}
	<-wake // the three frames' token: the writer, waiting now, is woken only by the next

	// Ten more events: the hub (8) forgets seq 1-8, and the frames that
	// carried them go with them.
	evs := publish(10)
	b.add(&frame{first: evs[0].Seq, last: evs[9].Seq, wire: textFrame(evs)})
	if _, lost = b.pending(nil, 0, 1, 1<<20); lost != 6 {
		t.Errorf("a writer at seq 1 after the history moved past it: lost %d, want 6 (up to the oldest frame kept, seq 7)", lost)
	}
	select {
	case <-wake:
	default:
		t.Error("a waiting writer got no token for the new frame")
	}

	// The broadcaster itself fell behind (5 events it never read): its
	// next frame says so.
	publish(5)
	evs = publish(2)
	b.add(&frame{first: evs[0].Seq, last: evs[1].Seq, lost: 5, wire: textFrame(evs)})
	got, lost = b.pending(nil, 3, 7, 1<<20)
	if len(got) != 1 || lost != 0 {
		t.Errorf("before the broadcaster's gap: %d frames, lost %d; want the one frame first", len(got), lost)
	}
	if _, lost = b.pending(nil, 4, 17, 1<<20); lost != 5 {
		t.Errorf("at the broadcaster's gap: lost %d, want 5", lost)
	}
	b.leave(wake)
	if len(b.writers) != 0 || hub.Subscribers() != 0 {
		t.Errorf("%d subscribers after leave", hub.Subscribers())
	}
}
