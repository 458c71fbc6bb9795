package siteB

import (
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// Recorder receives every exchange site B serves. *journal.Journal is one.
type Recorder interface {
	Record(*journal.Exchange)
	PolicyChanged(by string, document []byte)
}

// Server is site B: the API, answered under the current Policy, with every
// exchange recorded.
type Server struct {
	policy   atomic.Pointer[Policy]
	recorder Recorder
	api      http.Handler
}

// New returns site B with the Closed policy, recording into rec.
func New(rec Recorder) *Server {
	s := &Server{recorder: rec, api: newAPI()}
	s.policy.Store(Closed())
	return s
}

// Policy returns the policy in force.
func (s *Server) Policy() *Policy { return s.policy.Load() }

// PolicyJSON returns the policy document in force, as JSON.
func (s *Server) PolicyJSON() []byte { return s.Policy().JSON() }

// SetPolicy puts p in force for every request that starts after it, and
// announces the change on the journal. by says who changed it.
func (s *Server) SetPolicy(p *Policy, by string) {
	s.policy.Store(p)
	s.recorder.PolicyChanged(by, p.JSON())
}

// ReplacePolicy parses a policy document and puts it in force; an invalid
// document is an error and the old policy stays.
func (s *Server) ReplacePolicy(data []byte, by string) error {
	p, err := ParsePolicy(data)
	if err != nil {
		return err
	}
	s.SetPolicy(p, by)
	return nil
}

// IsPreflight reports whether r is a CORS preflight (Fetch §4.9): an
// OPTIONS request carrying Access-Control-Request-Method.
func IsPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

// ServeHTTP answers a preflight from the policy alone — it never reaches an
// endpoint — and runs every other request, adding the policy's headers.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	p := s.policy.Load() // one snapshot for the whole exchange
	rec := &recordingWriter{ResponseWriter: w}
	x := &journal.Exchange{
		Method:        r.Method,
		Path:          r.URL.RequestURI(),
		Origin:        r.Header.Get("Origin"),
		Preflight:     IsPreflight(r),
		Trial:         TrialID(r),
		RequestHeader: r.Header.Clone(),
	}
	if x.Preflight {
		p.WritePreflight(w.Header(), r)
		rec.WriteHeader(p.PreflightStatus())
	} else {
		p.WriteActual(w.Header(), r)
		r = r.WithContext(withEffect(r.Context(), &x.Effect))
		s.api.ServeHTTP(rec, r)
	}
	rec.done()
	x.Status, x.ResponseHeader = rec.status, rec.header
	x.Micros = time.Since(start).Microseconds()
	s.recorder.Record(x)
}

// TrialID returns the page's trial ID carried in the Referer
// (http://siteA/trial/<id>), or "" if there is none.
func TrialID(r *http.Request) string {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	id, ok := strings.CutPrefix(u.Path, "/trial/")
	if !ok || journal.ValidTrialID(id) != nil {
		return ""
	}
	return id
}

// recordingWriter remembers the status and a copy of the headers as they
// were when the response was committed.
type recordingWriter struct {
	http.ResponseWriter
	status int
	header http.Header
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.header = w.Header().Clone()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// done settles the status of a handler that wrote nothing.
func (w *recordingWriter) done() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
}

// Unwrap lets http.ResponseController reach Flush and friends.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
