package lab_test

// End-to-end tests of the lab with real headless Chromium as the referee:
// the page on site A fires fetch()es at site B, and each test checks what
// Chromium reported (corsErrorStatus), what JavaScript got (the trial's
// outcome) and what site B saw (the journal).

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"

	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
	"github.com/corslab/corslab/internal/testsupport/labtest"
	"github.com/corslab/corslab/internal/testsupport/poll"
	"github.com/corslab/corslab/siteB"
)

// evilHost is an attacker's name that Chromium resolves to 127.0.0.1, as
// DNS rebinding makes it (rebinding_browser_test.go).
const evilHost = "evil.test"

// Chromium's own Local Network Access checks block a page it took for a
// public one (as it takes the rebinding page DevTools serves) from fetching
// a loopback address (corsError InsecureLocalNetwork); Firefox and WebKit
// have no such checks, and what the rebinding test shows is the lab's own
// refusal. So they are off, with the features every test browser disables kept.
// No other test crosses address spaces: the lab's page is loopback itself.
func TestMain(m *testing.M) {
	os.Exit(browsertest.Main(m,
		chromedp.Flag("host-resolver-rules", "MAP "+evilHost+" 127.0.0.1"),
		browsertest.DisableFeatures("LocalNetworkAccessChecks"),
	))
}

// wait is the deadline of every poll. A fetch takes milliseconds, but a
// browser beside other packages' tests on a loaded 2-core machine can take
// seconds per step (TestLessonsPlayedFromThePage timed out at 15 s): the
// deadline only bounds how long a real failure takes to show.
const wait = 60 * time.Second

// startLab runs a lab on free loopback ports (localhost) under the policy
// document doc ("": the closed policy) until the test ends.
func startLab(t *testing.T, doc string) *labtest.Lab {
	t.Helper()
	return labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Policy: labtest.Policy(t, []byte(doc))})
}

// page is site A's page open in a browser tab.
type page struct {
	t   *testing.T
	lab *lab.Lab
	tab *browsertest.Tab
}

// openPage starts a lab and opens its page, waiting for corslab.ready.
func openPage(t *testing.T, policy string) *page {
	t.Helper()
	return openLabPage(t, startLab(t, policy).Lab)
}

// openLabPage opens l's page in a new tab, waiting for corslab.ready.
func openLabPage(t *testing.T, l *lab.Lab) *page {
	t.Helper()
	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l.URLA)); err != nil {
		t.Fatalf("navigate to %s: %v", l.URLA, err)
	}
	p := &page{t: t, lab: l, tab: tab}
	if ok := evalJS[bool](p, `window.corslab.ready.then(() => true)`); !ok {
		t.Fatal("corslab.ready did not resolve to true")
	}
	return p
}

func evalJS[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// pollJS waits until the expression is truthy and returns its value.
func pollJS[T any](p *page, js string) T {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait+time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Poll[T](js, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(wait)))
	if err != nil {
		p.t.Fatalf("waiting for %s: %v", js, err)
	}
	return v
}

// sent is what corslab.send resolves to.
type sent struct {
	ID      string        `json:"id"`
	Outcome trial.Outcome `json:"outcome"`
	Read    *struct {
		Name  string  `json:"name"`
		Value *string `json:"value"`
	} `json:"read"`
}

// send makes one trial through the page's own API: request is a JS expression.
func (p *page) send(request string) sent {
	p.t.Helper()
	return evalJS[sent](p, `window.corslab.send(`+request+`)`)
}

// settled waits until the journal has the trial's outcome: by then every
// exchange the trial caused is recorded (site B records an exchange before
// the browser has its response, and the outcome comes after).
func (p *page) settled(id string) *journal.Trial {
	p.t.Helper()
	return settledTrial(p.t, p.lab, id)
}

