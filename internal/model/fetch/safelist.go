package fetch

import (
	"fmt"
	"strings"

	"github.com/corslab/corslab/internal/model/syntax"
)

// isHTTPWhitespace: HTTP whitespace bytes (Fetch §2.2: tab, LF, CR, space).
func isHTTPWhitespace(b byte) bool { return b == '\t' || b == '\n' || b == '\r' || b == ' ' }

// normalizeHeaderValue strips leading and trailing HTTP whitespace (Fetch §2.2.2
// "normalize a byte sequence potentialValue").
func normalizeHeaderValue(v string) string {
	i, j := 0, len(v)
	for i < j && isHTTPWhitespace(v[i]) {
		i++
	}
	for j > i && isHTTPWhitespace(v[j-1]) {
		j--
	}
	return v[i:j]
}

// isHeaderValue reports whether a normalized value is a header value (Fetch
// §2.2.2: no NUL, LF or CR).
func isHeaderValue(v string) bool { return !strings.ContainsAny(v, "\x00\n\r") }

// trimOWS strips the spaces and tabs an HTTP parser drops around a field value.
func trimOWS(v string) string { return strings.Trim(v, " \t") }

// normalizeMethod upper-cases the six methods fetch() normalizes (Fetch §2.2.1
// "normalize a method"): DELETE, GET, HEAD, OPTIONS, POST, PUT, matched
// byte-case-insensitively. Every other method keeps its case: "patch" stays
// "patch".
func normalizeMethod(m string) string {
	for _, n := range [...]string{"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"} {
		if strings.EqualFold(m, n) {
			return n
		}
	}
	return m
}

// isForbiddenMethod: Fetch §2.2.1 forbidden method (CONNECT, TRACE, TRACK,
// byte-case-insensitive).
func isForbiddenMethod(m string) bool {
	return strings.EqualFold(m, "CONNECT") || strings.EqualFold(m, "TRACE") || strings.EqualFold(m, "TRACK")
}

// isSafelistedMethod: Fetch §2.2.1 CORS-safelisted method, compared exactly
// (after normalization GET, HEAD and POST are always upper case).
func isSafelistedMethod(m string) bool { return m == "GET" || m == "HEAD" || m == "POST" }

// forbiddenHeaderNames are Fetch §2.2.2 forbidden request-header names, plus
// user-agent, which the standard no longer forbids but Chromium still drops
// silently from fetch() (crbug.com/571722; checked in Chromium 156).
var forbiddenHeaderNames = map[string]bool{
	"accept-charset": true, "accept-encoding": true,
	"access-control-request-headers": true, "access-control-request-method": true,
	"connection": true, "content-length": true, "cookie": true, "cookie2": true,
	"date": true, "dnt": true, "expect": true, "host": true, "keep-alive": true,
	"origin": true, "referer": true, "set-cookie": true, "te": true, "trailer": true,
	"transfer-encoding": true, "upgrade": true, "via": true,
	"user-agent": true,
}

// forbiddenRequestHeader implements Fetch §2.2.2 "forbidden request-header" for
// a lowercase name: fetch() silently drops such a header. why says which rule
// applies.
func forbiddenRequestHeader(lower, value string) (forbidden bool, why string) {
	if forbiddenHeaderNames[lower] {
		if lower == "user-agent" {
			return true, "Chromium still treats User-Agent as forbidden (the Fetch standard no longer does)"
		}
		return true, "a forbidden request-header: only the browser sets it"
	}
	if strings.HasPrefix(lower, "proxy-") || strings.HasPrefix(lower, "sec-") {
		return true, "names starting with Proxy- or Sec- are reserved for the browser"
	}
	if lower == "x-http-method" || lower == "x-http-method-override" || lower == "x-method-override" {
		for _, m := range strings.Split(value, ",") {
			if isForbiddenMethod(normalizeHeaderValue(m)) {
				return true, "it asks for a forbidden method (CONNECT, TRACE or TRACK)"
			}
		}
	}
	return false, ""
}

// isUnsafeRequestHeaderByte: Fetch §2.2.2 CORS-unsafe request-header byte.
func isUnsafeRequestHeaderByte(b byte) bool {
	return (b < 0x20 && b != '\t') || b == 0x7f || strings.IndexByte("\"():<>?@[\\]{}", b) >= 0
}

func firstUnsafeByte(v string) (byte, bool) {
	for i := 0; i < len(v); i++ {
		if isUnsafeRequestHeaderByte(v[i]) {
			return v[i], true
		}
	}
	return 0, false
}

// isLanguageByte: the bytes Accept-Language and Content-Language may hold
// (0-9 A-Z a-z space * , - . ; =).
func isLanguageByte(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte(" *,-.;=", b) >= 0
}

// safelistedMIMETypes are the three Content-Type essences a simple request may
// carry.
var safelistedMIMETypes = map[string]bool{
	"application/x-www-form-urlencoded": true,
	"multipart/form-data":               true,
	"text/plain":                        true,
}

