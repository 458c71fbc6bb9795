package lab_test

// The in-situ agreement test: what the lab shows a learner for a trial
// equals what the browser did. It drives site A's page as a user does —
// clicking a preset, a lesson's button, or filling in the request form and
// pressing Send — and for every trial sets three accounts side by side:
//
//	the trial event     the journal's account of the trial, as the page
//	                    received it on /lab/ws (window.corslab.trial)
//	the page's text     the trial's live-log entry ([data-trial=<id>]) and
//	                    the result pane, as a reader sees them
//	the referee         Chromium itself over CDP (a preflight is a network
//	                    request of its own, type Preflight; loadingFailed
//	                    gives corsErrorStatus; a request fetch() refused
//	                    has no network request at all), and site B's
//	                    journal for what reached site B
//
// on: preflight sent (or not), request reached site B, allowed, error name,
// same origin, refused locally, websocket. Every note and the mismatch of a
// trial must appear in the page's text for it, its call with the full URL,
// its fix without a literal backtick, and its diagram with an OPTIONS arrow
// exactly when Chromium sent a preflight. The trials run one after the
// other in one lab and one tab, so the preflight cache carries over where
// a case means it to (lesson 9: a PUT sent twice within Max-Age, then once
// more after the policy changed).

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// cdpEvent is one network event Chromium reported in the tab.
type cdpEvent struct {
	kind      string // request, response, finished, failed, ws, ws-response
	id        network.RequestID
	url       string
	method    string
	preflight bool // a request of type Preflight
	status    int64
	corsError string
	errorText string
}

// cdpLog records the tab's network events, in order.
type cdpLog struct {
	mu     sync.Mutex
	events []cdpEvent
}

func (l *cdpLog) observe(ev any) {
	var e cdpEvent
	switch ev := ev.(type) {
	case *network.EventRequestWillBeSent:
		// Chromium reports a CORS preflight as a request of its own, which
		// the request it precedes initiated.
		pre := ev.Type == network.ResourceTypePreflight || (ev.Initiator != nil && ev.Initiator.Type == network.InitiatorTypePreflight)
		e = cdpEvent{kind: "request", id: ev.RequestID, url: ev.Request.URL, method: ev.Request.Method, preflight: pre}
	case *network.EventResponseReceived:
		e = cdpEvent{kind: "response", id: ev.RequestID, url: ev.Response.URL, status: ev.Response.Status}
	case *network.EventLoadingFinished:
		e = cdpEvent{kind: "finished", id: ev.RequestID}
	case *network.EventLoadingFailed:
		e = cdpEvent{kind: "failed", id: ev.RequestID, errorText: ev.ErrorText}
		if ev.CorsErrorStatus != nil {
			e.corsError = string(ev.CorsErrorStatus.CorsError)
		}
	case *network.EventWebSocketCreated:
		e = cdpEvent{kind: "ws", id: ev.RequestID, url: ev.URL}
	case *network.EventWebSocketHandshakeResponseReceived:
		e = cdpEvent{kind: "ws-response", id: ev.RequestID, status: ev.Response.Status}
	default:
		return
	}
	l.mu.Lock()
	l.events = append(l.events, e)
	l.mu.Unlock()
}

func (l *cdpLog) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.events)
}

func (l *cdpLog) since(mark int) []cdpEvent {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.events[mark:])
}

// chromium is what Chromium reported for one trial's URL.
type chromium struct {
	Requests   int    `json:"requests"` // network requests for the URL, preflights included
	Method     string `json:"method"`   // the actual request's, as sent
	Preflight  bool   `json:"preflight"`
	SameOrigin bool   `json:"sameOrigin"`
	WebSocket  bool   `json:"websocket"`
	WSStatus   int64  `json:"wsStatus,omitempty"`
	Allowed    bool   `json:"allowed"`
	Error      string `json:"error"`
	Terminal   bool   `json:"-"` // every request finished or failed
}

