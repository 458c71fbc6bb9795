package siteA

import (
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// Frame pacing. A live-log writer sends each event the moment it is
// published, in a frame of its own: what a class clicking buttons needs.
// Under a load tool the same rule costs one write syscall per event per
// client — at 25,000 requests/s and 10 clients, more CPU than site B's
// request path itself (BENCHMARKS.md). So when the hub's fan-out, events
// per second times subscribers, passes paceFanout, each writer sends at
// most one frame per paceGap, carrying every event published meanwhile
// (up to maxBatch; a full frame is followed at once). Nothing is dropped
// or reordered, and the delay added is at most paceGap: a millisecond,
// far under what a person watching the log can see.
const (
	paceFanout = 50_000                // frames per second across all clients
	paceGap    = time.Millisecond      // at least this between one client's frames, when paced
	paceWindow = 10 * time.Millisecond // how often a writer measures the fan-out
)

// framePacer is one writer's pacing state.
type framePacer struct {
	hub       *journal.Hub
	since     time.Time // start of the current measurement
	published uint64    // hub.Published() at since
	paced     bool      // the last measurement passed paceFanout
	lastFrame time.Time
	full      bool // the last frame carried maxBatch events: more are waiting
}

func newFramePacer(hub *journal.Hub, now time.Time) *framePacer {
	return &framePacer{hub: hub, since: now, published: hub.Published()}
}

// wait returns how long the writer should wait before reading events for
// its next frame: zero unless the fan-out is high and the last frame left
// less than paceGap ago.
func (p *framePacer) wait(now time.Time) time.Duration {
	if d := now.Sub(p.since); d >= paceWindow {
		n := p.hub.Published()
		perSecond := float64(n-p.published) / d.Seconds()
		p.paced = perSecond*float64(p.hub.Subscribers()) >= paceFanout
		p.since, p.published = now, n
	}
	if !p.paced || p.full {
		return 0
	}
	return max(0, p.lastFrame.Add(paceGap).Sub(now))
}

// sent notes that a frame went out at now; full says it carried as many
// events as a frame can (maxBatch), so the next goes out at once: pacing
// must never make a writer fall behind.
func (p *framePacer) sent(now time.Time, full bool) { p.lastFrame, p.full = now, full }
