package check

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"

	"github.com/corslab/corslab/internal/model/fetch"
)

// MarshalExchange writes x in the input format of `corslab explain`
// (verdict-format.md), so that explain judges it as the probe did: request
// headers as an object in the order given (a repeated name repeated),
// response headers sorted by name, a header sent on several lines as an
// array, answers that were not sent left out.
func MarshalExchange(x fetch.Exchange) json.RawMessage {
	var b bytes.Buffer
	b.WriteString(`{"request":{"origin":`)
	str(&b, x.Request.Origin)
	b.WriteString(`,"url":`)
	str(&b, x.Request.URL)
	b.WriteString(`,"method":`)
	str(&b, x.Request.Method)
	b.WriteString(`,"headers":{`)
	for i, h := range x.Request.Headers {
		if i > 0 {
			b.WriteByte(',')
		}
		str(&b, h[0])
		b.WriteByte(':')
		str(&b, h[1])
	}
	b.WriteByte('}')
	if x.Request.Credentials != "" {
		b.WriteString(`,"credentials":`)
		str(&b, x.Request.Credentials)
	}
	if x.Request.Mode != "" {
		b.WriteString(`,"mode":`)
		str(&b, x.Request.Mode)
	}
	b.WriteByte('}')
	if x.Preflight != nil {
		b.WriteString(`,"preflightResponse":`)
		response(&b, x.Preflight)
	}
	if x.Actual != nil {
		b.WriteString(`,"response":`)
		response(&b, x.Actual)
	}
	if len(x.Redirects) > 0 {
		b.WriteString(`,"redirects":[`)
		for i, h := range x.Redirects {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"url":`)
			str(&b, h.URL)
			if h.Preflight != nil {
				b.WriteString(`,"preflightResponse":`)
				response(&b, h.Preflight)
			}
			if h.Actual != nil {
				b.WriteString(`,"response":`)
				response(&b, h.Actual)
			}
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	b.WriteByte('}')
	return b.Bytes()
}

func response(b *bytes.Buffer, r *fetch.Response) {
	b.WriteString(`{"status":`)
	b.WriteString(strconv.Itoa(r.Status))
	b.WriteString(`,"headers":{`)
	for i, k := range sortedKeys(r.Header) {
		if i > 0 {
			b.WriteByte(',')
		}
		str(b, k)
		b.WriteByte(':')
		if vs := r.Header[k]; len(vs) == 1 {
			str(b, vs[0])
		} else {
			b.WriteByte('[')
			for j, v := range vs {
				if j > 0 {
					b.WriteByte(',')
				}
				str(b, v)
			}
			b.WriteByte(']')
		}
	}
	b.WriteString("}}")
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k, vs := range h {
		if len(vs) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// str writes s as a JSON string, leaving < > & as they are.
func str(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}

// JSON is the `corslab check -json` form of a result: the exchange in the
// input format of `corslab explain`, and its verdict, as explain prints it.
// Error is set instead of Verdict when the probe met a network error.
type JSON struct {
	Exchange json.RawMessage `json:"exchange"`
	Verdict  *fetch.Verdict  `json:"verdict,omitempty"`
	Error    string          `json:"error,omitempty"`
}

// JSON returns the result's -json form.
func (r *Result) JSON() JSON {
	j := JSON{Exchange: MarshalExchange(r.Exchange)}
	if r.Err != nil {
		j.Error = r.Err.Error()
	} else {
		v := r.Verdict
		j.Verdict = &v
	}
	return j
}
