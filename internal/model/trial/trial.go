// Package trial is the vocabulary of one trial — one request the lab's page
// makes: the request itself (Request, the one type for "a fetch() the page
// makes", in lessons, scenarios, the journal and the live log), what
// JavaScript got (Outcome), what site B's endpoint did (Effect), and the
// account of what happened (Account, built by Build from the exchanges site
// B saw and the page's outcome). The page and the TUI render an Account;
// neither re-derives it.
//
// Like the browser model it builds on, the package is pure: no I/O, no
// state, no server, screen or transport.
package trial

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
)

// ModeWebSocket is the mode of a trial that is a new WebSocket(), not a fetch().
const ModeWebSocket = "websocket"

// Request is a request the page makes: a fetch() call (or, with Mode
// "websocket", a new WebSocket()). Its JSON form is what the page sends in
// its announce message and what lessons and scenarios give the page
// (window.corslab.send).
type Request struct {
	// Label names the preset or lesson button that made it ("simple GET"), if any.
	Label  string `json:"label,omitempty"`
	Method string `json:"method"`
	// URL is the URL fetch() is called with. In a trial it is absolute (the
	// page resolves it; a websocket's is ws: or wss:). In a lesson or a
	// scenario it may be a path, on site B — or on site A when Site is "A"
	// (Resolve).
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers,omitempty"`
	Body    string      `json:"body,omitempty"`
	// Credentials is omit, same-origin (the default) or include.
	Credentials string `json:"credentials,omitempty"`
	// Mode is cors (the default), no-cors, same-origin, or websocket.
	Mode string `json:"mode,omitempty"`
	// ReadHeader asks the page to report response.headers.get(ReadHeader).
	ReadHeader string `json:"readHeader,omitempty"`
	// Site "A" sends the request to site A itself: a same-origin request.
	Site string `json:"site,omitempty"`
	// Sandbox sends it from a sandboxed iframe, whose origin is "null".
	Sandbox bool `json:"sandbox,omitempty"`
	// Kind is how the page makes it, when not with fetch(): xhr, img,
	// img-anonymous, font, script-module, script-classic, eventsource,
	// beacon, form, iframe… (fetch.LookupKind). The kind fixes the mode
	// and the credentials mode; Mode and Credentials then only echo them.
	Kind string `json:"kind,omitempty"`
}

var hasScheme = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// Resolve returns r with its URL made absolute as the page does it: a path
// goes to siteB (an origin, "http://localhost:7071"), or to siteA when
// Site is "A"; a websocket's http: becomes ws:. Defaults are filled in.
func (r Request) Resolve(siteA, siteB string) Request {
	if r.Method == "" {
		r.Method = "GET"
	}
	if r.URL == "" {
		r.URL = "/api/items"
	}
	if !hasScheme.MatchString(r.URL) {
		base := siteB
		if r.Site == "A" {
			base = siteA
		}
		if !strings.HasPrefix(r.URL, "/") {
			base += "/"
		}
		r.URL = base + r.URL
	}
	if r.Mode == ModeWebSocket {
		if rest, ok := strings.CutPrefix(r.URL, "http"); ok {
			r.URL = "ws" + rest
		}
	}
	return r
}

// Fetch is the request as the browser model takes it, from a page of
// origin (Fetch "Request class": the page's origin is the request's).
//
// A request of another kind (an <img>, a <script>…) has the mode and the
// credentials mode its kind fixes, whatever the request says.
func (r Request) Fetch(origin string) fetch.Request {
	if k, ok := fetch.LookupKind(r.Kind); ok && r.Kind != "" && r.Kind != "fetch" {
		r.Mode, r.Credentials = k.Mode, k.Credentials
	}
	return fetch.Request{
		Origin:      origin,
		URL:         r.URL,
		Method:      r.Method,
		Headers:     r.Headers,
		Credentials: r.Credentials,
		Mode:        r.Mode,
		Body:        r.Body,
	}
}

// maxCallBody is how much of a body Call quotes.
const maxCallBody = 80

// Call is the request as the JavaScript that makes it, with the full URL:
// fetch("http://localhost:7071/api/items/1", {method: "PUT", headers: {…}})
// or new WebSocket("ws://localhost:7071/api/ws").
func (r Request) Call() string {
	if r.Mode == ModeWebSocket {
		return "new WebSocket(" + strconv.Quote(r.URL) + ")"
	}
	if c := kindCall(r); c != "" {
		return c
	}
	opts := []string{"method: " + strconv.Quote(r.Method)}
	if len(r.Headers) > 0 {
		hs := make([]string, len(r.Headers))
		for i, h := range r.Headers {
			hs[i] = strconv.Quote(h[0]) + ": " + strconv.Quote(h[1])
		}
		opts = append(opts, "headers: {"+strings.Join(hs, ", ")+"}")
	}
	if r.Body != "" {
		b := r.Body
		if len(b) > maxCallBody {
			b = b[:maxCallBody] + "…"
		}
		opts = append(opts, "body: "+strconv.Quote(b))
	}
	if r.Credentials != "" && r.Credentials != "same-origin" {
		opts = append(opts, "credentials: "+strconv.Quote(r.Credentials))
	}
	if r.Mode != "" && r.Mode != "cors" {
		opts = append(opts, "mode: "+strconv.Quote(r.Mode))
	}
	return fmt.Sprintf("fetch(%s, {%s})", strconv.Quote(r.URL), strings.Join(opts, ", "))
}

// Outcome is what JavaScript saw when the fetch() settled (for a
// websocket: when it closed).
type Outcome struct {
	// OK is true when fetch() resolved with a Response, false when it rejected.
	OK bool `json:"ok"`
	// Type is response.type: "cors", "opaque", "basic" ("websocket" for a websocket).
	Type   string `json:"type,omitempty"`
	Status int    `json:"status"`
	// Headers are the response headers JavaScript could read, lowercase names.
	Headers [][2]string `json:"headers,omitempty"`
	// Body is the start of the response body, if it was readable.
	Body string `json:"body,omitempty"`
	// Error is the rejection, e.g. "TypeError: Failed to fetch".
	Error string `json:"error,omitempty"`
	// Read is what the page's follow-up read found, for a request of
	// another kind: "pixels" or the SecurityError of getImageData on a
	// canvas the image was drawn on; the message window.onerror got from
	// a script ("Script error." when muted); the SecurityError of reading
	// an iframe's document.
	Read string `json:"read,omitempty"`
}
