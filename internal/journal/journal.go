package journal

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/textclean"
)

// Journal is the lab's record: a Hub of events plus the trials being
// assembled from the page's announcements and site B's exchanges.
type Journal struct {
	hub *Hub
	now func() time.Time

	mu     sync.Mutex
	trials map[string]*Trial
	order  []string // trial IDs in the order they came, oldest first: at most maxTrials
	bytes  int      // the trials' estimated size (Trial.size), at most maxTrialStoreBytes
	null   []string // sandboxed trials (origin "null") open for matching by method and URL, oldest first
	// policyAt is when site B's policy last changed.
	policyAt time.Time
	// policy is the document last announced and its event's seq (0: none yet).
	policy    json.RawMessage
	policySeq uint64

	nullOpen atomic.Int32 // len(null), read without mu on the request path
}

// maxTrials bounds how many trials are kept for correlation.
const maxTrials = 512

// maxTrialExchanges bounds the exchanges one trial keeps (the latest): a
// fetch() makes two or a few, and every trial event carries them all.
const maxTrialExchanges = 32

// New returns a journal whose history keeps the last size events.
func New(size int) *Journal {
	return &Journal{hub: NewHub(size), now: time.Now, trials: make(map[string]*Trial)}
}

// Hub returns the journal's event hub, to subscribe to.
func (j *Journal) Hub() *Hub { return j.hub }

// Record publishes an exchange site B served. An exchange that belongs to a
// trial carries the trial's ID, and joins the trial; the trial's state is
// published again only when the trial has already settled (a late exchange:
// its account is rebuilt, off this request path). Until then the live log
// attaches exchanges to their trial by Exchange.Trial, and the settled trial
// (Settle) carries them all: repeating them in a trial event per exchange
// tripled the bytes sent to every subscriber. An exchange with Origin: null
// and no trial (a sandboxed iframe sends no Referer) joins the open
// sandboxed trial that announced its method and URL, if one did. x must not
// be changed afterwards.
func (j *Journal) Record(x *Exchange) {
	x.bytes = x.size()
	now := j.now()
	if x.Trial == "" && x.Origin == "null" && j.nullOpen.Load() > 0 {
		j.mu.Lock()
		x.Trial = j.matchNull(x, now)
		j.mu.Unlock()
	}
	if x.Trial == "" {
		j.hub.Publish(&Event{Time: now, Kind: KindExchange, Exchange: x})
		return
	}
	ev := &Event{Time: now, Kind: KindExchange, Exchange: x}
	j.mu.Lock()
	defer j.mu.Unlock()
	// Publish under mu: a trial snapshot published after this event
	// carries this exchange, so a snapshot can replace what came before it.
	j.hub.Publish(ev)
	t := j.trial(x.Trial)
	if len(t.Exchanges) == maxTrialExchanges { // any client can send a trial's Referer, again and again
		t.Exchanges = append(t.Exchanges[:0], t.Exchanges[1:]...)
	}
	t.Exchanges = append(t.Exchanges, *x)
	for t.size() > maxTrialBytes && len(t.Exchanges) > 1 { // a few huge exchanges: keep the latest
		t.Exchanges = append(t.Exchanges[:0], t.Exchanges[1:]...)
	}
	j.resize(t)
	if x.Preflight {
		t.preflightAt = now
	}
	if t.Outcome != nil && !t.rejudging { // a late exchange: rebuild the account, and say so
		t.rejudging = true // once for a burst: any client can send a settled trial's Referer
		go j.rejudge(t.ID)
	}
}

// rejudge rebuilds trial id's account after a late exchange and publishes it.
func (j *Journal) rejudge(id string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	t, ok := j.trials[id]
	if !ok || t.Outcome == nil {
		return
	}
	t.rejudging = false
	j.judge(t)
	j.hub.Publish(&Event{Time: j.now(), Kind: KindTrial, Trial: t.snapshot()})
}

// matchNull returns the open sandboxed trial that x belongs to: announced
// with origin "null" less than nullOriginWindow ago, the same method (a
// preflight's Access-Control-Request-Method) and path, and no exchange of
// x's kind yet — the oldest, if several; "" if none. It forgets the trials
// past the window. Callers hold mu.
func (j *Journal) matchNull(x *Exchange, now time.Time) string {
	method := x.Method
	if x.Preflight {
		method = x.RequestHeader.Get("Access-Control-Request-Method")
	}
	keep := j.null[:0]
	found := ""
	for _, id := range j.null {
		t, ok := j.trials[id]
		if !ok || now.Sub(t.announcedAt) > nullOriginWindow {
			continue
		}
		keep = append(keep, id)
		if found != "" || fetchMethod(t.Request.Method) != method || requestURI(t.Request.URL) != x.Path {
			continue
		}
		if !slices.ContainsFunc(t.Exchanges, func(e Exchange) bool { return e.Preflight == x.Preflight }) {
			found = id
		}
	}
	clear(j.null[len(keep):])
	j.null = keep
	j.nullOpen.Store(int32(len(keep)))
	return found
}

