package fetch

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/model/syntax"
)

// safelistTotalMax is the byte budget of all safelisted request-header values
// together (Fetch §2.2.2 CORS-unsafe request-header names, step 3).
const safelistTotalMax = 1024

// preflightNeeded says whether a CORS request needs a preflight, and why.
type preflightNeeded struct {
	needed  bool
	reasons []string // in words: method first, then headers by name, then the 1024-byte rule
	names   []string // Access-Control-Request-Headers: lowercase, sorted, unique
}

// preflightNeed decides Fetch "main fetch"'s use-CORS-preflight condition
// for a prepared cors-mode request: the method is not CORS-safelisted, or the
// CORS-unsafe request-header names (§2.2.2) are not empty.
func preflightNeed(p prepared, b *Browser) preflightNeeded {
	n := preflightNeeded{reasons: []string{}, names: []string{}}
	if !isSafelistedMethod(p.method) {
		why := fmt.Sprintf("method %s is not CORS-safelisted", p.method)
		if p.method != strings.ToUpper(p.method) {
			why += " (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT)"
		}
		n.reasons = append(n.reasons, why)
	}
	var safe []string
	total := 0
	for _, h := range p.headers {
		if ok, why := safelistedRequestHeader(h.lower, h.value, b.ClientHintsSafelisted); !ok {
			n.names = append(n.names, h.lower)
			n.reasons = append(n.reasons, why)
			continue
		}
		safe = append(safe, h.lower)
		total += len(h.value)
	}
	sortReasonsByHeader(n.reasons, n.names, len(n.reasons)-len(n.names))
	if total > safelistTotalMax {
		sort.Strings(safe)
		n.reasons = append(n.reasons, fmt.Sprintf("safelisted header values total more than %d bytes (%d), so %s count as unsafe too",
			safelistTotalMax, total, strings.Join(safe, ", ")))
		n.names = append(n.names, safe...)
	}
	sort.Strings(n.names)
	n.needed = len(n.reasons) > 0
	return n
}

// sortReasonsByHeader sorts the header reasons (those after the first skip
// entries) together with their names.
func sortReasonsByHeader(reasons, names []string, skip int) {
	hr := reasons[skip:]
	sort.Sort(byName{hr, names})
}

type byName struct{ reasons, names []string }

func (b byName) Len() int           { return len(b.names) }
func (b byName) Less(i, j int) bool { return b.names[i] < b.names[j] }
func (b byName) Swap(i, j int) {
	b.names[i], b.names[j] = b.names[j], b.names[i]
	b.reasons[i], b.reasons[j] = b.reasons[j], b.reasons[i]
}

// scanList walks an Access-Control-Allow-Methods, -Allow-Headers or
// -Expose-Headers value as Chromium parses it (services/network/cors/
// preflight_result.cc ParseAccessControlAllowList): comma-separated, spaces and
// tabs around items dropped, empty items skipped. It calls fn for each item and
// returns false as soon as one is not a token: the whole value is then invalid.
// It allocates nothing, so a hostile megabyte-long list costs one pass.
func scanList(v string, fn func(item string)) bool {
	for len(v) > 0 {
		item := v
		if i := strings.IndexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			v = ""
		}
		item = trimOWS(item)
		if item == "" {
			continue
		}
		if !syntax.IsToken(item) {
			return false
		}
		fn(item)
	}
	return true
}

// firstBadItem is the first item of a list scanList refuses.
func firstBadItem(v string) string {
	for _, item := range strings.Split(v, ",") {
		if item = trimOWS(item); item != "" && !syntax.IsToken(item) {
			return item
		}
	}
	return ""
}

// lowerASCII lower-cases s, without allocating when it already is.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// preflightOutcome is what the browser concluded from the preflight's answer.
type preflightOutcome struct {
	fail    *corsFailure
	missing []string // every unsafe header the answer does not allow, sorted
	notes   []string
	// for explanations
	allowMethods, allowHeaders       string
	hasAllowMethods, hasAllowHeaders bool
	methodStar, headerStar           bool // the list holds *
	methodOtherCase                  bool // the method is listed in another case
	location                         string
}

