package fetch

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// consoleMessage is the line Chromium prints in the console for a CORS error
// (third_party/blink/renderer/platform/loader/cors/cors_error_string.cc, worded
// as Chromium 156 prints it): "Access to fetch at '<url>' from origin '<origin>'
// has been blocked by CORS policy: ", the preflight prefix for the Preflight…
// errors, then the error's sentence.
func consoleMessage(o *outcome, f *corsFailure) string {
	from := ""
	if o.p.urlString != o.page.urlString {
		from = " (redirected from '" + o.page.urlString + "')"
	}
	s := fmt.Sprintf("Access to fetch at '%s'%s from origin '%s' has been blocked by CORS policy: ", o.p.urlString, from, o.page.origin)
	if strings.HasPrefix(f.name, "Preflight") {
		s += "Response to preflight request doesn't pass access control check: "
	}
	return s + sentence(f.name, f.param)
}

// sentence is Chromium's sentence for an error name and its parameter.
func sentence(name, param string) string {
	const valid = " Have the server send the header with a valid value."
	switch strings.TrimPrefix(name, "Preflight") {
	case ErrMissingAllowOriginHeader:
		return "No 'Access-Control-Allow-Origin' header is present on the requested resource."
	case ErrAllowOriginMismatch:
		return "The 'Access-Control-Allow-Origin' header has a value '" + param + "' that is not equal to the supplied origin." + valid
	case ErrWildcardOriginNotAllowed:
		return "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."
	case ErrMultipleAllowOriginValues:
		return "The 'Access-Control-Allow-Origin' header contains multiple values '" + param + "', but only one is allowed." + valid
	case ErrInvalidAllowOriginValue:
		return "The 'Access-Control-Allow-Origin' header contains the invalid value '" + param + "'." + valid
	case ErrInvalidAllowCredentials:
		return "The value of the 'Access-Control-Allow-Credentials' header in the response is '" + param + "' which must be 'true' when the request's credentials mode is 'include'."
	case "InvalidStatus":
		return "It does not have HTTP ok status."
	case "DisallowedRedirect":
		return "Redirect is not allowed for a preflight request."
	case ErrInvalidAllowMethodsPreflightResponse:
		return "Cannot parse Access-Control-Allow-Methods response header field in preflight response."
	case ErrInvalidAllowHeadersPreflightResponse:
		return "Cannot parse Access-Control-Allow-Headers response header field in preflight response."
	case ErrMethodDisallowedByPreflightResponse:
		return "Method " + param + " is not allowed by Access-Control-Allow-Methods in preflight response."
	case ErrHeaderDisallowedByPreflightResponse:
		return "Request header field " + param + " is not allowed by Access-Control-Allow-Headers in preflight response."
	case ErrRedirectContainsCredentials:
		return "Redirect location '" + param + "' contains a username and password, which is disallowed for cross-origin requests."
	case ErrDisallowedByMode:
		return "Cross origin requests are not allowed by request mode."
	}
	return name
}

