package lab_test

// Beyond fetch() in real Firefox ESR: every case of kinds_browser_test.go
// made from the page in Firefox (WebDriver BiDi), each checked for what the
// page got and read, what reached site B (and with which cookie), and that
// the account — speaking for Firefox, told by the page's User-Agent — says
// the same and flags no mismatch. Firefox's error names differ from
// Chromium's (the browser model's per-browser data); what loads and what
// the page can read does not.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/firefox"
	"github.com/corslab/corslab/siteB"
)

func TestKindsInFirefox(t *testing.T) {
	l := startLab(t, "").Lab
	ff := firefox.Start(t)
	if err := ff.Navigate(l.URLA); err != nil {
		t.Fatalf("navigate to %s: %v", l.URLA, err)
	}
	if got, err := ff.Evaluate(`window.corslab.ready.then(() => "ready")`); err != nil || got != "ready" {
		t.Fatalf("corslab.ready: %q, %v", got, err)
	}
	p := &ffPage{t: t, lab: l, ff: ff}
	pp := &page{t: t, lab: l}
	pp.putPolicy(kindsOpen)
	p.settled(p.send(`corslab.presets.login()`).ID)
	for i, c := range kindCases {
		if d, ok := firefoxDiffers[c.kind]; ok {
			c.reads, c.read = d.reads, d.read
		}
		t.Run(fmt.Sprintf("%02d %s", i, c.desc), func(t *testing.T) {
			p.t, pp.t = t, t
			pp.putPolicy(c.policy)
			res := p.send(fmt.Sprintf(`corslab.kindPresets[%q]()`, c.preset))
			tr := p.settled(res.ID)
			o := tr.Outcome
			if o.OK != c.loaded {
				t.Errorf("the page got loaded=%t (%s), want %t", o.OK, o.Error, c.loaded)
			}
			// Firefox words a thrown error "Error: …" where Chromium says "Uncaught Error: …".
			if want := strings.TrimPrefix(c.read, "Uncaught "); !strings.Contains(o.Read, want) {
				t.Errorf("the page's read found %q, want %q", o.Read, want)
			}
			var cookie, reached bool
			for _, x := range tr.Exchanges {
				if !x.Preflight {
					reached = true
					cookie = strings.Contains(x.RequestHeader.Get("Cookie"), siteB.SessionCookie+"=")
				}
			}
			if !reached {
				t.Fatalf("site B saw no request for the trial (%s)", kinds(tr.Exchanges))
			}
			if tr.Browser != "firefox" {
				t.Errorf("the account speaks for %q, want firefox", tr.Browser)
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
			t.Logf("%s: %s", c.kind, tr.Headline)
		})
	}
}

// firefoxDiffers are the kinds Firefox treats otherwise than Chromium:
// what the account must say, and what the page reads there.
var firefoxDiffers = map[string]struct{ reads, read string }{
	// Firefox ESR 153 does not mute a no-cors classic script's error.
	"script-classic": {fetch.ReadsOpaque, "Error: " + siteB.ScriptError},
}