// judgeCDP reads Chromium's events since mark for the trial's URL (a
// redirect's next hop keeps the request's id).
func judgeCDP(evs []cdpEvent, trialURL, pageOrigin string) chromium {
	var c chromium
	ids := map[network.RequestID]bool{} // actual requests
	pre := map[network.RequestID]bool{}
	for _, e := range evs {
		switch {
		case e.kind == "request" && e.url == trialURL && e.preflight:
			pre[e.id] = true
			c.Requests++
		case e.kind == "request" && e.url == trialURL && !ids[e.id]:
			ids[e.id] = true
			c.Requests++
			c.Method = e.method
		case e.kind == "ws" && e.url == trialURL:
			c.WebSocket = true
			ids[e.id] = true
			c.Requests++
		}
	}
	c.Preflight = len(pre) > 0
	if u, err := url.Parse(trialURL); err == nil {
		c.SameOrigin = u.Scheme+"://"+u.Host == pageOrigin
	}
	done := map[network.RequestID]bool{}
	var failed, cors string
	finished := false
	for _, e := range evs {
		switch {
		case e.kind == "ws-response" && ids[e.id]:
			c.WSStatus = e.status
			done[e.id] = true
		case e.kind == "finished" && (ids[e.id] || pre[e.id]):
			done[e.id] = true
			finished = finished || ids[e.id]
		case e.kind == "failed" && (ids[e.id] || pre[e.id]):
			done[e.id] = true
			if failed == "" || ids[e.id] {
				failed = e.errorText
			}
			if e.corsError != "" && (cors == "" || ids[e.id]) {
				cors = e.corsError
			}
		}
	}
	c.Terminal = len(done) == len(ids)+len(pre)
	switch {
	case c.WebSocket:
		c.Allowed = c.WSStatus == 101
	case len(ids) == 0:
		c.Error = fetch.ErrTypeError // fetch() refused it: no network request at all
	case failed == "" && finished:
		c.Allowed = true
	case cors != "":
		c.Error = cors
	default:
		c.Error = fetch.ErrTypeError
	}
	return c
}

// insituCase is one trial as a user makes it.
type insituCase struct {
	desc string
	// policy, when set, is put in force first through the control API, as
	// a teacher does; lesson, when set, is made current first with the
	// panel's buttons (which put its starting policy in force).
	policy string
	lesson int
	// the user's action: a preset's name, a lesson button's index, or a form.
	preset string
	button int
	form   *formInput
	// wantError and wantPreflight say what the case is meant to show ("-":
	// no verdict, a websocket; wantPreflight "" when any will do). They
	// check the case, not the lab.
	wantError     string
	wantPreflight trial.Preflight
	// wantNote, when set, is a part of one of the trial's notes.
	wantNote string
}

type formInput struct{ method, path, headers, body, credentials, mode string }

const maxAge0 = `"Access-Control-Max-Age": "0"`

var (
	insituWildcard    = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", ` + maxAge0 + `}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`
	insituAllowAll    = pf(0, h(acaoEcho, acacTrue, acamAll, `"Access-Control-Allow-Headers": "content-type, x-requested-with"`, maxAge0), h(acaoEcho, acacTrue))
	insituPatch       = pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "PATCH"`, `"Access-Control-Allow-Headers": "content-type"`, maxAge0), acaoStar)
	insituPatchCached = pf(0, h(acaoStar, `"Access-Control-Allow-Methods": "patch"`, `"Access-Control-Allow-Headers": "content-type"`, `"Access-Control-Max-Age": "600"`), acaoStar)
	// lesson 9's policy with PUT no longer allowed: the browser's cache still says it is.
	insituNoPUT = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "600"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`
)

func form(method, path, headers, body, credentials, mode string) *formInput {
	return &formInput{method, path, headers, body, credentials, mode}
}

