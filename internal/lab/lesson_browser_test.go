package lab_test

// The lessons played from the page by a learner, in one tab: start each
// lesson, press its buttons, change site B's policy as the TUI would (the
// control API), and see the page report the lesson done — and, for a wrong
// answer, not done: the trial that completes a lesson must be the right one.

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/content/lesson"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
	"github.com/corslab/corslab/internal/testsupport/labtest"
	"github.com/corslab/corslab/siteA"
)

// step is one thing the learner does: put a policy in force, or press the
// lesson's button number click. right marks the trial that should complete
// the lesson; none before it may.
type step struct {
	policy string
	click  int
	right  bool
}

func press(i int) step          { return step{click: i} }
func pressRight(i int) step     { return step{click: i, right: true} }
func setPolicy(doc string) step { return step{policy: doc, click: -1} }

const (
	reflectBoth = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`
	putStar = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`
	putOrigin = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`
)

var lessonSteps = map[string][]step{
	"same-origin":     {press(0), pressRight(1)},
	"blocked-get":     {press(0), setPolicy(reflectBoth), pressRight(0)},
	"blocked-post":    {pressRight(0)},
	"preflight":       {press(0), setPolicy(putStar), press(0), setPolicy(putOrigin), pressRight(0)},
	"non-simple":      {press(0), pressRight(1)},
	"methods-headers": {press(0), setPolicy(`{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "DELETE", "Access-Control-Allow-Headers": "x-requested-with", "Access-Control-Max-Age": "0"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`), press(0), pressRight(1)},
	"credentials": {press(1), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`),
		press(0), pressRight(1)},
	"expose-headers": {press(0), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "X-Total"}}}`), pressRight(0)},
	"max-age": {press(0), setPolicy(`{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "GET", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`), pressRight(0)},
	"vary-origin": {setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}}}`), press(0),
		setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Origin"}}}`), pressRight(0)},
	"null-origin": {press(0), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "null"}}}`), pressRight(0)},
	"reflect-credentials": {press(0), press(1), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Credentials": "true"}}}`),
		pressRight(1)},
	"no-cors":   {pressRight(0)},
	"websocket": {setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`), press(0), setPolicy(`{}`), pressRight(0)},
	// Beyond fetch() (internal/content/lesson/kinds.go).
	"canvas-taint":       {press(1), press(0), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`), pressRight(1)},
	"web-fonts":          {press(0), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`), pressRight(0)},
	"module-scripts":     {press(0), press(1), setPolicy(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`), pressRight(0)},
	"form-csrf":          {pressRight(0)},
	"beacon-credentials": {press(1), press(0), pressRight(1)},
}

// wantHappened checks the trial account of the lessons that teach what the
// lab used to draw wrong (issue 11): what Chromium did, as the journal tells it.
var wantHappened = map[string]func(step, *journal.Trial) error{
	"same-origin": func(st step, tr *journal.Trial) error {
		if st.click == 0 && (!tr.Happened.SameOrigin || tr.Happened.ReachedSiteB || !tr.Outcome.OK || tr.Verdict == nil || !tr.Verdict.Allowed) {
			return fmt.Errorf("same-origin GET: want same origin, allowed, not site B")
		}
		return nil
	},
	"null-origin": func(st step, tr *journal.Trial) error {
		if tr.Origin != "null" || !tr.Happened.ReachedSiteB || len(tr.Exchanges) != 1 {
			return fmt.Errorf("sandboxed GET: want Origin null and the GET attached, reached site B; exchanges %d", len(tr.Exchanges))
		}
		return nil
	},
	"max-age": func(st step, tr *journal.Trial) error {
		want := trial.PreflightSent
		if st.right {
			want = trial.PreflightCached
		}
		if tr.Happened.Preflight != want || !tr.Happened.ReachedSiteB {
			return fmt.Errorf("PUT: preflight %q, want %q", tr.Happened.Preflight, want)
		}
		if st.right && slices.ContainsFunc(tr.Trace, func(s fetch.Step) bool { return strings.HasPrefix(s.What, "OPTIONS") }) {
			return fmt.Errorf("cached preflight drawn as an OPTIONS: %+v", tr.Trace)
		}
		return nil
	},
	"websocket": func(st step, tr *journal.Trial) error {
		if !tr.Happened.WebSocket || tr.Verdict != nil || len(tr.Trace) == 0 || !strings.HasPrefix(tr.Trace[0].What, "new WebSocket(\"ws://") {
			return fmt.Errorf("websocket: want a websocket account with no verdict, trace %+v", tr.Trace)
		}
		return nil
	},
	"preflight": func(st step, tr *journal.Trial) error {
		if !tr.Outcome.OK && (tr.Fix == nil || tr.Fix.Text == "") {
			return fmt.Errorf("a blocked PUT with no whole fix")
		}
		return nil
	},
}

