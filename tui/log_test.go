package tui

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// logLines returns the plain lines of the live log panel.
func logLines(m Model) []string {
	_, _, logH, _ := m.layout()
	lw, _, _, _ := m.layout()
	var out []string
	for _, l := range m.log.view(m.st, m.width-lw-2, logH-2, false) {
		out = append(out, strings.TrimRight(ansi.Strip(l), " "))
	}
	return out
}

func TestExchangeEventsAppearInLog(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	pre := journal.Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Status: 204,
		ResponseHeader: map[string][]string{"Access-Control-Allow-Origin": {"*"}}}
	post := simpleGET("/api/items", 201, "")
	post.Method, post.Effect = "POST", &trial.Effect{Kind: trial.Created, Item: 4, Name: "pear"}
	m = update(t, m, eventsMsg{events: []*journal.Event{
		exchangeEvent(1, simpleGET("/api/items", 200, "*")),
		exchangeEvent(2, pre),
		exchangeEvent(3, post),
	}})
	got := logLines(m)
	want := []string{
		"← 12:01:04 GET     /api/items",
		"200 ACAO *",
		"← 12:01:05 OPTIONS /api/items/1",
		"204 preflight · ACAO *",
		"← 12:01:06 POST    /api/items",
		"201 created item 4 \"pear\" · no A",
	}
	joined := strings.Join(got, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("log lacks %q:\n%s", w, joined)
		}
	}
	if !strings.HasPrefix(got[2], "› ") {
		t.Errorf("the newest entry is not selected: %q", got[2])
	}
}

func TestTrialUpdatedInPlace(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	pending := blockedPUT(false)
	pending.Exchanges = nil
	x := blockedPUT(false).Exchanges[0]
	m = update(t, m, eventsMsg{events: []*journal.Event{
		trialEvent(1, pending),
		exchangeEvent(2, x), // shown under its trial, not on its own
		trialEvent(3, blockedPUT(false)),
	}})
	got := logLines(m)
	if len(m.log.entries) != 1 || !strings.Contains(got[0], "… 12:01:04 PUT") || !strings.Contains(got[0], "waiting for the page") {
		t.Fatalf("pending trial: %d entries\n%s", len(m.log.entries), strings.Join(got, "\n"))
	}
	if !strings.Contains(got[1], "← OPTIONS /api/items/1") || !strings.Contains(got[1], "204 preflight") {
		t.Errorf("exchange not under its trial: %q", got[1])
	}
	m = update(t, m, eventsMsg{events: []*journal.Event{trialEvent(4, blockedPUT(true))}})
	got = logLines(m)
	if len(m.log.entries) != 1 {
		t.Errorf("%d entries after the trial settled, want 1", len(m.log.entries))
	}
	if !strings.HasPrefix(got[0], "› ✗ 12:01:04 PUT") || !strings.Contains(got[0], "PUT never reached site B") {
		t.Errorf("settled trial line: %q", got[0])
	}
	// A trial whose PUT arrived and succeeded.
	ok := blockedPUT(false)
	ok.ID = "t8"
	ok.Exchanges[0].ResponseHeader = http.Header{"Access-Control-Allow-Origin": {testSiteA}, "Access-Control-Allow-Methods": {"PUT"}, "Access-Control-Allow-Headers": {"content-type"}}
	put := simpleGET("/api/items/1", 200, testSiteA)
	put.Method, put.Trial, put.Effect = "PUT", "t8", &trial.Effect{Kind: trial.Renamed, Item: 1, Name: "pear", Was: "apple"}
	ok.Exchanges = append(ok.Exchanges, put)
	ok.Outcome = &trial.Outcome{OK: true, Type: "cors", Status: 200, Headers: [][2]string{{"content-type", "application/json"}}}
	m = update(t, m, eventsMsg{events: []*journal.Event{trialEvent(5, ok)}})
	joined := strings.Join(logLines(m), "\n")
	for _, w := range []string{"✓ 12:01:08 PUT", "200 Allowed: site B answered 200", "← PUT     /api/items/1", `renamed item 1 from "apple"`} {
		if !strings.Contains(joined, w) {
			t.Errorf("log lacks %q:\n%s", w, joined)
		}
	}
}