var insituCases = []insituCase{
	// Every preset.
	{desc: "preset simple GET, closed", policy: "{}", preset: "simpleGet", wantError: fetch.ErrMissingAllowOriginHeader, wantPreflight: trial.PreflightNone},
	{desc: "preset simple POST, closed: blocked, yet created", policy: "{}", preset: "simplePost", wantError: fetch.ErrMissingAllowOriginHeader, wantPreflight: trial.PreflightNone},
	{desc: "preset POST JSON, closed", policy: "{}", preset: "postJSON", wantError: fetch.ErrPreflightMissingAllowOriginHeader, wantPreflight: trial.PreflightSent},
	{desc: "preset PUT, closed", policy: "{}", preset: "put", wantError: fetch.ErrPreflightMissingAllowOriginHeader, wantPreflight: trial.PreflightSent},
	{desc: "preset DELETE, no Allow-Methods", policy: pf(0, h(acaoEcho, maxAge0), acaoEcho), preset: "del", wantError: fetch.ErrMethodDisallowedByPreflightResponse, wantPreflight: trial.PreflightSent},
	{desc: "preset X-header, no Allow-Headers", policy: pf(0, h(acaoStar, maxAge0), acaoStar), preset: "customHeader", wantError: fetch.ErrHeaderDisallowedByPreflightResponse, wantPreflight: trial.PreflightSent},
	{desc: "preset log in: credentials with *", policy: insituWildcard, preset: "login", wantError: fetch.ErrWildcardOriginNotAllowed, wantPreflight: trial.PreflightNone},
	{desc: "preset who am I: credentials with *", policy: insituWildcard, preset: "me", wantError: fetch.ErrWildcardOriginNotAllowed, wantPreflight: trial.PreflightNone},
	{desc: "preset read X-Total, not exposed", policy: insituWildcard, preset: "readTotal", wantPreflight: trial.PreflightNone},
	{desc: "preset read X-Total, exposed", policy: act(h(acaoStar, `"Access-Control-Expose-Headers": "X-Total"`)), preset: "readTotal", wantPreflight: trial.PreflightNone},

	// The request form.
	{desc: "form PUT, all allowed", policy: insituAllowAll, form: form("PUT", "/api/items/1", "Content-Type: application/json", `{"name": "apple"}`, "", ""), wantPreflight: trial.PreflightSent},
	{desc: "form POST JSON, all allowed", policy: insituAllowAll, form: form("POST", "/api/items", "Content-Type: application/json", `{"name": "in situ"}`, "", ""), wantPreflight: trial.PreflightSent},
	{desc: "form DELETE of a missing item, allowed (404)", policy: insituAllowAll, form: form("DELETE", "/api/items/999999", "", "", "", ""), wantPreflight: trial.PreflightSent},
	{desc: "form credentials include, exact origin and Allow-Credentials", policy: insituAllowAll, form: form("GET", "/api/me", "", "", "include", ""), wantPreflight: trial.PreflightNone},
	{desc: "form GET with a body: fetch() throws", policy: insituAllowAll, form: form("GET", "/api/items", "", "a body", "", ""), wantError: fetch.ErrTypeError, wantPreflight: trial.PreflightNone},
	{desc: "form forbidden method TRACE: fetch() throws", policy: insituAllowAll, form: form("TRACE", "/api/items", "", "", "", ""), wantError: fetch.ErrTypeError, wantPreflight: trial.PreflightNone},
	{desc: "form invalid header name: fetch() throws", policy: insituAllowAll, form: form("GET", "/api/items", "Bad Header: x", "", "", ""), wantError: fetch.ErrTypeError, wantPreflight: trial.PreflightNone},
	{desc: "form no-cors PUT: fetch() throws", policy: "{}", form: form("PUT", "/api/items/1", "", "", "", "no-cors"), wantError: fetch.ErrTypeError, wantPreflight: trial.PreflightNone},
	{desc: "form lower-case patch against Allow-Methods PATCH", policy: insituPatch, form: form("patch", "/api/items/1", "Content-Type: application/json", `{"name": "apple"}`, "", ""), wantError: fetch.ErrMethodDisallowedByPreflightResponse, wantPreflight: trial.PreflightSent},
	{desc: "form lower-case patch against Allow-Methods patch, Max-Age 600", policy: insituPatchCached, form: form("patch", "/api/items/2?patch", "Content-Type: application/json", `{"name": "banana"}`, "", ""), wantPreflight: trial.PreflightSent},
	{desc: "form lower-case patch again: the cached answer allowed patch", policy: insituPatchCached, form: form("patch", "/api/items/2?patch", "Content-Type: application/json", `{"name": "banana"}`, "", ""), wantPreflight: trial.PreflightCached},
	{desc: "form upper-case PATCH against Allow-Methods PATCH", policy: insituPatch, form: form("PATCH", "/api/items/1", "Content-Type: application/json", `{"name": "apple"}`, "", ""), wantPreflight: trial.PreflightSent},
	{desc: "form redirected preflight", policy: pf(301, h(acaoStar, `"Access-Control-Allow-Methods": "DELETE"`, `"Location": "/api/items"`), acaoStar), form: form("DELETE", "/api/items/999999", "", "", "", ""), wantError: fetch.ErrPreflightDisallowedRedirect, wantPreflight: trial.PreflightSent},
	{desc: "form GET redirected, allowed: followed", policy: act(acaoStar), form: form("GET", "/api//items", "", "", "", ""), wantPreflight: trial.PreflightNone},
	{desc: "form GET redirected, closed", policy: "{}", form: form("GET", "/api//items", "", "", "", ""), wantError: fetch.ErrMissingAllowOriginHeader, wantPreflight: trial.PreflightNone},
	{desc: "form GET, Allow-Origin of another origin", policy: act(`"Access-Control-Allow-Origin": "http://localhost:1"`), form: form("GET", "/api/items", "", "", "", ""), wantError: fetch.ErrAllowOriginMismatch, wantPreflight: trial.PreflightNone},
	{desc: "form no-cors GET: opaque", policy: "{}", form: form("GET", "/api/items", "", "", "", "no-cors"), wantPreflight: trial.PreflightNone},
	{desc: "form websocket", policy: "{}", form: form("GET", "/api/ws", "", "", "", "websocket"), wantError: "-", wantPreflight: trial.PreflightNone},

	// Every lesson's buttons, in order, each lesson started with the panel's buttons.
	{desc: "lesson 1: same origin", lesson: 1, button: 0, wantPreflight: trial.PreflightNone, wantNote: "same-origin"},
	{desc: "lesson 1: cross origin", lesson: 1, button: 1, wantError: fetch.ErrMissingAllowOriginHeader, wantPreflight: trial.PreflightNone},
	{desc: "lesson 2: a blocked simple GET", lesson: 2, button: 0, wantError: fetch.ErrMissingAllowOriginHeader},
	{desc: "lesson 3: a blocked simple POST", lesson: 3, button: 0, wantError: fetch.ErrMissingAllowOriginHeader},
	{desc: "lesson 4: the PUT's preflight", lesson: 4, button: 0, wantError: fetch.ErrPreflightMissingAllowOriginHeader, wantPreflight: trial.PreflightSent},
	{desc: "lesson 5: X-Requested-With", lesson: 5, button: 0, wantPreflight: trial.PreflightSent},
	{desc: "lesson 5: POST JSON", lesson: 5, button: 1, wantPreflight: trial.PreflightSent},
	{desc: "lesson 6: DELETE", lesson: 6, button: 0},
	{desc: "lesson 6: X-Requested-With", lesson: 6, button: 1},
	{desc: "lesson 7: log in", lesson: 7, button: 0},
	{desc: "lesson 7: who am I", lesson: 7, button: 1},
	{desc: "lesson 8: read X-Total", lesson: 8, button: 0},
	{desc: "lesson 9: the PUT, preflighted", lesson: 9, button: 0, wantPreflight: trial.PreflightSent},
	{desc: "lesson 9: the PUT again within Max-Age: cached", lesson: 9, button: 0, wantPreflight: trial.PreflightCached, wantNote: "answered it from its preflight cache"},
	{desc: "lesson 9: the PUT after the policy dropped PUT: still cached", lesson: 9, button: 0, policy: insituNoPUT, wantPreflight: trial.PreflightCached, wantNote: "policy changed since that preflight"},
	{desc: "lesson 10: Vary: Origin", lesson: 10, button: 0},
	{desc: "lesson 11: the sandboxed iframe, Origin: null", lesson: 11, button: 0, wantPreflight: trial.PreflightNone, wantNote: "Origin: null"},
	{desc: "lesson 12: log in", lesson: 12, button: 0},
	{desc: "lesson 12: who am I", lesson: 12, button: 1},
	{desc: "lesson 13: no-cors", lesson: 13, button: 0, wantPreflight: trial.PreflightNone},
	{desc: "lesson 14: websocket", lesson: 14, button: 0, wantError: "-", wantPreflight: trial.PreflightNone},
}

