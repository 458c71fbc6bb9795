package lesson

import (
	"strings"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
)

// Requests of other kinds than fetch() (fetch.Kind), on what site B serves for them.
var (
	imgPlain   = trial.Request{Label: "<img> drawn on a canvas", Kind: "img", Method: "GET", URL: "/kinds/image.png"}
	imgAnon    = trial.Request{Label: `<img crossorigin="anonymous"> drawn on a canvas`, Kind: "img-anonymous", Method: "GET", URL: "/kinds/image.png"}
	fontFace   = trial.Request{Label: "a web font from site B (FontFace)", Kind: "font", Method: "GET", URL: "/kinds/font.ttf"}
	moduleJS   = trial.Request{Label: `<script type="module">`, Kind: "script-module", Method: "GET", URL: "/kinds/module.js"}
	classicJS  = trial.Request{Label: "classic <script>", Kind: "script-classic", Method: "GET", URL: "/kinds/classic.js"}
	formPost   = trial.Request{Label: `<form method="post"> to site B`, Kind: "form", Method: "POST", URL: "/api/items", Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: "name=posted+by+a+form"}
	beaconPost = trial.Request{Label: "navigator.sendBeacon", Kind: "beacon", Method: "POST", URL: "/api/items", Headers: [][2]string{{"Content-Type", "text/plain;charset=UTF-8"}}, Body: "sent by sendBeacon"}
)

func kindIs(k string) func(*journal.Trial) bool {
	return func(t *journal.Trial) bool { return settled(t) && t.Request.Kind == k }
}

func reads(r string) func(*journal.Trial) bool {
	return func(t *journal.Trial) bool { return t.Reads == r && t.Mismatch == "" }
}

func notOK(t *journal.Trial) bool { return settled(t) && !t.Outcome.OK }

