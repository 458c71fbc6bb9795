package tui

import (
	"net/http"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// browserTrials are trials the three browsers explain differently: a PUT
// whose preflight got 404 without CORS headers (WebKit judges the status
// first), and a GET with a body, which fetch() refuses in each browser's
// own words.
func browserTrials(t *testing.T) []*journal.Event {
	j := journal.New(16)
	put := trial.Request{Method: "PUT", URL: testSiteB + "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}}
	get := trial.Request{Method: "GET", URL: testSiteB + "/api/items", Body: "a=1"}
	if err := j.Announce("t1", testSiteA, put); err != nil {
		t.Fatal(err)
	}
	j.Record(&journal.Exchange{Method: "OPTIONS", Path: "/api/items/1", Preflight: true, Trial: "t1", Status: 404, ResponseHeader: http.Header{}})
	if err := j.Settle("t1", trial.Outcome{Error: "TypeError: Failed to fetch"}); err != nil {
		t.Fatal(err)
	}
	if err := j.Announce("t2", testSiteA, get); err != nil {
		t.Fatal(err)
	}
	if err := j.Settle("t2", trial.Outcome{Error: "TypeError: Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body."}); err != nil {
		t.Fatal(err)
	}
	var evs []*journal.Event
	for i, id := range []string{"t1", "t2"} {
		tr, _ := j.Trial(id)
		evs = append(evs, trialEvent(uint64(i+1), *tr))
	}
	return evs
}

// TestBrowserKey: b cycles the browser the detail explains for — the
// page's own, Chromium, Firefox, Safari (WebKit), the page's again — and the
// selected trial's verdict, console sentence, fix and headline follow, while
// what JavaScript got stays what the page's browser reported.
func TestBrowserKey(t *testing.T) {
	tests := []struct {
		desc   string
		keys   []string // after tab (the log), with the PUT selected
		header string   // in the header line, "" for none of "as …"
		want   []string
		not    []string // in the detail (the log's lines keep the page's headline)
	}{
		{"the page's browser", nil, "", []string{"Detail · Chromium", "Why — in Chromium's words", "✗ PreflightMissingAllowOriginHeader",
			"has been blocked by CORS policy",
			"preflight answer: status 204", "✗ TypeError: Failed to fetch"}, []string{"Why — in Firefox", "Why — in Safari", "Detail · Firefox"}},
		{"Chromium", []string{"b"}, "as Chromium", []string{"Detail · Chromium", "✗ PreflightMissingAllowOriginHeader"}, []string{"Why — in Firefox"}},
		{"Firefox", []string{"b", "b"}, "as Firefox", []string{"Detail · Firefox", "Why — in Firefox's words", "✗ CORSMissingAllowOrigin",
			"Cross-Origin Request Blocked:", "missing). Status code: 404.",
			"preflight answer: status 204", "✗ TypeError: Failed to fetch"}, []string{"✗ PreflightMissingAllowOriginHeader"}},
		{"Safari", []string{"b", "b", "b"}, "as Safari (WebKit)", []string{"Detail · Safari (WebKit)", "Why — in Safari (WebKit)'s words",
			"✗ PreflightNotSuccessful", "Preflight response is not successful. Status code: 404"}, []string{"✗ PreflightMissingAllowOriginHeader", "✗ CORSMissingAllowOrigin"}},
		{"around to the page's", []string{"b", "b", "b", "b"}, "", []string{"Detail · Chromium", "✗ PreflightMissingAllowOriginHeader"}, []string{"Why — in Safari"}},
		{"refused, Firefox", []string{"b", "b", "down"}, "as Firefox", []string{"Refused by fetch() itself, nothing sent: Window.fetch: HEAD or GET Request cannot have a body.",
			"TypeError: Window.fetch: HEAD or GET Request cannot have a body."}, []string{"nothing sent: Failed to execute"}},
		{"refused, Safari", []string{"b", "b", "b", "down"}, "as Safari (WebKit)", []string{"Refused by fetch() itself, nothing sent: Request has method 'GET' and cannot have a body",
			"TypeError: Request has method 'GET' and cannot have a body"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.desc, func(t *testing.T) {
			m := newTestModel(t, &fakeLab{}, 160, 70)
			m = update(t, m, eventsMsg{events: browserTrials(t)})
			m = press(t, m, "tab", "up")
			m = press(t, m, tc.keys...)
			view := plain(m)
			header := lines(view)[0]
			if tc.header == "" && strings.Contains(header, " as ") || !strings.Contains(header, tc.header) {
				t.Errorf("header %q, want %q", header, tc.header)
			}
			out := view + plain(press(t, m, "pgdown")) + plain(press(t, m, "pgdown", "pgdown"))
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("lacks %q\n%s", w, out)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(out, w) {
					t.Errorf("has %q\n%s", w, out)
				}
			}
		})
	}
}

// TestBrowserKeyHelp: the footer and the full help (?) name the b key.
func TestBrowserKeyHelp(t *testing.T) {
	m := newTestModel(t, &fakeLab{}, 200, 40)
	if foot := lines(plain(m)); !strings.Contains(foot[len(foot)-1], "b browser") {
		t.Errorf("the footer lacks b browser: %q", foot[len(foot)-1])
	}
	if out := plain(press(t, m, "?")); !strings.Contains(out, "explain for: page's/Chromium/Firefox/Safari") {
		t.Errorf("? lacks the b key\n%s", out)
	}
	m = press(t, m, "b", "b")
	if !strings.Contains(plain(m), "the detail explains trials as Firefox would") {
		t.Errorf("b says nothing on the status line\n%s", plain(m))
	}
}
