package har

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/tool/check"
)

// Blocked counts the exchanges the browser does not let JavaScript read.
func (rep *Report) Blocked() int {
	n := 0
	for _, x := range rep.Exchanges {
		if !x.Verdict.Allowed {
			n++
		}
	}
	return n
}

// Text writes the report for a person (`corslab har`): for each
// cross-origin request, the request as the page made it, what the server
// answered to the preflight and to the request (CORS headers marked ▸),
// what DevTools recorded, the verdict with the browser's message and the
// fix; then a summary table.
func (rep *Report) Text(w io.Writer) {
	fmt.Fprintf(w, "%s: %d entries, %d cross-origin %s, %d blocked.\n", creatorLine(rep.Log), rep.Log.Entries, len(rep.Exchanges), plural(len(rep.Exchanges), "request"), rep.Blocked())
	for i, x := range rep.Exchanges {
		fmt.Fprintf(w, "\n━━ #%d  %s %s\n", i+1, x.Method(), x.Exchange.Request.URL)
		x.text(w)
	}
	fmt.Fprintln(w)
	rep.Table(w)
}

func plural(n int, s string) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

func creatorLine(lg Log) string {
	s := lg.Creator
	if s == "" {
		s = "unknown creator"
	}
	if lg.CreatorVersion != "" {
		s += " " + lg.CreatorVersion
	}
	return "HAR written by " + s
}

func (x *Exchange) text(w io.Writer) {
	r := x.Exchange.Request
	fmt.Fprintf(w, "Page origin %s, mode %s, credentials %s.\n", r.Origin, r.Mode, r.Credentials)
	if len(r.Headers) > 0 {
		fmt.Fprintln(w, "Headers the page set:")
		for _, h := range r.Headers {
			fmt.Fprintf(w, "    %s: %s\n", h[0], h[1])
		}
	}
	if x.Preflight != nil {
		fmt.Fprintf(w, "\n> OPTIONS %s   (preflight, entry %d)\n", x.Preflight.Request.URL, x.Preflight.Index)
		for _, h := range x.Preflight.Request.Headers {
			if l := strings.ToLower(h[0]); l == "origin" || strings.HasPrefix(l, "access-control-") {
				fmt.Fprintf(w, "> %s %s: %s\n", check.Marker, h[0], h[1])
			}
		}
		writeAnswer(w, x.Exchange.Preflight)
	} else if x.Exchange.Preflight != nil {
		fmt.Fprintln(w, "\n(preflight: not in the file; taken to have passed, see the notes)")
	}
	if x.Entry != nil {
		fmt.Fprintf(w, "\n> %s %s   (entry %d)\n", x.Entry.Request.Method, x.Entry.Request.URL, x.Entry.Index)
		writeAnswer(w, x.Exchange.Actual)
		if x.Exchange.Actual != nil && len(x.Entry.Response.Body) > 0 {
			cut := ""
			if x.Entry.Response.BodyTruncated {
				cut = ", cut short in the file"
			}
			fmt.Fprintf(w, "< (body: %d bytes%s)\n", len(x.Entry.Response.Body), cut)
		}
	}
	for _, h := range x.Hops {
		if h.Preflight != nil {
			fmt.Fprintf(w, "\n> OPTIONS %s   (preflight after the redirect, entry %d)\n", h.Preflight.Request.URL, h.Preflight.Index)
			writeAnswer(w, h.Exchange.Preflight)
		}
		origin, _ := Header(h.Entry.Request.Headers, "Origin")
		fmt.Fprintf(w, "\n> %s %s   (redirected, entry %d; Origin: %s)\n", h.Entry.Request.Method, h.Entry.Request.URL, h.Entry.Index, origin)
		writeAnswer(w, h.Exchange.Actual)
	}
	if x.Recorded != "" {
		fmt.Fprintf(w, "\nThe browser recorded: %s\n", x.Recorded)
	}
	fmt.Fprintln(w)
	io.WriteString(w, x.Verdict.Text())
	if len(x.Notes) > 0 {
		fmt.Fprintln(w, "\nRead from the HAR:")
		for _, n := range x.Notes {
			fmt.Fprintf(w, "  - %s\n", n)
		}
	}
}

// writeAnswer writes a response's status and headers, CORS headers marked.
func writeAnswer(w io.Writer, r *fetch.Response) {
	if r == nil {
		fmt.Fprintln(w, "< (no response in the file: none came, or the browser did not record it)")
		return
	}
	fmt.Fprintf(w, "< %d %s\n", r.Status, http.StatusText(r.Status))
	keys := make([]string, 0, len(r.Header))
	for k := range r.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range r.Header[k] {
			mark := " "
			if check.Relevant(k) {
				mark = check.Marker
			}
			fmt.Fprintf(w, "< %s %s: %s\n", mark, k, v)
		}
	}
}

// Table writes one row per cross-origin request: URL, method, origin,
// allowed or blocked, and why.
func (rep *Report) Table(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tMETHOD\tURL\tORIGIN\tRESULT\tREASON")
	for i, x := range rep.Exchanges {
		result, reason := "allowed", "-"
		if !x.Verdict.Allowed {
			result, reason = "blocked", x.Verdict.Error
			if x.Verdict.FailedParameter != "" {
				reason += " (" + x.Verdict.FailedParameter + ")"
			}
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, x.Method(), x.Exchange.Request.URL, x.Exchange.Request.Origin, result, reason)
	}
	tw.Flush()
}

// JSONExchange is one exchange of `corslab har -json`: the exchange in the
// input format of `corslab explain` and its verdict as explain prints it
// (verdict-format.md), with where it came from in the file.
type JSONExchange struct {
	Entry          *int            `json:"entry"`          // index in log.entries of the request; null when only its preflight is in the file
	PreflightEntry *int            `json:"preflightEntry"` // index of its preflight; null when none
	Exchange       json.RawMessage `json:"exchange"`
	Verdict        fetch.Verdict   `json:"verdict"`
	Recorded       string          `json:"recorded,omitempty"`
	Notes          []string        `json:"notes,omitempty"`
}

// JSONReport is the whole of `corslab har -json`.
type JSONReport struct {
	Creator   string         `json:"creator"`
	Browser   string         `json:"browser"`  // the browser that wrote the file
	JudgedAs  string         `json:"judgedAs"` // the browser whose verdicts and words these are
	Entries   int            `json:"entries"`
	Exchanges []JSONExchange `json:"exchanges"`
}

// JSON returns the report's -json form.
func (rep *Report) JSON() JSONReport {
	j := JSONReport{Creator: rep.Log.Creator, Browser: rep.Browser, JudgedAs: rep.JudgedAs, Entries: rep.Log.Entries, Exchanges: []JSONExchange{}}
	for _, x := range rep.Exchanges {
		je := JSONExchange{Exchange: check.MarshalExchange(x.Exchange), Verdict: x.Verdict, Recorded: x.Recorded, Notes: x.Notes}
		if x.Entry != nil {
			je.Entry = &x.Entry.Index
		}
		if x.Preflight != nil {
			je.PreflightEntry = &x.Preflight.Index
		}
		j.Exchanges = append(j.Exchanges, je)
	}
	return j
}
