package siteB

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// The websocket endpoint accepts any Origin — no CORS is involved — sends
// one message, and is recorded once, as a 101, with the trial from its query.
func TestWebsocketAcceptsAnyOrigin(t *testing.T) {
	for i, origin := range []string{"http://localhost:7070", "https://evil.example", "null", ""} {
		t.Run(origin, func(t *testing.T) {
			st := newSite(t, "") // closed: no CORS headers at all
			h := http.Header{}
			if origin != "" {
				h.Set("Origin", origin)
			}
			url := "ws" + strings.TrimPrefix(st.ts.URL, "http") + WSPath + "?trial=ws-1"
			c, resp, err := websocket.DefaultDialer.Dial(url, h)
			if err != nil {
				t.Fatalf("dial from %q: %v", origin, err)
			}
			defer c.Close()
			if resp.StatusCode != http.StatusSwitchingProtocols {
				t.Errorf("status %d, want 101", resp.StatusCode)
			}
			for k := range resp.Header {
				if strings.HasPrefix(k, "Access-Control-") {
					t.Errorf("handshake answer has %s", k)
				}
			}
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, data, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			var msg wsHello
			if err := json.Unmarshal(data, &msg); err != nil || len(msg.Items) != 3 {
				t.Fatalf("message %s: %v", data, err)
			}
			want := "hello from site B, you are " + origin
			if origin == "" {
				want = "hello from site B, you are (no Origin)"
			}
			if msg.Hello != want {
				t.Errorf("hello = %q, want %q", msg.Hello, want)
			}
			if _, _, err := c.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseNormalClosure) {
				t.Errorf("after the message: %v, want a normal close", err)
			}
			xs := st.rec.waitExchanges(t, 1)
			time.Sleep(50 * time.Millisecond) // a second recording would come now
			st.rec.mu.Lock()
			n := len(st.rec.exchanges)
			st.rec.mu.Unlock()
			x := xs[0]
			if n != 1 || x.Status != http.StatusSwitchingProtocols || x.Method != "GET" || x.Path != WSPath+"?trial=ws-1" ||
				x.Trial != "ws-1" || x.Origin != origin || !strings.HasPrefix(x.Effect.String(), "sent a websocket message") {
				t.Errorf("%d: recorded %d exchanges; %+v", i, n, x)
			}
		})
	}
}

// A plain GET (no upgrade) is refused by the upgrader and recorded as such.
func TestWebsocketWithoutUpgrade(t *testing.T) {
	st := newSite(t, "")
	r := st.do(t, "GET", WSPath+"?trial=bad.id", http.Header{"Origin": {"http://a.example"}}, "")
	if r.status != http.StatusBadRequest || r.x.Status != http.StatusBadRequest || r.x.Trial != "" {
		t.Errorf("status %d, recorded %d, trial %q", r.status, r.x.Status, r.x.Trial)
	}
}
