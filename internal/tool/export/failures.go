package export

import (
	"github.com/corslab/corslab/internal/model/policy"
)

// failures warns, in the stack's words, about each server failure path the
// policy's actual.failures names (policy.FailureNames): the answers on that
// path lose their CORS headers, which the stack's own configuration does not
// show. Where the rendered output already keeps the headers on the path
// (nginx's add_header … always, Apache's Header always), the warning says so.
// A browser treats an answer without Access-Control-Allow-Origin as a
// network error (Fetch §4.9 CORS check), and refuses any redirect in answer
// to a preflight (Fetch §4.8 CORS-preflight fetch: status must be ok).
func failures(p analysis, format string, out *output) {
	for _, f := range p.doc.Actual.Failures {
		switch f {
		case policy.FailErrorWithoutCORS:
			out.warn("the policy's error answers (4xx, 5xx) carry no CORS headers (actual.failures %s): the page sees a network error, not the status. %s", f, pick(errorFix, format))
		case policy.FailAuthBeforeCORS:
			out.warn("the policy puts an auth layer before the CORS layer (actual.failures %s): its 401 carries no CORS headers, so the page cannot read it, and a preflight (never sent with cookies or Authorization) is refused. Run auth after the CORS layer and let OPTIONS preflights through unauthenticated: %s", f, pick(authOrder, format))
		case policy.FailAuthAfterCORS:
			out.warn("the policy puts its auth layer after the CORS layer (actual.failures %s), so the 401 carries the CORS headers and the page can read it: keep that order, with OPTIONS preflights let through unauthenticated: %s", f, pick(authOrder, format))
		case policy.FailRedirectTrailingSlash:
			out.warn("the policy redirects an /api/ path without a trailing slash (301, actual.failures %s) before the CORS layer: the redirect carries no CORS headers, so the browser refuses it, and a preflight may never be redirected. Call the exact URL the server serves, or: %s", f, pick(slashFix, format))
		case policy.FailRedirectHTTPS:
			out.warn("the policy redirects every actual request from http: to https: (301, actual.failures %s) in front of the CORS layer, with no CORS headers: the browser refuses it. Call the https: URL from the page, or have the redirecting layer (load balancer, proxy) add the CORS headers: %s", f, pick(httpsFix, format))
		}
	}
}

// pick is the format's advice, or the advice for any CORS library.
func pick(m map[string]string, format string) string {
	if s, ok := m[format]; ok {
		return s
	}
	return m[""]
}

var errorFix = map[string]string{
	"":        "Keep the CORS layer outermost, registered before your routes and error handlers, so every answer passes through it; an error handler that clears or replaces the headers loses them.",
	"nginx":   "This output keeps them there: add_header … always (without always nginx adds headers only to 2xx and 3xx answers).",
	"apache":  "This output keeps them there: Header always set (plain Header set skips error answers).",
	"caddy":   "The header directive here covers errors your app returns; answers written by handle_errors need the same header lines.",
	"headers": "Send the lines for other responses on every status, errors included.",
	"s3":      "S3 writes its own error answers (403, 404): check them against the real bucket.",
	"express": "App.use(cors(...)) before your routes and error handlers; an error handler that calls res.set or res.removeHeader on them loses them.",
	"spring":  "A @ControllerAdvice or error page answered outside the CORS filter loses them: register the CorsConfigurationSource with the filter chain (http.cors()).",
	"aspnet":  "App.UseCors() before UseExceptionHandler's re-executed path and your endpoints; an exception page that clears headers loses them.",
	"fastapi": "Add CORSMiddleware last (outermost); an unhandled exception (500) is answered by Starlette's ServerErrorMiddleware outside it, with no CORS headers: catch it in an exception handler.",
	"django":  "Put CorsMiddleware as high as possible in MIDDLEWARE, above anything that can answer an error.",
}

