// Package tui is the teacher's console for corslab: a terminal UI that
// shows site B's CORS policy as a panel of rows the teacher changes with a
// key press (each change is validated and put in force at once), the live
// log of what site B saw and what the page's fetch() calls got, and the
// detail of any one entry, with its CORS headers marked.
//
// The top Model is small: a focus, an optional text prompt, and three
// parts that do the work — policyPanel (policy.go), logPanel (log.go) and
// the detail view (detail.go). Events arrive through a tea.Cmd that reads
// the journal (never through Program.Send from another goroutine), at most
// one batch per frame (16 ms) whatever the rate: the console renders after
// each message, drawing again only the parts of the screen that changed
// (memo.go).
package tui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/regularfile"
)

// Options connects the console to the lab.
type Options struct {
	Hub    *journal.Hub           // live events (subscribe with Hub.Subscribe(replay))
	Policy func() policy.Document // the policy in force (a copy)
	// EditPolicy applies an edit to the document in force and puts the
	// result in force, in one step with every other change (the page's
	// too): the console's edit changes what it says and nothing that
	// another hand changed since the console last drew. On error the old
	// policy stays.
	EditPolicy func(edit func(*policy.Document) error) error
	SiteA      string // site A's URL, shown in the header
	SiteB      string // site B's URL, shown in the header
	// Upstream is the URL site B proxies to (corslab -upstream), "" when
	// site B serves its own endpoints; shown in the header.
	Upstream string
	// Replay is the server site B answers as, from a HAR (corslab
	// -replay), "" otherwise; shown in the header.
	Replay string
	// Lesson describes the current lesson and the progress for the header
	// ("Lesson 4/13 The preflight · 3 done"); nil when there are none.
	Lesson func() string
	// MoveLesson starts the lesson delta steps away (n: +1, p: -1), with
	// its starting policy, and says which it started.
	MoveLesson func(delta int) (string, error)
	// Notice is the status line's first text, until something replaces
	// it: under -lan, the teacher link.
	Notice string
}

// replay is how many recent events the console shows when it starts.
const replay = 200

// Events are read at most once per frameInterval: the program renders the
// whole screen after every message (View, then Bubble Tea's diff of every
// cell: over 1 ms at 120×40), so a message per event cost most of a core
// at 1,000 requests/s. Whatever arrives within a frame comes in one
// message, up to eventBatch (the lab's history: more than that in 16 ms is
// lost anyway, and said so). An event after a quiet spell is read at once.
const (
	frameInterval = 16 * time.Millisecond
	eventBatch    = 4096
)

// clock is the time the event reader reads; tests give a fake one.
type clock struct {
	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) // returns early when ctx ends
}

var realClock = clock{now: time.Now, sleep: func(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}}

// focus is which panel the arrow keys drive.
type focus uint8

const (
	focusPolicy focus = iota
	focusLog
)

// Messages.
type (
	// eventsMsg carries events read from the journal, and how many were lost.
	eventsMsg struct {
		events []*journal.Event
		lost   uint64
		at     time.Time // when they were read
	}
	// eventsDoneMsg says the subscription ended (the console is stopping).
	eventsDoneMsg struct{ err error }
	// statusMsg is a result to show on the status line.
	statusMsg struct {
		text string
		err  error
	}
	// loadedMsg carries a policy document read from a file.
	loadedMsg struct {
		path string
		doc  policy.Document
	}
)

// Model is the console's top model. Create it with New.
type Model struct {
	opts   Options
	ctx    context.Context
	sub    *journal.Subscription
	clock  clock
	read   time.Time // when the last batch of events was read
	keys   keyMap
	help   help.Model
	st     styles
	width  int
	height int

	focus  focus
	prompt prompt
	policy policyPanel
	log    logPanel
	detail viewport.Model
	// detailSet is the detail's content as last set (renderDetail).
	detailSet *detailContent
	shown     *entry // the entry the detail shows
	shownV    int    // and its version
	export    exportView
	// browser is the browser the detail explains trials for; nil: each
	// trial's own (the page's, as its account says).
	browser *fetch.Browser

	status statusMsg
	drawn  *drawnParts // the screen's parts, kept between frames
}

