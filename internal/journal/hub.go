// Package journal records what the lab sees — every exchange site B serves,
// every policy change, every fetch() the page makes — and fans it out to the
// live log's subscribers (the page's websocket clients and the TUI).
//
// The request path only appends to a bounded ring and wakes waiting readers:
// it never blocks on a subscriber. Each subscriber reads from the ring at its
// own pace; one that falls more than the ring's length behind is told how
// many events it lost, and the websocket layer evicts it. Sequence numbers
// make any gap visible.
package journal

import (
	"context"
	"sync"
)

// Hub is a bounded history of events with any number of independent readers.
// The zero value is not usable; call NewHub.
type Hub struct {
	mu      sync.Mutex
	ring    []*Event
	next    uint64        // sequence number of the next event; the first is 1
	changed chan struct{} // closed and replaced when an event arrives and someone waits
	waiting bool
	subs    int
}

// NewHub returns a hub that keeps the last size events.
func NewHub(size int) *Hub {
	if size < 1 {
		size = 1
	}
	return &Hub{ring: make([]*Event, size), next: 1, changed: make(chan struct{})}
}

// Publish stamps e with the next sequence number and appends it. It never
// blocks on readers. e must not be changed afterwards.
func (h *Hub) Publish(e *Event) {
	h.mu.Lock()
	e.Seq = h.next
	h.ring[e.Seq%uint64(len(h.ring))] = e
	h.next++
	if h.waiting {
		close(h.changed)
		h.changed = make(chan struct{})
		h.waiting = false
	}
	h.mu.Unlock()
}

// oldest returns the sequence number of the oldest event still held. Callers hold mu.
func (h *Hub) oldest() uint64 {
	if n := uint64(len(h.ring)); h.next > n {
		return h.next - n
	}
	return 1
}

// Recent returns up to n of the most recent events, oldest first.
func (h *Hub) Recent(n int) []*Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	from := h.oldest()
	if h.next-from > uint64(n) {
		from = h.next - uint64(n)
	}
	out := make([]*Event, 0, h.next-from)
	for s := from; s < h.next; s++ {
		out = append(out, h.ring[s%uint64(len(h.ring))])
	}
	return out
}

// Subscribers reports how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.subs
}

// Subscribe opens a reader that first replays up to replay recent events,
// then follows new ones. Close it when done.
func (h *Hub) Subscribe(replay int) *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	from := h.oldest()
	if h.next-from > uint64(replay) {
		from = h.next - uint64(replay)
	}
	h.subs++
	return &Subscription{hub: h, cursor: from}
}

// Subscription is one reader's position in the hub. It is used by one goroutine.
type Subscription struct {
	hub    *Hub
	cursor uint64 // next sequence number to read
	closed bool
}

// Next waits until at least one event is past the cursor, then returns up to
// max of them (appended to buf[:0]) and how many were lost because the
// reader fell further behind than the hub keeps. It returns ctx.Err() when
// ctx ends first.
func (s *Subscription) Next(ctx context.Context, buf []*Event, max int) (events []*Event, lost uint64, err error) {
	h := s.hub
	for {
		h.mu.Lock()
		if old := h.oldest(); s.cursor < old {
			lost = old - s.cursor
			s.cursor = old
		}
		if s.cursor < h.next {
			events = buf[:0]
			for ; s.cursor < h.next && len(events) < max; s.cursor++ {
				events = append(events, h.ring[s.cursor%uint64(len(h.ring))])
			}
			h.mu.Unlock()
			return events, lost, nil
		}
		h.waiting = true
		changed := h.changed
		h.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, lost, ctx.Err()
		}
	}
}

// Close releases the subscription.
func (s *Subscription) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.hub.mu.Lock()
	s.hub.subs--
	s.hub.mu.Unlock()
}
