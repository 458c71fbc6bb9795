package fetch

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Browser is what one browser engine does differently on the same algorithm:
// the model runs one Fetch algorithm for all three, and a Browser carries the
// differences as data — which request headers it safelists, the order of its
// checks, its preflight-cache cap, and the names and sentences of its errors.
// Measured against Chromium 156, Firefox ESR 153 and WebKitGTK 2.50 (the
// engine of Safari) by the agreement matrices in internal/lab.
type Browser struct {
	Name  string // chromium, firefox, webkit: the -browser flag's value
	Title string // how the lab names it to a person

	// ClientHintsSafelisted: the client hints DPR, Save-Data, Device-Memory,
	// Viewport-Width, Width, Downlink, ECT and RTT are CORS-safelisted
	// request headers (Chromium alone; Fetch §2.2.2 does not list them).
	ClientHintsSafelisted bool
	// PreflightStatusFirst: a preflight's status is judged before its
	// Access-Control-Allow-Origin (WebKit); the others check the origin first.
	PreflightStatusFirst bool
	// PreflightOriginBeforeRedirect: a redirected preflight's
	// Access-Control-Allow-Origin is checked before the redirect is refused
	// (Firefox); Chromium refuses the redirect first.
	PreflightOriginBeforeRedirect bool
	// MaxAgeCap is the most a preflight answer is cached for, whatever
	// Access-Control-Max-Age says (Fetch §4.8 leaves the cap to the browser).
	MaxAgeCap time.Duration
	// JSError is what JavaScript's fetch() rejects with when CORS blocks it.
	JSError string

	// networkError names a CORS request that got no HTTP answer, where the
	// browser reports it as a CORS error (Firefox); else it is a TypeError.
	networkError string

	// names turns the model's error names (Chromium's) into the browser's.
	names func(f *corsFailure) (name, param string)
	// sentence is the console line for a failure named by names.
	sentence func(o *outcome, f *corsFailure, name, param string) string
	// errorNames lists every name Judge can give.
	errorNames []string
}

// The three browsers.
var (
	Chromium = &Browser{
		Name: "chromium", Title: "Chromium",
		ClientHintsSafelisted: true,
		MaxAgeCap:             2 * time.Hour, // services/network/cors/preflight_result.cc
		JSError:               "TypeError: Failed to fetch",
		names:                 func(f *corsFailure) (string, string) { return f.name, f.param },
		sentence:              func(o *outcome, f *corsFailure, _, _ string) string { return consoleMessage(o, f) },
	}
	Firefox = &Browser{
		Name: "firefox", Title: "Firefox",
		PreflightOriginBeforeRedirect: true,
		MaxAgeCap:                     24 * time.Hour, // nsPreflightCache: network.cors_preflight.max_age cap
		JSError:                       "TypeError: NetworkError when attempting to fetch resource.",
		networkError:                  "CORSDidNotSucceed",
		names:                         firefoxName,
		sentence:                      firefoxSentence,
		errorNames: []string{
			"CORSMissingAllowOrigin", "CORSAllowOriginNotMatchingOrigin", "CORSMultipleAllowOriginNotAllowed",
			"CORSNotSupportingCredentials", "CORSMissingAllowCredentials", "CORSPreflightDidNotSucceed",
			"CORSExternalRedirectNotAllowed", "CORSMethodNotFound", "CORSMissingAllowHeaderFromPreflight",
			"CORSInvalidAllowMethod", "CORSInvalidAllowHeader", "CORSDidNotSucceed", ErrTypeError,
		},
	}
	WebKit = &Browser{
		Name: "webkit", Title: "Safari (WebKit)",
		PreflightStatusFirst: true,
		MaxAgeCap:            10 * time.Minute, // CrossOriginPreflightResultCache: maxPreflightCacheTimeout
		JSError:              "TypeError: Load failed",
		names:                webkitName,
		sentence:             webkitSentence,
		errorNames: []string{
			"OriginNotAllowed", "MultipleAllowOrigin", "WildcardOriginWithCredentials", "AllowCredentialsNotTrue",
			"MethodNotAllowed", "HeaderNotAllowed", "InvalidAllowMethods", "InvalidAllowHeaders",
			"PreflightNotSuccessful", "RedirectURLHasCredentials", "RedirectOriginNotAllowed", ErrTypeError,
		},
	}
)

