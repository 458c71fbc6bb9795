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
	"sync/atomic"
)

// Hub is a bounded history of events with any number of independent readers.
// The zero value is not usable; call NewHub.
//
// Publishers take mu; readers that find events waiting take no lock at all
// (a hundred live-log writers woken by one event would otherwise queue on
// mu, one after another). A reader checks each event's Seq against the one
// it expects, so a slot overwritten under it counts as lost, never as read.
type Hub struct {
	ring []atomic.Pointer[Event]
	next atomic.Uint64 // sequence number of the next event; the first is 1
	// floor is the oldest sequence number the byte bound keeps: events
	// before it are forgotten even when the ring has room for them.
	floor atomic.Uint64

	mu       sync.Mutex
	bytes    int           // the estimated size of the events held (Event.size)
	maxBytes int           // the bound on bytes; the newest event is always kept
	changed  chan struct{} // closed and replaced when an event arrives and someone waits
	waiting  bool
	subs     atomic.Int64
}

// NewHub returns a hub that keeps the last size events, and of those no
// more than HistoryBytes: a burst of huge events forgets older ones sooner.
func NewHub(size int) *Hub {
	if size < 1 {
		size = 1
	}
	h := &Hub{ring: make([]atomic.Pointer[Event], size), changed: make(chan struct{}), maxBytes: HistoryBytes}
	h.next.Store(1)
	h.floor.Store(1)
	return h
}

// Publish stamps e with the next sequence number and appends it. It never
// blocks on readers. e must not be changed afterwards.
func (h *Hub) Publish(e *Event) {
	e.bytes = e.size()
	h.mu.Lock()
	e.Seq = h.next.Load()
	slot := h.slot(e.Seq)
	if old := slot.Load(); old != nil {
		h.bytes -= old.bytes // overwritten: the ring is full
	}
	slot.Store(e)
	h.bytes += e.bytes
	h.next.Store(e.Seq + 1) // after the slot: a reader that sees next sees the event
	for h.bytes > h.maxBytes {
		f := h.oldest(e.Seq + 1)
		if f >= e.Seq {
			break // the newest stays, whatever its size
		}
		h.floor.Store(f + 1) // first: a reader that finds the slot empty counts it lost
		if old := h.slot(f).Swap(nil); old != nil {
			h.bytes -= old.bytes
		}
	}
	if h.waiting {
		close(h.changed)
		h.changed = make(chan struct{})
		h.waiting = false
	}
	h.mu.Unlock()
}

func (h *Hub) slot(seq uint64) *atomic.Pointer[Event] { return &h.ring[seq%uint64(len(h.ring))] }

// oldest returns the sequence number of the oldest event held when next is
// the next one to come.
func (h *Hub) oldest(next uint64) uint64 {
	old := uint64(1)
	if n := uint64(len(h.ring)); next > n {
		old = next - n
	}
	return max(old, h.floor.Load())
}

// Recent returns up to n of the most recent events, oldest first.
func (h *Hub) Recent(n int) []*Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	next := h.next.Load()
	from := h.oldest(next)
	if next-from > uint64(n) {
		from = next - uint64(n)
	}
	out := make([]*Event, 0, next-from)
	for s := from; s < next; s++ {
		out = append(out, h.slot(s).Load())
	}
	return out
}

// Oldest reports the sequence number of the oldest event the hub holds
// (the next to come, when it holds none).
func (h *Hub) Oldest() uint64 { return h.oldest(h.next.Load()) }

// Subscribers reports how many subscriptions are open.
func (h *Hub) Subscribers() int { return int(h.subs.Load()) }

// Published reports how many events have been published.
func (h *Hub) Published() uint64 { return h.next.Load() - 1 }

// Subscribe opens a reader that first replays up to replay recent events,
// then follows new ones. Close it when done.
func (h *Hub) Subscribe(replay int) *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	next := h.next.Load()
	from := h.oldest(next)
	if next-from > uint64(replay) {
		from = next - uint64(replay)
	}
	h.subs.Add(1)
	return &Subscription{hub: h, cursor: from}
}

// Relay opens a subscription, from the next event on, for a reader that
// forwards events to readers of its own (the live log's broadcaster): it
// counts in Subscribers not itself but those readers, as Relayed adds and
// removes them.
func (h *Hub) Relay() *Subscription {
	h.mu.Lock()
	defer h.mu.Unlock()
	return &Subscription{hub: h, cursor: h.next.Load(), relay: true}
}

// Relayed counts n more readers fed through a Relay (n < 0: fewer).
func (h *Hub) Relayed(n int) { h.subs.Add(int64(n)) }

// Subscription is one reader's position in the hub. It is used by one goroutine.
type Subscription struct {
	hub    *Hub
	cursor uint64 // next sequence number to read
	closed bool
	relay  bool // not counted in Subscribers
}

// Next waits until at least one event is past the cursor, then returns up to
// max of them (appended to buf[:0]) and how many were lost because the
// reader fell further behind than the hub keeps. It returns ctx.Err() when
// ctx ends first.
func (s *Subscription) Next(ctx context.Context, buf []*Event, max int) (events []*Event, lost uint64, err error) {
	h := s.hub
	for {
		next := h.next.Load()
		if old := h.oldest(next); s.cursor < old {
			lost += old - s.cursor
			s.cursor = old
		}
		events = buf[:0]
		for ; s.cursor < next && len(events) < max; s.cursor++ {
			e := h.slot(s.cursor).Load()
			if e == nil || e.Seq != s.cursor {
				break // overwritten since next was read: lost, counted on the next pass
			}
			events = append(events, e)
		}
		if len(events) > 0 {
			return events, lost, nil
		}
		if s.cursor < next {
			continue // lapped while reading: count what was lost
		}
		h.mu.Lock()
		if h.next.Load() != next { // published since: read it
			h.mu.Unlock()
			continue
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

// Cursor is the sequence number of the next event Next returns.
func (s *Subscription) Cursor() uint64 { return s.cursor }

// Close releases the subscription.
func (s *Subscription) Close() {
	if s.closed {
		return
	}
	s.closed = true
	if !s.relay {
		s.hub.subs.Add(-1)
	}
}
