package lab_test

// Beyond fetch(): every kind of request the page makes besides fetch() —
// XMLHttpRequest, <img> read on a canvas, a web font, module and classic
// scripts, EventSource, sendBeacon, a form POST, an iframe — pressed as a
// user presses its button in "Beyond fetch()", and checked three ways:
// what the page got (loaded or not, and what its follow-up read found:
// the canvas's pixels or SecurityError, window.onerror's message, the
// iframe's document), Chromium's own network events over CDP (the request
// went out, finished or failed with which CORS error), and site B's
// journal (the exchange reached site B under the trial's id, correlated by
// the Referer of the trial frame). The account must say exactly that, and
// the page must show its headline.

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/siteB"
)

type kindCase struct {
	desc     string
	policy   string
	preset   string // a key of corslab.kindPresets
	kind     string
	loaded   bool   // the element loaded, the API succeeded
	reads    string // the account's Reads
	read     string // a prefix of what the page's follow-up read found
	err      string // the verdict's error ("-": no verdict, a navigation)
	headline string // a part of the headline
}

var (
	kindsOpen     = act(h(acaoEcho, acacTrue))
	kindsWildcard = act(acaoStar)
	kindsNoCred   = act(acaoEcho)
)

var kindCases = []kindCase{
	{desc: "XHR, closed", policy: "{}", preset: "xhr", kind: "xhr", reads: fetch.ReadsFailed, err: fetch.ErrMissingAllowOriginHeader, headline: "error event"},
	{desc: "XHR, allowed", policy: kindsWildcard, preset: "xhr", kind: "xhr", loaded: true, reads: fetch.ReadsResponse, headline: "load event"},
	{desc: "XHR withCredentials, no Allow-Credentials", policy: kindsNoCred, preset: "xhrCredentials", kind: "xhr-credentials", reads: fetch.ReadsFailed, err: fetch.ErrInvalidAllowCredentials},
	{desc: "XHR withCredentials, allowed", policy: kindsOpen, preset: "xhrCredentials", kind: "xhr-credentials", loaded: true, reads: fetch.ReadsResponse},
	{desc: "img, closed: shows, canvas tainted", policy: "{}", preset: "img", kind: "img", loaded: true, reads: fetch.ReadsTainted, read: "SecurityError", headline: "the canvas is now tainted"},
	{desc: "img crossorigin, closed: does not load at all", policy: "{}", preset: "imgAnonymous", kind: "img-anonymous", reads: fetch.ReadsFailed, err: fetch.ErrMissingAllowOriginHeader, headline: "failed to load at all"},
	{desc: "img crossorigin, allowed: clean canvas", policy: kindsWildcard, preset: "imgAnonymous", kind: "img-anonymous", loaded: true, reads: fetch.ReadsResponse, read: "pixels", headline: "canvas stays clean"},
	{desc: "img use-credentials, *: blocked", policy: kindsWildcard, preset: "imgCredentials", kind: "img-use-credentials", reads: fetch.ReadsFailed, err: fetch.ErrWildcardOriginNotAllowed},
	{desc: "img use-credentials, exact origin and credentials", policy: kindsOpen, preset: "imgCredentials", kind: "img-use-credentials", loaded: true, reads: fetch.ReadsResponse, read: "pixels"},
	{desc: "font, closed", policy: "{}", preset: "font", kind: "font", reads: fetch.ReadsFailed, err: fetch.ErrMissingAllowOriginHeader, headline: "always needs Access-Control-Allow-Origin"},
	{desc: "font, allowed", policy: kindsWildcard, preset: "font", kind: "font", loaded: true, reads: fetch.ReadsResponse, headline: "the font loaded"},
	{desc: "module script, closed", policy: "{}", preset: "moduleScript", kind: "script-module", reads: fetch.ReadsFailed, err: fetch.ErrMissingAllowOriginHeader},
	{desc: "module script, allowed: errors in full", policy: kindsWildcard, preset: "moduleScript", kind: "script-module", loaded: true, reads: fetch.ReadsResponse, read: "Uncaught Error: thrown by site B"},
	{desc: "classic script, closed: runs, errors muted", policy: "{}", preset: "classicScript", kind: "script-classic", loaded: true, reads: fetch.ReadsMuted, read: "Script error.", headline: `"Script error."`},
	{desc: "classic script crossorigin, allowed: errors in full", policy: kindsWildcard, preset: "classicScriptAnonymous", kind: "script-classic-anonymous", loaded: true, reads: fetch.ReadsResponse, read: "Uncaught Error: thrown by site B"},
	{desc: "EventSource, closed", policy: "{}", preset: "eventSource", kind: "eventsource", reads: fetch.ReadsFailed, err: fetch.ErrMissingAllowOriginHeader},
	{desc: "EventSource withCredentials, *: blocked", policy: kindsWildcard, preset: "eventSourceCredentials", kind: "eventsource-credentials", reads: fetch.ReadsFailed, err: fetch.ErrWildcardOriginNotAllowed},
	{desc: "EventSource withCredentials, allowed", policy: kindsOpen, preset: "eventSourceCredentials", kind: "eventsource-credentials", loaded: true, reads: fetch.ReadsResponse},
	{desc: "sendBeacon, closed: sent with cookies, nothing to read", policy: "{}", preset: "beacon", kind: "beacon", loaded: true, reads: fetch.ReadsNothing, headline: "cookies went along"},
	{desc: "form POST, closed: no CORS at all", policy: "{}", preset: "form", kind: "form", loaded: true, reads: fetch.ReadsNothing, read: "SecurityError", err: "-", headline: "no CORS applies to a form"},
	{desc: "iframe, closed: loads, unreadable", policy: "{}", preset: "iframe", kind: "iframe", loaded: true, reads: fetch.ReadsNothing, read: "SecurityError", err: "-", headline: "reading its document threw SecurityError"},
}