// kindLessons teach the requests a page makes otherwise than with fetch().
var kindLessons = []Lesson{{
	ID:    "canvas-taint",
	Title: "Images: shown, yet a tainted canvas",
	Concept: "An <img> from another origin needs no CORS to show: without a crossorigin attribute it is a no-cors request, and the image " +
		"displays. But drawn on a canvas it taints it: getImageData and toDataURL then throw SecurityError, or the page could read pixels " +
		"it was never allowed to. With crossorigin=\"anonymous\" the image is fetched in cors mode: if site B allows it, the canvas stays " +
		"clean — and if it does not, the image fails to load at all.",
	Goal:   "See the canvas tainted by the plain <img>, then make the crossorigin image load and its pixels readable.",
	Hint:   "The crossorigin <img> needs Access-Control-Allow-Origin on the image's response (site A's origin, {origin} or *).",
	Policy: doc(closed), Requests: []trial.Request{imgPlain, imgAnon},
	Check: func(a Attempt) bool {
		return after(a.Trials, and(kindIs("img"), reads(fetch.ReadsTainted)),
			and(kindIs("img-anonymous"), ok, reads(fetch.ReadsResponse), func(t *journal.Trial) bool { return t.Outcome.Read == "pixels" }))
	},
}, {
	ID:    "web-fonts",
	Title: "Web fonts need CORS",
	Concept: "A font from another origin is always fetched in cors mode (CSS Fonts §4.8.2), with no attribute to change it: without " +
		"Access-Control-Allow-Origin it does not load, and the text silently falls back to another font. The classic bug: fonts moved to a " +
		"CDN or another subdomain, which sends no CORS header. (Safari's engine, WebKit, is the exception today: it fetches a FontFace " +
		"without CORS, with cookies, and the font loads anyway — so the bug hides in Safari and shows in Chromium and Firefox.)",
	Goal:   "See the font fail, then make it load.",
	Hint:   "Give the actual response Access-Control-Allow-Origin (a font is fetched without credentials, so * is fine).",
	Policy: doc(closed), Requests: []trial.Request{fontFace},
	Check: func(a Attempt) bool {
		return after(a.Trials, and(kindIs("font"), notOK), and(kindIs("font"), ok, reads(fetch.ReadsResponse)))
	},
}, {
	ID:    "module-scripts",
	Title: "Module scripts need CORS; classic scripts mute their errors",
	Concept: "A classic <script src> from another origin runs without CORS (no-cors) — that is how CDNs work — but its errors are muted: " +
		"window.onerror gets only \"Script error.\", no message, line or stack. A <script type=\"module\"> is always fetched in cors mode: " +
		"without Access-Control-Allow-Origin it does not run at all (the same reason modules fail from file://).",
	Goal:   "See the classic script run with a muted error and the module fail; then make the module run.",
	Hint:   "Add Access-Control-Allow-Origin to site B's actual responses, and press the module's button again.",
	Policy: doc(closed), Requests: []trial.Request{moduleJS, classicJS},
	Check: func(a Attempt) bool {
		return anySettled(a.Trials, and(kindIs("script-classic"), reads(fetch.ReadsMuted))) &&
			after(a.Trials, and(kindIs("script-module"), notOK), and(kindIs("script-module"), ok, reads(fetch.ReadsResponse)))
	},
}, {
	ID:    "form-csrf",
	Title: "A form POST needs no CORS at all — hence CSRF",
	Concept: "An HTML <form> submission is a navigation, not a fetch(): no preflight, no Access-Control-* check, site B's cookies " +
		"included. Any site can make your browser post to site B; it only cannot read the answer. That is cross-site request forgery, and " +
		"CORS is no defence: site B must refuse it itself — SameSite=Lax or Strict cookies (not sent on a cross-site POST; note that " +
		SiteA + " and " + SiteB + " are same-site, so SameSite does not help between them) and a CSRF token the other site cannot read.",
	Goal:   "Create an item on site B with a plain form while site B sends no CORS header at all.",
	Hint:   "Press the button; What site B saw says it created the item. The hidden iframe holds the answer, which the page cannot read.",
	Policy: doc(closed), Requests: []trial.Request{formPost},
	Check: func(a Attempt) bool {
		return noAllowOrigin(a.Policy) && anySettled(a.Trials, and(kindIs("form"), func(t *journal.Trial) bool {
			x := actual(t)
			return x != nil && x.Effect != nil && x.Effect.Kind == trial.Created && t.Happened.Navigation
		}))
	},
}, {
	ID:    "beacon-credentials",
	Title: "sendBeacon sends your cookies, and reads nothing",
	Concept: "navigator.sendBeacon(url, data) posts with credentials mode include — site B's cookies go along — and, for a string, " +
		"text/plain or form body, in no-cors mode: no preflight, no CORS check, and no response for the page, ever. Like a simple POST, " +
		"it changes site B whatever its CORS policy; unlike fetch(), it cannot even try to read the answer.",
	Goal:     "Log in, then send a beacon that carries your session cookie to site B.",
	Hint:     "Press log in first (its policy allows credentials), then the beacon: What site B saw shows the Cookie header.",
	Policy:   doc(`{"actual": {"headers": {"Access-Control-Allow-Origin": "{origin}", "Access-Control-Allow-Credentials": "true"}}}`),
	Requests: []trial.Request{login, beaconPost},
	Check: func(a Attempt) bool {
		loggedIn := func(t *journal.Trial) bool { return path(t) == "/api/login" && ok(t) }
		return after(a.Trials, loggedIn, and(kindIs("beacon"), ok, reads(fetch.ReadsNothing), func(t *journal.Trial) bool {
			x := actual(t)
			return x != nil && strings.Contains(x.RequestHeader.Get("Cookie"), sessionCookie+"=")
		}))
	},
}}

// sessionCookie is site B's session cookie (siteB.SessionCookie, which
// content may not import).
const sessionCookie = "corslab_session"

func init() { lessons = append(lessons, kindLessons...) }