// settledTrial is page.settled for a page in any browser: it waits until
// l's journal has the trial's outcome.
func settledTrial(t *testing.T, l *lab.Lab, id string) *journal.Trial {
	t.Helper()
	var tr *journal.Trial
	poll.Check(t, wait, func() error {
		var ok bool
		if tr, ok = l.Journal.Trial(id); !ok || tr.Outcome == nil {
			return fmt.Errorf("trial %s not settled in the journal: %+v", id, tr)
		}
		return nil
	})
	return tr
}

// webDriven is a browser driven over WebDriver — BiDi for Firefox, classic
// for WebKit — in which a script evaluates to a string.
type webDriven interface {
	Evaluate(expr string) (string, error)
}

// sendIn is page.send for site A's page open in a WebDriver-driven browser.
func sendIn(t *testing.T, b webDriven, request string) sent {
	t.Helper()
	out, err := b.Evaluate(`window.corslab.send(` + request + `).then(r => JSON.stringify(r))`)
	if err != nil {
		t.Fatalf("corslab.send(%s): %v", request, err)
	}
	var s sent
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("corslab.send(%s) = %s: %v", request, out, err)
	}
	return s
}

// entryText waits until the live-log entry of trial id contains want, and returns its text.
func (p *page) entryText(id, want string) string {
	p.t.Helper()
	return pollJS[string](p, fmt.Sprintf(`(() => {
		const e = document.querySelector('#log [data-trial=%q]');
		return e && e.textContent.includes(%q) ? e.textContent : "";
	})()`, id, want))
}

func (p *page) putPolicy(doc string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPut, p.lab.URLA+"/lab/policy", strings.NewReader(doc))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("PUT /lab/policy: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		p.t.Fatalf("PUT /lab/policy: %s: %s", resp.Status, body)
	}
}

func wantFailed(t *testing.T, o trial.Outcome) {
	t.Helper()
	if o.OK || o.Error != "TypeError: Failed to fetch" {
		t.Errorf("outcome = %+v, want ok false with TypeError: Failed to fetch", o)
	}
}

func wantCORSError(t *testing.T, p *page, urlSuffix, want string) {
	t.Helper()
	if f := p.tab.WaitCORSError(t, urlSuffix, wait); f.CorsError != want {
		t.Errorf("Chromium's corsError for %s = %s (%q), want %s", urlSuffix, f.CorsError, f.FailedParameter, want)
	}
}

// wantVerdict checks that the browser model's verdict on the trial names
// the error Chromium reported ("" for allowed) and agrees with what
// JavaScript got.
func wantVerdict(t *testing.T, p *page, id, corsError string) {
	t.Helper()
	tr := p.settled(id)
	if tr.Verdict == nil {
		t.Fatalf("trial %s settled without a verdict", id)
	}
	if tr.Verdict.Error != corsError || tr.Mismatch != "" {
		t.Errorf("verdict error %q (mismatch %q), want %q as Chromium said, and no mismatch", tr.Verdict.Error, tr.Mismatch, corsError)
	}
}

