package fetch

import (
	"bytes"
	"encoding/json"
)

// Chromium's CORS error names (network::mojom::CorsError without the leading
// k), as verdict-format.md lists them, plus TypeError for a fetch() that rejects
// without a CORS error.
const (
	ErrMissingAllowOriginHeader             = "MissingAllowOriginHeader"
	ErrAllowOriginMismatch                  = "AllowOriginMismatch"
	ErrWildcardOriginNotAllowed             = "WildcardOriginNotAllowed"
	ErrMultipleAllowOriginValues            = "MultipleAllowOriginValues"
	ErrInvalidAllowOriginValue              = "InvalidAllowOriginValue"
	ErrInvalidAllowCredentials              = "InvalidAllowCredentials"
	ErrPreflightInvalidStatus               = "PreflightInvalidStatus"
	ErrPreflightDisallowedRedirect          = "PreflightDisallowedRedirect"
	ErrPreflightMissingAllowOriginHeader    = "PreflightMissingAllowOriginHeader"
	ErrPreflightAllowOriginMismatch         = "PreflightAllowOriginMismatch"
	ErrPreflightWildcardOriginNotAllowed    = "PreflightWildcardOriginNotAllowed"
	ErrPreflightMultipleAllowOriginValues   = "PreflightMultipleAllowOriginValues"
	ErrPreflightInvalidAllowOriginValue     = "PreflightInvalidAllowOriginValue"
	ErrPreflightInvalidAllowCredentials     = "PreflightInvalidAllowCredentials"
	ErrInvalidAllowMethodsPreflightResponse = "InvalidAllowMethodsPreflightResponse"
	ErrInvalidAllowHeadersPreflightResponse = "InvalidAllowHeadersPreflightResponse"
	ErrMethodDisallowedByPreflightResponse  = "MethodDisallowedByPreflightResponse"
	ErrHeaderDisallowedByPreflightResponse  = "HeaderDisallowedByPreflightResponse"
	ErrRedirectContainsCredentials          = "RedirectContainsCredentials"
	ErrDisallowedByMode                     = "DisallowedByMode"
	ErrTypeError                            = "TypeError"
)

// ErrorNames lists every value Verdict.Error can take besides "", as
// verdict-format.md lists them. Judge never returns ErrDisallowedByMode:
// Chromium's network service names a same-origin-mode request to another
// origin so, but from a page Blink refuses it before the network (a redirect
// to another origin too), fetch() rejects with TypeError: Failed to fetch and
// DevTools reports no corsErrorStatus (Chromium 156), so the verdict is
// ErrTypeError.
func ErrorNames() []string {
	return []string{
		ErrMissingAllowOriginHeader, ErrAllowOriginMismatch, ErrWildcardOriginNotAllowed,
		ErrMultipleAllowOriginValues, ErrInvalidAllowOriginValue, ErrInvalidAllowCredentials,
		ErrPreflightInvalidStatus, ErrPreflightDisallowedRedirect,
		ErrPreflightMissingAllowOriginHeader, ErrPreflightAllowOriginMismatch,
		ErrPreflightWildcardOriginNotAllowed, ErrPreflightMultipleAllowOriginValues,
		ErrPreflightInvalidAllowOriginValue, ErrPreflightInvalidAllowCredentials,
		ErrInvalidAllowMethodsPreflightResponse, ErrInvalidAllowHeadersPreflightResponse,
		ErrMethodDisallowedByPreflightResponse, ErrHeaderDisallowedByPreflightResponse,
		ErrRedirectContainsCredentials, ErrDisallowedByMode, ErrTypeError,
	}
}

// Response types (Fetch §2.2.6 response type, as verdict-format.md restricts
// them).
const (
	ResponseCORS   = "cors"
	ResponseOpaque = "opaque"
	ResponseError  = "error"
)

// Verdict is what the browser does with an exchange; its JSON form is the
// contract in verdict-format.md.
type Verdict struct {
	Preflight                 bool     `json:"preflight"`
	PreflightReasons          []string `json:"preflightReasons"`
	RequestHeadersInPreflight []string `json:"requestHeadersInPreflight"`
	ActualRequestSent         bool     `json:"actualRequestSent"`
	Allowed                   bool     `json:"allowed"`
	ResponseType              string   `json:"responseType"`
	Error                     string   `json:"error"`
	FailedParameter           string   `json:"failedParameter"`
	Message                   string   `json:"message"`
	ReadableHeaders           []string `json:"readableHeaders"`
	// Fix is the whole change to the server's answers that lets this
	// request through, every header at once; nil when it is allowed or no
	// answer can fix it (fetch() refused it, or there was no answer).
	Fix *Fix `json:"fix,omitempty"`

	// Notes are remarks for the learner that are not part of the JSON contract:
	// where Chromium differs from the standard for this exchange, headers
	// fetch() dropped, a redirect the browser follows. Never marshalled.
	Notes []string `json:"-"`
	// Browser is the title of the browser the verdict speaks for
	// ("Chromium", "Firefox", "Safari (WebKit)"). Never marshalled.
	Browser string `json:"-"`
}

// MarshalJSON writes the contract's JSON: the slices as [] rather than null.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict // no methods: avoids recursion; keeps the tags
	p := plain(v)
	p.PreflightReasons = nonNil(p.PreflightReasons)
	p.RequestHeadersInPreflight = nonNil(p.RequestHeadersInPreflight)
	p.ReadableHeaders = nonNil(p.ReadableHeaders)
	return json.Marshal(p)
}

// IndentedJSON is the verdict as `corslab explain` prints it
// (verdict-format.md): JSON indented by two spaces with a trailing newline,
// < > & left readable in the messages.
func (v Verdict) IndentedJSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		panic(err) // cannot happen: a Verdict holds only strings, bools and []string
	}
	return buf.Bytes()
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// IsPreflightError reports whether name is an error found in the answer to the
// preflight (every such name contains "Preflight").
func IsPreflightError(name string) bool {
	switch name {
	case ErrPreflightInvalidStatus, ErrPreflightDisallowedRedirect,
		ErrPreflightMissingAllowOriginHeader, ErrPreflightAllowOriginMismatch,
		ErrPreflightWildcardOriginNotAllowed, ErrPreflightMultipleAllowOriginValues,
		ErrPreflightInvalidAllowOriginValue, ErrPreflightInvalidAllowCredentials,
		ErrInvalidAllowMethodsPreflightResponse, ErrInvalidAllowHeadersPreflightResponse,
		ErrMethodDisallowedByPreflightResponse, ErrHeaderDisallowedByPreflightResponse:
		return true
	}
	return false
}
