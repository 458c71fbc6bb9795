package journal

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
)

// judge sets t's verdict from what site B actually received and answered,
// and compares it with what JavaScript got. It runs when the fetch settles
// (off the request path: the page reports the outcome over the websocket).
func (t *Trial) judge() {
	t.Verdict, t.Trace, t.Notes, t.Mismatch = nil, nil, nil, ""
	if !t.announced || t.Origin == "" {
		return // no page origin: not a fetch() the model can judge
	}
	if t.Request.Mode == ModeWebSocket {
		t.Notes = []string{websocketNote}
		return // not a fetch(): CORS does not apply, and the model has nothing to say
	}
	x := fetch.Exchange{Request: fetch.Request{
		Origin:      t.Origin,
		URL:         t.Request.URL,
		Method:      t.Request.Method,
		Headers:     t.Request.Headers,
		Credentials: t.Request.Credentials,
		Mode:        t.Request.Mode,
	}}
	// Walk the hops: a preflight, then the actual request; when the model
	// says the browser follows a redirect and site B saw the next hop, judge
	// that one too — JavaScript gets the final response.
	var v fetch.Verdict
	judged := false
	for i := range t.Exchanges {
		e := &t.Exchanges[i]
		r := &fetch.Response{Status: e.Status, Header: e.ResponseHeader}
		if e.Preflight {
			if x.Actual == nil {
				x.Preflight = r
			}
			continue
		}
		if x.Actual != nil { // the next hop of a followed redirect
			if !v.Allowed || !isRedirect(x.Actual) {
				break
			}
			t.Notes = append(t.Notes, v.Notes...)
			x.Request.URL = hopURL(x.Request.URL, e.Path)
		}
		x.Actual = r
		t.cachedPreflight(&x)
		v, judged = fetch.Judge(x), true
	}
	if !judged {
		v = fetch.Judge(x)
	}
	t.Verdict, t.Trace = &v, fetch.Trace(x)
	t.Notes = append(t.Notes, v.Notes...)
	if t.Outcome != nil {
		t.Mismatch = mismatch(&v, t.Outcome, x.Actual)
	}
}

// ModeWebSocket is the mode of a trial that is a new WebSocket(), not a fetch().
const ModeWebSocket = "websocket"

const websocketNote = "A websocket, not a fetch(): CORS does not apply, so there is no verdict. " +
	"The browser sent the page's Origin with the handshake, but enforces nothing; only the server's own Origin check can refuse it."

// cachedPreflight fills in x's preflight when the request needed one but
// none reached site B: Fetch §4.8 CORS-preflight cache, the browser reused
// an earlier answer.
func (t *Trial) cachedPreflight(x *fetch.Exchange) {
	if x.Preflight != nil {
		return
	}
	if reasons, headers := fetch.NeedsPreflight(x.Request); len(reasons) > 0 {
		x.Preflight = cachedPreflight(x.Request, headers)
		t.Notes = append(t.Notes, "No preflight reached site B: Chromium answered it from its preflight cache (an earlier OPTIONS with Access-Control-Max-Age). The verdict assumes the cached answer allowed this request, as it must have for the request to be sent.")
	}
}

func isRedirect(r *fetch.Response) bool {
	return r.Status >= 300 && r.Status < 400 && r.Header.Get("Location") != ""
}

// hopURL is the URL of a later hop on the same site: base's origin, path.
func hopURL(base, path string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	next, err := u.Parse(path)
	if err != nil {
		return base
	}
	return next.String()
}

// cachedPreflight stands for the answer a preflight-cache entry holds.
func cachedPreflight(r fetch.Request, headers []string) *fetch.Response {
	h := http.Header{"Access-Control-Allow-Origin": {r.Origin}, "Access-Control-Allow-Methods": {strings.ToUpper(r.Method)}}
	if len(headers) > 0 {
		h.Set("Access-Control-Allow-Headers", strings.Join(headers, ", "))
	}
	if r.Credentials == "include" {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	return &fetch.Response{Status: http.StatusNoContent, Header: h}
}

// mismatch compares the model's verdict with what JavaScript got.
func mismatch(v *fetch.Verdict, o *Outcome, actual *fetch.Response) string {
	if v.Allowed != o.OK {
		got := "a Response"
		if !o.OK {
			got = o.Error
		}
		return fmt.Sprintf("the model says allowed=%t (%s), but JavaScript got %s", v.Allowed, orNone(v.Error), got)
	}
	if !o.OK {
		return ""
	}
	if o.Type != "" && o.Type != v.ResponseType && !(o.Type == "basic" && v.ResponseType == fetch.ResponseCORS) {
		return fmt.Sprintf("the model says response type %q, but JavaScript got %q", v.ResponseType, o.Type)
	}
	if v.ResponseType != fetch.ResponseCORS || actual == nil {
		return ""
	}
	// Compare the names JS read with the model's, among the headers site B
	// recorded: net/http adds Date and Content-Length after the recording.
	var read []string
	for _, h := range o.Headers {
		name := strings.ToLower(h[0])
		if _, ok := actual.Header[http.CanonicalHeaderKey(name)]; ok && !slices.Contains(read, name) {
			read = append(read, name)
		}
	}
	slices.Sort(read)
	if !slices.Equal(read, v.ReadableHeaders) {
		return fmt.Sprintf("the model says JavaScript can read %v, but it read %v", v.ReadableHeaders, read)
	}
	return ""
}

func orNone(s string) string {
	if s == "" {
		return "no error"
	}
	return s
}
