package policy

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/model/syntax"
)

// FuzzParseDocument feeds the policy parser anything at all. Its seed
// corpus is testdata/fuzz/FuzzParseDocument; make fuzz runs it for a
// bounded time. Invariants:
//   - it never panics, and an error is one problem per line: no empty
//     line, no CR;
//   - an accepted document is valid UTF-8, compiles, and round-trips
//     through Encode to the same document;
//   - the compiled policy writes only valid header names it may set, never
//     a value with CR, LF or another control byte, whatever the request
//     (as net/http delivers it) carries, and exactly what the per-request
//     strings.Replacer it replaced wrote.
func FuzzParseDocument(f *testing.F) {
	for _, s := range []string{
		`{}`,
		`{"preflight": {"status": 204, "headers": {"Access-Control-Allow-Origin": "{origin}"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "*", "Vary": "Origin"}}}`,
		`{"preflight": {"headers": {"Access-Control-Allow-Methods": "{request-method}", "Access-Control-Allow-Headers": "{request-headers}", "Access-Control-Max-Age": "600"}}}`,
		`{"actual": {"headers": {"Vary": ["Origin", "{origin}", ""], "X-A": "pre-{origin}-{request-method}-post}"}}}`,
		`{"actual": {"headers": {"X-Evil": "a\r\nSet-Cookie: x=1"}}}`,
		`{"actual": {"headers": {"X": "{unknown}"}}}`,
		`{"actual": {"headers": {"Vary": "Origin", "Vary": "Accept"}}, "actual": {}}`,
		"{\"actual\": {\"headers\": {\"X-A\": \"caf\xe9\"}}}",
		`{"zz": 1, "preflight": {"status": 99, "headers": 1}, "actual": {"headers": {"X B": "\r", "Content-Length": "1"}}}`,
	} {
		f.Add([]byte(s), "http://localhost:7070", "PUT", "content-type,x-lab")
	}
	f.Fuzz(func(t *testing.T, data []byte, origin, method, headers string) {
		d, err := ParseDocument(data)
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if line == "" || strings.ContainsRune(line, '\r') {
					t.Errorf("error is not one problem per line: %q", err)
				}
			}
			return
		}
		if !utf8.Valid(data) {
			t.Fatalf("ParseDocument accepted invalid UTF-8: %q", data)
		}
		p, err := NewPolicy(d)
		if err != nil {
			t.Fatalf("ParseDocument accepted what NewPolicy refuses: %v\n%s", err, data)
		}
		again, err := ParseDocument(d.Encode())
		if err != nil {
			t.Fatalf("Encode's output does not parse: %v\n%s", err, d.Encode())
		}
		if !sameDocument(d, again) {
			t.Fatalf("round trip changed the document:\n%#v\n%#v", d, again)
		}
		if !sameDocument(p.Document(), d) {
			t.Fatalf("the policy's document differs from the one it was made from")
		}

		r, _ := http.NewRequest("OPTIONS", "http://localhost:7071/api/items", nil)
		for name, v := range map[string]string{"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers} {
			if wireValue(v) {
				r.Header[name] = []string{v}
			}
		}
		for _, side := range []struct {
			name  string
			lines []headerLine
		}{{"preflight", p.preflight}, {"actual", p.actual}} {
			got, want := http.Header{}, http.Header{}
			write(got, side.lines, r)
			referenceWrite(want, side.lines, r)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: wrote %q, the reference writes %q", side.name, got, want)
			}
			for k, vs := range got {
				if !syntax.IsToken(k) || unsettable[k] {
					t.Errorf("%s: wrote header name %q", side.name, k)
				}
				for _, v := range vs {
					if !wireValue(v) {
						t.Errorf("%s: wrote %s: %q, which has a control byte", side.name, k, v)
					}
				}
			}
		}
	})
}

// wireValue reports whether v could arrive in (or be sent as) an HTTP/1.1
// header value: no control bytes but tab.
func wireValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// sameDocument compares documents, taking an empty header map for none.
func sameDocument(a, b Document) bool {
	norm := func(h Headers) Headers {
		if len(h) == 0 {
			return nil
		}
		return h
	}
	return a.Preflight.Status == b.Preflight.Status &&
		reflect.DeepEqual(norm(a.Preflight.Headers), norm(b.Preflight.Headers)) &&
		reflect.DeepEqual(norm(a.Actual.Headers), norm(b.Actual.Headers))
}

// referenceWrite is how site B wrote a policy's headers before templates
// were compiled: a strings.Replacer per request. write must agree with it.
func referenceWrite(h http.Header, lines []headerLine, r *http.Request) {
	for _, l := range lines {
		if l.tmpls == nil {
			h[l.key] = l.values
			continue
		}
		var vs []string
		for _, v := range l.values {
			x := strings.NewReplacer(
				PlaceholderOrigin, r.Header.Get("Origin"),
				PlaceholderRequestMethod, r.Header.Get("Access-Control-Request-Method"),
				PlaceholderRequestHeaders, r.Header.Get("Access-Control-Request-Headers"),
			).Replace(v)
			if x != "" || v == "" {
				vs = append(vs, x)
			}
		}
		if len(vs) > 0 {
			h[l.key] = vs
		}
	}
}