func TestLessonsPlayedFromThePage(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "sub", "progress.json")
	l := labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Progress: file}).Lab
	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l.URLA)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, lab: l, tab: tab}
	evalJS[bool](p, `window.corslab.ready.then(() => true)`)
	pollJS[bool](p, `document.querySelector("#lesson-title").textContent.startsWith("Lesson 1/")`)

	all := lesson.All()
	for n, ls := range all {
		steps, ok := lessonSteps[ls.ID]
		if !ok {
			t.Fatalf("lesson %s: no steps", ls.ID)
		}
		if n == 0 {
			evalJS[bool](p, `corslab.startLesson(1).then(() => true)`)
		} else {
			click(p, "#lesson-next") // the ▶ button
		}
		pollJS[bool](p, fmt.Sprintf(`document.querySelector("#lesson").dataset.lesson === "%d" && document.querySelector("#lesson").dataset.done === "false" &&
			document.querySelectorAll("#lesson-requests button").length === %d`, n+1, len(ls.Requests)))
		var right string
		for i, st := range steps {
			if st.click < 0 {
				p.putPolicy(st.policy)
				continue
			}
			id := clickRequest(p, st.click)
			tr := p.settled(id)
			if tr.Mismatch != "" {
				t.Errorf("lesson %s step %d: the account disagrees with Chromium: %s", ls.ID, i, tr.Mismatch)
			}
			if check, ok := wantHappened[ls.ID]; ok {
				if err := check(st, tr); err != nil {
					t.Errorf("lesson %s step %d: %v (account: %+v, headline %q)", ls.ID, i, err, tr.Happened, tr.Headline)
				}
			}
			if st.right {
				right = id
			} else if i == len(steps)-1 {
				t.Fatalf("lesson %s: the last step must be the right one", ls.ID)
			}
		}
		t.Logf("lesson %d %s: its steps made, the last trial %s", n+1, ls.ID, right)
		lessonShownDone(p, n+1)
		if by := doneBy(l, n+1); by != right {
			t.Errorf("lesson %d %s: completed by trial %s, want %s (a wrong answer completed it)", n+1, ls.ID, by, right)
		}
	}
	st := l.SiteA.Lessons()
	if len(st.Done) != len(all) || st.Warning != "" {
		t.Errorf("progress = %+v, want all %d done", st, len(all))
	}
	data, err := os.ReadFile(file)
	var saved struct{ Done []string }
	if err == nil {
		err = json.Unmarshal(data, &saved)
	}
	if err != nil || len(saved.Done) != len(all) {
		t.Errorf("progress file: %s, %v", data, err)
	}
}

// lessonShownDone waits until the page shows lesson n done. When it does
// not, it says whether site A had it done — the page missed the live log's
// lesson event — or not: the lesson's check did not pass.
func lessonShownDone(p *page, n int) {
	p.t.Helper()
	const js = `document.querySelector("#lesson").dataset.done === "true" && document.querySelector("#lesson-mark").textContent.includes("✓")`
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait+time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(wait))); err != nil {
		st := p.lab.SiteA.Lessons()
		p.t.Fatalf("lesson %d not shown done (%v); site A: lesson %d, solved %t, done %v, rev %d; the page: %s", n, err,
			st.Current, st.Solved, st.Done, st.Rev, evalJS[string](p, `JSON.stringify({...document.querySelector("#lesson").dataset, live: document.querySelector("#conn")?.textContent})`))
	}
}

// doneBy is the trial that completed lesson n, from the live log.
func doneBy(l *lab.Lab, n int) string {
	for _, e := range slices.Backward(l.Journal.Hub().Recent(lab.HistorySize)) {
		if e.Kind != journal.KindLesson {
			continue
		}
		var st siteA.LessonState
		if json.Unmarshal(e.Lesson, &st) == nil && st.Current == n && st.JustDone {
			return st.Trial
		}
	}
	return ""
}

func click(p *page, sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// clickRequest presses the lesson's button i and returns the trial it made.
func clickRequest(p *page, i int) string {
	p.t.Helper()
	before := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
	click(p, fmt.Sprintf(`#lesson-requests button[data-lesson-request="%d"]`, i))
	return pollJS[string](p, fmt.Sprintf(`(() => { const id = document.querySelector("#log li.trial.selected")?.dataset.trial || "";
		return id !== %q ? id : ""; })()`, before))
}