// New returns the console's model. If opts.Hub is set it subscribes at
// once (replaying recent events); Run closes the subscription, and a caller
// that drives the model itself should call Close.
func New(opts Options) Model {
	st := newStyles()
	h := help.New()
	h.ShortSeparator = "  "
	h.Styles.ShortKey, h.Styles.FullKey = st.helpKey, st.helpKey
	h.Styles.ShortDesc, h.Styles.FullDesc = st.helpDesc, st.helpDesc
	h.Styles.ShortSeparator, h.Styles.FullSeparator, h.Styles.Ellipsis = st.helpSep, st.helpSep, st.helpSep
	m := Model{
		opts:   opts,
		ctx:    context.Background(),
		clock:  realClock,
		keys:   defaultKeys(),
		help:   h,
		st:     st,
		policy: newPolicyPanel(opts),
		log:    newLogPanel(),
		detail: viewport.New(),
		status: statusMsg{text: opts.Notice},
		drawn:  &drawnParts{},
	}
	if opts.Hub != nil {
		m.sub = opts.Hub.Subscribe(replay)
	}
	m.resize(80, 24)
	return m
}

// Close releases the journal subscription.
func (m Model) Close() {
	if m.sub != nil {
		m.sub.Close()
	}
}

// Init starts reading events.
func (m Model) Init() tea.Cmd { return m.waitEvents() }

// waitEvents is the Cmd that reads the next batch of events: no sooner
// than frameInterval after the last.
func (m Model) waitEvents() tea.Cmd {
	if m.sub == nil {
		return nil
	}
	ctx, sub, c, next := m.ctx, m.sub, m.clock, m.read.Add(frameInterval)
	return func() tea.Msg {
		if d := next.Sub(c.now()); d > 0 {
			c.sleep(ctx, d)
		}
		events, lost, err := sub.Next(ctx, nil, eventBatch)
		if err != nil {
			return eventsDoneMsg{err}
		}
		return eventsMsg{events: events, lost: lost, at: c.now()}
	}
}

// Update handles a message.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case eventsMsg:
		m.read = msg.at
		if m.log.add(msg.events, msg.lost) {
			m.policy.refresh() // changed elsewhere too: show the truth
		}
		m.syncDetail()
		m.refreshExport()
		return m, m.waitEvents()
	case eventsDoneMsg:
		return m, nil
	case statusMsg:
		m.status = msg
		return m, nil
	case loadedMsg:
		m.setStatus(m.policy.apply(func(d *policy.Document) { *d = msg.doc }, "loaded "+msg.path))
		m.refreshExport()
		return m, nil
	case tea.KeyPressMsg:
		next, cmd := m.handleKey(msg)
		if n, ok := next.(Model); ok && n.export.on {
			n.refreshExport() // the policy may have changed
			return n, cmd
		}
		return next, cmd
	}
	if m.prompt.active() { // paste, cursor blink
		return m, m.prompt.update(msg)
	}
	return m, nil
}

// handleKey dispatches a key press to the prompt, the global keys or the focused panel.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.ForceQuit):
		return m, tea.Quit
	case m.prompt.active():
		return m.handlePromptKey(msg)
	case key.Matches(msg, k.Quit):
		return m, tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.resize(m.width, m.height)
	case key.Matches(msg, k.FocusSwitch):
		m.focus = 1 - m.focus
	case key.Matches(msg, k.Save):
		return m, m.openPrompt(promptSave, "save policy to", defaultPolicyFile)
	case key.Matches(msg, k.Open):
		return m, m.openPrompt(promptOpen, "open policy from", defaultPolicyFile)
	case key.Matches(msg, k.Follow):
		m.log.followNewest()
		m.syncDetail()
	case key.Matches(msg, k.Clear):
		m.log.clear()
		m.syncDetail()
	case key.Matches(msg, k.NextLesson) && m.opts.MoveLesson != nil:
		m.setStatus(m.opts.MoveLesson(1))
	case key.Matches(msg, k.PrevLesson) && m.opts.MoveLesson != nil:
		m.setStatus(m.opts.MoveLesson(-1))
	case key.Matches(msg, k.DetailUp):
		m.detail.PageUp()
	case key.Matches(msg, k.DetailDown):
		m.detail.PageDown()
	case key.Matches(msg, k.Browser):
		m.cycleBrowser()
	case key.Matches(msg, k.Export):
		m.toggleExport()
	case m.export.on && key.Matches(msg, k.Cancel):
		m.toggleExport()
	case m.export.on && key.Matches(msg, k.Prev):
		m.export.cycle(-1)
	case m.export.on && key.Matches(msg, k.Next):
		m.export.cycle(1)
	case m.focus == focusLog:
		m.handleLogKey(msg)
	default:
		return m.handlePolicyKey(msg)
	}
	return m, nil
}