// checkPreflight judges the answer to a CORS-preflight request in b's order.
// Chromium (services/network/cors/preflight_controller.cc): a redirect fails
// at once; then the "CORS check" with the actual request's credentials mode,
// and only then the ok status (Chromium reports a missing or wrong
// Access-Control-Allow-Origin before a bad status). Firefox
// (nsCORSListenerProxy) checks the Access-Control-Allow-Origin of a
// redirecting answer before it refuses the redirect; WebKit
// (CrossOriginAccessControl.cpp validatePreflightResponse) judges the status
// first, a redirect included. Then the rest of Fetch's "CORS-preflight fetch":
// parse Access-Control-Allow-Methods and -Headers, check the method, check
// the CORS-unsafe header names.
func checkPreflight(b *Browser, p prepared, need preflightNeeded, r *Response) preflightOutcome {
	var out preflightOutcome
	fail := func(f *corsFailure) preflightOutcome {
		f.status = r.Status
		out.fail = f
		return out
	}
	loc, redirect := redirectTarget(r)
	if redirect {
		out.location = loc
	}
	originCheck := func() *corsFailure {
		if f := corsCheck(r.Header, p.origin, p.credentials); f != nil {
			f.name = preflightName(f.name)
			return f
		}
		return nil
	}
	switch {
	case b.PreflightStatusFirst:
		if r.Status < 200 || r.Status > 299 {
			name := ErrPreflightInvalidStatus
			if redirect {
				name = ErrPreflightDisallowedRedirect
			}
			return fail(&corsFailure{name: name})
		}
		if f := originCheck(); f != nil {
			return fail(f)
		}
	default:
		if redirect && !b.PreflightOriginBeforeRedirect {
			return fail(&corsFailure{name: ErrPreflightDisallowedRedirect})
		}
		if f := originCheck(); f != nil {
			return fail(f)
		}
		if redirect {
			return fail(&corsFailure{name: ErrPreflightDisallowedRedirect})
		}
		if r.Status < 200 || r.Status > 299 {
			return fail(&corsFailure{name: ErrPreflightInvalidStatus})
		}
	}
	include := p.credentials == credInclude
	out.allowMethods, out.hasAllowMethods = headerValue(r.Header, "Access-Control-Allow-Methods")
	methodListed := false
	if !scanList(out.allowMethods, func(m string) {
		switch {
		case m == p.method:
			methodListed = true
		case m == "*":
			out.methodStar = true
		case strings.EqualFold(m, p.method):
			out.methodOtherCase = true
		}
	}) {
		return fail(&corsFailure{name: ErrInvalidAllowMethodsPreflightResponse, token: firstBadItem(out.allowMethods), list: out.allowMethods})
	}
	out.allowHeaders, out.hasAllowHeaders = headerValue(r.Header, "Access-Control-Allow-Headers")
	allowed := make(map[string]bool, len(need.names)) // requested name -> listed
	for _, n := range need.names {
		allowed[n] = false
	}
	if !scanList(out.allowHeaders, func(h string) {
		h = lowerASCII(h)
		if h == "*" {
			out.headerStar = true
		}
		if _, requested := allowed[h]; requested {
			allowed[h] = true
		}
	}) {
		return fail(&corsFailure{name: ErrInvalidAllowHeadersPreflightResponse, token: firstBadItem(out.allowHeaders), list: out.allowHeaders})
	}

	// Method: listed (case-sensitively: Chromium's spec-conformant matching,
	// on by default), safelisted, or * without credentials.
	if !methodListed && !isSafelistedMethod(strings.ToUpper(p.method)) && (include || !out.methodStar) {
		return fail(&corsFailure{name: ErrMethodDisallowedByPreflightResponse, param: p.method})
	}

	// Headers: * without credentials allows every name — in Chromium even
	// Authorization, which the standard excludes (§2.2.2 CORS non-wildcard
	// request-header name).
	if !include && out.headerStar {
		if listed, requested := allowed["authorization"]; requested && !listed {
			out.notes = append(out.notes, map[string]string{
				"chromium": "Chromium let Access-Control-Allow-Headers: * cover the Authorization header, with only a deprecation warning in DevTools (Firefox warns too; Safari lets it pass silently). The Fetch standard says * never covers Authorization, and Chromium means to follow it: list authorization by name.",
				"firefox":  "Firefox let Access-Control-Allow-Headers: * cover the Authorization header, with a warning in the console (\"Cross-Origin Request Warning: … the `Authorization` header is not covered\"). The Fetch standard says * never covers Authorization, and browsers mean to follow it: list authorization by name.",
				"webkit":   "Safari (WebKit) let Access-Control-Allow-Headers: * cover the Authorization header without a word (Chromium and Firefox warn). The Fetch standard says * never covers Authorization, and browsers mean to follow it: list authorization by name.",
			}[b.Name])
		}
		return out
	}
	for _, name := range need.names {
		if !allowed[name] {
			out.missing = append(out.missing, name)
		}
	}
	if len(out.missing) > 0 {
		out.fail = &corsFailure{name: ErrHeaderDisallowedByPreflightResponse, param: out.missing[0], status: r.Status}
		if len(out.missing) > 1 {
			out.notes = append(out.notes, fmt.Sprintf("Several headers are not allowed (%s). %s names only the first one it checks, in its own internal order, so the console may name another one of them.", strings.Join(out.missing, ", "), b.Title))
		}
	}
	return out
}

// PreflightMaxAge is how long Chromium caches a successful preflight answer
// (services/network/cors/preflight_result.cc ParseAccessControlMaxAge); see
// Browser.MaxAge for the others.
func PreflightMaxAge(preflight *Response) time.Duration { return Chromium.MaxAge(preflight) }

// preflightMaxAge is the Access-Control-Max-Age of a preflight answer before
// any browser's cap: the seconds, 5 s when the header is absent or not an
// integer (or out of range), 0 when negative (the Fetch standard leaves the
// cap to the browser).
func preflightMaxAge(preflight *Response) time.Duration {
	const def = 5 * time.Second
	if preflight == nil {
		return 0
	}
	v, present := headerValue(preflight.Header, "Access-Control-Max-Age")
	if !present {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64) // like base::StringToInt64: overflow is an error
	switch {
	case err != nil:
		return def
	case n < 0:
		return 0
	case n > int64(math.MaxInt64/time.Second):
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(n) * time.Second
}
