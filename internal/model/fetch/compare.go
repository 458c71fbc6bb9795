package fetch

import (
	"fmt"
	"strings"
)

// judged is the verdict of o with the notes on what the other two browsers
// would do differently with the same exchange: another preflight decision,
// another outcome, another first reason (the order of checks), another
// preflight-cache lifetime.
func judged(o *outcome) Verdict {
	v := o.verdict()
	v.Notes = append(v.Notes, o.othersNotes()...)
	return v
}

// difference is what another browser does differently, or "" when nothing
// that matters differs.
func (o *outcome) difference(other *outcome) string {
	var parts []string
	if other.v.Preflight != o.v.Preflight {
		if other.v.Preflight {
			parts = append(parts, "send a preflight first")
		} else {
			parts = append(parts, "send no preflight")
		}
	}
	switch {
	case other.v.Allowed && !o.v.Allowed:
		parts = append(parts, "let JavaScript have the response")
	case !other.v.Allowed && o.v.Allowed:
		parts = append(parts, "block it")
	case !other.v.Allowed && other.reason() != o.reason():
		parts = append(parts, "stop at another check first")
	}
	return strings.Join(parts, " and ")
}

// reason is the model's name (Chromium's) for what stopped the run.
func (o *outcome) reason() string {
	switch {
	case o.fail != nil:
		return o.fail.name
	case o.fetchErr != nil:
		return ErrTypeError
	}
	return ""
}

// othersNotes says, in one note per difference, what the other browsers do.
func (o *outcome) othersNotes() []string {
	// The browsers differ only on preflights (their order of checks and
	// their caches) and on the client hints: spare the other runs otherwise.
	hint := false
	for _, h := range o.page.headers {
		hint = hint || chromiumClientHints[h.lower]
	}
	if !o.v.Preflight && !hint {
		return nil
	}
	var others []*Browser
	var runs []*outcome
	for _, b := range Browsers() {
		if b != o.b {
			others = append(others, b)
			runs = append(runs, evaluateIn(b, o.x))
		}
	}
	var notes []string
	diffs := make([]string, len(others))
	for i, r := range runs {
		diffs[i] = o.difference(r)
	}
	said := func(i int, title bool) string {
		r := runs[i]
		if r.v.Allowed {
			return ""
		}
		first, _, _ := strings.Cut(r.v.Message, "\n")
		s := fmt.Sprintf("%s — %q", r.v.Error, first)
		if title {
			s = others[i].Title + ": " + s
		}
		return s
	}
	switch {
	case diffs[0] != "" && diffs[0] == diffs[1] && runs[0].reason() == runs[1].reason():
		n := fmt.Sprintf("%s and %s would %s.", others[0].Title, others[1].Title, diffs[0])
		if s0, s1 := said(0, true), said(1, true); s0 != "" {
			n += " " + s0 + "; " + s1 + "."
		}
		notes = append(notes, n)
	default:
		for i := range others {
			if diffs[i] == "" {
				continue
			}
			n := fmt.Sprintf("%s would %s", others[i].Title, diffs[i])
			if s := said(i, false); s != "" {
				n += ": " + s
			}
			n += "."
			notes = append(notes, n)
		}
	}
	if n := o.maxAgeNote(); n != "" {
		notes = append(notes, n)
	}
	return notes
}

// maxAgeNote compares the browsers' caches for a preflight that passed with
// an Access-Control-Max-Age that some browser caps.
func (o *outcome) maxAgeNote() string {
	if !o.v.Preflight || !o.v.ActualRequestSent || o.x.Preflight == nil {
		return ""
	}
	if _, ok := headerValue(o.x.Preflight.Header, "Access-Control-Max-Age"); !ok {
		return ""
	}
	var caps, parts []string
	capped := false
	for _, b := range Browsers() {
		d := b.MaxAge(o.x.Preflight)
		capped = capped || d == b.MaxAgeCap
		caps = append(caps, fmt.Sprintf("%s at %d s", b.Title, int(b.MaxAgeCap.Seconds())))
		parts = append(parts, fmt.Sprintf("%s %d s", b.Title, int(d.Seconds())))
	}
	if !capped {
		return ""
	}
	return "Each browser caps Access-Control-Max-Age (" + strings.Join(caps, ", ") + "), so this preflight answer is reused for: " + strings.Join(parts, ", ") + "."
}