func (m *Model) handleLogKey(msg tea.KeyPressMsg) {
	switch {
	case key.Matches(msg, m.keys.Up):
		m.log.move(-1)
	case key.Matches(msg, m.keys.Down):
		m.log.move(1)
	}
	m.syncDetail()
}

func (m Model) handlePolicyKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k, p := m.keys, &m.policy
	switch {
	case key.Matches(msg, k.Up):
		p.move(-1)
	case key.Matches(msg, k.Down):
		p.move(1)
	case key.Matches(msg, k.Prev):
		m.setStatus(p.cycle(-1))
	case key.Matches(msg, k.Next):
		m.setStatus(p.cycle(1))
	case key.Matches(msg, k.Where):
		m.setStatus(p.cycleWhere())
	case key.Matches(msg, k.Remove):
		m.setStatus(p.remove())
	case key.Matches(msg, k.Edit):
		r := p.current()
		label := r.header
		switch {
		case r.isStatus():
			label = "preflight status"
		case r.isFailures():
			label = "failure paths (comma-separated)"
		}
		return m, m.openPrompt(promptEdit, label, p.editText())
	case key.Matches(msg, k.Add):
		return m, m.openPrompt(promptAdd, "add header (Name: value)", "")
	}
	return m, nil
}

func (m *Model) openPrompt(kind promptKind, label, value string) tea.Cmd {
	m.status = statusMsg{}
	cmd := m.prompt.open(kind, label, value, m.width)
	m.resize(m.width, m.height) // the help line changes
	return cmd
}

func (m Model) handlePromptKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Cancel):
		m.prompt.close()
		m.status = statusMsg{text: "cancelled"}
	case key.Matches(msg, m.keys.Apply):
		kind, value := m.prompt.kind, m.prompt.value()
		m.prompt.close()
		m.resize(m.width, m.height)
		return m.submit(kind, value)
	default:
		return m, m.prompt.update(msg)
	}
	m.resize(m.width, m.height)
	return m, nil
}

// submit acts on a prompt's text.
func (m Model) submit(kind promptKind, value string) (tea.Model, tea.Cmd) {
	switch kind {
	case promptEdit:
		m.setStatus(m.policy.setText(value))
	case promptAdd:
		m.setStatus(m.policy.addHeader(value))
	case promptSave:
		return m, savePolicy(strings.TrimSpace(value), m.policy.get())
	case promptOpen:
		return m, loadPolicy(strings.TrimSpace(value))
	}
	return m, nil
}

// savePolicy writes the policy in force to path.
func savePolicy(path string, d policy.Document) tea.Cmd {
	return func() tea.Msg {
		if path == "" {
			path = defaultPolicyFile
		}
		if err := os.WriteFile(path, d.Encode(), 0o644); err != nil {
			return statusMsg{err: err}
		}
		return statusMsg{text: "saved the policy to " + path}
	}
}

// loadPolicy reads and parses a policy file; Update puts it in force.
func loadPolicy(path string) tea.Cmd {
	return func() tea.Msg {
		if path == "" {
			path = defaultPolicyFile
		}
		data, err := regularfile.Read(path, regularfile.MaxSize)
		if err != nil {
			return statusMsg{err: fmt.Errorf("policy unchanged: %w", err)}
		}
		d, err := policy.ParseDocument(data)
		if err != nil {
			return statusMsg{err: fmt.Errorf("policy unchanged: %s: %w", path, err)}
		}
		return loadedMsg{path: path, doc: d}
	}
}

// setStatus shows the result of a policy change.
func (m *Model) setStatus(text string, err error) {
	if err != nil {
		err = fmt.Errorf("policy unchanged: %w", err)
	}
	m.status = statusMsg{text: text, err: err}
}

