// Package har reads HTTP Archive files (HAR 1.2, as Chromium's and Firefox's
// DevTools export them with "Save all as HAR") and turns every cross-origin
// request in them into an exchange of the browser model
// (internal/model/fetch) with its verdict: `corslab har` prints them, and
// `corslab -replay` has site B answer as the recorded server did.
//
// The reader streams: it walks log.entries token by token with an
// encoding/json Decoder and decodes one entry at a time, so a 100 MB export
// is never held in memory twice; only the entries that matter (cross-origin
// requests and their preflights) are kept.
//
// Format: HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/, W3C
// draft "HTTP Archive (HAR) format"). Chromium adds `_initiator`,
// `_resourceType` ("preflight" for a CORS preflight, which it exports as an
// entry of its own) and `response._error`; Firefox exports preflights as
// plain OPTIONS entries and marks no failure (a blocked request whose answer
// came looks like any other; one never sent has status 0). Sanitized
// exports drop cookies and some headers; nothing here needs them.
package har

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Log is what the reader learns about the file besides its entries.
type Log struct {
	Version string // log.version, "1.2"
	Creator string // log.creator.name, e.g. "WebInspector" (Chromium) or "Firefox"
	// CreatorVersion is log.creator.version.
	CreatorVersion string
	Browser        string // log.browser.name when the file has one
	Entries        int    // how many entries the file holds
}

// Entry is one HAR entry, as much of it as the lab uses.
type Entry struct {
	Index    int // position in log.entries, from 0
	Started  string
	Request  Request
	Response Response
	// ResourceType is Chromium's _resourceType ("fetch", "xhr",
	// "preflight", "document", …); empty in Firefox's exports.
	ResourceType string
	// Initiator is Chromium's _initiator.type ("script", "preflight",
	// "parser", "other"); InitiatorURL its url (for a preflight, the URL of
	// the request it was sent for).
	Initiator, InitiatorURL string
}

// Request is entry.request.
type Request struct {
	Method  string
	URL     string
	Headers [][2]string // in the file's order
	Cookies int         // how many request.cookies the file lists
	Body    string      // request.postData.text, at most MaxBody bytes
}

// Response is entry.response.
type Response struct {
	Status  int // 0: no answer (a network error, or blocked before one)
	Headers [][2]string
	// Body is response.content.text, base64-decoded when the file says so;
	// BodySize is content.size, the size of the whole body, and
	// BodyTruncated says the file holds less than that (DevTools exports
	// cut long bodies, sanitizers drop them).
	Body          []byte
	BodySize      int64
	BodyTruncated bool
	MimeType      string
	// Error is Chromium's response._error, e.g. "net::ERR_FAILED" for a
	// request blocked by CORS.
	Error string
}

// Header returns the first value of the named header (case-insensitively)
// and whether it is there.
func Header(h [][2]string, name string) (string, bool) {
	for _, kv := range h {
		if strings.EqualFold(kv[0], name) {
			return kv[1], true
		}
	}
	return "", false
}

// MaxBody is the most of one response body the reader keeps; the rest is
// dropped and the body marked truncated.
const MaxBody = 1 << 20

// Error is a HAR file the reader cannot use; its message is one line naming
// the entry and the field, e.g. `entries[3].request.url: missing`.
type Error struct {
	Path   string // "log.entries[3].request.url", or "" for the whole file
	Offset int64  // byte offset in the file where it was noticed, -1 when not known
	Msg    string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Offset >= 0 {
		fmt.Fprintf(&b, " (at byte %d)", e.Offset)
	}
	return b.String()
}

// Read streams the HAR file r, calling fn for each entry in order; an error
// from fn stops the walk and is returned. The Log it returns has the
// creator and browser whether they come before or after the entries.
func Read(r io.Reader, fn func(*Entry) error) (Log, error) {
	var lg Log
	dec := json.NewDecoder(r)
	dec.UseNumber()
	fail := func(path, msg string) error {
		return &Error{Path: path, Offset: dec.InputOffset(), Msg: msg}
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return lg, &Error{Msg: "empty file, not a HAR (expected {\"log\": {…}})", Offset: -1}
		}
		return lg, syntaxErr(dec, "", err, "not JSON")
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return lg, fail("", "not a HAR: the file must be a JSON object with a \"log\" field")
	}
	sawLog := false
	for dec.More() {
		key, err := objectKey(dec, "")
		if err != nil {
			return lg, err
		}
		if key != "log" {
			if err := skip(dec, fieldPath("", key)); err != nil {
				return lg, err
			}
			continue
		}
		sawLog = true
		if err := readLog(dec, &lg, fn); err != nil {
			return lg, err
		}
	}
	if _, err := dec.Token(); err != nil {
		return lg, syntaxErr(dec, "", err, "")
	}
	if !sawLog {
		return lg, &Error{Msg: "not a HAR: no \"log\" field", Offset: -1}
	}
	if _, err := dec.Token(); err != io.EOF {
		return lg, fail("", "unexpected data after the HAR object")
	}
	return lg, nil
}

