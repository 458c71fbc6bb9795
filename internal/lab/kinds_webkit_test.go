package lab_test

// Beyond fetch() in real WebKitGTK (the engine of Safari): every case of
// kinds_browser_test.go made from site A's page in MiniBrowser, driven by
// WebKitWebDriver through the page's window.corslab API, each checked as in
// Firefox (kinds_firefox_test.go): what the page got and read, what reached
// site B and with which cookie, and that the account — speaking for WebKit,
// told by the page's User-Agent — says the same and flags no mismatch.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/webkit"
	"github.com/corslab/corslab/siteB"
)

func TestKindsInWebKit(t *testing.T) {
	l := startLab(t, "").Lab
	wk := webkit.StartDriver(t)
	if err := wk.Navigate(l.URLA); err != nil {
		t.Fatalf("navigate to %s: %v", l.URLA, err)
	}
	// The page's modules may still be loading after the load event.
	poll.Check(t, wait, func() error {
		if got, err := wk.Evaluate(`window.corslab ? window.corslab.ready.then(() => "ready") : "not yet"`); err != nil || got != "ready" {
			return fmt.Errorf("corslab.ready: %q, %v", got, err)
		}
		return nil
	})
	pp := &page{t: t, lab: l}
	send := func(t *testing.T, request string) *journal.Trial {
		t.Helper()
		out, err := wk.Evaluate(`window.corslab.send(` + request + `).then(r => JSON.stringify(r))`)
		if err != nil {
			t.Fatalf("corslab.send(%s): %v", request, err)
		}
		var s sent
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatalf("corslab.send(%s) = %s: %v", request, out, err)
		}
		var tr *journal.Trial
		poll.Check(t, wait, func() error {
			var ok bool
			if tr, ok = l.Journal.Trial(s.ID); !ok || tr.Outcome == nil {
				return fmt.Errorf("trial %s not settled in the journal: %+v", s.ID, tr)
			}
			return nil
		})
		return tr
	}
	pp.putPolicy(kindsOpen)
	send(t, `corslab.presets.login()`)
	for i, c := range kindCases {
		if d, ok := webkitDiffers[c.kind]; ok {
			c.loaded, c.reads, c.read = d.loaded, d.reads, d.read
		}
		t.Run(fmt.Sprintf("%02d %s", i, c.desc), func(t *testing.T) {
			pp.t = t
			pp.putPolicy(c.policy)
			tr := send(t, fmt.Sprintf(`corslab.kindPresets[%q]()`, c.preset))
			o := tr.Outcome
			if o.OK != c.loaded {
				t.Errorf("the page got loaded=%t (%s), want %t", o.OK, o.Error, c.loaded)
			}
			// WebKit words a thrown error "Error: …" where Chromium says "Uncaught Error: …".
			if want := strings.TrimPrefix(c.read, "Uncaught "); !strings.Contains(o.Read, want) {
				t.Errorf("the page's read found %q, want %q", o.Read, want)
			}
			var cookie, reached, origin bool
			for _, x := range tr.Exchanges {
				if !x.Preflight {
					reached = true
					cookie = strings.Contains(x.RequestHeader.Get("Cookie"), siteB.SessionCookie+"=")
					origin = x.Method == "GET" && x.RequestHeader.Get("Origin") != ""
				}
			}
			// A GET goes with Origin exactly when its mode is cors (Fetch §3.1
			// "append a request Origin header"): the mode the account gives is WebKit's.
			if want := tr.Kind != nil && tr.Kind.Mode == "cors"; origin != want && tr.Kind != nil && tr.Kind.Mode != "navigate" {
				t.Errorf("site B got a GET with an Origin header: %t; the account's mode is %s", origin, tr.Kind.Mode)
			}
			if !reached {
				t.Fatalf("site B saw no request for the trial (%s)", kinds(tr.Exchanges))
			}
			if tr.Browser != "webkit" {
				t.Errorf("the account speaks for %q, want webkit", tr.Browser)
			}
			if tr.Kind == nil || tr.Kind.Name != c.kind || tr.Reads != c.reads || tr.Mismatch != "" {
				t.Errorf("account: kind %+v, reads %q (want %q), mismatch %q", tr.Kind, tr.Reads, c.reads, tr.Mismatch)
			}
			if want := tr.Kind != nil && tr.Kind.Credentials == "include"; cookie != want {
				t.Errorf("site B got the session cookie: %t, want %t", cookie, want)
			}
			if tr.Verdict != nil && tr.Verdict.Allowed != c.loaded {
				t.Errorf("the verdict says allowed=%t (%s)", tr.Verdict.Allowed, tr.Verdict.Error)
			}
			t.Logf("%s: %s (read %q)", c.kind, tr.Headline, o.Read)
		})
	}
}

// webkitDiffers are the kinds WebKit treats otherwise than Chromium: what
// the page gets, what the account must say, and what the page reads there.
var webkitDiffers = map[string]struct {
	loaded      bool
	reads, read string
}{
	// WebKitGTK 2.50 fetches a web font no-cors with credentials include:
	// it loads without Access-Control-Allow-Origin, with site B's cookie.
	"font": {true, fetch.ReadsResponse, ""},
}
