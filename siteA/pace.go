package siteA

import (
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// Frame pacing, one budget for all clients. The live log's broadcaster
// (broadcast.go) frames each event the moment it is published: what a
// class clicking buttons needs. Under a load tool the same rule costs one
// write syscall per event per client — at 25,000 requests/s and 10
// clients, more CPU than site B's request path itself, and at 1,000
// requests/s to a lecture hall of 1,000 browsers, a million writes a
// second (docs/BENCHMARKS.md). So when the fan-out, events per second times
// clients, passes paceFanout, the broadcaster frames at most once per gap,
// each frame carrying every event published meanwhile (up to
// maxFrameEvents; a full frame is followed at once): the gap is paceGap,
// or longer with many clients, so that frames times clients stay within
// frameBudget writes a second. Nothing is dropped or reordered; the delay
// added is at most the gap: 8 ms, 10 ms for a hall of 1,000 — under one
// refresh of a 60 Hz screen (16.7 ms): a page shows an event at most one
// refresh later than it would unpaced. Each frame costs every client a
// wake-up and a write, and its browser a read: at 10,000 events/s to 10
// clients, the clients spent 11–13 µs of CPU per event with frames 1 ms
// apart and 5 µs with 8 ms (docs/BENCHMARKS.md, seventh session).
const (
	paceFanout  = 50_000                // events per second times clients past which frames are paced
	paceGap     = 8 * time.Millisecond  // the least gap between frames, when paced: half a 60 Hz refresh
	frameBudget = 100_000               // frames per second times clients, when paced
	paceWindow  = 10 * time.Millisecond // how often the broadcaster measures the fan-out
)

// framePacer is the broadcaster's pacing state.
type framePacer struct {
	hub       *journal.Hub
	since     time.Time // start of the current measurement
	published uint64    // hub.Published() at since
	paced     bool      // the last measurement passed paceFanout
	lastFrame time.Time
	full      bool // the last frame carried maxFrameEvents: more are waiting
}

func newFramePacer(hub *journal.Hub, now time.Time) *framePacer {
	return &framePacer{hub: hub, since: now, published: hub.Published()}
}

// wait returns how long the broadcaster should wait before reading events
// for its next frame, with clients connected: zero unless the fan-out is
// high and the last frame left less than the gap ago.
func (p *framePacer) wait(now time.Time, clients int) time.Duration {
	if d := now.Sub(p.since); d >= paceWindow {
		n := p.hub.Published()
		perSecond := float64(n-p.published) / d.Seconds()
		p.paced = perSecond*float64(clients) >= paceFanout
		p.since, p.published = now, n
	}
	if !p.paced || p.full {
		return 0
	}
	gap := max(paceGap, time.Duration(clients)*(time.Second/frameBudget))
	return max(0, p.lastFrame.Add(gap).Sub(now))
}

// sent notes that a frame went out at now; full says it carried as many
// events as a frame can (maxFrameEvents), so the next goes out at once:
// pacing must never make the live log fall behind.
func (p *framePacer) sent(now time.Time, full bool) { p.lastFrame, p.full = now, full }
