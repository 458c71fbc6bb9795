package siteB

import (
	"net/http"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
)

// serveActual answers an actual (non-preflight) request: the policy's
// headers, then the API — unless the policy plays a server failure path
// (policy.Fail…), a layer in front of or around the CORS layer that
// answers without its headers.
func (s *Server) serveActual(p *policy.Policy, rec *recordingWriter, r *http.Request) {
	h := rec.Header()
	path := r.URL.Path
	api := strings.HasPrefix(path, "/api/") && path != WSPath
	switch {
	case p.Fails(policy.FailRedirectHTTPS) && (api || strings.HasPrefix(path, "/kinds/")):
		h.Set("Location", "https://"+r.Host+r.URL.RequestURI())
		rec.WriteHeader(http.StatusMovedPermanently)
		return
	case p.Fails(policy.FailRedirectTrailingSlash) && api:
		if strings.HasSuffix(path, "/") {
			r.URL.Path = strings.TrimSuffix(path, "/") // the canonical URL, served
		} else if r.Method == http.MethodGet || r.Method == http.MethodHead {
			loc := path + "/"
			if r.URL.RawQuery != "" {
				loc += "?" + r.URL.RawQuery
			}
			h.Set("Location", loc)
			rec.WriteHeader(http.StatusMovedPermanently)
			return
		}
	}
	after := p.Fails(policy.FailAuthAfterCORS)
	if (after || p.Fails(policy.FailAuthBeforeCORS)) && api && !authenticated(r) {
		if after {
			p.WriteActual(h, r)
		}
		h.Set("WWW-Authenticate", `Bearer realm="site B"`)
		writeJSON(rec, http.StatusUnauthorized, errorBody("the auth layer: no session cookie and no Authorization header"))
		return
	}
	p.WriteActual(h, r)
	if !p.Fails(policy.FailErrorWithoutCORS) {
		s.api.ServeHTTP(rec, r)
		return
	}
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	s.api.ServeHTTP(&stripOnError{recordingWriter: rec, names: names}, r)
}

// authenticated is the auth layer's test: a session cookie or an
// Authorization header, of any value (login and logout pass freely).
func authenticated(r *http.Request) bool {
	if r.URL.Path == "/api/login" || r.URL.Path == "/api/logout" || r.Header.Get("Authorization") != "" {
		return true
	}
	_, err := r.Cookie(SessionCookie)
	return err == nil
}

// nginxSuccess are the statuses nginx's add_header applies to without
// "always" (ngx_http_headers_module): any other response goes without.
var nginxSuccess = []int{200, 201, 204, 206, 301, 302, 303, 304, 307, 308}

// stripOnError removes the policy's headers from a response whose status
// is not one of nginxSuccess, as it is committed.
type stripOnError struct {
	*recordingWriter
	names []string
}

func (w *stripOnError) WriteHeader(code int) {
	if w.status == 0 && !slices.Contains(nginxSuccess, code) {
		for _, n := range w.names {
			w.Header().Del(n)
		}
	}
	w.recordingWriter.WriteHeader(code)
}

func (w *stripOnError) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.recordingWriter.Write(b)
}
