package tui

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// promptKind says what an open text prompt is for.
type promptKind uint8

const (
	promptNone promptKind = iota
	promptEdit            // a header value or the preflight status
	promptAdd             // a new header, "Name: value"
	promptSave            // the file to save the policy to
	promptOpen            // the file to load a policy from
)

// defaultPolicyFile is offered by the save and open prompts.
const defaultPolicyFile = "corslab-policy.json"

// prompt is the one-line text input shown in the status line.
//
// A bubbles textinput turns CR, LF and tabs into spaces, which would hide
// exactly what a teacher wants to show (a header value that tries to inject
// a second header). So header text is edited in escaped form: pasted
// control bytes appear as \r \n \t \xHH, the same can be typed, and the
// text is unescaped before it goes to site B's validation.
type prompt struct {
	kind  promptKind
	label string
	input textinput.Model
}

func (p prompt) active() bool { return p.kind != promptNone }

// escaped is whether the prompt's text is a header value in escaped form.
func (p prompt) escaped() bool { return p.kind == promptEdit || p.kind == promptAdd }

// open starts a prompt with an initial value.
func (p *prompt) open(kind promptKind, label, value string, width int) tea.Cmd {
	p.kind, p.label = kind, label
	p.input = textinput.New()
	p.input.Prompt = ""
	p.input.CharLimit = 4096
	if p.escaped() {
		value = escapeValue(value)
	}
	p.input.SetValue(value)
	p.input.CursorEnd()
	p.setWidth(width)
	return p.input.Focus()
}

func (p *prompt) close() { *p = prompt{} }

func (p *prompt) setWidth(width int) {
	p.input.SetWidth(max(1, width-len([]rune(p.label))-4))
}

// value is the text to act on, unescaped for header values.
func (p prompt) value() string {
	if p.escaped() {
		return unescapeValue(p.input.Value())
	}
	return p.input.Value()
}

// update passes a message to the text input, escaping control bytes in
// pasted or typed text first so the input does not silently drop them.
func (p *prompt) update(msg tea.Msg) tea.Cmd {
	if p.escaped() {
		switch m := msg.(type) {
		case tea.PasteMsg:
			msg = tea.PasteMsg{Content: escapeValue(m.Content)}
		case tea.KeyPressMsg:
			if hasControl(m.Text) {
				msg = tea.PasteMsg{Content: escapeValue(m.Text)}
			}
		}
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	return cmd
}

func (p prompt) view(st styles) string {
	return st.promptTag.Render(p.label+" ›") + " " + p.input.View()
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

// escapeValue writes control bytes as \r \n \t \xHH, and doubles a
// backslash only where it would otherwise start one of those escapes, so
// ordinary text round-trips unchanged.
func escapeValue(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\r':
			sb.WriteString(`\r`)
		case c == '\n':
			sb.WriteString(`\n`)
		case c == '\t':
			sb.WriteString(`\t`)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&sb, `\x%02x`, c)
		case c == '\\' && i+1 < len(s) && strings.IndexByte(`rntx\`, s[i+1]) >= 0:
			sb.WriteString(`\\`)
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

// unescapeValue reverses escapeValue; a backslash that starts no escape is kept.
func unescapeValue(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			sb.WriteByte(c)
			continue
		}
		switch s[i+1] {
		case 'r':
			sb.WriteByte('\r')
		case 'n':
			sb.WriteByte('\n')
		case 't':
			sb.WriteByte('\t')
		case '\\':
			sb.WriteByte('\\')
		case 'x':
			if i+3 < len(s) {
				if b, err := strconv.ParseUint(s[i+2:i+4], 16, 8); err == nil {
					sb.WriteByte(byte(b))
					i += 3
					continue
				}
			}
			sb.WriteByte(c)
			continue
		default:
			sb.WriteByte(c)
			continue
		}
		i++
	}
	return sb.String()
}
