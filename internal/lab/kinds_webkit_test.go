package lab_test

// Beyond fetch() in real WebKitGTK (the engine of Safari): every case of
// kinds_browser_test.go made from site A's page in MiniBrowser, driven by
// WebKitWebDriver through the page's window.corslab API, each checked as in
// Firefox (kinds_firefox_test.go): what the page got and read, what reached
// site B and with which cookie, and that the account — speaking for WebKit,
// told by the page's User-Agent — says the same and flags no mismatch.

import (
	"fmt"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/internal/testsupport/webkit"
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
		return settledTrial(t, l, sendIn(t, wk, request).ID)
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
			checkKindPage(t, tr, c)
			// A GET goes with Origin exactly when its mode is cors (Fetch §3.1
			// "append a request Origin header"): the mode the account gives is WebKit's.
			x := sentToSiteB(tr)
			origin := x != nil && x.Method == "GET" && x.RequestHeader.Get("Origin") != ""
			if want := tr.Kind != nil && tr.Kind.Mode == "cors"; origin != want && tr.Kind != nil && tr.Kind.Mode != "navigate" {
				t.Errorf("site B got a GET with an Origin header: %t; the account's mode is %s", origin, tr.Kind.Mode)
			}
			checkKindAccount(t, tr, "webkit", c)
			t.Logf("%s: %s (read %q)", c.kind, tr.Headline, tr.Outcome.Read)
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
