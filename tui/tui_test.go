package tui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/syncbuf"
)

// busyModel is a console with a policy, a full log and a selected trial.
func busyModel(t testing.TB, w, h int) Model {
	lab := &fakeLab{doc: policy.Document{
		Preflight: policy.PreflightRule{Headers: policy.Headers{
			"Access-Control-Allow-Origin":                   {"{origin}"},
			"Access-Control-Allow-Methods":                  {"GET, POST, PUT, PATCH, DELETE"},
			"X-A-Very-Long-Custom-Header-Name-That-Goes-On": {strings.Repeat("long value ", 20)},
		}},
		Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"{origin}"}, "Vary": {"Origin"}}},
	}}
	m := newTestModel(t, lab, w, h)
	var evs []*journal.Event
	for i := range 60 {
		x := simpleGET(fmt.Sprintf("/api/items/%d?q=%s", i, strings.Repeat("x", i)), 200, testSiteA)
		evs = append(evs, exchangeEvent(uint64(i+1), x))
	}
	evs = append(evs, policyEvent(61, "control API", lab.Policy()), trialEvent(62, blockedPUT(true)))
	return update(t, m, eventsMsg{events: evs, lost: 3})
}

func TestViewFitsWindow(t *testing.T) {
	sizes := [][2]int{{80, 24}, {120, 40}, {100, 30}, {60, 20}, {200, 60}, {40, 12}}
	states := []struct {
		name string
		keys []string
	}{
		{"policy focus", nil},
		{"log focus", []string{"tab", "up"}},
		{"full help", []string{"?"}},
		{"edit prompt", []string{"e"}},
		{"error", []string{"e", "\\", "n", "enter"}},
	}
	for _, sz := range sizes {
		for _, s := range states {
			t.Run(fmt.Sprintf("%dx%d %s", sz[0], sz[1], s.name), func(t *testing.T) {
				m := press(t, busyModel(t, sz[0], sz[1]), s.keys...)
				out := m.View().Content
				ls := lines(out)
				if len(ls) > sz[1] {
					t.Errorf("%d lines, want ≤ %d", len(ls), sz[1])
				}
				for i, l := range ls {
					if w := ansi.StringWidth(l); w > sz[0] {
						t.Errorf("line %d is %d cells wide, want ≤ %d: %q", i, w, sz[0], ansi.Strip(l))
					}
				}
				if sz[0] >= 80 {
					if p := plain(m); !strings.Contains(p, "Site B policy") || !strings.Contains(p, "Live log") || !strings.Contains(p, "Detail") {
						t.Errorf("a panel is missing:\n%s", p)
					}
				}
			})
		}
	}
}

func TestView80x24(t *testing.T) {
	m := busyModel(t, 80, 24)
	ls := lines(plain(m))
	if len(ls) != 24 {
		t.Errorf("%d lines, want 24", len(ls))
	}
	for _, want := range []string{"corslab", "http://localhost:7070", "http://localhost:7071", "policy: 4 headers", "Origin", "{origin}", "q quit"} {
		if !strings.Contains(plain(m), want) {
			t.Errorf("80x24 lacks %q\n%s", want, plain(m))
		}
	}
	if v := m.View(); !v.AltScreen {
		t.Error("the view does not use the alternate screen")
	}
}

func TestHelpToggle(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	if strings.Contains(plain(m), "follow newest") {
		t.Error("full help shown before ?")
	}
	m = press(t, m, "?")
	if !strings.Contains(plain(m), "follow newest") || !strings.Contains(plain(m), "where: both/pre/act") {
		t.Errorf("? does not show full help\n%s", plain(m))
	}
	m = press(t, m, "?")
	if strings.Contains(plain(m), "follow newest") {
		t.Error("? does not hide full help")
	}
}

func TestQuitKeys(t *testing.T) {
	for _, k := range []string{"q", "ctrl+c"} {
		m := newTestModel(t, &fakeLab{}, 80, 24)
		_, cmd := updateCmd(t, m, keyMsg(k))
		if cmd == nil {
			t.Fatalf("%s: no command", k)
		}
		if _, ok := cmd().(tea.QuitMsg); !ok {
			t.Errorf("%s does not quit", k)
		}
	}
	// In a prompt, q is text; ctrl+c still quits.
	m := press(t, newTestModel(t, &fakeLab{}, 80, 24), "a", "q")
	if !m.prompt.active() || m.prompt.input.Value() != "q" {
		t.Errorf("q in a prompt: active %v value %q", m.prompt.active(), m.prompt.input.Value())
	}
}

func TestHubEventsThroughCmd(t *testing.T) {
	hub := journal.NewHub(64)
	hub.Publish(exchangeEvent(0, simpleGET("/replayed", 200, "")))
	lab := &fakeLab{}
	opts := lab.options()
	opts.Hub = hub
	m := New(opts)
	defer m.Close()
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40})
	if hub.Subscribers() != 1 {
		t.Fatalf("%d subscribers", hub.Subscribers())
	}
	cmd := m.Init()
	m, cmd = updateCmd(t, m, cmd())
	if cmd == nil {
		t.Fatal("the events command is not re-issued")
	}
	hub.Publish(exchangeEvent(0, simpleGET("/live", 200, "")))
	m, _ = updateCmd(t, m, cmd())
	out := plain(m)
	if !strings.Contains(out, "/replayed") || !strings.Contains(out, "/live") {
		t.Errorf("events from the hub missing:\n%s", out)
	}
	// A cancelled context ends the command with eventsDoneMsg and no new command.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	m.ctx = ctx
	msg := m.waitEvents()()
	if _, ok := msg.(eventsDoneMsg); !ok {
		t.Fatalf("got %T", msg)
	}
	if _, cmd = updateCmd(t, m, msg); cmd != nil {
		t.Error("a command after the subscription ended")
	}
	m.Close()
	if hub.Subscribers() != 0 {
		t.Errorf("%d subscribers after Close", hub.Subscribers())
	}
}

