package lab_test

// The page in Chromium under its Content-Security-Policy: the split into
// ES modules left no inline script, style or handler, and the policy lets
// through everything the page does (fetch()es to site A and site B, both
// websockets, the sandboxed iframe, the SVG diagram) and nothing else.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
	"github.com/corslab/corslab/internal/testsupport/labtest"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// cspWatch records, in one tab, every CSP violation Chromium reports: the
// securitypolicyviolation events of every document (window.__csp) and the
// console's CSP messages.
type cspWatch struct {
	mu      sync.Mutex
	console []string
}

// recordViolations is run in every document before its own scripts.
const recordViolations = `window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
	window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.documentURI));`

func watchCSP(t *testing.T, tab *browsertest.Tab) *cspWatch {
	t.Helper()
	w := &cspWatch{}
	if err := chromedp.Listen(tab.Ctx, func(ev any) {
		if e, ok := ev.(*cdplog.EventEntryAdded); ok && strings.Contains(e.Entry.Text, "Content Security Policy") {
			w.mu.Lock()
			w.console = append(w.console, e.Entry.Text)
			w.mu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab.Ctx); err != nil { // opens the tab
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab.Ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: recordViolations}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *cspWatch) consoleMessages() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]string(nil), w.console...)
}

// On each loopback name, since the policy names site B's origin by the
// host the page was loaded from: a name, an IPv4 and an IPv6 literal.
func TestPageUnderCSP(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			testPageUnderCSP(t, labtest.Start(t, lab.Config{SiteA: host + ":0", SiteB: host + ":0", Policy: labtest.Policy(t, []byte(wildcard))}))
		})
	}
}

