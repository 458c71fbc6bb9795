package tui

import (
	"slices"

	"charm.land/bubbles/v2/key"
)

// keyMap is every key the console answers to. Which ones the help line
// shows depends on the focus and on whether a prompt is open.
type keyMap struct {
	// Policy panel
	Up, Down    key.Binding
	Prev, Next  key.Binding // cycle through the row's common values
	Edit        key.Binding
	Where       key.Binding // preflight+actual → preflight only → actual only
	Remove      key.Binding
	Add         key.Binding
	Save, Open  key.Binding
	FocusSwitch key.Binding
	NextLesson  key.Binding // start the next lesson (with its policy)
	PrevLesson  key.Binding

	// Live log
	Follow       key.Binding
	Clear        key.Binding
	DetailUp     key.Binding
	DetailDown   key.Binding
	Export       key.Binding // the policy as rs/cors, Express, nginx… config, in the detail area
	Browser      key.Binding // the browser the detail explains for: the page's → Chromium → Firefox → Safari
	Help, Quit   key.Binding
	Apply        key.Binding // in a prompt
	Cancel       key.Binding // in a prompt
	EscapeHint   key.Binding // in a prompt: how to type CR/LF (help only)
	ForceQuit    key.Binding
	placeholders key.Binding // help only: the placeholders a value may hold
}

func defaultKeys() keyMap {
	return keyMap{
		Up:          key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:        key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Prev:        key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "prev value")),
		Next:        key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "next value")),
		Edit:        key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit value")),
		Where:       key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "where: both/pre/act")),
		Remove:      key.NewBinding(key.WithKeys("x", "delete"), key.WithHelp("x/del", "remove header")),
		Add:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add header")),
		Save:        key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "save policy")),
		Open:        key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "open policy")),
		FocusSwitch: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "policy ↔ log")),
		NextLesson:  key.NewBinding(key.WithKeys("n"), key.WithHelp("n/p", "next/prev lesson")),
		PrevLesson:  key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "prev lesson")),
		Follow:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "follow newest")),
		Clear:       key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "clear log")),
		DetailUp:    key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "detail up")),
		DetailDown:  key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "detail down")),
		Export:      key.NewBinding(key.WithKeys("E"), key.WithHelp("E", "export policy (←→ format, esc)")),
		Browser:     key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "explain for: page's/Chromium/Firefox/Safari")),
		Help:        key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:   key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Apply:       key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		EscapeHint:  key.NewBinding(key.WithKeys(`\`), key.WithHelp(`\r \n \t \xHH`, "type control bytes")),
		placeholders: key.NewBinding(key.WithKeys("{"),
			key.WithHelp("{origin} {request-method} {request-headers}", "placeholders")),
	}
}

// helpKeys is the help.KeyMap for one state of the console.
type helpKeys struct {
	short []key.Binding
	full  [][]key.Binding
}

func (h helpKeys) ShortHelp() []key.Binding  { return h.short }
func (h helpKeys) FullHelp() [][]key.Binding { return h.full }

// narrowHelp is the width below which the help shows in two columns, and
// the one-line help only what fits on an 80-column terminal.
const narrowHelp = 100

// helpFor returns the bindings worth showing for the focus and prompt
// state, laid out for a window width columns wide.
func (k keyMap) helpFor(f focus, prompting bool, width int) helpKeys {
	if prompting {
		b := []key.Binding{k.Apply, k.Cancel, k.EscapeHint, k.placeholders}
		return helpKeys{short: b, full: [][]key.Binding{b}}
	}
	help := k.Help
	help.SetHelp("?", "more")
	full := [][]key.Binding{
		{k.Up, k.Down, k.Prev, k.Next, k.Edit, k.Where},
		{k.Remove, k.Add, k.Save, k.Open},
		{k.Follow, k.Clear, k.DetailUp, k.DetailDown, k.Export, k.Browser},
		{k.NextLesson, k.FocusSwitch, k.Help, k.Quit},
	}
	if width < narrowHelp { // two columns: every key, none cut off
		full = [][]key.Binding{slices.Concat(full[0], full[1]), slices.Concat(full[2], full[3])}
	}
	// The one-line help: what fits on 80 columns first; the rest on a wider window.
	var short, more []key.Binding
	if f == focusLog {
		short = []key.Binding{shortHelp(k.Up, "↑↓", "select"), shortHelp(k.Follow, "G", "follow"), shortHelp(k.Clear, "c", "clear"),
			shortHelp(k.DetailDown, "pgup/dn", "detail"), shortHelp(k.FocusSwitch, "tab", "policy"), help, k.Quit}
		more = []key.Binding{shortHelp(k.Browser, "b", "browser"), shortHelp(k.Save, "s", "save"), shortHelp(k.Open, "o", "open"), shortHelp(k.Export, "E", "export")}
	} else {
		short = []key.Binding{shortHelp(k.Up, "↑↓", "select"), shortHelp(k.Next, "←→", "value"),
			shortHelp(k.Edit, "e", "edit"), shortHelp(k.Where, "w", "where"), shortHelp(k.Remove, "x", "remove"),
			shortHelp(k.FocusSwitch, "tab", "log"), help, k.Quit}
		more = []key.Binding{shortHelp(k.Add, "a", "add"), shortHelp(k.Save, "s", "save"), shortHelp(k.Open, "o", "open"),
			shortHelp(k.Export, "E", "export"), shortHelp(k.Browser, "b", "browser")}
	}
	if width >= narrowHelp {
		short = append(short, more...)
	}
	return helpKeys{short: short, full: full}
}

// shortHelp returns b with a shorter help text, for the one-line help.
func shortHelp(b key.Binding, keys, desc string) key.Binding {
	b.SetHelp(keys, desc)
	return b
}
