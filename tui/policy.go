package tui

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/model/policy"
)

// whereColumns is the width, in cells, of the panel's "where" column.
const whereColumns = 3

// whereShort is the where column: P+A, P or A.
func whereShort(w policy.Where) string {
	switch w {
	case policy.OnBoth:
		return "P+A"
	case policy.OnPreflight:
		return "P"
	case policy.OnActual:
		return "A"
	}
	return ""
}

// nextWhere is the next placement `w` moves a header to.
func nextWhere(w policy.Where) policy.Where {
	switch w {
	case policy.OnBoth:
		return policy.OnPreflight
	case policy.OnPreflight:
		return policy.OnActual
	}
	return policy.OnBoth
}

// choice is one of a row's common values; nil values mean the header is absent.
type choice struct {
	label  string
	values policy.Values
}

// rowDef is one of the policy panel's fixed rows.
type rowDef struct {
	label, short string // short is used when the panel is narrow
	header       string // the header the row controls; "" for the preflight status and the failure paths
	failures     bool   // the row of actual.failures: choices' values are failure path names
	choices      []choice
	where        policy.Where // where a header goes when it is first set
	about        string       // what the header does, in a line or two
}

const (
	statusRowLabel   = "Preflight status"
	failuresRowLabel = "Failure paths"
)

// redirectStatus is the redirect choice for the preflight status; browsers
// refuse to follow a redirect in answer to a preflight.
const redirectStatus = http.StatusMovedPermanently

// rowDefs returns the fixed rows; siteA is site A's origin.
func rowDefs(siteA string) []rowDef {
	absent := choice{label: "—"}
	one := func(v string) choice { return choice{label: v, values: vals(v)} }
	origin := []choice{absent, one("*"), one("{origin}")}
	if siteA != "" {
		origin = append(origin, one(siteA))
	}
	origin = append(origin, one("http://evil.example"), one("null"))
	if siteA != "" {
		origin = append(origin, choice{label: siteA + " | *", values: vals(siteA, "*")})
	}
	return []rowDef{
		{label: "Allow-Origin", short: "Origin", header: "Access-Control-Allow-Origin", where: policy.OnBoth, choices: origin,
			about: "The origin that may read the response: one origin, or * for any (not with credentials)."},
		{label: "Allow-Methods", short: "Methods", header: "Access-Control-Allow-Methods", where: policy.OnPreflight,
			about: "Methods a preflight allows; GET, HEAD and POST need none. * means any, unless credentials.", choices: []choice{
				absent, one("GET, POST"), one("GET, PUT"), one("GET, POST, PUT, PATCH, DELETE"), one("*"), one("{request-method}")}},
		{label: "Allow-Headers", short: "Headers", header: "Access-Control-Allow-Headers", where: policy.OnPreflight,
			about: "Request headers a preflight allows beyond the CORS-safelisted ones. * never covers Authorization.", choices: []choice{
				absent, one("Content-Type"), one("Content-Type, X-Requested-With"), one("*"), one("{request-headers}"), one("Authorization")}},
		{label: "Allow-Credentials", short: "Credentials", header: "Access-Control-Allow-Credentials", where: policy.OnBoth,
			about: "true lets JS read the response to a request sent with credentials (cookies); then * is not allowed.", choices: []choice{
				absent, one("true"), one("false")}},
		{label: "Expose-Headers", short: "Expose", header: "Access-Control-Expose-Headers", where: policy.OnActual,
			about: "Response headers JS may read beyond the CORS-safelisted ones.", choices: []choice{
				absent, one("X-Total"), one("*")}},
		{label: "Max-Age", short: "Max-Age", header: "Access-Control-Max-Age", where: policy.OnPreflight,
			about: "Seconds the browser may cache this preflight's answer (Chromium caps it at 7200).", choices: []choice{
				absent, one("0"), one("5"), one("600"), one("7200")}},
		{label: statusRowLabel, short: "Status", choices: statusChoices(),
			about: "A preflight passes only with an ok status (200-299); browsers refuse a redirect."},
		{label: "Vary: Origin", short: "Vary", header: "Vary", where: policy.OnActual,
			about: "Tells caches the response differs by Origin: needed when Allow-Origin echoes the origin.", choices: []choice{
				{label: "off"}, {label: "on", values: vals("Origin")}}},
		{label: failuresRowLabel, short: "Failures", failures: true, choices: failureChoices(),
			about: "Server layers that lose the CORS headers: an error answer without them, an auth layer before (or after) the CORS layer, a redirect to a slashed path or to https:."},
	}
}