// TestInSituAgreement runs the cases. See the top of the file.
func TestInSituAgreement(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	cdp := &cdpLog{}
	if err := chromedp.Listen(p.tab.Ctx, cdp.observe); err != nil {
		t.Fatalf("listening to the tab: %v", err)
	}
	if n := len(insituCases); n < 40 {
		t.Errorf("%d cases, want at least 40", n)
	}
	agreed, lesson := 0, 0
	for i, c := range insituCases {
		t.Run(fmt.Sprintf("%02d %s", i, c.desc), func(t *testing.T) {
			cp := *p
			cp.t = t
			if runInSitu(t, &cp, cdp, c, &lesson) {
				agreed++
			}
		})
	}
	t.Logf("in situ: %d of %d trials agree with Chromium", agreed, len(insituCases))
}

// runInSitu makes one trial as a user does and compares; true when all agree.
func runInSitu(t *testing.T, p *page, cdp *cdpLog, c insituCase, lesson *int) bool {
	if c.lesson > 0 {
		gotoLesson(p, c.lesson, lesson)
	}
	if c.policy != "" {
		p.putPolicy(c.policy)
	}
	before := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
	mark := cdp.mark()
	seq := p.lab.Journal.Hub().Published()
	switch {
	case c.preset != "":
		click(p, fmt.Sprintf(`#presets button[data-preset=%q]`, c.preset))
	case c.form != nil:
		fillForm(p, c.form)
	default:
		click(p, fmt.Sprintf(`#lesson-requests button[data-lesson-request="%d"]`, c.button))
	}
	id := pollJS[string](p, fmt.Sprintf(`(() => { const id = document.querySelector("#log li.trial.selected")?.dataset.trial || "";
		return id !== %q ? id : ""; })()`, before))

	// The trial event as the page received it, once settled.
	raw := pollJS[string](p, fmt.Sprintf(`(() => { const s = corslab.trial(%q);
		return s && s.outcome && !(s.headline || "").startsWith("waiting") ? JSON.stringify(s) : ""; })()`, id))
	var tr journal.Trial
	if err := json.Unmarshal([]byte(raw), &tr); err != nil {
		t.Fatalf("trial %s: %v\n%s", id, err, raw)
	}
	a := tr.Account
	// The page holds the journal's own account: the live log carried it whole.
	if jt, ok := p.lab.Journal.Trial(id); !ok {
		t.Errorf("trial %s is not in the journal", id)
	} else if got, want := mustJSON(t, a), mustJSON(t, jt.Account); got != want {
		t.Errorf("the page's account of trial %s differs from the journal's:\n page    %s\n journal %s", id, got, want)
	}

	// Chromium's own account, once every request it made has ended.
	var ch chromium
	poll.Check(t, wait, func() error {
		ch = judgeCDP(cdp.since(mark), tr.Request.URL, p.lab.URLA)
		if !ch.Terminal {
			return fmt.Errorf("Chromium has not finished the requests for %s: %+v", tr.Request.URL, cdp.since(mark))
		}
		return nil
	})
	// Site B's journal: what reached site B on the trial's path since the click.
	path := requestURI(tr.Request.URL)
	var sitePre, siteActual bool
	var seen []string
	for _, e := range p.lab.Journal.Hub().Recent(lab.HistorySize) {
		if e.Seq <= seq || e.Kind != journal.KindExchange || e.Exchange.Path != path || ch.SameOrigin {
			continue
		}
		seen = append(seen, e.Exchange.Method)
		if e.Exchange.Preflight {
			sitePre = true
		} else {
			siteActual = true
		}
	}

	var diffs []string
	differ := func(what string, lab, referee any) {
		diffs = append(diffs, fmt.Sprintf("%s: the lab says %v, the referee %v", what, lab, referee))
	}
	if got := a.Happened.Preflight == trial.PreflightSent; got != ch.Preflight || sitePre != ch.Preflight {
		differ("preflight sent (lab | Chromium, site B)", a.Happened.Preflight, fmt.Sprintf("%t, %t", ch.Preflight, sitePre))
	}
	if a.Happened.ReachedSiteB != siteActual {
		differ("reached site B (site B's journal)", a.Happened.ReachedSiteB, siteActual)
	}
	if a.Happened.SameOrigin != (ch.SameOrigin && ch.Requests > 0) {
		differ("same origin", a.Happened.SameOrigin, ch.SameOrigin)
	}
	if a.Happened.RefusedLocally != (ch.Requests == 0) {
		differ("refused by fetch() itself (Chromium: no request)", a.Happened.RefusedLocally, ch.Requests == 0)
	}
	if a.Happened.WebSocket != ch.WebSocket {
		differ("websocket", a.Happened.WebSocket, ch.WebSocket)
	}
	switch {
	case ch.WebSocket:
		if a.Verdict != nil {
			differ("verdict of a websocket", a.Verdict.Error, "none")
		}
		if tr.Outcome.OK != ch.Allowed {
			differ("websocket opened (outcome | Chromium's handshake)", tr.Outcome.OK, ch.WSStatus)
		}
	case a.Verdict == nil:
		differ("verdict", "none", ch.Error)
	default:
		if a.Verdict.Allowed != ch.Allowed {
			differ("allowed", a.Verdict.Allowed, ch.Allowed)
		}
		if a.Verdict.Error != ch.Error {
			differ("error", orDash(a.Verdict.Error), orDash(ch.Error))
		}
	}
	if m := ch.Method; m != strings.ToUpper(m) && strings.Contains(a.Headline, strings.ToUpper(m)+" ") {
		differ("the method in the headline", a.Headline, m)
	}
	if a.Mismatch != "" {
		diffs = append(diffs, "the account flags a mismatch: "+a.Mismatch)
	}
	diffs = append(diffs, checkPageText(p, id, a, ch)...)

	// The case itself: does it show what it means to?
	verdictErr := "-"
	if a.Verdict != nil {
		verdictErr = a.Verdict.Error
	}
	if c.wantError != "" || c.preset != "" || c.form != nil {
		if verdictErr != c.wantError {
			t.Errorf("the case means to show error %s, the trial shows %s: fix the case", orDash(c.wantError), orDash(verdictErr))
		}
	}
	if c.wantNote != "" && !slices.ContainsFunc(a.Notes, func(n string) bool { return strings.Contains(n, c.wantNote) }) {
		t.Errorf("the case means to show a note saying %q, the trial's notes are %q: fix the case", c.wantNote, a.Notes)
	}
	if c.wantPreflight != "" && a.Happened.Preflight != c.wantPreflight {
		t.Errorf("the case means to show preflight %s, the trial shows %s: fix the case", c.wantPreflight, a.Happened.Preflight)
	}
	if len(diffs) > 0 {
		acc, _ := json.MarshalIndent(a, "\t\t", "  ")
		cj, _ := json.Marshal(ch)
		t.Errorf("trial %s (%s): the lab disagrees with the browser:\n\t%s\n\tChromium: %s; site B saw %v\n\taccount: %s",
			id, a.Call, strings.Join(diffs, "\n\t"), cj, seen, acc)
		return false
	}
	t.Logf("agreed: %s — %s", a.Call, a.Headline)
	return true
}

