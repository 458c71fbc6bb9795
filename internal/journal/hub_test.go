package journal

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/testsupport/poll"
)

// publishN publishes n policy events and returns them.
func publishN(h *Hub, n int) []*Event {
	out := make([]*Event, n)
	for i := range out {
		out[i] = &Event{Kind: KindPolicy, Policy: &PolicyChange{By: "test"}}
		h.Publish(out[i])
	}
	return out
}

func seqs(events []*Event) []uint64 {
	out := make([]uint64, len(events))
	for i, e := range events {
		out[i] = e.Seq
	}
	return out
}

// span returns the sequence numbers from..to inclusive.
func span(from, to uint64) []uint64 {
	out := []uint64{}
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func TestHubPublishStampsSeqFromOne(t *testing.T) {
	h := NewHub(8)
	events := publishN(h, 5)
	if got, want := seqs(events), span(1, 5); !slices.Equal(got, want) {
		t.Fatalf("seqs = %v, want %v", got, want)
	}
	recent := h.Recent(5)
	for i := range recent {
		if recent[i] != events[i] {
			t.Errorf("Recent(5)[%d] is not the %dth published event", i, i+1)
		}
	}
}

func TestHubRecent(t *testing.T) {
	tests := []struct {
		desc      string
		size      int
		published int
		n         int
		want      []uint64
	}{
		{"empty hub", 4, 0, 10, []uint64{}},
		{"fewer held than asked", 8, 3, 10, span(1, 3)},
		{"exactly n", 8, 5, 5, span(1, 5)},
		{"the last n, oldest first", 8, 6, 2, span(5, 6)},
		{"n is zero", 8, 6, 0, []uint64{}},
		{"wrapped ring keeps the last size", 4, 10, 10, span(7, 10)},
		{"wrapped ring, fewer asked", 4, 10, 2, span(9, 10)},
		{"size below 1 keeps one", 0, 3, 10, span(3, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := NewHub(tt.size)
			publishN(h, tt.published)
			if got := seqs(h.Recent(tt.n)); !slices.Equal(got, tt.want) {
				t.Errorf("Recent(%d) = %v, want %v", tt.n, got, tt.want)
			}
		})
	}
}

// next calls s.Next with a deadline, failing the test if it errs.
func next(t *testing.T, s *Subscription, max int) ([]*Event, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	events, lost, err := s.Next(ctx, nil, max)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return events, lost
}

func TestSubscribeReplaysThenFollows(t *testing.T) {
	tests := []struct {
		desc       string
		size       int
		before     int // events published before Subscribe
		replay     int
		wantReplay []uint64
	}{
		{"no replay", 16, 5, 0, nil},
		{"replay some", 16, 5, 2, span(4, 5)},
		{"replay more than held", 16, 5, 100, span(1, 5)},
		{"replay from a wrapped ring", 4, 10, 100, span(7, 10)},
		{"replay on an empty hub", 16, 0, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := NewHub(tt.size)
			publishN(h, tt.before)
			s := h.Subscribe(tt.replay)
			defer s.Close()
			var got []uint64
			if len(tt.wantReplay) > 0 {
				events, lost := next(t, s, 1000)
				if lost != 0 {
					t.Errorf("replay lost %d", lost)
				}
				got = seqs(events)
			}
			if !slices.Equal(got, tt.wantReplay) {
				t.Errorf("replayed %v, want %v", got, tt.wantReplay)
			}
			// Then it follows: the next event published is the next one read.
			done := make(chan []*Event, 1)
			go func() {
				events, _, err := s.Next(context.Background(), nil, 1000)
				if err != nil {
					t.Errorf("Next: %v", err)
				}
				done <- events
			}()
			live := publishN(h, 1)[0]
			select {
			case events := <-done:
				if len(events) != 1 || events[0] != live {
					t.Errorf("followed %v, want [%d]", seqs(events), live.Seq)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Next did not wake on Publish")
			}
		})
	}
}

func TestNextBatchesUpToMax(t *testing.T) {
	h := NewHub(16)
	publishN(h, 5)
	s := h.Subscribe(16)
	defer s.Close()
	for _, want := range [][]uint64{{1, 2}, {3, 4}, {5}} {
		events, _ := next(t, s, 2)
		if got := seqs(events); !slices.Equal(got, want) {
			t.Fatalf("Next(max 2) = %v, want %v", got, want)
		}
	}
}

func TestNextReusesBuf(t *testing.T) {
	h := NewHub(16)
	publishN(h, 3)
	s := h.Subscribe(16)
	defer s.Close()
	buf := make([]*Event, 0, 8)
	events, _, err := s.Next(context.Background(), buf, 8)
	if err != nil {
		t.Fatal(err)
	}
	if &events[:1][0] != &buf[:1][0] {
		t.Error("Next did not append to buf[:0]")
	}
}

func TestNextEndsWithContext(t *testing.T) {
	tests := []struct {
		desc string
		// ctx returns the context to call Next with, and what to do once Next is waiting.
		ctx  func(t *testing.T) (context.Context, func())
		want error
	}{
		{"cancelled while waiting", func(t *testing.T) (context.Context, func()) {
			return context.WithCancel(context.Background())
		}, context.Canceled},
		{"cancelled before the call", func(t *testing.T) (context.Context, func()) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx, func() {}
		}, context.Canceled},
		{"deadline passes", func(t *testing.T) (context.Context, func()) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
			t.Cleanup(cancel)
			return ctx, func() {} // the timer ends it
		}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := NewHub(4)
			publishN(h, 2) // held, but behind the cursor: Next must still wait
			s := h.Subscribe(0)
			defer s.Close()
			ctx, end := tt.ctx(t)
			done := make(chan error, 1)
			go func() {
				events, _, err := s.Next(ctx, nil, 10)
				if len(events) != 0 {
					t.Errorf("Next returned events %v", seqs(events))
				}
				done <- err
			}()
			poll.Until(t, 5*time.Second, "the subscriber to wait", func() bool { h.mu.Lock(); defer h.mu.Unlock(); return h.waiting })
			end()
			select {
			case err := <-done:
				if !errors.Is(err, tt.want) {
					t.Errorf("Next = %v, want %v", err, tt.want)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("Next did not return when its context ended")
			}
		})
	}
}

