package siteB

import (
	"bufio"
	"maps"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// Recorder receives every exchange site B serves. *journal.Journal is one.
type Recorder interface {
	Record(*journal.Exchange)
	PolicyChanged(by string, document []byte)
}

// Server is site B: the API, answered under the current Policy, with every
// exchange recorded.
type Server struct {
	policy   atomic.Pointer[policy.Policy]
	setMu    sync.Mutex // makes each change (SetPolicy, EditPolicy) and its announcement one step, so the journal's last policy is the one in force
	recorder Recorder
	api      http.Handler
	proxy    *proxy    // proxy mode: forward to the user's server (proxy.go)
	replay   *replayer // replay mode: answer as a recorded server did (replay.go)
	// trialOrigins are site A's origins: only a Referer (or a websocket's
	// Origin) from one of them names a trial (SetTrialOrigins). nil: any.
	trialOrigins []string
	// maskSecrets masks the values of secret headers in what is recorded (MaskSecrets).
	maskSecrets bool
}

// SetTrialOrigins makes site B take a trial ID only from a request whose
// Referer is a page of one of origins (site A's own, e.g.
// http://localhost:7070), or, for a websocket, whose Origin is one of them.
// Any other site could otherwise park exchanges under trials, each kept
// until the trial ages out. Call it before serving.
func (s *Server) SetTrialOrigins(origins []string) { s.trialOrigins = origins }

// MaskSecrets makes site B record the values of Authorization,
// Proxy-Authorization, Cookie and Set-Cookie masked (names, cookie names
// and attributes kept): under -lan the live log is open to a classroom.
// Call it before serving.
func (s *Server) MaskSecrets() { s.maskSecrets = true }

// New returns site B with the Closed policy, recording into rec.
func New(rec Recorder) *Server {
	s := &Server{recorder: rec, api: newAPI()}
	s.policy.Store(policy.Closed())
	return s
}

// Policy returns the policy in force.
func (s *Server) Policy() *policy.Policy { return s.policy.Load() }

// PolicyJSON returns the policy document in force, as JSON.
func (s *Server) PolicyJSON() []byte { return s.Policy().JSON() }

// SetPolicy puts p in force for every request that starts after it, and
// announces the change on the journal. by says who changed it.
func (s *Server) SetPolicy(p *policy.Policy, by string) {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	s.put(p, by)
}

// EditPolicy applies edit to a copy of the policy document in force and
// puts the result in force, announced as by's change, in one step with
// every other change: an edit from the page and one from the TUI made at
// the same moment both take, neither overwrites the other with a stale
// copy. An edit that fails, or leaves an invalid document, is an error and
// the old policy stays.
func (s *Server) EditPolicy(by string, edit func(*policy.Document) error) error {
	s.setMu.Lock()
	defer s.setMu.Unlock()
	d := s.policy.Load().Document()
	if err := edit(&d); err != nil {
		return err
	}
	p, err := policy.NewPolicy(d)
	if err != nil {
		return err
	}
	s.put(p, by)
	return nil
}

// put puts p in force and announces it. Callers hold setMu.
func (s *Server) put(p *policy.Policy, by string) {
	s.policy.Store(p)
	s.recorder.PolicyChanged(by, p.JSON())
}

// ReplacePolicy parses a policy document and puts it in force; an invalid
// document is an error and the old policy stays.
func (s *Server) ReplacePolicy(data []byte, by string) error {
	p, err := policy.ParsePolicy(data)
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
	e := newExchange(w, r)
	if e.x.Trial != "" && s.trialOrigins != nil && !s.fromSiteA(r) {
		e.x.Trial = ""
	}
	if s.proxy != nil {
		s.proxy.serve(e, r, p)
	} else if s.replay != nil {
		s.replay.serve(e, r, p)
	} else if e.x.Preflight {
		p.WritePreflight(w.Header(), r)
		e.rec.WriteHeader(p.PreflightStatus())
	} else {
		s.serveActual(p, &e.rec, r) // the policy's headers and the API (failures.go)
	}
	s.record(e, start)
}

// newExchange starts recording r: the request's side of the exchange, and
// a writer that watches the response.
func newExchange(w http.ResponseWriter, r *http.Request) *exchange {
	e := &exchange{rec: recordingWriter{ResponseWriter: w}}
	e.x = journal.Exchange{
		Method:    ownMethod(r.Method),
		Path:      journal.ClipNote(r.URL.RequestURI(), maxRecordedPath),
		Origin:    journal.Clip(r.Header.Get("Origin"), maxRecordedPath),
		Preflight: IsPreflight(r),
		Trial:     TrialID(r),
	}
	// The request's headers as they came. net/http gives every request a
	// Header map of its own and never changes it after the handler
	// returns, and nothing in site B changes a request's headers (the
	// proxy forwards a clone): the journal keeps that map (keepHeader).
	e.x.RequestHeader, e.x.HeaderSize = keepHeader(r.Header, &e.x.Truncated)
	if e.x.Trial == "" {
		e.x.Trial = wsTrialID(r)
	}
	if e.x.Trial != "" {
		e.x.Trial = strings.Clone(e.x.Trial) // a slice of a Referer or of the request line: do not keep all of it
	}
	return e
}

// maxRecordedPath bounds the path and query (and Origin) the journal
// keeps: longer ones are cut, with a mark.
const maxRecordedPath = 2 << 10

// ownMethod returns the method as a string of its own: net/http's
// r.Method is a slice of the request line, and keeping it would keep the
// whole line — a 60 KB query string with it — for as long as the journal
// keeps the exchange. The usual methods are constants: no allocation.
func ownMethod(m string) string {
	for _, c := range [...]string{"GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH", "HEAD"} {
		if m == c {
			return c
		}
	}
	return strings.Clone(journal.Clip(m, 64))
}

// record completes e with the response and hands it to the recorder.
func (s *Server) record(e *exchange, start time.Time) {
	rec, x := &e.rec, &e.x
	rec.done()
	x.Status = rec.status
	if rec.effect.Kind != trial.NoneEffect {
		x.Effect = &rec.effect // in e, which the journal keeps with x: no allocation
	}
	var size int
	x.ResponseHeader, size = keepHeader(rec.header, &x.Truncated)
	x.HeaderSize += size
	if s.maskSecrets { // values change: the journal measures them again
		x.HeaderSize = 0
		x.RequestHeader = maskSecrets(x.RequestHeader)
		x.ResponseHeader = maskSecrets(x.ResponseHeader)
		x.UpstreamHeader = maskSecrets(x.UpstreamHeader)
	}
	x.Micros = time.Since(start).Microseconds()
	rec.ResponseWriter, rec.header = nil, nil // the journal keeps x, and with it e: not the connection's writer
	s.recorder.Record(x)
}

// exchange is what recording one request needs, in one allocation: the
// writer that watches the response, and the record itself.
type exchange struct {
	rec recordingWriter
	x   journal.Exchange
}

// fromSiteA reports whether r's trial ID came from site A's page: its
// Referer is under one of site A's origins, or (a websocket handshake,
// which names its trial in the query) its Origin is one of them.
func (s *Server) fromSiteA(r *http.Request) bool {
	ref, origin := r.Header.Get("Referer"), r.Header.Get("Origin")
	for _, o := range s.trialOrigins {
		if rest, ok := strings.CutPrefix(ref, o); ok && strings.HasPrefix(rest, "/trial/") || r.URL.Path == WSPath && origin == o {
			return true
		}
	}
	return false
}

// TrialID returns the page's trial ID carried in the Referer
// (http://siteA/trial/<id>), or "" if there is none.
func TrialID(r *http.Request) string {
	ref := r.Header.Get("Referer")
	if ref == "" {
		return ""
	}
	path, ok := refererPath(ref)
	if !ok {
		u, err := url.Parse(ref)
		if err != nil {
			return ""
		}
		path = u.Path
	}
	id, ok := strings.CutPrefix(path, "/trial/")
	if !ok || journal.ValidTrialID(id) != nil {
		return ""
	}
	return id
}

// refererPath is url.Parse(ref).Path without the allocation, for the
// Referers browsers send: http(s)://host[:port]/path[?query][#fragment]
// with a plain host and nothing escaped. ok is false for anything else,
// which the caller hands to url.Parse.
func refererPath(ref string) (path string, ok bool) {
	for i := 0; i < len(ref); i++ {
		if c := ref[i]; c == '%' || c < 0x20 || c == 0x7f {
			return "", false // escapes to undo or check, or bytes url.Parse refuses
		}
	}
	rest, found := strings.CutPrefix(ref, "http://")
	if !found {
		if rest, found = strings.CutPrefix(ref, "https://"); !found {
			return "", false
		}
	}
	host := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		host, rest = rest[:i], rest[i:]
	} else {
		rest = ""
	}
	if !plainHost(host) {
		return "", false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// plainHost reports whether host is a name or IPv4 address with an
// optional numeric port: nothing that url.Parse might refuse or unescape.
func plainHost(host string) bool {
	name, port, hasPort := strings.Cut(host, ":")
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	if hasPort {
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}

// recordingWriter remembers the status and the headers the response was
// committed with, and what the endpoint said it did
// (setEffect).
type recordingWriter struct {
	http.ResponseWriter
	status int
	header http.Header
	effect trial.Effect
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		// The headers as committed. net/http sends a copy it takes now,
		// and site B's handlers set every header before WriteHeader: the
		// journal keeps the map itself (the proxy, whose ReverseProxy adds
		// trailers to it after the body, keeps a copy: dropInterim).
		w.header = w.Header()
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

// Hijack hands the connection to the websocket endpoint (the upgrader
// asserts http.Hijacker). The exchange is a protocol switch: recorded as
// 101 with the headers set so far, which the upgrader sends with its own
// handshake headers.
func (w *recordingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil && w.status == 0 {
		w.status = http.StatusSwitchingProtocols
		w.header = maps.Clone(w.Header())
	}
	return c, brw, err
}

// Unwrap lets http.ResponseController reach Flush and friends.
func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
