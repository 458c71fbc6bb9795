package lab_test

// The page's policy editor under another hand's changes: a learner's edit
// is never lost while the live log keeps redrawing the editor.

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/testsupport/poll"
)

// anotherHand changes site B's Max-Age through the control API, one edit
// after another, until stop is called: each change is a "policy" event the
// page's editor redraws itself from. stop returns how many changes it made.
func anotherHand(t *testing.T, labURL string) (stop func() int) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	var made int
	wg.Go(func() {
		for i := 0; i < 20000; i++ { // bounded: stop ends it long before
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
			body := fmt.Sprintf(`{"header":"Access-Control-Max-Age","where":"preflight","values":["%d"]}`, i)
			resp, err := http.Post(labURL+"/lab/policy/edit", "application/json", strings.NewReader(body))
			if err != nil {
				t.Errorf("another hand's edit: %v", err)
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("another hand's edit: %s", resp.Status)
				return
			}
			made++
		}
	})
	return sync.OnceValue(func() int {
		close(done)
		wg.Wait()
		return made
	})
}

// TestEditorKeepsEditsUnderPolicyEvents types a value and Enter, then at
// once picks where the header goes with the keyboard on the select, while
// another hand changes the policy every few milliseconds: both edits reach
// site B's policy and show in the editor, and the select keeps the focus
// through the redraws that follow. The first header is not sent yet: its
// select is enabled by the typed value before the policy has it.
func TestEditorKeepsEditsUnderPolicyEvents(t *testing.T) {
	t.Parallel()
	p := openPage(t, wildcard)
	openEditor(p)
	maxAge := `document.querySelector('#policy-body input[data-key="Access-Control-Max-Age"]').value`

	stop := anotherHand(t, p.lab.URLA)
	defer stop()
	// The page follows the other hand before the learner starts.
	pollJS[bool](p, maxAge+` !== ""`)

	const origin, creds = "Access-Control-Allow-Origin", "Access-Control-Allow-Credentials"
	rounds := []struct {
		header, value string
		key           string // typed on the select: its first letter picks the option
		where         policy.Where
		name          string
	}{
		{creds, "true", "a", policy.OnActual, "actual"},
		{origin, "https://r1.example", "a", policy.OnActual, "actual"},
		{origin, "https://r2.example", "p", policy.OnPreflight, "preflight"},
		{origin, "https://r3.example", "b", policy.OnBoth, "both"},
		{origin, "https://r4.example", "a", policy.OnActual, "actual"},
		{origin, "https://r5.example", "b", policy.OnBoth, "both"},
		{origin, "https://r6.example", "p", policy.OnPreflight, "preflight"},
	}
	for i, c := range rounds {
		input := fmt.Sprintf(`#policy-body input[data-key=%q]`, c.header)
		sel := fmt.Sprintf(`#policy-body select[data-key=%q]`, c.header+"/where")
		// The learner empties the value (as a deletion does: an input
		// event), types the new one and Enter, then the where choice.
		evalJS[bool](p, fmt.Sprintf(`(() => { const i = document.querySelector(%q); i.value = ""; return i.dispatchEvent(new Event("input")); })()`, input))
		ctx, cancel := context.WithTimeout(p.tab.Ctx, wait)
		err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(input), c.value+kb.Enter))
		if err == nil {
			err = chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(sel), c.key))
		}
		cancel()
		if err != nil {
			t.Fatalf("round %d: typing %q and Enter, then %q on the where select: %v", i, c.value, c.key, err)
		}

		poll.Check(t, wait, func() error {
			d := p.lab.SiteB.Policy().Document()
			pre, act := d.Header(c.header)
			want := policy.Values{c.value}
			if d.Where(c.header) != c.where || (pre != nil && !slices.Equal(pre, want)) || (act != nil && !slices.Equal(act, want)) {
				return fmt.Errorf("round %d: want %s = %s on %s; site B's policy is %s", i, c.header, c.value, c.where, d.Encode())
			}
			return nil
		})
		// The editor shows both edits, with the select still focused,
		// after the other hand's next changes have been drawn too.
		seen := evalJS[string](p, maxAge)
		pollJS[bool](p, fmt.Sprintf(`%s !== %q`, maxAge, seen))
		want := fmt.Sprintf("%s %s true true", c.value, c.name)
		if got := evalJS[string](p, fmt.Sprintf(`(() => { const i = document.querySelector(%q), s = document.querySelector(%q);
			return [i.value, s.value, document.activeElement === s, document.querySelector("#policy-error").hidden].join(" "); })()`, input, sel)); got != want {
			t.Errorf("round %d: the editor shows (value, where, select focused, no error) %q, want %q", i, got, want)
		}
	}
	n := stop()
	if n < len(rounds) {
		t.Errorf("the other hand made %d changes: the editor was hardly redrawn", n)
	}
	t.Logf("the other hand made %d changes during the learner's %d rounds", n, len(rounds))
	// Once the other hand stops, the editor shows the policy in force.
	last, _ := p.lab.SiteB.Policy().Document().Header("Access-Control-Max-Age")
	pollJS[bool](p, fmt.Sprintf(`%s === %q`, maxAge, strings.Join(last, "")))
}

// TestRequestAfterAnEditMeetsIt: the editor shows a learner's edit at once,
// while it is on its way to site B; a request the learner makes right
// after it — in the same task, before the edit is answered — waits for it,
// so it meets the policy the editor shows, never the one before. Each
// round changes Allow-Origin and sends a GET in one go; site B's answer to
// that GET must carry the new value.
func TestRequestAfterAnEditMeetsIt(t *testing.T) {
	t.Parallel()
	p := openPage(t, wildcard)
	openEditor(p)
	const input = `#policy-body input[data-key="Access-Control-Allow-Origin"]`
	for i, value := range []string{"{origin}", "https://r1.example", "{origin}", "https://r2.example", "{origin}", "https://r3.example"} {
		id := evalJS[string](p, fmt.Sprintf(`(async () => {
			const i = document.querySelector(%q);
			i.value = %q;
			i.dispatchEvent(new Event("change"));
			return (await window.corslab.send({label: "GET", method: "GET", url: "/api/items"})).id;
		})()`, input, value))
		tr := p.settled(id)
		want := value
		if value == "{origin}" {
			want = p.lab.URLA
		}
		var got []string
		for _, x := range tr.Exchanges {
			if !x.Preflight {
				got = x.ResponseHeader.Values("Access-Control-Allow-Origin")
			}
		}
		if !slices.Equal(got, []string{want}) {
			t.Errorf("round %d: typed %s and sent a GET at once: site B answered Access-Control-Allow-Origin %q, want %q", i+1, value, got, want)
		}
	}
}