func TestNextCountsLostAndResumesAtOldest(t *testing.T) {
	tests := []struct {
		desc      string
		size      int
		published int // after Subscribe(0)
		wantLost  uint64
		want      []uint64
	}{
		{"kept up", 4, 4, 0, span(1, 4)},
		{"one behind the ring", 4, 5, 1, span(2, 5)},
		{"far behind", 4, 100, 96, span(97, 100)},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := NewHub(tt.size)
			s := h.Subscribe(0)
			defer s.Close()
			publishN(h, tt.published)
			events, lost := next(t, s, 1000)
			if lost != tt.wantLost {
				t.Errorf("lost = %d, want %d", lost, tt.wantLost)
			}
			if got := seqs(events); !slices.Equal(got, tt.want) {
				t.Errorf("events = %v, want %v", got, tt.want)
			}
			// Caught up again: the next read loses nothing.
			publishN(h, 1)
			if _, lost := next(t, s, 1000); lost != 0 {
				t.Errorf("after catching up, lost = %d, want 0", lost)
			}
		})
	}
}

func TestSubscribers(t *testing.T) {
	h := NewHub(4)
	if n := h.Subscribers(); n != 0 {
		t.Fatalf("new hub: %d subscribers", n)
	}
	a, b := h.Subscribe(0), h.Subscribe(10)
	if n := h.Subscribers(); n != 2 {
		t.Errorf("after two Subscribe: %d, want 2", n)
	}
	a.Close()
	a.Close() // idempotent
	if n := h.Subscribers(); n != 1 {
		t.Errorf("after closing one twice: %d, want 1", n)
	}
	b.Close()
	if n := h.Subscribers(); n != 0 {
		t.Errorf("after closing both: %d, want 0", n)
	}
}

// TestHubConcurrent runs publishers and subscribers together: with a ring
// that holds everything, every subscriber sees every seq once, in order;
// with a small ring, each gap it sees is exactly the lost count it is told.
func TestHubConcurrent(t *testing.T) {
	const publishers, perPublisher, subscribers = 8, 500, 4
	const total = publishers * perPublisher
	tests := []struct {
		desc     string
		size     int
		lossless bool
	}{
		{"ring holds everything", total, true},
		{"small ring", 16, false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := NewHub(tt.size)
			var subs sync.WaitGroup
			for range subscribers {
				s := h.Subscribe(0) // before any publisher starts: nothing is missed at the start
				subs.Add(1)
				go func() {
					defer subs.Done()
					defer s.Close()
					ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
					defer cancel()
					var last, lostTotal uint64
					var buf []*Event
					for last < total {
						events, lost, err := s.Next(ctx, buf, 64)
						if err != nil {
							t.Errorf("Next after seq %d: %v", last, err)
							return
						}
						if tt.lossless && lost > 0 {
							t.Errorf("lost %d with a ring that holds everything", lost)
						}
						lostTotal += lost
						for i, e := range events {
							want := last + 1
							if i == 0 {
								want += lost
							}
							if e.Seq != want {
								t.Errorf("seq %d after %d (lost %d), want %d", e.Seq, last, lost, want)
								return
							}
							last = e.Seq
						}
						buf = events
					}
					if !tt.lossless && lostTotal >= total {
						t.Errorf("lost %d of %d", lostTotal, total)
					}
				}()
			}
			var pubs sync.WaitGroup
			for range publishers {
				pubs.Add(1)
				go func() {
					defer pubs.Done()
					publishN(h, perPublisher)
				}()
			}
			pubs.Wait()
			subs.Wait()
			if got := seqs(h.Recent(1)); !slices.Equal(got, []uint64{total}) {
				t.Errorf("last seq = %v, want %d", got, total)
			}
			if n := h.Subscribers(); n != 0 {
				t.Errorf("%d subscribers left open", n)
			}
		})
	}
}