// explainFailure says in plain words what went wrong and which header or value
// to change.
func explainFailure(o *outcome, f *corsFailure) string {
	p := o.p
	preflight := o.failStage == "preflight"
	where, to := "The server's response", "to its response"
	consequence := "The request reached the server and ran there (whatever it changes, it changed); the browser only hides the answer from JavaScript, which gets " + o.b.JSError + "."
	var ans *Response
	if o.cur != nil {
		ans = o.cur.actual
	}
	if _, redirect := redirectTarget(orEmpty(ans)); redirect && !preflight {
		where = "The server's redirect"
		consequence = fmt.Sprintf("The server answered with a %d redirect — often the framework, router or proxy does that before any handler runs — and the browser stops there: it does not follow a redirect that fails the CORS check, and JavaScript gets %s.", ans.Status, o.b.JSError)
	}
	if preflight {
		where, to = "The answer to the OPTIONS preflight", "to its OPTIONS answer"
		consequence = fmt.Sprintf("So the browser never sent the %s request: the server never saw it.", p.method)
	}
	if o.cur != nil && o.cur.tainted {
		return explainTainted(o, f, consequence)
	}
	if s := explainRefusal(o, f, preflight, consequence); s != "" {
		return s
	}
	if s := explainErrorStatus(o, f, ans, preflight, consequence); s != "" {
		return s
	}
	star := ""
	if p.credentials != credInclude {
		star = " (or `*`, since this request carries no credentials)"
	}
	origin := p.origin
	switch strings.TrimPrefix(f.name, "Preflight") {
	case ErrMissingAllowOriginHeader:
		return fmt.Sprintf("%s has no Access-Control-Allow-Origin header, so the browser treats it as not shared with %s. %s Fix: have the server add `Access-Control-Allow-Origin: %s`%s %s.",
			where, origin, consequence, origin, star, to)
	case ErrAllowOriginMismatch:
		return fmt.Sprintf("%s allows the origin '%s', but the page's origin is '%s'. The browser compares them byte for byte: scheme, host and port must all match%s. %s Fix: send `Access-Control-Allow-Origin: %s`; to allow several origins, echo the request's Origin header when it is on your list, and add `Vary: Origin`.",
			where, f.param, origin, mismatchHint(f.param, origin), consequence, origin)
	case ErrMultipleAllowOriginValues:
		return fmt.Sprintf("%s sends Access-Control-Allow-Origin as '%s': more than one value, or the header sent twice (often both the app and a proxy add it). Only one origin is allowed. %s Fix: send exactly one line, `Access-Control-Allow-Origin: %s`; to allow several origins, pick the one that matches the request's Origin header and add `Vary: Origin`.",
			where, f.param, consequence, origin)
	case ErrInvalidAllowOriginValue:
		return fmt.Sprintf("%s sends Access-Control-Allow-Origin: '%s', which is not an origin (an origin looks like %s: scheme://host:port, nothing after it). %s Fix: send `Access-Control-Allow-Origin: %s`.",
			where, f.param, origin, consequence, origin)
	case ErrWildcardOriginNotAllowed:
		return fmt.Sprintf("The page called fetch() with credentials: 'include' (cookies and HTTP auth go along), and %s answers `Access-Control-Allow-Origin: *`. A wildcard never shares a credentialed response. %s Fix: echo the exact origin, `Access-Control-Allow-Origin: %s`, with `Access-Control-Allow-Credentials: true` and `Vary: Origin` — or drop credentials: 'include' if the request needs no cookies.",
			lowerFirst(where), consequence, origin)
	case ErrInvalidAllowCredentials:
		got := "no such header"
		if f.param != "" {
			got = "'" + f.param + "'"
		}
		return fmt.Sprintf("The page called fetch() with credentials: 'include', so %s must also say `Access-Control-Allow-Credentials: true` — exactly that, in lower case. It sent %s. %s Fix: add `Access-Control-Allow-Credentials: true` %s, or call fetch() without credentials: 'include'.",
			lowerFirst(where), got, consequence, to)
	case "InvalidStatus":
		return fmt.Sprintf("The OPTIONS preflight was answered with status %d, but the browser needs an ok status (200-299; 204 is usual). %s Fix: make the server answer OPTIONS %s with 204 and the CORS headers, before any authentication, routing or method check that rejects it (a 401, 403, 404 or 405 is the usual cause). %s",
			o.cur.preflight.Status, consequence, pathOf(p.url), statusOrder(o.b))
	case "DisallowedRedirect":
		return fmt.Sprintf("The OPTIONS preflight was answered with a %d redirect to %s. A preflight never follows redirects. %s Fix: have the page fetch the final URL directly (a missing or extra trailing slash, or http to https, is the usual cause), or have the server answer OPTIONS at this URL itself.",
			o.cur.preflight.Status, o.pre.location, consequence)
	case ErrInvalidAllowMethodsPreflightResponse:
		return fmt.Sprintf("The preflight answer's `Access-Control-Allow-Methods: %s` is not a comma-separated list of method names (a space instead of a comma, quotes or other stray characters). %s Fix: for example `Access-Control-Allow-Methods: GET, POST, %s`.",
			clip(o.pre.allowMethods), consequence, p.method)
	case ErrInvalidAllowHeadersPreflightResponse:
		return fmt.Sprintf("The preflight answer's `Access-Control-Allow-Headers: %s` is not a comma-separated list of header names (a space instead of a comma, quotes or other stray characters). %s Fix: `Access-Control-Allow-Headers: %s`.",
			clip(o.pre.allowHeaders), consequence, strings.Join(o.need.names, ", "))
	case ErrMethodDisallowedByPreflightResponse:
		return explainMethod(o, consequence)
	case ErrHeaderDisallowedByPreflightResponse:
		return explainHeaders(o, consequence)
	case ErrRedirectContainsCredentials:
		return fmt.Sprintf("The server's response redirects to %s, a URL with a user name or password in it (user:pass@). The browser refuses to follow such a redirect on a cross-origin request%s. The request itself ran on the server. Fix: redirect to a URL without credentials in it.",
			o.redirect, map[bool]string{true: " (Chromium's message leaves the location blank)"}[o.b == Chromium])
	}
	return ""
}

func orEmpty(r *Response) *Response {
	if r == nil {
		return &Response{}
	}
	return r
}