// BrowserForUserAgent tells the browser a page runs in from its User-Agent
// header: Firefox ("… Gecko/… Firefox/N"), WebKit (Safari and WebKitGTK:
// "AppleWebKit/…" without Chrome's or Chromium's token), else Chromium —
// the reference, and what the lab judges when it cannot tell.
func BrowserForUserAgent(ua string) *Browser {
	switch {
	case strings.Contains(ua, "Firefox/") && !strings.Contains(ua, "Seamonkey/"):
		return Firefox
	case strings.Contains(ua, "AppleWebKit/") && !strings.Contains(ua, "Chrome/") && !strings.Contains(ua, "Chromium/") && !strings.Contains(ua, "HeadlessChrome/"):
		return WebKit
	}
	return Chromium
}

// Browsers lists the three, Chromium (the reference) first.
func Browsers() []*Browser { return []*Browser{Chromium, Firefox, WebKit} }

// BrowserNamed returns the browser with the given -browser name.
func BrowserNamed(name string) (*Browser, error) {
	for _, b := range Browsers() {
		if b.Name == name {
			return b, nil
		}
	}
	return nil, fmt.Errorf("unknown browser %q (want chromium, firefox or webkit)", name)
}

// Judge is the package's Judge, in this browser's order and words.
// Its notes say what the other two browsers would do differently.
func (b *Browser) Judge(x Exchange) Verdict { return judged(evaluateIn(b, x)) }

// ErrorNames lists every value Verdict.Error can take in this browser besides "".
func (b *Browser) ErrorNames() []string {
	if b == Chromium {
		return ErrorNames()
	}
	return append([]string(nil), b.errorNames...)
}

// Unreachable reports whether no page can make this browser report name:
// Chromium's DisallowedByMode never reaches a page (see ErrorNames).
func (b *Browser) Unreachable(name string) bool { return b == Chromium && name == ErrDisallowedByMode }

// MaxAge is how long this browser caches a successful preflight answer: the
// Access-Control-Max-Age seconds (5 s when absent or not a number, 0 when
// negative), at most MaxAgeCap.
func (b *Browser) MaxAge(preflight *Response) time.Duration {
	d := preflightMaxAge(preflight)
	if d > b.MaxAgeCap {
		return b.MaxAgeCap
	}
	return d
}

// Firefox's names are the keys of its console messages in
// dom/locales/en-US/chrome/security/security.properties without the version
// digit (CORSMissingAllowOrigin2 → CORSMissingAllowOrigin), as MDN names them.
func firefoxName(f *corsFailure) (string, string) {
	switch strings.TrimPrefix(f.name, "Preflight") {
	case ErrMissingAllowOriginHeader:
		return "CORSMissingAllowOrigin", ""
	case ErrAllowOriginMismatch, ErrInvalidAllowOriginValue:
		return "CORSAllowOriginNotMatchingOrigin", f.param
	case ErrMultipleAllowOriginValues:
		// Firefox counts header lines: one line "a, b" is just a value that
		// does not match.
		if f.acaoLines > 1 {
			return "CORSMultipleAllowOriginNotAllowed", ""
		}
		return "CORSAllowOriginNotMatchingOrigin", f.param
	case ErrWildcardOriginNotAllowed:
		return "CORSNotSupportingCredentials", ""
	case ErrInvalidAllowCredentials:
		return "CORSMissingAllowCredentials", ""
	case "InvalidStatus":
		return "CORSPreflightDidNotSucceed", ""
	case "DisallowedRedirect":
		return "CORSExternalRedirectNotAllowed", ""
	case ErrInvalidAllowMethodsPreflightResponse:
		return "CORSInvalidAllowMethod", f.token
	case ErrInvalidAllowHeadersPreflightResponse:
		return "CORSInvalidAllowHeader", f.token
	case ErrMethodDisallowedByPreflightResponse:
		return "CORSMethodNotFound", ""
	case ErrHeaderDisallowedByPreflightResponse:
		return "CORSMissingAllowHeaderFromPreflight", strings.ToLower(f.param)
	case ErrRedirectContainsCredentials:
		return "CORSDidNotSucceed", ""
	}
	return f.name, f.param
}