// cycleBrowser moves to the next browser the detail explains for: the
// page's own → Chromium → Firefox → Safari (WebKit) → the page's own.
func (m *Model) cycleBrowser() {
	bs := fetch.Browsers()
	switch i := slices.Index(bs, m.browser); {
	case m.browser == nil:
		m.browser = bs[0]
	case i == len(bs)-1:
		m.browser = nil
	default:
		m.browser = bs[i+1]
	}
	m.status = statusMsg{text: "the detail explains trials as " + m.browserTitle() + " would"}
	m.renderDetail()
}

// browserTitle names the browser the detail explains for.
func (m Model) browserTitle() string {
	if m.browser == nil {
		return "the page's browser"
	}
	return m.browser.Title
}

// shownBrowser names the browser the selected trial is explained for:
// the one chosen with b, else the page's, as the trial's account says.
func (m Model) shownBrowser() string {
	if m.browser != nil {
		return m.browser.Title
	}
	if e := m.shown; e != nil && e.kind == entryTrial && e.t.Browser != "" {
		if b, err := fetch.BrowserNamed(e.t.Browser); err == nil {
			return b.Title
		}
	}
	return ""
}

// syncDetail re-renders the detail when the selected entry, or its state, changed.
func (m *Model) syncDetail() {
	e := m.log.selectedEntry()
	if e == m.shown && (e == nil || e.version == m.shownV) && m.detail.TotalLineCount() > 0 {
		return
	}
	if e != m.shown {
		m.detail.GotoTop()
	}
	m.shown = e
	if e != nil {
		m.shownV = e.version
	}
	m.renderDetail()
}

// renderDetail sets the detail's content, wrapped to its width.
func (m *Model) renderDetail() {
	w := m.detail.Width()
	var out []string
	src := detailLines(m.shown, m.st, m.browser)
	if m.export.on {
		src = m.export.lines(m.opts.Policy, m.st)
	}
	for _, l := range src {
		out = append(out, wrap(l, w)...)
	}
	m.detailSet = newDetailContent(out)
	m.detail.SetContentLines(out)
}

// Layout: the header line, the panels, the status line and the help.

func (m *Model) resize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 6)
	m.help.SetWidth(m.width)
	lw, _, logH, detH := m.layout()
	rw := m.width - lw
	m.log.setHeight(logH - 2)
	m.detail.SetWidth(max(1, rw-2))
	m.detail.SetHeight(max(1, detH-2))
	m.renderDetail()
	if m.prompt.active() {
		m.prompt.setWidth(m.width)
	}
}

// layout returns the policy panel's width, the body's height, and the
// heights of the log and detail panels.
func (m Model) layout() (policyW, bodyH, logH, detailH int) {
	bodyH = max(m.height-len(m.statusLines())-len(m.headerLines())-len(m.helpLines()), 4)
	policyW = min(max(34, m.width*37/100), 48)
	if m.width < 60 {
		policyW = m.width / 2
	}
	logH = max(bodyH*2/5, 4)
	detailH = max(bodyH-logH, 0)
	return
}

// View renders the console.
func (m Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "corslab"
	return v
}

// render draws exactly the window's lines, none wider than the window:
// the panels are boxes exactly as wide as the layout gives them, and the
// lines around them are clipped to the window (clip) as they are drawn.
func (m Model) render() string {
	lw, bodyH, logH, detH := m.layout()
	rw := m.width - lw
	lines := make([]string, 0, m.height)
	lines = append(lines, m.headerLines()...)
	right := make([]string, 0, bodyH)
	right = append(right, m.logBox(rw, logH)...)
	if detH >= 2 {
		right = append(right, m.detailBox(rw, detH)...)
	}
	lines = append(lines, joinColumns(m.policyBox(lw, bodyH), right)...)
	lines = append(lines, m.statusLines()...)
	lines = append(lines, m.helpLines()...)
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	return strings.Join(lines, "\n")
}

// clip cuts lines wider than width cells, with …; it changes lines.
func clip(lines []string, width int) []string {
	for i, l := range lines {
		if cellWidth(l) > width {
			lines[i] = ansi.Truncate(l, width, "…")
		}
	}
	return lines
}

