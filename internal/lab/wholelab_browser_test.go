package lab_test

// The page as a whole lab (issue 13): a learner with only the page edits
// site B's policy in the page's editor, applies a verdict's whole fix with
// one button, and plays lessons 2, 4, 7 and 12 to the end — no terminal UI,
// no curl: every change to the policy here goes through the page.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corslab/corslab/internal/content/scenario"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/browsertest"
	"github.com/corslab/corslab/internal/testsupport/labtest"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// openEditor opens the policy editor (the header's policy line).
func openEditor(p *page) {
	p.t.Helper()
	if !evalJS[bool](p, `document.querySelector("#policy").open`) {
		click(p, "#policy summary")
	}
	pollJS[bool](p, `!!document.querySelector('#policy-body [data-key="Access-Control-Allow-Origin"]')`)
}

// editorValue is the value the editor shows for header key.
func editorValue(p *page, key string) string {
	p.t.Helper()
	return evalJS[string](p, fmt.Sprintf(`document.querySelector('#policy-body input[data-key=%q]').value`, key))
}

// cycleNext presses a row's ▶ once and waits until its value changed, on
// the page and on site B.
func cycleNext(p *page, key string) string {
	p.t.Helper()
	before := editorValue(p, key)
	click(p, fmt.Sprintf(`#policy-body [data-key=%q]`, key+"/next"))
	shown := pollJS[string](p, fmt.Sprintf(`(() => { const v = document.querySelector('#policy-body input[data-key=%q]').value; return v !== %q ? v || "(none)" : ""; })()`, key, before))
	editorApplied(p, key)
	return shown
}

// editorApplied waits until site B's policy has what the editor shows for
// header key. The editor shows a learner's edit at once, while it is on
// its way: a request sent before site B has it meets the old policy.
func editorApplied(p *page, key string) {
	p.t.Helper()
	poll.Check(p.t, wait, func() error {
		shown := editorValue(p, key)
		pre, act := p.lab.SiteB.Policy().Document().Header(key)
		if pre == nil {
			pre = act
		}
		if has := strings.Join(pre, " | "); has != shown {
			return fmt.Errorf("%s: the editor shows %q, site B has %q", key, shown, has)
		}
		return nil
	})
}

// typeValue types text into a row's value and presses Enter, as a learner.
func typeValue(p *page, key, text string) {
	p.t.Helper()
	sel := fmt.Sprintf(`#policy-body input[data-key=%q]`, key)
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	evalJS[bool](p, fmt.Sprintf(`(() => { document.querySelector(%q).value = ""; return true; })()`, sel))
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), text+kb.Enter)); err != nil {
		p.t.Fatalf("typing %q into %s: %v", text, sel, err)
	}
}

// applyFix presses the selected trial's "Apply the fix and send again" and
// returns the trial it sent again.
func applyFix(p *page, blocked string) string {
	p.t.Helper()
	return pressForTrial(p, fmt.Sprintf(`#verdict [data-apply-fix=%q]`, blocked))
}

// pressForTrial clicks sel until the page selects a new trial, and returns
// it. A click that lands while the page redraws under the pointer makes no
// trial: it is pressed again (at most three times); one that made a trial
// changes the selection at once, so none is sent twice.
func pressForTrial(p *page, sel string) string {
	p.t.Helper()
	before := evalJS[string](p, `document.querySelector("#log li.trial.selected")?.dataset.trial || ""`)
	changed := fmt.Sprintf(`(() => { const id = document.querySelector("#log li.trial.selected")?.dataset.trial || "";
		return id !== %q ? id : ""; })()`, before)
	for range 3 {
		click(p, sel)
		ctx, cancel := context.WithTimeout(p.tab.Ctx, 15*time.Second)
		id, err := chromedp.Run(ctx, chromedp.Poll[string](changed, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(14*time.Second)))
		cancel()
		if err == nil && id != "" {
			return id
		}
	}
	return pollJS[string](p, changed)
}

// pressLessonRequest presses the lesson's button i and returns the trial it made.
func pressLessonRequest(p *page, i int) string {
	p.t.Helper()
	return pressForTrial(p, fmt.Sprintf(`#lesson-requests button[data-lesson-request="%d"]`, i))
}

