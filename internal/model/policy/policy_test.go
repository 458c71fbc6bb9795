package policy

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func TestParseDocumentValid(t *testing.T) {
	tests := []struct {
		desc       string
		in         string
		want       Document
		wantStatus int // the compiled policy's preflight status
	}{
		{"empty document", `{}`, Document{}, 204},
		{"empty rules", `{"preflight": {}, "actual": {}}`, Document{}, 204},
		{"status 0 means 204", `{"preflight": {"status": 0}}`, Document{}, 204},
		{"string value",
			`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`,
			Document{Actual: ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"*"}}}}, 204},
		{"array value",
			`{"actual": {"headers": {"Vary": ["Origin", "Accept"]}}}`,
			Document{Actual: ActualRule{Headers: Headers{"Vary": {"Origin", "Accept"}}}}, 204},
		{"one-element array",
			`{"actual": {"headers": {"Vary": ["Origin"]}}}`,
			Document{Actual: ActualRule{Headers: Headers{"Vary": {"Origin"}}}}, 204},
		{"every placeholder",
			`{"preflight": {"status": 200, "headers": {
				"Access-Control-Allow-Origin": "{origin}",
				"Access-Control-Allow-Methods": "{request-method}",
				"Access-Control-Allow-Headers": "{request-headers}",
				"X-All": "{origin} {request-method} {request-headers}"}}}`,
			Document{Preflight: PreflightRule{Status: 200, Headers: Headers{
				"Access-Control-Allow-Origin":  {"{origin}"},
				"Access-Control-Allow-Methods": {"{request-method}"},
				"Access-Control-Allow-Headers": {"{request-headers}"},
				"X-All":                        {"{origin} {request-method} {request-headers}"},
			}}}, 200},
		{"redirect with Location",
			`{"preflight": {"status": 301, "headers": {"Location": "http://elsewhere/"}}}`,
			Document{Preflight: PreflightRule{Status: 301, Headers: Headers{"Location": {"http://elsewhere/"}}}}, 301},
		{"lowest final status", `{"preflight": {"status": 200}}`, Document{Preflight: PreflightRule{Status: 200}}, 200},
		{"highest status", `{"preflight": {"status": 599}}`, Document{Preflight: PreflightRule{Status: 599}}, 599},
		{"both rules",
			`{"preflight": {"status": 204, "headers": {"Access-Control-Max-Age": "600"}},
			  "actual": {"headers": {"Access-Control-Expose-Headers": "X-Total"}}}`,
			Document{
				Preflight: PreflightRule{Status: 204, Headers: Headers{"Access-Control-Max-Age": {"600"}}},
				Actual:    ActualRule{Headers: Headers{"Access-Control-Expose-Headers": {"X-Total"}}},
			}, 204},
		{"lower-case name is kept as written",
			`{"actual": {"headers": {"access-control-allow-origin": "*"}}}`,
			Document{Actual: ActualRule{Headers: Headers{"access-control-allow-origin": {"*"}}}}, 204},
		{"tab, empty value and non-ASCII are field content",
			`{"actual": {"headers": {"X-Tab": "a\tb", "X-Empty": "", "X-Utf8": "café"}}}`,
			Document{Actual: ActualRule{Headers: Headers{"X-Tab": {"a\tb"}, "X-Empty": {""}, "X-Utf8": {"café"}}}}, 204},
		{"token punctuation in a name",
			"{\"actual\": {\"headers\": {\"X-!#$%&'*+.^_`|~\": \"v\"}}}",
			Document{Actual: ActualRule{Headers: Headers{"X-!#$%&'*+.^_`|~": {"v"}}}}, 204},
		{"closing brace alone is not a placeholder",
			`{"actual": {"headers": {"X-A": "a}b"}}}`,
			Document{Actual: ActualRule{Headers: Headers{"X-A": {"a}b"}}}}, 204},
		{"surrounding whitespace", " \n\t{}\r\n ", Document{}, 204},
		{"null headers are none", "{\"actual\": {\"headers\":\n  null  }, \"preflight\": {\"headers\": null}}",
			Document{}, 204},
		{"null status is none", `{"preflight": {"status": null}}`, Document{}, 204},
		{"escaped names", `{"pre\u0066light": {"st\u0061tus": 200, "headers": {"\u0056ary": "x"}}}`,
			Document{Preflight: PreflightRule{Status: 200, Headers: Headers{"Vary": {"x"}}}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			got, err := ParseDocument([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseDocument: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseDocument =\n%#v\nwant\n%#v", got, tt.want)
			}
			p, err := ParsePolicy([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParsePolicy: %v", err)
			}
			if s := p.PreflightStatus(); s != tt.wantStatus {
				t.Errorf("PreflightStatus = %d, want %d", s, tt.wantStatus)
			}
			if !reflect.DeepEqual(p.Document(), tt.want) {
				t.Errorf("Policy.Document = %#v, want %#v", p.Document(), tt.want)
			}

			// Encode round-trips, and encoding is stable.
			enc := got.Encode()
			back, err := ParseDocument(enc)
			if err != nil {
				t.Fatalf("ParseDocument(Encode()) = %v\n%s", err, enc)
			}
			if !reflect.DeepEqual(back, tt.want) {
				t.Errorf("round trip =\n%#v\nwant\n%#v\nvia\n%s", back, tt.want, enc)
			}
			if enc2 := back.Encode(); !bytes.Equal(enc, enc2) {
				t.Errorf("Encode is not stable:\n%s\n%s", enc, enc2)
			}
			if !bytes.Equal(p.JSON(), enc) {
				t.Errorf("Policy.JSON =\n%s\nwant\n%s", p.JSON(), enc)
			}
		})
	}
}