// kinds describes exchanges as "OPTIONS(preflight) 204, PUT 200".
func kinds(xs []journal.Exchange) string {
	var parts []string
	for _, x := range xs {
		s := x.Method
		if x.Preflight {
			s += "(preflight)"
		}
		parts = append(parts, fmt.Sprintf("%s %d", s, x.Status))
	}
	return strings.Join(parts, ", ")
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// Policies used below. {origin} echoes the request's Origin.
const (
	allowPUT = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}",
		"Access-Control-Allow-Methods": "PUT", "Access-Control-Allow-Headers": "content-type",
		"Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`
	wildcard = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`
)

// 1. A simple GET with no CORS headers: site B answers 200, JS gets a TypeError.
func TestSimpleGETBlockedButAnswered(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	res := p.send(`corslab.presets.simpleGet()`)
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/items", "MissingAllowOriginHeader")
	wantVerdict(t, p, res.ID, "MissingAllowOriginHeader")

	tr := p.settled(res.ID)
	if len(tr.Exchanges) != 1 {
		t.Fatalf("exchanges = %s, want one GET", kinds(tr.Exchanges))
	}
	x := tr.Exchanges[0]
	if x.Method != "GET" || x.Preflight || x.Status != 200 || x.Origin != p.lab.URLA || x.Trial != res.ID {
		t.Errorf("site B saw %+v, want GET 200 from %s in trial %s", x, p.lab.URLA, res.ID)
	}
	if v := x.ResponseHeader.Get("Access-Control-Allow-Origin"); v != "" {
		t.Errorf("Access-Control-Allow-Origin = %q, want none", v)
	}
	p.entryText(res.ID, "Site B ran GET and answered 200, but the browser hid the answer from JavaScript")
}

// 2. A simple POST is blocked, yet site B created the item.
func TestSimplePOSTBlockedYetCreated(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	res := p.send(`corslab.presets.simplePost({name: "blocked but created"})`)
	defer wantVerdict(t, p, res.ID, "MissingAllowOriginHeader")
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/items", "MissingAllowOriginHeader")

	tr := p.settled(res.ID)
	if len(tr.Exchanges) != 1 || tr.Exchanges[0].Preflight {
		t.Fatalf("exchanges = %s, want one POST and no preflight", kinds(tr.Exchanges))
	}
	x := tr.Exchanges[0]
	if x.Method != "POST" || x.Status != http.StatusCreated || !strings.HasPrefix(x.Effect.String(), "created item ") || !strings.Contains(x.Effect.String(), `"blocked but created"`) {
		t.Errorf("site B saw %s %d with effect %q, want POST 201 created item … \"blocked but created\"", x.Method, x.Status, x.Effect.String())
	}
	var items []siteB.Item
	getJSON(t, p.lab.URLB+"/api/items", &items)
	found := false
	for _, it := range items {
		found = found || it.Name == "blocked but created"
	}
	if !found {
		t.Errorf("site B's list %+v lacks the item the blocked POST created", items)
	}
	p.entryText(res.ID, "Site B ran POST (created item")
}

// 3. A PUT is refused at the preflight and never reaches site B. This one is
// driven by the real button, and read back from the page.
func TestPUTStoppedAtPreflight(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`button[data-preset="put"]`))); err != nil {
		t.Fatalf("clicking the PUT button: %v", err)
	}
	wantCORSError(t, p, "/api/items/1", "PreflightMissingAllowOriginHeader")
	id := pollJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)

	tr := p.settled(id)
	if len(tr.Exchanges) != 1 {
		t.Fatalf("exchanges = %s, want only the OPTIONS preflight", kinds(tr.Exchanges))
	}
	x := tr.Exchanges[0]
	if !x.Preflight || x.Method != "OPTIONS" || x.RequestHeader.Get("Access-Control-Request-Method") != "PUT" ||
		x.RequestHeader.Get("Access-Control-Request-Headers") != "content-type" {
		t.Errorf("site B saw %s %s with request headers %v, want the preflight for PUT with content-type", x.Method, x.Path, x.RequestHeader)
	}
	for _, e := range p.lab.Journal.Hub().Recent(lab.HistorySize) {
		if e.Kind == journal.KindExchange && e.Exchange.Method == "PUT" {
			t.Errorf("site B saw a PUT: %+v", e.Exchange)
		}
	}
	var item siteB.Item
	getJSON(t, p.lab.URLB+"/api/items/1", &item)
	if item.Name != "apple" {
		t.Errorf("item 1 = %+v, want it unchanged (apple)", item)
	}
	wantFailed(t, *tr.Outcome)

	p.entryText(id, "PUT never reached site B: blocked at the preflight")
	got := pollJS[string](p, `(() => { const t = document.querySelector("#result").textContent;
		return t.includes("TypeError: Failed to fetch") ? t : ""; })()`)
	if !strings.Contains(got, "fetch() rejected") {
		t.Errorf("What JavaScript got = %q, want it to say fetch() rejected", got)
	}
}

// 4. Changing the policy live makes the same PUT succeed, without a restart:
// through the control API, and through site B's ReplacePolicy.
func TestPolicyChangeLetsPUTThrough(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	res := p.send(`corslab.presets.put()`)
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/items/1", "PreflightMissingAllowOriginHeader")
	wantVerdict(t, p, res.ID, "PreflightMissingAllowOriginHeader")

	p.putPolicy(allowPUT)
	pollJS[bool](p, `document.querySelector("#policy-summary").textContent.includes("Allow-Methods: PUT")`)
	wantAllowedPUT(t, p, `corslab.presets.put({name: "via the control API"})`, "via the control API")

	doc := strings.Replace(allowPUT, `"{origin}"`, fmt.Sprintf("%q", p.lab.URLA), 2)
	doc = strings.Replace(doc, `"PUT"`, `"GET, PUT, DELETE"`, 1)
	if err := p.lab.SiteB.ReplacePolicy([]byte(doc), "test"); err != nil {
		t.Fatalf("ReplacePolicy: %v", err)
	}
	pollJS[bool](p, `document.querySelector("#policy-summary").textContent.includes("GET, PUT, DELETE")`)
	wantAllowedPUT(t, p, `corslab.presets.put({name: "via ReplacePolicy"})`, "via ReplacePolicy")
}

func wantAllowedPUT(t *testing.T, p *page, request, name string) {
	t.Helper()
	res := p.send(request)
	if !res.Outcome.OK || res.Outcome.Status != 200 || res.Outcome.Type != "cors" || !strings.Contains(res.Outcome.Body, name) {
		t.Fatalf("outcome = %+v, want ok, cors, 200 with the renamed item", res.Outcome)
	}
	wantVerdict(t, p, res.ID, "")
	tr := p.settled(res.ID)
	if got := kinds(tr.Exchanges); got != "OPTIONS(preflight) 204, PUT 200" {
		t.Errorf("site B saw %s, want OPTIONS(preflight) 204, PUT 200", got)
	}
	if n := len(tr.Exchanges); n > 0 && !strings.Contains(tr.Exchanges[n-1].Effect.String(), name) {
		t.Errorf("effect = %q, want the item renamed to %q", tr.Exchanges[n-1].Effect.String(), name)
	}
}

// 5. Access-Control-Allow-Origin: * does not do for a credentialed request.
func TestWildcardWithCredentials(t *testing.T) {
	t.Parallel()
	p := openPage(t, wildcard)
	res := p.send(`corslab.presets.login()`)
	wantFailed(t, res.Outcome)
	wantCORSError(t, p, "/api/login", "WildcardOriginNotAllowed")
	wantVerdict(t, p, res.ID, "WildcardOriginNotAllowed")
	tr := p.settled(res.ID)
	if got := kinds(tr.Exchanges); got != "POST 200" || !strings.Contains(tr.Exchanges[0].Effect.String(), "logged in") {
		t.Errorf("site B saw %s, want POST 200 that logged in", got)
	}
	// Without credentials the same wildcard is enough.
	if ok := p.send(`corslab.presets.simpleGet()`); !ok.Outcome.OK || ok.Outcome.Status != 200 {
		t.Errorf("simple GET under a wildcard: outcome %+v, want ok 200", ok.Outcome)
	}
}

// The exchanges of concurrent trials carry their own trial's id, the
// preflight and the actual request alike, and are grouped on the page.
func TestTrialCorrelation(t *testing.T) {
	t.Parallel()
	p := openPage(t, allowPUT)
	var all []sent
	raw := evalJS[[]sent](p, `Promise.all([1, 2, 3].map((id) => corslab.send(corslab.presets.put({id, name: "n" + id}))))`)
	all = append(all, raw...)
	if len(all) != 3 {
		t.Fatalf("got %d results, want 3", len(all))
	}
	for i, res := range all {
		if !res.Outcome.OK {
			t.Errorf("trial %d: outcome %+v, want ok", i+1, res.Outcome)
		}
		tr := p.settled(res.ID)
		if got := kinds(tr.Exchanges); got != "OPTIONS(preflight) 204, PUT 200" {
			t.Errorf("trial %d: site B saw %s, want OPTIONS(preflight) 204, PUT 200", i+1, got)
		}
		for _, x := range tr.Exchanges {
			if x.Trial != res.ID || x.Path != fmt.Sprintf("/api/items/%d", i+1) {
				t.Errorf("trial %s: exchange %s %s has trial %q", res.ID, x.Method, x.Path, x.Trial)
			}
			if ref := x.RequestHeader.Get("Referer"); ref != p.lab.URLA+"/trial/"+res.ID {
				t.Errorf("Referer = %q, want %s/trial/%s", ref, p.lab.URLA, res.ID)
			}
		}
		if tr.Request.Method != "PUT" || tr.Request.Label != "PUT" || tr.Origin != p.lab.URLA {
			t.Errorf("trial request = %+v from %q", tr.Request, tr.Origin)
		}
		text := p.entryText(res.ID, "PUT /api/items/")
		if !strings.Contains(text, "OPTIONS") || !strings.Contains(text, "Access-Control-Request-Method: PUT") {
			t.Errorf("the trial's entry lacks its preflight: %q", text)
		}
	}
	// Every exchange on the log belongs to one of the three trials.
	ids := map[string]bool{all[0].ID: true, all[1].ID: true, all[2].ID: true}
	for _, e := range p.lab.Journal.Hub().Recent(lab.HistorySize) {
		if e.Kind == journal.KindExchange && !ids[e.Exchange.Trial] {
			t.Errorf("exchange %s %s not correlated (trial %q)", e.Exchange.Method, e.Exchange.Path, e.Exchange.Trial)
		}
	}
}

// fetch() itself refuses an invalid header name: that is an outcome too, and
// nothing reaches site B.
func TestFetchRefusesInvalidHeader(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	res := p.send(`{label: "bad header", method: "GET", path: "/api/items", headers: [["Bad Header", "x"]]}`)
	if res.Outcome.OK || !strings.HasPrefix(res.Outcome.Error, "TypeError") || res.Outcome.Error == "TypeError: Failed to fetch" {
		t.Errorf("outcome = %+v, want fetch's own TypeError", res.Outcome)
	}
	tr := p.settled(res.ID)
	if len(tr.Exchanges) != 0 {
		t.Errorf("site B saw %s, want nothing", kinds(tr.Exchanges))
	}
	p.entryText(res.ID, "Refused by fetch() itself, nothing sent")
	if h := tr.Happened; !h.RefusedLocally || h.ReachedSiteB || h.Preflight != trial.PreflightNone || tr.Mismatch != "" || !strings.HasPrefix(tr.Headline, "Refused by fetch() itself") {
		t.Errorf("account: happened %+v, mismatch %q, headline %q; want refused by fetch() itself", h, tr.Mismatch, tr.Headline)
	}
}

// fetch() refuses a GET with a body, and a forbidden method, before sending
// anything: the account says so, and agrees with Chromium's TypeError.
func TestFetchRefusesBeforeSending(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	for _, req := range []string{
		`{label: "GET with a body", method: "GET", path: "/api/items", body: "x=1"}`,
		`{label: "forbidden method", method: "TRACE", path: "/api/items"}`,
	} {
		res := p.send(req)
		tr := p.settled(res.ID)
		if res.Outcome.OK || len(tr.Exchanges) != 0 || !tr.Happened.RefusedLocally || tr.Mismatch != "" || tr.Verdict == nil || tr.Verdict.Error != fetch.ErrTypeError {
			t.Errorf("%s: outcome %+v, exchanges %d, happened %+v, mismatch %q", req, res.Outcome, len(tr.Exchanges), tr.Happened, tr.Mismatch)
		}
		if want := strings.TrimPrefix(res.Outcome.Error, "TypeError: "); !strings.HasSuffix(tr.Headline, want) {
			t.Errorf("%s: headline %q, want Chromium's %q", req, tr.Headline, want)
		}
	}
}

// X-Total is readable only when site B exposes it.
func TestReadExposedHeader(t *testing.T) {
	t.Parallel()
	p := openPage(t, wildcard)
	res := p.send(`corslab.presets.readTotal()`)
	if !res.Outcome.OK || res.Read == nil || res.Read.Value != nil {
		t.Fatalf("without Expose-Headers: outcome %+v, read %+v, want ok and null", res.Outcome, res.Read)
	}
	pollJS[bool](p, `document.querySelector("#result").textContent.includes("not exposed")`)
	p.putPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Total"}}}`)
	res = p.send(`corslab.presets.readTotal()`)
	if res.Read == nil || res.Read.Value == nil || *res.Read.Value != "3" {
		t.Fatalf("with Expose-Headers: read %+v, want \"3\"", res.Read)
	}
	found := false
	for _, h := range res.Outcome.Headers {
		found = found || h == [2]string{"x-total", "3"}
	}
	if !found {
		t.Errorf("outcome headers %v lack x-total: 3", res.Outcome.Headers)
	}
}

