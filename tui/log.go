package tui

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/corslab/corslab/internal/journal"
)

// maxEntries bounds the live log; older entries are dropped.
const maxEntries = 2000

// maxSublines bounds the exchanges shown under a trial in the log.
const maxSublines = 3

// policyBurst is how close policy changes by the same hand must follow
// each other, with nothing logged between them, to share one log entry:
// cycling a value six times is "policy changed ×6", not six entries. The
// page's log does the same (static/policy.js COALESCE_MS).
const policyBurst = 10 * time.Second

type entryKind uint8

const (
	entryExchange entryKind = iota // site B served a request that belongs to no trial
	entryTrial                     // a fetch() on the page, updated in place as it progresses
	entryPolicy                    // the policy was replaced
	entryLost                      // the console fell behind and missed events
)

// entry is one item of the live log.
type entry struct {
	kind    entryKind
	time    time.Time
	seq     uint64
	x       *journal.Exchange
	t       *journal.Trial
	p       *journal.PolicyChange
	lost    uint64
	changes int // a policy entry: the changes it stands for (a burst, policyBurst)
	version int // bumped when the entry is updated, so the detail and its log lines re-render
	drawn   drawnLines
}

// lineCount is how many log lines the entry takes: a trial shows its
// exchanges under it.
func (e *entry) lineCount() int {
	if e.kind != entryTrial {
		return 1
	}
	return 1 + min(len(e.t.Exchanges), maxSublines+1)
}

// logPanel is the "Live log": entries in arrival order, newest at the
// bottom, one selected. Rendering touches only the visible entries.
type logPanel struct {
	entries  []*entry
	trials   map[string]*entry // trial entries by Trial.ID
	selected int
	top      int  // first visible entry
	follow   bool // keep the newest entry selected
	height   int  // lines inside the panel
}

func newLogPanel() logPanel {
	return logPanel{trials: map[string]*entry{}, follow: true}
}

// add appends a batch of events; lost > 0 first records the gap. It reports
// whether a policy change was among them.
func (l *logPanel) add(events []*journal.Event, lost uint64) (policyChanged bool) {
	if lost > 0 {
		e := &entry{kind: entryLost, lost: lost, time: time.Now()}
		if len(events) > 0 {
			e.time = events[0].Time
		}
		l.entries = append(l.entries, e)
	}
	for _, ev := range events {
		switch ev.Kind {
		case journal.KindExchange:
			if ev.Exchange == nil {
				continue
			}
			if ev.Exchange.Trial != "" {
				l.attach(ev) // shown under its trial, live, until the settled trial replaces it
				continue
			}
			l.entries = append(l.entries, &entry{kind: entryExchange, time: ev.Time, seq: ev.Seq, x: ev.Exchange})
		case journal.KindPolicy:
			if ev.Policy == nil {
				continue
			}
			policyChanged = true
			if n := len(l.entries); n > 0 {
				if last := l.entries[n-1]; last.kind == entryPolicy && last.p.By == ev.Policy.By && ev.Time.Sub(last.time) <= policyBurst {
					last.time, last.seq, last.p = ev.Time, ev.Seq, ev.Policy
					last.changes++
					last.version++
					continue
				}
			}
			l.entries = append(l.entries, &entry{kind: entryPolicy, time: ev.Time, seq: ev.Seq, p: ev.Policy, changes: 1})
		case journal.KindTrial:
			if ev.Trial == nil {
				continue
			}
			if e, ok := l.trials[ev.Trial.ID]; ok {
				e.t, e.seq = ev.Trial, ev.Seq
				e.version++
				continue
			}
			e := &entry{kind: entryTrial, time: ev.Time, seq: ev.Seq, t: ev.Trial}
			l.trials[ev.Trial.ID] = e
			l.entries = append(l.entries, e)
		}
	}
	l.trim()
	l.scroll()
	return policyChanged
}

// maxTrialExchanges bounds the exchanges a trial entry collects from
// exchange events (the latest), as the journal bounds a trial's.
const maxTrialExchanges = 32