func TestParseDocumentInvalid(t *testing.T) {
	const tokenRule = "invalid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_`|~)"
	actual := func(headers string) string { return `{"actual": {"headers": {` + headers + `}}}` }
	tests := []struct {
		desc string
		in   string
		want string
	}{
		// Syntax and shape.
		{"empty input", ``, "policy: empty document"},
		{"only whitespace", " \n ", "policy: empty document"},
		{"not JSON", `cors please`, "policy: line 1, column 1: invalid character 'c' looking for beginning of value"},
		{"syntax error, line and column", "{\n  \"actual\": {\n    \"headers\": {\"X\": 'a'}}}",
			"policy: line 3, column 22: invalid character '\\'' looking for beginning of value"},
		{"missing comma", "{\"preflight\": {}\n \"actual\": {}}",
			"policy: line 2, column 2: invalid character '\"' after object key:value pair"},
		{"truncated", "{\"preflight\":\n  {\"status\": 204",
			"policy: line 2, column 17: unexpected end of JSON input"},
		{"trailing object", `{} {}`, "policy: unexpected data after the JSON object"},
		{"trailing word", `{} x`, "policy: unexpected data after the JSON object"},
		{"stray closing brace", `{}}`, "policy: unexpected data after the JSON object"},
		{"stray closing bracket", "{}\n]", "policy: unexpected data after the JSON object"},
		{"top level array", `[]`, "policy: must be a JSON object"},
		{"top level string", `"{}"`, "policy: must be a JSON object"},
		{"top level number", `204`, "policy: must be a JSON object"},
		{"top level null", `null`, "policy: must be a JSON object"},
		{"unknown top field", `{"cors": {}}`, "cors: unknown field (want preflight, actual)"},
		{"misspelt top field", `{"preflight": {}, "Actual": {}}`, "Actual: unknown field (want preflight, actual)"},
		{"preflight not an object", `{"preflight": []}`, "preflight: must be an object"},
		{"preflight null", `{"preflight": null}`, "preflight: must be an object"},
		{"actual not an object", `{"actual": "*"}`, "actual: must be an object"},
		{"unknown preflight field", `{"preflight": {"header": {}}}`, "preflight.header: unknown field (want status, headers)"},
		{"actual.status is unknown", `{"actual": {"status": 200}}`, "actual.status: unknown field (want headers, failures)"},
		{"headers not an object", `{"actual": {"headers": ["Vary"]}}`, "actual.headers: must be an object of name to string or array of strings"},

		// Names given twice (encoding/json would keep the last) and bytes that are not UTF-8.
		{"top field twice", `{"actual": {}, "preflight": {}, "actual": {"headers": {"X": "1"}}}`, "actual: given twice"},
		{"rule field twice", `{"preflight": {"status": 200, "status": 204}}`, "preflight.status: given twice"},
		{"header twice", actual(`"Vary": "Origin", "Vary": "Accept"`), `actual.headers["Vary"]: given twice`},
		{"header twice, once escaped", actual(`"Vary": "Origin", "\u0056ary": "Accept"`), `actual.headers["Vary"]: given twice`},
		{"preflight header twice", `{"preflight": {"headers": {"X-Y": "1", "X-Y": "1"}}}`, `preflight.headers["X-Y"]: given twice`},
		{"invalid UTF-8 in a value", "{\"actual\": {\"headers\": {\"X-A\": \"caf\xe9\"}}}", "policy: line 1, column 36: invalid UTF-8 (byte 0xe9)"},
		{"invalid UTF-8 in a name", "{\n \"actual\": {\"headers\": {\"X-\xff\": \"1\"}}}", "policy: line 2, column 28: invalid UTF-8 (byte 0xff)"},
		{"truncated UTF-8 at the end", "{}\n\xe2\x82", "policy: line 2, column 1: invalid UTF-8 (byte 0xe2)"},

		// preflight.status.
		{"status 99", `{"preflight": {"status": 99}}`, "preflight.status: 99 is not an HTTP status (100-599)"},
		{"status 600", `{"preflight": {"status": 600}}`, "preflight.status: 600 is not an HTTP status (100-599)"},
		{"status negative", `{"preflight": {"status": -204}}`, "preflight.status: -204 is not an HTTP status (100-599)"},
		{"status 1xx", `{"preflight": {"status": 103}}`, "preflight.status: 103 is informational (1xx); a preflight needs a final status (200-599)"},
		{"status 101", `{"preflight": {"status": 101}}`, "preflight.status: 101 is informational (1xx); a preflight needs a final status (200-599)"},
		{"status a string", `{"preflight": {"status": "204"}}`, "preflight.status: must be a whole number"},
		{"status a fraction", `{"preflight": {"status": 204.5}}`, "preflight.status: must be a whole number"},
		{"status a bool", `{"preflight": {"status": true}}`, "preflight.status: must be a whole number"},

		// Header names.
		{"name with a space", actual(`"Allow Origin": "*"`), `actual.headers["Allow Origin"]: ` + tokenRule},
		{"name with a colon", actual(`"X-A:": "*"`), `actual.headers["X-A:"]: ` + tokenRule},
		{"empty name", actual(`"": "*"`), `actual.headers[""]: ` + tokenRule},
		{"non-ASCII name", actual(`"Orígin": "*"`), `actual.headers["Orígin"]: ` + tokenRule},
		{"name with CRLF", actual(`"X\r\nY": "*"`), `actual.headers["X\r\nY"]: ` + tokenRule},
		{"duplicate names differing in case", actual(`"Vary": "Origin", "vary": "Accept"`),
			`actual.headers["vary"]: the same header as "Vary"`},
		{"duplicate names in preflight", `{"preflight": {"headers": {"access-control-allow-origin": "*", "ACCESS-CONTROL-ALLOW-ORIGIN": "*"}}}`,
			`preflight.headers["access-control-allow-origin"]: the same header as "ACCESS-CONTROL-ALLOW-ORIGIN"`},
		{"Content-Length", actual(`"Content-Length": "0"`), `actual.headers["Content-Length"]: a policy cannot set Content-Length`},
		{"Transfer-Encoding, lower case", actual(`"transfer-encoding": "chunked"`), `actual.headers["transfer-encoding"]: a policy cannot set Transfer-Encoding`},
		{"Connection in preflight", `{"preflight": {"headers": {"Connection": "close"}}}`, `preflight.headers["Connection"]: a policy cannot set Connection`},

		// Header values.
		{"CR LF injection", actual(`"X-A": "a\r\nSet-Cookie: s=1"`), `actual.headers["X-A"]: value contains CR or LF, which would inject a header`},
		{"bare LF", actual(`"X-A": "a\nb"`), `actual.headers["X-A"]: value contains CR or LF, which would inject a header`},
		{"bare CR", actual(`"X-A": "a\rb"`), `actual.headers["X-A"]: value contains CR or LF, which would inject a header`},
		{"NUL", actual(`"X-A": "a\u0000b"`), `actual.headers["X-A"]: value contains control byte 0x00`},
		{"control byte", actual(`"X-A": "\u0001"`), `actual.headers["X-A"]: value contains control byte 0x01`},
		{"DEL", actual(`"X-A": "a\u007f"`), `actual.headers["X-A"]: value contains control byte 0x7f`},
		{"CR LF in an array element", actual(`"Vary": ["Origin", "Accept\r\nX: 1"]`),
			`actual.headers["Vary"][1]: value contains CR or LF, which would inject a header`},
		{"empty array", actual(`"Vary": []`), `actual.headers["Vary"]: empty list; remove the header instead`},
		{"number element", actual(`"Vary": ["Origin", 1]`), `actual.headers["Vary"]: must be a string or an array of strings`},
		{"null element", actual(`"Vary": ["Origin", null]`), `actual.headers["Vary"]: must be a string or an array of strings`},
		{"nested array", actual(`"Vary": [["Origin"]]`), `actual.headers["Vary"]: must be a string or an array of strings`},
		{"number value", actual(`"Access-Control-Max-Age": 600`), `actual.headers["Access-Control-Max-Age"]: must be a string or an array of strings`},
		{"bool value", actual(`"Access-Control-Allow-Credentials": true`), `actual.headers["Access-Control-Allow-Credentials"]: must be a string or an array of strings`},
		{"null value", actual(`"X-A": null`), `actual.headers["X-A"]: must be a string or an array of strings`},
		{"object value", actual(`"X-A": {}`), `actual.headers["X-A"]: must be a string or an array of strings`},

		// Placeholders.
		{"unknown placeholder", actual(`"X-A": "{foo}"`), `actual.headers["X-A"]: unknown placeholder {foo} (want {origin}, {request-method} or {request-headers})`},
		{"placeholder in the wrong case", actual(`"X-A": "{Origin}"`), `actual.headers["X-A"]: unknown placeholder {Origin} (want {origin}, {request-method} or {request-headers})`},
		{"empty braces", actual(`"X-A": "a{}b"`), `actual.headers["X-A"]: unknown placeholder {} (want {origin}, {request-method} or {request-headers})`},
		{"unknown after a known one", actual(`"X-A": "{origin}{foo}"`), `actual.headers["X-A"]: unknown placeholder {foo} (want {origin}, {request-method} or {request-headers})`},
		{"unclosed placeholder", actual(`"X-A": "{origin"`), `actual.headers["X-A"]: value has an unclosed placeholder "{origin"`},
		{"unclosed in an array element", `{"preflight": {"headers": {"X-A": ["{origin}", "x {request-method"]}}}`,
			`preflight.headers["X-A"][1]: value has an unclosed placeholder "{request-method"`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			_, err := ParseDocument([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseDocument(%q) succeeded, want %q", tt.in, tt.want)
			}
			if err.Error() != tt.want {
				t.Errorf("ParseDocument(%q)\n got  %s\n want %s", tt.in, err, tt.want)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", err)
			}
			if p, err2 := ParsePolicy([]byte(tt.in)); p != nil || err2 == nil || err2.Error() != err.Error() {
				t.Errorf("ParsePolicy = %v, %v; want nil, %v", p, err2, err)
			}
		})
	}
}