// failureChoices are the common sets of failure paths: none, each alone,
// and the classic pair of an error page and an auth layer that both drop
// the headers.
func failureChoices() []choice {
	cs := []choice{{label: "—"}}
	for _, n := range policy.FailureNames() {
		cs = append(cs, choice{label: n, values: vals(n)})
	}
	pair := vals(policy.FailErrorWithoutCORS, policy.FailAuthBeforeCORS)
	return append(cs, choice{label: strings.Join(pair, ", "), values: pair})
}

func vals(vs ...string) policy.Values { return policy.Values(vs) }

func statusChoices() []choice {
	var cs []choice
	for _, s := range []int{204, 200, 401, 403, 404, 500} {
		cs = append(cs, choice{label: strconv.Itoa(s), values: vals(strconv.Itoa(s))})
	}
	return append(cs, choice{label: "301 + Location", values: vals(strconv.Itoa(redirectStatus))})
}

// row is one line of the policy panel as read from the document in force.
type row struct {
	def      *rowDef // nil for a header that is not one of the fixed rows
	header   string  // the header's name as the document spells it
	pre, act policy.Values
}

func (r row) label(narrow bool) string {
	switch {
	case r.def == nil:
		return r.header
	case narrow:
		return r.def.short
	}
	return r.def.label
}

func (r row) isStatus() bool { return r.def != nil && r.def.header == "" && !r.def.failures }

// isFailures: the row shows actual.failures (in act), not a header.
func (r row) isFailures() bool { return r.def != nil && r.def.failures }

func (r row) where() policy.Where {
	var w policy.Where
	if r.pre != nil {
		w |= policy.OnPreflight
	}
	if r.act != nil {
		w |= policy.OnActual
	}
	return w
}

// values are the header's values; the preflight's when both are set.
func (r row) values() policy.Values {
	if r.pre != nil {
		return r.pre
	}
	return r.act
}

// policyPanel is the "Site B policy" panel. It never keeps a policy of its
// own: every change goes through set, and the rows are re-read from get.
type policyPanel struct {
	get    func() policy.Document
	edit   func(func(*policy.Document) error) error // Options.EditPolicy
	siteB  string                                   // site B's origin, for the redirect's Location
	defs   []rowDef
	doc    policy.Document
	rows   []row
	cursor int
}

func newPolicyPanel(opts Options) policyPanel {
	p := policyPanel{get: opts.Policy, edit: opts.EditPolicy, siteB: originOf(opts.SiteB)}
	p.defs = rowDefs(originOf(opts.SiteA))
	if p.get == nil {
		p.get = func() policy.Document { return policy.Document{} }
	}
	if p.edit == nil {
		p.edit = func(func(*policy.Document) error) error { return fmt.Errorf("this console cannot change the policy") }
	}
	p.refresh()
	return p
}

// originOf returns the scheme://host[:port] of a URL.
func originOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return strings.TrimSuffix(s, "/")
	}
	return u.Scheme + "://" + u.Host
}

// refresh re-reads the policy in force and rebuilds the rows.
func (p *policyPanel) refresh() {
	p.doc = p.get()
	p.rows = make([]row, 0, len(p.defs)+4)
	for i := range p.defs {
		d := &p.defs[i]
		r := row{def: d, header: d.header}
		switch {
		case d.failures:
			if fs := p.doc.Actual.Failures; len(fs) > 0 {
				r.act = vals(fs...)
			}
		case d.header == "":
			r.pre = vals(strconv.Itoa(p.doc.PreflightStatus()))
		default:
			r.pre, r.act = p.doc.Header(d.header)
		}
		p.rows = append(p.rows, r)
	}
	// Headers the fixed rows do not cover, by canonical name, spelt as the
	// preflight's rule (else the actual's) spells them.
	extra := map[string]row{}
	for _, hs := range []policy.Headers{p.doc.Preflight.Headers, p.doc.Actual.Headers} {
		for name := range hs {
			c := http.CanonicalHeaderKey(name)
			if _, done := extra[c]; done || p.fixed(name) {
				continue
			}
			r := row{header: name}
			r.pre, r.act = p.doc.Header(name)
			extra[c] = r
		}
	}
	for _, c := range slices.Sorted(maps.Keys(extra)) {
		p.rows = append(p.rows, extra[c])
	}
	p.cursor = min(max(p.cursor, 0), len(p.rows)-1)
}

func (p *policyPanel) fixed(name string) bool {
	for _, d := range p.defs {
		if d.header != "" && strings.EqualFold(d.header, name) {
			return true
		}
	}
	return false
}

func (p *policyPanel) current() row { return p.rows[p.cursor] }

func (p *policyPanel) move(delta int) {
	p.cursor = min(max(p.cursor+delta, 0), len(p.rows)-1)
}

