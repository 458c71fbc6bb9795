package fetch

// Kinds of request: fetch() is one way a page reaches another origin; the
// platform has many more, and each fixes the request's mode, credentials
// mode and destination itself (Fetch §2.2.5 "Requests": mode, credentials
// mode, destination; HTML §2.5.4 "CORS settings attributes"). What the page
// can then read differs too: a no-cors image shows but taints a canvas
// (HTML §4.12.5.1.4 "origin-clean"), a no-cors classic script runs but its
// errors are muted (HTML §8.1.4.1 "muted errors"), a navigation is not
// governed by CORS at all.

// Reads says what the page can read of what a request fetched.
const (
	ReadsResponse = "response"       // JavaScript reads status, the exposed headers and the body
	ReadsOpaque   = "opaque"         // the resource is used (shown, run) but JavaScript reads nothing of it
	ReadsTainted  = "tainted-canvas" // the image shows; drawn to a canvas it taints it: reading pixels throws SecurityError
	ReadsMuted    = "muted-errors"   // the script runs; its errors reach window.onerror as "Script error."
	ReadsNothing  = "nothing"        // nothing at all comes back to the page
	ReadsFailed   = "failed"         // the request failed: the element's error event, the API's error
)

// Kind is one way of making a request, as the platform fixes it.
type Kind struct {
	// Name is the lab's name for it ("img", "script-classic", …).
	Name string `json:"name"`
	// Mode is the request's mode: cors, no-cors or navigate.
	Mode string `json:"mode"`
	// Credentials is the request's credentials mode: omit, same-origin or include.
	Credentials string `json:"credentials"`
	// Destination is the request's destination ("" is fetch()'s and XHR's;
	// Sec-Fetch-Dest says "empty").
	Destination string `json:"destination"`
	// Spec cites where the platform fixes them.
	Spec string `json:"spec"`
	// loaded says what the page sees when it loads ("the image loaded and shows").
	loaded string
	// blocked says how the page sees a failure ("the image's error event fired").
	blocked string
	// hidden is set for the no-cors kinds that load but hide: what the
	// page cannot do, and the fix.
	hidden string
	// reads is what the page reads when it loads.
	reads string
}

// Kinds lists every kind, fetch() first.
var kinds = []Kind{
	{Name: "fetch", Mode: "cors", Credentials: "same-origin", Spec: "Fetch §5.1 fetch()", loaded: "fetch() resolved", blocked: "fetch() rejected", reads: ReadsResponse},
	{Name: "xhr", Mode: "cors", Credentials: "same-origin", Spec: "XMLHttpRequest §3.5.6 send(): mode cors, credentials same-origin unless withCredentials",
		loaded: "the XMLHttpRequest's load event fired", blocked: "the XMLHttpRequest's error event fired (status 0)", reads: ReadsResponse},
	{Name: "xhr-credentials", Mode: "cors", Credentials: "include", Spec: "XMLHttpRequest §3.5.6 send(): withCredentials = true makes credentials include",
		loaded: "the XMLHttpRequest's load event fired", blocked: "the XMLHttpRequest's error event fired (status 0)", reads: ReadsResponse},
	{Name: "img", Mode: "no-cors", Credentials: "include", Destination: "image", Spec: "HTML §4.8.4.3.5 update the image data; §2.5.4 no crossorigin attribute: no-cors, include",
		loaded: "the image loaded and shows", blocked: "the image's error event fired",
		hidden: "but the canvas is now tainted: reading it (getImageData, toDataURL) throws SecurityError — add crossorigin=\"anonymous\" to the <img> and Access-Control-Allow-Origin to the image's response", reads: ReadsTainted},
	{Name: "img-anonymous", Mode: "cors", Credentials: "same-origin", Destination: "image", Spec: "HTML §2.5.4 crossorigin=\"anonymous\": cors, same-origin",
		loaded: "the image loaded and shows, and the canvas stays clean: getImageData reads its pixels", blocked: "the image failed to load at all (its error event fired): with crossorigin the image needs Access-Control-Allow-Origin even to show", reads: ReadsResponse},
	{Name: "img-use-credentials", Mode: "cors", Credentials: "include", Destination: "image", Spec: "HTML §2.5.4 crossorigin=\"use-credentials\": cors, include",
		loaded: "the image loaded and shows, and the canvas stays clean: getImageData reads its pixels", blocked: "the image failed to load at all (its error event fired): with crossorigin the image needs Access-Control-Allow-Origin even to show", reads: ReadsResponse},
	{Name: "font", Mode: "cors", Credentials: "same-origin", Destination: "font", Spec: "CSS Fonts 4 §4.8.2 font fetching requirements: always cors, same-origin",
		loaded: "the font loaded and renders", blocked: "the font failed to load (FontFace.load() rejected with NetworkError; the text falls back): a web font from another origin always needs Access-Control-Allow-Origin", reads: ReadsResponse},
	{Name: "script-module", Mode: "cors", Credentials: "same-origin", Destination: "script", Spec: "HTML §8.1.4.2 fetch a single module script: cors, same-origin unless crossorigin says otherwise",
		loaded: "the module script loaded and ran; its errors reach window.onerror in full", blocked: "the module script failed to load (its error event fired) and did not run: a module script from another origin always needs Access-Control-Allow-Origin", reads: ReadsResponse},
	{Name: "script-classic", Mode: "no-cors", Credentials: "include", Destination: "script", Spec: "HTML §8.1.4.2 fetch a classic script: no crossorigin attribute, no-cors; §8.1.4.1 muted errors",
		loaded: "the classic script loaded and ran", blocked: "the script's error event fired",
		hidden: "but its errors are muted: window.onerror gets only \"Script error.\" with no message, line or stack — add crossorigin=\"anonymous\" to the <script> and Access-Control-Allow-Origin to its response", reads: ReadsMuted},
	{Name: "script-classic-anonymous", Mode: "cors", Credentials: "same-origin", Destination: "script", Spec: "HTML §2.5.4 crossorigin=\"anonymous\" on a classic script: cors, same-origin",
		loaded: "the classic script loaded and ran, and its errors reach window.onerror in full", blocked: "the script failed to load (its error event fired) and did not run: with crossorigin it needs Access-Control-Allow-Origin", reads: ReadsResponse},
	{Name: "eventsource", Mode: "cors", Credentials: "same-origin", Spec: "HTML §9.2.2 the EventSource constructor: cors, same-origin unless withCredentials",
		loaded: "the EventSource opened and JavaScript read its message", blocked: "the EventSource's error event fired and it closed: a stream from another origin needs Access-Control-Allow-Origin", reads: ReadsResponse},
	{Name: "eventsource-credentials", Mode: "cors", Credentials: "include", Spec: "HTML §9.2.2 the EventSource constructor: withCredentials makes credentials include",
		loaded: "the EventSource opened and JavaScript read its message", blocked: "the EventSource's error event fired and it closed", reads: ReadsResponse},
	{Name: "beacon", Mode: "no-cors", Credentials: "include", Spec: "Beacon §3.2 sendBeacon(): a CORS-safelisted body goes no-cors, credentials include, keepalive",
		loaded: "sendBeacon() queued it and site B's cookies went along", blocked: "sendBeacon() returned false", reads: ReadsNothing},
	{Name: "form", Mode: "navigate", Credentials: "include", Destination: "iframe", Spec: "HTML §4.10.21.3 form submission: a navigation, not governed by CORS",
		loaded: "the form POST was sent with site B's cookies and its answer loaded into the hidden iframe", blocked: "the form submission failed", reads: ReadsNothing},
	{Name: "iframe", Mode: "navigate", Credentials: "include", Destination: "iframe", Spec: "HTML §7.2.4 navigation; §7.2.3.1 cross-origin objects: reading a cross-origin document throws SecurityError",
		loaded: "site B's page loaded in the iframe, but reading its document throws SecurityError", blocked: "the iframe failed to load", reads: ReadsNothing},
}

