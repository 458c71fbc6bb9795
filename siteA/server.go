// Package siteA is the page's origin: it serves the page that fires
// fetch()es at site B, the lab's control API (/lab/policy) and the live log
// (/lab/ws). All of it is same-origin with the page on purpose: the lab's
// own plumbing never depends on the CORS headers being toggled.
package siteA

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/static"
)

// PolicyStore is site B's policy as the control API sees it.
type PolicyStore interface {
	// PolicyJSON returns the policy document in force.
	PolicyJSON() []byte
	// ReplacePolicy puts a new document in force, or returns why it is
	// invalid, leaving the old one in force.
	ReplacePolicy(document []byte, by string) error
}

// Config is what site A needs to know about the lab.
type Config struct {
	// SiteBPort is site B's port; the page reaches site B on the host it
	// was itself loaded from, so a classroom LAN works.
	SiteBPort string
	// Origins are the origins the page may be loaded from (site A's own);
	// the websocket accepts only these. When AnyHost is set, any origin
	// whose host is the request's Host is accepted too (LAN use).
	Origins []string
	AnyHost bool
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
	editMu  sync.Mutex   // orders the page's read-modify-write policy edits (policyedit.go)
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
	s.mux.Handle("PUT /lab/policy", sameOriginOnly(http.HandlerFunc(s.putPolicy)))
	s.mux.Handle("POST /lab/policy/edit", sameOriginOnly(http.HandlerFunc(s.editPolicy)))
	s.mux.Handle("POST /lab/policy/fix", sameOriginOnly(http.HandlerFunc(s.fixPolicy)))
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
	w.Header().Set("Cache-Control", "no-store")
	s.pageHeaders(w, r)
	http.ServeFileFS(w, r, static.Files, "index.html")
}

// LabConfig is what the page learns at start-up from GET /lab/config.
type LabConfig struct {
	SiteBPort string `json:"siteBPort"`
}

func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(LabConfig{SiteBPort: s.cfg.SiteBPort})
}

func (s *Server) getPolicy(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.policy.PolicyJSON())
}

func (s *Server) putPolicy(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "policy: larger than 1 MiB", http.StatusRequestEntityTooLarge)
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

// originAllowed reports whether a websocket may be opened from origin.
// Websockets are not covered by CORS: without this check any site could
// read the live log. An absent Origin (a non-browser client) is allowed.
func (s *Server) originAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	for _, o := range s.cfg.Origins {
		if origin == o {
			return true
		}
	}
	host, ok := strings.CutPrefix(origin, "http://")
	return s.cfg.AnyHost && ok && host == r.Host
}
