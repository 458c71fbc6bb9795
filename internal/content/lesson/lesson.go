// Package lesson is corslab's guided path through CORS: lessons in order,
// each with a concept, the site B policy it starts from, the requests to
// make (buttons on site A's page), a goal, a hint, and a check that decides
// from what actually happened — the journal's trials, with site B's
// exchanges, what JavaScript got and the browser model's verdict — whether
// the learner has reached the goal.
package lesson

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// Lesson is one step of the path.
type Lesson struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Concept  string          `json:"concept"`
	Goal     string          `json:"goal"`
	Hint     string          `json:"hint"`
	Policy   json.RawMessage `json:"policy"`   // site B's policy when the lesson starts
	Requests []trial.Request `json:"requests"` // its buttons: URLs are paths on site B (site A when Site is "A")
	// Check says whether the goal is reached.
	Check func(Attempt) bool `json:"-"`
}

// Placeholders a lesson's texts may use for the lab's origins, which only
// the running lab knows (its ports are flags): WithOrigins replaces them.
const (
	SiteA = "{site A}"
	SiteB = "{site B}"
)

// WithOrigins returns l with SiteA and SiteB in its texts replaced by the
// origins siteA and siteB, e.g. "http://localhost:7070".
func (l Lesson) WithOrigins(siteA, siteB string) Lesson {
	r := strings.NewReplacer(SiteA, siteA, SiteB, siteB)
	l.Title, l.Concept, l.Goal, l.Hint = r.Replace(l.Title), r.Replace(l.Concept), r.Replace(l.Goal), r.Replace(l.Hint)
	return l
}

// Attempt is what happened since the lesson started.
type Attempt struct {
	// Trials are the settled fetch()es, oldest first.
	Trials []*journal.Trial
	// Policy is site B's policy in force now.
	Policy policy.Document
}

// All returns the lessons in order.
func All() []Lesson { return slices.Clone(lessons) }

// Done reports whether lesson i (0-based) is complete in a.
func Done(i int, a Attempt) bool {
	if i < 0 || i >= len(lessons) {
		return false
	}
	return lessons[i].Check(a)
}

// --- what happened in a trial ---------------------------------------------

func settled(t *journal.Trial) bool { return t != nil && t.Outcome != nil }

func method(t *journal.Trial) string { return strings.ToUpper(t.Request.Method) }

func reqURL(t *journal.Trial) *url.URL {
	u, err := url.Parse(t.Request.URL)
	if err != nil {
		return &url.URL{}
	}
	return u
}

func path(t *journal.Trial) string { return reqURL(t).Path }

// sameOrigin reports whether the trial's URL is on the page's own origin.
func sameOrigin(t *journal.Trial) bool {
	u := reqURL(t)
	return t.Origin != "" && u.Scheme+"://"+u.Host == t.Origin
}

func ok(t *journal.Trial) bool { return settled(t) && t.Outcome.OK }

func status(t *journal.Trial) int {
	if !settled(t) {
		return 0
	}
	return t.Outcome.Status
}

func preflight(t *journal.Trial) *journal.Exchange {
	for i := range t.Exchanges {
		if t.Exchanges[i].Preflight {
			return &t.Exchanges[i]
		}
	}
	return nil
}

func actual(t *journal.Trial) *journal.Exchange {
	for i := range t.Exchanges {
		if !t.Exchanges[i].Preflight {
			return &t.Exchanges[i]
		}
	}
	return nil
}

// cachedPreflight is the preflight the browser cached for t: the latest in
// earlier with one, for the same URL.
func cachedPreflight(earlier []*journal.Trial, t *journal.Trial) *journal.Exchange {
	for i := len(earlier) - 1; i >= 0; i-- {
		if e := earlier[i]; e.Request.URL == t.Request.URL {
			if p := preflight(e); p != nil {
				return p
			}
		}
	}
	return nil
}

func hasHeader(t *journal.Trial, name string) bool {
	return slices.ContainsFunc(t.Request.Headers, func(h [2]string) bool { return strings.EqualFold(h[0], name) })
}

func verdictError(t *journal.Trial) string {
	if t.Verdict == nil {
		return ""
	}
	return t.Verdict.Error
}

// firstIndex is the index of the first trial with f, or -1.
func firstIndex(ts []*journal.Trial, f func(*journal.Trial) bool) int {
	return slices.IndexFunc(ts, func(t *journal.Trial) bool { return settled(t) && f(t) })
}

// anySettled reports whether a settled trial satisfies f.
func anySettled(ts []*journal.Trial, f func(*journal.Trial) bool) bool { return firstIndex(ts, f) >= 0 }

// after reports whether a trial with g follows the first trial with f.
func after(ts []*journal.Trial, f, g func(*journal.Trial) bool) bool {
	i := firstIndex(ts, f)
	return i >= 0 && anySettled(ts[i+1:], g)
}

func and(fs ...func(*journal.Trial) bool) func(*journal.Trial) bool {
	return func(t *journal.Trial) bool {
		for _, f := range fs {
			if !f(t) {
				return false
			}
		}
		return true
	}
}

func parseDoc(d json.RawMessage) (policy.Document, error) { return policy.ParseDocument(d) }
