package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// detailBothWays frames the detail's window w×h as detailBox does (cut:
// from the content) and as the viewport shows it.
func detailBothWays(m Model, w, h int) (got []string, cut bool, viewport []string) {
	got, cut = m.drawDetail("Detail", w, h)
	return got, cut, m.st.box("Detail", strings.Split(m.detail.View(), "\n"), w, h, false)
}

// The detail's window cut from the content is the viewport's, line for
// line, for every entry the log shows, in every export format, at every
// scroll position, at several sizes — and for an ordinary exchange or
// trial it is cut, not left to the viewport.
func TestDetailWindowIsTheViewports(t *testing.T) {
	upstream := simpleGET("/api/items", 200, testSiteA)
	upstream.UpstreamStatus = 502
	upstream.UpstreamError = "connection refused\tthen\r\nnothing"
	tabbed := simpleGET("/api/tabs", 200, "*")
	tabbed.ResponseHeader.Set("X-Tabbed", "a\tb")
	wide := simpleGET("/api/日本語/"+strings.Repeat("長い", 30), 404, "")
	lab := &fakeLab{doc: policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{
		"Access-Control-Allow-Origin": {"{origin}"}, "X-Long": {strings.Repeat("a long value ", 30)}}}}}
	events := []*journal.Event{
		exchangeEvent(1, simpleGET("/api/items", 200, testSiteA)),
		exchangeEvent(2, blockedPUT(false).Exchanges[0]),
		exchangeEvent(3, upstream),
		exchangeEvent(4, tabbed),
		exchangeEvent(5, wide),
		trialEvent(6, blockedPUT(true)),
		policyEvent(7, "page", lab.Policy()),
	}
	cut := 0
	for _, size := range [][2]int{{120, 40}, {80, 24}, {61, 30}, {200, 60}, {30, 12}} {
		m := newTestModel(t, lab, size[0], size[1])
		m = update(t, m, eventsMsg{events: events, lost: 2})
		m = press(t, m, "tab")
		check := func(state string) {
			lw, _, _, detH := m.layout()
			w := size[0] - lw
			for y := 0; ; y++ {
				got, ok, want := detailBothWays(m, w, detH)
				if ok {
					cut++
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("%v, %s, scrolled %d: cut from the content\n%s\nwant, the viewport's,\n%s", size, state, y, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if m.detail.AtBottom() {
					break
				}
				m.detail.ScrollDown(1)
			}
			m.detail.GotoTop()
		}
		for i := range m.log.entries {
			m.log.selected, m.log.follow = i, false
			m.syncDetail()
			check(fmt.Sprintf("entry %d (%v)", i, m.log.entries[i].kind))
		}
		m = press(t, m, "E")
		for range 4 {
			check("export " + m.export.title())
			m = press(t, m, "right")
		}
	}
	if cut == 0 {
		t.Error("no window was cut from the content")
	}
	// An ordinary exchange's detail is cut from the content.
	m := newTestModel(t, lab, 120, 40)
	m = update(t, m, eventsMsg{events: events[:1]})
	if _, ok := m.detailWindow(m.detail.Width()); !ok {
		t.Errorf("an exchange's detail is left to the viewport:\n%q", m.detailSet.lines)
	}
}

// Lines the viewport's View changes — tabs, CR and LF, a style left open,
// other escape sequences, control characters, lines wider than the
// viewport — are left to it; whatever the lines, what is cut is the
// viewport's window.
func TestDetailWindowDeclines(t *testing.T) {
	for _, tt := range []struct {
		desc  string
		lines []string
		want  bool // cut
	}{
		{"plain", []string{"GET /api/items", "", "  Origin: http://localhost:7070"}, true},
		{"styled, closed", []string{"\x1b[1;38;2;210;153;34m▸ Access-Control-Allow-Origin: *\x1b[m", "x"}, true},
		{"wide characters", []string{"日本語 ✓ ✗ ⚠ ← ▸ · x", "👍🏽 e\u0301 x"}, true},
		{"ends in a character that joins the next", []string{"x\u0601"}, false},
		{"a tab", []string{"a\tb"}, false},
		{"CR LF", []string{"a\r\nb", "c"}, false},
		{"a style left open", []string{"\x1b[1mbold", "on\x1b[m"}, false},
		{"a hyperlink", []string{"\x1b]8;;http://x\x1b\\x\x1b]8;;\x1b\\"}, false},
		{"a control character", []string{"bell\x07"}, false},
		{"C1", []string{"a\u0085b"}, false},
		{"invalid UTF-8", []string{"a\xffb"}, false},
		{"wider than the viewport", []string{strings.Repeat("x", 50)}, false},
		{"one empty line", []string{"\x1b[m"}, false},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			m := detailOf(t, tt.lines, 40, 5, 0)
			got, ok, want := detailBothWays(m, 42, 7)
			if ok != tt.want {
				t.Errorf("cut %v, want %v", ok, tt.want)
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("cut from the content\n%q\nwant, the viewport's,\n%q", got, want)
			}
		})
	}
}

// detailOf is a model whose detail holds lines, vw×vh, scrolled y.
func detailOf(t testing.TB, lines []string, vw, vh, y int) Model {
	m := update(t, New((&fakeLab{}).options()), tea.WindowSizeMsg{Width: 120, Height: 40})
	m.detailSet = newDetailContent(lines)
	m.detail.SetWidth(vw)
	m.detail.SetHeight(vh)
	m.detail.SetContentLines(append([]string(nil), lines...))
	m.detail.SetYOffset(y)
	return m
}

func FuzzDetailWindow(f *testing.F) {
	f.Add("GET /api/items", "\x1b[1mbold\x1b[m and 日本", "  ", uint8(20), uint8(3), uint8(0), uint8(2))
	f.Add("a\tb", "\x1b[1mopen", "closed\x1b[0m", uint8(10), uint8(2), uint8(1), uint8(0))
	f.Add("trailing   ", "", "e\u0301 👍🏽", uint8(11), uint8(5), uint8(0), uint8(5))
	f.Fuzz(func(t *testing.T, a, b, c string, vw, vh, y, extra uint8) {
		vw, vh = 1+vw%60, 1+vh%10
		m := detailOf(t, []string{a, b, c}, int(vw), int(vh), int(y%4))
		w, h := int(vw)+int(extra%6), int(vh)+int(extra%3)
		got, _, want := detailBothWays(m, w, h)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("lines %q, %d×%d, scrolled %d, box %d×%d: cut from the content\n%q\nwant, the viewport's,\n%q", []string{a, b, c}, vw, vh, y%4, w, h, got, want)
		}
	})
}
