package fetch

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/model/syntax"
)

// Request modes and credentials modes (Fetch §2.2.5).
const (
	modeCORS       = "cors"
	modeNoCORS     = "no-cors"
	modeSameOrigin = "same-origin"
	modeNavigate   = "navigate"

	credOmit       = "omit"
	credSameOrigin = "same-origin"
	credInclude    = "include"
)

// header is one entry of the request's header list after fetch() built it:
// duplicates combined with ", " (Fetch §2.2.2 "combine").
type header struct {
	name      string // as the page first wrote it
	lower     string
	value     string // normalized, combined
	byBrowser bool   // added by the browser, not the page
}

// droppedHeader is a header fetch() silently left out, and why.
type droppedHeader struct {
	name, why string
}

// prepared is the request as fetch() hands it to the network: what Fetch's "Request class"
// (new Request(input, init)) and the Headers object make of the page's call.
type prepared struct {
	origin      string // canonical serialized origin, "null" for an opaque one
	url         *url.URL
	urlString   string // as Chromium prints it
	method      string // normalized
	headers     []header
	dropped     []droppedHeader
	credentials string
	mode        string
	sameOrigin  bool
}

// typeError is a fetch() that rejects before any CORS check: the request could
// not be built, or no HTTP response came back.
type typeError struct {
	message string // the TypeError's message, as Chromium words it
	console string // a console line Chromium prints besides, if any
	explain string // plain words for the learner
	network bool   // true for a network error (a request was sent), false when fetch() refused to start
	// firefox and webkit are the TypeError's message as Firefox and WebKit
	// word it, when fetch() refuses the request in the Request constructor
	// (measured in Firefox ESR 153 and WebKitGTK 2.50 by the three-browser
	// matrices in internal/lab); "" where the model has only Chromium's.
	firefox, webkit string
}

// messageIn is the TypeError's message as browser b words it.
func (t *typeError) messageIn(b *Browser) string {
	switch {
	case b == Firefox && t.firefox != "":
		return t.firefox
	case b == WebKit && t.webkit != "":
		return t.webkit
	}
	return t.message
}

// sentenceIn is what browser b shows for the TypeError: Chromium's console
// line if it prints one, then the exception as String(e) gives it. A line
// break the message quotes (a header value) is written \n or \r, so that
// the sentence stays one line (verdict-format.md).
func (t *typeError) sentenceIn(b *Browser) string {
	s := "TypeError: " + oneLine(t.messageIn(b))
	if t.console != "" && (b == Chromium || t.messageIn(b) == t.message) {
		s = t.console + "\n" + s
	}
	return s
}

// oneLine writes the line breaks in s as \r and \n.
func oneLine(s string) string {
	return strings.NewReplacer("\r", `\r`, "\n", `\n`).Replace(s)
}

// Firefox's prefix of the TypeErrors fetch() throws (its WebIDL bindings name
// the operation).
const ffFetch = "Window.fetch: "

// ffByteString is Firefox's message for a string WebIDL cannot convert to a
// ByteString: what it is, the UTF-16 index of the first code unit above 0xFF
// and that unit's value.
func ffByteString(what, s string) string {
	for i, u := range utf16.Encode([]rune(s)) {
		if u > 0xFF {
			return fmt.Sprintf("%sCannot convert %s to ByteString because the character at index %d has value %d which is greater than 255.", ffFetch, what, i, u)
		}
	}
	return ffFetch + "Cannot convert " + what + " to ByteString."
}

// cString is s up to its first NUL byte: how Firefox quotes a header value.
func cString(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

const fetchFailed = "Failed to execute 'fetch' on 'Window': "

// byteString converts a JavaScript string to a WebIDL ByteString: every code
// point must be at most U+00FF and becomes one byte (latin-1); ok is false
// otherwise, and fetch() throws.
func byteString(s string) (string, bool) {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			return "", false
		}
		b = append(b, byte(r))
	}
	return string(b), true
}

func enumError(member, value, enum string) *typeError {
	return &typeError{
		message: fmt.Sprintf("%sFailed to read the '%s' property from 'RequestInit': The provided value '%s' is not a valid enum value of type %s.", fetchFailed, member, value, enum),
		firefox: fmt.Sprintf("%s'%s' (value of '%s' member of RequestInit) is not a valid value for enumeration %s.", ffFetch, value, member, enum),
		webkit:  "Type error",
		explain: fmt.Sprintf("fetch() rejects before sending anything: %q is not a valid %s.", value, member),
	}
}

