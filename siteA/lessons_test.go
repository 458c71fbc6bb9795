package siteA

import (
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
