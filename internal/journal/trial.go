package journal

import "github.com/corslab/corslab/internal/model/fetch"

// Trial is one fetch() made from site A's page: the request as the page
// built it, the exchanges site B saw for it, and what JavaScript got.
//
// The page names each trial with an ID that travels to site B in the
// Referer header (fetch's referrer option, policy "unsafe-url"): that
// changes neither the URL nor the request headers, so it changes nothing
// about CORS, and the preflight and the actual request both carry it.
type Trial struct {
	ID      string       `json:"id"`
	Origin  string       `json:"origin,omitempty"`
	Request TrialRequest `json:"request"`
	// Exchanges are what site B saw for this trial, in order.
	Exchanges []Exchange `json:"exchanges"`
	// Outcome is what JavaScript got; nil until the fetch settles.
	Outcome *Outcome `json:"outcome,omitempty"`
	// Verdict is what the browser model says Chromium does with the
	// exchanges site B recorded; set once the fetch settles.
	Verdict *fetch.Verdict `json:"verdict,omitempty"`
	// Trace is the verdict as a sequence diagram: page, browser, site B.
	Trace []fetch.Step `json:"trace,omitempty"`
	// Notes qualify the verdict: a preflight answered from the browser's
	// cache, where Chromium departs from the standard.
	Notes []string `json:"notes,omitempty"`
	// Mismatch says how the verdict disagrees with what JavaScript really
	// got; empty when they agree. A mismatch is a bug in the model.
	Mismatch string `json:"mismatch,omitempty"`

	announced bool
	bytes     int // its size as the journal counts it (Journal.resize)
}

// TrialRequest is a fetch() as the page makes it.
type TrialRequest struct {
	// Label names the preset that made it ("simple GET"), if any.
	Label       string      `json:"label,omitempty"`
	Method      string      `json:"method"`
	URL         string      `json:"url"`
	Headers     [][2]string `json:"headers,omitempty"`
	Body        string      `json:"body,omitempty"`
	Credentials string      `json:"credentials,omitempty"`
	Mode        string      `json:"mode,omitempty"`
}

// Outcome is what JavaScript saw when the fetch() settled.
type Outcome struct {
	// OK is true when fetch() resolved with a Response, false when it rejected.
	OK bool `json:"ok"`
	// Type is response.type: "cors", "opaque", "basic".
	Type   string `json:"type,omitempty"`
	Status int    `json:"status"`
	// Headers are the response headers JavaScript could read, lowercase names.
	Headers [][2]string `json:"headers,omitempty"`
	// Body is the start of the response body, if it was readable.
	Body string `json:"body,omitempty"`
	// Error is the rejection, e.g. "TypeError: Failed to fetch".
	Error string `json:"error,omitempty"`
}

// snapshot returns a copy that later changes to t do not touch.
func (t *Trial) snapshot() *Trial {
	c := *t
	c.bytes = 0 // the journal's own count
	c.Exchanges = append([]Exchange(nil), t.Exchanges...)
	if t.Outcome != nil {
		o := *t.Outcome
		c.Outcome = &o
	}
	return &c
}
