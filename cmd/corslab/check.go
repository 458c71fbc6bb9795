package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/tool/check"
)

// checkTransport sends the probe's requests; tests swap it for an
// httptest TLS server's client transport. nil means the system's.
var checkTransport http.RoundTripper

// Exit status of `corslab check` besides exitOK and exitUsage (which also
// covers a network error).
const exitBlocked = 1

// repeated is a flag that may be given several times.
type repeated []string

func (r *repeated) String() string     { return strings.Join(*r, ", ") }
func (r *repeated) Set(v string) error { *r = append(*r, v); return nil }

type checkFlags struct {
	url              string
	origins, methods repeated
	headers          repeated
	credentials      string
	body, cookie     string
	timeout          time.Duration
	json             bool
	browser          string
}

const checkUsage = `usage: corslab check URL -origin ORIGIN [-origin ORIGIN2 …] [-method M …]
                     [-H 'Name: value' …] [-credentials omit|same-origin|include]
                     [-body STRING] [-cookie 'name=value'] [-timeout 10s] [-json]
                     [-browser chromium|firefox|webkit]

Probes a real server as a browser would for fetch(URL) from a page on ORIGIN:
the OPTIONS preflight if the browser would send one (Origin,
Access-Control-Request-Method, Access-Control-Request-Headers, no cookies),
then the actual request if the preflight passes. Prints each request and
answer, CORS headers marked ▸, and the browser's verdict (Chromium's, or
-browser's, in its own words). Redirects are
followed as the browser follows them (each hop CORS-checked, Origin: null
after a cross-origin hop, a new preflight where needed), every hop shown.
Several origins or methods print a table; -json output pipes into explain.

Exit status: 0 allowed, 1 blocked by the browser, 2 usage or network error.

flags:
`