// TestParseDocumentErrorIsStable checks that a document with several
// problems always gets every one reported, one per line, in the same
// order: the first line is the problem reported alone before problems were
// collected.
func TestParseDocumentErrorIsStable(t *testing.T) {
	const (
		mustBeValues = "must be a string or an array of strings"
		unknownTop   = "unknown field (want preflight, actual)"
	)
	tests := []struct {
		desc string
		in   string
		want []string
	}{
		{"two unknown top fields", `{"zeta": 1, "alpha": 2, "preflight": {}}`,
			[]string{"alpha: " + unknownTop, "zeta: " + unknownTop}},
		{"bad rule and unknown field", `{"preflight": 1, "xyz": 2}`,
			[]string{"preflight: must be an object", "xyz: " + unknownTop}},
		{"two bad rule fields", `{"preflight": {"status": "x", "headers": 1}}`,
			[]string{"preflight.headers: must be an object of name to string or array of strings", "preflight.status: must be a whole number"}},
		{"two bad values", `{"actual": {"headers": {"X-B": 1, "X-A": 2}}}`,
			[]string{`actual.headers["X-A"]: ` + mustBeValues, `actual.headers["X-B"]: ` + mustBeValues}},
		{"two invalid headers", `{"actual": {"headers": {"X-B": "\r", "X-A": "{foo}"}}}`,
			[]string{`actual.headers["X-A"]: unknown placeholder {foo} (want {origin}, {request-method} or {request-headers})`,
				`actual.headers["X-B"]: value contains CR or LF, which would inject a header`}},
		{"shape before values", `{"preflight": {"status": 99, "headers": {"X-A": "\n"}}, "actual": {"headers": {"X-B": 1, "X C": "v"}}}`,
			[]string{`actual.headers["X-B"]: ` + mustBeValues,
				"preflight.status: 99 is not an HTTP status (100-599)",
				`preflight.headers["X-A"]: value contains CR or LF, which would inject a header`,
				`actual.headers["X C"]: invalid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_` + "`" + `|~)`}},
		{"every bad line of a header", `{"actual": {"headers": {"Vary": ["\r", "ok", "{x}"]}}}`,
			[]string{`actual.headers["Vary"][0]: value contains CR or LF, which would inject a header`,
				`actual.headers["Vary"][2]: unknown placeholder {x} (want {origin}, {request-method} or {request-headers})`}},
		{"a name three times, in three cases", `{"actual": {"headers": {"vary": "a", "Vary": "b", "VARY": "c"}}}`,
			[]string{`actual.headers["Vary"]: the same header as "VARY"`, `actual.headers["vary"]: the same header as "VARY"`}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			want := strings.Join(tt.want, "\n")
			for range 50 { // map order differs from run to run
				_, err := ParseDocument([]byte(tt.in))
				if fmt.Sprint(err) != want {
					t.Fatalf("ParseDocument =\n%v\nwant\n%s", err, want)
				}
				var joined interface{ Unwrap() []error }
				if !errors.As(err, &joined) || len(joined.Unwrap()) != len(tt.want) {
					t.Fatalf("ParseDocument's error does not unwrap to its %d problems", len(tt.want))
				}
			}
			if _, err := ParsePolicy([]byte(tt.in)); fmt.Sprint(err) != want {
				t.Errorf("ParsePolicy = %v, want the same error", err)
			}
		})
	}
}