// fixOffered waits until the verdict of trial id offers its fix.
func fixOffered(p *page, id string) {
	p.t.Helper()
	pollJS[bool](p, fmt.Sprintf(`!!document.querySelector('#verdict [data-apply-fix=%q]')`, id))
}

func TestPolicyEditorOnThePage(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	openEditor(p)
	const origin = "Access-Control-Allow-Origin"

	// Cycling a value six times changes the policy six times, and the log
	// shows one entry for the burst.
	var seen []string
	for range 6 {
		seen = append(seen, cycleNext(p, origin))
	}
	if want := []string{"*", "{origin}", p.lab.URLA, "http://evil.example", "null", "(none)"}; strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("◀ ▶ cycled through %q, want %q", seen, want)
	}
	if n := evalJS[string](p, `[...document.querySelectorAll("#log li.policy-change")].map(li => li.dataset.count).join(",")`); n != "6" {
		t.Errorf("policy entries on the log (their counts): %q, want one entry of 6", n)
	}
	if got := p.lab.SiteB.Policy().Document(); got.Where(origin) != policy.Nowhere {
		t.Errorf("after a full cycle site B's policy has %s", got.Encode())
	}

	// A typed value, moved to the actual response only.
	typeValue(p, origin, "{origin}")
	policyIs := func(what string, ok func(policy.Document) bool) {
		t.Helper()
		poll.Check(t, wait, func() error {
			if d := p.lab.SiteB.Policy().Document(); !ok(d) {
				return fmt.Errorf("%s: site B's policy is %s", what, d.Encode())
			}
			return nil
		})
	}
	policyIs("typed {origin}", func(d policy.Document) bool { return d.Where(origin) == policy.OnBoth })
	pollJS[bool](p, `document.querySelector('#policy-body input[data-key="Access-Control-Allow-Origin"]').value === "{origin}"`)
	evalJS[bool](p, `(() => { const s = document.querySelector('#policy-body select[data-key="Access-Control-Allow-Origin/where"]');
		s.value = "actual"; return s.dispatchEvent(new Event("change")); })()`)
	policyIs("moved to the actual response", func(d policy.Document) bool { return d.Where(origin) == policy.OnActual })

	// An invalid value: refused on one line, the old policy kept.
	before := string(p.lab.SiteB.PolicyJSON())
	typeValue(p, origin, "{nope}")
	msg := pollJS[string](p, `(() => { const e = document.querySelector("#policy-error"); return e.hidden ? "" : e.textContent; })()`)
	if !strings.Contains(msg, `actual.headers["Access-Control-Allow-Origin"]: unknown placeholder {nope}`) || strings.Contains(msg, "\n") {
		t.Errorf("error line %q", msg)
	}
	if after := string(p.lab.SiteB.PolicyJSON()); after != before {
		t.Errorf("an invalid edit changed the policy to %s", after)
	}

	// Any header, added from the page: its name and value typed, then Enter
	// (or, if the page redrew under the keys, the "add header" button).
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#p-add-name"), "X-Lab"))
	if err == nil {
		pollJS[bool](p, `document.querySelector("#p-add-name").value === "X-Lab"`)
		err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS("#p-add-value"), "on"+kb.Enter))
	}
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	added := func(d policy.Document) bool { _, act := d.Header("X-Lab"); return len(act) == 1 && act[0] == "on" }
	ctx, cancel = context.WithTimeout(p.tab.Ctx, wait/4)
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#policy-body input[data-key="X-Lab"]')`, chromedp.WithPollingTimeout(wait/4-time.Second)))
	cancel()
	if err != nil && evalJS[string](p, `document.querySelector("#p-add-name").value + "=" + document.querySelector("#p-add-value").value`) == "X-Lab=on" {
		click(p, `#policy-body [data-key="add/submit"]`) // the Enter was lost while the page redrew
	}
	policyIs("X-Lab added", added)
	pollJS[bool](p, `document.querySelector('#policy-body input[data-key="X-Lab"]')?.value === "on" && document.querySelector("#policy-error").hidden`)

	// The terminal UI's change shows in the page's editor at once.
	d := p.lab.SiteB.Policy().Document()
	d.SetHeader("Access-Control-Max-Age", policy.OnPreflight, policy.Values{"600"})
	np, err := policy.NewPolicy(d)
	if err != nil {
		t.Fatal(err)
	}
	p.lab.SiteB.SetPolicy(np, "tui")
	pollJS[bool](p, `document.querySelector('#policy-body input[data-key="Access-Control-Max-Age"]').value === "600"`)
}

