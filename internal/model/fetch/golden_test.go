package fetch

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/fetch")

// goldenDir holds exchanges (name.json) and their verdicts as `corslab
// explain` prints them (name.out.json: IndentedJSON, name.out.txt: Text).
const goldenDir = "../../../testdata/fetch"

func goldenInputs(t testing.TB) []string {
	files, err := filepath.Glob(filepath.Join(goldenDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	for _, f := range files {
		if !strings.HasSuffix(f, ".out.json") {
			in = append(in, f)
		}
	}
	if len(in) == 0 {
		t.Fatal("no golden inputs in " + goldenDir)
	}
	return in
}

// verdictOf is what `corslab explain` prints for input: the verdict's JSON,
// or its text.
func verdictOf(t testing.TB, input []byte, text bool) []byte {
	t.Helper()
	x, err := ParseExchange(input)
	if err != nil {
		t.Fatal(err)
	}
	if text {
		return []byte(Judge(x).Text())
	}
	return Judge(x).IndentedJSON()
}

func TestVerdictGolden(t *testing.T) {
	for _, in := range goldenInputs(t) {
		base := strings.TrimSuffix(in, ".json")
		for _, text := range []bool{false, true} {
			outFile := base + ".out.json"
			if text {
				outFile = base + ".out.txt"
			}
			t.Run(filepath.Base(outFile), func(t *testing.T) {
				input, err := os.ReadFile(in)
				if err != nil {
					t.Fatal(err)
				}
				stdout := bytes.NewBuffer(verdictOf(t, input, text))
				if *update {
					if err := os.WriteFile(outFile, stdout.Bytes(), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(outFile)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if !bytes.Equal(stdout.Bytes(), want) {
					t.Errorf("output differs from %s (go test -update rewrites it):\n%s", outFile, stdout.String())
				}
				if !text {
					var v Verdict
					if err := json.Unmarshal(stdout.Bytes(), &v); err != nil {
						t.Fatal(err)
					}
					checkInvariants(t, v)
					if !strings.HasSuffix(stdout.String(), "}\n") || !strings.Contains(stdout.String(), "\n  \"preflight\": ") {
						t.Errorf("not indented by two spaces with a trailing newline:\n%s", stdout.String())
					}
				}
			})
		}
	}
}

// TestContractExample checks the example exchange of verdict-format.md against
// its example verdict. One deliberate difference: the model also gives
// Content-Type: application/json as a reason for the preflight (it is one: the
// example lists content-type in requestHeadersInPreflight but leaves it out of
// preflightReasons), so the example's reasons must appear in order, not alone.
func TestContractExample(t *testing.T) {
	input, err := os.ReadFile(filepath.Join(goldenDir, "example.json"))
	if err != nil {
		t.Fatal(err)
	}
	stdout := bytes.NewBuffer(verdictOf(t, input, false))
	var got map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	const example = `{
	  "preflight": true,
	  "preflightReasons": ["method PUT is not CORS-safelisted", "header x-trace is not CORS-safelisted"],
	  "requestHeadersInPreflight": ["content-type", "x-trace"],
	  "actualRequestSent": true,
	  "allowed": true,
	  "responseType": "cors",
	  "error": "",
	  "failedParameter": "",
	  "message": "",
	  "readableHeaders": ["content-type", "x-total"]
	}`
	var want map[string]any
	if err := json.Unmarshal([]byte(example), &want); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Errorf("got %d fields, want %d: %s", len(got), len(want), stdout.String())
	}
	for k, w := range want {
		g := got[k]
		switch k {
		case "message": // may differ
		case "preflightReasons":
			gs, _ := json.Marshal(g)
			var gr, wr []string
			_ = json.Unmarshal(gs, &gr)
			for _, r := range w.([]any) {
				wr = append(wr, r.(string))
			}
			i := 0
			for _, r := range gr {
				if i < len(wr) && r == wr[i] {
					i++
				}
			}
			if i != len(wr) {
				t.Errorf("preflightReasons %q lack %q in order", gr, wr)
			}
		default:
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			if !bytes.Equal(gj, wj) {
				t.Errorf("%s = %s, want %s", k, gj, wj)
			}
		}
	}
}

// TestParseExchangeBadInput: input that is not an exchange is an error on one
// line naming the field (cmd/corslab tests the exit status and streams).
func TestParseExchangeBadInput(t *testing.T) {
	const req = `"origin": "http://localhost:7070", "url": "http://localhost:7071/x", "method": "GET"`
	for _, c := range []struct {
		desc, in, want string
	}{
		{"not JSON", "hello", "line 1, column 1: invalid character 'h' looking for beginning of value"},
		{"empty", "", "input: empty"},
		{"only spaces", "  \n ", "input: empty"},
		{"truncated", "{\"request\": {", "line 1, column 14: unexpected end of JSON input"},
		{"syntax error on line 3", "{\n \"request\": {\n  \"origin\" \"x\"}}", "line 3, column 12: invalid character '\"' after object key"},
		{"invalid UTF-8 in a string", "{\"request\": {\"origin\": \"http://\xffx\"}}", "line 1, column 32: invalid UTF-8 (byte 0xff)"},
		{"invalid UTF-8 on line 2", "{\n\"req\xc3uest\": {}}", "line 2, column 5: invalid UTF-8 (byte 0xc3)"},
		{"top-level field given twice", `{"request": {` + req + `}, "request": {` + req + `}}`, "request: given twice"},
		{"trailing data", `{"request": {` + req + `}} {}`, "unexpected data after the exchange object"},
		{"an array", `[]`, "exchange: must be an object, not an array"},
		{"missing request", `{}`, "request: missing"},
		{"request null", `{"request": null}`, "request: missing"},
		{"request a string", `{"request": "GET /"}`, "request: must be an object, not a string"},
		{"missing origin", `{"request": {"url": "http://x/", "method": "GET"}}`, "request.origin: missing"},
		{"missing url", `{"request": {"origin": "http://localhost:7070", "method": "GET"}}`, "request.url: missing"},
		{"missing method", `{"request": {"origin": "http://localhost:7070", "url": "http://x/"}}`, "request.method: missing"},
		{"method a number", `{"request": {"origin": "http://localhost:7070", "url": "http://x/", "method": 1}}`, "request.method: must be a string, not a number"},
		{"credentials a bool", `{"request": {` + req + `, "credentials": true}}`, "request.credentials: must be a string, not a boolean"},
		{"mode an object", `{"request": {` + req + `, "mode": {}}}`, "request.mode: must be a string, not an object"},
		{"headers an array", `{"request": {` + req + `, "headers": [["X", "1"]]}}`, "request.headers: must be an object of name: value, not an array"},
		{"header value a number", `{"request": {` + req + `, "headers": {"X": 1}}}`, `request.headers["X"]: must be a string, not a number`},
		{"unknown top-level field", `{"request": {` + req + `}, "preflight": {}}`, "preflight: unknown field (expected request, preflightResponse, response, redirects)"},
		{"unknown request field", `{"request": {` + req + `, "cache": "x"}}`, "request.cache: unknown field"},
		{"unknown response field", `{"request": {` + req + `}, "response": {"status": 200, "body": ""}}`, "response.body: unknown field (expected status, headers)"},
		{"field given twice", `{"request": {` + req + `, "url": "http://y/"}}`, "request.url: given twice"},
		{"bad origin", `{"request": {"origin": "localhost:7070", "url": "http://x/", "method": "GET"}}`, `request.origin: "localhost:7070" is not a serialized origin`},
		{"origin with a slash", `{"request": {"origin": "http://localhost:7070/", "url": "http://x/", "method": "GET"}}`, `request.origin: "http://localhost:7070/" is not serialized as the browser does it: "http://localhost:7070"`},
		{"status a string", `{"request": {` + req + `}, "response": {"status": "200"}}`, "response.status: must be a number, not a string"},
		{"redirects not an array", `{"request": {` + req + `}, "response": {"status": 301, "headers": {"Location": "/y"}}, "redirects": {}}`, "redirects: must be an array"},
		{"redirect after a final answer", `{"request": {` + req + `}, "response": {"status": 200}, "redirects": [{"response": {"status": 200}}]}`, "redirects[0]: response does not redirect (status 200"},
		{"redirect URL not where Location leads", `{"request": {` + req + `}, "response": {"status": 301, "headers": {"Location": "/y"}}, "redirects": [{"url": "http://localhost:7071/z", "response": {"status": 200}}]}`, `redirects[0].url: "http://localhost:7071/z", but response redirects to http://localhost:7071/y`},
		{"second hop after a final one", `{"request": {` + req + `}, "response": {"status": 301, "headers": {"Location": "/y"}}, "redirects": [{"response": {"status": 200}}, {"response": {"status": 200}}]}`, "redirects[1]: redirects[0].response does not redirect"},
		{"bad hop status", `{"request": {` + req + `}, "response": {"status": 301, "headers": {"Location": "/y"}}, "redirects": [{"response": {"status": 99}}]}`, "redirects[0].response.status: must be an integer"},
		{"check's output with an unknown field", `{"exchange": {"request": {` + req + `}}, "verdict": {}, "extra": 1}`, "exchange: unknown field"},
		{"status missing", `{"request": {` + req + `}, "preflightResponse": {"headers": {}}}`, "preflightResponse.status: missing"},
		{"status out of range", `{"request": {` + req + `}, "response": {"status": 99}}`, "response.status: must be an integer from 100 to 599, not 99"},
		{"status fractional", `{"request": {` + req + `}, "response": {"status": 200.5}}`, "response.status: must be an integer from 100 to 599, not 200.5"},
		{"response headers an array", `{"request": {` + req + `}, "response": {"status": 200, "headers": []}}`, "response.headers: must be an object"},
		{"response header a number", `{"request": {` + req + `}, "response": {"status": 200, "headers": {"X": 1}}}`, `response.headers["X"]: must be a string or an array of strings, not a number`},
		{"response header line a number", `{"request": {` + req + `}, "response": {"status": 200, "headers": {"X": ["a", 2]}}}`, `response.headers["X"][1]: must be a string, not a number`},
		{"response header name invalid", `{"request": {` + req + `}, "response": {"status": 200, "headers": {"Bad Name": "x"}}}`, `response.headers["Bad Name"]: not a valid header name`},
		{"response header value with CRLF", `{"request": {` + req + `}, "response": {"status": 200, "headers": {"X": "a\r\nb"}}}`, `response.headers["X"]: a header value cannot contain CR, LF or NUL`},
		{"too deep", strings.Repeat("[", 100) + strings.Repeat("]", 100), "nested more than"},
	} {
		t.Run(c.desc, func(t *testing.T) {
			_, err := ParseExchange([]byte(c.in))
			if err == nil {
				t.Fatal("no error")
			}
			e := err.Error()
			if strings.Contains(e, "\n") {
				t.Errorf("error is not one line: %q", e)
			}
			if !strings.Contains(e, c.want) {
				t.Errorf("error = %q, want it to contain %q", e, c.want)
			}
		})
	}
}

func TestParseExchangeValidOddities(t *testing.T) {
	// Still exchanges (exit 0): fetch() rejects them, or they are merely unusual.
	const req = `"origin": "http://localhost:7070", "url": "http://localhost:7071/x"`
	for _, c := range []struct{ desc, in, wantErr string }{
		{"forbidden method", `{"request": {` + req + `, "method": "TRACE"}}`, ErrTypeError},
		{"unknown credentials value", `{"request": {` + req + `, "method": "GET", "credentials": "includ"}}`, ErrTypeError},
		{"null responses", `{"request": {` + req + `, "method": "GET"}, "preflightResponse": null, "response": {"status": 200, "headers": {"Access-Control-Allow-Origin": "*"}}}`, ""},
		{"repeated request header names combine", `{"request": {` + req + `, "method": "GET", "headers": {"Accept": "a", "Accept": "("}}, "preflightResponse": {"status": 204, "headers": {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "accept"}}, "response": {"status": 200, "headers": {"Access-Control-Allow-Origin": "*"}}}`, ""},
		{"empty header array is no header", `{"request": {` + req + `, "method": "GET"}, "response": {"status": 200, "headers": {"Access-Control-Allow-Origin": []}}}`, ErrMissingAllowOriginHeader},
	} {
		x, err := ParseExchange([]byte(c.in))
		if err != nil {
			t.Errorf("%s: %v", c.desc, err)
			continue
		}
		var v Verdict
		if err := json.Unmarshal(Judge(x).IndentedJSON(), &v); err != nil {
			t.Fatal(err)
		}
		if v.Error != c.wantErr {
			t.Errorf("%s: error %q, want %q", c.desc, v.Error, c.wantErr)
		}
	}
}

func TestParseExchangeKeepsOrderAndLines(t *testing.T) {
	in := `{"request": {"origin": "null", "url": "https://b.example/x", "method": "GET",
		"headers": {"X-Z": "1", "X-A": "2", "x-z": "3"}, "credentials": "omit", "mode": "cors"},
		"response": {"status": 200, "headers": {"vary": ["Origin", "Accept"], "X-One": "1"}}}`
	x, err := ParseExchange([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	wantH := [][2]string{{"X-Z", "1"}, {"X-A", "2"}, {"x-z", "3"}}
	if !slices.Equal(x.Request.Headers, wantH) || x.Request.Origin != "null" || x.Request.Credentials != "omit" {
		t.Errorf("request = %+v", x.Request)
	}
	if x.Preflight != nil || x.Actual == nil || !slices.Equal(x.Actual.Header["Vary"], []string{"Origin", "Accept"}) || x.Actual.Header.Get("X-One") != "1" {
		t.Errorf("response = %+v", x.Actual)
	}
}

func TestParseExchangeTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte(" "), MaxExchangeSize+1)
	if _, err := ParseExchange(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %v, want larger than", err)
	}
}

// TestParseExchangeHostileRepeats: a header name repeated a hundred thousand times
// (1 MB of input) is a valid exchange.
func TestParseExchangeHostileRepeats(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"request":{"origin":"http://localhost:7070","url":"http://localhost:7071/x","method":"GET","headers":{`)
	for i := 0; b.Len() < 1<<20; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"a":"b"`)
	}
	b.WriteString(`}}}`)
	x, err := ParseExchange(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	Judge(x).IndentedJSON()
}

// TestRepeatedHeadersCostLinearMemory: combining a name repeated n times must
// not copy the growing value n times (that would allocate about 15 GB here).
func TestRepeatedHeadersCostLinearMemory(t *testing.T) {
	r := req("GET")
	for range 100000 {
		r.Headers = append(r.Headers, [2]string{"X-A", "b"})
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	v := Judge(Exchange{Request: r, Preflight: starPreflight(), Actual: starActual()})
	runtime.ReadMemStats(&after)
	if !v.Allowed || !slices.Equal(v.RequestHeadersInPreflight, []string{"x-a"}) {
		t.Fatalf("verdict %+v", v)
	}
	if mb := (after.TotalAlloc - before.TotalAlloc) >> 20; mb > 200 {
		t.Errorf("allocated %d MB", mb)
	}
}
