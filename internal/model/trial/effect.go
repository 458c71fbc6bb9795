package trial

import (
	"strconv"
)

// EffectKind names what a site B endpoint did to its data.
type EffectKind string

// The effects site B's endpoints record.
const (
	Created    EffectKind = "created"    // POST /api/items: Item, Name
	Renamed    EffectKind = "renamed"    // PUT /api/items/{id}: Item, Name (the new one), Was
	Deleted    EffectKind = "deleted"    // DELETE /api/items/{id}: Item, Name
	LoggedIn   EffectKind = "logged-in"  // POST /api/login: Name is the session cookie set
	LoggedOut  EffectKind = "logged-out" // POST /api/logout
	WSMessage  EffectKind = "ws-message" // GET /api/ws: a websocket message sent, to Origin
	Replayed   EffectKind = "replayed"   // -replay: Name is the HAR entry the answer was recorded from
	NoneEffect EffectKind = ""           // nothing
)

// Effect is what a request did to site B's data — the part of an exchange a
// learner must see when the browser hides the answer ("a blocked POST still
// created an item"). It is data; String renders it in words at the edge
// (the TUI, the -no-tui log); the page renders it from its fields.
type Effect struct {
	Kind EffectKind `json:"kind"`
	// Item is the item's id (created, renamed, deleted).
	Item int `json:"item,omitempty"`
	// Name is the item's name (the new one when renamed), or the cookie set when logged in.
	Name string `json:"name,omitempty"`
	// Was is the item's name before a rename.
	Was string `json:"was,omitempty"`
	// Origin is the Origin a websocket message went to.
	Origin string `json:"origin,omitempty"`
}

// String says the effect in words: `created item 4 "milk"`.
func (e *Effect) String() string {
	if e == nil {
		return ""
	}
	item := "item " + strconv.Itoa(e.Item) + " " + strconv.Quote(e.Name)
	switch e.Kind {
	case Created:
		return "created " + item
	case Replayed:
		return "replayed " + e.Name
	case Renamed:
		return "renamed item " + strconv.Itoa(e.Item) + " from " + strconv.Quote(e.Was) + " to " + strconv.Quote(e.Name)
	case Deleted:
		return "deleted " + item
	case LoggedIn:
		return "logged in: set cookie " + e.Name
	case LoggedOut:
		return "logged out"
	case WSMessage:
		return "sent a websocket message to " + e.Origin
	}
	return string(e.Kind)
}
