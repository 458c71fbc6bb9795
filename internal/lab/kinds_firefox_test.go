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
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/siteB"
)

func TestKindsInFirefox(t *testing.T) {
	p := openFirefoxPage(t)
	pp := &page{t: t, lab: p.lab}
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
			checkKindPage(t, tr, c)
			checkKindAccount(t, tr, "firefox", c)
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
