// Package siteA is the page's origin: it serves the page that fires
// fetch()es at site B, the lab's control API (/lab/policy) and the live log
// (/lab/ws). All of it is same-origin with the page on purpose: the lab's
// own plumbing never depends on the CORS headers being toggled.
package siteA

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/regularfile"
	"github.com/corslab/corslab/static"
)

// PolicyStore is site B's policy as the control API sees it.
type PolicyStore interface {
	// PolicyJSON returns the policy document in force.
	PolicyJSON() []byte
	// ReplacePolicy puts a new document in force, or returns why it is
	// invalid, leaving the old one in force.
	ReplacePolicy(document []byte, by string) error
	// EditPolicy applies edit to the document in force and puts the
	// result in force, in one step with every other change; on error the
	// old one stays.
	EditPolicy(by string, edit func(*policy.Document) error) error
}

// Config is what site A needs to know about the lab.
type Config struct {
	// SiteBPort is site B's port; the page reaches site B on the host it
	// was itself loaded from, so a classroom LAN works.
	SiteBPort string
	// Origins are the origins the page may be loaded from (site A's own,
	// under each of its names: under -lan the machine's addresses too);
	// the websocket accepts only these. They are compared with the
	// configured names, never with the request's Host, which a DNS-rebinding
	// page sets to its own name (internal/hostguard).
	Origins []string
	// TeacherToken, when set (-lan), reserves changes to the policy and the
	// lessons to the teacher: loopback peers, and whoever opened the page
	// with ?teacher=<token> (a cookie then carries it). Other machines get
	// 403 "the teacher controls the policy". A live-log client on another
	// machine must send an Origin.
	TeacherToken string
	// Progress is the lessons' progress file; "" keeps it in memory.
	Progress string
	// Upstream is the URL site B proxies to (corslab -upstream), "" when
	// site B serves its own endpoints; the page shows it.
	Upstream string
	// Scenario is the bug of the catalogue the lab started in (corslab
	// -scenario NAME): the page shows it instead of a lesson.
	Scenario string
	// Replay is set when site B replays a HAR (corslab -replay): the page
	// offers its recorded calls as presets (replay.go).
	Replay *Replay
}

// Server is site A.
type Server struct {
	cfg     Config
	journal *journal.Journal
	policy  PolicyStore
	mux     *http.ServeMux
	started time.Time
	ctx     context.Context // ends the live log's connections on Close
	close   context.CancelFunc
	lessons *lessons
	live    *broadcaster // the live log's frames
}

// New returns site A.
func New(cfg Config, j *journal.Journal, p PolicyStore) *Server {
	s := &Server{cfg: cfg, journal: j, policy: p, mux: http.NewServeMux(), started: time.Now()}
	s.ctx, s.close = context.WithCancel(context.Background())
	s.live = newBroadcaster(j.Hub())
	go s.live.run(s.ctx)
	page, _ := fs.Sub(static.Files, ".")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(page)))
	s.mux.HandleFunc("GET /{$}", s.index)
	s.mux.HandleFunc("GET /lab/config", s.config)
	s.mux.Handle("GET /lab/policy", sameOriginOnly(http.HandlerFunc(s.getPolicy)))
	s.mux.Handle("PUT /lab/policy", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.putPolicy))))
	s.mux.Handle("POST /lab/policy/edit", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.editPolicy))))
	s.mux.Handle("POST /lab/policy/fix", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.fixPolicy))))
	s.mux.HandleFunc("GET /lab/ws", s.serveWS)
	s.mux.HandleFunc("GET /lab/replay", s.getReplay)
	s.lessons = newLessons(cfg.Progress, j, p)
	s.routeLessons()
	s.routeScenarios()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close ends every live-log connection. http.Server.Shutdown does not wait
// for them: they are hijacked.
func (s *Server) Close() { s.close() }

