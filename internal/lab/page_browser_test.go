package lab_test

// The page in Chromium under its Content-Security-Policy: the split into
// ES modules left no inline script, style or handler, and the policy lets
// through everything the page does (fetch()es to site A and site B, both
// websockets, the sandboxed iframe, the SVG diagram) and nothing else.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/testsupport/browsertest"
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

func TestPageUnderCSP(t *testing.T) {
	t.Parallel()
	l := startLab(t, wildcard)
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
			t.Errorf("%s: outcome %+v, want ok with type %s", r.desc, res.Outcome, r.wantType)
		}
		p.settled(res.ID)
	}
	// A preset pressed as a user does, and its verdict's diagram drawn.
	click(p, `button[data-preset="customHeader"]`)
	pollJS[bool](p, `document.querySelector("#verdict svg.seq line") !== null`)
	pollJS[bool](p, `document.querySelector("#conn").dataset.state === "live"`)

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

// Another site cannot frame the page (clickjacking its buttons); site A
// itself can.
func TestPageRefusesFraming(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	// The other site: another origin (127.0.0.1, another port) whose page frames site A's.
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>a site that frames the lab</title><iframe src=%q></iframe>`, l.URLA)
	}))
	t.Cleanup(other.Close)

	tab := browsertest.NewTab(t)
	w := watchCSP(t, tab)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(other.URL)); err != nil {
		t.Fatal(err)
	}
	// Chromium refuses the frame, and site A's page never starts in it (it
	// would open the live log).
	deadline := time.Now().Add(wait)
	for !hasFrameAncestors(w.consoleMessages()) {
		if time.Now().After(deadline) {
			t.Fatalf("Chromium did not report the frame-ancestors refusal; console: %q", w.consoleMessages())
		}
		time.Sleep(10 * time.Millisecond)
	}
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

func hasFrameAncestors(msgs []string) bool {
	for _, m := range msgs {
		if strings.Contains(m, "frame-ancestors") {
			return true
		}
	}
	return false
}