// headerCount is how many distinct headers the policy sets.
func (p *policyPanel) headerCount() int {
	n := 0
	for _, r := range p.rows {
		if !r.isStatus() && !r.isFailures() && r.where() != policy.Nowhere {
			n++
		}
	}
	return n
}

// apply makes change to the policy in force (not to the panel's copy,
// which a change from the page may have overtaken). On success it re-reads
// the panel and returns done; on error the policy in force is unchanged
// and the error says why.
func (p *policyPanel) apply(change func(d *policy.Document), done string) (string, error) {
	if err := p.edit(func(d *policy.Document) error { change(d); return nil }); err != nil {
		return "", err
	}
	p.refresh()
	return done, nil
}

// cycle moves the selected row to its previous (-1) or next (+1) common value.
func (p *policyPanel) cycle(delta int) (string, error) {
	r := p.current()
	if r.def == nil {
		return "", fmt.Errorf("%s has no preset values: press e to edit it", r.header)
	}
	cs := r.def.choices
	i := slices.IndexFunc(cs, func(c choice) bool { return slices.Equal(c.values, r.values()) })
	switch {
	case i < 0 && delta > 0:
		i = 0
	case i < 0:
		i = len(cs) - 1
	default:
		i = (i + delta + len(cs)) % len(cs)
	}
	if r.isStatus() {
		st, _ := strconv.Atoi(cs[i].values[0])
		return p.setStatus(st)
	}
	if r.isFailures() {
		return p.setFailures(cs[i].values)
	}
	return p.setValues(r, cs[i].values)
}

// setValues sets the row's header to vs (nil removes it), keeping where it
// goes, or the row's default placement when it was absent.
func (p *policyPanel) setValues(r row, vs policy.Values) (string, error) {
	w := r.where()
	if w == policy.Nowhere {
		w = policy.OnBoth
		if r.def != nil {
			w = r.def.where
		}
	}
	if vs == nil {
		w = policy.Nowhere
	}
	return p.apply(func(d *policy.Document) { d.SetHeader(r.header, w, vs) }, describe(r.header, vs, w))
}

func describe(header string, vs policy.Values, w policy.Where) string {
	if w == policy.Nowhere {
		return header + " removed"
	}
	return fmt.Sprintf("%s: %s  (on %s)", header, strings.Join(vs, " | "), w)
}

// setStatus sets the preflight status. A redirect gets a Location; leaving
// the redirect removes it.
func (p *policyPanel) setStatus(st int) (string, error) {
	return p.apply(func(d *policy.Document) { d.SetPreflightStatus(st, p.siteB+"/moved") },
		fmt.Sprintf("preflight status: %d %s", st, http.StatusText(st)))
}

// setFailures makes fs the failure paths site B plays (none removes them).
func (p *policyPanel) setFailures(fs []string) (string, error) {
	var named policy.Document // fs as SetFailures orders them, for the message
	named.SetFailures(fs)
	done := "failure paths: none"
	if len(named.Actual.Failures) > 0 {
		done = "failure paths: " + strings.Join(named.Actual.Failures, ", ")
	}
	return p.apply(func(d *policy.Document) { d.SetFailures(fs) }, done)
}

// cycleWhere moves the selected header: preflight+actual → preflight only → actual only.
func (p *policyPanel) cycleWhere() (string, error) {
	r := p.current()
	switch {
	case r.isStatus():
		return "", fmt.Errorf("the preflight status only applies to preflights")
	case r.isFailures():
		return "", fmt.Errorf("failure paths are server layers on actual requests, not headers")
	case r.where() == policy.Nowhere:
		return "", fmt.Errorf("%s is not sent: pick a value first (←→ or e)", r.header)
	}
	w := nextWhere(r.where())
	return p.apply(func(d *policy.Document) {
		vs := r.values() // as the panel shows them; the values in force, if another hand changed them since
		if pre, act := d.Header(r.header); pre != nil {
			vs = pre
		} else if act != nil {
			vs = act
		}
		d.SetHeader(r.header, w, vs)
	}, fmt.Sprintf("%s now on %s", r.header, w))
}

// remove removes the selected header (or resets the preflight status).
func (p *policyPanel) remove() (string, error) {
	r := p.current()
	if r.isStatus() {
		return p.setStatus(policy.DefaultPreflightStatus)
	}
	if r.isFailures() {
		return p.setFailures(nil)
	}
	if r.where() == policy.Nowhere {
		return "", fmt.Errorf("%s is not sent", r.header)
	}
	return p.setValues(r, nil)
}

// editText is the selected row's value as the edit prompt starts with it.
// Several header lines are offered as one comma-separated line.
func (p *policyPanel) editText() string {
	r := p.current()
	return strings.Join(r.values(), ", ")
}