// attach adds an exchange event to its trial's entry, creating the entry
// if the trial has not been seen. The journal publishes a trial's state
// when it is announced and when it settles, not per exchange: in between,
// the exchange events (which name their trial) are how the trial grows,
// and the next trial event, which carries every exchange before it,
// replaces what they built. Published trials are never changed: attach
// makes a new one.
func (l *logPanel) attach(ev *journal.Event) {
	x := ev.Exchange
	e, ok := l.trials[x.Trial]
	if !ok {
		e = &entry{kind: entryTrial, time: ev.Time, seq: ev.Seq, t: &journal.Trial{ID: x.Trial, Exchanges: []journal.Exchange{*x}}}
		l.trials[x.Trial] = e
		l.entries = append(l.entries, e)
		return
	}
	t := *e.t
	xs := t.Exchanges
	if len(xs) >= maxTrialExchanges {
		xs = xs[len(xs)-maxTrialExchanges+1:]
	}
	t.Exchanges = append(xs[:len(xs):len(xs)], *x) // a copy: e.t may be a published snapshot
	e.t, e.seq = &t, ev.Seq
	e.version++
}

// trim drops the oldest entries beyond maxEntries.
func (l *logPanel) trim() {
	n := len(l.entries) - maxEntries
	if n <= 0 {
		return
	}
	for _, e := range l.entries[:n] {
		if e.kind == entryTrial && l.trials[e.t.ID] == e {
			delete(l.trials, e.t.ID)
		}
	}
	clear(l.entries[:n])
	l.entries = l.entries[n:]
	l.selected = max(0, l.selected-n)
	l.top = max(0, l.top-n)
}

// clear empties the log view (the journal keeps its history).
func (l *logPanel) clear() {
	*l = logPanel{trials: map[string]*entry{}, follow: true, height: l.height}
}

func (l *logPanel) move(delta int) {
	if len(l.entries) == 0 {
		return
	}
	l.follow = false
	l.selected = min(max(l.selected+delta, 0), len(l.entries)-1)
	l.scroll()
}

func (l *logPanel) followNewest() {
	l.follow = true
	l.scroll()
}

func (l *logPanel) setHeight(h int) {
	l.height = max(1, h)
	l.scroll()
}

func (l *logPanel) selectedEntry() *entry {
	if l.selected < 0 || l.selected >= len(l.entries) {
		return nil
	}
	return l.entries[l.selected]
}

// scroll keeps the selected entry visible, looking at no more entries than
// fit on the screen.
func (l *logPanel) scroll() {
	if len(l.entries) == 0 {
		l.selected, l.top = 0, 0
		return
	}
	if l.follow {
		l.selected = len(l.entries) - 1
	}
	l.selected = min(max(l.selected, 0), len(l.entries)-1)
	if l.selected < l.top {
		l.top = l.selected
		return
	}
	// The smallest top that still shows all of the selected entry.
	lines, top := 0, l.selected
	for top >= 0 {
		lines += l.entries[top].lineCount()
		if lines > l.height {
			break
		}
		top--
	}
	top = min(top+1, l.selected)
	if top > l.top {
		l.top = top
	}
}

// view renders the visible log lines, each exactly w cells wide, at most
// h lines. The cost depends on h, not on the length of the history; and an
// entry's lines are laid out once (entry.draw), not every frame.
func (l *logPanel) view(st styles, w, h int, focused bool) []string {
	if len(l.entries) == 0 {
		return []string{fit(st.dim.Render("waiting for requests to site B…"), w)}
	}
	cols := newLogColumns(w)
	lines := make([]string, 0, h)
	for i := l.top; i < len(l.entries) && len(lines) < h; i++ {
		d := l.entries[i].draw(cols, st, w)
		shown := d.plain
		if i == l.selected {
			shown = d.selectedLines(l.entries[i], cols, st, focused)
		}
		lines = append(lines, shown[:min(len(shown), h-len(lines))]...)
	}
	return lines
}

// drawnLines are an entry's log lines as laid out for a panel w cells wide
// at the entry's version then: plain, and — made when the entry is first
// selected — with the selection mark and style, focused [1] or not [0].
type drawnLines struct {
	ok       bool
	w        int
	version  int
	plain    []string
	selected [2][]string
}

// draw returns the entry's lines for a panel w cells wide, laid out again
// only if the width or the entry changed since they last were.
func (e *entry) draw(c logColumns, st styles, w int) *drawnLines {
	d := &e.drawn
	if !d.ok || d.w != w || d.version != e.version {
		*d = drawnLines{ok: true, w: w, version: e.version, plain: e.marked(c, st, w, "  ")}
	}
	return d
}

// selectedLines are e's lines as the selected entry shows them.
func (d *drawnLines) selectedLines(e *entry, c logColumns, st styles, focused bool) []string {
	k, style := 0, st.title
	if focused {
		k, style = 1, st.selected
	}
	if d.selected[k] == nil {
		d.selected[k] = e.marked(c, st, d.w, "› ")
		for j, line := range d.selected[k] {
			d.selected[k][j] = style.Render(line)
		}
	}
	return d.selected[k]
}

