package siteA

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/corslab/corslab/internal/content/lesson"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// maxLessonTrials bounds the settled trials a lesson's check looks at.
const maxLessonTrials = 200

// LessonState is the lessons' progress as GET /lab/progress returns it and
// the live log announces it (event kind "lesson").
type LessonState struct {
	Current int      `json:"current"` // 1-based
	Total   int      `json:"total"`
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Done    []string `json:"done"`      // IDs of the lessons completed
	Solved  bool     `json:"completed"` // the current lesson is done
	// JustDone is set on the announcement of the trial that completed it.
	JustDone bool `json:"justDone,omitempty"`
	// Trial is the trial that completed it, on that announcement.
	Trial string `json:"trial,omitempty"`
	// Warning is the last problem saving the progress file, one line.
	Warning string `json:"warning,omitempty"`
	// Rev numbers the states of this run of the lab: every change has a
	// higher one. The page gets the state from GET /lab/progress and from
	// the live log, in no set order, and keeps the one with the highest.
	Rev uint64 `json:"rev"`
}

// lessons follows the learner: the current lesson, the trials settled since
// it started, and what is done.
type lessons struct {
	file    string
	journal *journal.Journal
	policy  PolicyStore
	all     []lesson.Lesson

	mu      sync.Mutex
	prog    progress
	trials  []*journal.Trial
	warning string
	rev     uint64 // LessonState.Rev
}

func newLessons(file string, j *journal.Journal, p PolicyStore) *lessons {
	l := &lessons{file: file, journal: j, policy: p, all: lesson.All()}
	prog, err := loadProgress(file)
	if err != nil {
		l.warning = err.Error()
	}
	prog.Current = min(max(prog.Current, 1), len(l.all))
	l.prog = prog
	return l
}

// check looks at trial id, just settled (the page reported its outcome),
// for the current lesson. It runs on the reporting connection's reader,
// after the journal has judged the trial (a websocket or a navigation has no verdict).
func (l *lessons) check(id string) {
	if t, ok := l.journal.Trial(id); ok && t.Outcome != nil && (t.Verdict != nil || t.Request.Mode == trial.ModeWebSocket || t.Happened.Navigation) {
		l.settled(t)
	}
}

func (l *lessons) settled(t *journal.Trial) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if i := slices.IndexFunc(l.trials, func(o *journal.Trial) bool { return o.ID == t.ID }); i >= 0 {
		l.trials[i] = t // judged again after a late exchange
	} else {
		l.trials = append(l.trials, t)
		if len(l.trials) > maxLessonTrials {
			l.trials = slices.Delete(l.trials, 0, 1)
		}
	}
	cur := l.all[l.prog.Current-1]
	if slices.Contains(l.prog.Done, cur.ID) {
		return
	}
	doc, _ := policy.ParseDocument(l.policy.PolicyJSON())
	if !cur.Check(lesson.Attempt{Trials: l.trials, Policy: doc}) {
		return
	}
	l.prog.Done = append(l.prog.Done, cur.ID)
	l.save()
	l.announce(t.ID)
}

// save writes the progress file; callers hold mu. A failure is a warning.
func (l *lessons) save() {
	l.warning = ""
	if err := saveProgress(l.file, l.prog); err != nil {
		l.warning = err.Error()
	}
}

// state returns the lessons' state; callers hold mu.
func (l *lessons) state() LessonState {
	cur := l.all[l.prog.Current-1]
	return LessonState{
		Current: l.prog.Current, Total: len(l.all), ID: cur.ID, Title: cur.Title,
		Done: append([]string{}, l.prog.Done...), Solved: slices.Contains(l.prog.Done, cur.ID), Warning: l.warning,
		Rev: l.rev,
	}
}

// announce publishes the state, changed, on the live log; callers hold mu.
func (l *lessons) announce(doneBy string) {
	l.rev++
	st := l.state()
	st.JustDone, st.Trial = doneBy != "", doneBy
	data, _ := json.Marshal(st)
	l.journal.LessonChanged(data)
}

// start makes lesson n (1-based) current: its starting policy in force, and
// its check looking only at trials from now on.
func (l *lessons) start(n int) (LessonState, error) {
	if n < 1 || n > len(l.all) {
		return LessonState{}, fmt.Errorf("lesson %d: want 1 to %d", n, len(l.all))
	}
	if err := l.policy.ReplacePolicy(l.all[n-1].Policy, fmt.Sprintf("lesson %d", n)); err != nil {
		return LessonState{}, fmt.Errorf("lesson %d: its policy: %v", n, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.prog.Current = n
	l.trials = nil
	l.save()
	l.announce("")
	return l.state(), nil
}

// Lessons returns the current lesson and the progress.
func (s *Server) Lessons() LessonState {
	s.lessons.mu.Lock()
	defer s.lessons.mu.Unlock()
	return s.lessons.state()
}

// StartLesson makes lesson n (1-based) current and puts its starting policy in force.
func (s *Server) StartLesson(n int) (LessonState, error) { return s.lessons.start(n) }

func (s *Server) routeLessons() {
	s.mux.HandleFunc("GET /lab/lessons", s.getLessons)
	s.mux.Handle("GET /lab/progress", sameOriginOnly(http.HandlerFunc(s.getProgress)))
	s.mux.Handle("PUT /lab/progress", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.putProgress))))
	s.mux.Handle("POST /lab/lessons/{n}/start", sameOriginOnly(s.teacherOnly(http.HandlerFunc(s.startLesson))))
	s.mux.HandleFunc("GET /api/items", s.sameOriginItems)
	s.mux.HandleFunc("GET /trial/{id}", s.sandbox)
}