func TestSelectingShowsDetail(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	post := simpleGET("/api/items", 201, "*")
	post.Method, post.Effect = "POST", &trial.Effect{Kind: trial.Created, Item: 4, Name: "pear"}
	post.RequestHeader.Set("Content-Type", "text/plain")
	m = update(t, m, eventsMsg{events: []*journal.Event{
		exchangeEvent(1, post),
		trialEvent(2, blockedPUT(true)),
	}})
	// The newest (the trial) is selected and its detail shown.
	out := plain(m)
	for _, w := range []string{
		"fetch() PUT /api/items/1 · trial t7", `fetch("http://localhost:7071/api/items/1"`, `{"Content-Type": "application/json"}`,
		"← OPTIONS /api/items/1 → 204 No Content (preflight)", "▸ Access-Control-Allow-Methods: GET, POST",
		"PUT never reached site B: blocked at the preflight", "(MethodDisallowedByPreflightResponse)",
		"reached site B: no", "preflight: sent", "What JavaScript got",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("trial detail lacks %q\n%s", w, out)
		}
	}
	// The diagram is further down: page through the detail.
	m = press(t, m, "pgdown", "pgdown")
	if out := plain(m); !strings.Contains(out, "browser ◀── site B   ✗ 204 No Content") || !strings.Contains(out, "page    ◀── browser  ✗ TypeError: Failed to fetch") {
		t.Errorf("sequence diagram not shown after pgdn\n%s", out)
	}
	m = press(t, m, "tab", "up")
	out = plain(m)
	for _, w := range []string{
		"← POST /api/items · actual request", "Request", "POST /api/items", "▸ Origin: http://localhost:7070",
		"Content-Type: text/plain", "Response", "201 Created", "▸ Access-Control-Allow-Origin: *", "Effect: created item 4 \"pear\"",
		"Live log (paused: G follows)",
	} {
		if !strings.Contains(out, w) {
			t.Errorf("exchange detail lacks %q\n%s", w, out)
		}
	}
	m = press(t, m, "G")
	if m.log.selectedEntry().kind != entryTrial || !m.log.follow {
		t.Error("G does not follow the newest entry again")
	}
}

func TestPolicyEntryDetail(t *testing.T) {
	lab := &fakeLab{}
	m := newTestModel(t, lab, 120, 40)
	d := policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}}}
	m = update(t, m, eventsMsg{events: []*journal.Event{policyEvent(1, "tui", d)}})
	out := plain(m)
	if !strings.Contains(out, "Policy changed by tui") || !strings.Contains(out, `"Access-Control-Allow-Origin": "*"`) {
		t.Errorf("policy detail:\n%s", out)
	}
}

func TestMissedEvents(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(40, simpleGET("/api/items", 200, ""))}, lost: 37})
	got := strings.Join(logLines(m), "\n")
	if !strings.Contains(got, "missed 37 events") {
		t.Errorf("no 'missed 37 events':\n%s", got)
	}
}

func TestPausedSelectionStays(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	for i := range 5 {
		m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(uint64(i+1), simpleGET(fmt.Sprintf("/api/items/%d", i), 200, ""))}})
	}
	m = press(t, m, "tab", "up", "up")
	sel := m.log.selectedEntry()
	m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(6, simpleGET("/new", 200, ""))}})
	if m.log.selectedEntry() != sel {
		t.Error("a new event moved the selection while paused")
	}
	m = press(t, m, "end")
	if m.log.selectedEntry().x.Path != "/new" {
		t.Error("end does not select the newest")
	}
	m = press(t, m, "c")
	if len(m.log.entries) != 0 || !strings.Contains(plain(m), "waiting for requests") {
		t.Errorf("c did not clear the log:\n%s", plain(m))
	}
}

