package journal

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
)

// Kind names what an Event carries.
type Kind string

// The kinds of event on the live log.
const (
	KindExchange Kind = "exchange" // site B served a request (a preflight or an actual one)
	KindPolicy   Kind = "policy"   // site B's policy was replaced
	KindTrial    Kind = "trial"    // a fetch() on the page was announced, saw an exchange, or settled
)

// Event is one entry of the live log. Exactly one of Exchange, Policy and
// Trial is set, as Kind says. An Event is immutable once published.
type Event struct {
	Seq      uint64        `json:"seq"`
	Time     time.Time     `json:"time"`
	Kind     Kind          `json:"kind"`
	Exchange *Exchange     `json:"exchange,omitempty"`
	Policy   *PolicyChange `json:"policy,omitempty"`
	Trial    *Trial        `json:"trial,omitempty"`

	once    sync.Once
	encoded []byte
}

// JSON returns the event's JSON encoding, computed once and shared by every
// subscriber.
func (e *Event) JSON() []byte {
	e.once.Do(func() {
		b, err := json.Marshal(e)
		if err != nil { // only a bug can get here: every field marshals
			b = []byte(`{"seq":0,"kind":"error"}`)
		}
		e.encoded = b
	})
	return e.encoded
}

// Exchange is one HTTP request and response as site B saw them.
type Exchange struct {
	Method string `json:"method"`
	// Path is the request's path and query.
	Path string `json:"path"`
	// Origin is the request's Origin header, empty when absent.
	Origin string `json:"origin,omitempty"`
	// Preflight is true for a CORS preflight: OPTIONS with Access-Control-Request-Method.
	Preflight bool `json:"preflight"`
	// Trial is the page's fetch() this exchange belongs to, if any.
	Trial          string      `json:"trial,omitempty"`
	RequestHeader  http.Header `json:"requestHeaders"`
	Status         int         `json:"status"`
	ResponseHeader http.Header `json:"responseHeaders"`
	// Effect says what the endpoint did to site B's data ("created item 4"), if anything.
	Effect string `json:"effect,omitempty"`
	// Micros is how long site B took to answer, in microseconds.
	Micros int64 `json:"micros"`
}

// PolicyChange announces a new site B policy.
type PolicyChange struct {
	// By says who changed it: "tui", "control API", "start-up".
	By string `json:"by"`
	// Document is the new policy document, as JSON.
	Document json.RawMessage `json:"document"`
}
