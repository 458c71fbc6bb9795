package tui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/corslab/corslab/internal/journal"
)

// feed publishes events into a hub as a fake clock passes: one every gap.
type feed struct {
	hub       *journal.Hub
	now       time.Time
	arrivals  []time.Time // of the events not yet published
	published int
	delivered int // events the model has received
	at        []time.Time
}

func (f *feed) publishUntil(t time.Time) {
	for len(f.arrivals) > 0 && !f.arrivals[0].After(t) {
		n := f.published
		f.hub.Publish(exchangeEvent(0, simpleGET(fmt.Sprintf("/api/items/%d", n), 200, "*")))
		f.at = append(f.at, f.arrivals[0])
		f.arrivals = f.arrivals[1:]
		f.published++
	}
}

// clock is the fake clock: sleeping publishes what arrives meanwhile, and
// when nothing is waiting afterwards it goes on to the next arrival, as
// the reader's wait for the journal would.
func (f *feed) clock() clock {
	return clock{
		now: func() time.Time { return f.now },
		sleep: func(_ context.Context, d time.Duration) {
			f.now = f.now.Add(d)
			f.publishUntil(f.now)
			if f.published == f.delivered && len(f.arrivals) > 0 {
				f.now = f.arrivals[0]
				f.publishUntil(f.now)
			}
		},
	}
}

// Whatever the event rate, the console takes at most one batch of events
// (and so renders at most once) per frameInterval, and shows an event
// after a quiet spell at once.
func TestOneRenderPerFrame(t *testing.T) {
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		desc        string
		events      int
		gap         time.Duration
		wantRenders func(span time.Duration) int // at most
	}{
		{"a class clicking: each event at once", 20, 100 * time.Millisecond, func(time.Duration) int { return 20 }},
		{"1,000 events/s", 1000, time.Millisecond, func(span time.Duration) int { return int(span/frameInterval) + 2 }},
		{"100,000 events/s", 1000, 10 * time.Microsecond, func(span time.Duration) int { return int(span/frameInterval) + 2 }},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			f := &feed{hub: journal.NewHub(4096), now: start}
			for i := range tt.events {
				f.arrivals = append(f.arrivals, start.Add(time.Duration(i)*tt.gap))
			}
			lab := &fakeLab{}
			opts := lab.options()
			opts.Hub = f.hub
			m := New(opts)
			defer m.Close()
			m.clock = f.clock()
			m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
			f.publishUntil(f.now) // the first event, before the reader starts
			renders, last := 0, time.Time{}
			var maxDelay time.Duration
			cmd := m.Init()
			for f.delivered < tt.events {
				msg, ok := cmd().(eventsMsg)
				if !ok {
					t.Fatalf("got %T, want eventsMsg", msg)
				}
				if renders > 0 && msg.at.Sub(last) < frameInterval {
					t.Errorf("batch %d read %v after the last, want ≥ %v", renders, msg.at.Sub(last), frameInterval)
				}
				for i := range msg.events {
					maxDelay = max(maxDelay, msg.at.Sub(f.at[f.delivered+i]))
				}
				f.delivered += len(msg.events)
				m, cmd = updateCmd(t, m, msg)
				_ = m.View() // the program renders after every message
				renders++
				last = msg.at
			}
			span := f.at[len(f.at)-1].Sub(start)
			t.Logf("%d events over %v: %d renders, delay at most %v", tt.events, span, renders, maxDelay)
			if want := tt.wantRenders(span); renders > want {
				t.Errorf("%d renders for %d events over %v, want at most %d", renders, tt.events, span, want)
			}
			if maxDelay > frameInterval {
				t.Errorf("an event waited %v to be read, want at most %v", maxDelay, frameInterval)
			}
			if len(m.log.entries) != tt.events {
				t.Errorf("%d entries in the log, want %d", len(m.log.entries), tt.events)
			}
			lastPath := fmt.Sprintf("/api/items/%d", tt.events-1)
			if out := plain(m); !strings.Contains(out, lastPath) || strings.Count(out, "\n") != 39 {
				t.Errorf("final view (want 40 lines, %s in the log):\n%s", lastPath, out)
			}
		})
	}
}