func TestNewPolicyValidatesAndCopies(t *testing.T) {
	if _, err := NewPolicy(Document{Actual: ActualRule{Headers: Headers{"X-A": {"a\nb"}}}}); err == nil ||
		err.Error() != `actual.headers["X-A"]: value contains CR or LF, which would inject a header` {
		t.Errorf("NewPolicy with a CR LF value = %v", err)
	}
	if _, err := NewPolicy(Document{Actual: ActualRule{Headers: Headers{"X-A": nil}}}); err == nil ||
		err.Error() != `actual.headers["X-A"]: empty list; remove the header instead` {
		t.Errorf("NewPolicy with a nil list = %v", err)
	}

	// Every problem, one per line, in a stable order.
	bad := Document{Preflight: PreflightRule{Status: 1000, Headers: Headers{"Content-Length": {"0"}}},
		Actual: ActualRule{Headers: Headers{"X-A": {"{nope}"}, "X B": {"1"}}}}
	want := "preflight.status: 1000 is not an HTTP status (100-599)\n" +
		`preflight.headers["Content-Length"]: a policy cannot set Content-Length` + "\n" +
		`actual.headers["X B"]: invalid header name (RFC 9110 token: letters, digits and !#$%&'*+-.^_` + "`|~)\n" +
		`actual.headers["X-A"]: unknown placeholder {nope} (want {origin}, {request-method} or {request-headers})`
	if _, err := NewPolicy(bad); err == nil || err.Error() != want {
		t.Errorf("NewPolicy with four problems =\n%v\nwant\n%s", err, want)
	}
	if err := bad.Validate(); err == nil || err.Error() != want {
		t.Errorf("Validate =\n%v\nwant\n%s", err, want)
	}

	d := Document{Actual: ActualRule{Headers: Headers{"Vary": {"Origin", "Accept"}}}}
	p, err := NewPolicy(d)
	if err != nil {
		t.Fatal(err)
	}
	// Changing the document afterwards, or the copy Document returns, changes nothing.
	d.Actual.Headers["Vary"][0] = "Changed"
	d.Actual.Headers["X-New"] = Values{"x"}
	got := p.Document()
	got.Actual.Headers["Vary"][1] = "Changed"
	h := http.Header{}
	p.WriteActual(h, httptest.NewRequest("GET", "/", nil))
	if want := (http.Header{"Vary": {"Origin", "Accept"}}); !reflect.DeepEqual(h, want) {
		t.Errorf("after changing copies, WriteActual = %v, want %v", h, want)
	}
	if d2 := p.Document(); !reflect.DeepEqual(d2, Document{Actual: ActualRule{Headers: Headers{"Vary": {"Origin", "Accept"}}}}) {
		t.Errorf("Document = %#v", d2)
	}
}

