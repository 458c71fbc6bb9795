package fetch

import (
	"net/http"
	"sort"
	"strings"
)

// isSafelistedResponseHeader: Fetch §2.2.2 CORS-safelisted response-header
// name (lowercase), readable by JavaScript on every CORS response.
func isSafelistedResponseHeader(lower string) bool {
	switch lower {
	case "cache-control", "content-language", "content-length", "content-type",
		"expires", "last-modified", "pragma":
		return true
	}
	return false
}

// isForbiddenResponseHeader: Fetch §2.2.2 forbidden response-header name,
// never readable by JavaScript.
func isForbiddenResponseHeader(lower string) bool {
	return lower == "set-cookie" || lower == "set-cookie2"
}

// presentNames returns the lowercase names of the header lines in h, unique.
func presentNames(h http.Header) []string {
	seen := make(map[string]bool, len(h))
	names := make([]string, 0, len(h))
	for k, v := range h {
		if len(v) == 0 {
			continue
		}
		l := strings.ToLower(k)
		if !seen[l] {
			seen[l] = true
			names = append(names, l)
		}
	}
	return names
}

// readableHeaders lists what response.headers shows JavaScript for a CORS
// response (Fetch §2.2.6 CORS filtered response, with the CORS-exposed
// header-name list that "main fetch" sets): the safelisted response-header names
// plus those Access-Control-Expose-Headers lists — all of them for * when the
// credentials mode is not "include" (with "include", * is a header literally
// named *) — never Set-Cookie. Only headers present in the response count;
// lowercase, sorted.
func readableHeaders(h http.Header, credentials string) []string {
	names := presentNames(h)
	exposed := make(map[string]bool, len(names)) // present name -> listed
	for _, n := range names {
		exposed[n] = false
	}
	star := false
	aceh, _ := headerValue(h, "Access-Control-Expose-Headers")
	if !scanList(aceh, func(item string) {
		item = lowerASCII(item)
		star = star || item == "*"
		if _, present := exposed[item]; present {
			exposed[item] = true
		}
	}) {
		// An unparsable list exposes nothing (checked in Chromium 156).
		clear(exposed)
		star = false
	}
	all := credentials != credInclude && star
	out := []string{}
	for _, name := range names {
		if isForbiddenResponseHeader(name) {
			continue
		}
		if all || isSafelistedResponseHeader(name) || exposed[name] {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// basicReadableHeaders lists what response.headers shows for a same-origin
// (basic) response: everything but Set-Cookie.
func basicReadableHeaders(h http.Header) []string {
	out := []string{}
	for _, name := range presentNames(h) {
		if !isForbiddenResponseHeader(name) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
