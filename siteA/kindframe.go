package siteA

import (
	"io"
	"net/http"
	"strings"

	"github.com/corslab/corslab/internal/journal"
)

// kindFrame serves GET /trial/{id}?kinds: a blank same-origin document in
// which the page makes a request of another kind than fetch() (an <img>, a
// <script>, a FontFace, an EventSource, sendBeacon, a <form>, an <iframe>;
// static/kinds.js). Its URL goes out as the Referer of every request made
// in it, which names the trial to site B without changing the request's
// URL or headers: Referrer-Policy: unsafe-url (Referrer Policy §3) sends it
// in full to another origin.
//
// Its Content-Security-Policy (CSP Level 3) allows site B, and nothing
// else, for exactly what the kinds fetch, each directive for one kind:
// img-src (the <img>), font-src (the FontFace), script-src (the module and
// classic scripts), connect-src (XMLHttpRequest, EventSource, sendBeacon),
// frame-src (the <iframe>, and the hidden iframe a form posts into) and
// form-action (the <form>). The document has no script of its own, no
// style and no plugin: default-src 'none'. Only site A's page may frame it.
// The page itself (csp.go) keeps its policy: it never loads from site B.
func (s *Server) kindFrame(w http.ResponseWriter, r *http.Request) {
	if journal.ValidTrialID(r.PathValue("id")) != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", s.kindFramePolicy(r.Host))
	w.Header().Set("Referrer-Policy", "unsafe-url")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, kindFramePage)
}

// kindFramePolicy is the trial frame's Content-Security-Policy when loaded
// from host; with a host that cannot be written into a source expression,
// site B is not allowed at all.
func (s *Server) kindFramePolicy(host string) string {
	b := "'none'"
	if _, origin, ok := s.hostOrigins(host); ok {
		b = origin
		if strings.HasPrefix(host, "[") {
			b = "http://*:" + s.cfg.SiteBPort // CSP3 §2.3.1: no IPv6 literal in a source (csp.go)
		}
	}
	return "default-src 'none'; img-src " + b + "; font-src " + b + "; script-src " + b + "; connect-src " + b +
		"; frame-src " + b + "; form-action " + b + "; frame-ancestors 'self'; base-uri 'none'"
}

const kindFramePage = `<!doctype html><html><head><meta charset="utf-8"><title>corslab trial frame</title></head><body></body></html>
`