// policyBox is the policy panel, w×h cells, drawn again only when its
// rows, its cursor, its size or the focus changed.
func (m Model) policyBox(w, h int) []string {
	focused := m.focus == focusPolicy
	draw := func() []string {
		return m.st.box("Site B policy", m.policy.view(m.st, w-2, h-2, focused), w, h, focused)
	}
	if len(m.policy.rows) == 0 {
		return draw()
	}
	return m.drawn.policy.get(policyKey{rows: &m.policy.rows[0], n: len(m.policy.rows), cursor: m.policy.cursor,
		w: w, h: h, focused: focused}, draw)
}

// logBox is the live log, w×h cells: its frame is kept, its lines are
// the visible entries' (each laid out once, logPanel.view).
func (m Model) logBox(w, h int) []string {
	if w < 4 || h < 2 {
		return blank(w, h)
	}
	focused := m.focus == focusLog
	title := "Live log"
	if !m.log.follow {
		title += " (paused: G follows)"
	}
	edges := m.drawn.logEdge.get(edgeKey{title: title, w: w, focused: focused}, func() boxEdges {
		return m.st.boxEdges(title, w, focused)
	})
	return edges.draw(m.log.view(m.st, w-2, h-2, focused), h)
}

// detailBox is the detail panel, w×h cells, drawn again only when its
// content, its scroll position, its size or its title changed.
func (m Model) detailBox(w, h int) []string {
	title := "Detail"
	if b := m.shownBrowser(); b != "" {
		title += " · " + b
	}
	if m.export.on {
		title = m.export.title()
	}
	switch {
	case !m.detail.AtBottom():
		title += " (pgdn: more)"
	case !m.detail.AtTop():
		title += " (pgup: back)"
	}
	return m.drawn.detail.get(detailKey{content: m.detailSet, yOffset: m.detail.YOffset(), xOffset: m.detail.XOffset(),
		vw: m.detail.Width(), vh: m.detail.Height(), w: w, h: h, title: title}, func() []string {
		lines, _ := m.drawDetail(title, w, h)
		return lines
	})
}

// helpLines is the help, as many lines as it takes.
func (m Model) helpLines() []string {
	prompting := m.prompt.active()
	return m.drawn.help.get(helpKey{focus: m.focus, prompting: prompting, showAll: m.help.ShowAll, width: m.width}, func() []string {
		return clip(strings.Split(m.help.View(m.keys.helpFor(m.focus, prompting, m.width)), "\n"), m.width)
	})
}

// headerLines is the header: one line when the sites' URLs fit on it
// whole; else a second line with the URLs to open — a teacher must be able
// to read them on screen, not only after quitting.
func (m Model) headerLines() []string {
	lesson := ""
	if m.opts.Lesson != nil {
		lesson = m.opts.Lesson()
	}
	k := headerKey{lesson: lesson, summary: m.policySummary(), browser: m.browserTitle(), width: m.width}
	return m.drawn.header.get(k, func() []string {
		one := m.headerLine(lesson, k.summary)
		if plain := ansi.Strip(one); strings.Contains(plain, m.opts.SiteA) && strings.Contains(plain, m.opts.SiteB) {
			return clip([]string{one}, m.width)
		}
		return clip([]string{one, m.st.header.Render(fit(fmt.Sprintf(" open %s  ·  site B %s", m.opts.SiteA, m.opts.SiteB), m.width))}, m.width)
	})
}