func TestLogIsBounded(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 80, 24)
	seq := uint64(0)
	for range 20 {
		evs := make([]*journal.Event, 0, 256)
		for range 256 {
			seq++
			evs = append(evs, exchangeEvent(seq, simpleGET("/api/items", 200, "*")))
			if seq%50 == 0 {
				tr := blockedPUT(true)
				tr.ID = fmt.Sprintf("t%d", seq)
				evs = append(evs, trialEvent(seq, tr))
			}
		}
		m = update(t, m, eventsMsg{events: evs})
	}
	if n := len(m.log.entries); n != maxEntries {
		t.Errorf("%d entries kept, want %d", n, maxEntries)
	}
	if n := len(m.log.trials); n > maxEntries {
		t.Errorf("%d trials indexed", n)
	}
	for id, e := range m.log.trials {
		if e.t.ID != id {
			t.Errorf("trial index %q points at %q", id, e.t.ID)
		}
	}
	_, _, logH, _ := m.layout()
	if got := len(logLines(m)); got > logH-2 {
		t.Errorf("%d log lines rendered for a panel of %d", got, logH-2)
	}
	// Paused at the top of a long history, rendering still covers one screen.
	m = press(t, m, "tab")
	for range 3000 {
		m.log.move(-1)
	}
	if got := len(logLines(m)); got > logH-2 || m.log.selected != 0 || m.log.top != 0 {
		t.Errorf("at the top: %d lines, selected %d, top %d", got, m.log.selected, m.log.top)
	}
}

// TestRenderCostBoundedByHeight counts the entries the log renders: it
// depends on the panel's height, not on how long the history is.
func TestRenderCostBoundedByHeight(t *testing.T) {
	for _, n := range []int{20, 2000} {
		l := newLogPanel()
		l.setHeight(10)
		evs := make([]*journal.Event, n)
		for i := range evs {
			evs[i] = exchangeEvent(uint64(i+1), simpleGET("/api/items", 200, "*"))
		}
		l.add(evs, 0)
		rendered := 0
		for i := l.top; i < len(l.entries); i++ {
			rendered++
		}
		if rendered > 10 {
			t.Errorf("history %d: %d entries below the top of the view, want ≤ 10", n, rendered)
		}
		if got := len(l.view(newStyles(), 60, 10, true)); got != 10 {
			t.Errorf("history %d: %d lines, want 10", n, got)
		}
	}
}

// TestVerdictInDetail shows the browser model's verdict, judged by the
// journal from real exchanges, in the detail view — and a disagreement loudly.
func TestVerdictInDetail(t *testing.T) {
	j := journal.New(16)
	put := trial.Request{Method: "PUT", URL: testSiteB + "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}}
	if err := j.Announce("t9", testSiteA, put); err != nil {
		t.Fatal(err)
	}
	j.Record(&journal.Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Trial: "t9", Status: 204, ResponseHeader: http.Header{}})
	if err := j.Settle("t9", trial.Outcome{Error: "TypeError: Failed to fetch"}); err != nil {
		t.Fatal(err)
	}
	tr, _ := j.Trial("t9")
	for _, tt := range []struct {
		desc     string
		mismatch string
		want     []string
	}{
		{"agreement", "", []string{"Why", "✗ PreflightMissingAllowOriginHeader", "preflight needed: method PUT is not CORS-safelisted",
			"header is present on the requested resource.", "page    ◀── browser  ✗ TypeError: Failed to fetch",
			"The whole fix", "preflight answer: Access-Control-Allow-Methods: PUT", "actual answer: Access-Control-Allow-Origin: http://localhost:7070"}},
		{"disagreement", "the model says allowed=false, but JavaScript got a Response", []string{"⚠ THE MODEL DISAGREES WITH THE BROWSER: the model says allowed=false"}},
	} {
		t.Run(tt.desc, func(t *testing.T) {
			tr := *tr
			tr.Mismatch = tt.mismatch
			m := newTestModel(t, &fakeLab{}, 120, 60)
			m = update(t, m, eventsMsg{events: []*journal.Event{trialEvent(1, tr)}})
			out := plain(m) + plain(press(t, m, "pgdown")) + plain(press(t, m, "pgdown", "pgdown"))
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("detail lacks %q\n%s", w, out)
				}
			}
		})
	}
}