// TestKindsInChromium runs the cases. See the top of the file.
func TestKindsInChromium(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	cdp := &cdpLog{}
	if err := chromedp.Listen(p.tab.Ctx, cdp.observe); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	// Log in first: the credentialed kinds then carry site B's session cookie.
	p.putPolicy(kindsOpen)
	p.settled(p.send(`corslab.presets.login()`).ID)
	for i, c := range kindCases {
		t.Run(fmt.Sprintf("%02d %s", i, c.desc), func(t *testing.T) {
			cp := *p
			cp.t = t
			runKind(&cp, cdp, c)
		})
	}
}

func runKind(p *page, cdp *cdpLog, c kindCase) {
	t := p.t
	p.putPolicy(c.policy)
	before := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
	mark := cdp.mark()
	click(p, fmt.Sprintf(`#kind-presets button[data-kind-preset=%q]`, c.preset))
	id := pollJS[string](p, fmt.Sprintf(`(() => { const id = document.querySelector("#log li.trial.selected")?.dataset.trial || "";
		return id !== %q ? id : ""; })()`, before))
	raw := pollJS[string](p, fmt.Sprintf(`(() => { const s = corslab.trial(%q);
		return s && s.outcome && s.happened && (s.happened.reachedSiteB || !s.outcome.ok) && !(s.headline || "").startsWith("waiting") ? JSON.stringify(s) : ""; })()`, id))
	var tr journal.Trial
	if err := json.Unmarshal([]byte(raw), &tr); err != nil {
		t.Fatalf("trial %s: %v\n%s", id, err, raw)
	}
	a, o := tr.Account, tr.Outcome
	if tr.Request.Kind != c.kind || a.Kind == nil || a.Kind.Name != c.kind {
		t.Fatalf("request kind %q, account kind %+v; want %s", tr.Request.Kind, a.Kind, c.kind)
	}
	// What the page got.
	if o.OK != c.loaded {
		t.Errorf("the page got loaded=%t (%s), want %t", o.OK, o.Error, c.loaded)
	}
	if !strings.HasPrefix(o.Read, c.read) {
		t.Errorf("the page's read found %q, want %q…", o.Read, c.read)
	}
	// Chromium's own network events for the URL.
	var ch chromium
	poll.Check(t, wait, func() error {
		ch = judgeCDP(cdp.since(mark), tr.Request.URL, p.lab.URLA)
		if ch.Requests == 0 || !ch.Terminal {
			return fmt.Errorf("Chromium has not finished the requests for %s", tr.Request.URL)
		}
		return nil
	})
	if o.OK && strings.HasPrefix(c.kind, "eventsource") && ch.Error == fetch.ErrTypeError && aborted(cdp.since(mark)) {
		// The page closes the EventSource after its first message: when
		// that beats the stream's end, Chromium reports the request
		// aborted by the page, not failed.
		ch.Allowed, ch.Error = true, ""
	}
	if ch.Preflight {
		t.Errorf("Chromium sent a preflight for a %s", c.kind)
	}
	// Site B's journal: the request reached it under this trial's id.
	reached, cookie := false, false
	for _, e := range p.lab.Journal.Hub().Recent(200) {
		if e.Kind == journal.KindExchange && e.Exchange.Trial == id && !e.Exchange.Preflight {
			reached = true
			cookie = strings.Contains(e.Exchange.RequestHeader.Get("Cookie"), siteB.SessionCookie+"=")
		}
	}
	// The credentials mode, as site B saw it: the session cookie (set by
	// the log-in above) goes along exactly when it is include — site A and
	// site B are same-site, but "same-origin" omits them cross-origin.
	if want := a.Kind.Credentials == "include"; cookie != want {
		t.Errorf("site B got the session cookie: %t; the kind's credentials mode is %s", cookie, a.Kind.Credentials)
	}
	if !reached || !a.Happened.ReachedSiteB {
		t.Errorf("site B's journal has the trial's exchange: %t; the account says reached: %t", reached, a.Happened.ReachedSiteB)
	}
	// The account.
	if a.Reads != c.reads {
		t.Errorf("reads = %q, want %q", a.Reads, c.reads)
	}
	if a.Mismatch != "" {
		t.Errorf("the account flags a mismatch: %s", a.Mismatch)
	}
	switch {
	case c.err == "-":
		if a.Verdict != nil || !a.Happened.Navigation {
			t.Errorf("a navigation has verdict %+v, navigation=%t", a.Verdict, a.Happened.Navigation)
		}
	case a.Verdict == nil:
		t.Errorf("no verdict")
	default:
		if a.Verdict.Allowed != ch.Allowed || a.Verdict.Error != ch.Error {
			t.Errorf("the verdict says allowed=%t %q, Chromium %t %q", a.Verdict.Allowed, a.Verdict.Error, ch.Allowed, ch.Error)
		}
		if a.Verdict.Error != c.err {
			t.Errorf("the case means to show error %q, the trial shows %q: fix the case", c.err, a.Verdict.Error)
		}
	}
	if !strings.Contains(a.Headline, c.headline) {
		t.Errorf("headline %q lacks %q", a.Headline, c.headline)
	}
	if !strings.Contains(a.Notes[0], "mode "+a.Kind.Mode) {
		t.Errorf("the first note does not give the kind's mode: %q", a.Notes[0])
	}
	// The page shows the headline, the call as the element or API that
	// made it, and the diagram's last step says what the page got.
	p.entryText(id, a.Headline)
	p.entryText(id, a.Call)
	k, _ := fetch.LookupKind(c.kind)
	if n := len(a.Trace); n == 0 || !strings.HasPrefix(a.Trace[0].What, a.Call) || (a.Verdict != nil && a.Trace[n-1].Note != k.Says(*a.Verdict)) {
		t.Errorf("the diagram does not begin with the call %q or end with what the page got: %+v", a.Call, a.Trace)
	}
	t.Logf("%s: %s", c.kind, a.Headline)
}

