package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
)

// detailLines renders the "Detail" panel's content for the selected entry.
// Lines are not width-limited; the viewport wraps them.
//
// b is the browser the trial is explained for; nil means the page's.
func detailLines(e *entry, st styles, b *fetch.Browser) []string {
	if e == nil {
		return []string{st.dim.Render("select a log entry (tab, then ↑↓) to see it here")}
	}
	switch e.kind {
	case entryExchange:
		return exchangeDetail(e, st)
	case entryTrial:
		return trialDetail(e, st, b)
	case entryPolicy:
		return policyDetail(e, st)
	}
	return []string{
		st.bad.Render(fmt.Sprintf("! missed %d events", e.lost)),
		"The console read the journal more slowly than site B served requests,",
		"so the oldest unread events were dropped. Later events are complete.",
	}
}

func exchangeDetail(e *entry, st styles) []string {
	x := e.x
	kind := "actual request"
	if x.Preflight {
		kind = "preflight"
	}
	out := []string{st.title.Render(fmt.Sprintf("← %s %s · %s · %s · %s",
		x.Method, x.Path, kind, e.time.Format("15:04:05.000"), micros(x.Micros)))}
	out = append(out, "")
	out = append(out, exchangeLines(x, st, "")...)
	out = append(out, upstreamLines(x, st, "")...)
	if x.Preflight {
		out = append(out, st.dim.Render("Preflight: site B answered from its policy; no endpoint ran."))
	}
	return out
}

// exchangeLines shows one exchange's request and response, every header,
// CORS headers marked ▸.
func exchangeLines(x *journal.Exchange, st styles, indent string) []string {
	out := []string{indent + st.section.Render("Request")}
	out = append(out, indent+"  "+x.Method+" "+x.Path)
	out = append(out, headerLines(x.RequestHeader, st, indent, nil)...)
	out = append(out, indent+st.section.Render("Response"))
	out = append(out, indent+"  "+statusLine(x.Status))
	out = append(out, headerLines(x.ResponseHeader, st, indent, nil)...)
	if x.Truncated > 0 {
		out = append(out, indent+fmt.Sprintf("(%d header lines or long values left out by the journal)", x.Truncated))
	}
	effect := "none"
	if x.Effect != nil {
		effect = x.Effect.String()
	}
	out = append(out, indent+"Effect: "+effect)
	return out
}

// upstreamLines shows, in proxy mode, what the user's server answered
// before site B's policy overrode it (in replay mode, the recorded answer): its status and every header, each
// marked "→ replaced" when the response site B sent has other values for
// it, "→ removed" when it has none. Nothing when site B is no proxy.
func upstreamLines(x *journal.Exchange, st styles, indent string) []string {
	if x.UpstreamStatus == 0 && x.UpstreamError == "" {
		return nil
	}
	title := "Upstream answered (before the policy)"
	if x.Effect != nil && x.Effect.Kind == trial.Replayed {
		title = "Recorded answer (before the policy)" // corslab -replay
	}
	out := []string{indent + st.section.Render(title)}
	if x.UpstreamError != "" {
		return append(out, indent+"  "+st.bad.Render("✗ "+x.UpstreamError))
	}
	out = append(out, indent+"  "+statusLine(x.UpstreamStatus))
	names := slices.Sorted(maps.Keys(x.UpstreamHeader))
	for _, n := range names {
		mark := ""
		switch got := x.ResponseHeader.Values(n); {
		case len(got) == 0:
			mark = st.dim.Render("  → removed")
		case !slices.Equal(got, x.UpstreamHeader[n]):
			mark = st.dim.Render("  → replaced")
		}
		for _, v := range x.UpstreamHeader[n] {
			if corsHeader(n) {
				out = append(out, indent+st.cors.Render("▸ "+n+": "+v)+mark)
			} else {
				out = append(out, indent+"  "+n+": "+v+mark)
			}
		}
	}
	return out
}

// corsHeader reports whether a header takes part in CORS: the
// Access-Control-* family, Origin, and Vary (for caches).
func corsHeader(name string) bool {
	c := http.CanonicalHeaderKey(name)
	return strings.HasPrefix(c, "Access-Control-") || c == "Origin" || c == "Vary"
}

