package siteB

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/journal"
)

// Header maps kept without a copy (docs/ARCHITECTURE.md, performance).

// keepHeader is h as the journal keeps it: h itself, not a copy, within the
// limits below — the caller guarantees that nobody changes h afterwards
// (a request's header map once the handler returns; a response's map once
// committed, site B's handlers setting every header before WriteHeader) —
// else a bounded copy, what it leaves out added to truncated.
// It returns the kept header's size as the journal counts it
// (journal.MeasureHeader), from the same walk.
func keepHeader(h http.Header, truncated *int) (http.Header, int) {
	if m := journal.MeasureHeader(h); withinLimits(m) {
		return h, m.Size
	}
	h = boundedCopy(h, truncated)
	return h, journal.MeasureHeader(h).Size
}

// What the journal keeps of one header set (a request's or a response's):
// enough for any real browser exchange, and a bound on what a hostile one
// (10,000 headers, a 100 KB Access-Control-Request-Headers) costs the
// history. The rest is counted in Exchange.Truncated.
const (
	maxRecordedLines = 100     // header lines
	maxRecordedValue = 8 << 10 // bytes of one value; longer ones are cut
	maxRecordedBytes = 32 << 10
)

// recordHeader returns a copy of h for the journal, within the limits
// above; what it leaves out is added to truncated.
func recordHeader(h http.Header, truncated *int) http.Header {
	if withinLimits(journal.MeasureHeader(h)) {
		// Every real exchange. maps.Clone copies the map's memory whole, at
		// a fraction of Header.Clone's cost; the values' arrays are shared,
		// which Set, Add and Del on h (all that net/http and handlers do)
		// leave untouched.
		return maps.Clone(h)
	}
	return boundedCopy(h, truncated)
}

// withinLimits reports whether the journal may keep all of a header set
// measured m.
func withinLimits(m journal.HeaderMeasure) bool {
	return m.Longest <= maxRecordedValue && m.Lines <= maxRecordedLines && m.Bytes <= maxRecordedBytes
}

// boundedCopy copies what the limits allow of h, in name order, and adds
// to truncated the lines it leaves out or cuts.
func boundedCopy(h http.Header, truncated *int) http.Header {
	out := make(http.Header, min(len(h), maxRecordedLines))
	lines, size := 0, 0
	for _, k := range slices.Sorted(maps.Keys(h)) { // sorted: the same request keeps the same lines
		for _, v := range h[k] {
			cut := len(v) > maxRecordedValue
			if cut {
				v = journal.Clip(v, maxRecordedValue) // ends with journal.ClipMark
			}
			if cut || lines == maxRecordedLines || size+len(k)+len(v) > maxRecordedBytes {
				*truncated++ // a line left out, or cut short
			}
			if lines == maxRecordedLines || size+len(k)+len(v) > maxRecordedBytes {
				continue
			}
			out[k] = append(out[k], strings.Clone(v)) // a copy: do not pin a huge original
			lines, size = lines+1, size+len(k)+len(v)
		}
	}
	return out
}