// The lessons a learner plays with the page alone: every policy change is
// the page's editor or its "apply the fix" button.
func TestLessonsFromThePageAlone(t *testing.T) {
	t.Parallel()
	l := labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0"}).Lab
	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l.URLA)); err != nil {
		t.Fatal(err)
	}
	p := &page{t: t, lab: l, tab: tab}
	evalJS[bool](p, `window.corslab.ready.then(() => true)`)
	openEditor(p)
	plays := []struct {
		n    int
		play func() (right string)
	}{
		{2, func() string { // blocked GET: apply the whole fix
			id := pressLessonRequest(p, 0)
			p.settled(id)
			fixOffered(p, id)
			return applyFix(p, id)
		}},
		{4, func() string { // preflight, without allowing every origin
			cycleNext(p, "Access-Control-Max-Age") // 0: no preflight cache between the steps
			cycleNext(p, "Access-Control-Allow-Origin")
			if v := editorValue(p, "Access-Control-Allow-Origin"); v != "*" {
				t.Fatalf("Allow-Origin cycled to %q, want *", v)
			}
			id := pressLessonRequest(p, 0)
			p.settled(id)
			fixOffered(p, id)
			easy := applyFix(p, id) // passes, but with Allow-Origin: * the lesson is not done
			if tr := p.settled(easy); !tr.Outcome.OK {
				t.Errorf("lesson 4: the fixed PUT failed: %+v", tr.Outcome)
			}
			if done := evalJS[string](p, `document.querySelector("#lesson").dataset.done`); done != "false" {
				t.Errorf("lesson 4 done with Allow-Origin: * (done=%s)", done)
			}
			typeValue(p, "Access-Control-Allow-Origin", "{origin}")
			pollJS[bool](p, `document.querySelector('#policy-body input[data-key="Access-Control-Allow-Origin"]').value === "{origin}"`)
			editorApplied(p, "Access-Control-Allow-Origin")
			return pressLessonRequest(p, 0)
		}},
		{7, func() string { // credentials: fix who-am-I, log in, ask again
			id := pressLessonRequest(p, 1)
			p.settled(id)
			fixOffered(p, id)
			p.settled(applyFix(p, id))
			p.settled(pressLessonRequest(p, 0))
			return pressLessonRequest(p, 1)
		}},
		{12, func() string { // the leak, then trust only https://app.example
			p.settled(pressLessonRequest(p, 0))
			p.settled(pressLessonRequest(p, 1))
			typeValue(p, "Access-Control-Allow-Origin", "https://app.example")
			pollJS[bool](p, `document.querySelector('#policy-body input[data-key="Access-Control-Allow-Origin"]').value === "https://app.example"`)
			editorApplied(p, "Access-Control-Allow-Origin")
			return pressLessonRequest(p, 1)
		}},
	}
	for _, pl := range plays {
		t.Logf("lesson %d", pl.n) // whose steps a failure below is in
		evalJS[bool](p, fmt.Sprintf(`corslab.startLesson(%d).then(() => true)`, pl.n))
		pollJS[bool](p, fmt.Sprintf(`document.querySelector("#lesson").dataset.lesson === "%d" && document.querySelector("#lesson").dataset.done === "false"`, pl.n))
		right := pl.play()
		if tr := p.settled(right); tr.Mismatch != "" {
			t.Errorf("lesson %d: the account disagrees with Chromium: %s", pl.n, tr.Mismatch)
		}
		lessonShownDone(p, pl.n)
		if by := doneBy(l, pl.n); by != right {
			t.Errorf("lesson %d: completed by trial %s, want %s", pl.n, by, right)
		}
	}
	for _, e := range l.Journal.Hub().Recent(lab.HistorySize) {
		if e.Policy != nil && e.Policy.By != "page" && !strings.HasPrefix(e.Policy.By, "lesson ") {
			t.Errorf("the policy was changed by %q, not the page", e.Policy.By)
		}
	}
}