// headerLines lists headers sorted by name; keep, if set, selects which.
func headerLines(h http.Header, st styles, indent string, keep func(string) bool) []string {
	names := make([]string, 0, len(h))
	for n := range h {
		if keep == nil || keep(n) {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []string
	for _, n := range names {
		for _, v := range h[n] {
			if corsHeader(n) {
				out = append(out, indent+st.cors.Render("▸ "+n+": "+v))
			} else {
				out = append(out, indent+"  "+n+": "+v)
			}
		}
	}
	return out
}

func statusLine(code int) string {
	return strings.TrimSpace(strconv.Itoa(code) + " " + http.StatusText(code))
}

func micros(us int64) string {
	if us < 1000 {
		return fmt.Sprintf("%d µs", us)
	}
	return fmt.Sprintf("%.1f ms", float64(us)/1000)
}

// trialDetail renders the trial's account (trial.Account, built by the
// journal): the headline, the call, what happened, what site B saw, what
// JavaScript got, the verdict and the whole fix, the notes, and the trace as
// a sequence diagram. It derives nothing of its own: for a browser b other
// than the page's, the account is the journal's for b (Trial.AccountFor).
func trialDetail(e *entry, st styles, b *fetch.Browser) []string {
	t := e.t
	a := t.Account
	if b != nil && t.Verdict != nil && b.Name != t.Browser {
		a = t.AccountFor(b)
	}
	title := fmt.Sprintf("fetch() %s %s · trial %s", t.Request.Method, pathOf(t.Request.URL), t.ID)
	if t.Happened.WebSocket {
		title = fmt.Sprintf("new WebSocket() %s · trial %s", pathOf(t.Request.URL), t.ID)
	}
	if t.Request.Label != "" {
		title += " · " + t.Request.Label
	}
	out := []string{st.title.Render(title)}
	if a.Headline != "" {
		h := a.Headline
		switch o := t.Outcome; {
		case o != nil && o.OK:
			h = st.ok.Render(h)
		case o != nil:
			h = st.bad.Render(h)
		}
		out = append(out, h)
	}
	out = append(out, "")
	if a.Mismatch != "" {
		out = append(out, st.bad.Render("⚠ THE MODEL DISAGREES WITH THE BROWSER: "+a.Mismatch), "")
	}

	out = append(out, st.section.Render("Request (as the page made it)"))
	r := t.Request
	call := t.Call
	if call == "" {
		call = r.Method + " " + r.URL
	}
	out = append(out, "  "+call)
	if t.Origin != "" {
		out = append(out, st.cors.Render("▸ Origin: "+t.Origin)+st.dim.Render("  (added by the browser)"))
	}

	if t.Outcome != nil {
		out = append(out, st.section.Render("What happened"))
		out = append(out, happenedLines(t)...)
	}

	out = append(out, st.section.Render(fmt.Sprintf("What site B saw (%d)", len(t.Exchanges))))
	if len(t.Exchanges) == 0 {
		out = append(out, st.dim.Render("  nothing"))
	}
	for i := range t.Exchanges {
		x := &t.Exchanges[i]
		note := ""
		if x.Preflight {
			note = " (preflight)"
		} else if x.Effect != nil {
			note = " · " + x.Effect.String()
		}
		out = append(out, fmt.Sprintf("  ← %s %s → %s%s", x.Method, x.Path, statusLine(x.Status), note))
		out = append(out, headerLines(x.RequestHeader, st, "    ", corsHeader)...)
		out = append(out, headerLines(x.ResponseHeader, st, "    ", func(n string) bool {
			return corsHeader(n) || http.CanonicalHeaderKey(n) == "Location"
		})...)
		out = append(out, upstreamLines(x, st, "    ")...)
	}

	out = append(out, st.section.Render("What JavaScript got"))
	out = append(out, outcomeLines(t.Outcome, st)...)

	if v := verdictSection(&a, st); len(v) > 0 {
		why := "Why"
		if a.Verdict.Browser != "" {
			why += " — in " + a.Verdict.Browser + "'s words"
		}
		out = append(out, st.section.Render(why))
		out = append(out, v...)
	}
	if f := a.Fix; f != nil {
		out = append(out, st.section.Render("The whole fix"))
		out = append(out, fixLines(f, st)...)
	}
	if len(a.Notes) > 0 {
		out = append(out, st.section.Render("Notes"))
		for _, n := range a.Notes {
			for i, l := range wrap(n, 72) {
				prefix := "  - "
				if i > 0 {
					prefix = "    "
				}
				out = append(out, prefix+l)
			}
		}
	}
	if len(a.Trace) > 0 {
		out = append(out, st.section.Render("Sequence"))
		out = append(out, traceLines(a.Trace, st)...)
	}
	return out
}

// happenedLines lists the account's facts (trial.Happened).
func happenedLines(t *journal.Trial) []string {
	h := t.Happened
	yes := func(b bool) string {
		if b {
			return "yes"
		}
		return "no"
	}
	pre := map[trial.Preflight]string{
		trial.PreflightSent:   "sent (an OPTIONS went to site B)",
		trial.PreflightCached: "answered from the browser's preflight cache: no OPTIONS sent",
		trial.PreflightNone:   "none",
	}[h.Preflight]
	out := []string{
		"  same origin: " + yes(h.SameOrigin),
		"  preflight: " + pre,
		"  reached site B: " + yes(h.ReachedSiteB),
	}
	if h.RefusedLocally {
		out = append(out, "  refused by fetch() itself, before sending anything")
	}
	if h.WebSocket {
		out = append(out, "  a websocket, not a fetch(): no CORS")
	}
	return out
}

// fixLines shows the whole fix: the sentence, then each answer's headers.
func fixLines(f *fetch.Fix, st styles) []string {
	var out []string
	for _, l := range wrap(f.Text, 72) {
		out = append(out, "  "+l)
	}
	if f.PreflightStatus != 0 {
		out = append(out, "  preflight answer: status "+strconv.Itoa(f.PreflightStatus))
	}
	for _, part := range []struct {
		where string
		h     map[string]string
	}{{"preflight answer", f.Preflight}, {"actual answer", f.Actual}} {
		for _, n := range slices.Sorted(maps.Keys(part.h)) {
			out = append(out, "  "+part.where+": "+st.cors.Render(n+": "+part.h[n]))
		}
	}
	if f.Page != "" {
		out = append(out, "  in the page: "+f.Page)
	}
	return out
}

func outcomeLines(o *trial.Outcome, st styles) []string {
	if o == nil {
		return []string{st.dim.Render("  … waiting for the page to report")}
	}
	if !o.OK {
		msg := o.Error
		if msg == "" {
			msg = "fetch() rejected"
		}
		return []string{"  " + st.bad.Render("✗ "+msg)}
	}
	line := "  " + st.ok.Render("✓ "+statusLine(o.Status))
	if o.Type != "" {
		line += " · response.type " + o.Type
	}
	out := []string{line}
	if len(o.Headers) == 0 {
		out = append(out, "  JS could read no response headers")
	} else {
		names := make([]string, 0, len(o.Headers))
		for _, h := range o.Headers {
			names = append(names, h[0])
		}
		out = append(out, "  JS could read: "+strings.Join(names, ", "))
	}
	if o.Body != "" {
		out = append(out, "  body "+o.Body)
	}
	return out
}

// verdictSection says why, in the words of the browser the account speaks
// for: the browser model's verdict (trial.Account.Verdict) — allowed or the
// error, why a preflight, that browser's console line and the explanation.
func verdictSection(t *trial.Account, st styles) []string {
	v := t.Verdict
	if v == nil {
		return nil
	}
	var out []string
	switch {
	case v.Allowed:
		out = append(out, "  "+st.ok.Render("✓ allowed")+" · response type "+v.ResponseType)
	default:
		line := "✗ " + v.Error
		if v.FailedParameter != "" {
			line += " (" + v.FailedParameter + ")"
		}
		out = append(out, "  "+st.bad.Render(line))
	}
	var paras []string
	switch {
	case t.Happened.SameOrigin:
		paras = append(paras, "no preflight: same origin, no CORS")
	case v.Preflight && t.Happened.Preflight == trial.PreflightCached:
		paras = append(paras, "preflight needed ("+strings.Join(v.PreflightReasons, "; ")+"), answered from the browser's preflight cache")
	case v.Preflight:
		paras = append(paras, "preflight needed: "+strings.Join(v.PreflightReasons, "; "))
	case !t.Happened.RefusedLocally:
		paras = append(paras, "no preflight: a simple request")
	}
	if v.Message != "" {
		paras = append(paras, strings.Split(v.Message, "\n")...)
	}
	for _, para := range paras {
		for _, l := range wrap(para, 72) {
			out = append(out, "  "+l)
		}
	}
	return out
}

// actorNames are the trace's actors as the diagram names them, left to right.
var actorNames = map[string]string{fetch.ActorPage: "page", fetch.ActorBrowser: "browser", fetch.ActorServer: "site B"}

var actorOrder = map[string]int{fetch.ActorPage: 0, fetch.ActorBrowser: 1, fetch.ActorServer: 2}

// traceLines draws the account's trace (the steps as the journal computed
// them) as a text sequence diagram, the left actor first:
//
//	page    ──▶ browser   fetch("http://localhost:7071/api/items/1", {method: "PUT"})
//	browser ──▶ site B    OPTIONS /api/items/1 (preflight)
//	browser ◀── site B  ✗ 204 No Content
//	page    ◀── browser ✗ TypeError: Failed to fetch
//
// each step's note dim below it.
func traceLines(steps []fetch.Step, st styles) []string {
	var out []string
	for _, s := range steps {
		left, arrow, right := s.From, "──▶", s.To
		switch {
		case s.From == s.To:
			arrow, right = " ⟲ ", ""
		case actorOrder[s.From] > actorOrder[s.To]:
			left, arrow, right = s.To, "◀──", s.From
		}
		mark := "  "
		if !s.OK {
			mark = "✗ "
		}
		line := fmt.Sprintf("  %-7s %s %-8s %s%s", actorNames[left], arrow, actorNames[right], mark, s.What)
		if !s.OK {
			line = st.bad.Render(line)
		}
		out = append(out, line)
		if s.Note != "" {
			for _, l := range wrap(s.Note, 64) {
				out = append(out, st.dim.Render("      "+l))
			}
		}
	}
	return out
}

func policyDetail(e *entry, st styles) []string {
	out := []string{st.title.Render(fmt.Sprintf("Policy changed by %s at %s", e.p.By, e.time.Format("15:04:05"))), ""}
	var buf bytes.Buffer
	if err := json.Indent(&buf, e.p.Document, "", "  "); err != nil {
		buf.Reset()
		buf.Write(e.p.Document)
	}
	out = append(out, strings.Split(strings.TrimRight(buf.String(), "\n"), "\n")...)
	return out
}