// checkPageText compares the trial's entry and the result pane with the
// account and with Chromium; it returns the differences.
func checkPageText(p *page, id string, a trial.Account, ch chromium) []string {
	type texts struct {
		Entry, Result, EntryPreflight, ResultPreflight, EntryReached string
		EntryOptions, ResultOptions                                  int
		EntryFacts, ResultFacts                                      []string
	}
	js := fmt.Sprintf(`(() => {
		const e = document.querySelector('#log [data-trial=%q]');
		const r = [document.querySelector("#result"), document.querySelector("#verdict")];
		const facts = (root) => [...root.querySelectorAll(".t-happened [data-happened]")].map((li) => li.dataset.happened);
		return {
			Entry: e.textContent, Result: r.map((x) => x.textContent).join(" "),
			EntryPreflight: e.querySelector('[data-happened="preflight"]')?.textContent || "",
			ResultPreflight: r[0].querySelector('[data-happened="preflight"]')?.textContent || "",
			EntryReached: e.querySelector('[data-happened="reached"]')?.textContent || "",
			EntryOptions: e.querySelectorAll('svg [data-what^="OPTIONS"]').length,
			ResultOptions: r[1].querySelectorAll('svg [data-what^="OPTIONS"]').length,
			EntryFacts: facts(e), ResultFacts: facts(r[0]),
		};
	})()`, id)
	var got texts
	// The result pane shows the selected trial: wait until it shows this one's headline.
	poll.Check(p.t, wait, func() error {
		got = evalJS[texts](p, js)
		if !strings.Contains(got.Result, a.Headline) || !strings.Contains(got.Entry, a.Headline) {
			return fmt.Errorf("the page does not show the headline %q yet", a.Headline)
		}
		return nil
	})
	var diffs []string
	need := func(where, text, want string) {
		if !strings.Contains(text, want) {
			diffs = append(diffs, fmt.Sprintf("the %s lacks %q: %q", where, want, text))
		}
	}
	both := func(want string) {
		need("entry", got.Entry, want)
		need("result pane", got.Result, want)
	}
	both(a.Headline)
	both(a.Call)
	if !strings.Contains(a.Call, `("http://`) && !strings.Contains(a.Call, `("ws://`) {
		diffs = append(diffs, "the call lacks the full URL: "+a.Call)
	}
	for _, n := range a.Notes {
		both(strings.ReplaceAll(n, "`", ""))
	}
	if a.Mismatch != "" {
		both(strings.ReplaceAll(a.Mismatch, "`", ""))
	}
	if a.Fix != nil {
		both(strings.ReplaceAll(a.Fix.Text, "`", ""))
	}
	if a.Verdict != nil && a.Verdict.Error != "" {
		both(a.Verdict.Error)
	}
	if strings.Contains(got.Entry+got.Result, "`") {
		diffs = append(diffs, "a literal backtick on the page")
	}
	// What happened, as the page says it, against Chromium.
	for where, pre := range map[string]string{"entry": got.EntryPreflight, "result pane": got.ResultPreflight} {
		if says := strings.HasPrefix(pre, "preflight: sent"); says != ch.Preflight {
			diffs = append(diffs, fmt.Sprintf("the %s says %q, Chromium sent a preflight: %t", where, pre, ch.Preflight))
		}
	}
	if says := got.EntryReached == "reached site B: yes"; says != a.Happened.ReachedSiteB {
		diffs = append(diffs, fmt.Sprintf("the entry says %q", got.EntryReached))
	}
	wantFacts := []string{"preflight", "reached"}
	if ch.Requests == 0 {
		wantFacts = append([]string{"refused"}, wantFacts...)
	}
	if ch.SameOrigin && ch.Requests > 0 {
		wantFacts = append([]string{"same-origin"}, wantFacts...)
	}
	if ch.WebSocket {
		wantFacts = append([]string{"websocket"}, wantFacts...)
	}
	if !slices.Equal(got.EntryFacts, wantFacts) || !slices.Equal(got.ResultFacts, wantFacts) {
		diffs = append(diffs, fmt.Sprintf("the page lists what happened as %v (entry) and %v (result), Chromium's facts are %v", got.EntryFacts, got.ResultFacts, wantFacts))
	}
	wantOptions := 0
	if ch.Preflight {
		wantOptions = 1
	}
	if got.EntryOptions != wantOptions || got.ResultOptions != wantOptions {
		diffs = append(diffs, fmt.Sprintf("the diagrams draw %d (entry) and %d (result) OPTIONS arrows; Chromium sent %d preflight", got.EntryOptions, got.ResultOptions, wantOptions))
	}
	return diffs
}