// corslab -scenario NAME shows the scenario on the page instead of a
// lesson; "Show the bug" fails as the catalogue says Chromium fails, "Apply
// the fix" passes, and the picker shows another scenario with its buggy
// policy in force.
func TestScenarioOnThePage(t *testing.T) {
	t.Parallel()
	s, err := scenario.Get("actual-only-headers")
	if err != nil {
		t.Fatal(err)
	}
	l := labtest.Start(t, lab.Config{SiteA: "localhost:0", SiteB: "localhost:0", Scenario: s.Name, Policy: labtest.Policy(t, s.Buggy)}).Lab
	p := openLabPage(t, l)
	pollJS[bool](p, fmt.Sprintf(`!document.querySelector("#scenario").hidden && document.querySelector("#scenario-title").textContent.includes(%q)
		&& getComputedStyle(document.querySelector("#lesson")).display === "none"`, s.Title))
	if got := evalJS[string](p, `document.querySelector("#scenario-request").textContent`); !strings.HasPrefix(got, "PUT /api/items/1") {
		t.Errorf("the scenario's request shows as %q", got)
	}
	pressed := func(sel string) *journal.Trial {
		t.Helper()
		return p.settled(pressForTrial(p, sel))
	}
	if tr := pressed("#scenario-bug"); tr.Outcome.OK || tr.Verdict == nil || tr.Verdict.Error != s.Error || tr.Mismatch != "" {
		t.Errorf("show the bug: outcome %+v, verdict %+v, want error %s", tr.Outcome, tr.Verdict, s.Error)
	}
	if tr := pressed("#scenario-fix"); !tr.Outcome.OK || tr.Verdict == nil || tr.Verdict.Error != "" {
		t.Errorf("apply the fix: outcome %+v, verdict %+v, want it allowed", tr.Outcome, tr.Verdict)
	}
	other, err := scenario.Get("wildcard-credentials")
	if err != nil {
		t.Fatal(err)
	}
	evalJS[bool](p, fmt.Sprintf(`(() => { const s = document.querySelector("#scenario-pick"); s.value = %q; return s.dispatchEvent(new Event("change")); })()`, other.Name))
	want, err := policy.ParseDocument(other.Buggy)
	if err != nil {
		t.Fatal(err)
	}
	poll.Check(t, wait, func() error {
		if got := p.lab.SiteB.Policy().Document().Encode(); string(got) != string(want.Encode()) {
			return fmt.Errorf("after picking %s, site B's policy is %s", other.Name, got)
		}
		return nil
	})
	pollJS[bool](p, fmt.Sprintf(`document.querySelector("#scenario-title").textContent.includes(%q)`, other.Title))
}

