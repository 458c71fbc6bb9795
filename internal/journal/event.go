package journal

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/corslab/corslab/internal/model/trial"
)

// Kind names what an Event carries.
type Kind string

// The kinds of event on the live log.
const (
	KindExchange Kind = "exchange" // site B served a request (a preflight or an actual one)
	KindPolicy   Kind = "policy"   // site B's policy was replaced
	KindTrial    Kind = "trial"    // a fetch() on the page was announced or settled, or saw an exchange after it settled
	KindLesson   Kind = "lesson"   // the current lesson or its progress changed (site A's lessons)
)

// Event is one entry of the live log. Exactly one of Exchange, Policy,
// Trial and Lesson is set, as Kind says. An Event is immutable once published.
type Event struct {
	Seq      uint64        `json:"seq"`
	Time     time.Time     `json:"time"`
	Kind     Kind          `json:"kind"`
	Exchange *Exchange     `json:"exchange,omitempty"`
	Policy   *PolicyChange `json:"policy,omitempty"`
	Trial    *Trial        `json:"trial,omitempty"`
	// Lesson is the lessons' state as site A publishes it (its JSON).
	Lesson json.RawMessage `json:"lesson,omitempty"`

	// encoded is the event's JSON once computed (JSON, JoinJSON): the
	// first to finish encoding it sets it, the rest use it.
	encoded atomic.Pointer[[]byte]
	bytes   int // what the hub counts it as (size), set by Publish
}

// JSON returns the event's JSON encoding, computed once and shared by every
// subscriber.
func (e *Event) JSON() []byte {
	if p := e.encoded.Load(); p != nil {
		return *p
	}
	b := encode(e)
	if !e.encoded.CompareAndSwap(nil, &b) { // encoded meanwhile: the same bytes
		return *e.encoded.Load()
	}
	return b
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
	// Effect says what the endpoint did to site B's data (created item 4), if anything.
	Effect *trial.Effect `json:"effect,omitempty"`
	// Micros is how long site B took to answer, in microseconds.
	Micros int64 `json:"micros"`
	// Truncated counts the header lines (and over-long values) left out
	// of RequestHeader and ResponseHeader: the journal keeps a bounded
	// copy of a hostile exchange (10,000 headers, a 100 KB value). Zero
	// for every real browser exchange.
	Truncated int `json:"truncated,omitempty"`
	// UpstreamStatus, UpstreamHeader and UpstreamError are set in proxy
	// mode (corslab -upstream): the status and headers the user's server
	// answered, before site B's policy overrode any of them — or why it
	// gave no answer.
	UpstreamStatus int         `json:"upstreamStatus,omitempty"`
	UpstreamHeader http.Header `json:"upstreamHeaders,omitempty"`
	UpstreamError  string      `json:"upstreamError,omitempty"`
	// HeaderSize, when not zero, is RequestHeader's and ResponseHeader's
	// Size (MeasureHeader), measured by the recorder as it checked their
	// limits: Record need not walk them again.
	HeaderSize int `json:"-"`

	bytes int // its size as the journal counts it (size), once Record has it
}

// PolicyChange announces a new site B policy.
type PolicyChange struct {
	// By says who changed it: "tui", "control API", "start-up".
	By string `json:"by"`
	// Document is the new policy document, as JSON.
	Document json.RawMessage `json:"document"`
}