func readLog(dec *json.Decoder, lg *Log, fn func(*Entry) error) error {
	if err := expectDelim(dec, "log", '{', "an object"); err != nil {
		return err
	}
	sawEntries := false
	for dec.More() {
		key, err := objectKey(dec, "log")
		if err != nil {
			return err
		}
		path := fieldPath("log", key)
		switch key {
		case "version":
			var v any
			if err := dec.Decode(&v); err != nil {
				return syntaxErr(dec, path, err, "")
			}
			s, ok := v.(string)
			if !ok {
				return &Error{Path: path, Offset: dec.InputOffset(), Msg: "must be a string"}
			}
			lg.Version = s
		case "creator", "browser":
			var c struct {
				Name    any `json:"name"`
				Version any `json:"version"`
			}
			if err := dec.Decode(&c); err != nil {
				return syntaxErr(dec, path, err, "must be an object with name and version")
			}
			name, _ := c.Name.(string)
			if key == "creator" {
				lg.Creator = name
				lg.CreatorVersion, _ = c.Version.(string)
			} else {
				lg.Browser = name
			}
		case "entries":
			sawEntries = true
			if err := readEntries(dec, lg, fn); err != nil {
				return err
			}
		default: // pages, comment, vendor fields
			if err := skip(dec, path); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxErr(dec, "log", err, "")
	}
	if !sawEntries {
		return &Error{Path: "log.entries", Offset: -1, Msg: "missing: not a HAR, or an empty export"}
	}
	return nil
}

func readEntries(dec *json.Decoder, lg *Log, fn func(*Entry) error) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(dec, "log.entries", err, "")
	}
	if tok == nil {
		return nil // "entries": null — an export with none
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		return &Error{Path: "log.entries", Offset: dec.InputOffset(), Msg: "must be an array"}
	}
	for i := 0; dec.More(); i++ {
		path := fmt.Sprintf("log.entries[%d]", i)
		var raw rawEntry
		if err := dec.Decode(&raw); err != nil {
			return syntaxErr(dec, path, err, "must be an object")
		}
		e, err := raw.entry(i, path)
		if err != nil {
			var he *Error
			if errors.As(err, &he) {
				he.Offset = dec.InputOffset()
			}
			return err
		}
		lg.Entries++
		if err := fn(e); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil {
		return syntaxErr(dec, "log.entries", err, "")
	}
	return nil
}

// The raw forms decode leniently (any) so that a field of the wrong type is
// reported by name rather than as Go's unmarshal error.
type rawEntry struct {
	StartedDateTime any            `json:"startedDateTime"`
	Request         map[string]any `json:"request"`
	Response        map[string]any `json:"response"`
	ResourceType    any            `json:"_resourceType"`
	Initiator       any            `json:"_initiator"`
}

