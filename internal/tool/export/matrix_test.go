package export_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/check"
	"github.com/corslab/corslab/siteB"
)

// The page's origin the policies name, and another one.
const (
	pageOrigin  = "http://localhost:7070"
	otherOrigin = "http://evil.example"
)

// probe is one fetch() of the matrix, without origin and credentials.
type probe struct {
	method, path string
	headers      [][2]string
	body         string
}

var probes = []probe{
	{"GET", "/api/items", nil, ""},
	{"POST", "/api/items", [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, "name=form"},
	{"POST", "/api/items", [][2]string{{"Content-Type", "application/json"}}, `{"name":"json"}`},
	{"PUT", "/api/items/2", [][2]string{{"Content-Type", "application/json"}}, `{"name":"put"}`},
	{"PATCH", "/api/items/2", [][2]string{{"Content-Type", "application/json"}}, `{"name":"patch"}`},
	{"DELETE", "/api/items/3", nil, ""},
	{"GET", "/api/items", [][2]string{{"X-Trace", "1"}}, ""},
	{"GET", "/api/items", [][2]string{{"Authorization", "Bearer x"}}, ""},
}

// siteBServer serves site B under doc.
func siteBServer(t *testing.T, doc policy.Document) *httptest.Server {
	t.Helper()
	p, err := policy.NewPolicy(doc)
	if err != nil {
		t.Fatal(err)
	}
	s := siteB.New(journal.New(64))
	s.SetPolicy(p, "test")
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return srv
}

// bareSiteB is site B's API with no CORS headers: the app behind a CORS
// library or proxy.
func bareSiteB() http.Handler { return siteB.New(journal.New(64)) }

// result is what a probe's verdict says that two servers answering as the
// same policy must agree on. Chromium's error names may differ where a
// library leaves out every header instead of sending a refusing one
// (MissingAllowOriginHeader for AllowOriginMismatch): both block, at the
// same stage.
type result struct {
	Preflight, ActualRequestSent, Allowed bool
	BlockedAtPreflight                    bool
	Readable                              string
}

// summarise leaves Vary out of the readable headers: a library adds its
// own (Vary: Origin), which Access-Control-Expose-Headers: * makes readable.
func summarise(v fetch.Verdict) result {
	readable := slices.DeleteFunc(slices.Clone(v.ReadableHeaders), func(h string) bool { return h == "vary" })
	return result{v.Preflight, v.ActualRequestSent, v.Allowed, fetch.IsPreflightError(v.Error), strings.Join(readable, ",")}
}

// compareMatrix sends every probe from both origins, with and without
// credentials, to want (site B) and to got, in the same order, and
// compares the verdicts; exact compares them whole.
func compareMatrix(t *testing.T, want, got string, exact bool) {
	t.Helper()
	ctx := context.Background()
	for _, origin := range []string{pageOrigin, otherOrigin} {
		for _, cred := range []string{"omit", "include"} {
			for _, pr := range probes {
				name := fmt.Sprintf("%s %s %v from %s, credentials %s", pr.method, pr.path, pr.headers, origin, cred)
				run := func(base string) *check.Result {
					r, err := check.Run(ctx, check.Options{
						Request: fetch.Request{Origin: origin, URL: base + pr.path, Method: pr.method, Headers: pr.headers, Credentials: cred},
						Body:    pr.body, Timeout: 5 * time.Second,
					})
					if err != nil {
						t.Fatalf("%s: %v", name, err)
					}
					if r.Err != nil {
						t.Fatalf("%s: %v", name, r.Err)
					}
					return r
				}
				w, g := run(want), run(got)
				switch {
				case exact:
					wv, gv := w.Verdict, g.Verdict
					wv.Notes, gv.Notes = nil, nil
					wv.Message, gv.Message = firstLine(wv.Message), firstLine(gv.Message)
					wv.Message = strings.ReplaceAll(wv.Message, want, "URL")
					gv.Message = strings.ReplaceAll(gv.Message, got, "URL")
					if !equalVerdicts(wv, gv) {
						t.Errorf("%s:\nsite B: %+v\nexport: %+v", name, wv, gv)
					}
				case summarise(w.Verdict) != summarise(g.Verdict):
					t.Errorf("%s:\nsite B: %+v %s\nexport: %+v %s", name, summarise(w.Verdict), w.Verdict.Error, summarise(g.Verdict), g.Verdict.Error)
				}
			}
		}
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func equalVerdicts(a, b fetch.Verdict) bool {
	return a.Preflight == b.Preflight && a.ActualRequestSent == b.ActualRequestSent && a.Allowed == b.Allowed &&
		a.ResponseType == b.ResponseType && a.Error == b.Error && a.FailedParameter == b.FailedParameter &&
		a.Message == b.Message && slices.Equal(a.ReadableHeaders, b.ReadableHeaders) &&
		slices.Equal(a.PreflightReasons, b.PreflightReasons) && slices.Equal(a.RequestHeadersInPreflight, b.RequestHeadersInPreflight)
}

func mustDoc(t *testing.T, s string) policy.Document {
	t.Helper()
	d, err := policy.ParseDocument([]byte(s))
	if err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return d
}
