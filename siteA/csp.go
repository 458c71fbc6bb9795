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
// host (the request's Host).
//
// A source expression cannot name an IPv6 literal (CSP3 §2.3.1's
// host-char has no brackets or colons; Chromium ignores such a source):
// on one, site B is named by its port on any host, http://*:port, and
// site A's websocket by 'self', which matches ws: on the page's own host
// and port (CSP3 §6.7.2.8).
func (s *Server) pagePolicy(host string) string {
	connect := "'self'"
	if a, b, ok := s.hostOrigins(host); ok {
		if strings.HasPrefix(host, "[") {
			b = "http://*:" + s.cfg.SiteBPort
			connect += " " + b + " " + wsOrigin(b)
		} else {
			connect += " " + b + " " + wsOrigin(a) + " " + wsOrigin(b)
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; connect-src " + connect +
		"; img-src 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
}

// hostOrigins returns site A's and site B's origins as a page loaded from
// host (the request's Host: host, or host:port) sees them: the page
// reaches site B on the host it was loaded from, with site B's port
// (static/origins.js). ok is false for a host that cannot be written into
// a header or a source expression as it is.
func (s *Server) hostOrigins(host string) (a, b string, ok bool) {
	if !cspHost(host) {
		return "", "", false
	}
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	return "http://" + host, "http://" + net.JoinHostPort(strings.Trim(name, "[]"), s.cfg.SiteBPort), true
}

func wsOrigin(httpOrigin string) string { return "ws" + strings.TrimPrefix(httpOrigin, "http") }

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
