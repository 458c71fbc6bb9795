package siteA

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/siteB"
)

func newLessonSite(t *testing.T, file string) (*Server, *siteB.Server) {
	j := journal.New(64)
	b := siteB.New(j)
	s := New(Config{SiteBPort: "1", Progress: file}, j, b)
	t.Cleanup(s.Close)
	return s, b
}

func TestProgressPersistsAndStartAppliesPolicy(t *testing.T) {
	file := filepath.Join(t.TempDir(), "corslab", "progress.json")
	s, b := newLessonSite(t, file)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("POST", "/lab/lessons/7/start", nil))
	if rec.Code != 200 || !strings.Contains(string(b.PolicyJSON()), `"*"`) {
		t.Fatalf("start: %d %s; policy %s", rec.Code, rec.Body, b.PolicyJSON())
	}
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("PUT", "/lab/progress", strings.NewReader(`{"current": 7, "done": ["same-origin"]}`)))
	if rec.Code != 200 {
		t.Fatalf("PUT /lab/progress: %d %s", rec.Code, rec.Body)
	}
	again, _ := newLessonSite(t, file) // a restart
	if st := again.Lessons(); st.Current != 7 || len(st.Done) != 1 || st.Warning != "" {
		t.Errorf("after a restart: %+v", st)
	}
	// Cross-origin pages may not touch the progress.
	req := httptest.NewRequest("GET", "/lab/progress", nil)
	req.Header.Set("Origin", "http://evil.example")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec = httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-origin GET /lab/progress: %d", rec.Code)
	}
}

func TestProgressWriteErrorIsAWarning(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	os.WriteFile(blocker, nil, 0o644)
	s, _ := newLessonSite(t, filepath.Join(blocker, "progress.json")) // a directory that is a file
	st, err := s.StartLesson(2)
	if err != nil || st.Current != 2 || !strings.HasPrefix(st.Warning, "lesson progress not saved: ") || strings.Contains(st.Warning, "\n") {
		t.Errorf("StartLesson: %+v, %v; want lesson 2 with a one-line warning", st, err)
	}
}

// Every change of the progress has a higher Rev, the same on the live log
// and from GET /lab/progress, so the page can order the two.
func TestLessonStateRev(t *testing.T) {
	j := journal.New(64)
	s := New(Config{SiteBPort: "1"}, j, siteB.New(j))
	t.Cleanup(s.Close)
	lastEvent := func() LessonState {
		var st LessonState
		for _, e := range j.Hub().Recent(64) {
			if e.Kind == journal.KindLesson {
				st = LessonState{}
				if err := json.Unmarshal(e.Lesson, &st); err != nil {
					t.Fatal(err)
				}
			}
		}
		return st
	}
	progress := func() LessonState {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", "/lab/progress", nil))
		var st LessonState
		if err := json.Unmarshal(rec.Body.Bytes(), &st); err != nil {
			t.Fatalf("GET /lab/progress: %s: %v", rec.Body, err)
		}
		return st
	}
	if st := progress(); st.Rev != 0 {
		t.Errorf("before any change: rev %d, want 0", st.Rev)
	}
	changes := []struct {
		desc   string
		change func() int
	}{
		{"start lesson 2", func() int { st, _ := s.StartLesson(2); return st.Current }},
		{"PUT /lab/progress", func() int {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest("PUT", "/lab/progress", strings.NewReader(`{"current": 5}`)))
			return 5
		}},
		{"start lesson 5 again", func() int { st, _ := s.StartLesson(5); return st.Current }},
	}
	for i, c := range changes {
		current := c.change()
		ev, got := lastEvent(), progress()
		if want := uint64(i + 1); ev.Rev != want || got.Rev != want || got.Current != current || ev.Current != current {
			t.Errorf("%s: event rev %d (lesson %d), GET /lab/progress rev %d (lesson %d), want rev %d, lesson %d",
				c.desc, ev.Rev, ev.Current, got.Rev, got.Current, want, current)
		}
	}
}

// The lessons' texts name the origins as the asking page sees them, not
// the default ports.
func TestLessonTextsNameTheLabsOrigins(t *testing.T) {
	j := journal.New(64)
	s := New(Config{SiteBPort: "9001"}, j, siteB.New(j))
	t.Cleanup(s.Close)
	tests := []struct{ host, siteA, siteB string }{
		{"127.0.0.1:9000", "http://127.0.0.1:9000", "http://127.0.0.1:9001"},
		{"[::1]:9000", "http://[::1]:9000", "http://[::1]:9001"},
		{"lab.school.example:8080", "http://lab.school.example:8080", "http://lab.school.example:9001"},
		{"a b", "site A's origin", "site B's origin"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/lab/lessons", nil)
			req.Host = tt.host
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			var got []struct{ Title, Concept, Goal, Hint string }
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil || len(got) == 0 {
				t.Fatalf("GET /lab/lessons: %d %.200s: %v", rec.Code, rec.Body, err)
			}
			if c := got[0].Concept; !strings.Contains(c, tt.siteA+", and site B, "+tt.siteB+",") {
				t.Errorf("lesson 1's concept: %q, want it to name %s and %s", c, tt.siteA, tt.siteB)
			}
			for i, l := range got {
				text := strings.Join([]string{l.Title, l.Concept, l.Goal, l.Hint}, "\n")
				if strings.Contains(text, "{site") || strings.Contains(text, "localhost:707") {
					t.Errorf("lesson %d names a placeholder or a default port: %q", i+1, text)
				}
			}
		})
	}
}
