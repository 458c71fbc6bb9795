package tui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// drawnAfresh renders m with nothing kept from earlier frames: no kept
// parts (drawnParts) and no entry's lines laid out.
func drawnAfresh(m Model) string {
	m.drawn = &drawnParts{}
	for _, e := range m.log.entries {
		e.drawn = drawnLines{}
	}
	return m.render()
}

// Whatever changes between two frames — events, a trial settling, a
// policy burst, keys, a resize, the status, a prompt, the export, the
// browser, the lesson — the screen drawn from the parts kept from the
// last frame is the screen drawn afresh, line for line.
func TestKeptPartsMatchAFreshDraw(t *testing.T) {
	lab := &fakeLab{}
	lesson := "Lesson 4/13 The preflight · 3 done"
	opts := lab.options()
	opts.Lesson = func() string { return lesson }
	m := New(opts)
	seq := uint64(0)
	events := func(evs ...func(seq uint64) *journal.Event) tea.Msg {
		var out []*journal.Event
		for _, ev := range evs {
			seq++
			out = append(out, ev(seq))
		}
		return eventsMsg{events: out}
	}
	get := func(path string) func(uint64) *journal.Event {
		return func(seq uint64) *journal.Event { return exchangeEvent(seq, simpleGET(path, 200, testSiteA)) }
	}
	trialAt := func(settled bool) func(uint64) *journal.Event {
		return func(seq uint64) *journal.Event { return trialEvent(seq, blockedPUT(settled)) }
	}
	byPage := func(seq uint64) *journal.Event { return policyEvent(seq, "page", lab.Policy()) }
	preflightOfT7 := func(seq uint64) *journal.Event {
		x := blockedPUT(false).Exchanges[0]
		x.Status = 200
		return exchangeEvent(seq, x)
	}
	var many []func(uint64) *journal.Event
	for i := range 40 {
		many = append(many, get(fmt.Sprintf("/api/items/%d?q=%s", i, strings.Repeat("日本", i%7))))
	}
	steps := []struct {
		desc string
		do   func(Model) Model
	}{
		{"120×40, nothing yet", func(m Model) Model { return update(t, m, tea.WindowSizeMsg{Width: 120, Height: 40}) }},
		{"40 exchanges", func(m Model) Model { return update(t, m, events(many...)) }},
		{"a trial announced", func(m Model) Model { return update(t, m, events(trialAt(false))) }},
		{"an exchange grows the trial", func(m Model) Model { return update(t, m, events(preflightOfT7)) }},
		{"the trial settles", func(m Model) Model { return update(t, m, events(trialAt(true))) }},
		{"the policy changed by the page", func(m Model) Model {
			lab.force(policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}}})
			return update(t, m, events(byPage))
		}},
		{"again: the same log entry, ×2", func(m Model) Model {
			lab.force(policy.Document{})
			return update(t, m, events(byPage))
		}},
		{"missed events", func(m Model) Model { return update(t, m, eventsMsg{lost: 7}) }},
		{"tab: the log focused", func(m Model) Model { return press(t, m, "tab") }},
		{"up: paused on an older entry", func(m Model) Model { return press(t, m, "up", "up", "up") }},
		{"an exchange while paused", func(m Model) Model { return update(t, m, events(get("/api/while-paused"))) }},
		{"down", func(m Model) Model { return press(t, m, "down") }},
		{"G follows", func(m Model) Model { return press(t, m, "G") }},
		{"100×30", func(m Model) Model { return update(t, m, tea.WindowSizeMsg{Width: 100, Height: 30}) }},
		{"59×20: the log without times", func(m Model) Model { return update(t, m, tea.WindowSizeMsg{Width: 59, Height: 20}) }},
		{"20×6, the smallest", func(m Model) Model { return update(t, m, tea.WindowSizeMsg{Width: 20, Height: 6}) }},
		{"160×50", func(m Model) Model { return update(t, m, tea.WindowSizeMsg{Width: 160, Height: 50}) }},
		{"? all the help", func(m Model) Model { return press(t, m, "?") }},
		{"? the short help", func(m Model) Model { return press(t, m, "?") }},
		{"tab: the policy focused", func(m Model) Model { return press(t, m, "tab") }},
		{"down: the next row", func(m Model) Model { return press(t, m, "down") }},
		{"right: its value cycles", func(m Model) Model { return press(t, m, "right") }},
		{"an error on the status line", func(m Model) Model {
			return update(t, m, statusMsg{err: errors.New(strings.Repeat("a long reason that wraps ", 12))})
		}},
		{"the policy changed elsewhere", func(m Model) Model {
			lab.force(policy.Document{Preflight: policy.PreflightRule{Status: 200}})
			return update(t, m, events(func(seq uint64) *journal.Event { return policyEvent(seq, "control API", lab.Policy()) }))
		}},
		{"e: a prompt", func(m Model) Model { return press(t, m, "e") }},
		{"typing in it", func(m Model) Model { return typeText(t, m, "x") }},
		{"esc", func(m Model) Model { return press(t, m, "esc") }},
		{"E: the export", func(m Model) Model { return press(t, m, "E") }},
		{"right: the next format", func(m Model) Model { return press(t, m, "right") }},
		{"E closes it", func(m Model) Model { return press(t, m, "E") }},
		{"b: as Chromium", func(m Model) Model { return press(t, m, "b") }},
		{"b: as Firefox", func(m Model) Model { return press(t, m, "b") }},
		{"tab, up: the trial selected", func(m Model) Model {
			m = press(t, m, "tab")
			for m.log.selectedEntry() != nil && m.log.selectedEntry().kind != entryTrial {
				m = press(t, m, "up")
			}
			return m
		}},
		{"pgdown in the detail", func(m Model) Model { return press(t, m, "pgdown") }},
		{"pgup", func(m Model) Model { return press(t, m, "pgup") }},
		{"the lesson changes", func(m Model) Model { lesson = "Lesson 5/13 Credentials ✓ · 4 done"; return m }},
		{"c clears the log", func(m Model) Model { return press(t, m, "c") }},
		{"an exchange after", func(m Model) Model { return update(t, m, events(get("/api/after"))) }},
	}
	for _, s := range steps {
		m = s.do(m)
		got, want := m.render(), drawnAfresh(m)
		if got == want {
			continue
		}
		g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
		for i := range max(len(g), len(w)) {
			gl, wl := "", ""
			if i < len(g) {
				gl = g[i]
			}
			if i < len(w) {
				wl = w[i]
			}
			if gl != wl {
				t.Errorf("%s: line %d drawn from kept parts\n%q\nwant, drawn afresh,\n%q", s.desc, i, ansi.Strip(gl), ansi.Strip(wl))
				break
			}
		}
	}
}