// checkFlagSet declares check's flags into f.
func checkFlagSet(f *checkFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("corslab check", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // runCheck prints errors as one line, and the usage for -h
	fs.Usage = func() {}
	fs.Var(&f.origins, "origin", "the page's `origin`, e.g. http://localhost:3000 (repeat for a table)")
	fs.Var(&f.methods, "method", "the fetch() `method` (default GET; repeat for a table)")
	fs.Var(&f.headers, "H", "a request header `'Name: value'` the page passes to fetch() (repeatable)")
	fs.StringVar(&f.credentials, "credentials", "same-origin", "fetch()'s credentials `mode`: omit, same-origin or include")
	fs.StringVar(&f.body, "body", "", "request body `string` (sent with the actual request only)")
	fs.StringVar(&f.cookie, "cookie", "", "`name=value` sent as Cookie with the actual request when -credentials include")
	fs.DurationVar(&f.timeout, "timeout", check.DefaultTimeout, "`time` each request may take")
	fs.StringVar(&f.browser, "browser", "chromium", "whose verdict and words: `chromium`, firefox or webkit (Safari's engine)")
	fs.BoolVar(&f.json, "json", false, "print the exchange (the input of corslab explain) and the verdict as JSON")
	return fs
}

func printCheckUsage(w io.Writer) {
	fs := checkFlagSet(&checkFlags{})
	fs.SetOutput(w)
	fmt.Fprint(w, checkUsage)
	fs.PrintDefaults()
}

// parseCheckFlags reads flags before and after the URL.
func parseCheckFlags(args []string) (checkFlags, error) {
	var f checkFlags
	fs := checkFlagSet(&f)
	var urls []string
	for {
		if err := fs.Parse(args); err != nil {
			return f, err
		}
		if fs.NArg() == 0 {
			break
		}
		urls = append(urls, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(urls) == 0:
		return f, errors.New("missing the URL to check (corslab check URL -origin ORIGIN)")
	case len(urls) > 1:
		return f, fmt.Errorf("one URL at a time, got %q and %q", urls[0], urls[1])
	case len(f.origins) == 0:
		return f, errors.New("-origin is required: the origin of the page that calls fetch(), e.g. -origin http://localhost:3000")
	case f.timeout <= 0:
		return f, fmt.Errorf("-timeout %v: must be more than 0", f.timeout)
	}
	f.url = urls[0]
	switch f.credentials {
	case "omit", "same-origin", "include":
	default:
		return f, fmt.Errorf("-credentials %q: want omit, same-origin or include", f.credentials)
	}
	if len(f.methods) == 0 {
		f.methods = repeated{http.MethodGet}
	}
	for _, m := range f.methods {
		if f.body != "" && (strings.EqualFold(m, "GET") || strings.EqualFold(m, "HEAD")) {
			return f, fmt.Errorf("-body with -method %s: fetch() refuses a body on GET and HEAD", m)
		}
	}
	return f, nil
}

// parseHeader splits -H 'Name: value'.
func parseHeader(s string) ([2]string, error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return [2]string{}, fmt.Errorf("-H %q: want 'Name: value'", s)
	}
	return [2]string{name, strings.TrimSpace(value)}, nil
}

// runCheck is `corslab check`.
func runCheck(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	f, err := parseCheckFlags(args)
	if errors.Is(err, flag.ErrHelp) {
		printCheckUsage(stderr)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "corslab check: %v (corslab check -h for help)\n", err)
		return exitUsage
	}
	var headers [][2]string
	for _, h := range f.headers {
		kv, err := parseHeader(h)
		if err != nil {
			fmt.Fprintf(stderr, "corslab check: %v\n", err)
			return exitUsage
		}
		headers = append(headers, kv)
	}

	b, err := fetch.BrowserNamed(f.browser)
	if err != nil {
		fmt.Fprintf(stderr, "corslab check: -browser: %v\n", err)
		return exitUsage
	}
	var opts []check.Options
	for _, origin := range f.origins {
		for _, method := range f.methods {
			o := check.Options{
				Request: fetch.Request{Origin: origin, URL: f.url, Method: method, Headers: headers, Credentials: f.credentials, Mode: "cors"},
				Body:    f.body, Cookie: f.cookie, Timeout: f.timeout, Transport: checkTransport, Browser: b,
			}
			if err := validRequest(o.Request); err != nil {
				fmt.Fprintf(stderr, "corslab check: %v\n", err)
				return exitUsage
			}
			opts = append(opts, o)
		}
	}

	results := make([]*check.Result, 0, len(opts))
	for _, o := range opts {
		r, err := check.Run(ctx, o)
		if err != nil {
			fmt.Fprintf(stderr, "corslab check: %v\n", err)
			return exitUsage
		}
		results = append(results, r)
	}

	code := exitOK
	for _, r := range results {
		switch {
		case r.Err != nil:
			code = exitUsage
		case r.Blocked() && code == exitOK:
			code = exitBlocked
		}
	}
	switch {
	case f.json && len(results) == 1:
		writeJSON(stdout, results[0].JSON())
	case f.json:
		all := make([]check.JSON, len(results))
		for i, r := range results {
			all[i] = r.JSON()
		}
		writeJSON(stdout, all)
	case len(results) == 1:
		results[0].Text(stdout, isTerminal(stdout))
	default:
		writeTable(stdout, results)
	}
	for _, r := range results {
		if r.Err != nil {
			fmt.Fprintf(stderr, "corslab check: %v\n", r.Err)
		}
	}
	return code
}

// validRequest checks the origin and URL through the model's own decoder
// (ParseExchange), so that an exchange check prints is always one explain
// reads; its field names become the flags'.
func validRequest(r fetch.Request) error {
	if u, err := url.Parse(r.Origin); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" &&
		u.Path != "" && u.Path != "/" && u.User == nil {
		return fmt.Errorf("-origin: %q has a path (%s): an origin is scheme://host[:port], the page's URL without its path; use -origin %s://%s", r.Origin, u.Path, u.Scheme, u.Host)
	}
	_, err := fetch.ParseExchange(check.MarshalExchange(fetch.Exchange{Request: r}))
	if err != nil {
		msg := err.Error()
		msg = strings.Replace(msg, "request.origin:", "-origin:", 1)
		msg = strings.Replace(msg, "request.url:", "URL:", 1)
		return errors.New(msg)
	}
	return nil
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(v) // strings, bools, numbers: cannot fail
}

// writeTable prints one row per origin × method.
func writeTable(w io.Writer, results []*check.Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ORIGIN\tMETHOD\tPREFLIGHT\tALLOWED\tERROR")
	for _, r := range results {
		row := r.Row()
		errText := row.Error
		if errText == "" {
			errText = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Origin, row.Method, row.Preflight, row.Allowed, errText)
	}
	tw.Flush()
}
