package siteA

import (
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// The pacer measures the fan-out over paceWindow and paces the frames only
// while events per second times clients pass paceFanout; the gap is
// paceGap, or longer so that frames times clients stay within frameBudget.
func TestFramePacer(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	// events published in one paceWindow that make paceFanout with subs subscribers
	atFanout := func(subs int) int { return paceFanout * int(paceWindow/time.Millisecond) / 1000 / subs }
	tests := []struct {
		desc      string
		subs      int           // clients
		published int           // events in the first window
		lastFrame time.Duration // after t0
		full      bool          // the last frame carried maxFrameEvents events
		at        time.Duration // when the writer asks, after t0
		want      time.Duration
	}{
		{"before the first measurement: never paced", 10, 100_000, paceWindow - 1, false, paceWindow - 1, 0},
		{"low fan-out: a frame per event", 10, atFanout(10) - 1, paceWindow, false, paceWindow, 0},
		{"the teacher alone, 1,000 events/s", 1, 10, paceWindow, false, paceWindow, 0},
		{"high fan-out, frame just sent: wait the gap", 10, atFanout(10), paceWindow, false, paceWindow, paceGap},
		{"high fan-out, frame sent half a gap ago", 10, atFanout(10), paceWindow - paceGap/2, false, paceWindow, paceGap / 2},
		{"high fan-out, last frame long ago: no wait", 10, atFanout(10), 0, false, paceWindow, 0},
		{"high fan-out, last frame full: no wait", 10, atFanout(10), paceWindow, true, paceWindow, 0},
		{"many subscribers, modest rate", 100, atFanout(100), paceWindow, false, paceWindow, paceGap},
		{"a lecture hall: 1,000 clients, 1,000 events/s: the budget's gap", 1000, 10, paceWindow, false, paceWindow, 1000 * time.Second / frameBudget},
		{"a lecture hall, frame sent 4 ms ago", 1000, 10, paceWindow - 4*time.Millisecond, false, paceWindow, 1000*time.Second/frameBudget - 4*time.Millisecond},
		{"a lecture hall, last frame full: no wait", 1000, 10, paceWindow, true, paceWindow, 0},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			hub := journal.NewHub(16)
			p := newFramePacer(hub, t0)
			for range tt.published {
				hub.Publish(&journal.Event{})
			}
			p.sent(t0.Add(tt.lastFrame), tt.full)
			if got := p.wait(t0.Add(tt.at), tt.subs); got != tt.want {
				t.Errorf("wait = %v, want %v", got, tt.want)
			}
		})
	}
}

// Pacing ends with the burst: the next measurement after a quiet window
// sends each event at once again.
func TestFramePacerEndsWithTheBurst(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	hub := journal.NewHub(16)
	p := newFramePacer(hub, t0)
	for range paceFanout {
		hub.Publish(&journal.Event{})
	}
	now := t0.Add(paceWindow)
	p.sent(now, false)
	if got := p.wait(now, 1); got != paceGap {
		t.Fatalf("during the burst: wait = %v, want %v", got, paceGap)
	}
	now = now.Add(paceWindow)
	hub.Publish(&journal.Event{})
	p.sent(now, false)
	if got := p.wait(now, 1); got != 0 {
		t.Errorf("after a quiet window: wait = %v, want 0", got)
	}
}