var authOrder = map[string]string{
	"":            "register the CORS layer first, the auth layer after it.",
	"rs-cors":     "wrap the auth handler, not the other way round: c.Handler(auth(mux)); rs/cors answers preflights itself before auth runs.",
	"jub0bs-cors": "wrap the auth handler, not the other way round: cors.Wrap(auth(mux)); it answers preflights itself before auth runs.",
	"chi-cors":    "r.Use(cors.Handler(...)) before r.Use(auth).",
	"gin":         "r.Use(cors.New(...)) before the auth middleware.",
	"express":     "app.use(cors(...)) before app.use(auth).",
	"fastify":     "register @fastify/cors before the auth hook; an onRequest auth hook must skip OPTIONS preflights.",
	"koa":         "app.use(cors(...)) before the auth middleware.",
	"spring":      "with Spring Security, http.cors() puts the CorsFilter before authentication and lets preflights through.",
	"aspnet":      "app.UseCors() before app.UseAuthentication() and app.UseAuthorization().",
	"fastapi":     "add CORSMiddleware after the auth middleware (the last added runs first).",
	"flask-cors":  "an auth before_request must return early for OPTIONS preflights; Flask-CORS adds its headers in after_request, also to the 401.",
	"django":      "CorsMiddleware above the authentication middleware in MIDDLEWARE.",
	"nginx":       "this output answers preflights with return in the rewrite phase, before auth_basic and auth_request (access phase), and add_header … always keeps the headers on their 401.",
	"apache":      "keep these in the <VirtualHost>, where the preflight's RewriteRule answers before authentication, not in .htaccess or <Directory>; Header always keeps the headers on the 401.",
	"caddy":       "Caddy runs basic_auth and forward_auth before handle: exclude preflights from them (not @cors_preflight); the header directive runs first, so their 401 keeps the headers.",
	"s3":          "S3 answers preflights itself, unsigned; a request it refuses (403) may carry no CORS headers: check against the real bucket.",
	"headers":     "answer a preflight before any authentication, and put the lines for other responses on 401 and 403 answers too.",
}

var slashFix = map[string]string{
	"":            "turn the redirect off, or put the CORS layer before the layer that redirects.",
	"rs-cors":     "net/http's ServeMux redirects /api/x to /api/x/ when only the subtree is registered: wrap the whole mux (c.Handler(mux)) so the redirect carries the headers, or register the exact path.",
	"jub0bs-cors": "net/http's ServeMux redirects /api/x to /api/x/ when only the subtree is registered: wrap the whole mux so the redirect carries the headers, or register the exact path.",
	"chi-cors":    "put cors.Handler before middleware.RedirectSlashes, or use middleware.StripSlashes.",
	"gin":         "r.RedirectTrailingSlash = false, or register the exact path.",
	"fastify":     "set ignoreTrailingSlash: true so both paths answer without a redirect.",
	"spring":      "Spring 6 no longer matches a trailing slash: a redirecting filter must come after the CorsFilter.",
	"aspnet":      "app.UseCors() before a rewrite or redirect middleware.",
	"fastapi":     "app.router.redirect_slashes = False, or declare the path as the page calls it.",
	"flask-cors":  "declare the route as the page calls it (Werkzeug redirects /x to /x/ when the rule ends in /).",
	"django":      "APPEND_SLASH = False, or CorsMiddleware above CommonMiddleware so its redirect carries the headers (a preflight still may not follow it).",
	"nginx":       "nginx's own 301 to a directory's slashed path gets add_header … always from this location, but a preflight may not follow it: call the slashed URL.",
	"apache":      "mod_dir's DirectorySlash redirect gets Header always, but a preflight may not follow it: call the slashed URL, or DirectorySlash Off.",
	"caddy":       "Caddy's file_server and php_fastcgi redirect to the slashed path: call it directly.",
	"s3":          "S3 does not redirect a missing slash, but a website endpoint or CloudFront in front may: call the exact key.",
	"headers":     "put the lines for other responses on the 301 too, or call the exact URL.",
}

var httpsFix = map[string]string{
	"":        "the CORS layer never sees an http: request the load balancer redirects.",
	"nginx":   "in the port-80 server block, the return 301 needs these add_header … always lines too, and a preflight may not follow it.",
	"apache":  "in the port-80 <VirtualHost>, the Redirect needs these Header always lines too, and a preflight may not follow it.",
	"caddy":   "Caddy's automatic http→https redirect carries no CORS headers and a preflight may not follow it.",
	"s3":      "an S3 website endpoint speaks http: only; CloudFront's redirect-to-https carries no CORS headers.",
	"headers": "put the lines for other responses on the 301 too; a preflight may not follow it.",
}
