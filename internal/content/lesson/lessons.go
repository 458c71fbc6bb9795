package lesson

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

// Requests the lessons' buttons make.
var (
	getB      = trial.Request{Label: "GET site B /api/items (cross-origin)", Method: "GET", URL: "/api/items"}
	getA      = trial.Request{Label: "GET site A /api/items (same origin)", Method: "GET", URL: "/api/items", Site: "A"}
	postForm  = trial.Request{Label: "simple POST (form)", Method: "POST", URL: "/api/items", Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: "name=posted+in+a+lesson"}
	postJSON  = trial.Request{Label: "POST JSON", Method: "POST", URL: "/api/items", Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"name": "posted as JSON"}`}
	put       = trial.Request{Label: "PUT /api/items/1", Method: "PUT", URL: "/api/items/1", Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"name": "renamed in a lesson"}`}
	del       = trial.Request{Label: "DELETE /api/items/3", Method: "DELETE", URL: "/api/items/3"}
	xHeader   = trial.Request{Label: "GET with X-Requested-With", Method: "GET", URL: "/api/items", Headers: [][2]string{{"X-Requested-With", "XMLHttpRequest"}}}
	login     = trial.Request{Label: "log in (cookies)", Method: "POST", URL: "/api/login", Credentials: "include"}
	me        = trial.Request{Label: "who am I? (cookies)", Method: "GET", URL: "/api/me", Credentials: "include"}
	readTotal = trial.Request{Label: "read X-Total", Method: "GET", URL: "/api/items", ReadHeader: "X-Total"}
	sandboxed = trial.Request{Label: "GET from a sandboxed iframe (Origin: null)", Method: "GET", URL: "/api/items", Sandbox: true}
	noCORS    = trial.Request{Label: "GET with mode: no-cors", Method: "GET", URL: "/api/items", Mode: "no-cors"}
	websocket = trial.Request{Label: "new WebSocket(ws://site B/api/ws)", Method: "GET", URL: "/api/ws", Mode: trial.ModeWebSocket}
)

func doc(s string) json.RawMessage { return json.RawMessage(s) }

const (
	closed    = `{}`
	reflected = `{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}, "actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`
	wildcard  = `{"actual": {"headers": {"Access-Control-Allow-Origin": "*"}}}`
)

