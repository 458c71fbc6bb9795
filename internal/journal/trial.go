package journal

import (
	"time"

	"github.com/corslab/corslab/internal/model/trial"
)

// Trial is one fetch() made from site A's page: the request as the page
// built it, the exchanges site B saw for it, what JavaScript got, and the
// account of it all (trial.Account: what happened, the verdict, the whole
// fix, the notes, the trace, a headline), rebuilt whenever one of them
// arrives. Its JSON is the live log's trial event (docs/live-log.md).
//
// The page names each trial with an ID that travels to site B in the
// Referer header (fetch's referrer option, policy "unsafe-url"): that
// changes neither the URL nor the request headers, so it changes nothing
// about CORS, and the preflight and the actual request both carry it. A
// sandboxed iframe's fetch() carries no Referer (and Origin: null): the
// journal attaches its exchanges by method and URL (Journal.Record).
type Trial struct {
	ID      string        `json:"id"`
	Origin  string        `json:"origin,omitempty"`
	Request trial.Request `json:"request"`
	// Exchanges are what site B saw for this trial, in order.
	Exchanges []Exchange `json:"exchanges"`
	// Outcome is what JavaScript got; nil until the fetch settles.
	Outcome *trial.Outcome `json:"outcome,omitempty"`
	// The account: call, happened, verdict, fix, notes, mismatch, trace, headline.
	trial.Account

	announced   bool
	announcedAt time.Time
	userAgent   string           // the announcing page's User-Agent (AnnounceFrom)
	preflightAt time.Time        // when site B's last preflight for it was recorded
	bytes       int              // its size as the journal counts it (Journal.resize)
	rejudging   bool             // a rebuild after a late exchange is on its way
	cache       trial.CacheEntry // the preflight-cache entry judge found (AccountFor)
}

// snapshot returns a copy that later changes to t do not touch.
func (t *Trial) snapshot() *Trial {
	c := *t
	c.bytes = 0 // the journal's own count
	c.Exchanges = append([]Exchange(nil), t.Exchanges...)
	if t.Outcome != nil {
		o := *t.Outcome
		c.Outcome = &o
	}
	return &c
}
