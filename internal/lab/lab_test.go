package lab_test

// Tests of the lab's plumbing without a browser: the live log's websocket
// and the control API refuse other origins, and the live log speaks the
// protocol the page expects.

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// Websockets are not covered by CORS: site A must check Origin itself.
func TestLiveLogRefusesForeignOrigin(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	for _, origin := range []string{l.URLB, "http://evil.example", "null"} {
		conn, resp, err := websocket.DefaultDialer.Dial(l.WS, http.Header{"Origin": {origin}})
		if err == nil {
			conn.Close()
			t.Errorf("Origin %s: websocket opened, want 403", origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %s: %v (response %v), want 403", origin, err, resp)
		}
	}
}

// The page's own origin gets a hello, then events as newline-separated JSON,
// and its announce and outcome messages make a trial.
func TestLiveLogProtocol(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	conn, _, err := websocket.DefaultDialer.Dial(l.WS, http.Header{"Origin": {l.URLA}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(wait))

	var hello struct {
		Kind      string          `json:"kind"`
		SiteBPort string          `json:"siteBPort"`
		Policy    json.RawMessage `json:"policy"`
	}
	if err := conn.ReadJSON(&hello); err != nil {
		t.Fatalf("reading hello: %v", err)
	}
	if hello.Kind != "hello" || !strings.HasSuffix(l.URLB, ":"+hello.SiteBPort) || !json.Valid(hello.Policy) {
		t.Fatalf("hello = %+v, want kind hello with site B's port and the policy", hello)
	}

	const id = "AbCdEf012345"
	if err := conn.WriteJSON(map[string]any{"type": "announce", "id": id, "request": trial.Request{Label: "from Go", Method: "GET", URL: l.URLB + "/api/items"}}); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, l.URLB+"/api/items", nil)
	req.Header.Set("Origin", l.URLA)
	req.Header.Set("Referer", l.URLA+"/trial/"+id)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := conn.WriteJSON(map[string]any{"type": "outcome", "id": id, "outcome": trial.Outcome{OK: false, Error: "TypeError: Failed to fetch"}}); err != nil {
		t.Fatal(err)
	}

	var last uint64
	for settled := false; !settled; {
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("reading events: %v", err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			var e journal.Event
			if err := json.Unmarshal([]byte(line), &e); err != nil {
				t.Fatalf("frame line %q: %v", line, err)
			}
			if last != 0 && e.Seq != last+1 {
				t.Errorf("seq %d after %d: a gap", e.Seq, last)
			}
			last = e.Seq
			if e.Kind == journal.KindExchange && e.Exchange.Trial != id {
				t.Errorf("exchange %s %s has trial %q, want %s", e.Exchange.Method, e.Exchange.Path, e.Exchange.Trial, id)
			}
			if e.Kind == journal.KindTrial && e.Trial.Outcome != nil {
				settled = true
				if len(e.Trial.Exchanges) != 1 || e.Trial.Request.Label != "from Go" || e.Trial.Origin != l.URLA {
					t.Errorf("settled trial = %+v", e.Trial)
				}
			}
		}
	}
}

// The control API answers 403 to a browser request from another origin —
// site B's included — and still serves site A's page and scripts.
func TestControlAPIRefusesOtherOrigins(t *testing.T) {
	t.Parallel()
	l := startLab(t, "")
	do := func(method, site, origin string) int {
		t.Helper()
		body := strings.NewReader(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`)
		req, _ := http.NewRequest(method, l.URLA+"/lab/policy", body)
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, c := range []struct {
		method, site, origin string
		want                 int
	}{
		{"GET", "same-site", l.URLB, http.StatusForbidden},
		{"PUT", "same-site", l.URLB, http.StatusForbidden},
		{"PUT", "cross-site", "http://evil.example", http.StatusForbidden},
		{"GET", "same-origin", l.URLA, http.StatusOK},
		{"GET", "", "", http.StatusOK}, // curl
	} {
		if got := do(c.method, c.site, c.origin); got != c.want {
			t.Errorf("%s /lab/policy with Sec-Fetch-Site %q, Origin %q: %d, want %d", c.method, c.site, c.origin, got, c.want)
		}
	}
	if got := string(l.SiteB.PolicyJSON()); strings.Contains(got, "Access-Control") {
		t.Errorf("a refused PUT changed the policy: %s", got)
	}
}
