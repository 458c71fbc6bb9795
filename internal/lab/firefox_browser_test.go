package lab_test

// The lab's five core proofs in real Firefox ESR, from the page: the same
// lab as the Chromium tests in lab_browser_test.go, its page open in Firefox
// (driven over WebDriver BiDi), each trial sent with the page's own
// window.corslab.send. Each proof checks what JavaScript got, what site B
// saw (the journal), and that the browser model, speaking for Firefox, names
// the error and prints the very sentence Firefox printed in its console.

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/firefox"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/siteB"
)

// ffPage is site A's page open in Firefox.
type ffPage struct {
	t    *testing.T
	lab  *lab.Lab
	ff   *firefox.Browser
	logs int // console entries before the last send
}

func (p *ffPage) send(request string) sent {
	p.t.Helper()
	p.logs = len(p.ff.Logs())
	return sendIn(p.t, p.ff, request)
}

func (p *ffPage) settled(id string) *journal.Trial {
	p.t.Helper()
	return settledTrial(p.t, p.lab, id)
}

// openFirefoxPage starts a lab under the closed policy and Firefox, and
// opens the lab's page there, waiting for corslab.ready.
func openFirefoxPage(t *testing.T) *ffPage {
	t.Helper()
	l := startLab(t, "").Lab
	ff := firefox.Start(t)
	if err := ff.Navigate(l.URLA); err != nil {
		t.Fatalf("navigate to %s: %v", l.URLA, err)
	}
	if got, err := ff.Evaluate(`window.corslab.ready.then(() => "ready")`); err != nil || got != "ready" {
		t.Fatalf("corslab.ready: %q, %v", got, err)
	}
	return &ffPage{t: t, lab: l, ff: ff}
}

// firefoxVerdict is the model's verdict on the trial, speaking for Firefox:
// the request as the page made it and the answers site B recorded.
func firefoxVerdict(tr *journal.Trial) fetch.Verdict {
	x := fetch.Exchange{Request: tr.Request.Fetch(tr.Origin)}
	for i := range tr.Exchanges {
		e := &tr.Exchanges[i]
		r := &fetch.Response{Status: e.Status, Header: e.ResponseHeader}
		switch {
		case e.Preflight && x.Preflight == nil:
			x.Preflight = r
		case !e.Preflight && x.Actual == nil:
			x.Actual = r
		}
	}
	return fetch.Firefox.Judge(x)
}

// wantFirefoxSaid checks the trial's JavaScript error and that Firefox's
// console line for path is the first line of the model's Firefox verdict,
// with the error name wanted.
func (p *ffPage) wantFirefoxSaid(id, path, name string) {
	p.t.Helper()
	tr := p.settled(id)
	if tr.Outcome.OK || tr.Outcome.Error != fetch.Firefox.JSError {
		p.t.Errorf("outcome = %+v, want ok false with %s", *tr.Outcome, fetch.Firefox.JSError)
	}
	v := firefoxVerdict(tr)
	first, _, _ := strings.Cut(v.Message, "\n")
	var said string
	poll.Check(p.t, wait, func() error {
		for _, e := range p.ff.Logs()[p.logs:] {
			u, err := url.Parse(urlInLine(e.Text))
			if err == nil && e.Level == "error" && u.Path == path {
				said = e.Text
				return nil
			}
		}
		return fmt.Errorf("Firefox printed no CORS error for %s", path)
	})
	if v.Error != name || first != said {
		p.t.Errorf("model (Firefox): %s %q\nFirefox printed: %q\nwant error %s", v.Error, first, said, name)
	}
	if tr.Mismatch != "" {
		p.t.Errorf("the journal flags a mismatch: %s", tr.Mismatch)
	}
	// The lab itself told Firefox by its User-Agent, and explains in its words.
	if tr.Browser != "firefox" || tr.Verdict == nil || tr.Verdict.Error != name || !strings.HasPrefix(tr.Verdict.Message, said+"\n") {
		p.t.Errorf("the lab's account: browser %q, verdict %+v; want firefox's, opening with Firefox's line", tr.Browser, tr.Verdict)
	}
}

