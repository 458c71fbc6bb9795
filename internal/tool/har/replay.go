package har

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
)

// Answer is one answer the recorded server gave: what `corslab -replay`
// serves for the same method, path and query.
type Answer struct {
	Method string // OPTIONS for a preflight
	Path   string // path and query
	Status int
	Header http.Header
	Body   []byte
	// BodyTruncated says the file held less of the body than the server sent.
	BodyTruncated bool
	Origin        string // the page origin of the recorded request
	Entry         int    // index in log.entries
}

// Call is one recorded fetch(), for site A's page to make again.
type Call struct {
	Method      string
	Path        string // path and query on the recorded server
	Headers     [][2]string
	Body        string
	Credentials string
	Mode        string
	Origin      string // the page origin that made it in the recording
	Entry       int    // index in log.entries of the request (of its preflight when only that is in the file)
	// Allowed and Error are the verdict on the recording.
	Allowed bool
	Error   string
}

// Servers lists the origins the file's cross-origin requests went to,
// the most requested first.
func (rep *Report) Servers() []string {
	count := map[string]int{}
	var order []string
	for _, x := range rep.Exchanges {
		s := serverOf(x.Exchange.Request.URL)
		if count[s] == 0 {
			order = append(order, s)
		}
		count[s]++
	}
	slices.SortStableFunc(order, func(a, b string) int { return cmp.Compare(count[b], count[a]) })
	return order
}

func serverOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return OriginOf(u)
}

func pathOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "/"
	}
	return u.RequestURI()
}

// Recorded returns what the file recorded of one server: every answer it
// gave to a cross-origin request or a preflight (a request that got none,
// status 0, has no answer), and the fetch() calls that were made to it, one
// per method and path.
func (rep *Report) Recorded(server string) ([]Answer, []Call) {
	var answers []Answer
	var calls []Call
	seen := map[string]bool{}
	for _, x := range rep.Exchanges {
		r := x.Exchange.Request
		// The answers of the server, to the request and to the hops of
		// its redirects that went to the server.
		for _, ex := range append([]*Exchange{x}, x.Hops...) {
			for _, e := range []*Entry{ex.Preflight, ex.Entry} {
				if e != nil && e.Response.Status != 0 && serverOf(e.Request.URL) == server {
					answers = append(answers, answer(e, r.Origin))
				}
			}
		}
		if serverOf(r.URL) != server {
			continue
		}
		k := r.Method + " " + pathOf(r.URL)
		if seen[k] {
			continue
		}
		seen[k] = true
		c := Call{Method: r.Method, Path: pathOf(r.URL), Headers: r.Headers, Credentials: r.Credentials, Mode: r.Mode,
			Origin: r.Origin, Allowed: x.Verdict.Allowed, Error: x.Verdict.Error}
		if x.Entry != nil {
			c.Entry, c.Body = x.Entry.Index, x.Entry.Request.Body
		} else {
			c.Entry = x.Preflight.Index
		}
		calls = append(calls, c)
	}
	return answers, calls
}

func answer(e *Entry, origin string) Answer {
	return Answer{Method: e.Request.Method, Path: pathOf(e.Request.URL), Status: e.Response.Status, Header: httpHeader(e.Response.Headers),
		Body: e.Response.Body, BodyTruncated: e.Response.BodyTruncated, Origin: origin, Entry: e.Index}
}
