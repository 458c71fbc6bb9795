package trial

import (
	"strings"
	"testing"

	"github.com/corslab/corslab/internal/model/fetch"
)

// TestBuildKinds: a request of another kind than fetch() is judged with the
// mode and credentials mode its kind fixes, and its account says what
// loaded and what the page can read.
func TestBuildKinds(t *testing.T) {
	acao := []string{"Access-Control-Allow-Origin", siteA}
	tests := []struct {
		desc      string
		kind      string
		method    string
		body      string
		seen      []Seen
		out       *Outcome
		reads     string
		headline  string // a substring
		verdict   string // the verdict's error; "-" for none (a navigation)
		mismatch  string // a substring, "" for none
		sentCreds string // the credentials mode judged
	}{
		{desc: "img without crossorigin, no ACAO: shows, canvas tainted", kind: "img", seen: []Seen{actualSeen("GET", "/kinds/image.png", 200)},
			out: &Outcome{OK: true, Read: "SecurityError: Failed to execute 'getImageData'"}, reads: fetch.ReadsTainted, headline: "the canvas is now tainted", sentCreds: "include"},
		{desc: "img without crossorigin, but the canvas read: the model disagrees", kind: "img", seen: []Seen{actualSeen("GET", "/kinds/image.png", 200)},
			out: &Outcome{OK: true, Read: "pixels"}, reads: fetch.ReadsTainted, headline: "tainted", mismatch: "the canvas is tainted"},
		{desc: "img crossorigin anonymous, no ACAO: does not load at all", kind: "img-anonymous", seen: []Seen{actualSeen("GET", "/kinds/image.png", 200)},
			out: &Outcome{Error: "error event"}, reads: fetch.ReadsFailed, headline: "failed to load at all", verdict: fetch.ErrMissingAllowOriginHeader, sentCreds: "same-origin"},
		{desc: "img crossorigin anonymous, ACAO: clean canvas", kind: "img-anonymous", seen: []Seen{actualSeen("GET", "/kinds/image.png", 200, acao...)},
			out: &Outcome{OK: true, Read: "pixels"}, reads: fetch.ReadsResponse, headline: "canvas stays clean"},
		{desc: "img use-credentials with *: blocked", kind: "img-use-credentials", seen: []Seen{actualSeen("GET", "/kinds/image.png", 200, "Access-Control-Allow-Origin", "*")},
			out: &Outcome{Error: "error event"}, reads: fetch.ReadsFailed, verdict: fetch.ErrWildcardOriginNotAllowed, sentCreds: "include"},
		{desc: "font without ACAO", kind: "font", seen: []Seen{actualSeen("GET", "/kinds/font.ttf", 200)},
			out: &Outcome{Error: "NetworkError"}, reads: fetch.ReadsFailed, headline: "always needs Access-Control-Allow-Origin", verdict: fetch.ErrMissingAllowOriginHeader},
		{desc: "classic script: runs, errors muted", kind: "script-classic", seen: []Seen{actualSeen("GET", "/kinds/classic.js", 200)},
			out: &Outcome{OK: true, Read: "Script error."}, reads: fetch.ReadsMuted, headline: `"Script error."`},
		{desc: "module script without ACAO", kind: "script-module", seen: []Seen{actualSeen("GET", "/kinds/module.js", 200)},
			out: &Outcome{Error: "error event"}, reads: fetch.ReadsFailed, verdict: fetch.ErrMissingAllowOriginHeader},
		{desc: "module script with ACAO, errors in full", kind: "script-module", seen: []Seen{actualSeen("GET", "/kinds/module.js", 200, acao...)},
			out: &Outcome{OK: true, Read: "Uncaught Error: thrown by site B's module script"}, reads: fetch.ReadsResponse},
		{desc: "beacon: no-cors, credentials include, nothing to read", kind: "beacon", method: "POST", body: "hello", seen: []Seen{actualSeen("POST", "/api/items", 201)},
			out: &Outcome{OK: true}, reads: fetch.ReadsNothing, headline: "cookies went along", sentCreds: "include"},
		{desc: "form POST: a navigation, no CORS", kind: "form", method: "POST", body: "name=x", seen: []Seen{actualSeen("POST", "/api/items", 201)},
			out: &Outcome{OK: true, Read: "SecurityError: Blocked a frame"}, reads: fetch.ReadsNothing, headline: "no CORS applies to a form", verdict: "-"},
		{desc: "iframe read: a navigation", kind: "iframe", seen: []Seen{actualSeen("GET", "/kinds/frame.html", 200)},
			out: &Outcome{OK: true, Read: "SecurityError: Blocked a frame"}, reads: fetch.ReadsNothing, headline: "reading its document threw SecurityError", verdict: "-"},
		{desc: "xhr withCredentials, exact origin without Allow-Credentials", kind: "xhr-credentials", seen: []Seen{actualSeen("GET", "/api/me", 200, acao...)},
			out: &Outcome{Error: "XMLHttpRequest error"}, reads: fetch.ReadsFailed, verdict: fetch.ErrInvalidAllowCredentials, sentCreds: "include"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			m := tt.method
			if m == "" {
				m = "GET"
			}
			path := tt.seen[0].Path
			r := Request{Kind: tt.kind, Method: m, URL: siteB + path, Body: tt.body}
			if tt.kind == "beacon" {
				r.Headers = [][2]string{{"Content-Type", "text/plain;charset=UTF-8"}}
			}
			a := Build(Input{Origin: siteA, Request: r, Exchanges: tt.seen, Outcome: tt.out})
			if a.Kind == nil || a.Kind.Name != tt.kind {
				t.Fatalf("kind = %+v, want %s", a.Kind, tt.kind)
			}
			if a.Reads != tt.reads {
				t.Errorf("reads = %q, want %q", a.Reads, tt.reads)
			}
			if !strings.Contains(a.Headline, tt.headline) {
				t.Errorf("headline %q lacks %q", a.Headline, tt.headline)
			}
			switch {
			case tt.verdict == "-" && a.Verdict != nil:
				t.Errorf("a navigation has a verdict: %+v", a.Verdict)
			case tt.verdict != "-" && (a.Verdict == nil || a.Verdict.Error != tt.verdict):
				t.Errorf("verdict = %+v, want error %q", a.Verdict, tt.verdict)
			}
			if (tt.mismatch == "") != (a.Mismatch == "") || !strings.Contains(a.Mismatch, tt.mismatch) {
				t.Errorf("mismatch = %q, want %q", a.Mismatch, tt.mismatch)
			}
			if tt.sentCreds != "" {
				if got := r.Fetch(siteA).Credentials; got != tt.sentCreds {
					t.Errorf("credentials judged = %q, want %q", got, tt.sentCreds)
				}
			}
			if !strings.Contains(a.Notes[0], "mode "+a.Kind.Mode) {
				t.Errorf("the first note does not give the mode: %q", a.Notes[0])
			}
		})
	}
}

