package siteB

import (
	"net/http"
	"strings"
)

// mask replaces a secret value on the live log.
const mask = "‹masked›"

// secretHeaders are the headers whose values are credentials (RFC 9110
// §11.6.2 Authorization, §11.7.2 Proxy-Authorization; RFC 6265 §4 Cookie
// and Set-Cookie).
var secretHeaders = []string{"Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// maskSecrets returns h with the values of secret headers masked: h itself
// when it has none, else a copy (h may be the request's own map). What
// CORS depends on stays: the header's presence, an authorization's scheme,
// a cookie's name and a Set-Cookie's attributes (SameSite, Secure…).
func maskSecrets(h http.Header) http.Header {
	var out http.Header
	for _, k := range secretHeaders {
		vs, ok := h[k]
		if !ok {
			continue
		}
		if out == nil {
			out = h.Clone()
		}
		masked := make([]string, len(vs))
		for i, v := range vs {
			masked[i] = maskValue(k, v)
		}
		out[k] = masked
	}
	if out == nil {
		return h
	}
	return out
}

func maskValue(name, v string) string {
	switch name {
	case "Authorization", "Proxy-Authorization":
		if scheme, _, ok := strings.Cut(v, " "); ok {
			return scheme + " " + mask
		}
		return mask
	case "Cookie":
		pairs := strings.Split(v, ";")
		for i, p := range pairs {
			n, _, _ := strings.Cut(p, "=")
			pairs[i] = n + "=" + mask
		}
		return strings.Join(pairs, ";")
	default: // Set-Cookie: name=value; attributes
		first, attrs, _ := strings.Cut(v, ";")
		n, _, _ := strings.Cut(first, "=")
		if attrs != "" {
			attrs = ";" + attrs
		}
		return n + "=" + mask + attrs
	}
}
