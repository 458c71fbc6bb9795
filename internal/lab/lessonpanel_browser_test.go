package lab_test

// The lesson panel as a learner finds it: filled in on every load of the
// page, with the lab's real origins in its text.

import (
	"encoding/json"
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

// Lesson 1 names the lab's real origins, here on ports other than the
// default 7070 and 7071.
func TestLessonTextShowsTheLabsOrigins(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	if strings.HasSuffix(p.lab.URLA, ":7070") || strings.HasSuffix(p.lab.URLB, ":7071") {
		t.Fatalf("the lab runs on a default port (%s, %s): the test proves nothing", p.lab.URLA, p.lab.URLB)
	}
	want := fmt.Sprintf("site A, %s, and site B, %s, are two origins", p.lab.URLA, p.lab.URLB)
	got := pollJS[string](p, `document.querySelector("#lesson-concept").textContent`)
	if !strings.Contains(got, want) {
		t.Errorf("lesson 1's concept on the page: %q, want %q in it", got, want)
	}
}

// Lesson 4 (the preflight) ticks after a fix made right after a PUT that
// got through the preflight but not the actual check, whether Chromium
// asks again (Max-Age: 0) or reuses the preflight it cached: then the
// lesson finds the cached answer in an earlier trial.
func TestPreflightLessonTicksAfterAQuickFix(t *testing.T) {
	t.Parallel()
	const n = 4
	if id := lesson.All()[n-1].ID; id != "preflight" {
		t.Fatalf("lesson %d is %s, want preflight", n, id)
	}
	tests := []struct {
		desc      string
		maxAge    string
		wantFixed string // what site B saw of the fixed PUT
	}{
		{"asked again", "0", "OPTIONS(preflight) 204, PUT 200"},
		{"answered from the preflight cache", "600", "PUT 200"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			t.Parallel()
			p := openPage(t, "")
			evalJS[bool](p, fmt.Sprintf(`corslab.startLesson(%d).then(() => true)`, n))
			pollJS[bool](p, fmt.Sprintf(`document.querySelector("#lesson").dataset.lesson === "%d" && document.querySelectorAll("#lesson-requests button").length > 0`, n))
			// The learner edits the policy in force, as the terminal UI does:
			// first the preflight's headers, forgetting the actual response's.
			edit := func(where string, headers map[string]string) {
				var doc map[string]map[string]any
				getJSON(t, p.lab.URLA+"/lab/policy", &doc)
				if doc[where] == nil {
					doc[where] = map[string]any{}
				}
				hs, _ := doc[where]["headers"].(map[string]any)
				if hs == nil {
					hs = map[string]any{}
				}
				for k, v := range headers {
					hs[k] = v
				}
				doc[where]["headers"] = hs
				data, _ := json.Marshal(doc)
				p.putPolicy(string(data))
			}
			edit("preflight", map[string]string{"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT",
				"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": tt.maxAge})
			first := p.settled(clickRequest(p, 0))
			if got := kinds(first.Exchanges); got != "OPTIONS(preflight) 204, PUT 200" || first.Outcome.OK {
				t.Fatalf("before the fix site B saw %s (outcome %+v), want the preflight passed, the PUT run and its answer hidden", got, first.Outcome)
			}
			edit("actual", map[string]string{"Access-Control-Allow-Origin": "{origin}"})
			id := clickRequest(p, 0)
			fixed := p.settled(id)
			if got := kinds(fixed.Exchanges); got != tt.wantFixed || !fixed.Outcome.OK {
				t.Errorf("after the fix site B saw %s (outcome %+v), want %s and the PUT allowed", got, fixed.Outcome, tt.wantFixed)
			}
			pollJS[bool](p, `document.querySelector("#lesson").dataset.done === "true"`)
			if by := doneBy(p.lab, n); by != id {
				t.Errorf("lesson %d completed by trial %s, want the fixed PUT %s", n, by, id)
			}
		})
	}
}
