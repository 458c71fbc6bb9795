package fetch

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
)

// exchangeJSON writes x in the contract's input form, keeping header order and
// repeated names.
func exchangeJSON(x Exchange) []byte {
	var b bytes.Buffer
	str := func(s string) { j, _ := json.Marshal(s); b.Write(j) }
	b.WriteString(`{"request":{"origin":`)
	str(x.Request.Origin)
	b.WriteString(`,"url":`)
	str(x.Request.URL)
	b.WriteString(`,"method":`)
	str(x.Request.Method)
	if len(x.Request.Headers) > 0 {
		b.WriteString(`,"headers":{`)
		for i, h := range x.Request.Headers {
			if i > 0 {
				b.WriteByte(',')
			}
			str(h[0])
			b.WriteByte(':')
			str(h[1])
		}
		b.WriteByte('}')
	}
	if x.Request.Credentials != "" {
		b.WriteString(`,"credentials":`)
		str(x.Request.Credentials)
	}
	if x.Request.Mode != "" {
		b.WriteString(`,"mode":`)
		str(x.Request.Mode)
	}
	b.WriteByte('}')
	responses(&b, x.Preflight, x.Actual)
	if len(x.Redirects) > 0 {
		b.WriteString(`,"redirects":[`)
		for i, h := range x.Redirects {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"url":`)
			str(h.URL)
			responses(&b, h.Preflight, h.Actual)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}

// responses writes ,"preflightResponse":… and ,"response":… for those given.
func responses(b *bytes.Buffer, pre, act *Response) {
	str := func(s string) { j, _ := json.Marshal(s); b.Write(j) }
	for _, r := range []struct {
		key string
		r   *Response
	}{{"preflightResponse", pre}, {"response", act}} {
		if r.r == nil {
			continue
		}
		b.WriteString(`,"` + r.key + `":{"status":`)
		j, _ := json.Marshal(r.r.Status)
		b.Write(j)
		b.WriteString(`,"headers":`)
		keys := make([]string, 0, len(r.r.Header))
		for k := range r.r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			str(k)
			b.WriteByte(':')
			j, _ := json.Marshal(r.r.Header[k])
			b.Write(j)
		}
		b.WriteString("}}")
	}
}

// TestTableRoundTrip: every table case, written as JSON and read back, gets the
// same verdict (so the fuzz seeds mean what the table means).
func TestTableRoundTrip(t *testing.T) {
	for _, c := range append(append(judgeCases[:len(judgeCases):len(judgeCases)], redirectCases...), adviceCases...) {
		x, err := ParseExchange(exchangeJSON(c.x))
		if err != nil {
			t.Errorf("%s: %v\n%s", c.desc, err, exchangeJSON(c.x))
			continue
		}
		a, _ := json.Marshal(Judge(c.x))
		b, _ := json.Marshal(Judge(x))
		if !bytes.Equal(a, b) {
			t.Errorf("%s: verdicts differ:\n%s\n%s", c.desc, a, b)
		}
	}
}

// FuzzJudge feeds arbitrary bytes through ParseExchange and Judge (and Trace,
// Text) and checks the verdict's invariants.
func FuzzJudge(f *testing.F) {
	for _, c := range append(judgeCases[:len(judgeCases):len(judgeCases)], redirectCases...) {
		f.Add(exchangeJSON(c.x))
	}
	for _, in := range goldenInputs(f) {
		b, err := os.ReadFile(in)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"request":{"origin":"null","url":"//x","method":"get"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ParseExchange(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
			return
		}
		judgeAll(t, x)
	})
}

// FuzzJudgeFields drives Judge directly with fuzzed field values, reaching
// combinations the strict decoder rarely lets through.
func FuzzJudgeFields(f *testing.F) {
	f.Add("PUT", siteB, "X-Trace", "1", "include", "cors", 204, siteA, "PUT", "x-trace", "true", 200, siteA, "true", "*", "")
	f.Add("patch", "/x", "Content-Type", "application/json", "", "", 302, "*", "*", "*", "", 301, "*", "", "", "http://u:p@h/")
	f.Add("GET", "ftp://x", "Range", "bytes=-5", "omit", "no-cors", 500, "null", "GET PUT", "a b", "TRUE", 200, "", "", "x, y", "")
	f.Fuzz(func(t *testing.T, method, url, hname, hvalue, credentials, mode string,
		pfStatus int, pfACAO, pfACAM, pfACAH, pfACAC string,
		status int, aACAO, aACAC, aACEH, location string) {
		r := Request{Origin: siteA, URL: url, Method: method, Headers: [][2]string{{hname, hvalue}}, Credentials: credentials, Mode: mode}
		pre := &Response{Status: pfStatus, Header: http.Header{
			acao: {pfACAO}, acam: {pfACAM}, acah: {pfACAH}, acac: {pfACAC}, "Location": {location}}}
		act := &Response{Status: status, Header: http.Header{
			acao: {aACAO}, acac: {aACAC}, aceh: {aACEH}, "Location": {location}, "x-" + hname: {hvalue}}}
		judgeAll(t, Exchange{Request: r, Preflight: pre, Actual: act})
		judgeAll(t, Exchange{Request: r, Actual: act})
		judgeAll(t, Exchange{Request: r, Preflight: pre})
	})
}

func judgeAll(t *testing.T, x Exchange) {
	v := Judge(x)
	checkInvariants(t, v)
	_ = v.Text()
	steps := Trace(x)
	if len(steps) < 2 {
		t.Errorf("trace has %d steps", len(steps))
	}
	last := steps[len(steps)-1]
	if v.Allowed && v.ResponseType != ResponseOpaque && last.To != ActorPage && last.To != ActorServer {
		t.Errorf("allowed, but the trace ends with %+v", last)
	}
	if !v.Allowed && (last.OK || last.To != ActorPage) {
		t.Errorf("blocked, but the trace ends with %+v", last)
	}
	reasons, names := NeedsPreflight(x.Request)
	if v.Preflight != (len(reasons) > 0) || (v.Preflight && !slices.Equal(names, v.RequestHeadersInPreflight)) {
		t.Errorf("NeedsPreflight = %q %q, verdict preflight=%v %q", reasons, names, v.Preflight, v.RequestHeadersInPreflight)
	}
	if again, _ := json.Marshal(Judge(x)); !bytes.Equal(again, mustMarshal(t, v)) {
		t.Errorf("Judge is not deterministic")
	}
	// Firefox and WebKit: the same observable decisions but the client
	// hints and the order of checks, and only their own error names.
	for _, b := range []*Browser{Firefox, WebKit} {
		bv := b.Judge(x)
		_ = bv.Text()
		if bv.Allowed != (bv.Error == "") || (bv.Error != "" && !slices.Contains(b.ErrorNames(), bv.Error)) {
			t.Errorf("%s: allowed=%v, error %q not among %q", b.Name, bv.Allowed, bv.Error, b.ErrorNames())
		}
		if reasons, _ := b.NeedsPreflight(x.Request); bv.Preflight != (len(reasons) > 0) {
			t.Errorf("%s: NeedsPreflight = %q, verdict preflight=%v", b.Name, reasons, bv.Preflight)
		}
		if bv.Error != "" && bv.Error != ErrTypeError && !strings.Contains(bv.Message, "\n") {
			t.Errorf("%s: message %q has no explanation after its console line", b.Name, bv.Message)
		}
	}
}

func mustMarshal(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