// marked lays out the entry's lines w cells wide behind the selection
// mark: first on its first line, blank on the others.
func (e *entry) marked(c logColumns, st styles, w int, first string) []string {
	lines := e.lines(c, st)
	for j, line := range lines {
		mark := "  "
		if j == 0 {
			mark = first
		}
		lines[j] = fit(mark+line, w)
	}
	return lines
}

// logColumns are the widths of the log's columns for one panel width.
type logColumns struct {
	time, method, path, status, note int
}

func newLogColumns(w int) logColumns {
	c := logColumns{time: 8, method: 7, status: 3}
	rest := w - 2 - 2 - c.method - 1 - c.status - 1 // selection mark, marker
	if w >= 60 {
		rest -= c.time + 1
	} else {
		c.time = 0
	}
	c.path = min(max(rest*2/5, 6), 28)
	c.note = max(rest-c.path-1, 1)
	return c
}

// row lays out one log line: marker, time, method, path, status, note.
func (c logColumns) row(marker string, t time.Time, method, path, status, note string) string {
	var sb strings.Builder
	sb.WriteString(marker + " ")
	if c.time > 0 {
		ts := ""
		if !t.IsZero() {
			ts = t.Format("15:04:05")
		}
		sb.WriteString(fit(ts, c.time) + " ")
	}
	sb.WriteString(fit(method, c.method) + " " + fit(path, c.path) + " " + fit(status, c.status) + " " + note)
	return sb.String()
}

// text lays out a line that is only a marker, a time and some text.
func (c logColumns) text(marker string, t time.Time, s string) string {
	if c.time > 0 {
		return marker + " " + fit(t.Format("15:04:05"), c.time) + " " + s
	}
	return marker + " " + s
}

// lines renders the entry's log lines.
func (e *entry) lines(c logColumns, st styles) []string {
	switch e.kind {
	case entryLost:
		return []string{st.bad.Render(c.text("!", e.time, fmt.Sprintf("missed %d events (the console fell behind)", e.lost)))}
	case entryPolicy:
		if e.changes > 1 {
			return []string{c.text("•", e.time, fmt.Sprintf("policy changed ×%d by %s", e.changes, e.p.By))}
		}
		return []string{c.text("•", e.time, "policy changed by "+e.p.By)}
	case entryExchange:
		x := e.x
		return []string{c.row("←", e.time, x.Method, x.Path, strconv.Itoa(x.Status), exchangeNote(x))}
	}
	// A trial: its account's headline, as the journal built it.
	t := e.t
	mark, status := "…", ""
	if o := t.Outcome; o != nil {
		if o.OK {
			mark, status = st.ok.Render("✓"), strconv.Itoa(o.Status)
		} else {
			mark, status = st.bad.Render("✗"), "—"
		}
	}
	if t.Mismatch != "" {
		mark = st.bad.Render("⚠")
	}
	note := t.Headline
	if note == "" {
		note = "waiting for the page"
	}
	if t.Request.Label != "" {
		note += " · " + t.Request.Label
	}
	out := []string{c.row(mark, e.time, t.Request.Method, pathOf(t.Request.URL), status, note)}
	sub := c
	sub.time = 0
	indent := "  " // sublines: the ← sits in the time column
	if c.time > 0 {
		indent = strings.Repeat(" ", c.time+1)
	}
	for i, x := range t.Exchanges {
		if i == maxSublines && len(t.Exchanges) > maxSublines+1 {
			out = append(out, indent+st.dim.Render(fmt.Sprintf("  … %d more exchanges", len(t.Exchanges)-maxSublines)))
			break
		}
		out = append(out, indent+sub.row("←", time.Time{}, x.Method, x.Path, strconv.Itoa(x.Status), exchangeNote(&x)))
	}
	return out
}

// exchangeNote is the log's short note for an exchange: what it was or
// did, and the Access-Control-Allow-Origin site B answered with.
func exchangeNote(x *journal.Exchange) string {
	var parts []string
	if x.Preflight {
		parts = append(parts, "preflight")
	}
	if x.Effect != nil {
		parts = append(parts, x.Effect.String())
	}
	if acao := x.ResponseHeader.Values("Access-Control-Allow-Origin"); len(acao) > 0 {
		parts = append(parts, "ACAO "+strings.Join(acao, " | "))
	} else {
		parts = append(parts, "no ACAO")
	}
	return strings.Join(parts, " · ")
}

// pathOf returns the path and query of a URL, or the URL if it has none.
func pathOf(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return s
	}
	return u.RequestURI()
}