// LookupKind returns the kind named name ("" is fetch()).
func LookupKind(name string) (Kind, bool) {
	if name == "" {
		name = "fetch"
	}
	for _, k := range kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// KindNames lists the kinds' names.
func KindNames() []string {
	out := make([]string, len(kinds))
	for i, k := range kinds {
		out[i] = k.Name
	}
	return out
}

// Navigation reports whether the kind is a navigation, which CORS does not govern.
func (k Kind) Navigation() bool { return k.Mode == modeNavigate }

// Reads says what the page can read after the browser judged its request
// so: one of the Reads… values.
func (k Kind) Reads(v Verdict) string {
	if !v.Allowed {
		return ReadsFailed
	}
	return k.reads
}

// Says says in words what the page got: what loaded and what it can read.
func (k Kind) Says(v Verdict) string {
	if !v.Allowed {
		return k.blocked
	}
	if k.hidden != "" {
		return k.loaded + ", " + k.hidden
	}
	return k.loaded
}

// In returns the kind as browser (a Browser's Name) treats it. Firefox ESR
// 153 does not mute the errors of a no-cors classic script: its
// window.onerror gets the thrown error in full ("Error: …"), where Chromium
// gives "Script error." as HTML §8.1.4.1 says (observed from the lab's page
// in both, internal/lab/kinds_firefox_test.go; site B's script throws at run
// time). Muting is a known interoperability gap (whatwg/html#3149, #2440,
// where Gecko's engineers argue for muting only syntax and early errors).
//
// WebKitGTK 2.50 fetches a web font (FontFace) no-cors with credentials
// include, not cors and same-origin as CSS Fonts 4 §4.8.2 says: the font
// loads without Access-Control-Allow-Origin and site B gets its cookie
// (observed, internal/lab/kinds_webkit_test.go: no Origin header, the
// session cookie, FontFace.load() resolved under the closed policy).
func (k Kind) In(browser string) Kind {
	if browser == "firefox" && k.Name == "script-classic" {
		k.reads = ReadsOpaque
		k.hidden = "and Firefox did not mute its errors: window.onerror got the message in full (Chromium, and the standard, give only \"Script error.\")"
	}
	if browser == "webkit" && k.Name == "font" {
		k.Mode, k.Credentials = modeNoCORS, "include"
		k.Spec = "WebKit (WebKitGTK 2.50) fetches a web font no-cors with credentials include, against CSS Fonts 4 §4.8.2 (always cors, same-origin)"
		k.loaded = "the font loaded and renders"
		k.blocked = "the font failed to load (FontFace.load() rejected with NetworkError; the text falls back)"
		k.hidden = "though WebKit, unlike Chromium, Firefox and the standard, asked for no Access-Control-Allow-Origin and sent site B's cookies"
	}
	return k
}