// gotoLesson makes lesson n current with the panel's ◀ ▶ buttons (or
// "start over" when it already is), which put its starting policy in
// force — unless *visited says the previous case was already in lesson n.
func gotoLesson(p *page, n int, visited *int) {
	p.t.Helper()
	pollJS[bool](p, `!document.querySelector("#lesson").hidden`)
	cur := evalJS[string](p, `document.querySelector("#lesson").dataset.lesson`)
	if cur == fmt.Sprint(n) {
		if *visited == n {
			return
		}
		click(p, "#lesson-restart")
	}
	for cur != fmt.Sprint(n) {
		var k int
		fmt.Sscan(cur, &k)
		if k < n {
			click(p, "#lesson-next")
		} else {
			click(p, "#lesson-prev")
		}
		cur = pollJS[string](p, fmt.Sprintf(`(() => { const l = document.querySelector("#lesson").dataset.lesson; return l !== %q ? l : ""; })()`, cur))
	}
	// The lesson's policy is in force once its lesson event is out; its buttons are drawn.
	pollJS[bool](p, fmt.Sprintf(`corslab.lesson && corslab.lesson.current === %d && document.querySelectorAll("#lesson-requests button").length > 0`, n))
	poll.Check(p.t, wait, func() error {
		for _, e := range slices.Backward(p.lab.Journal.Hub().Recent(lab.HistorySize)) {
			if e.Kind == journal.KindPolicy {
				if strings.HasPrefix(e.Policy.By, fmt.Sprintf("lesson %d", n)) {
					return nil
				}
				break
			}
		}
		return fmt.Errorf("lesson %d's policy is not in force", n)
	})
	*visited = n
}

