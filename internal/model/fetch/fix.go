package fetch

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Fix is the whole change to the server's answers that lets one blocked
// request through, all at once: every header the OPTIONS preflight's answer
// and the actual response lack, found by repairing the exchange one CORS
// check at a time (Fetch §4.8 CORS-preflight fetch, then §4.9 CORS check)
// until the browser would allow it — so a learner fixes a PUT in one round,
// not one header per round.
type Fix struct {
	// PreflightStatus is the status the answer to the preflight must have
	// instead of its own (an ok status, §4.8 step 7); 0 when its status is fine.
	PreflightStatus int `json:"preflightStatus,omitempty"`
	// Preflight are the headers the answer to the OPTIONS preflight must
	// carry, with these values (each replaces any value the header had).
	Preflight map[string]string `json:"preflight,omitempty"`
	// Actual are the headers the actual response must carry.
	Actual map[string]string `json:"actual,omitempty"`
	// ActualUnseen is true when the actual request was never sent (the
	// preflight stopped it): Actual then assumes its answer carries no CORS
	// header, and asks for what it needs — already sent ones need no change.
	ActualUnseen bool `json:"actualUnseen,omitempty"`
	// URL is the URL whose answers need these changes when it is not the
	// one the page fetched: a redirect target (Fetch §4.4), where the
	// browser checks CORS again. Empty for the page's own URL.
	URL string `json:"url,omitempty"`
	// Page is a change to the page's fetch() call (or the URL it calls)
	// when no header can fix the request; empty otherwise.
	Page string `json:"page,omitempty"`
	// Text is the fix in words, every header named.
	Text string `json:"text"`
}

// fixHeaderOrder is the order Text names the headers in.
var fixHeaderOrder = []string{
	"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials",
	"Access-Control-Allow-Methods", "Access-Control-Allow-Headers",
}

// maxFixRounds bounds the repairs: each fixes one check, and a request
// fails at most the preflight's origin, credentials, status, methods and
// headers checks and the actual response's origin and credentials checks.
const maxFixRounds = 12

// wholeFix is the Fix for a run that a CORS check blocked; nil when the
// request is allowed or fetch() refused it before any CORS check.
func wholeFix(o *outcome) *Fix {
	if o.fail == nil {
		return nil
	}
	p := o.p
	switch o.fail.name {
	case ErrPreflightDisallowedRedirect:
		return &Fix{
			Page: fmt.Sprintf("fetch the URL the preflight redirects to (%s) directly", o.pre.location),
			Text: fmt.Sprintf("A preflight never follows a redirect: call fetch() with the final URL (%s) — a missing or extra trailing slash, or http to https, is the usual cause — or have the server answer OPTIONS at %s itself, with 204 and the CORS headers.", o.pre.location, p.urlString),
		}
	case ErrRedirectContainsCredentials:
		return &Fix{Text: "Redirect to a URL without a user name or password in it: the browser never follows such a redirect on a cross-origin request."}
	}
	f := &Fix{}
	x := o.x
	x.Preflight, x.Actual = cloneResponse(x.Preflight), cloneResponse(x.Actual)
	x.Redirects = slices.Clone(x.Redirects)
	for i := range x.Redirects {
		x.Redirects[i].Preflight, x.Redirects[i].Actual = cloneResponse(x.Redirects[i].Preflight), cloneResponse(x.Redirects[i].Actual)
	}
	cred := o.page.credentials == credInclude
	// answers are the responses of the request a run ended on: the page's
	// own, or those of a redirect it followed (§4.4), which the browser
	// checks again.
	hop := -1
	answers := func(r *outcome) (pre, act **Response, i int) {
		i = max(0, slices.Index(r.hops, r.cur))
		if i == 0 {
			return &x.Preflight, &x.Actual, 0
		}
		h := &x.Redirects[i-1]
		return &h.Preflight, &h.Actual, i
	}
	var r *outcome
	set := func(stage string, name, value string) {
		pre, act, _ := answers(r)
		resp, m := *act, &f.Actual
		if stage == "preflight" {
			resp, m = *pre, &f.Preflight
		}
		resp.Header.Del(name)
		resp.Header.Set(name, value)
		if *m == nil {
			*m = map[string]string{}
		}
		(*m)[name] = value
	}
	redirectFix := ""
repair:
	for range maxFixRounds {
		r = evaluate(x)
		if r.v.Allowed {
			break
		}
		_, act, i := answers(r)
		if hop >= 0 && i != hop {
			break // a second request of the chain needs changes too: fix one server at a time
		}
		if r.fail == nil {
			// The preflight now passes, but the actual request was never
			// sent: assume its answer has no CORS header, and ask for what
			// it needs.
			if r.fetchErr != nil && r.fetchErr.network && *act == nil && r.v.ActualRequestSent {
				*act = &Response{Status: http.StatusOK, Header: http.Header{}}
				f.ActualUnseen = true
				hop = i
				continue
			}
			break
		}
		hop = i
		p := r.p
		if p.origin == "null" && !cred {
			p.origin = "*" // after a cross-origin redirect the Origin is null: * is the safe answer
		}
		stage := r.failStage
		switch strings.TrimPrefix(r.fail.name, "Preflight") {
		case ErrMissingAllowOriginHeader, ErrAllowOriginMismatch, ErrMultipleAllowOriginValues,
			ErrInvalidAllowOriginValue, ErrWildcardOriginNotAllowed:
			set(stage, "Access-Control-Allow-Origin", p.origin)
			if cred {
				set(stage, "Access-Control-Allow-Credentials", "true")
			}
		case ErrInvalidAllowCredentials:
			set(stage, "Access-Control-Allow-Credentials", "true")
		case "InvalidStatus":
			pre, _, _ := answers(r)
			(*pre).Status = http.StatusNoContent
			f.PreflightStatus = http.StatusNoContent
		case ErrInvalidAllowMethodsPreflightResponse:
			set(stage, "Access-Control-Allow-Methods", p.method)
		case ErrMethodDisallowedByPreflightResponse:
			set(stage, "Access-Control-Allow-Methods", addToList(r.pre.allowMethods, p.method, cred, false))
		case ErrInvalidAllowHeadersPreflightResponse:
			set(stage, "Access-Control-Allow-Headers", strings.Join(r.need.names, ", "))
		case ErrHeaderDisallowedByPreflightResponse:
			list := r.pre.allowHeaders
			for _, name := range r.pre.missing {
				list = addToList(list, name, cred, true)
			}
			set(stage, "Access-Control-Allow-Headers", list)
		case ErrRedirectContainsCredentials:
			redirectFix = "Redirect to a URL without a user name or password in it: the browser never follows such a redirect on a cross-origin request."
			break repair
		default:
			return nil // a check the repair does not know: no fix rather than a wrong one
		}
	}
	if hop < 0 && redirectFix == "" {
		return nil
	}
	method := o.page.method
	if hop > 0 {
		f.URL = r.p.urlString
		method = r.p.method + " to " + r.p.urlString
	}
	f.Text = strings.TrimSpace(f.words(method) + " " + redirectFix)
	if hop > 0 {
		f.Text = "The request is redirected to " + r.p.urlString + ", and the browser checks CORS again there: " + f.Text
	}
	return f
}

