package siteB

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/trial"
)

// WSPath is site B's websocket endpoint.
const WSPath = "/api/ws"

// wsUpgrader accepts a websocket from any origin, on purpose: websockets are
// not covered by CORS. The browser sends Origin with the handshake but
// enforces nothing; no Access-Control-* header is involved. Only the
// server's own Origin check protects it, and site B has none (compare site
// A's /lab/ws, which checks).
var wsUpgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// wsHello is the one message GET /api/ws sends.
type wsHello struct {
	Hello string `json:"hello"`
	Items []Item `json:"items"`
}

// ws upgrades to a websocket, sends the greeting and the item list as one
// JSON message, and closes.
func (a *api) ws(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = "(no Origin)"
	}
	// The policy's headers (already in w.Header()) go out with the 101.
	c, err := wsUpgrader.Upgrade(w, r, w.Header())
	if err != nil {
		return // the upgrader answered with an error status
	}
	defer c.Close()
	a.mu.Lock()
	items := append([]Item(nil), a.items...)
	a.mu.Unlock()
	msg, _ := json.Marshal(wsHello{Hello: "hello from site B, you are " + origin, Items: items})
	c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if c.WriteMessage(websocket.TextMessage, msg) != nil {
		return
	}
	setEffect(w, trial.Effect{Kind: trial.WSMessage, Origin: origin})
	c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, "bye"), time.Now().Add(time.Second))
}

// wsTrialID is the page's trial ID for a websocket handshake, which carries
// no Referer the page can set: the query's trial parameter.
func wsTrialID(r *http.Request) string {
	if r.URL.Path != WSPath || r.URL.RawQuery == "" {
		return ""
	}
	id := r.URL.Query().Get("trial")
	if journal.ValidTrialID(id) != nil {
		return ""
	}
	return id
}