// The hand-built form sends what it says; a custom header forces a preflight.
func TestHandBuiltForm(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("f-method"), "GET"),
		chromedp.SetValue(chromedp.ID("f-path"), "/api/items/2"),
		chromedp.SetValue(chromedp.ID("f-headers"), "X-Trace: 1\nAccept: application/json"),
		// body left empty
		chromedp.Click(chromedp.CSS("#custom button[type=submit]")),
	); err != nil {
		t.Fatalf("filling the form: %v", err)
	}
	wantCORSError(t, p, "/api/items/2", "PreflightMissingAllowOriginHeader")
	id := pollJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
	tr := p.settled(id)
	if len(tr.Exchanges) != 1 || tr.Exchanges[0].RequestHeader.Get("Access-Control-Request-Headers") != "x-trace" {
		t.Errorf("site B saw %s (%v), want one preflight asking for x-trace", kinds(tr.Exchanges), tr.Exchanges)
	}
	if tr.Request.Label != "hand-built" || len(tr.Request.Headers) != 2 {
		t.Errorf("trial request = %+v", tr.Request)
	}
}

// renderVerdict renders an account as it is: nothing without one; with
// one, the verdict (backticks as <code>, never HTML), the whole fix, every
// note, the mismatch and the diagram of its trace — an OPTIONS arrow only
// where the trace has one.
func TestRenderVerdict(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	hidden := evalJS[bool](p, `renderVerdict({}), document.querySelector("#verdict").hidden`)
	if !hidden {
		t.Error("#verdict is shown for a trial without a verdict")
	}
	const account = `{
		happened: {preflight: "sent", reachedSiteB: false},
		verdict: {preflight: true, preflightReasons: ["method PUT is not CORS-safelisted"],
			requestHeadersInPreflight: [], actualRequestSent: false, allowed: false,
			responseType: "error", error: "PreflightMissingAllowOriginHeader", failedParameter: "",
			message: "No 'Access-Control-Allow-Origin' header is present on the requested resource.\nSite B <b>did not</b> allow it. Fix: send ` + "`Access-Control-Allow-Origin: x`" + `.",
			readableHeaders: []},
		fix: {preflight: {"Access-Control-Allow-Origin": "x", "Access-Control-Allow-Methods": "PUT"}, actual: {"Access-Control-Allow-Origin": "x"}, actualUnseen: true,
			text: "Answer the preflight with ` + "`Access-Control-Allow-Methods: PUT`" + `, and the PUT with its origin."},
		notes: ["a first note", "a second note"],
		mismatch: "the model says allowed=false, but JavaScript got a Response",
		trace: [{from: "page", to: "browser", what: "fetch(\"http://b/api/items/1\", {method: \"PUT\"})", ok: true},
			{from: "browser", to: "server", what: "OPTIONS /api/items/1 (preflight)", ok: true},
			{from: "server", to: "browser", what: "204 No Content", ok: false, note: "no CORS headers"},
			{from: "browser", to: "page", what: "TypeError: Failed to fetch", ok: false}]}`
	got := evalJS[string](p, `renderVerdict(`+account+`),
		(() => { const v = document.querySelector("#verdict");
			return [v.hidden, v.querySelectorAll("svg .seq-step").length, v.querySelectorAll('svg .seq-step[data-what^="OPTIONS"]').length,
				v.querySelector("b") === null, v.querySelectorAll("code").length > 3, v.textContent].join("|"); })()`)
	for _, want := range []string{"false|4|1|true|true|", "No 'Access-Control-Allow-Origin' header", "Site B <b>did not</b> allow it.",
		"Access-Control-Allow-Methods: PUT", "a first note", "a second note", "The model disagrees with the browser: the model says allowed=false",
		"The whole fix", "site B → browser: 204 No Content — no CORS headers", "OPTIONS /api/items/1 (preflight)"} {
		if !strings.Contains(got, want) {
			t.Errorf("verdict rendered as %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "`") {
		t.Errorf("verdict rendered with a literal backtick: %q", got)
	}
	// A preflight answered from the cache: the trace has no OPTIONS, nor does the drawing.
	cached := evalJS[string](p, `renderVerdict({happened: {preflight: "cached", reachedSiteB: true},
		trace: [{from: "page", to: "browser", what: "fetch()", ok: true},
			{from: "browser", to: "browser", what: "preflight answered from the browser's preflight cache", ok: true},
			{from: "browser", to: "server", what: "PUT /api/items/1", ok: true}]}),
		(() => { const v = document.querySelector("#verdict");
			return [v.querySelectorAll("svg .seq-step").length, v.querySelectorAll('svg [data-what^="OPTIONS"]').length, v.textContent.includes("preflight cache")].join("|"); })()`)
	if cached != "3|0|true" {
		t.Errorf("a cached preflight drawn as %q, want 3 steps, no OPTIONS, the cache named", cached)
	}
}

// When the lab stops, the page says so and reconnects with backoff; a lab
// started again on the same ports is recognised as new and its log shown.
func TestPageReconnectsToRestartedLab(t *testing.T) {
	t.Parallel()
	l1 := startLab(t, "")
	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l1.URLA)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, lab: l1.Lab, tab: tab}
	evalJS[bool](p, `window.corslab.ready.then(() => true)`)
	first := p.send(`corslab.presets.simpleGet()`)
	p.entryText(first.ID, "the browser hid the answer")

	l1.Stop()
	down := pollJS[string](p, `document.querySelector("#conn").dataset.state === "down" && document.querySelector("#conn").textContent`)
	if !strings.Contains(down, "reconnecting in") {
		t.Errorf("connection state while the lab is down: %q", down)
	}

	addrA := strings.TrimPrefix(l1.URLA, "http://")
	addrB := strings.TrimPrefix(l1.URLB, "http://")
	p.lab = labtest.Start(t, lab.Config{SiteA: addrA, SiteB: addrB}).Lab
	pollJS[bool](p, `document.querySelector("#conn").dataset.state === "live"`)
	second := p.send(`corslab.presets.simplePost({name: "after the restart"})`)
	tr := p.settled(second.ID)
	if len(tr.Exchanges) != 1 || !strings.Contains(tr.Exchanges[0].Effect.String(), "after the restart") {
		t.Errorf("after reconnecting, site B saw %s", kinds(tr.Exchanges))
	}
	p.entryText(second.ID, "the browser hid the answer")
	pollJS[bool](p, `document.querySelector("#log").textContent.includes("the lab restarted")`)
	if gone := evalJS[bool](p, fmt.Sprintf(`document.querySelector('#log [data-trial=%q]') === null`, first.ID)); !gone {
		t.Error("the old lab's trial is still on the log after the restart")
	}
}