func firefoxSentence(o *outcome, f *corsFailure, name, param string) string {
	reason := map[string]string{
		"CORSMissingAllowOrigin":              "CORS header ‘Access-Control-Allow-Origin’ missing",
		"CORSMultipleAllowOriginNotAllowed":   "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed",
		"CORSAllowOriginNotMatchingOrigin":    "CORS header ‘Access-Control-Allow-Origin’ does not match ‘" + param + "’",
		"CORSNotSupportingCredentials":        "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
		"CORSMethodNotFound":                  "Did not find method in CORS header ‘Access-Control-Allow-Methods’",
		"CORSMissingAllowCredentials":         "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’",
		"CORSPreflightDidNotSucceed":          "CORS preflight response did not succeed",
		"CORSInvalidAllowMethod":              "invalid token ‘" + param + "’ in CORS header ‘Access-Control-Allow-Methods’",
		"CORSInvalidAllowHeader":              "invalid token ‘" + param + "’ in CORS header ‘Access-Control-Allow-Headers’",
		"CORSMissingAllowHeaderFromPreflight": "header ‘" + param + "’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response",
		"CORSExternalRedirectNotAllowed":      "CORS request external redirect not allowed",
		"CORSDidNotSucceed":                   "CORS request did not succeed",
	}[name]
	at := o.p.urlString
	if name == "CORSNotSupportingCredentials" {
		at = "‘" + at + "’" // the one message that quotes the URL
	}
	s := "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at " + at + ". (Reason: " + reason + ")."
	switch name {
	case "CORSMissingAllowOrigin", "CORSPreflightDidNotSucceed", "CORSDidNotSucceed":
		status := "(null)"
		if f.status != 0 && name != "CORSDidNotSucceed" {
			status = fmt.Sprint(f.status)
		}
		s += " Status code: " + status + "."
	}
	return s
}

// WebKit has no error codes: these names stand for its messages
// (Source/WebCore/loader/CrossOriginAccessControl.cpp, CrossOriginPreflightResultCache.cpp,
// Source/WebKit/NetworkProcess/NetworkLoadChecker.cpp), and a refused redirect
// is "Redirect" + the name of the reason it gives.
func webkitName(f *corsFailure) (string, string) {
	var name, param string
	switch strings.TrimPrefix(f.name, "Preflight") {
	case ErrMissingAllowOriginHeader, ErrAllowOriginMismatch, ErrInvalidAllowOriginValue:
		name = "OriginNotAllowed"
	case ErrMultipleAllowOriginValues:
		// WebKit reads the lines joined by ", " and looks for a comma only.
		name = "OriginNotAllowed"
		if strings.Contains(f.param, ",") {
			name = "MultipleAllowOrigin"
		}
	case ErrWildcardOriginNotAllowed:
		name = "WildcardOriginWithCredentials"
	case ErrInvalidAllowCredentials:
		name = "AllowCredentialsNotTrue"
	case "InvalidStatus", "DisallowedRedirect":
		name = "PreflightNotSuccessful"
	case ErrInvalidAllowMethodsPreflightResponse:
		name, param = "InvalidAllowMethods", f.token
	case ErrInvalidAllowHeadersPreflightResponse:
		name, param = "InvalidAllowHeaders", f.token
	case ErrMethodDisallowedByPreflightResponse:
		name, param = "MethodNotAllowed", f.param
	case ErrHeaderDisallowedByPreflightResponse:
		name, param = "HeaderNotAllowed", webkitHeaderName(f.param)
	case ErrRedirectContainsCredentials:
		return "RedirectURLHasCredentials", ""
	default:
		return f.name, f.param
	}
	if f.onRedirect {
		name = "Redirect" + name
	}
	return name, param
}