// explainTainted explains a failure after a cross-origin redirect, where the
// browser sent Origin: null (Fetch §4.4 "HTTP-redirect fetch": the tainted
// origin flag; Chromium's CorsURLLoader sets the initiator to an opaque
// origin).
func explainTainted(o *outcome, f *corsFailure, consequence string) string {
	p := o.p
	got := "no Access-Control-Allow-Origin header"
	if f.param != "" {
		got = "`Access-Control-Allow-Origin: " + f.param + "`"
	} else if v, ok := headerValue(orEmpty(o.cur.actual).Header, "Access-Control-Allow-Origin"); ok && !strings.HasPrefix(f.name, "Preflight") {
		got = "`Access-Control-Allow-Origin: " + clip(v) + "`"
	}
	return fmt.Sprintf("The request was redirected from one origin to another, so from that redirect on the browser sends `Origin: null` (a cross-origin redirect hides the page's origin from the next server) — %s answers with %s, which does not allow null. %s Fix: have the page fetch %s directly, or keep the redirect on the same origin; otherwise that server must answer `Access-Control-Allow-Origin: *` (impossible with credentials). Do not allow `null`: any sandboxed page can send it.",
		"the server at "+p.urlString, got, consequence, p.urlString)
}

// explainRefusal recognizes a preflight a CORS library refused: an answer
// with no CORS header at all (rs/cors and jub0bs/cors answer 204 or 403 so
// when the method or a header is not on their list), to a preflight that
// asked for a method or headers beyond the safelisted ones.
func explainRefusal(o *outcome, f *corsFailure, preflight bool, consequence string) string {
	if !preflight || f.name != ErrPreflightMissingAllowOriginHeader || o.cur == nil || o.cur.preflight == nil {
		return ""
	}
	for k := range o.cur.preflight.Header {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			return ""
		}
	}
	var asked []string
	if !isSafelistedMethod(o.p.method) {
		asked = append(asked, "method "+o.p.method)
	}
	if len(o.need.names) == 1 {
		asked = append(asked, "header "+o.need.names[0])
	} else if len(o.need.names) > 1 {
		asked = append(asked, "headers "+strings.Join(o.need.names, ", "))
	}
	if len(asked) == 0 {
		return ""
	}
	status := o.cur.preflight.Status
	what := strings.Join(asked, " and ")
	return fmt.Sprintf("The OPTIONS preflight asked for %s and got a %d answer with no CORS header at all. That is how a CORS layer refuses a preflight: rs/cors, jub0bs/cors and others drop every Access-Control-* header when the method or a header is not on their list (or the origin is not) — so your CORS layer most likely refused %s. %s Fix: add %s to the allowed %s in your CORS configuration (and check that %s is an allowed origin).%s",
		what, status, what, consequence, strings.Join(namesOnly(asked), " and "), allowedWhat(asked), o.page.origin, statusHint(status))
}

func namesOnly(asked []string) []string {
	out := make([]string, len(asked))
	for i, a := range asked {
		_, out[i], _ = strings.Cut(a, " ")
	}
	return out
}

func allowedWhat(asked []string) string {
	m, h := false, false
	for _, a := range asked {
		m = m || strings.HasPrefix(a, "method ")
		h = h || strings.HasPrefix(a, "header")
	}
	switch {
	case m && h:
		return "methods and headers"
	case m:
		return "methods"
	}
	return "headers"
}

func statusHint(status int) string {
	if status >= 200 && status <= 299 {
		return ""
	}
	return fmt.Sprintf(" If no CORS layer runs for OPTIONS at all, the %d comes from routing or authentication: answer OPTIONS before them.", status)
}

// explainErrorStatus explains a missing Access-Control-Allow-Origin on an
// error answer (4xx, 5xx): many stacks add CORS headers only to successful
// answers, so the CORS error hides the real one.
func explainErrorStatus(o *outcome, f *corsFailure, ans *Response, preflight bool, consequence string) string {
	if preflight || f.name != ErrMissingAllowOriginHeader || ans == nil || ans.Status < 400 {
		return ""
	}
	return fmt.Sprintf("The answer is a %d %s without an Access-Control-Allow-Origin header. Many stacks add CORS headers only to successful answers — nginx's add_header skips 4xx and 5xx unless it ends with `always`, and an error handler or a proxy in front of the app often answers without them — so the browser reports a CORS error and JavaScript cannot even read the %d. %s Fix: first the %d itself (the server's logs say why); then send `Access-Control-Allow-Origin: %s` on error answers too (nginx: `add_header Access-Control-Allow-Origin %s always;`), so the page can see the real status. If the server refuses this origin on purpose (a CORS layer whose origin check fails with an error, as Express's cors does with a callback error), the block is what you want: leave the header out, and answer 403 rather than %d.",
		ans.Status, http.StatusText(ans.Status), ans.Status, consequence, ans.Status, o.page.origin, o.page.origin, ans.Status)
}