// fetchMethod is the method as fetch() sends it: it upper-cases only
// DELETE, GET, HEAD, OPTIONS, POST and PUT (Fetch "normalize a method").
func fetchMethod(m string) string {
	switch u := strings.ToUpper(m); u {
	case "DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT":
		return u
	}
	return m
}

// requestURI is a URL's path and query, as site B records it.
func requestURI(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	return u.RequestURI()
}

// PolicyChanged publishes a policy change.
func (j *Journal) PolicyChanged(by string, document []byte) {
	now := j.now()
	e := &Event{Time: now, Kind: KindPolicy, Policy: &PolicyChange{By: by, Document: json.RawMessage(document)}}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.policyAt = now
	j.hub.Publish(e) // under mu: the document and the seq LastPolicy returns are one event's
	j.policy, j.policySeq = e.Policy.Document, e.Seq
}

// LastPolicy returns the policy document last announced and the seq of its
// event; seq 0 when none has been. Every later policy event is a later
// change: a client that has the document knows that the events up to seq
// hold nothing newer (the page's editor takes an edit's answer, then
// ignores the live log's older policy events).
func (j *Journal) LastPolicy() (document []byte, seq uint64) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.policy, j.policySeq
}

// LessonChanged publishes the lessons' state (JSON, from site A).
func (j *Journal) LessonChanged(state []byte) {
	j.hub.Publish(&Event{Time: j.now(), Kind: KindLesson, Lesson: json.RawMessage(state)})
}

// Announce records that the page is about to make the fetch() req, under id.
func (j *Journal) Announce(id, origin string, req trial.Request) error {
	return j.AnnounceFrom(id, origin, "", req)
}

// AnnounceFrom is Announce from a page whose User-Agent is userAgent: it
// names the browser whose words explain the trial when site B saw none of
// it (fetch() refused it before sending; else site B's exchanges say).
func (j *Journal) AnnounceFrom(id, origin, userAgent string, req trial.Request) error {
	if err := ValidTrialID(id); err != nil {
		return err
	}
	now := j.now()
	j.mu.Lock()
	defer j.mu.Unlock()
	t := j.trial(id)
	t.Origin, t.Request, t.announced, t.announcedAt = textclean.Strip(Clip(origin, maxText)), clipRequest(req), true, now
	t.userAgent = Clip(userAgent, maxHeaderValue)
	if origin == "null" {
		if len(j.null) == maxNullOpen {
			j.null = append(j.null[:0], j.null[1:]...)
		}
		j.null = append(j.null, id)
		j.nullOpen.Store(int32(len(j.null)))
	}
	j.judge(t)
	j.resize(t)
	j.hub.Publish(&Event{Time: now, Kind: KindTrial, Trial: t.snapshot()})
	return nil
}

// Settle records what JavaScript got from trial id's fetch().
func (j *Journal) Settle(id string, out trial.Outcome) error {
	if err := ValidTrialID(id); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	t, ok := j.trials[id]
	if !ok || !t.announced {
		return fmt.Errorf("trial %q: outcome for a trial that was never announced", id)
	}
	out = clipOutcome(out)
	t.Outcome = &out
	j.judge(t)
	j.resize(t)
	j.hub.Publish(&Event{Time: j.now(), Kind: KindTrial, Trial: t.snapshot()})
	return nil
}

// Trial returns a copy of the trial with the given id.
func (j *Journal) Trial(id string) (*Trial, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	t, ok := j.trials[id]
	if !ok {
		return nil, false
	}
	return t.snapshot(), true
}

// trial returns the trial id, creating it (and forgetting the oldest) if
// needed. Callers hold mu.
func (j *Journal) trial(id string) *Trial {
	if t, ok := j.trials[id]; ok {
		return t
	}
	room := &trialRoom{t: Trial{ID: id}} // the trial and its first exchanges: one allocation
	room.t.Exchanges = room.ex[:0:len(room.ex)]
	t := &room.t
	j.trials[id] = t
	j.order = append(j.order, id)
	if len(j.order) > maxTrials {
		j.forgetOldest()
	}
	return t
}

// resize recounts t's bytes, and forgets the oldest trials while all of
// them together are over maxTrialStoreBytes. Callers hold mu.
func (j *Journal) resize(t *Trial) {
	n := t.size()
	j.bytes += n - t.bytes
	t.bytes = n
	for j.bytes > maxTrialStoreBytes && len(j.order) > 1 {
		j.forgetOldest()
	}
}

// forgetOldest forgets the oldest trial. Callers hold mu.
func (j *Journal) forgetOldest() {
	id := j.order[0]
	j.order = j.order[1:] // append reallocates once the array is used up: no growth
	if t, ok := j.trials[id]; ok {
		j.bytes -= t.bytes
		delete(j.trials, id)
	}
}

// trialRoom is a trial with room for the exchanges of a usual fetch() (a
// preflight and the request).
type trialRoom struct {
	t  Trial
	ex [2]Exchange
}

// ValidTrialID reports whether id can name a trial: 1 to 64 letters, digits, '-' or '_'.
func ValidTrialID(id string) error {
	if id == "" || len(id) > 64 {
		return fmt.Errorf("trial id %q: must be 1 to 64 characters", id)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("trial id %q: only letters, digits, '-' and '_' are allowed", id)
		}
	}
	return nil
}
