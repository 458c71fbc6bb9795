package journal

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/textclean"
)

// The journal is bounded in bytes, not only in counts: whatever arrives —
// 200 KB query strings by the thousand, a foreign page parking large
// exchanges under trials, a huge announce message — what it keeps stays
// within these, and a clipped string says so.
const (
	// HistoryBytes bounds what the live log's history holds (Hub), its
	// events' cached JSON included: older events are forgotten first.
	HistoryBytes = 64 << 20
	// maxTrialStoreBytes bounds the trials kept for correlation, all
	// together; maxTrialBytes bounds one trial (its oldest exchanges go).
	maxTrialStoreBytes = 32 << 20
	maxTrialBytes      = 256 << 10

	// What one announced request or one outcome keeps of the page's message.
	maxLabel       = 200     // bytes of a preset's label
	maxText        = 2 << 10 // bytes of a URL, a body, an error
	maxHeaderValue = 1 << 10 // bytes of one header value (and name)
	maxHeaderLines = 64      // header lines
)

// ClipMark ends a string the journal cut short.
const ClipMark = "…(truncated)"

// Clip returns s cut to at most max bytes (on a UTF-8 boundary) with
// ClipMark appended when it was longer.
func Clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + ClipMark
}

// ClipNote returns s cut to max bytes, saying how long it was: for a path
// whose length itself tells the story (a 200 KB query string).
func ClipNote(s string, max int) string {
	if len(s) <= max {
		return s
	}
	return Clip(s, max) + fmt.Sprintf(" [%d bytes in all]", len(s))
}

// clipRequest bounds what the page announced, and strips the control
// characters of its text (textclean): a label or a header carrying an
// escape sequence must not reach a terminal (the TUI, the -no-tui log).
func clipRequest(r trial.Request) trial.Request {
	r.Label = textclean.Strip(Clip(r.Label, maxLabel))
	r.Method = textclean.Strip(Clip(r.Method, maxLabel))
	r.URL = textclean.Strip(ClipNote(r.URL, maxText))
	r.Body = textclean.Strip(ClipNote(r.Body, maxText))
	r.Credentials = textclean.Strip(Clip(r.Credentials, maxLabel))
	r.Mode = textclean.Strip(Clip(r.Mode, maxLabel))
	r.ReadHeader = textclean.Strip(Clip(r.ReadHeader, maxLabel))
	r.Site = textclean.Strip(Clip(r.Site, maxLabel))
	r.Headers = clipPairs(r.Headers)
	return r
}

// clipOutcome bounds what the page reported, its text stripped of control
// characters as clipRequest's.
func clipOutcome(o trial.Outcome) trial.Outcome {
	o.Type = textclean.Strip(Clip(o.Type, maxLabel))
	o.Body = textclean.Strip(ClipNote(o.Body, maxText))
	o.Error = textclean.Strip(Clip(o.Error, maxText))
	o.Headers = clipPairs(o.Headers)
	return o
}

func clipPairs(h [][2]string) [][2]string {
	if h == nil {
		return nil
	}
	n := min(len(h), maxHeaderLines)
	out := make([][2]string, n, n+1)
	for i := range n {
		out[i] = [2]string{textclean.Strip(Clip(h[i][0], maxHeaderValue)), textclean.Strip(Clip(h[i][1], maxHeaderValue))}
	}
	if len(h) > n {
		out = append(out, [2]string{ClipMark, fmt.Sprintf("%d more header lines", len(h)-n)})
	}
	return out
}

// eventOverhead is what an event costs beyond its strings: the structs,
// the maps' buckets, the pointers.
const eventOverhead = 512

// size estimates the bytes e holds, twice its strings: once as Go values,
// once as its cached JSON (Event.JSON), which every subscribed event gets.
func (e *Event) size() int {
	n := 0
	switch {
	case e.Exchange != nil:
		n = e.Exchange.size()
	case e.Trial != nil:
		n = e.Trial.size()
	case e.Policy != nil:
		n = len(e.Policy.By) + len(e.Policy.Document)
	}
	n += len(e.Lesson)
	return 2*n + eventOverhead
}

// size is x's estimated bytes; counted once, when Record takes x (the
// history, its trial and the trial store all count it).
func (x *Exchange) size() int {
	if x.bytes != 0 {
		return x.bytes
	}
	n := 0
	if x.Effect != nil {
		n = len(x.Effect.Name) + len(x.Effect.Was) + len(x.Effect.Origin) + 64
	}
	headers := x.HeaderSize
	if headers == 0 {
		headers = headerSize(x.RequestHeader) + headerSize(x.ResponseHeader)
	}
	return n + len(x.Method) + len(x.Path) + len(x.Origin) + len(x.Trial) + len(x.UpstreamError) +
		headers + headerSize(x.UpstreamHeader) + eventOverhead
}

func (t *Trial) size() int {
	n := len(t.ID) + len(t.Origin) + len(t.userAgent) + requestSize(t.Request) + len(t.Mismatch) + eventOverhead
	for i := range t.Exchanges {
		n += t.Exchanges[i].size()
	}
	if t.Outcome != nil {
		n += len(t.Outcome.Type) + len(t.Outcome.Body) + len(t.Outcome.Error) + pairsSize(t.Outcome.Headers)
	}
	return n
}

func requestSize(r trial.Request) int {
	return len(r.ReadHeader) + len(r.Site) + len(r.Label) + len(r.Method) + len(r.URL) + len(r.Body) + len(r.Credentials) + len(r.Mode) + pairsSize(r.Headers)
}

func headerSize(h http.Header) int { return MeasureHeader(h).Size }

// HeaderMeasure is what one walk over a header set finds: what a
// recorder's limits look at (site B's keepHeader), and the set's bytes as
// the journal counts them.
type HeaderMeasure struct {
	Lines   int // values, each a header line
	Bytes   int // each line's name and value
	Longest int // the longest value
	Size    int // the set's estimated bytes in the journal (Exchange.HeaderSize)
}

// MeasureHeader measures h.
func MeasureHeader(h http.Header) HeaderMeasure {
	var m HeaderMeasure
	for k, vs := range h {
		m.Size += len(k) + 16
		m.Lines += len(vs)
		for _, v := range vs {
			m.Bytes += len(k) + len(v)
			m.Size += len(v) + 16
			m.Longest = max(m.Longest, len(v))
		}
	}
	return m
}

func pairsSize(h [][2]string) int {
	n := 0
	for _, p := range h {
		n += len(p[0]) + len(p[1]) + 32
	}
	return n
}