// TestTrialGrowsFromExchangeEvents: the journal publishes a trial when it is
// announced and when it settles; the exchanges in between come only as
// exchange events naming the trial, and show under it as they arrive.
func TestTrialGrowsFromExchangeEvents(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 120, 40)
	announced := blockedPUT(false)
	announced.Exchanges = nil
	pre := blockedPUT(false).Exchanges[0]
	m = update(t, m, eventsMsg{events: []*journal.Event{trialEvent(1, announced), exchangeEvent(2, pre)}})
	got := logLines(m)
	if len(m.log.entries) != 1 || !strings.Contains(got[0], "… 12:01:04 PUT") {
		t.Fatalf("pending trial: %d entries\n%s", len(m.log.entries), strings.Join(got, "\n"))
	}
	if !strings.Contains(got[1], "← OPTIONS /api/items/1") || !strings.Contains(got[1], "204 preflight") {
		t.Errorf("exchange not under its trial as it arrived: %q", got)
	}
	if len(announced.Exchanges) != 0 {
		t.Errorf("the published trial was changed: %+v", announced.Exchanges)
	}
	// The settled trial replaces what the exchange events built.
	m = update(t, m, eventsMsg{events: []*journal.Event{trialEvent(3, blockedPUT(true))}})
	got = logLines(m)
	if len(m.log.entries) != 1 || len(m.log.entries[0].t.Exchanges) != 1 {
		t.Fatalf("settled: %d entries\n%s", len(m.log.entries), strings.Join(got, "\n"))
	}
	if !strings.HasPrefix(got[0], "› ✗ 12:01:04 PUT") || !strings.Contains(got[0], "PUT never reached site B") {
		t.Errorf("settled trial: %q", got)
	}

	// A trial never announced (curl with a trial's Referer): its exchanges
	// group under one entry, bounded.
	for i := range maxTrialExchanges + 5 {
		x := simpleGET(fmt.Sprint("/api/items/", i), 200, "*")
		x.Trial = "t9"
		m = update(t, m, eventsMsg{events: []*journal.Event{exchangeEvent(uint64(10+i), x)}})
	}
	e := m.log.trials["t9"]
	if len(m.log.entries) != 2 || e == nil || len(e.t.Exchanges) != maxTrialExchanges || e.t.Exchanges[maxTrialExchanges-1].Path != fmt.Sprint("/api/items/", maxTrialExchanges+4) {
		t.Fatalf("unannounced trial: %d entries, %+v", len(m.log.entries), e)
	}
	if !strings.Contains(strings.Join(logLines(m), "\n"), fmt.Sprintf("… %d more exchanges", maxTrialExchanges-maxSublines)) {
		t.Errorf("log:\n%s", strings.Join(logLines(m), "\n"))
	}
}

// A burst of policy changes by one hand (cycling a value six times) is one
// log entry; another hand, an exchange between them, or a pause longer than
// policyBurst starts a new one.
func TestPolicyBurstIsOneEntry(t *testing.T) {
	d := policy.Document{}
	burst := func(seq uint64, by string) *journal.Event { return policyEvent(seq, by, d) }
	late := burst(2, "page") // 1 s after the first, plus policyBurst
	late.Time = late.Time.Add(policyBurst)
	tests := []struct {
		desc   string
		events []*journal.Event
		want   []string // the log's policy lines
	}{
		{"six by the page", []*journal.Event{burst(1, "page"), burst(2, "page"), burst(3, "page"), burst(4, "page"), burst(5, "page"), burst(6, "page")},
			[]string{"policy changed ×6 by page"}},
		{"another hand", []*journal.Event{burst(1, "page"), burst(2, "page"), burst(3, "tui")},
			[]string{"policy changed ×2 by page", "policy changed by tui"}},
		{"an exchange between", []*journal.Event{burst(1, "page"), exchangeEvent(2, simpleGET("/api/items", 200, "")), burst(3, "page")},
			[]string{"policy changed by page", "policy changed by page"}},
		{"a pause", []*journal.Event{burst(1, "page"), late},
			[]string{"policy changed by page", "policy changed by page"}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := newTestModel(t, &fakeLab{}, 120, 40)
			m = update(t, m, eventsMsg{events: tt.events})
			var got []string
			for _, l := range logLines(m) {
				if i := strings.Index(l, "policy changed"); i >= 0 {
					got = append(got, strings.TrimSpace(l[i:]))
				}
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("policy lines %q, want %q", got, tt.want)
			}
		})
	}
}