var lessons = []Lesson{{
	ID:    "same-origin",
	Title: "Same origin, cross origin",
	Concept: "An origin is scheme, host and port: site A, " + SiteA + ", and site B, " + SiteB + ", are two origins. " +
		"A page may read any answer from its own origin. From another origin it may read an answer only if that server says so, " +
		"with Access-Control-Allow-Origin. Site B starts with no CORS headers at all.",
	Goal:   "Read the item list from site A (the page's own origin), then try the same request on site B.",
	Hint:   "Press both buttons and compare What JavaScript got: the same-origin one resolves, site B's rejects.",
	Policy: doc(closed), Requests: []trial.Request{getA, getB},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, and(sameOrigin, ok)) &&
			anySettled(a.Trials, func(t *journal.Trial) bool { return !sameOrigin(t) && !ok(t) && t.Origin != "null" })
	},
}, {
	ID:    "blocked-get",
	Title: "A blocked simple GET: answered in full, hidden by the browser",
	Concept: "A simple GET is sent at once. Site B runs it and answers 200 with the whole list; only then does the browser look for " +
		"Access-Control-Allow-Origin, and without it JavaScript gets TypeError: Failed to fetch. CORS does not stop requests, it stops reading.",
	Goal:   "Send the GET and see site B answer 200 while JavaScript fails; then change site B's policy (the page's policy editor or its Apply the fix, the terminal UI, or PUT /lab/policy) so the same GET succeeds.",
	Hint:   "In the terminal UI set Allow-Origin to site A's origin (or {origin}, or *), then press the button again.",
	Policy: doc(closed), Requests: []trial.Request{getB},
	Check: func(a Attempt) bool {
		answered := func(t *journal.Trial) bool {
			x := actual(t)
			return method(t) == "GET" && !sameOrigin(t) && !ok(t) && x != nil && x.Status == 200
		}
		return after(a.Trials, answered, func(t *journal.Trial) bool { return method(t) == "GET" && !sameOrigin(t) && ok(t) })
	},
}, {
	ID:    "blocked-post",
	Title: "A blocked simple POST still changed site B",
	Concept: "A POST with a form (or text/plain) body is simple: no preflight. The browser sends it, site B creates the item, and the browser " +
		"then hides the answer. Any web page can make your browser do this to any server, cookies included, so a server must not count on CORS " +
		"to stop simple requests: use CSRF tokens, SameSite cookies, or require a non-simple request.",
	Goal:   "Make a simple POST fail in JavaScript, and find in What site B saw that the item was created anyway.",
	Hint:   "Site B is closed: just press the button, then read the live log's 'site B did: created item …'.",
	Policy: doc(closed), Requests: []trial.Request{postForm},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool {
			x := actual(t)
			return method(t) == "POST" && !ok(t) && x != nil && x.Effect != nil && x.Effect.Kind == trial.Created
		})
	},
}, {
	ID:    "preflight",
	Title: "The preflight: a PUT that asks first",
	Concept: "PUT and DELETE are not simple. Before sending one, the browser asks site B with an OPTIONS preflight carrying " +
		"Access-Control-Request-Method (and -Headers). Unless the answer allows it, the PUT is never sent: site B's data stays as it was.",
	Goal:   "Make the PUT succeed without allowing every origin (no Access-Control-Allow-Origin: *).",
	Hint:   "The preflight needs Allow-Origin (site A's origin or {origin}), Allow-Methods: PUT and Allow-Headers: content-type; the PUT's own response needs Allow-Origin too.",
	Policy: doc(closed), Requests: []trial.Request{put},
	Check: func(a Attempt) bool {
		for i, t := range a.Trials {
			x := actual(t)
			if !settled(t) || method(t) != "PUT" || !ok(t) || x == nil || x.ResponseHeader.Get("Access-Control-Allow-Origin") == "*" {
				continue
			}
			// The preflight that allowed it: its own, or — a PUT within the
			// cache's Max-Age sends none — the one the browser cached.
			p := preflight(t)
			if p == nil && t.Happened.Preflight == trial.PreflightCached {
				p = cachedPreflight(a.Trials[:i], t)
			}
			if p != nil && p.ResponseHeader.Get("Access-Control-Allow-Origin") != "*" {
				return true
			}
		}
		return false
	},
}, {
	ID:    "non-simple",
	Title: "What makes a request non-simple",
	Concept: "Not only the method: a header outside the safelist (X-Requested-With, Authorization…) or a Content-Type other than " +
		"form, multipart or text/plain — application/json included — makes the browser send a preflight. The preflight lists the " +
		"headers in Access-Control-Request-Headers, lowercase.",
	Goal:   "Cause two preflights: one for a custom header, one for a JSON body, and find what they asked for in What site B saw.",
	Hint:   "Press both buttons; look for Access-Control-Request-Headers: x-requested-with and content-type.",
	Policy: doc(closed), Requests: []trial.Request{xHeader, postJSON},
	Check: func(a Attempt) bool {
		asks := func(name string) func(*journal.Trial) bool {
			return func(t *journal.Trial) bool {
				p := preflight(t)
				return p != nil && strings.Contains(strings.ToLower(p.RequestHeader.Get("Access-Control-Request-Headers")), name)
			}
		}
		return anySettled(a.Trials, asks("x-requested-with")) && anySettled(a.Trials, and(func(t *journal.Trial) bool { return method(t) == "POST" }, asks("content-type")))
	},
}, {
	ID:    "methods-headers",
	Title: "Access-Control-Allow-Methods and -Headers, and *",
	Concept: "The preflight's answer lists what is allowed: Access-Control-Allow-Methods (GET, HEAD and POST are always allowed) and " +
		"Access-Control-Allow-Headers (names, case-insensitive). Without credentials, * means any method or any header.",
	Goal:   "Make both the DELETE and the GET with X-Requested-With succeed.",
	Hint:   "Add Allow-Methods: DELETE and Allow-Headers: x-requested-with to the preflight (or * for both).",
	Policy: doc(reflected), Requests: []trial.Request{del, xHeader},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool { return method(t) == "DELETE" && ok(t) }) &&
			anySettled(a.Trials, func(t *journal.Trial) bool { return hasHeader(t, "X-Requested-With") && ok(t) && !sameOrigin(t) })
	},
}, {
	ID:    "credentials",
	Title: "Credentials: cookies, Allow-Credentials, and why * is refused",
	Concept: "With credentials: \"include\" the browser sends site B's cookies. Then the answer must name the page's origin exactly — * is " +
		"refused — and say Access-Control-Allow-Credentials: true. Otherwise any site could read what you see when logged in.",
	Goal:   "Log in, then make 'who am I?' return your user (status 200) to JavaScript.",
	Hint:   "Allow-Origin * fails with credentials: use site A's origin and add Allow-Credentials: true.",
	Policy: doc(wildcard), Requests: []trial.Request{login, me},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool {
			return path(t) == "/api/me" && t.Request.Credentials == "include" && ok(t) && status(t) == 200
		})
	},
}, {
	ID:    "expose-headers",
	Title: "Access-Control-Expose-Headers: reading a custom header",
	Concept: "A cross-origin response shows JavaScript only the safelisted headers (Content-Type, Content-Length, Cache-Control…). " +
		"Site B sends the item count in X-Total; the page can read it only if site B lists it in Access-Control-Expose-Headers.",
	Goal:   "Make response.headers.get(\"X-Total\") return the count.",
	Hint:   "Add Access-Control-Expose-Headers: X-Total to the actual responses.",
	Policy: doc(wildcard), Requests: []trial.Request{readTotal},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool {
			for _, h := range t.Outcome.Headers {
				if strings.EqualFold(h[0], "x-total") {
					return true
				}
			}
			return false
		})
	},
}, {
	ID:    "max-age",
	Title: "Access-Control-Max-Age and the preflight cache",
	Concept: "The browser may cache a preflight's answer for Access-Control-Max-Age seconds (" + maxAgeCaps() + "; 5 when absent). " +
		"While the entry lasts, the same request is sent without asking — even if site B's policy has changed since.",
	Goal: "Send the PUT, then remove PUT from Allow-Methods, and send it again: see it reach site B with no preflight.",
	Hint: "The starting policy says Max-Age: 600. After the second PUT, What site B saw shows no OPTIONS before it.",
	Policy: doc(`{"preflight": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Methods": "PUT",
		"Access-Control-Allow-Headers": "content-type", "Access-Control-Max-Age": "600"}},
		"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}"}}}`),
	Requests: []trial.Request{put},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool {
			return t.Happened.Preflight == trial.PreflightCached && t.Happened.ReachedSiteB
		})
	},
}, {
	ID:    "vary-origin",
	Title: "Vary: Origin",
	Concept: "When site B echoes the caller's origin, its answer depends on the Origin header. Caches (the browser's, a CDN's) must be told, " +
		"with Vary: Origin, or they serve the answer made for one origin to another: random CORS failures, or worse.",
	Goal:   "Keep reflecting the origin, and make the GET's response say Vary: Origin.",
	Hint:   "Add a header Vary: Origin to the actual responses (in the terminal UI: a, then Vary: Origin). A * does not reflect anything.",
	Policy: doc(reflected), Requests: []trial.Request{getB},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool {
			x := actual(t)
			return ok(t) && !sameOrigin(t) && x != nil && x.ResponseHeader.Get("Access-Control-Allow-Origin") == t.Origin &&
				strings.Contains(strings.ToLower(strings.Join(x.ResponseHeader.Values("Vary"), ",")), "origin")
		})
	},
}, {
	ID:    "null-origin",
	Title: "The null origin",
	Concept: "A sandboxed iframe, a file: page or a data: URL has an opaque origin, sent as Origin: null. Allowing \"null\" looks " +
		"harmless, but any site can make a sandboxed iframe: Access-Control-Allow-Origin: null trusts every page on the web.",
	Goal:   "Make the request from the sandboxed iframe succeed — and note which origin you had to allow.",
	Hint:   "Allow-Origin: null (or {origin}, which echoes null). Then ask yourself who else can send Origin: null.",
	Policy: doc(closed), Requests: []trial.Request{sandboxed},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool { return t.Origin == "null" && ok(t) })
	},
}, {
	ID:    "reflect-credentials",
	Title: "Reflecting any origin with credentials: any site reads your data",
	Concept: "Echoing the Origin with Allow-Credentials: true lets every site call site B with your cookies and read the answer. " +
		"Here site A plays the attacker's page. The fix is an allow-list: echo the origin only when it is one you trust.",
	Goal:     "Log in and read /api/me from site A (the leak), then change the policy to trust only https://app.example and see the same request refused.",
	Hint:     "Set Allow-Origin to https://app.example (keep Allow-Credentials: true), then press 'who am I?' again: AllowOriginMismatch.",
	Policy:   doc(`{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`),
	Requests: []trial.Request{login, me},
	Check: func(a Attempt) bool {
		leak := func(t *journal.Trial) bool {
			x := actual(t)
			return path(t) == "/api/me" && ok(t) && status(t) == 200 && x != nil && x.ResponseHeader.Get("Access-Control-Allow-Origin") == t.Origin
		}
		closed := func(t *journal.Trial) bool {
			return path(t) == "/api/me" && !ok(t) && verdictError(t) == fetch.ErrAllowOriginMismatch
		}
		return after(a.Trials, leak, closed)
	},
}, {
	ID:    "no-cors",
	Title: "mode: \"no-cors\" and opaque responses",
	Concept: "fetch(url, {mode: \"no-cors\"}) skips CORS: the simple request is sent, and JavaScript gets an opaque response — status 0, " +
		"no headers, no body — whatever site B answered. It does not get around CORS; it only says you do not want to read the answer.",
	Goal:   "Get an opaque response from site B, whose policy is closed.",
	Hint:   "Press the button: fetch() resolves, but response.type is \"opaque\" and status 0.",
	Policy: doc(closed), Requests: []trial.Request{noCORS},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, func(t *journal.Trial) bool { return ok(t) && t.Outcome.Type == "opaque" })
	},
}, {
	ID:    "websocket",
	Title: "Websockets are not covered by CORS",
	Concept: "new WebSocket(url) is not a fetch(): CORS does not apply. The browser sends the page's Origin with the handshake, " +
		"but nothing checks it unless the server does — no Access-Control-* header is asked for or needed, and JavaScript reads " +
		"whatever the server sends. Site B's websocket accepts any origin; site A's own /lab/ws (the live log) checks Origin " +
		"against an allow-list, and that check is the only thing that keeps other sites from reading the log.",
	Goal:   "Read site B's message over a websocket while site B sends no CORS headers.",
	Hint:   "Press the button: What JavaScript got shows site B's message, though its policy is closed. Look for the Origin header in What site B saw.",
	Policy: doc(closed), Requests: []trial.Request{websocket},
	Check: func(a Attempt) bool {
		return noAllowOrigin(a.Policy) && anySettled(a.Trials, func(t *journal.Trial) bool {
			u := reqURL(t)
			return t.Request.Mode == trial.ModeWebSocket && ok(t) && path(t) == "/api/ws" &&
				(u.Scheme == "ws" || u.Scheme == "wss") && !strings.HasSuffix(t.Origin, "//"+u.Host) &&
				strings.Contains(t.Outcome.Body, "hello from site B")
		})
	},
}}

// noAllowOrigin reports whether policy d sends no Access-Control-Allow-Origin.
func noAllowOrigin(d policy.Document) bool {
	return d.Where("Access-Control-Allow-Origin") == policy.Nowhere
}

// maxAgeCaps names each browser's cap on Access-Control-Max-Age, from the
// browser model's data: "Chromium at most 7200, Firefox at most 86400, …".
func maxAgeCaps() string {
	var caps []string
	for _, b := range fetch.Browsers() {
		caps = append(caps, fmt.Sprintf("%s at most %d", b.Title, int(b.MaxAgeCap.Seconds())))
	}
	return strings.Join(caps, ", ")
}
