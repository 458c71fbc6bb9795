package siteA

import (
	"net"
	"net/http"
	"strings"
)

// pageHeaders sets the security headers of the page (GET /).
//
// The Content-Security-Policy (CSP Level 3, https://www.w3.org/TR/CSP3/)
// allows exactly what the page does and nothing else: its module scripts
// and stylesheet from /static/ (no inline script, style or handler
// anywhere), fetch()es to site A (the lab's API, the same-origin lesson)
// and to site B, the live log's websocket on site A and the websocket
// lesson's on site B, and the null-origin lesson's sandboxed iframe, which
// site A serves at /trial/<id>. The sequence diagram is inline SVG in the
// DOM, not an image.
//
// frame-ancestors 'self' (CSP3 §6.4.2) and X-Frame-Options: SAMEORIGIN
// (RFC 7034, for browsers without CSP3) keep other sites from framing the
// page and clickjacking its buttons.
func (s *Server) pageHeaders(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", s.pagePolicy(r.Host))
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
}

// pagePolicy is the page's Content-Security-Policy when it is loaded from
// host (the request's Host, host:port). The page reaches site B on the
// host it was loaded from (origins.js), so site B's origin is that host
// with site B's port.
func (s *Server) pagePolicy(host string) string {
	name, _, err := net.SplitHostPort(host)
	connect := "'self'"
	if err == nil && cspHost(host) {
		siteB := net.JoinHostPort(strings.Trim(name, "[]"), s.cfg.SiteBPort)
		connect += " http://" + siteB + " ws://" + host + " ws://" + siteB
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; connect-src " + connect +
		"; img-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
}

// cspHost reports whether host (host:port, or [ipv6]:port) can be written
// into a source expression as it is: letters, digits, '-', '.', ':' and
// the brackets of an IPv6 literal, nothing that could end the expression.
func cspHost(host string) bool {
	for _, c := range host {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("-.:[]", c)
		if !ok {
			return false
		}
	}
	return host != ""
}
