package lab_test

// The lesson panel as a learner finds it: filled in on every load of the
// page, with the lab's real origins in its text.

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/content/lesson"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
)

// The panel is never empty after a reload: the live log replays the last
// "lesson" event while GET /lab/lessons is still on its way, and the
// panel must not depend on which arrives first.
func TestLessonPanelFilledOnEveryReload(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	all := lesson.All()
	// A lesson event in the live log's history, replayed to every page.
	resp, err := http.Post(l.URLA+"/lab/lessons/2/start", "", nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("starting lesson 2: %v %v", resp, err)
	}
	resp.Body.Close()
	tab := browsertest.NewTab(t)
	p := &page{t: t, lab: l.Lab, tab: tab}
	want := all[1]
	for i := range 10 {
		nav := chromedp.Navigate(l.URLA)
		if i > 0 {
			nav = chromedp.Reload()
		}
		if err := chromedp.Do(tab.Ctx, nav); err != nil {
			t.Fatalf("load %d: %v", i+1, err)
		}
		evalJS[bool](p, `window.corslab.ready.then(() => true)`)
		pollJS[bool](p, `!document.querySelector("#lesson").hidden`)
		got := evalJS[[]string](p, `["#lesson-title", "#lesson-concept", "#lesson-goal", "#lesson-hint", "#lesson-requests"].map((s) => document.querySelector(s).textContent)`)
		wantTexts := []string{fmt.Sprintf("Lesson 2/%d · %s", len(all), want.Title), want.Concept, want.Goal, want.Hint, want.Requests[0].Label}
		for k, w := range wantTexts {
			if !strings.Contains(got[k], w) {
				t.Errorf("load %d: the panel shows %q, want %q in it", i+1, got, w)
				break
			}
		}
	}
}