func webkitSentence(o *outcome, f *corsFailure, name, param string) string {
	base := strings.TrimPrefix(name, "Redirect")
	var s string
	switch base {
	case "OriginNotAllowed":
		s = "Origin " + o.p.origin + " is not allowed by Access-Control-Allow-Origin."
	case "MultipleAllowOrigin":
		s = "Access-Control-Allow-Origin cannot contain more than one origin."
	case "WildcardOriginWithCredentials":
		s = "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."
	case "AllowCredentialsNotTrue":
		s = `Credentials flag is true, but Access-Control-Allow-Credentials is not "true".`
	case "MethodNotAllowed":
		s = "Method " + param + " is not allowed by Access-Control-Allow-Methods."
	case "HeaderNotAllowed":
		s = "Request header field " + param + " is not allowed by Access-Control-Allow-Headers."
	case "InvalidAllowMethods":
		s = "Header Access-Control-Allow-Methods has an invalid value: " + param
	case "InvalidAllowHeaders":
		s = "Header Access-Control-Allow-Headers has an invalid value: " + param
	case "PreflightNotSuccessful":
		s = "Preflight response is not successful."
	case "URLHasCredentials":
		// The first URL is printed without its user name and password.
		bare := o.redirect
		if u, err := url.Parse(o.redirect); err == nil {
			u.User = nil
			bare = u.String()
		}
		return "Cross-origin redirection to " + bare + " denied by Cross-Origin Resource Sharing policy: redirection URL " + o.redirect + " has credentials"
	}
	if f.onRedirect {
		s = "Cross-origin redirection to " + o.redirect + " denied by Cross-Origin Resource Sharing policy: " + s
	}
	if base == "OriginNotAllowed" || base == "PreflightNotSuccessful" {
		s += fmt.Sprintf(" Status code: %d", f.status)
	}
	return s
}

// webkitHeaderName is a request header's name as WebKit prints it: the
// canonical spelling of a name WebKit knows (Source/WebCore/platform/network/
// HTTPHeaderNames.in; those a page may send), any other name in lower case.
func webkitHeaderName(lower string) string {
	if n, ok := webkitKnownHeaders[lower]; ok {
		return n
	}
	return lower
}

var webkitKnownHeaders = func() map[string]string {
	m := map[string]string{}
	for _, n := range []string{
		"Accept", "Accept-Language", "Accept-Ranges", "Age", "Allow", "Alternates", "Authorization",
		"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language",
		"Content-Location", "Content-Range", "Content-Security-Policy", "Content-Type",
		"Cross-Origin-Embedder-Policy", "Cross-Origin-Opener-Policy", "Cross-Origin-Resource-Policy",
		"Default-Style", "ETag", "Expires", "Icy-MetaInt", "Icy-Metadata", "If-Match",
		"If-Modified-Since", "If-None-Match", "If-Range", "If-Unmodified-Since", "Last-Event-ID",
		"Last-Modified", "Link", "Location", "Ping-From", "Ping-To", "Pragma", "Priority", "Purpose",
		"Range", "Referrer-Policy", "Refresh", "Report-To", "Reporting-Endpoints", "Server-Timing",
		"Service-Worker", "Service-Worker-Allowed", "Service-Worker-Navigation-Preload", "SourceMap",
		"Timing-Allow-Origin", "Upgrade-Insecure-Requests", "Vary", "X-Content-Type-Options",
		"X-DNS-Prefetch-Control", "X-Frame-Options", "X-SourceMap", "X-Temp-Tablet", "X-XSS-Protection",
	} {
		m[strings.ToLower(n)] = n
	}
	return m
}()