func testPageUnderCSP(t *testing.T, l *labtest.Lab) {
	tab := browsertest.NewTab(t)
	w := watchCSP(t, tab)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l.URLA)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, lab: l.Lab, tab: tab}
	evalJS[bool](p, `window.corslab.ready.then(() => true)`)
	if csp := evalJS[string](p, `fetch("/", {cache: "no-store"}).then((r) => r.headers.get("Content-Security-Policy"))`); !strings.Contains(csp, "script-src 'self'") {
		t.Fatalf("the page is served with Content-Security-Policy %q", csp)
	}

	// Every kind of request the page makes, each by its own path in the code.
	requests := []struct{ desc, js, wantType string }{
		{"a preset", `corslab.presets.simpleGet()`, "cors"},
		{"a preflighted PUT", `corslab.presets.put()`, ""},
		{"a header read", `corslab.presets.readTotal()`, "cors"},
		{"same origin", `{label: "same origin", method: "GET", path: "/api/items", site: "A"}`, "basic"},
		{"the sandboxed iframe", `{label: "sandboxed", method: "GET", path: "/api/items", sandbox: true}`, "cors"},
		{"a websocket to site B", `{label: "ws", method: "GET", path: "/api/ws", mode: "websocket"}`, "websocket"},
		{"no-cors", `{label: "no-cors", method: "GET", path: "/api/items", mode: "no-cors"}`, "opaque"},
	}
	for _, r := range requests {
		res := p.send(r.js)
		if r.wantType != "" && (!res.Outcome.OK || res.Outcome.Type != r.wantType) {
			t.Errorf("%s: outcome %+v, want ok with type %s; console %q", r.desc, res.Outcome, r.wantType, w.consoleMessages())
		}
		p.settled(res.ID)
	}
	// A preset pressed as a user does, and its verdict's diagram drawn.
	click(p, `button[data-preset="customHeader"]`)
	pollJS[bool](p, `document.querySelector("#verdict svg.seq line") !== null`)
	pollJS[bool](p, `document.querySelector("#conn").dataset.state === "live"`)

	// The form refuses a URL the policy would block, saying why, and sends
	// a full URL on site B.
	for _, tt := range []struct {
		url       string
		wantError bool
	}{
		{"http://127.0.0.1:9/api/items", true},
		{"ws://example.com/api/ws", true},
		{l.URLB + "/api/items/2", false},
	} {
		before := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
		evalJS[bool](p, fmt.Sprintf(`(() => { document.querySelector("#f-method").value = "GET";
			document.querySelector("#f-path").value = %q; document.querySelector("#f-headers").value = "";
			document.querySelector("#f-body").value = ""; document.querySelector("#f-mode").value = "cors"; return true; })()`, tt.url))
		click(p, "#custom button[type=submit]")
		if tt.wantError {
			msg := pollJS[string](p, `!document.querySelector("#f-error").hidden && document.querySelector("#f-error").textContent`)
			if !strings.Contains(msg, "Content-Security-Policy") || !strings.Contains(msg, l.URLB) {
				t.Errorf("%s: the form says %q", tt.url, msg)
			}
			if after := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`); after != before {
				t.Errorf("%s: the form sent trial %s", tt.url, after)
			}
			continue
		}
		id := pollJS[string](p, fmt.Sprintf(`(() => { const id = document.querySelector("#log li.trial.selected")?.dataset.trial || "";
			return id !== %q ? id : ""; })()`, before))
		if tr := p.settled(id); tr.Request.URL != tt.url || len(tr.Exchanges) != 1 {
			t.Errorf("%s: the trial asked %s and site B saw %s", tt.url, tr.Request.URL, kinds(tr.Exchanges))
		}
	}

	if v := evalJS[[]string](p, `window.__csp`); len(v) != 0 {
		t.Errorf("CSP violations on the page: %q", v)
	}
	if m := w.consoleMessages(); len(m) != 0 {
		t.Errorf("Chromium's console reports CSP violations: %q", m)
	}

	// The watch sees a violation when there is one: an inline style and an
	// inline script, which the policy refuses.
	evalJS[bool](p, `(() => { document.body.setAttribute("style", "outline: 1px solid red");
		const s = document.createElement("script"); s.textContent = "window.__inline = true"; document.body.append(s); return true; })()`)
	got := pollJS[[]string](p, `window.__csp.length >= 2 && window.__csp`)
	if !strings.HasPrefix(got[0], "style-src-attr blocked inline") || !strings.HasPrefix(got[1], "script-src-elem blocked inline") {
		t.Errorf("violations of the probe: %q, want style-src-attr and script-src-elem", got)
	}
	if ran := evalJS[bool](p, `window.__inline === true`); ran {
		t.Error("an inline script ran under the page's CSP")
	}
}

// Another site cannot frame the page (clickjacking its buttons), nor the
// sandboxed page of the null-origin lesson; site A itself can.
func TestPageRefusesFraming(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	// The other site: another origin (127.0.0.1, another port) whose page frames site A's.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>a site that frames the lab</title><iframe src=%q></iframe><iframe src=%q></iframe>`,
			l.URLA, l.URLA+"/trial/AAAAAAAAAAAA")
	}))
	t.Cleanup(other.Close)

	tab := browsertest.NewTab(t)
	w := watchCSP(t, tab)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(other.URL)); err != nil {
		t.Fatal(err)
	}
	// Chromium refuses both frames, the page and the null-origin lesson's
	// sandbox, and site A's page never starts (it would open the live log).
	poll.Check(t, wait, func() error {
		if msgs := w.consoleMessages(); frameAncestors(msgs) < 2 {
			return fmt.Errorf("Chromium did not report the frame-ancestors refusal; console: %q", msgs)
		}
		return nil
	})
	if n := l.Journal.Hub().Subscribers(); n != 0 {
		t.Errorf("site A's page started in another site's frame: %d live-log clients", n)
	}

	// Site A frames itself: the page loads and starts in the frame.
	p := openLabPage(t, l.Lab)
	ok := evalJS[bool](p, `new Promise((resolve) => {
		const f = document.createElement("iframe");
		f.src = "/";
		f.addEventListener("load", () => f.contentWindow.corslab.ready.then(() => resolve(true)));
		document.body.append(f);
	})`)
	if !ok {
		t.Error("site A's page did not start in a frame of site A")
	}
	if n := l.Journal.Hub().Subscribers(); n != 2 {
		t.Errorf("%d live-log clients, want 2: site A's page and its frame", n)
	}
}

// frameAncestors counts the frames refused by a frame-ancestors directive.
func frameAncestors(msgs []string) int {
	n := 0
	for _, m := range msgs {
		if strings.Contains(m, "frame-ancestors") {
			n++
		}
	}
	return n
}

// The page says an exchange's effect in the words the TUI and the -no-tui
// log use (trial.Effect's String).
func TestPageSaysEffectsAsTheTUIDoes(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	effects := []trial.Effect{
		{Kind: trial.Created, Item: 4, Name: "milk"},
		{Kind: trial.Created, Item: 5, Name: `say "hi"`},
		{Kind: trial.Renamed, Item: 1, Name: "pear", Was: "apple"},
		{Kind: trial.Deleted, Item: 3, Name: "cherry"},
		{Kind: trial.LoggedIn, Name: "session"},
		{Kind: trial.LoggedOut},
		{Kind: trial.WSMessage, Origin: p.lab.URLA},
	}
	for _, e := range effects {
		data, _ := json.Marshal(e)
		got := evalJS[string](p, fmt.Sprintf(`import("/static/log.js").then((m) => m.effectWords(%s))`, data))
		if want := e.String(); got != want {
			t.Errorf("effect %s: the page says %q, want %q", data, got, want)
		}
	}
}