// headerLine is the header's first line: the lesson (when there are
// lessons), the sites and the policy's summary.
func (m Model) headerLine(lesson, summary string) string {
	left := fmt.Sprintf(" corslab · site A %s → site B %s", m.opts.SiteA, m.opts.SiteB)
	if ansi.StringWidth(left)+34 > m.width {
		left = fmt.Sprintf(" corslab · A %s → B %s", m.opts.SiteA, m.opts.SiteB)
	}
	if m.opts.Lesson != nil { // the lesson first: the sites' URLs are what may be cut
		left = fmt.Sprintf(" corslab · %s · A %s → B %s", lesson, m.opts.SiteA, m.opts.SiteB)
	}
	if m.opts.Upstream != "" { // before the sites' URLs, which are what may be cut
		left = " corslab · site B → proxy to " + m.opts.Upstream + " ·" + strings.TrimPrefix(left, " corslab ·")
	}
	if m.opts.Replay != "" {
		left = " corslab · site B replays " + m.opts.Replay + " ·" + strings.TrimPrefix(left, " corslab ·")
	}
	right := summary
	if m.browser != nil { // chosen with b; else each trial's own, said in the detail's title
		right = "as " + m.browser.Title + " · " + right
	}
	right += " "
	room := m.width - ansi.StringWidth(right) - 1
	if room < 10 {
		return m.st.header.Render(fit(left, m.width))
	}
	return m.st.header.Render(fit(left, room) + " " + right)
}

// policySummary is the policy in force in a few words.
func (m Model) policySummary() string {
	s := "policy: closed (no CORS headers)"
	if n := m.policy.headerCount(); n > 0 {
		s = fmt.Sprintf("policy: %d header", n)
		if n > 1 {
			s += "s"
		}
	}
	if st := m.policy.doc.Preflight.Status; st != 0 && st != policy.DefaultPreflightStatus {
		s += fmt.Sprintf(", preflight %d", st)
	}
	if n := len(m.policy.doc.Actual.Failures); n > 0 {
		s += fmt.Sprintf(", %d failure path", n)
		if n > 1 {
			s += "s"
		}
	}
	return s
}

// statusLines are the prompt when one is open, else the last result, wrapped.
func (m Model) statusLines() []string {
	if m.prompt.active() {
		return []string{ansi.Truncate(m.prompt.view(m.st), m.width, "…")}
	}
	k := statusKey{text: m.status.text, isErr: m.status.err != nil, width: m.width}
	if k.isErr {
		k.err = m.status.err.Error()
	}
	return m.drawn.status.get(k, func() []string {
		switch {
		case k.isErr:
			return clip(m.wrapStatus(" ✗ "+oneLine(k.err), m.st.bad), m.width)
		case k.text != "":
			return clip(m.wrapStatus(" ✓ "+oneLine(k.text), m.st.ok), m.width)
		}
		return []string{""}
	})
}

// maxStatusLines bounds how many lines a long reason takes from the panels.
const maxStatusLines = 3

// wrapStatus wraps a status at word boundaries, onto at most
// maxStatusLines lines (the last cut with … only past those): a reason is
// read whole, not cut mid-word at the window's edge.
func (m Model) wrapStatus(s string, st lipgloss.Style) []string {
	if m.width <= 3 {
		return []string{st.Render(fit(s, m.width))}
	}
	lines := strings.Split(ansi.Wrap(s, m.width-4, ""), "\n")
	if len(lines) > maxStatusLines {
		lines = lines[:maxStatusLines]
		lines[maxStatusLines-1] = ansi.Truncate(lines[maxStatusLines-1]+" …", m.width-1, "…")
	}
	for i, l := range lines {
		if i > 0 {
			l = "   " + strings.TrimLeft(l, " ")
		}
		lines[i] = st.Render(fit(l, m.width))
	}
	return lines
}

// Run runs the console on in and out (the alternate screen) until the user
// quits (q, ctrl+c) or ctx ends, and restores the terminal. Ending because
// ctx ended, or on SIGINT/SIGTERM, is not an error.
func Run(ctx context.Context, opts Options, in io.Reader, out io.Writer) error {
	return run(ctx, opts, in, out)
}

// run is Run with extra program options, for tests (window size, colour profile).
func run(parent context.Context, opts Options, in io.Reader, out io.Writer, extra ...tea.ProgramOption) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	m := New(opts)
	m.ctx = ctx
	defer m.Close()
	p := tea.NewProgram(m, append([]tea.ProgramOption{
		tea.WithContext(ctx), tea.WithInput(in), tea.WithOutput(out),
	}, extra...)...)
	_, err := p.Run()
	cancel() // ends the pending read of the journal before Close
	switch {
	case err == nil, errors.Is(err, tea.ErrInterrupted):
		return nil
	case errors.Is(err, tea.ErrProgramKilled) && parent.Err() != nil:
		return nil
	}
	return err
}
