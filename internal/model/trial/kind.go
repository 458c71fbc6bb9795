package trial

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
)

// kindCall is the JavaScript (or HTML) that makes a request of another
// kind than fetch(), with the full URL; "" for fetch() and websockets.
func kindCall(r Request) string {
	u := strconv.Quote(r.URL)
	switch r.Kind {
	case "xhr", "xhr-credentials":
		with := ""
		if r.Kind == "xhr-credentials" {
			with = "xhr.withCredentials = true; "
		}
		return fmt.Sprintf("xhr.open(%s, %s); %sxhr.send()", strconv.Quote(r.Method), u, with)
	case "img":
		return "<img src=" + u + "> drawn on a canvas, then getImageData()"
	case "img-anonymous":
		return "<img crossorigin=\"anonymous\" src=" + u + "> drawn on a canvas, then getImageData()"
	case "img-use-credentials":
		return "<img crossorigin=\"use-credentials\" src=" + u + "> drawn on a canvas, then getImageData()"
	case "font":
		return "new FontFace(\"corslab\", \"url(" + r.URL + ")\").load()"
	case "script-module":
		return "<script type=\"module\" src=" + u + ">"
	case "script-classic":
		return "<script src=" + u + ">"
	case "script-classic-anonymous":
		return "<script crossorigin=\"anonymous\" src=" + u + ">"
	case "eventsource":
		return "new EventSource(" + u + ")"
	case "eventsource-credentials":
		return "new EventSource(" + u + ", {withCredentials: true})"
	case "beacon":
		return "navigator.sendBeacon(" + u + ", " + strconv.Quote(r.Body) + ")"
	case "form":
		return "<form method=\"post\" action=" + u + " target=\"hidden-iframe\"> submitted (" + r.Body + ")"
	case "iframe":
		return "<iframe src=" + u + ">, then iframe.contentWindow.document"
	}
	return ""
}

// kindNote says what a kind is: its mode, credentials mode and destination.
func kindNote(k fetch.Kind) string {
	dest := k.Destination
	if dest == "" {
		dest = `"" (Sec-Fetch-Dest: empty)`
	}
	s := fmt.Sprintf("Not a fetch(): the platform fixes this request's mode %s, credentials mode %s and destination %s (%s).", k.Mode, k.Credentials, dest, k.Spec)
	switch k.Mode {
	case "no-cors":
		s += " Mode no-cors: no CORS check; the response is opaque to JavaScript whatever site B's headers say."
	case "cors":
		s += " Mode cors: the response must pass the CORS check, exactly as a fetch()'s would."
	}
	return s
}

// kindAccount turns a judged request of another kind into that kind's
// account: what loaded, what the page can read, in words.
func kindAccount(a *Account, in Input, k fetch.Kind, status int) {
	v := a.Verdict
	a.Kind = &k
	a.Reads = k.Reads(*v)
	a.Notes = append([]string{kindNote(k)}, a.Notes...)
	says := k.Says(*v)
	if n := len(a.Trace); n > 0 && a.Trace[n-1].To == fetch.ActorPage {
		a.Trace[n-1].Note = says
	}
	switch {
	case v.Allowed:
		a.Headline = fmt.Sprintf("%s: site B answered %d; %s", upperFirst(kindLabel(k)), status, says)
	case a.Happened.ReachedSiteB:
		a.Headline = fmt.Sprintf("%s: site B answered %d, but %s (%s)", upperFirst(kindLabel(k)), status, says, v.Error)
	default:
		a.Headline = fmt.Sprintf("%s never reached site B: %s (%s)", upperFirst(kindLabel(k)), says, v.Error)
	}
	if a.Mismatch == "" {
		a.Mismatch = readMismatch(a.Reads, k, in.Outcome)
	}
}

// kindLabel names a kind in a headline.
func kindLabel(k fetch.Kind) string {
	switch k.Name {
	case "xhr":
		return "XMLHttpRequest"
	case "xhr-credentials":
		return "XMLHttpRequest (withCredentials)"
	case "img":
		return "<img> without crossorigin"
	case "img-anonymous":
		return `<img crossorigin="anonymous">`
	case "img-use-credentials":
		return `<img crossorigin="use-credentials">`
	case "font":
		return "a web font (FontFace)"
	case "script-module":
		return "module script"
	case "script-classic":
		return "classic <script>"
	case "script-classic-anonymous":
		return `classic <script crossorigin="anonymous">`
	case "eventsource":
		return "EventSource"
	case "eventsource-credentials":
		return "EventSource (withCredentials)"
	case "beacon":
		return "a beacon (navigator.sendBeacon)"
	case "form":
		return "form POST"
	}
	return k.Name
}

