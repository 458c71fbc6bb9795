package fetch

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// BrowserTable is the README's table of where the three browsers differ, in
// Markdown, generated from the Browser data and from Judge on one exchange
// per row: the same input, each browser's verdict.
func BrowserTable() string {
	bs := Browsers()
	var b strings.Builder
	b.WriteString("| |")
	for _, br := range bs {
		b.WriteString(" " + br.Title + " |")
	}
	b.WriteString("\n|---|")
	for range bs {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	row := func(what string, cell func(*Browser) string) {
		b.WriteString("| " + what + " |")
		for _, br := range bs {
			b.WriteString(" " + cell(br) + " |")
		}
		b.WriteString("\n")
	}
	row("Client hints (`DPR`, `Save-Data`, `Device-Memory`, `Viewport-Width`, `Width`, `Downlink`, `ECT`, `RTT`)", func(br *Browser) string {
		if br.ClientHintsSafelisted {
			return "safelisted: no preflight"
		}
		return "preflighted"
	})
	row("Preflight cache: most `Access-Control-Max-Age` honoured", func(br *Browser) string {
		d, unit := br.MaxAgeCap/time.Hour, "h"
		if br.MaxAgeCap%time.Hour != 0 {
			d, unit = br.MaxAgeCap/time.Minute, "min"
		}
		return fmt.Sprintf("%d s (%d %s)", int(br.MaxAgeCap/time.Second), d, unit)
	})
	row("A preflight's status is judged", func(br *Browser) string {
		if br.PreflightStatusFirst {
			return "before its `Access-Control-Allow-Origin`"
		}
		return "after its `Access-Control-Allow-Origin`"
	})
	row("A redirected preflight", func(br *Browser) string {
		switch {
		case br.PreflightStatusFirst:
			return "a bad status, like any 3xx"
		case br.PreflightOriginBeforeRedirect:
			return "refused after its `Access-Control-Allow-Origin` is checked"
		}
		return "refused at once"
	})
	row("`fetch()` rejects with", func(br *Browser) string { return "`" + br.JSError + "`" })
	for _, c := range tableExchanges() {
		row(c.what, func(br *Browser) string {
			v := br.Judge(c.x)
			switch {
			case v.Allowed:
				return "allowed"
			case v.Error == ErrTypeError:
				return "`TypeError`, no CORS error"
			}
			s := "`" + v.Error + "`"
			if v.FailedParameter != "" {
				s += " (" + v.FailedParameter + ")"
			}
			return s
		})
	}
	return b.String()
}

type tableExchange struct {
	what string
	x    Exchange
}

// tableExchanges are the README table's example exchanges: a page on
// localhost:7070 calls site B on localhost:7071.
func tableExchanges() []tableExchange {
	const origin, target = "http://localhost:7070", "http://localhost:7071/api/items"
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return h
	}
	get := Request{Origin: origin, URL: target, Method: "GET"}
	cred := Request{Origin: origin, URL: target, Method: "GET", Credentials: "include"}
	put := Request{Origin: origin, URL: target, Method: "PUT"}
	dpr := Request{Origin: origin, URL: target, Method: "GET", Headers: [][2]string{{"DPR", "2"}}}
	star := hdr("Access-Control-Allow-Origin", "*")
	return []tableExchange{
		{"GET, no `Access-Control-Allow-Origin`", Exchange{Request: get, Actual: &Response{200, hdr()}}},
		{"GET, `Access-Control-Allow-Origin: http://localhost:7070, http://x`", Exchange{Request: get, Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin+", http://x")}}},
		{"GET, `Access-Control-Allow-Origin` sent twice", Exchange{Request: get, Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin, "Access-Control-Allow-Origin", origin)}}},
		{"GET, `Access-Control-Allow-Origin: notaurl`", Exchange{Request: get, Actual: &Response{200, hdr("Access-Control-Allow-Origin", "notaurl")}}},
		{"GET with credentials, `Access-Control-Allow-Origin: *`", Exchange{Request: cred, Actual: &Response{200, star}}},
		{"GET with credentials, no `Access-Control-Allow-Credentials`", Exchange{Request: cred, Actual: &Response{200, hdr("Access-Control-Allow-Origin", origin)}}},
		{"GET with `DPR: 2`, preflight answered with `*` only", Exchange{Request: dpr, Preflight: &Response{204, star}, Actual: &Response{200, star}}},
		{"PUT, preflight 404 without `Access-Control-Allow-Origin`", Exchange{Request: put, Preflight: &Response{404, hdr()}}},
		{"PUT, preflight 301 with `Access-Control-Allow-Origin: *`", Exchange{Request: put, Preflight: &Response{301, hdr("Access-Control-Allow-Origin", "*", "Location", "/api/items/")}}},
		{"PUT, preflight without `Access-Control-Allow-Methods`", Exchange{Request: put, Preflight: &Response{204, star}}},
		{"PUT, `Access-Control-Allow-Methods: GET PUT`", Exchange{Request: put, Preflight: &Response{204, hdr("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Methods", "GET PUT")}}},
		{"GET with `Content-Language: en/US`, preflight allows no headers", Exchange{Request: Request{Origin: origin, URL: target, Method: "GET", Headers: [][2]string{{"Content-Language", "en/US"}}}, Preflight: &Response{204, star}}},
		{"GET, no answer at all (connection reset)", Exchange{Request: get}},
	}
}
