package lab_test

// The page on a projector (1280×720) and a phone (390×844): after a press,
// what a class must see — the request, what JavaScript got, the verdict's
// headline and the diagram — is on screen without scrolling; the
// diagram's labels are at least 14 px; presenter mode is one key away.
// CORSLAB_SCREENSHOTS=1 also writes the README's screenshots.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/testsupport/npmtest"
)

// rect is an element's bounding box in CSS pixels.
type rect struct{ Top, Bottom, Left, Right float64 }

func box(p *page, sel string) rect {
	p.t.Helper()
	return evalJS[rect](p, fmt.Sprintf(`(() => { const r = document.querySelector(%q).getBoundingClientRect();
		return {Top: r.top, Bottom: r.bottom, Left: r.left, Right: r.right}; })()`, sel))
}

func viewport(p *page, w, h int64, mobile bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	opts := []chromedp.EmulateViewportOption{}
	if mobile {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, h, opts...)); err != nil {
		p.t.Fatal(err)
	}
}

// screenshot writes the viewport to testdata/screenshots/name when
// CORSLAB_SCREENSHOTS=1.
func screenshot(p *page, name string) {
	p.t.Helper()
	if os.Getenv("CORSLAB_SCREENSHOTS") != "1" {
		return
	}
	pollJS[bool](p, `document.getAnimations().length === 0`) // the policy's highlight has faded
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	path := filepath.Join("..", "..", "testdata", "screenshots", name)
	if err == nil {
		err = os.WriteFile(path, buf, 0o644)
	}
	if err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("wrote %s", path)
}

// inView fails unless every selector's box lies inside a w×h viewport.
func inView(p *page, w, h float64, what string, sels ...string) {
	p.t.Helper()
	for _, sel := range sels {
		if r := box(p, sel); r.Top < 0 || r.Left < 0 || r.Bottom > h || r.Right > w {
			p.t.Errorf("%s: %s at %+v, not inside the %g×%g viewport", what, sel, r, w, h)
		}
	}
}

// smallestLabel is the smallest rendered font size, in CSS pixels, of the
// result's sequence-diagram labels.
func smallestLabel(p *page) float64 {
	p.t.Helper()
	return evalJS[float64](p, `Math.min(...[...document.querySelectorAll("#verdict svg.seq text")].map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))`)
}

// pressLesson presses the lesson's button i and waits for the account.
func pressLesson(p *page, i int) {
	p.t.Helper()
	id := clickRequest(p, i)
	p.settled(id)
	pollJS[bool](p, fmt.Sprintf(`!!document.querySelector('#log [data-trial=%q] .t-headline') && !!document.querySelector("#result .t-headline") && !!document.querySelector("#verdict svg.seq")`, id))
}

func TestProjectorPhoneAndPresenter(t *testing.T) {
	t.Parallel()
	p := openPage(t, "")
	viewport(p, 1280, 720, false)
	pollJS[bool](p, `!document.querySelector("#lesson").hidden && document.querySelectorAll("#lesson-requests button").length > 1`)
	for i, what := range []string{"a same-origin GET", "a blocked cross-origin GET"} {
		pressLesson(p, i)
		inView(p, 1280, 720, "1280×720 after "+what, "#result .r-req", "#result .t-headline", "#result .r-big")
		if top := box(p, "#verdict svg.seq").Top; top >= 720 {
			t.Errorf("1280×720 after %s: the diagram starts at %g, below the fold", what, top)
		}
		if px := smallestLabel(p); px < 14 {
			t.Errorf("1280×720: a diagram label is %.1f px, want ≥ 14", px)
		}
	}
	screenshot(p, "page.png")

	// Presenter mode: the P key, larger type, no site B column, no form.
	ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
	evalJS[bool](p, `(document.activeElement && document.activeElement.blur(), true)`)
	err := chromedp.Do(ctx, chromedp.KeyEvent("p"))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	pollJS[bool](p, `document.body.classList.contains("presenter") && getComputedStyle(document.querySelector(".col-b")).display === "none" && getComputedStyle(document.querySelector("#custom")).display === "none"`)
	pressLesson(p, 1)
	inView(p, 1280, 720, "presenter mode", "#result .t-headline")
	screenshot(p, "presenter.png")
	ctx, cancel = context.WithTimeout(p.tab.Ctx, wait)
	err = chromedp.Do(ctx, chromedp.KeyEvent("p"))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	pollJS[bool](p, `!document.body.classList.contains("presenter")`)

	// A phone: the result scrolls into view after a press.
	viewport(p, 390, 844, true)
	evalJS[bool](p, `(scrollTo(0, 0), true)`)
	pressLesson(p, 1)
	pollJS[bool](p, `(() => { const r = document.querySelector("#result .t-headline").getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; })()`)
	if sw := evalJS[float64](p, `document.documentElement.scrollWidth`); sw > 390 {
		t.Errorf("390×844: the page is %g px wide: it scrolls sideways", sw)
	}
	inView(p, 390, 844, "390×844 after a press", "#result .t-headline")
	if px := smallestLabel(p); px < 14 {
		t.Errorf("390×844: a diagram label is %.1f px, want ≥ 14", px)
	}
	screenshot(p, "phone.png")
}

// axeFinding is one violation axe-core reports.
type axeFinding struct {
	ID, Impact, Help string
	Nodes            []string
}

// TestAccessibilityAudit runs axe-core (npm) in Chromium over the page
// after a blocked trial, with the policy editor open: no serious or
// critical violation. axe is injected over DevTools (Runtime.evaluate),
// which the page's Content-Security-Policy does not govern.
func TestAccessibilityAudit(t *testing.T) {
	t.Parallel()
	_, dir := npmtest.Dir(t)
	src, err := os.ReadFile(filepath.Join(dir, "node_modules", "axe-core", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v", err)
	}
	p := openPage(t, "")
	viewport(p, 1280, 720, false)
	pollJS[bool](p, `!document.querySelector("#lesson").hidden && document.querySelectorAll("#lesson-requests button").length > 1`)
	pressLesson(p, 1)
	openEditor(p)
	evalJS[bool](p, string(src)+"\n;typeof axe === 'object'")
	for _, mode := range []string{"the page", "presenter mode"} {
		if mode == "presenter mode" {
			click(p, "#presenter")
		}
		found := evalJS[[]axeFinding](p, `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
			.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({ID: v.id, Impact: v.impact, Help: v.help, Nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))})))`)
		for _, f := range found {
			t.Errorf("%s: axe %s (%s): %s — %v", mode, f.ID, f.Impact, f.Help, f.Nodes)
		}
	}
}