func TestCoreProofsInFirefox(t *testing.T) {
	p := openFirefoxPage(t)
	l, ff := p.lab, p.ff
	begin := time.Now()

	t.Run("1 blocked GET was answered 200", func(t *testing.T) {
		p.t = t
		res := p.send(`corslab.presets.simpleGet()`)
		p.wantFirefoxSaid(res.ID, "/api/items", "CORSMissingAllowOrigin")
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); got != "GET 200" {
			t.Errorf("site B saw %s, want GET 200", got)
		}
		// The page explains in Firefox's words, as its console said.
		first, _, _ := strings.Cut(tr.Verdict.Message, "\n")
		poll.Check(t, wait, func() error {
			got, err := ff.Evaluate(`document.querySelector("#verdict").textContent`)
			if err != nil || !strings.Contains(got, "Firefox's console: "+first) {
				return fmt.Errorf("the page's verdict reads %q (%v), want Firefox's console: %s", got, err, first)
			}
			return nil
		})
	})

	t.Run("2 blocked POST created its item", func(t *testing.T) {
		p.t = t
		res := p.send(`corslab.presets.simplePost({name: "blocked in Firefox but created"})`)
		p.wantFirefoxSaid(res.ID, "/api/items", "CORSMissingAllowOrigin")
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); got != "POST 201" || !strings.Contains(tr.Exchanges[0].Effect.String(), "blocked in Firefox but created") {
			t.Errorf("site B saw %s (%s), want POST 201 that created the item", got, tr.Exchanges[0].Effect.String())
		}
		var items []siteB.Item
		getJSON(t, l.URLB+"/api/items", &items)
		found := false
		for _, it := range items {
			found = found || it.Name == "blocked in Firefox but created"
		}
		if !found {
			t.Errorf("site B's list %+v lacks the item the blocked POST created", items)
		}
	})

	t.Run("3 PUT refused at the preflight never arrived", func(t *testing.T) {
		p.t = t
		res := p.send(`corslab.presets.put()`)
		p.wantFirefoxSaid(res.ID, "/api/items/1", "CORSMissingAllowOrigin")
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); !strings.HasPrefix(got, "OPTIONS(preflight)") || strings.Contains(got, "PUT") {
			t.Errorf("site B saw %s, want the preflight alone", got)
		}
		var item siteB.Item
		getJSON(t, l.URLB+"/api/items/1", &item)
		if item.Name != "apple" {
			t.Errorf("item 1 = %+v, want it unchanged (apple)", item)
		}
	})

	t.Run("4 a live policy change lets the PUT through", func(t *testing.T) {
		p.t = t
		(&page{t: t, lab: l}).putPolicy(allowPUT)
		res := p.send(`corslab.presets.put({name: "renamed in Firefox"})`)
		if !res.Outcome.OK || res.Outcome.Status != 200 || res.Outcome.Type != "cors" || !strings.Contains(res.Outcome.Body, "renamed in Firefox") {
			t.Fatalf("outcome = %+v, want ok, cors, 200 with the renamed item", res.Outcome)
		}
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); got != "OPTIONS(preflight) 204, PUT 200" {
			t.Errorf("site B saw %s, want OPTIONS(preflight) 204, PUT 200", got)
		}
		if v := firefoxVerdict(tr); !v.Allowed || tr.Mismatch != "" {
			t.Errorf("model (Firefox): allowed %t %s; mismatch %q", v.Allowed, v.Error, tr.Mismatch)
		}
	})

	t.Run("5 a wildcard does not do with credentials", func(t *testing.T) {
		p.t = t
		(&page{t: t, lab: l}).putPolicy(wildcard)
		res := p.send(`corslab.presets.login()`)
		p.wantFirefoxSaid(res.ID, "/api/login", "CORSNotSupportingCredentials")
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); got != "POST 200" || !strings.Contains(tr.Exchanges[0].Effect.String(), "logged in") {
			t.Errorf("site B saw %s, want POST 200 that logged in", got)
		}
		if ok := p.send(`corslab.presets.simpleGet()`); !ok.Outcome.OK || ok.Outcome.Status != 200 {
			t.Errorf("simple GET under a wildcard: outcome %+v, want ok 200", ok.Outcome)
		}
	})
	t.Logf("five proofs in Firefox in %v", time.Since(begin).Round(time.Millisecond))
}