// checkKindPage checks what the page got and read for case c in Firefox or
// WebKit: their messages differ from Chromium's, their outcomes do not.
func checkKindPage(t *testing.T, tr *journal.Trial, c kindCase) {
	t.Helper()
	o := tr.Outcome
	if o.OK != c.loaded {
		t.Errorf("the page got loaded=%t (%s), want %t", o.OK, o.Error, c.loaded)
	}
	// Firefox and WebKit word a thrown error "Error: …" where Chromium says "Uncaught Error: …".
	if want := strings.TrimPrefix(c.read, "Uncaught "); !strings.Contains(o.Read, want) {
		t.Errorf("the page's read found %q, want %q", o.Read, want)
	}
}

// sentToSiteB is the last request of the trial that reached site B other
// than a preflight, nil if none did.
func sentToSiteB(tr *journal.Trial) *journal.Exchange {
	var last *journal.Exchange
	for i := range tr.Exchanges {
		if !tr.Exchanges[i].Preflight {
			last = &tr.Exchanges[i]
		}
	}
	return last
}

// checkKindAccount checks case c's trial, made in browser ("firefox" or
// "webkit"): site B got the request, with its session cookie exactly when
// the kind's credentials mode is include, and the account speaks for
// browser, gives the case's kind and reads, flags no mismatch, and
// allows what the page loaded.
func checkKindAccount(t *testing.T, tr *journal.Trial, browser string, c kindCase) {
	t.Helper()
	x := sentToSiteB(tr)
	if x == nil {
		t.Fatalf("site B saw no request for the trial (%s)", kinds(tr.Exchanges))
	}
	cookie := strings.Contains(x.RequestHeader.Get("Cookie"), siteB.SessionCookie+"=")
	if tr.Browser != browser {
		t.Errorf("the account speaks for %q, want %s", tr.Browser, browser)
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
}

// aborted reports whether a request failed as cancelled by the page
// (net::ERR_ABORTED), with no CORS error.
func aborted(evs []cdpEvent) bool {
	for _, e := range evs {
		if e.kind == "failed" && e.corsError == "" && e.errorText == "net::ERR_ABORTED" {
			return true
		}
	}
	return false
}
