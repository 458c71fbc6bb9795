package lab_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"

	"github.com/corslab/corslab/internal/testsupport/browsertest"
)

// attackPage is the attacker's page: it tries what the rebinding
// page did, same-origin with the lab once its name resolves to 127.0.0.1 —
// read the policy, replace it, start lesson 12, open the live log — and
// reports what it got.
const attackPage = `<!doctype html><title>evil</title><script>
window.attack = async () => {
  const out = {};
  const get = await fetch("/lab/policy");
  out.get = get.status + " " + await get.text();
  const put = await fetch("/lab/policy", {method: "PUT", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({actual: {headers: {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}})});
  out.put = put.status + " " + await put.text();
  const lesson = await fetch("/lab/lessons/12/start", {method: "POST"});
  out.lesson = lesson.status + " " + await lesson.text();
  out.ws = await new Promise((resolve) => {
    const ws = new WebSocket("ws://" + location.host + "/lab/ws");
    ws.onopen = () => { ws.close(); resolve("opened"); };
    ws.onmessage = (e) => resolve("message " + e.data.slice(0, 80));
    ws.onclose = (e) => resolve("closed " + e.code);
  });
  return out;
};
</script>`

// DNS rebinding in real Chromium: a page served as http://evil.test:PORT —
// site A's own port, the name resolving to 127.0.0.1 — is same-origin with
// whatever answers there. Its fetch()es and websocket reach the lab (the
// answers are the lab's own refusals, readable because same-origin), and the
// lab refuses each for its Host: the policy and the lesson stay as they were.
func TestDNSRebindingRefusedInChromium(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	before, lessonBefore := string(l.SiteB.PolicyJSON()), l.SiteA.Lessons().Current
	origin := "http://" + evilHost + ":" + hostPort(t, l.URLA)

	tab := browsertest.NewTab(t)
	// The attacker's own server answers the first load (before the
	// rebinding); here DevTools plays it, for that one URL.
	if err := chromedp.Listen(tab.Ctx, func(ev any) {
		if e, ok := ev.(*fetch.EventRequestPaused); ok {
			go chromedp.Call(tab.Ctx, fetch.FulfillRequest, fetch.FulfillRequestParams{
				RequestID: e.RequestID, ResponseCode: 200, Body: []byte(attackPage),
				ResponseHeaders: []*fetch.HeaderEntry{{Name: "Content-Type", Value: "text/html; charset=utf-8"}},
			})
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tab.Ctx, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: origin + "/attack"}}}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab.Ctx, chromedp.Navigate(origin+"/attack")); err != nil {
		t.Fatalf("navigate to %s/attack: %v", origin, err)
	}
	ctx, cancel := context.WithTimeout(tab.Ctx, wait)
	defer cancel()
	got, err := chromedp.Run(ctx, chromedp.Evaluate[map[string]string](`window.attack()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("the attack page: %v; failures %+v", err, tab.Failures())
	}
	refused := `403 corslab site A: refused Host "` + strings.TrimPrefix(origin, "http://") + `"`
	for _, door := range []string{"get", "put", "lesson"} {
		if !strings.HasPrefix(got[door], refused) {
			t.Errorf("%s: the page got %q, want the lab's %q…", door, got[door], refused)
		}
	}
	if !strings.HasPrefix(got["ws"], "closed ") {
		t.Errorf("/lab/ws: %q, want closed without opening", got["ws"])
	}
	if now := string(l.SiteB.PolicyJSON()); now != before {
		t.Errorf("the policy changed: %s", now)
	}
	if n := l.SiteA.Lessons().Current; n != lessonBefore {
		t.Errorf("the lesson changed to %d", n)
	}
	if n := l.Journal.Hub().Subscribers(); n != 0 {
		t.Errorf("%d live-log subscribers, want 0", n)
	}
}