// setText sets the selected row to a typed value.
func (p *policyPanel) setText(text string) (string, error) {
	r := p.current()
	if r.isStatus() {
		st, err := strconv.Atoi(strings.TrimSpace(text))
		if err != nil {
			return "", fmt.Errorf("preflight.status: %q is not a number", text)
		}
		return p.setStatus(st)
	}
	if r.isFailures() {
		var fs []string
		for _, f := range strings.Split(text, ",") {
			if f = strings.TrimSpace(f); f != "" {
				fs = append(fs, f)
			}
		}
		return p.setFailures(fs)
	}
	return p.setValues(r, vals(text))
}

// addHeader adds a header typed as "Name: value". One of the fixed rows'
// headers goes where that row's headers go by default; any other on both.
func (p *policyPanel) addHeader(text string) (string, error) {
	name, value, ok := strings.Cut(text, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return "", fmt.Errorf("add header %q: want Name: value", text)
	}
	r := row{header: name}
	for i := range p.rows {
		if p.rows[i].header != "" && strings.EqualFold(p.rows[i].header, name) {
			r = p.rows[i]
			p.cursor = i
		}
	}
	return p.setValues(r, vals(strings.TrimLeft(value, " ")))
}

// valueLabel is how a row's value reads in the panel.
func (r row) valueLabel() string {
	if r.isStatus() {
		if r.pre[0] == strconv.Itoa(redirectStatus) {
			return r.pre[0] + " → Location"
		}
		return r.pre[0]
	}
	if r.where() == policy.Nowhere {
		if r.def != nil {
			return r.def.choices[0].label
		}
		return "—"
	}
	if r.isFailures() {
		return strings.Join(r.act, ", ")
	}
	label := func(vs policy.Values) string {
		if r.def != nil {
			for _, c := range r.def.choices {
				if c.values != nil && slices.Equal(c.values, vs) {
					return c.label
				}
			}
		}
		return strings.Join(vs, " | ")
	}
	if r.pre != nil && r.act != nil && !slices.Equal(r.pre, r.act) {
		return "P: " + label(r.pre) + " A: " + label(r.act)
	}
	return label(r.values())
}

// view renders the panel's inside: w cells wide, at most h lines.
func (p *policyPanel) view(st styles, w, h int, focused bool) []string {
	narrow := w < 40
	lw := 0
	for _, r := range p.rows {
		lw = max(lw, ansi.StringWidth(r.label(narrow)))
	}
	lw = min(lw, max(6, w/2))
	vw := max(1, w-2-lw-1-1-whereColumns)
	lines := make([]string, 0, h)
	for i, r := range p.rows {
		mark := "  "
		if i == p.cursor {
			mark = "› "
		}
		value := r.valueLabel()
		wh := whereShort(r.where())
		if r.isStatus() {
			wh = "P"
		}
		line := mark + fit(r.label(narrow), lw) + " " + fit(value, vw) + " " + fit(wh, whereColumns)
		switch {
		case i == p.cursor && focused:
			line = st.selected.Render(line)
		case i == p.cursor:
			line = st.title.Render(line)
		case r.where() == policy.Nowhere:
			line = st.dim.Render(line)
		}
		lines = append(lines, line)
	}
	lines = append(lines, st.dim.Render("where: P = preflight, A = actual"))
	// The selected row in full, for values the column cuts short, and what it does.
	if p.cursor >= 0 && len(lines)+2 < h {
		r := p.current()
		lines = append(lines, "")
		if r.isStatus() {
			s, _ := strconv.Atoi(r.pre[0])
			lines = append(lines, wrap(fmt.Sprintf("Preflights are answered %d %s.", s, http.StatusText(s)), w)...)
		} else if r.isFailures() {
			if len(r.act) == 0 {
				lines = append(lines, wrap("Failure paths: none", w)...)
			}
			for _, f := range r.act {
				lines = append(lines, wrap("Failure path: "+f, w)...)
			}
		} else {
			if r.where() == policy.Nowhere {
				lines = append(lines, wrap(r.header+": not sent", w)...)
			}
			for _, v := range r.values() {
				lines = append(lines, wrap(r.header+": "+v, w)...)
			}
			if r.where() != policy.Nowhere {
				lines = append(lines, st.dim.Render("on "+r.where().String()))
			}
		}
		if r.def != nil {
			lines = append(lines, "")
			for _, l := range wrap(r.def.about, w) {
				lines = append(lines, st.dim.Render(l))
			}
		}
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return lines
}

// wrap breaks s into lines of at most w cells, at spaces where it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	return strings.Split(ansi.Wrap(s, w, ""), "\n")
}