func TestClosed(t *testing.T) {
	p := Closed()
	h := http.Header{}
	r := httptest.NewRequest("OPTIONS", "/api/items", nil)
	r.Header.Set("Origin", "http://localhost:7070")
	r.Header.Set("Access-Control-Request-Method", "PUT")
	p.WritePreflight(h, r)
	p.WriteActual(h, r)
	if len(h) != 0 || p.PreflightStatus() != 204 {
		t.Errorf("Closed policy wrote %v with status %d, want nothing and 204", h, p.PreflightStatus())
	}
	if got, want := string(p.JSON()), "{\n  \"preflight\": {},\n  \"actual\": {}\n}\n"; got != want {
		t.Errorf("Closed JSON = %q, want %q", got, want)
	}
}

func TestWritePolicy(t *testing.T) {
	const origin = "http://localhost:7070"
	tests := []struct {
		desc      string
		policy    string
		preflight bool // WritePreflight, else WriteActual
		req       http.Header
		want      http.Header
	}{
		{"fixed values", `{"actual": {"headers": {"Access-Control-Allow-Origin": "*", "access-control-expose-headers": "X-Total"}}}`,
			false, http.Header{"Origin": {origin}},
			http.Header{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Expose-Headers": {"X-Total"}}},
		{"{origin} is the request's Origin", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`,
			false, http.Header{"Origin": {origin}},
			http.Header{"Access-Control-Allow-Origin": {origin}}},
		{"{origin} with Origin: null", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`,
			false, http.Header{"Origin": {"null"}},
			http.Header{"Access-Control-Allow-Origin": {"null"}}},
		{"placeholder-only value without Origin is dropped", `{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Vary": "Origin"}}}`,
			false, http.Header{},
			http.Header{"Vary": {"Origin"}}},
		{"a value with more than placeholders is kept", `{"actual": {"headers": {"X-Seen": "origin={origin};"}}}`,
			false, http.Header{},
			http.Header{"X-Seen": {"origin=;"}}},
		{"an empty value is kept", `{"actual": {"headers": {"X-Empty": ""}}}`,
			false, http.Header{},
			http.Header{"X-Empty": {""}}},
		{"every placeholder in a preflight", `{"preflight": {"headers": {
				"Access-Control-Allow-Origin": "{origin}",
				"Access-Control-Allow-Methods": "{request-method}",
				"Access-Control-Allow-Headers": "{request-headers}",
				"X-All": "{origin} {request-method} {request-headers}"}}}`,
			true, http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"PUT"}, "Access-Control-Request-Headers": {"content-type,x-token"}},
			http.Header{
				"Access-Control-Allow-Origin":  {origin},
				"Access-Control-Allow-Methods": {"PUT"},
				"Access-Control-Allow-Headers": {"content-type,x-token"},
				"X-All":                        {origin + " PUT content-type,x-token"},
			}},
		{"no request headers: that header is dropped", `{"preflight": {"headers": {
				"Access-Control-Allow-Methods": "{request-method}",
				"Access-Control-Allow-Headers": "{request-headers}"}}}`,
			true, http.Header{"Origin": {origin}, "Access-Control-Request-Method": {"DELETE"}},
			http.Header{"Access-Control-Allow-Methods": {"DELETE"}}},
		{"an array is several header lines", `{"actual": {"headers": {"Vary": ["Origin", "Accept"], "Access-Control-Expose-Headers": ["X-Total", "Location"]}}}`,
			false, http.Header{},
			http.Header{"Vary": {"Origin", "Accept"}, "Access-Control-Expose-Headers": {"X-Total", "Location"}}},
		{"an array with placeholders drops only the empty lines", `{"actual": {"headers": {"X-Echo": ["{origin}", "fixed", "{request-method}"]}}}`,
			false, http.Header{"Origin": {origin}},
			http.Header{"X-Echo": {origin, "fixed"}}},
		{"an empty line beside a dropped one stays", `{"actual": {"headers": {"X-Echo": ["{origin}", ""]}}}`,
			false, http.Header{},
			http.Header{"X-Echo": {""}}},
		{"a literal around a placeholder", `{"actual": {"headers": {"Access-Control-Allow-Headers": "X-Lab, {request-headers}"}}}`,
			false, http.Header{"Access-Control-Request-Headers": {"content-type"}},
			http.Header{"Access-Control-Allow-Headers": {"X-Lab, content-type"}}},
		{"an array of placeholders that all expand to nothing", `{"actual": {"headers": {"X-Echo": ["{origin}", "{request-headers}"]}}}`,
			false, http.Header{},
			http.Header{}},
		{"expanded text is not expanded again", `{"actual": {"headers": {"X-Echo": "{origin}"}}}`,
			false, http.Header{"Origin": {"{request-method}"}, "Access-Control-Request-Method": {"GET"}},
			http.Header{"X-Echo": {"{request-method}"}}},
		{"preflight headers are not actual headers", `{"preflight": {"headers": {"X-Pre": "p"}}, "actual": {"headers": {"X-Act": "a"}}}`,
			false, http.Header{},
			http.Header{"X-Act": {"a"}}},
		{"actual headers are not preflight headers", `{"preflight": {"headers": {"X-Pre": "p"}}, "actual": {"headers": {"X-Act": "a"}}}`,
			true, http.Header{"Access-Control-Request-Method": {"PUT"}},
			http.Header{"X-Pre": {"p"}}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			p, err := ParsePolicy([]byte(tt.policy))
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest("OPTIONS", "/api/items", nil)
			r.Header = tt.req
			for range 2 { // the second response is the same as the first
				h := http.Header{}
				if tt.preflight {
					p.WritePreflight(h, r)
				} else {
					p.WriteActual(h, r)
				}
				if !reflect.DeepEqual(h, tt.want) {
					t.Errorf("headers = %v, want %v", h, tt.want)
				}
			}
		})
	}
}

