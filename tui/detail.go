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
)

// detailLines renders the "Detail" panel's content for the selected entry.
// Lines are not width-limited; the viewport wraps them.
func detailLines(e *entry, st styles) []string {
	if e == nil {
		return []string{st.dim.Render("select a log entry (tab, then ↑↓) to see it here")}
	}
	switch e.kind {
	case entryExchange:
		return exchangeDetail(e, st)
	case entryTrial:
		return trialDetail(e, st)
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
	effect := x.Effect
	if effect == "" {
		effect = "none"
	}
	out = append(out, indent+"Effect: "+effect)
	return out
}

// upstreamLines shows, in proxy mode, what the user's server answered
// before site B's policy overrode it: its status and every header, each
// marked "→ replaced" when the response site B sent has other values for
// it, "→ removed" when it has none. Nothing when site B is no proxy.
func upstreamLines(x *journal.Exchange, st styles, indent string) []string {
	if x.UpstreamStatus == 0 && x.UpstreamError == "" {
		return nil
	}
	out := []string{indent + st.section.Render("Upstream answered (before the policy)")}
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

func trialDetail(e *entry, st styles) []string {
	t := e.t
	title := fmt.Sprintf("fetch() %s %s · trial %s", t.Request.Method, pathOf(t.Request.URL), t.ID)
	if t.Request.Label != "" {
		title += " · " + t.Request.Label
	}
	out := []string{st.title.Render(title), ""}

	out = append(out, st.section.Render("Request (as the page made it)"))
	r := t.Request
	out = append(out, "  "+r.Method+" "+r.URL)
	if t.Origin != "" {
		out = append(out, st.cors.Render("▸ Origin: "+t.Origin)+st.dim.Render("  (added by the browser)"))
	}
	for _, h := range r.Headers {
		out = append(out, "  "+h[0]+": "+h[1])
	}
	var opts []string
	if r.Mode != "" {
		opts = append(opts, "mode "+r.Mode)
	}
	if r.Credentials != "" {
		opts = append(opts, "credentials "+r.Credentials)
	}
	if len(opts) > 0 {
		out = append(out, "  "+strings.Join(opts, " · "))
	}
	if r.Body != "" {
		out = append(out, "  body "+r.Body)
	}

	out = append(out, st.section.Render(fmt.Sprintf("What site B saw (%d)", len(t.Exchanges))))
	if len(t.Exchanges) == 0 {
		out = append(out, st.dim.Render("  nothing yet"))
	}
	for i := range t.Exchanges {
		x := &t.Exchanges[i]
		note := ""
		if x.Preflight {
			note = " (preflight)"
		} else if x.Effect != "" {
			note = " · " + x.Effect
		}
		out = append(out, fmt.Sprintf("  ← %s %s → %s%s", x.Method, x.Path, statusLine(x.Status), note))
		out = append(out, headerLines(x.RequestHeader, st, "    ", corsHeader)...)
		out = append(out, headerLines(x.ResponseHeader, st, "    ", func(n string) bool {
			return corsHeader(n) || http.CanonicalHeaderKey(n) == "Location"
		})...)
		out = append(out, upstreamLines(x, st, "    ")...)
	}
	switch x, ok := actualArrived(t); {
	case ok:
		out = append(out, fmt.Sprintf("The actual %s reached site B: %s", x.Method, statusLine(x.Status)))
	case t.Outcome != nil:
		out = append(out, st.bad.Render(fmt.Sprintf("✗ The actual %s never reached site B.", r.Method)))
	default:
		out = append(out, st.dim.Render("The actual request has not reached site B (yet)."))
	}

	out = append(out, st.section.Render("What JavaScript got"))
	out = append(out, outcomeLines(t.Outcome, st)...)

	if v := verdictSection(t, st); len(v) > 0 {
		out = append(out, st.section.Render("Why"))
		out = append(out, v...)
	}
	out = append(out, st.section.Render("Sequence"))
	out = append(out, sequenceDiagram(t)...)
	return out
}

func outcomeLines(o *journal.Outcome, st styles) []string {
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

// verdictSection says why, in Chromium's words: the browser model's
// verdict on what site B actually answered (journal.Trial.Verdict), any
// disagreement with what JavaScript really got — loudly, since it means the
// model is wrong — and the notes that qualify it.
func verdictSection(t *journal.Trial, st styles) []string {
	v := t.Verdict
	if v == nil {
		return nil
	}
	var out []string
	if t.Mismatch != "" {
		out = append(out, "  "+st.bad.Render("⚠ THE MODEL DISAGREES WITH THE BROWSER: "+t.Mismatch))
	}
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
	paras := []string{"no preflight: a simple request"}
	if v.Preflight {
		paras[0] = "preflight needed: " + strings.Join(v.PreflightReasons, "; ")
	}
	for _, para := range append(paras, strings.Split(v.Message, "\n")...) {
		for _, l := range wrap(para, 72) {
			out = append(out, "  "+l)
		}
	}
	for _, n := range t.Notes {
		for _, l := range wrap("note: "+n, 72) {
			out = append(out, "  "+st.dim.Render(l))
		}
	}
	return out
}

// sequenceDiagram draws the trial as a compact text sequence diagram:
//
//	page    ──▶ browser   fetch PUT /api/items/1
//	browser ──▶ site B    OPTIONS /api/items/1 (preflight)
//	browser ◀── site B    204 · ACAO http://localhost:7070
//	browser ✗             PUT never sent to site B
//	page    ◀── browser   ✗ TypeError: Failed to fetch
//
// It uses only what the journal saw; when the Verdict arrives it can say
// where the browser stopped, and why, on the ✗ line.
func sequenceDiagram(t *journal.Trial) []string {
	step := func(from, arrow, to, what string) string {
		return fmt.Sprintf("  %-7s %s %-8s %s", from, arrow, to, what)
	}
	out := []string{step("page", "──▶", "browser", "fetch "+t.Request.Method+" "+pathOf(t.Request.URL))}
	for i := range t.Exchanges {
		x := &t.Exchanges[i]
		what := x.Method + " " + x.Path
		if x.Preflight {
			what += " (preflight)"
		}
		out = append(out, step("browser", "──▶", "site B", what))
		reply := strconv.Itoa(x.Status)
		if acao := x.ResponseHeader.Values("Access-Control-Allow-Origin"); len(acao) > 0 {
			reply += " · ACAO " + strings.Join(acao, " | ")
		} else {
			reply += " · no ACAO"
		}
		out = append(out, step("browser", "◀──", "site B", reply))
	}
	if neverArrived(t) {
		out = append(out, step("browser", "✗  ", "", t.Request.Method+" never sent to site B"))
	}
	if v := t.Verdict; v != nil && !v.Allowed && v.Error != "" {
		out = append(out, step("browser", "✗  ", "", "stops: "+v.Error))
	}
	switch o := t.Outcome; {
	case o == nil:
		out = append(out, step("page", "◀╌╌", "browser", "(waiting)"))
	case o.OK:
		out = append(out, step("page", "◀──", "browser", "✓ "+strconv.Itoa(o.Status)+" "+o.Type))
	default:
		out = append(out, step("page", "◀──", "browser", "✗ "+o.Error))
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