// An entry's log lines are laid out once, and again when the entry or the
// panel's width changes; they are the lines the panel laid out every frame
// before: each entry line behind its selection mark, fitted to the width,
// the selected entry's styled.
func TestLogLinesLaidOutOnce(t *testing.T) {
	st := newStyles()
	settled := blockedPUT(true)
	settled.Exchanges = append(settled.Exchanges, settled.Exchanges[0], settled.Exchanges[0], settled.Exchanges[0], settled.Exchanges[0])
	wide := simpleGET("/api/日本語/"+strings.Repeat("x", 40), 200, "")
	wide.Preflight = true
	events := []*journal.Event{
		exchangeEvent(1, simpleGET("/api/items", 200, "*")),
		exchangeEvent(2, wide),
		trialEvent(3, blockedPUT(false)),
		policyEvent(4, "page", policy.Document{}),
		policyEvent(5, "page", policy.Document{}),
	}
	// The lines as the panel laid them out every frame.
	want := func(l *logPanel, w, h int, focused bool) []string {
		cols := newLogColumns(w)
		var out []string
		for i := l.top; i < len(l.entries) && len(out) < h; i++ {
			for j, line := range l.entries[i].lines(cols, st) {
				if len(out) == h {
					break
				}
				mark := "  "
				if i == l.selected && j == 0 {
					mark = "› "
				}
				line = fit(mark+line, w)
				if i == l.selected {
					if focused {
						line = st.selected.Render(line)
					} else {
						line = st.title.Render(line)
					}
				}
				out = append(out, line)
			}
		}
		return out
	}
	l := newLogPanel()
	l.setHeight(30)
	l.add(events, 2)
	tests := []struct {
		desc    string
		change  func()
		focused bool
	}{
		{"as they arrived", func() {}, true},
		{"not focused", func() {}, false},
		{"the trial settles", func() { l.add([]*journal.Event{trialEvent(6, settled)}, 0) }, true},
		{"another policy change, the same entry", func() { l.add([]*journal.Event{policyEvent(7, "page", policy.Document{})}, 0) }, true},
		{"an older entry selected", func() { l.move(-3) }, true},
		{"the newest again", func() { l.followNewest() }, false},
	}
	for _, tt := range tests {
		tt.change()
		for _, w := range []int{1, 2, 3, 8, 30, 59, 60, 86, 200} {
			got, want := l.view(st, w, 30, tt.focused), want(&l, w, 30, tt.focused)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("%s, %d wide:\n%q\nwant\n%q", tt.desc, w, got, want)
			}
		}
	}
}

// cellWidth counts printable ASCII itself and leaves the rest to
// ansi.StringWidth: the two agree.
func TestCellWidth(t *testing.T) {
	for _, s := range cellWidthSamples {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

var cellWidthSamples = []string{
	"", "GET /api/items 200", "~ !", "a\tb", "a\x7fb", "\x1b[1mbold\x1b[m", "│ box │", "日本", "e\u0301",
	"#\ufe0f\u20e3", "a\u200db", "👍🏽", "✓ ok", "x\r\ny", "\x00",
}

func FuzzCellWidth(f *testing.F) {
	for _, s := range cellWidthSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := cellWidth(s), ansi.StringWidth(s); got != want {
			t.Errorf("cellWidth(%q) = %d, want %d", s, got, want)
		}
	})
}
