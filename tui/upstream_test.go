package tui

import (
	"net/http"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/export"
)

// In proxy mode the header names the upstream and an exchange's detail
// shows what the upstream answered, marking what the policy replaced or
// removed; an upstream that gave no answer shows why.
func TestUpstreamDetail(t *testing.T) {
	lab := &fakeLab{}
	opts := lab.options()
	opts.Upstream = "http://localhost:3000"
	m := update(t, New(opts), tea.WindowSizeMsg{Width: 120, Height: 60})
	proxied := simpleGET("/api/items", 200, testSiteA)
	proxied.ResponseHeader.Set("X-Upstream", "user-api")
	proxied.UpstreamStatus = 200
	proxied.UpstreamHeader = http.Header{
		"Access-Control-Allow-Origin": {"http://localhost:9999"},
		"Content-Type":                {"application/json"},
		"X-Upstream":                  {"user-api"},
		"Set-Cookie":                  {"a=1"},
	}
	failed := simpleGET("/api/down", 502, "")
	failed.UpstreamError = "connection refused"
	m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(1, proxied), exchangeEvent(2, failed)}})
	m = press(t, m, "tab", "up") // the proxied exchange

	out := plain(m)
	if !strings.Contains(lines(out)[0], "site B → proxy to http://localhost:3000") {
		t.Errorf("header = %q, want it to name the upstream", lines(out)[0])
	}
	for _, want := range []string{
		"Upstream answered (before the policy)",
		"200 OK",
		"▸ Access-Control-Allow-Origin: http://localhost:9999  → replaced",
		"Set-Cookie: a=1  → removed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
	for _, l := range lines(out) {
		if (strings.Contains(l, "X-Upstream: user-api") || strings.Contains(l, "Content-Type: application/json")) && strings.Contains(l, "→ re") {
			t.Errorf("an unchanged header is marked: %q", l)
		}
	}
	// Sorted by name.
	if a, s := strings.Index(out, "▸ Access-Control-Allow-Origin: http://localhost:9999"), strings.Index(out, "Set-Cookie: a=1"); a < 0 || s < a {
		t.Errorf("upstream headers not sorted:\n%s", out)
	}

	out = plain(press(t, m, "down"))
	if !strings.Contains(out, "Upstream answered (before the policy)") || !strings.Contains(out, "✗ connection refused") {
		t.Errorf("the failed exchange's detail lacks the upstream error:\n%s", out)
	}

	// Without an upstream: no block, no proxy in the header.
	m = update(t, New(lab.options()), tea.WindowSizeMsg{Width: 120, Height: 60})
	m = press(t, update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(1, simpleGET("/api/items", 200, ""))}}), "tab", "up")
	if out := plain(m); strings.Contains(out, "Upstream answered") || strings.Contains(out, "proxy to") {
		t.Errorf("site B is no proxy, yet:\n%s", out)
	}
}

// E shows the policy exported in the detail area; ←→ cycle the formats,
// esc closes it and the detail comes back.
func TestExportView(t *testing.T) {
	lab := &fakeLab{doc: policy.Document{
		Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"{origin}"}, "Vary": {"Origin"}}},
	}}
	m := newTestModel(t, lab, 120, 60)
	m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(1, simpleGET("/api/items", 200, testSiteA))}})
	m = press(t, m, "tab", "up")
	if !strings.Contains(plain(m), "← GET /api/items") {
		t.Fatalf("no exchange detail before export:\n%s", plain(m))
	}

	m = press(t, m, "E")
	for i, f := range export.Formats {
		want, err := export.Render(lab.Policy(), f)
		if err != nil {
			t.Fatalf("Render %s: %v", f, err)
		}
		out := plain(m)
		if !strings.Contains(out, "Export · "+f) {
			t.Errorf("format %d: title lacks %q:\n%s", i, f, out)
		}
		for _, l := range strings.Split(strings.TrimSpace(want), "\n")[:3] {
			if l = strings.TrimSpace(l); len(l) < 40 && !strings.Contains(out, l) {
				t.Errorf("%s export lacks %q:\n%s", f, l, out)
			}
		}
		if strings.Contains(out, "← GET /api/items") {
			t.Errorf("%s: the exchange detail still shows:\n%s", f, out)
		}
		m = press(t, m, "right")
	}
	if !strings.Contains(plain(m), "Export · "+export.Formats[0]) {
		t.Errorf("→ past the last format does not wrap to the first:\n%s", plain(m))
	}
	if out := plain(press(t, m, "left")); !strings.Contains(out, "Export · "+export.Formats[len(export.Formats)-1]) {
		t.Errorf("← from the first format does not wrap to the last:\n%s", out)
	}

	// A closed policy has nothing to export: the reason shows.
	lab.force(policy.Document{})
	if out := plain(press(t, m, "right", "left")); !strings.Contains(out, "✗ the policy sends no Access-Control-Allow-Origin") {
		t.Errorf("closed policy:\n%s", out)
	}

	m = press(t, m, "esc")
	if out := plain(m); strings.Contains(out, "Export ·") || !strings.Contains(out, "← GET /api/items") {
		t.Errorf("esc did not bring the detail back:\n%s", out)
	}
	if lab.sets != 0 {
		t.Errorf("the export view changed the policy %d times", lab.sets)
	}
}