func (s *Server) index(w http.ResponseWriter, r *http.Request) {
	if tok := r.URL.Query().Get("teacher"); tok != "" && s.cfg.TeacherToken != "" {
		s.teacherLogin(w, r, tok)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.pageHeaders(w, r)
	http.ServeFileFS(w, r, static.Files, "index.html")
}

// LabConfig is what the page learns at start-up from GET /lab/config.
type LabConfig struct {
	SiteBPort string `json:"siteBPort"`
	// Teacher is whether this page may change the policy and the lessons
	// (isTeacher): a student's page under -lan shows no editor controls.
	Teacher bool `json:"teacher"`
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(LabConfig{SiteBPort: s.cfg.SiteBPort, Teacher: s.isTeacher(r)})
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.policy.PolicyJSON())
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		bodyError(w, "policy", err)
		return
	}
	if err := s.policy.ReplacePolicy(body, "control API"); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.policy.PolicyJSON())
}

// sameOriginOnly refuses cross-origin browser requests with 403, for every
// method: the control API changes the lab, and even reading it is not for
// other sites. Requests without Origin or Sec-Fetch-Site (curl, scripts)
// pass. The check is net/http's CrossOriginProtection, which exempts safe
// methods, so it is asked as if every request were unsafe.
func sameOriginOnly(h http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		probe := r.Clone(r.Context())
		probe.Method = http.MethodPut
		if err := cop.Check(probe); err != nil {
			http.Error(w, "control API: "+err.Error()+" (only site A's own page may use it)", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// bodyError answers a request body that could not be read: too large
// (413), or too slow or cut short (408: the server's ReadTimeout, or the
// client went away) — never "too large" for a body that was merely slow.
func bodyError(w http.ResponseWriter, what string, err error) {
	var tooBig *http.MaxBytesError
	var netErr net.Error
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, fmt.Sprintf("%s: larger than %s", what, regularfile.Size(tooBig.Limit)), http.StatusRequestEntityTooLarge)
	case errors.As(err, &netErr) && netErr.Timeout():
		http.Error(w, what+": the upload timed out before the body was complete", http.StatusRequestTimeout)
	default:
		http.Error(w, what+": reading the body: "+err.Error(), http.StatusBadRequest)
	}
}

// originAllowed reports whether a websocket may be opened from origin.
// Websockets are not covered by CORS: without this check any site could
// read the live log. The origin is compared with site A's configured
// origins, not with r.Host. An absent Origin (a non-browser client) is
// allowed from this machine only.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return loopbackPeer(r)
	}
	return slices.Contains(s.cfg.Origins, origin)
}

// loopbackPeer reports whether r comes from this machine.
func loopbackPeer(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// teacherCookie carries the teacher's token (Config.TeacherToken). Its
// path keeps it off site B's requests (same host, another port: cookies
// ignore ports, RFC 6265 §8.5) and off the live log.
const teacherCookie = "corslab_teacher"

// teacherLogin answers the teacher link /?teacher=<token>: the right token
// sets the cookie and sends the browser to the page; a wrong one is 403.
func (s *Server) teacherLogin(w http.ResponseWriter, r *http.Request, tok string) {
	if subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.TeacherToken)) != 1 {
		http.Error(w, "corslab: wrong teacher token: open the teacher link corslab printed", http.StatusForbidden)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: teacherCookie, Value: tok, Path: "/lab/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// isTeacher reports whether r may change the lab: always without -lan;
// under -lan from this machine, or with the teacher's token (the cookie,
// or "Authorization: Bearer <token>" for scripts).
func (s *Server) isTeacher(r *http.Request) bool {
	if s.cfg.TeacherToken == "" || loopbackPeer(r) {
		return true
	}
	tok := ""
	if c, err := r.Cookie(teacherCookie); err == nil {
		tok = c.Value
	} else if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		tok = b
	}
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.cfg.TeacherToken)) == 1
}

// teacherOnly refuses changes from students under -lan (isTeacher).
func (s *Server) teacherOnly(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.isTeacher(r) {
			http.Error(w, "corslab: the teacher controls the policy and the lessons (-lan): ask them, or use the teacher link", http.StatusForbidden)
			return
		}
		h.ServeHTTP(w, r)
	})
}