// prepare does what fetch(url, init) does before the network is involved: the
// WebIDL conversion of init, then the Request constructor (Fetch "Request class") with its
// Headers object ("Headers class", guard "request" or "request-no-cors"). It returns the
// TypeError fetch() would throw, if any.
func prepare(r Request) (prepared, *typeError) {
	var p prepared

	// WebIDL converts RequestInit's members in dictionary order: credentials,
	// headers, method, mode.
	p.credentials = r.Credentials
	if p.credentials == "" {
		p.credentials = credSameOrigin
	}
	switch p.credentials {
	case credOmit, credSameOrigin, credInclude:
	default:
		return p, enumError("credentials", r.Credentials, "RequestCredentials")
	}
	pairs := make([][2]string, 0, len(r.Headers))
	for _, h := range r.Headers {
		name, ok1 := byteString(h[0])
		value, ok2 := byteString(h[1])
		if !ok1 || !ok2 {
			bad := h[0]
			if ok1 {
				bad = h[1]
			}
			return p, &typeError{
				message: fetchFailed + "Failed to read the 'headers' property from 'RequestInit': String contains non ISO-8859-1 code point.",
				firefox: ffByteString("element of element of sequence<sequence<ByteString>> branch of (sequence<sequence<ByteString>> or record<ByteString, ByteString>)", bad),
				webkit:  "Type error",
				explain: fmt.Sprintf("Header %q has a character above U+00FF; header names and values are byte strings, so fetch() rejects before sending anything.", h[0]),
			}
		}
		pairs = append(pairs, [2]string{name, value})
	}
	method, ok := byteString(r.Method)
	if !ok {
		return p, &typeError{
			message: fetchFailed + "Failed to read the 'method' property from 'RequestInit': String contains non ISO-8859-1 code point.",
			firefox: ffByteString("'method' member of RequestInit", r.Method),
			webkit:  "Type error",
			explain: "The method has a character above U+00FF, so fetch() rejects before sending anything.",
		}
	}
	p.mode = r.Mode
	if p.mode == "" {
		p.mode = modeCORS
	}
	switch p.mode {
	case modeCORS, modeNoCORS, modeSameOrigin, modeNavigate:
	default:
		return p, enumError("mode", r.Mode, "RequestMode")
	}

	// The Request constructor: parse the URL against the page, refuse
	// credentials in it, refuse mode "navigate".
	canon, _, originOK := parseOrigin(r.Origin)
	if !originOK {
		canon = r.Origin
	}
	p.origin = canon
	u, err := url.Parse(r.URL)
	if err == nil && !u.IsAbs() {
		if !originOK || canon == "null" {
			err = fmt.Errorf("relative URL without a base")
		} else if base, berr := url.Parse(canon + "/"); berr == nil {
			u = base.ResolveReference(u)
		}
	}
	if err != nil || u.Host == "" && (strings.EqualFold(u.Scheme, "http") || strings.EqualFold(u.Scheme, "https")) {
		return p, &typeError{
			message: fetchFailed + "Failed to parse URL from " + r.URL,
			firefox: ffFetch + r.URL + " is not a valid URL.",
			webkit:  "URL is not valid or contains user credentials.",
			explain: fmt.Sprintf("%q is not a URL fetch() can parse, so it rejects before sending anything.", r.URL),
		}
	}
	if hasCredentials(u) {
		return p, &typeError{
			message: fetchFailed + "Request cannot be constructed from a URL that includes credentials: " + r.URL,
			firefox: ffFetch + r.URL + " is an url with embedded credentials.",
			webkit:  "URL is not valid or contains user credentials.",
			explain: "The URL carries a user name or password (user:pass@host). fetch() refuses such URLs; send credentials in a header (Authorization) or a cookie instead.",
		}
	}
	p.url = u
	p.urlString = canonicalURL(u)
	if p.mode == modeNavigate {
		return p, &typeError{
			message: fetchFailed + "Cannot construct a Request with a RequestInit whose mode member is set as 'navigate'.",
			firefox: ffFetch + "Invalid request mode navigate.",
			webkit:  "Request constructor does not accept navigate fetch mode.",
			explain: "Mode \"navigate\" belongs to the browser's own page loads; a page cannot ask for it. Use \"cors\" (the default).",
		}
	}

	// Method: a token, not forbidden, normalized (Fetch "Request class" constructor, init["method"]).
	if !syntax.IsToken(method) {
		return p, &typeError{
			message: fmt.Sprintf("%s'%s' is not a valid HTTP method.", fetchFailed, r.Method),
			firefox: ffFetch + "Invalid request method " + method + ".",
			webkit:  "Method is not a valid HTTP token.",
			explain: fmt.Sprintf("%q is not a method token (letters, digits and !#$%%&'*+-.^_`|~ only), so fetch() rejects before sending anything.", r.Method),
		}
	}
	if isForbiddenMethod(method) {
		return p, &typeError{
			message: fmt.Sprintf("%s'%s' HTTP method is unsupported.", fetchFailed, method),
			firefox: ffFetch + "Invalid request method " + method + ".",
			webkit:  "Method is forbidden.",
			explain: fmt.Sprintf("%s is a forbidden method: no page may send CONNECT, TRACE or TRACK, so fetch() rejects before sending anything.", method),
		}
	}
	p.method = normalizeMethod(method)
	if p.mode == modeNoCORS && !isSafelistedMethod(p.method) {
		return p, &typeError{
			message: fmt.Sprintf("%s'%s' is unsupported in no-cors mode.", fetchFailed, p.method),
			firefox: ffFetch + "Invalid request method " + p.method + ".",
			webkit:  "Method must be GET, POST or HEAD in no-cors mode.",
			explain: fmt.Sprintf("mode \"no-cors\" allows only GET, HEAD and POST, so fetch() rejects %s before sending anything. Use mode \"cors\" and let the server allow %s in a preflight.", p.method, p.method),
		}
	}

	// Headers: validated, then filtered by the guard, duplicates combined.
	// Repeated names collect their values in parts, joined once at the end, so
	// that many repeats cost linear time.
	var index map[string]int
	var parts [][]string
	for _, h := range pairs {
		name, value := h[0], normalizeHeaderValue(h[1])
		if !syntax.IsToken(name) {
			return p, &typeError{
				message: fetchFailed + "Invalid name",
				firefox: ffFetch + strings.ToLower(name) + " is an invalid header name.",
				webkit:  "Invalid header name: '" + name + "'",
				explain: fmt.Sprintf("%q is not a valid header name (a token: no spaces, colons or quotes), so fetch() rejects before sending anything.", name),
			}
		}
		if !isHeaderValue(value) {
			return p, &typeError{
				message: fetchFailed + "Invalid value",
				firefox: ffFetch + cString(value) + " is an invalid header value.",
				webkit:  "Header '" + name + "' has invalid value: '" + value + "'",
				explain: fmt.Sprintf("The value of header %s contains a line break or NUL byte, which would split the HTTP request; fetch() rejects before sending anything.", name),
			}
		}
		lower := strings.ToLower(name)
		i, seen := index[lower]
		if p.mode == modeNoCORS {
			// Guard "request-no-cors" (Fetch "Headers class": append).
			if !isNoCORSSafelistedName(lower) {
				p.dropped = append(p.dropped, droppedHeader{name, "mode \"no-cors\" keeps only Accept, Accept-Language, Content-Language and Content-Type"})
				continue
			}
			combined := value
			if seen { // at most 128 bytes so far: every kept state was safelisted
				combined = strings.Join(parts[i], ", ") + ", " + value
			}
			if ok, why := safelistedRequestHeader(lower, combined, false); !ok {
				p.dropped = append(p.dropped, droppedHeader{name, "mode \"no-cors\" keeps only safelisted values: " + why})
				continue
			}
		} else if forbidden, why := forbiddenRequestHeader(lower, value); forbidden {
			p.dropped = append(p.dropped, droppedHeader{name, why})
			continue
		}
		if seen {
			parts[i] = append(parts[i], value)
			continue
		}
		if index == nil {
			index = make(map[string]int, len(pairs))
		}
		index[lower] = len(p.headers)
		p.headers = append(p.headers, header{name: name, lower: lower, value: value})
		parts = append(parts, []string{value})
	}
	for i := range p.headers {
		if len(parts[i]) > 1 {
			p.headers[i].value = strings.Join(parts[i], ", ")
		}
	}

	// Fetch "fetch" (#concept-fetch): the browser adds Accept: */* when the page set
	// none. It counts toward the 1024-byte total (checked in Chromium 156).
	if _, has := index["accept"]; !has {
		p.headers = append(p.headers, header{name: "Accept", lower: "accept", value: "*/*", byBrowser: true})
	}

	p.sameOrigin = canon != "null" && serializeOrigin(u) == canon

	// The Request constructor refuses a body on GET and HEAD.
	if r.Body != "" && (p.method == "GET" || p.method == "HEAD") {
		return p, &typeError{
			message: fetchFailed + "Request with GET/HEAD method cannot have body.",
			firefox: ffFetch + "HEAD or GET Request cannot have a body.",
			webkit:  "Request has method '" + p.method + "' and cannot have a body",
			explain: fmt.Sprintf("A %s request cannot carry a body, so fetch() rejects before sending anything. Send the data in the URL's query, or use POST.", p.method),
		}
	}
	return p, nil
}

// isHTTPScheme reports whether the prepared URL is http or https, the schemes
// the lab models.
func (p *prepared) isHTTPScheme() bool {
	s := strings.ToLower(p.url.Scheme)
	return s == "http" || s == "https"
}