// getLessons serves the lessons, their texts naming the origins as the
// page that asks sees them.
func (s *Server) getLessons(w http.ResponseWriter, r *http.Request) {
	a, b, ok := s.hostOrigins(r.Host)
	if !ok {
		a, b = "site A's origin", "site B's origin"
	}
	all := make([]lesson.Lesson, len(s.lessons.all))
	for i, l := range s.lessons.all {
		all[i] = l.WithOrigins(a, b)
	}
	writeJSON(w, http.StatusOK, all)
}

func (s *Server) getProgress(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.Lessons())
}

// putProgress sets the current lesson and what is done: {"current": n, "done": [ids]}.
// It does not change the policy (POST /lab/lessons/{n}/start does).
func (s *Server) putProgress(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		bodyError(w, "progress", err)
		return
	}
	var p progress
	err = json.Unmarshal(body, &p)
	l := s.lessons
	if err == nil && (p.Current < 1 || p.Current > len(l.all)) {
		err = fmt.Errorf("current: %d, want 1 to %d", p.Current, len(l.all))
	}
	for _, id := range p.Done {
		if err == nil && !slices.ContainsFunc(l.all, func(x lesson.Lesson) bool { return x.ID == id }) {
			err = fmt.Errorf("done: unknown lesson %q", id)
		}
	}
	if err != nil {
		http.Error(w, "progress: "+err.Error(), http.StatusBadRequest)
		return
	}
	l.mu.Lock()
	if p.Done == nil {
		p.Done = l.prog.Done
	}
	l.prog = p
	l.save()
	l.announce("")
	st := l.state()
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) startLesson(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil {
		http.Error(w, "lesson: "+r.PathValue("n")+" is not a number", http.StatusBadRequest)
		return
	}
	st, err := s.StartLesson(n)
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// sameOriginItems is a read-only item list on site A itself, for the
// same-origin half of lesson 1.
func (s *Server) sameOriginItems(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, []map[string]any{{"id": 1, "name": "from site A: the page's own origin"}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// sandbox serves GET /trial/{id}: a page for a sandboxed iframe (opaque
// origin, so its fetch()es carry Origin: null). Its own URL is the trial's
// Referer: a sandboxed page cannot set a same-origin referrer, but its
// document URL goes out as the Referer, and that names the trial.
//
// The page makes the fetch the parent posts to it, and posts back what
// JavaScript got. The CSP header sandboxes it even when opened directly,
// and lets only site A's page frame it: framed by another site, it would
// make that site's fetch()es in a trial's name.
func (s *Server) sandbox(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("kinds") {
		s.kindFrame(w, r) // not sandboxed: a request of another kind (kindframe.go)
		return
	}
	if journal.ValidTrialID(r.PathValue("id")) != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "sandbox allow-scripts; frame-ancestors 'self'")
	w.Header().Set("X-Frame-Options", "SAMEORIGIN")
	w.Header().Set("Cache-Control", "no-store")
	io.WriteString(w, sandboxPage)
}

const sandboxPage = `<!doctype html><meta charset="utf-8"><title>corslab sandbox</title>
<script>
"use strict";
addEventListener("message", async (e) => {
  if (e.source !== parent || !e.data || e.data.type !== "corslab-fetch") return;
  const req = e.data.request;
  let outcome;
  try {
    const init = {method: req.method, headers: req.headers, credentials: req.credentials, mode: req.mode, referrerPolicy: "unsafe-url"};
    if (req.body) init.body = req.body;
    const resp = await fetch(req.url, init);
    const headers = [];
    for (const [n, v] of resp.headers) headers.push([n.toLowerCase(), v]);
    let body = "";
    try { body = (await resp.text()).slice(0, 2000); } catch (err) { body = String(err); }
    outcome = {ok: true, type: resp.type, status: resp.status, headers, body};
  } catch (err) {
    outcome = {ok: false, type: "error", status: 0, headers: [], body: "", error: String(err)};
  }
  parent.postMessage({type: "corslab-outcome", id: e.data.id, origin: self.origin, outcome}, "*");
});
parent.postMessage({type: "corslab-sandbox-ready"}, "*");
</script>
<p>corslab: a sandboxed iframe (origin null)</p>
`