// fillForm fills in the request form as a user types, and presses Send.
func fillForm(p *page, f *formInput) {
	p.t.Helper()
	cred, mode := f.credentials, f.mode
	if cred == "" {
		cred = "same-origin"
	}
	if mode == "" {
		mode = "cors"
	}
	// chromedp.SetValue refuses an empty value: the fields are set as
	// one, then Send is clicked.
	fields, _ := json.Marshal(map[string]string{"f-method": f.method, "f-path": f.path, "f-headers": f.headers,
		"f-body": f.body, "f-credentials": cred, "f-mode": mode})
	evalJS[bool](p, `(() => { for (const [id, v] of Object.entries(`+string(fields)+`)) document.getElementById(id).value = v; return true; })()`)
	click(p, "#custom button[type=submit]")
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func requestURI(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	return u.RequestURI()
}

// TestAccessibleNames: every section, region, group of buttons, form and
// list of the page has an accessible name (aria-label, aria-labelledby or
// a heading of its own), and each trial's entry carries its id, so tests
// and screen readers find them by name, not by CSS class. Checked after a
// trial of each shape has drawn its entry and the result pane.
func TestAccessibleNames(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	pollJS[bool](p, `!document.querySelector("#lesson").hidden && document.querySelectorAll("#lesson-requests button").length > 0`)
	check := func(after string) {
		t.Helper()
		if unnamed := evalJS[[]string](p, unnamedJS); len(unnamed) > 0 {
			t.Errorf("after %s, without an accessible name: %v", after, unnamed)
		}
	}
	p.putPolicy(wildcard)
	res := p.send(`corslab.presets.readTotal()`)
	p.entryText(res.ID, "Allowed")
	pollJS[bool](p, `document.querySelector("#result dl") !== null`)
	check("an allowed GET")
	res = p.send(`corslab.presets.put()`)
	p.entryText(res.ID, "never reached site B")
	check("a blocked PUT")
}

// unnamedJS lists the page's elements that need a name and have none.
const unnamedJS = `(() => {
		const named = (e) => {
			if ((e.getAttribute("aria-label") || "").trim()) return true;
			const by = e.getAttribute("aria-labelledby");
			if (by && by.split(/\s+/).every((id) => (document.getElementById(id)?.textContent || "").trim())) return true;
			const first = e.firstElementChild;
			return !!first && /^H[1-6]$/.test(first.tagName) && first.textContent.trim() !== "";
		};
		const out = [];
		const all = document.querySelectorAll("section, form, [role=region], [role=group], header, main, ol, ul, dl, svg, details");
		for (const e of all) if (!named(e) && !(e.tagName === "DETAILS" && e.querySelector("summary"))) out.push(e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className);
		// Any element holding two or more buttons is a group with a name.
		for (const e of document.querySelectorAll("*")) {
			const buttons = [...e.children].filter((c) => c.tagName === "BUTTON");
			if (buttons.length >= 2 && !named(e)) out.push("buttons in " + e.tagName.toLowerCase() + (e.id ? "#" + e.id : "") + "." + e.className);
		}
		for (const e of document.querySelectorAll("#log li.trial")) if (!e.dataset.trial) out.push("a trial entry without data-trial");
		return out;
	})()`