// mimeEssence parses a Content-Type value far enough to get its essence (MIME
// Sniffing "parse a MIME type": type "/" subtype, both tokens, parameters
// ignored), lowercased; ok is false when it does not parse.
func mimeEssence(v string) (essence string, ok bool) {
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	v = normalizeHeaderValue(v)
	typ, sub, found := strings.Cut(v, "/")
	if !found || !syntax.IsToken(typ) || !syntax.IsToken(sub) {
		return "", false
	}
	return strings.ToLower(typ + "/" + sub), true
}

// isSimpleRange reports whether v is one range "bytes=N-" or "bytes=N-M" with
// N <= M and no whitespace (Fetch §2.2.2 simple range header value; Chromium
// also accepts "Bytes=" in any case).
func isSimpleRange(v string) bool {
	if len(v) < 6 || !strings.EqualFold(v[:6], "bytes=") {
		return false
	}
	start, end, found := strings.Cut(v[6:], "-")
	if !found || start == "" {
		return false
	}
	s, ok := parseDigits(start)
	if !ok {
		return false
	}
	if end == "" {
		return true
	}
	e, ok := parseDigits(end)
	return ok && s <= e
}

// parseDigits parses 1*DIGIT into an int64; ok is false on overflow.
func parseDigits(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// isIntABNF: 1*DIGIT. isDecimalABNF: 1*DIGIT [ "." 1*DIGIT ] (Chromium's
// IsSimilarToIntABNF / IsSimilarToDoubleABNF for client hints).
func isIntABNF(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func isDecimalABNF(v string) bool {
	whole, frac, found := strings.Cut(v, ".")
	return isIntABNF(whole) && (!found || isIntABNF(frac))
}

// chromiumClientHints are the request headers Chromium safelists beyond the
// standard's list (services/network/public/cpp/cors/cors.cc
// IsCorsSafelistedHeader); its sec-ch-* entries are left out because fetch()
// drops every Sec- header anyway.
var chromiumClientHints = map[string]bool{
	"intervention": true, "device-memory": true, "dpr": true, "width": true,
	"viewport-width": true, "rtt": true, "downlink": true, "ect": true, "save-data": true,
}

// safelistedRequestHeader implements Fetch §2.2.2 "CORS-safelisted
// request-header" for a lowercase name and a normalized value; with
// clientHints, Chromium's client hints count too (cors.cc
// IsCorsSafelistedHeader), as they do in Chromium alone. When it is not safelisted, why says so
// in words for the preflight reasons.
func safelistedRequestHeader(lower, value string, clientHints bool) (ok bool, why string) {
	known := clientHints && chromiumClientHints[lower]
	switch lower {
	case "accept", "accept-language", "content-language", "content-type", "range":
		known = true
	}
	if !known {
		return false, fmt.Sprintf("header %s is not CORS-safelisted", lower)
	}
	if len(value) > 128 {
		return false, fmt.Sprintf("header %s value exceeds 128 bytes (%d)", lower, len(value))
	}
	switch lower {
	case "accept":
		if b, bad := firstUnsafeByte(value); bad {
			return false, fmt.Sprintf("header accept value contains %q, a byte no safelisted value may contain", b)
		}
	case "accept-language", "content-language":
		for i := 0; i < len(value); i++ {
			if !isLanguageByte(value[i]) {
				return false, fmt.Sprintf("header %s value contains %q; only 0-9 A-Z a-z, space and * , - . ; = are safelisted", lower, value[i])
			}
		}
	case "content-type":
		if b, bad := firstUnsafeByte(value); bad {
			return false, fmt.Sprintf("header content-type value contains %q, a byte no safelisted value may contain", b)
		}
		essence, parsed := mimeEssence(value)
		if !parsed {
			return false, fmt.Sprintf("header content-type value %q is not a valid MIME type", value)
		}
		if !safelistedMIMETypes[essence] {
			return false, fmt.Sprintf("header content-type has value %s, which is not one of the three safelisted MIME types", value)
		}
	case "range":
		if !isSimpleRange(value) {
			return false, fmt.Sprintf("header range value %q is not a single range bytes=N- or bytes=N-M", value)
		}
	case "device-memory", "dpr", "downlink":
		if !isDecimalABNF(value) {
			return false, fmt.Sprintf("header %s value %q is not a number like 2 or 1.5", lower, value)
		}
	case "width", "viewport-width", "rtt":
		if !isIntABNF(value) {
			return false, fmt.Sprintf("header %s value %q is not a whole number", lower, value)
		}
	case "ect":
		switch value {
		case "slow-2g", "2g", "3g", "4g":
		default:
			return false, fmt.Sprintf("header ect value %q is not one of slow-2g, 2g, 3g, 4g", value)
		}
	case "save-data":
		if !strings.EqualFold(value, "on") {
			return false, fmt.Sprintf("header save-data value %q is not \"on\"", value)
		}
	}
	return true, ""
}

// isNoCORSSafelistedName: Fetch §2.2.2 no-CORS-safelisted request-header name.
func isNoCORSSafelistedName(lower string) bool {
	switch lower {
	case "accept", "accept-language", "content-language", "content-type":
		return true
	}
	return false
}
