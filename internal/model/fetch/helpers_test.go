package fetch

import (
	"net/http"
	"strings"
)

// Test vocabulary: site A (the page) and site B (the API), as in the lab.
const (
	siteA = "http://localhost:7070"
	siteB = "http://localhost:7071/api/items"
)

type reqOpt func(*Request)

// req builds a fetch() call from site A to site B.
func req(method string, opts ...reqOpt) Request {
	r := Request{Origin: siteA, URL: siteB, Method: method}
	for _, o := range opts {
		o(&r)
	}
	return r
}

func hdr(name, value string) reqOpt {
	return func(r *Request) { r.Headers = append(r.Headers, [2]string{name, value}) }
}
func cred(c string) reqOpt       { return func(r *Request) { r.Credentials = c } }
func mode(m string) reqOpt       { return func(r *Request) { r.Mode = m } }
func toURL(u string) reqOpt      { return func(r *Request) { r.URL = u } }
func fromOrigin(o string) reqOpt { return func(r *Request) { r.Origin = o } }

// resp builds an answer from name, value pairs; a repeated name is a second line.
func resp(status int, kv ...string) *Response {
	r := &Response{Status: status, Header: http.Header{}}
	for i := 0; i+1 < len(kv); i += 2 {
		k := http.CanonicalHeaderKey(kv[i])
		r.Header[k] = append(r.Header[k], kv[i+1])
	}
	return r
}

const (
	acao = "Access-Control-Allow-Origin"
	acac = "Access-Control-Allow-Credentials"
	acam = "Access-Control-Allow-Methods"
	acah = "Access-Control-Allow-Headers"
	aceh = "Access-Control-Expose-Headers"
)

// star answers: everything allowed, no credentials.
func starPreflight() *Response { return resp(204, acao, "*", acam, "*", acah, "*") }
func starActual() *Response    { return resp(200, acao, "*") }

// credPreflight allows the methods and headers for a credentialed request.
func credPreflight(methods, headers string) *Response {
	return resp(204, acao, siteA, acac, "true", acam, methods, acah, headers)
}

func x(r Request, pre, act *Response) Exchange {
	return Exchange{Request: r, Preflight: pre, Actual: act}
}

func rep(s string, n int) string { return strings.Repeat(s, n) }