// addToList adds item to a comma-separated list value, dropping a * that
// does not count (with credentials it is a literal name, not a wildcard).
func addToList(list, item string, cred, foldCase bool) string {
	var items []string
	scanList(list, func(s string) {
		if s == "*" && cred {
			return
		}
		if s == item || foldCase && strings.EqualFold(s, item) {
			return
		}
		items = append(items, s)
	})
	return strings.Join(append(items, item), ", ")
}

func cloneResponse(r *Response) *Response {
	if r == nil {
		return nil
	}
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &Response{Status: r.Status, Header: h}
}

// words says the fix in one sentence per answer.
func (f *Fix) words(method string) string {
	var parts []string
	if f.PreflightStatus != 0 || len(f.Preflight) > 0 {
		s := "Answer the OPTIONS preflight"
		if f.PreflightStatus != 0 {
			s += fmt.Sprintf(" with status %d", f.PreflightStatus)
			if len(f.Preflight) > 0 {
				s += " and"
			}
		}
		if len(f.Preflight) > 0 {
			s += " with " + headerList(f.Preflight)
		}
		parts = append(parts, s+".")
	}
	if len(f.Actual) > 0 {
		itself := ""
		if len(parts) > 0 {
			itself = " itself"
		}
		s := "Answer the " + method + itself + " with " + headerList(f.Actual) + "."
		if f.ActualUnseen {
			s += " (The " + method + " was never sent, so its answer is unseen: any of these it already sends needs no change.)"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

// headerList names headers as `Name: value`, in fixHeaderOrder.
func headerList(h map[string]string) string {
	names := slices.Sorted(maps.Keys(h))
	slices.SortStableFunc(names, func(a, b string) int {
		return orderOf(a) - orderOf(b)
	})
	items := make([]string, len(names))
	for i, n := range names {
		items[i] = "`" + n + ": " + h[n] + "`"
	}
	switch len(items) {
	case 1:
		return items[0]
	case 2:
		return items[0] + " and " + items[1]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

func orderOf(name string) int {
	if i := slices.Index(fixHeaderOrder, name); i >= 0 {
		return i
	}
	return len(fixHeaderOrder)
}