// A trial's "Copy link" carries site B's policy and the request; opened in
// a fresh browser context on another lab, the link puts the policy in
// force and the request in the form, and "Send it" makes the same trial.
// A policy file loads from the page, and a bad one is refused on one line.
func TestSharedLinkRoundTrip(t *testing.T) {
	t.Parallel()
	const doc = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "0"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "X-Shared": "yes"}}}`
	p := openPage(t, doc)
	res := p.send(`{label: "PUT JSON", method: "PUT", url: "/api/items/1", headers: [["Content-Type", "application/json"]], body: '{"name":"shared"}', readHeader: "X-Total"}`)
	first := p.settled(res.ID)
	click(p, fmt.Sprintf(`#result [data-share=%q]`, res.ID))
	link := pollJS[string](p, `document.querySelector("#result .share-link")?.value || ""`)
	frag, ok := strings.CutPrefix(link, p.lab.URLA+"/#repro=")
	if !ok {
		t.Fatalf("link %q, want %s/#repro=…", link, p.lab.URLA)
	}

	other := startLab(t, "").Lab
	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(other.URLA+"/#repro="+frag)); err != nil {
		t.Fatal(err)
	}
	q := &page{t: t, lab: other, tab: tab}
	evalJS[bool](q, `window.corslab.ready.then(() => true)`)
	pollJS[bool](q, `!document.querySelector("#share-note").hidden && !!document.querySelector("#share-send")`)
	want, err := policy.ParseDocument([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if got := other.SiteB.Policy().Document().Encode(); string(got) != string(want.Encode()) {
		t.Errorf("the other lab's policy is %s, want %s", got, want.Encode())
	}
	if form := evalJS[string](q, `["f-method", "f-path", "f-headers", "f-body"].map(id => document.getElementById(id).value).join(" ")`); form != `PUT /api/items/1 Content-Type: application/json {"name":"shared"}` {
		t.Errorf("the form holds %q", form)
	}
	if h := evalJS[string](q, `location.hash`); h != "" {
		t.Errorf("the fragment stays after loading: %q", h)
	}
	second := q.settled(pressForTrial(q, "#share-send"))
	if second.Request.Method != "PUT" || !strings.HasPrefix(second.Request.URL, other.URLB+"/api/items/1") || second.Outcome.OK != first.Outcome.OK || !second.Outcome.OK {
		t.Errorf("the shared trial: %+v → %+v; the first: %+v", second.Request, second.Outcome, first.Outcome)
	}

	// Policy files: one loads, a bad one is refused and the policy kept.
	dir := t.TempDir()
	good, bad := dir+"/good.json", dir+"/bad.json"
	if err := os.WriteFile(good, []byte(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"actual": {"headers": {"X Bad": "1"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	click(q, "#policy summary")
	upload := func(file string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(q.tab.Ctx, wait)
		defer cancel()
		if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#policy-load"), []string{file})); err != nil {
			t.Fatal(err)
		}
	}
	upload(good)
	poll.Check(t, wait, func() error {
		if _, act := other.SiteB.Policy().Document().Header("Access-Control-Allow-Origin"); len(act) != 1 || act[0] != "*" {
			return fmt.Errorf("after loading good.json the policy is %s", other.SiteB.PolicyJSON())
		}
		return nil
	})
	upload(bad)
	msg := pollJS[string](q, `(() => { const e = document.querySelector("#policy-error"); return e.hidden ? "" : e.textContent; })()`)
	if !strings.Contains(msg, `bad.json`) || !strings.Contains(msg, `actual.headers["X Bad"]: invalid header name`) {
		t.Errorf("a bad policy file: %q", msg)
	}
	if _, act := other.SiteB.Policy().Document().Header("Access-Control-Allow-Origin"); len(act) != 1 || act[0] != "*" {
		t.Errorf("a bad policy file changed the policy: %s", other.SiteB.PolicyJSON())
	}
}

// Under -lan a student's page (another machine: here, a connection from
// the machine's LAN address) says the teacher controls the policy and
// shows no editor controls; the teacher link, in a fresh browser context,
// opens the page with them.
func TestStudentAndTeacherPages(t *testing.T) {
	t.Parallel()
	lanIP := nonLoopbackAddress(t)
	l := labtest.Start(t, lab.Config{SiteA: lanIP + ":0", SiteB: lanIP + ":0", LAN: true}).Lab
	student := openLabPage(t, l)
	pollJS[bool](student, `!document.querySelector("#teacher-note").hidden && document.body.classList.contains("student")`)
	click(student, "#policy summary")
	pollJS[bool](student, `!!document.querySelector("#policy-body .p-readonly")`)
	if n := evalJS[int](student, `document.querySelectorAll("#policy-body input, #policy-body select, #policy-body button").length`); n != 0 {
		t.Errorf("a student's page shows %d editor controls", n)
	}
	for _, sel := range []string{"#lesson-next", "#lesson-restart", "#scenario-picker", ".p-files"} {
		if shown := evalJS[bool](student, fmt.Sprintf(`getComputedStyle(document.querySelector(%q)).display !== "none"`, sel)); shown {
			t.Errorf("a student's page shows %s", sel)
		}
	}
	if !strings.Contains(evalJS[string](student, `document.querySelector("#policy-body").textContent`), "The teacher controls the policy") {
		t.Error("no 'the teacher controls the policy' in a student's policy panel")
	}

	tab := browsertest.NewTab(t)
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(l.TeacherURL)); err != nil {
		t.Fatal(err)
	}
	teacher := &page{t: t, lab: l, tab: tab}
	evalJS[bool](teacher, `window.corslab.ready.then(() => true)`)
	if evalJS[bool](teacher, `document.body.classList.contains("student") || !document.querySelector("#teacher-note").hidden`) {
		t.Error("the teacher link opened a student's page")
	}
	openEditor(teacher)
	cycleNext(teacher, "Access-Control-Allow-Origin")
	if _, act := l.SiteB.Policy().Document().Header("Access-Control-Allow-Origin"); len(act) != 1 || act[0] != "*" {
		t.Errorf("the teacher's edit: policy %s", l.SiteB.PolicyJSON())
	}
}