func (raw *rawEntry) entry(i int, path string) (*Entry, error) {
	e := &Entry{Index: i}
	e.Started, _ = raw.StartedDateTime.(string)
	e.ResourceType, _ = raw.ResourceType.(string)
	switch in := raw.Initiator.(type) {
	case map[string]any:
		e.Initiator, _ = in["type"].(string)
		e.InitiatorURL, _ = in["url"].(string)
		if e.InitiatorURL == "" {
			e.InitiatorURL = stackURL(in["stack"])
		}
	case string: // some tools flatten it
		e.Initiator = in
	}
	if raw.Request == nil {
		return nil, &Error{Path: path + ".request", Msg: "missing (or not an object)"}
	}
	rp := path + ".request"
	var err error
	if e.Request.Method, err = needString(raw.Request, rp, "method"); err != nil {
		return nil, err
	}
	if e.Request.URL, err = needString(raw.Request, rp, "url"); err != nil {
		return nil, err
	}
	if e.Request.Headers, err = headers(raw.Request["headers"], rp+".headers"); err != nil {
		return nil, err
	}
	if c, ok := raw.Request["cookies"].([]any); ok {
		e.Request.Cookies = len(c)
	}
	if pd, ok := raw.Request["postData"].(map[string]any); ok {
		switch t := pd["text"].(type) {
		case string:
			e.Request.Body = t[:min(len(t), MaxBody)]
		case nil:
		default:
			return nil, &Error{Path: rp + ".postData.text", Msg: "must be a string, not " + kind(t)}
		}
	}
	if raw.Response == nil {
		// Some tools leave out the response of a request that got none.
		return e, nil
	}
	sp := path + ".response"
	switch s := raw.Response["status"].(type) {
	case nil:
		return nil, &Error{Path: sp + ".status", Msg: "missing"}
	case json.Number:
		n, err := s.Int64()
		if err != nil || n < 0 || (n != 0 && (n < 100 || n > 599)) {
			return nil, &Error{Path: sp + ".status", Msg: fmt.Sprintf("must be 0 or an integer from 100 to 599, not %s", s)}
		}
		e.Response.Status = int(n)
	default:
		return nil, &Error{Path: sp + ".status", Msg: "must be a number, not " + kind(s)}
	}
	if e.Response.Headers, err = headers(raw.Response["headers"], sp+".headers"); err != nil {
		return nil, err
	}
	e.Response.Error, _ = raw.Response["_error"].(string)
	if c, ok := raw.Response["content"].(map[string]any); ok {
		if err := content(c, sp+".content", &e.Response); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// stackURL finds the script URL of a Chromium initiator stack.
func stackURL(v any) string {
	st, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	if frames, ok := st["callFrames"].([]any); ok {
		for _, f := range frames {
			if m, ok := f.(map[string]any); ok {
				if u, _ := m["url"].(string); u != "" {
					return u
				}
			}
		}
	}
	return stackURL(st["parent"])
}

func content(c map[string]any, path string, r *Response) error {
	r.MimeType, _ = c["mimeType"].(string)
	if n, ok := c["size"].(json.Number); ok {
		r.BodySize, _ = n.Int64()
	}
	text, ok := c["text"]
	if !ok || text == nil {
		r.BodyTruncated = r.BodySize > 0
		return nil
	}
	s, ok := text.(string)
	if !ok {
		return &Error{Path: path + ".text", Msg: "must be a string, not " + kind(text)}
	}
	body := []byte(s)
	if enc, _ := c["encoding"].(string); enc == "base64" {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &Error{Path: path + ".text", Msg: "encoding is base64 but the text is not valid base64 (a truncated body?)"}
		}
		body = b
	}
	if len(body) > MaxBody {
		body = body[:MaxBody]
		r.BodyTruncated = true
	}
	r.Body = body
	if r.BodySize > int64(len(body)) {
		r.BodyTruncated = true
	}
	return nil
}

func needString(m map[string]any, path, key string) (string, error) {
	v, ok := m[key]
	if !ok || v == nil {
		return "", &Error{Path: path + "." + key, Msg: "missing"}
	}
	s, ok := v.(string)
	if !ok {
		return "", &Error{Path: path + "." + key, Msg: "must be a string, not " + kind(v)}
	}
	return s, nil
}

// headers reads a HAR header list: [{"name": …, "value": …}, …]. A missing
// list is empty (sanitized exports sometimes drop it).
func headers(v any, path string) ([][2]string, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, &Error{Path: path, Msg: "must be an array of {name, value}, not " + kind(v)}
	}
	out := make([][2]string, 0, len(list))
	for i, it := range list {
		hp := fmt.Sprintf("%s[%d]", path, i)
		m, ok := it.(map[string]any)
		if !ok {
			return nil, &Error{Path: hp, Msg: "must be an object {name, value}, not " + kind(it)}
		}
		name, err := needString(m, hp, "name")
		if err != nil {
			return nil, err
		}
		value, err := needString(m, hp, "value")
		if err != nil {
			return nil, err
		}
		out = append(out, [2]string{name, value})
	}
	return out, nil
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// fieldPath names a field for an error message: parent.key, or
// parent["key"] for a key that is not a plain name.
func fieldPath(parent, key string) string {
	plain := key != ""
	for _, c := range key {
		plain = plain && (c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}
	switch {
	case !plain:
		return parent + "[" + strconv.Quote(key) + "]"
	case parent == "":
		return key
	}
	return parent + "." + key
}

func objectKey(dec *json.Decoder, path string) (string, error) {
	tok, err := dec.Token()
	if err != nil {
		return "", syntaxErr(dec, path, err, "")
	}
	key, _ := tok.(string) // the Decoder guarantees object keys are strings
	return key, nil
}

func expectDelim(dec *json.Decoder, path string, want json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return syntaxErr(dec, path, err, "")
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return &Error{Path: path, Offset: dec.InputOffset(), Msg: "must be " + what}
	}
	return nil
}

// skip reads past one value without keeping it.
func skip(dec *json.Decoder, path string) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return syntaxErr(dec, path, err, "")
		}
		if d, ok := tok.(json.Delim); ok {
			switch d {
			case '{', '[':
				depth++
			default:
				depth--
			}
		}
		if depth == 0 {
			return nil
		}
	}
}

// syntaxErr words a decoding error in one line; typeMsg is used for a value
// of the wrong JSON type.
func syntaxErr(dec *json.Decoder, path string, err error, typeMsg string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		msg := strings.TrimPrefix(se.Error(), "json: ")
		if path == "" {
			msg = "not JSON: " + msg
		}
		return &Error{Path: path, Offset: se.Offset, Msg: msg}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &Error{Path: path, Offset: dec.InputOffset(), Msg: "unexpected end of file (the HAR is truncated)"}
	case errors.As(err, &te):
		if te.Field != "" {
			return &Error{Path: path + "." + te.Field, Offset: te.Offset, Msg: "must be an object, not " + jsonKind(te.Value)}
		}
		if typeMsg == "" {
			typeMsg = "wrong type"
		}
		return &Error{Path: path, Offset: te.Offset, Msg: typeMsg + ", not " + jsonKind(te.Value)}
	}
	return &Error{Path: path, Offset: dec.InputOffset(), Msg: strings.ReplaceAll(err.Error(), "\n", " ")}
}

func jsonKind(v string) string {
	switch v {
	case "string":
		return "a string"
	case "number":
		return "a number"
	case "bool":
		return "a boolean"
	case "array":
		return "an array"
	case "object":
		return "an object"
	}
	return v
}
