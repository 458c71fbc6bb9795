package tui

import (
	"net/http"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// In replay mode the header names the recorded server, and an exchange's
// detail shows the recorded answer before the policy's overrides.
func TestReplayDetail(t *testing.T) {
	lab := &fakeLab{}
	opts := lab.options()
	opts.Replay = "https://api.example"
	m := update(t, New(opts), tea.WindowSizeMsg{Width: 120, Height: 60})
	x := simpleGET("/api/items", 200, testSiteA)
	x.UpstreamStatus = 200
	x.UpstreamHeader = http.Header{"Access-Control-Allow-Origin": {"*"}}
	x.Effect = &trial.Effect{Kind: trial.Replayed, Name: "entry 3 of prod.har"}
	m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(1, x)}})
	m = press(t, m, "tab")

	out := plain(m)
	if !strings.Contains(lines(out)[0], "site B replays https://api.example") {
		t.Errorf("header = %q, want it to name the recorded server", lines(out)[0])
	}
	for _, want := range []string{"Recorded answer (before the policy)", "replayed entry 3 of prod.har"} {
		if !strings.Contains(out, want) {
			t.Errorf("detail lacks %q:\n%s", want, out)
		}
	}
}