// TestWriteSharesNothingWritable: handlers may Add to a header the policy
// set; that must not leak into the policy's next response.
func TestWriteSharesNothingWritable(t *testing.T) {
	p, err := ParsePolicy([]byte(`{
		"preflight": {"headers": {"Access-Control-Allow-Methods": ["GET", "PUT"], "Access-Control-Allow-Origin": "{origin}"}},
		"actual": {"headers": {"Vary": ["Origin", "Accept"], "Access-Control-Expose-Headers": "X-Total", "Access-Control-Allow-Origin": "{origin}"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "http://a")
	wantActual := http.Header{"Vary": {"Origin", "Accept"}, "Access-Control-Expose-Headers": {"X-Total"}, "Access-Control-Allow-Origin": {"http://a"}}
	wantPreflight := http.Header{"Access-Control-Allow-Methods": {"GET", "PUT"}, "Access-Control-Allow-Origin": {"http://a"}}
	tests := []struct {
		desc   string
		change func(h http.Header)
	}{
		{"Add to a multi-value header", func(h http.Header) { h.Add("Vary", "Cookie"); h.Add("Access-Control-Allow-Methods", "DELETE") }},
		{"Add to a single-value header", func(h http.Header) { h.Add("Access-Control-Expose-Headers", "Location") }},
		{"Add to an expanded header", func(h http.Header) { h.Add("Access-Control-Allow-Origin", "http://b") }},
		{"append to the slice", func(h http.Header) {
			for k := range h {
				h[k] = append(h[k], "appended")
			}
		}},
		{"Set and Del", func(h http.Header) { h.Set("Vary", "x"); h.Del("Access-Control-Allow-Methods") }},
		{"Clone then change the clone in place", func(h http.Header) {
			c := h.Clone()
			for k := range c {
				c[k][0] = "changed"
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			h := http.Header{}
			p.WriteActual(h, r)
			p.WritePreflight(h, r)
			tt.change(h)
			for i, write := range []func(http.Header, *http.Request){p.WriteActual, p.WritePreflight} {
				h2 := http.Header{}
				write(h2, r)
				if want := []http.Header{wantActual, wantPreflight}[i]; !reflect.DeepEqual(h2, want) {
					t.Errorf("next response: %v, want %v", h2, want)
				}
			}
		})
	}
}

// TestWriteResponsesDoNotShareAppends: two responses from one policy that
// both Add to a policy header must each keep their own line.
func TestWriteResponsesDoNotShareAppends(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"preflight": {"headers": {"Access-Control-Allow-Methods": ["GET", "PUT"]}},
		"actual": {"headers": {"Vary": ["Origin", "Accept"], "Access-Control-Allow-Origin": "{origin}", "X-One": "1"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Origin", "http://a")
	for _, key := range []string{"Vary", "Access-Control-Allow-Origin", "X-One", "Access-Control-Allow-Methods"} {
		h1, h2 := http.Header{}, http.Header{}
		for _, h := range []http.Header{h1, h2} {
			p.WriteActual(h, r)
			p.WritePreflight(h, r)
		}
		h1.Add(key, "first")
		h2.Add(key, "second")
		if v1, v2 := h1.Values(key), h2.Values(key); v1[len(v1)-1] != "first" || v2[len(v2)-1] != "second" {
			t.Errorf("%s: the two responses' appends collide: %q, %q", key, v1, v2)
		}
	}
	// The request's own header lines are not written through either.
	h := http.Header{}
	p.WriteActual(h, r)
	h.Add("Access-Control-Allow-Origin", "x")
	if got := r.Header.Values("Origin"); !slices.Equal(got, []string{"http://a"}) {
		t.Errorf("request Origin became %q", got)
	}
}

func TestUnknownFieldErrorIsOneLine(t *testing.T) {
	for _, doc := range []string{`{"actual":{"headers\nSet-C":{}}}`, `{"x\r\ny":1}`} {
		_, err := ParseDocument([]byte(doc))
		if err == nil || strings.ContainsAny(err.Error(), "\r\n") {
			t.Errorf("ParseDocument(%q) = %q, want a one-line error", doc, err)
		}
	}
}

// TestFailures: actual.failures names server failure paths, round-trips,
// and refuses an unknown one or both auth layers at once, naming the field.
func TestFailures(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}, "failures": ["error-without-cors"]}}`))
	if err != nil || !p.Fails(FailErrorWithoutCORS) || p.Fails(FailRedirectHTTPS) {
		t.Fatalf("ParsePolicy: %v, fails error-without-cors: %t", err, err == nil && p.Fails(FailErrorWithoutCORS))
	}
	if again, err := ParsePolicy(p.JSON()); err != nil || !again.Fails(FailErrorWithoutCORS) {
		t.Errorf("round trip of %s: %v", p.JSON(), err)
	}
	for doc, want := range map[string]string{
		`{"actual": {"failures": ["teapot"]}}`:                              `actual.failures[0]: "teapot" is not a failure path`,
		`{"actual": {"failures": "redirect-https"}}`:                        "actual.failures: must be an array of strings",
		`{"actual": {"failures": ["auth-before-cors", "auth-after-cors"]}}`: "the same auth layer in two places",
		`{"preflight": {"failures": ["redirect-https"]}}`:                   "preflight.failures: unknown field",
	} {
		if _, err := ParseDocument([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDocument(%s) = %v, want %q", doc, err, want)
		}
	}
}