// TestKindInFirefox: Firefox does not mute a classic script's errors, and
// the account, speaking for Firefox, says so.
func TestKindInFirefox(t *testing.T) {
	in := Input{Origin: siteA, Request: Request{Kind: "script-classic", Method: "GET", URL: siteB + "/kinds/classic.js"},
		Exchanges: []Seen{actualSeen("GET", "/kinds/classic.js", 200)}, Browser: fetch.Firefox}
	in.Outcome = &Outcome{OK: true, Read: "Error: thrown by site B's script"}
	a := Build(in)
	if a.Reads != fetch.ReadsOpaque || a.Mismatch != "" || !strings.Contains(a.Headline, "Firefox did not mute") {
		t.Errorf("Firefox: reads %q, mismatch %q, headline %q", a.Reads, a.Mismatch, a.Headline)
	}
	in.Outcome = &Outcome{OK: true, Read: "Script error."}
	if a := Build(in); a.Mismatch == "" {
		t.Error("Firefox muting the error: no mismatch flagged")
	}
	in.Browser = nil
	if a := Build(in); a.Reads != fetch.ReadsMuted || a.Mismatch != "" {
		t.Errorf("Chromium: reads %q, mismatch %q", a.Reads, a.Mismatch)
	}
}

// TestKindInWebKit: WebKit fetches a web font no-cors with credentials
// include, so a font without Access-Control-Allow-Origin loads there, and
// the account, speaking for WebKit, says so; for Chromium it fails.
func TestKindInWebKit(t *testing.T) {
	in := Input{Origin: siteA, Request: Request{Kind: "font", Method: "GET", URL: siteB + "/kinds/font.ttf"},
		Exchanges: []Seen{actualSeen("GET", "/kinds/font.ttf", 200)}, Browser: fetch.WebKit, Outcome: &Outcome{OK: true}}
	a := Build(in)
	if a.Kind == nil || a.Kind.Mode != "no-cors" || a.Kind.Credentials != "include" || a.Verdict == nil || !a.Verdict.Allowed ||
		a.Reads != fetch.ReadsResponse || a.Mismatch != "" || !strings.Contains(a.Headline, "WebKit, unlike Chromium") {
		t.Errorf("WebKit: kind %+v, verdict %+v, reads %q, mismatch %q, headline %q", a.Kind, a.Verdict, a.Reads, a.Mismatch, a.Headline)
	}
	in.Browser = nil
	if a := Build(in); a.Kind.Mode != "cors" || a.Verdict.Allowed || a.Reads != fetch.ReadsFailed || a.Mismatch == "" {
		t.Errorf("Chromium: kind %+v, verdict %+v, reads %q, mismatch %q", a.Kind, a.Verdict, a.Reads, a.Mismatch)
	}
}

// TestUnknownKind: a kind the lab does not know is said so, not judged.
func TestUnknownKind(t *testing.T) {
	a := Build(Input{Origin: siteA, Request: Request{Kind: "carrier-pigeon", Method: "GET", URL: siteB + "/"}, Outcome: &Outcome{}})
	if a.Verdict != nil || !strings.Contains(a.Headline, `kind "carrier-pigeon"`) {
		t.Errorf("got %+v", a)
	}
}
