package policy

import (
	"slices"
	"strings"
)

// The editing operations the TUI's policy panel (and anything else that
// changes a document a step at a time) uses. They change d in place: Clone
// a document another holder shares first. Header names are matched
// case-insensitively, as HTTP matches them (RFC 9110 §5.1).

// Where says which of site B's responses a header goes on.
type Where uint8

const (
	Nowhere     Where = 0                      // not sent
	OnPreflight Where = 1                      // on preflight responses
	OnActual    Where = 2                      // on every other response
	OnBoth            = OnPreflight | OnActual // on both
)

func (w Where) String() string {
	switch w {
	case OnBoth:
		return "preflight + actual responses"
	case OnPreflight:
		return "preflight responses only"
	case OnActual:
		return "actual responses only"
	}
	return "not sent"
}

// Lookup finds header name in hs, in any case: the name as hs spells it and
// its values, or "" and nil.
func (hs Headers) Lookup(name string) (string, Values) {
	for k, v := range hs {
		if strings.EqualFold(k, name) {
			return k, v
		}
	}
	return "", nil
}

// Header returns header name's values on preflight responses and on actual
// ones; nil where it is not sent.
func (d Document) Header(name string) (pre, act Values) {
	_, pre = d.Preflight.Headers.Lookup(name)
	_, act = d.Actual.Headers.Lookup(name)
	return pre, act
}

// Where says which responses header name goes on.
func (d Document) Where(name string) Where {
	pre, act := d.Header(name)
	var w Where
	if pre != nil {
		w |= OnPreflight
	}
	if act != nil {
		w |= OnActual
	}
	return w
}

// SetHeader puts header name with values vs (copied) on the responses w
// says, spelt as name, and removes it from the others, whatever case it was
// spelt in. Nowhere, or nil values, removes it.
func (d *Document) SetHeader(name string, w Where, vs Values) {
	for _, hs := range []Headers{d.Preflight.Headers, d.Actual.Headers} {
		for k := range hs {
			if strings.EqualFold(k, name) {
				delete(hs, k)
			}
		}
	}
	if vs == nil {
		return
	}
	if w&OnPreflight != 0 {
		if d.Preflight.Headers == nil {
			d.Preflight.Headers = Headers{}
		}
		d.Preflight.Headers[name] = slices.Clone(vs)
	}
	if w&OnActual != 0 {
		if d.Actual.Headers == nil {
			d.Actual.Headers = Headers{}
		}
		d.Actual.Headers[name] = slices.Clone(vs)
	}
}

// RemoveHeader removes header name from both rules, in any case.
func (d *Document) RemoveHeader(name string) { d.SetHeader(name, Nowhere, nil) }

// PreflightStatus is the status preflights are answered with: the
// document's, or DefaultPreflightStatus when it names none.
func (d Document) PreflightStatus() int {
	if d.Preflight.Status == 0 {
		return DefaultPreflightStatus
	}
	return d.Preflight.Status
}

// SetPreflightStatus sets the preflight's status (the default is written
// as none). A 3xx is a redirect only with a Location: when the preflight
// has none, location is added (on preflights only); leaving a 3xx for
// another status removes the preflight's Location. Browsers refuse a
// redirect in answer to a preflight (Fetch §4.9: its status must be ok).
func (d *Document) SetPreflightStatus(status int, location string) {
	was := d.Preflight.Status
	if status == DefaultPreflightStatus {
		status = 0
	}
	d.Preflight.Status = status
	k, _ := d.Preflight.Headers.Lookup("Location")
	switch {
	case isRedirect(status):
		if k == "" {
			d.SetHeader("Location", OnPreflight, Values{location})
		}
	case isRedirect(was) && k != "":
		delete(d.Preflight.Headers, k)
	}
}

func isRedirect(status int) bool { return status >= 300 && status < 400 }

// Put sets header name to vs (copied) on the responses w says, spelt as
// name, and leaves it as it was on the others — where SetHeader would
// remove it: a whole fix asks for a value on one response at a time
// (fetch.Fix's Preflight and Actual).
func (d *Document) Put(name string, w Where, vs Values) {
	pre, act := d.Header(name)
	if w&OnPreflight != 0 {
		pre = vs
	}
	if w&OnActual != 0 {
		act = vs
	}
	d.RemoveHeader(name)
	for _, r := range []struct {
		hs *Headers
		vs Values
	}{{&d.Preflight.Headers, pre}, {&d.Actual.Headers, act}} {
		if r.vs == nil {
			continue
		}
		if *r.hs == nil {
			*r.hs = Headers{}
		}
		(*r.hs)[name] = slices.Clone(r.vs)
	}
}