// runHeadless runs the program on buffers with a fixed size and no colour.
func runHeadless(ctx context.Context, opts Options, in *bytes.Buffer) (chan error, *syncbuf.Buffer) {
	out := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, opts, in, out, tea.WithWindowSize(120, 40), tea.WithColorProfile(colorprofile.NoTTY),
			tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	}()
	return done, out
}

func TestRunReturnsWhenContextEnds(t *testing.T) {
	hub := journal.NewHub(16)
	lab := &fakeLab{}
	opts := lab.options()
	opts.Hub = hub
	ctx, cancel := context.WithCancel(t.Context())
	done, out := runHeadless(ctx, opts, &bytes.Buffer{})
	// Wait until the console has drawn and subscribed, then publish and cancel.
	poll.Until(t, 5*time.Second, "the policy panel and one subscriber", func() bool { return strings.Contains(out.String(), "Site B policy") && hub.Subscribers() == 1 })
	hub.Publish(exchangeEvent(0, simpleGET("/from-run", 200, "")))
	poll.Until(t, 5*time.Second, "/from-run on the screen", func() bool { return strings.Contains(out.String(), "/from-run") })
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after ctx ended, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after ctx ended")
	}
	if n := hub.Subscribers(); n != 0 {
		t.Errorf("%d subscribers left after Run", n)
	}
}

func TestRunReturnsOnQuit(t *testing.T) {
	lab := &fakeLab{}
	done, _ := runHeadless(t.Context(), lab.options(), bytes.NewBufferString("q"))
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run returned %v after q, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after q")
	}
}

// BenchmarkUpdateView measures one incoming exchange event plus a render,
// with a short and a full history: the cost should not grow with history.
func BenchmarkUpdateView(b *testing.B) {
	for _, n := range []int{20, maxEntries} {
		b.Run(fmt.Sprintf("history=%d", n), func(b *testing.B) {
			m := newTestModel(b, &fakeLab{}, 120, 40)
			evs := make([]*journal.Event, n)
			for i := range evs {
				evs[i] = exchangeEvent(uint64(i+1), simpleGET("/api/items", 200, "*"))
			}
			m = update(b, m, eventsMsg{events: evs})
			x := simpleGET("/api/items/7", 200, testSiteA)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				next, _ := m.Update(eventsMsg{events: []*journal.Event{exchangeEvent(uint64(n+i), x)}})
				m = next.(Model)
				_ = m.View()
			}
		})
	}
}

// BenchmarkFrame measures one frame at 1,000 requests/s on a 120×40
// terminal, as the console spends it: the frame's batch of 16 exchange
// events (each a new log entry, the newest selected) and one View. The
// policy, the help and the header do not change between frames.
func BenchmarkFrame(b *testing.B) {
	m := busyModel(b, 120, 40)
	m = press(b, m, "tab", "G") // the log focused, following
	const batch = 16            // events in one 16 ms frame at 1,000/s
	x := simpleGET("/api/items", 200, testSiteA)
	seq := uint64(1000)
	b.ReportAllocs()
	for b.Loop() {
		evs := make([]*journal.Event, batch)
		for i := range evs {
			seq++
			evs[i] = exchangeEvent(seq, x)
		}
		m = update(b, m, eventsMsg{events: evs})
		_ = m.View()
	}
}

// Under -lan the status line starts with the teacher link (Options.Notice),
// which the terminal's earlier output is hidden behind.
func TestNoticeShownFirst(t *testing.T) {
	opts := (&fakeLab{}).options()
	opts.Notice = "-lan: teacher link http://192.0.2.2:7070/?teacher=TOKEN"
	m := update(t, New(opts), tea.WindowSizeMsg{Width: 120, Height: 30})
	if !strings.Contains(plain(m), "?teacher=TOKEN") {
		t.Errorf("the view lacks the notice:\n%s", plain(m))
	}
}

// A long reason wraps at 80 columns instead of being cut mid-word, and the
// window keeps its height: the panels give the status its lines.
func TestLongReasonWraps(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 80, 24)
	reason := `actual.headers["X-Custom"]: value contains CR or LF, which would inject a header; preflight.headers["Access-Control-Allow-Methods"]: value contains control byte 0x07`
	m = update(t, m, statusMsg{err: errors.New(reason)})
	view := ansi.Strip(m.render())
	if n := strings.Count(view, "\n") + 1; n != 24 {
		t.Errorf("the view is %d lines, want 24", n)
	}
	flat := strings.Join(strings.Fields(view), " ")
	if !strings.Contains(flat, strings.Join(strings.Fields(reason), " ")) {
		t.Errorf("the reason is not shown whole:\n%s", view)
	}
}
