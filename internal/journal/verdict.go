package journal

import (
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
)

// judge rebuilds t's account from what site B actually received and
// answered and what JavaScript got. It runs when the trial is announced,
// when it settles and when a late exchange comes: never on site B's request
// path. Callers hold the journal's mu (cache reads other trials).
func (j *Journal) judge(t *Trial) {
	t.cache = j.cacheEntry(t)
	t.Account = trial.Build(t.input())
}

// input is the trial's recorded input to trial.Build: its request, the
// exchanges site B saw, what JavaScript got, the page's browser (by the
// User-Agent site B received, or the page's own when site B saw nothing)
// and the preflight-cache entry judge found.
func (t *Trial) input() trial.Input {
	seen := make([]trial.Seen, len(t.Exchanges))
	for i := range t.Exchanges {
		x := &t.Exchanges[i]
		seen[i] = trial.Seen{Preflight: x.Preflight, Method: x.Method, Path: x.Path, Status: x.Status, Header: x.ResponseHeader, Effect: x.Effect}
	}
	origin := t.Origin
	if !t.announced {
		origin = ""
	}
	in := trial.Input{Origin: origin, Request: t.Request, Exchanges: seen, Outcome: t.Outcome, Cache: t.cache}
	ua := t.userAgent
	if len(t.Exchanges) > 0 {
		ua = t.Exchanges[0].RequestHeader.Get("User-Agent")
	}
	if ua != "" {
		in.Browser = fetch.BrowserForUserAgent(ua)
	}
	return in
}

// AccountFor is the trial's account as browser b explains it
// (trial.AccountFor on the recorded input); the account itself speaks for
// the page's browser.
func (t *Trial) AccountFor(b *fetch.Browser) trial.Account {
	return trial.AccountFor(t.input(), b)
}

// cacheEntry finds the trial whose preflight the browser may have reused
// for t (Fetch §4.8: the cache is keyed by origin, URL and credentials
// mode): the latest earlier one with a preflight, and whether the policy
// changed since. Callers hold mu.
func (j *Journal) cacheEntry(t *Trial) trial.CacheEntry {
	var best *Trial
	for _, id := range j.order {
		o := j.trials[id]
		if o == nil || o == t || o.preflightAt.IsZero() || o.Origin != t.Origin ||
			o.Request.URL != t.Request.URL || credentials(o) != credentials(t) ||
			!o.announcedAt.Before(t.announcedAt) {
			continue
		}
		if best == nil || o.preflightAt.After(best.preflightAt) {
			best = o
		}
	}
	if best == nil {
		return trial.CacheEntry{}
	}
	return trial.CacheEntry{Trial: best.ID, PolicyChanged: j.policyAt.After(best.preflightAt)}
}

func credentials(t *Trial) string {
	if t.Request.Credentials == "" {
		return "same-origin"
	}
	return t.Request.Credentials
}

// nullOriginWindow bounds how long after its announcement a sandboxed
// trial takes exchanges by method and URL.
const nullOriginWindow = 30 * time.Second

// maxNullOpen bounds the sandboxed trials open for matching at once.
const maxNullOpen = 16