// statusOrder says where this browser judges a preflight's status.
func statusOrder(b *Browser) string {
	if b.PreflightStatusFirst {
		return b.Title + " judges the preflight's status before anything else, so this error shows even when Access-Control-Allow-Origin is wrong too (Chromium and Firefox would name the origin first)."
	}
	return b.Title + " checks the preflight's Access-Control-Allow-Origin before its status, so this error shows only once the origin is allowed (Safari judges the status first)."
}

func explainMethod(o *outcome, consequence string) string {
	m := o.p.method
	var b strings.Builder
	fmt.Fprintf(&b, "fetch() uses method %s, which is not CORS-safelisted, so the browser asked first in a preflight. ", m)
	if o.pre.hasAllowMethods {
		fmt.Fprintf(&b, "The answer's `Access-Control-Allow-Methods: %s` does not allow %s", clip(o.pre.allowMethods), m)
	} else {
		fmt.Fprintf(&b, "The answer has no Access-Control-Allow-Methods header, so only GET, HEAD and POST are allowed")
	}
	switch {
	case o.pre.methodStar && o.p.credentials == credInclude:
		b.WriteString(": `*` means any method only for requests without credentials; with credentials: 'include' it is a method literally named *")
	case o.pre.methodOtherCase:
		b.WriteString(": methods are compared case-sensitively")
	}
	fix := m
	if o.pre.allowMethods != "" {
		fix = clip(o.pre.allowMethods) + ", " + m
	}
	fmt.Fprintf(&b, ". %s Fix: `Access-Control-Allow-Methods: %s`.", consequence, fix)
	if m != strings.ToUpper(m) {
		fmt.Fprintf(&b, " Note that fetch() sent %q in lower case: it upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT. Better write method: '%s' in the page (and list %s on the server).", m, strings.ToUpper(m), strings.ToUpper(m))
	}
	return b.String()
}

func explainHeaders(o *outcome, consequence string) string {
	missing := o.pre.missing
	var b strings.Builder
	if len(missing) == 1 {
		fmt.Fprintf(&b, "The request carries the header %s, which is not CORS-safelisted, so the browser listed it in the preflight's Access-Control-Request-Headers. ", missing[0])
	} else {
		fmt.Fprintf(&b, "The request carries the headers %s, which are not CORS-safelisted, so the browser listed them in the preflight's Access-Control-Request-Headers. ", strings.Join(missing, ", "))
	}
	if o.pre.hasAllowHeaders {
		fmt.Fprintf(&b, "The answer's `Access-Control-Allow-Headers: %s` does not allow %s", clip(o.pre.allowHeaders), strings.Join(missing, ", "))
	} else {
		fmt.Fprintf(&b, "The answer has no Access-Control-Allow-Headers header, so it allows none of them")
	}
	if o.pre.headerStar && o.p.credentials == credInclude {
		b.WriteString(": `*` is a wildcard only for requests without credentials; with credentials: 'include' every name must be listed")
	}
	fmt.Fprintf(&b, ". %s Fix: `Access-Control-Allow-Headers: %s` (names compare case-insensitively), or stop sending %s.",
		consequence, strings.Join(o.need.names, ", "), strings.Join(missing, ", "))
	for _, r := range o.need.reasons {
		if strings.HasPrefix(r, "safelisted header values total") {
			b.WriteString(" Some of these are normally safelisted: they count because the safelisted values together exceed 1024 bytes.")
			break
		}
	}
	return b.String()
}

// mismatchHint names the usual reason an Access-Control-Allow-Origin value
// differs from the origin.
func mismatchHint(v, origin string) string {
	switch {
	case v == "null":
		return " — 'null' is the origin of sandboxed iframes and file: pages; never allow it, any page can get that origin"
	case strings.HasPrefix(v, origin+"/"):
		return " — an origin has no trailing slash and no path"
	case strings.EqualFold(v, origin):
		return " — here only the letter case differs, and origins are serialized in lower case"
	}
	vu, err1 := url.Parse(v)
	ou, err2 := url.Parse(origin)
	if err1 == nil && err2 == nil && vu.Host != "" {
		switch {
		case !strings.EqualFold(vu.Scheme, ou.Scheme) && strings.EqualFold(vu.Hostname(), ou.Hostname()):
			return " — " + vu.Scheme + " and " + ou.Scheme + " make different origins"
		case strings.EqualFold(vu.Hostname(), ou.Hostname()) && vu.Port() != ou.Port():
			return " — a different port is a different origin"
		case vu.Hostname() == "127.0.0.1" && ou.Hostname() == "localhost", vu.Hostname() == "localhost" && ou.Hostname() == "127.0.0.1":
			return " — localhost and 127.0.0.1 are different hosts to the browser"
		}
	}
	return ""
}

// clip shortens a header value quoted in an explanation.
func clip(v string) string {
	const max = 200
	if len(v) <= max {
		return v
	}
	return v[:max] + "…"
}

func pathOf(u *url.URL) string {
	if p := u.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
