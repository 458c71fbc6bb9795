package siteA

import (
	"context"
	"encoding/binary"
	"slices"
	"sync"
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// maxFrameEvents is the most events one live-log frame carries.
const maxFrameEvents = 256

// The live log's broadcaster. One goroutine reads the journal, joins each
// batch of events into one frame (newline-separated JSON, each event
// encoded once) and frames it once, header and all, as a websocket text
// frame (RFC 6455 §5.2): every client's writer sends the same bytes, so a
// lecture hall of 1,000 browsers costs one encoding, one framing and 1,000
// writes per batch — not 1,000 copies. Frames are paced by one budget for
// all clients (pace.go). A client's writer sends, in order and in one
// writev, all the frames it has not sent yet — which is why the frames are
// built here and not as gorilla's PreparedMessage, which a connection
// writes one syscall each: a writer the scheduler woke late must catch up
// in one write, not one per frame. One that falls further behind than the
// journal's history is evicted, as before.
type broadcaster struct {
	hub *journal.Hub

	mu sync.Mutex
	// writers are the clients' wake channels (capacity 1): a new frame
	// leaves a token in each. A writer waits on its own channel alone —
	// a thousand writers each selecting over several channels at every
	// frame were a fifth of a lecture hall's CPU (docs/BENCHMARKS.md).
	writers []chan struct{}
	wake    chan struct{}         // closed and replaced when the first client joins
	sub     *journal.Subscription // while there are clients; read by run alone
	covered uint64                // the last sequence number framed (or before the first frame)
	frames  []*frame              // frames[i] is frame number base+i
	base    uint64
}

// frame is a batch of events, prepared once for every client.
type frame struct {
	first, last uint64 // the sequence numbers of its events
	// lost counts events the broadcaster itself missed before first (it
	// fell behind the journal's history): a client that reaches this
	// frame has a gap, and is closed with a reason.
	lost uint64
	wire []byte // the whole websocket frame: header and payload
}

func newBroadcaster(hub *journal.Hub) *broadcaster {
	return &broadcaster{hub: hub, wake: make(chan struct{})}
}

// join adds a client whose writer waits on wake (capacity 1), which gets
// a token whenever a frame is added. It returns the frame number the
// client starts at and the last sequence number before that frame's
// events: the client's replay ends there.
func (b *broadcaster) join(wake chan struct{}) (next uint64, covered uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.writers = append(b.writers, wake)
	b.hub.Relayed(1)
	if b.sub == nil { // the first client since the log was idle: frames start now
		b.sub = b.hub.Relay()
		b.covered = b.sub.Cursor() - 1
		close(b.wake)
		b.wake = make(chan struct{})
	}
	return b.base + uint64(len(b.frames)), b.covered
}

// leave removes the client that joined with wake.
func (b *broadcaster) leave(wake chan struct{}) {
	b.mu.Lock()
	if i := slices.Index(b.writers, wake); i >= 0 {
		last := len(b.writers) - 1
		b.writers[i], b.writers[last] = b.writers[last], nil
		b.writers = b.writers[:last]
	}
	b.hub.Relayed(-1)
	b.mu.Unlock()
}

// pending appends to out the frames from number n on, up to about
// maxBytes; when there are none yet, the writer waits on its wake channel.
// lost > 0 says the client fell that many events behind the history (its
// next event was seq): it must go.
func (b *broadcaster) pending(out []*frame, n, seq uint64, maxBytes int) (_ []*frame, lost uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n < b.base {
		first := b.covered + 1
		if len(b.frames) > 0 {
			first = b.frames[0].first
		}
		return out, max(1, first-seq)
	}
	size := 0
	for i := n - b.base; i < uint64(len(b.frames)) && size < maxBytes; i++ {
		f := b.frames[i]
		if f.lost > 0 {
			if len(out) > 0 {
				break // send what precedes the gap first
			}
			return out, max(1, f.first-seq)
		}
		out = append(out, f)
		size += len(f.wire)
	}
	return out, 0
}

// run builds frames until ctx ends; it sleeps while nobody listens (and
// then nothing is encoded: the request path never pays for the live log).
func (b *broadcaster) run(ctx context.Context) {
	pace := newFramePacer(b.hub, time.Now())
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var events []*journal.Event
	for {
		b.mu.Lock()
		for len(b.writers) == 0 {
			if b.sub != nil { // nobody to send the frames to: forget them
				b.sub.Close()
				b.sub = nil
				clear(b.frames)
				b.base += uint64(len(b.frames))
				b.frames = b.frames[:0]
			}
			wake := b.wake
			b.mu.Unlock()
			select {
			case <-wake:
			case <-ctx.Done():
				return
			}
			b.mu.Lock()
		}
		sub, clients := b.sub, len(b.writers)
		b.mu.Unlock()
		if d := pace.wait(time.Now(), clients); d > 0 && !sleep(ctx, timer, d) {
			return
		}
		var lost uint64
		var err error
		events, lost, err = sub.Next(ctx, events, maxFrameEvents)
		if err != nil {
			return
		}
		b.add(&frame{first: events[0].Seq, last: events[len(events)-1].Seq, lost: lost, wire: textFrame(events)})
		pace.sent(time.Now(), len(events) == maxFrameEvents)
	}
}

// add appends f and forgets the frames whose events the journal has
// forgotten: a client still to send those has fallen behind the history.
func (b *broadcaster) add(f *frame) {
	oldest := b.hub.Oldest()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.frames = append(b.frames, f)
	b.covered = f.last
	drop := 0
	for drop < len(b.frames)-1 && b.frames[drop].last < oldest {
		b.frames[drop] = nil
		drop++
	}
	b.base += uint64(drop)
	b.frames = b.frames[drop:] // append moves the live ones to a new array when this one is full
	for _, w := range b.writers {
		select {
		case w <- struct{}{}:
		default: // a token is waiting already
		}
	}
}

// textFrame returns events as one unmasked websocket text frame (RFC 6455
// §5.2, a server's frames are not masked): their JSON, newline-separated,
// in the bytes the history keeps as their JSON (journal.JoinJSON).
func textFrame(events []*journal.Event) []byte {
	const room = 10 // the longest header: opcode, 127, a 64-bit length
	b := journal.JoinJSON(events, room)
	n := len(b) - room
	var h []byte
	switch {
	case n < 126:
		h = []byte{0x81, byte(n)} // FIN, text
	case n <= 0xffff:
		h = []byte{0x81, 126, byte(n >> 8), byte(n)}
	default:
		h = binary.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
	}
	start := room - len(h)
	copy(b[start:], h)
	return b[start:]
}