// readMismatch compares what the model says the page can read with what
// the page's follow-up read found (Outcome.Read).
func readMismatch(reads string, k fetch.Kind, o *Outcome) string {
	if o == nil || !o.OK {
		return ""
	}
	security := strings.HasPrefix(o.Read, "SecurityError")
	muted := o.Read == "Script error."
	switch {
	case reads == fetch.ReadsTainted && !security:
		return fmt.Sprintf("the model says the canvas is tainted, but reading it gave %q", o.Read)
	case k.Destination == "image" && reads == fetch.ReadsResponse && security:
		return "the model says the canvas stays clean, but reading it threw " + o.Read
	case reads == fetch.ReadsMuted && !muted:
		return fmt.Sprintf("the model says the script's errors are muted, but window.onerror got %q", o.Read)
	case k.Destination == "script" && reads == fetch.ReadsOpaque && (muted || o.Read == ""):
		return fmt.Sprintf("the model says this browser does not mute the script's errors, but window.onerror got %q", o.Read)
	case k.Destination == "script" && reads == fetch.ReadsResponse && (muted || o.Read == ""):
		return fmt.Sprintf("the model says the script's errors reach the page in full, but window.onerror got %q", o.Read)
	}
	return ""
}

// navigation fills in the account of a request CORS does not govern: a
// form submission or an iframe, both navigations (Fetch §2.2.5 mode
// "navigate"; HTML §7.4 navigating). The browser sends it with site B's
// cookies, runs no CORS check, and the page gets no response object at all:
// the answer is a document in a frame of site B's origin, which the page
// cannot read (HTML §7.2.3.1: SecurityError).
func navigation(a *Account, in Input, k fetch.Kind) {
	a.Kind = &k
	a.Notes = []string{kindNote(k), "A navigation is not a CORS request: no preflight, no Access-Control-* check, whatever the method or body. " +
		"That is why a form on any site can POST to site B with its cookies — cross-site request forgery. The defences are on site B: " +
		"SameSite=Lax or Strict session cookies (which a cross-site POST does not carry) and a CSRF token the attacker's page cannot read."}
	var hop *Seen
	for i := range in.Exchanges {
		if !in.Exchanges[i].Preflight {
			hop = &in.Exchanges[i]
			break
		}
	}
	add := func(from, to, what string, ok bool, note string) {
		a.Trace = append(a.Trace, fetch.Step{From: from, To: to, What: what, OK: ok, Note: note})
	}
	add(fetch.ActorPage, fetch.ActorBrowser, a.Call, true, "a navigation, not a fetch(): no CORS")
	if hop == nil && in.Outcome == nil {
		a.Headline = "waiting for the page to report what loaded"
		return
	}
	path := "/"
	if u, err := url.Parse(in.Request.URL); err == nil {
		path = u.RequestURI()
	}
	add(fetch.ActorBrowser, fetch.ActorServer, sentMethod(in.Request.Method)+" "+path, true, "site B's cookies go along; no preflight, whatever the method or Content-Type")
	if hop == nil {
		add(fetch.ActorServer, fetch.ActorBrowser, "no answer", false, "the navigation never reached site B")
	} else {
		add(fetch.ActorServer, fetch.ActorBrowser, fmt.Sprintf("%d %s", hop.Status, http.StatusText(hop.Status)), true, "no CORS check: the answer loads as a document of site B's origin")
	}
	if in.Outcome == nil {
		a.Headline = "waiting for the page to report what loaded"
		return
	}
	a.Reads = fetch.ReadsNothing
	if !in.Outcome.OK {
		a.Reads = fetch.ReadsFailed
	}
	read := "reading its document threw " + orNone(in.Outcome.Read)
	add(fetch.ActorBrowser, fetch.ActorPage, "load event of the iframe", in.Outcome.OK, read)
	switch {
	case hop == nil:
		a.Headline = fmt.Sprintf("%s never reached site B: %s", upperFirst(kindLabel(k)), orNone(in.Outcome.Error))
	case k.Name == "form":
		did := ""
		if hop.Effect != nil {
			did = " (" + hop.Effect.String() + ")"
		}
		a.Headline = fmt.Sprintf("Form POST: site B ran it%s and answered %d, cookies included — no CORS applies to a form; the page cannot read the answer", did, hop.Status)
	default:
		a.Headline = fmt.Sprintf("iframe: site B's page loaded (%d) — no CORS applies to a navigation; reading its document threw %s", hop.Status, orNone(in.Outcome.Read))
	}
	if in.Outcome.OK && !strings.HasPrefix(in.Outcome.Read, "SecurityError") {
		a.Mismatch = fmt.Sprintf("the model says the page cannot read site B's document, but reading it gave %q", in.Outcome.Read)
	}
}
