package tui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// styles holds every lipgloss style the console uses. Colour only
// emphasises: every meaning is also carried by a character (›, ▸, ✓, ✗, ←),
// so the console reads the same on a monochrome projector and in tests.
type styles struct {
	header    lipgloss.Style // the top line
	title     lipgloss.Style // a panel's title
	focused   lipgloss.Style // the focused panel's title
	border    lipgloss.Style // a panel's frame
	selected  lipgloss.Style // the selected row or log entry
	dim       lipgloss.Style // secondary text: times, legends, absent values
	cors      lipgloss.Style // Access-Control-* and other CORS headers in the detail
	section   lipgloss.Style // section headings in the detail
	ok        lipgloss.Style // ✓ and informational status lines
	bad       lipgloss.Style // ✗ and error status lines
	helpKey   lipgloss.Style
	helpDesc  lipgloss.Style
	helpSep   lipgloss.Style
	promptTag lipgloss.Style // the label in front of a text prompt
}

func newStyles() styles {
	var (
		accent = lipgloss.Color("#7D56F4")
		grey   = lipgloss.Color("#8A8A8A")
		green  = lipgloss.Color("#3FB950")
		red    = lipgloss.Color("#F85149")
		amber  = lipgloss.Color("#D29922")
	)
	return styles{
		header:    lipgloss.NewStyle().Bold(true),
		title:     lipgloss.NewStyle().Bold(true),
		focused:   lipgloss.NewStyle().Bold(true).Foreground(accent),
		border:    lipgloss.NewStyle().Foreground(grey),
		selected:  lipgloss.NewStyle().Reverse(true),
		dim:       lipgloss.NewStyle().Foreground(grey),
		cors:      lipgloss.NewStyle().Bold(true).Foreground(amber),
		section:   lipgloss.NewStyle().Bold(true).Underline(true),
		ok:        lipgloss.NewStyle().Foreground(green),
		bad:       lipgloss.NewStyle().Foreground(red),
		helpKey:   lipgloss.NewStyle().Foreground(grey).Bold(true),
		helpDesc:  lipgloss.NewStyle().Foreground(grey),
		helpSep:   lipgloss.NewStyle().Foreground(grey),
		promptTag: lipgloss.NewStyle().Bold(true).Foreground(accent),
	}
}

// fit truncates s to w cells (with …) and pads it with spaces to exactly w.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	n := cellWidth(s)
	if n > w {
		s = ansi.Truncate(s, w, "…")
		n = cellWidth(s)
	}
	if n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// cellWidth is ansi.StringWidth(s), the cells s takes on the terminal;
// printable ASCII (no escape sequence, nothing another byte could join
// into a wider cluster) is one cell a byte, counted without segmenting
// it into graphemes.
func cellWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// frame is the set of characters a panel is drawn with.
type frame struct{ tl, tr, bl, br, h, v, lt, rt string }

var (
	thinFrame  = frame{"┌", "┐", "└", "┘", "─", "│", "├", "┤"}
	thickFrame = frame{"┏", "┓", "┗", "┛", "━", "┃", "┣", "┫"}
)

// box draws a panel of exactly w×h cells: a frame with title in its top
// edge and content clipped to the inside. The focused panel gets a thick
// frame, so focus shows without colour.
func (st styles) box(title string, content []string, w, h int, focused bool) []string {
	if w < 4 || h < 2 {
		return blank(w, h)
	}
	fitted := make([]string, 0, min(len(content), h-2))
	for _, l := range content[:min(len(content), h-2)] {
		fitted = append(fitted, fit(l, w-2))
	}
	return st.boxEdges(title, w, focused).draw(fitted, h)
}

// boxEdges is a panel's frame, drawn: the top edge with its title, the
// sides and the bottom edge, for a panel w cells wide (w ≥ 4).
type boxEdges struct {
	top, side, bottom, empty string // empty: a blank line inside the frame
}

func (st styles) boxEdges(title string, w int, focused bool) boxEdges {
	f, ts := thinFrame, st.title
	if focused {
		f, ts = thickFrame, st.focused
	}
	inner := w - 2
	t := ansi.Truncate(" "+title+" ", inner-1, "…")
	side := st.border.Render(f.v)
	return boxEdges{
		top: st.border.Render(f.tl+f.h) + ts.Render(t) +
			st.border.Render(strings.Repeat(f.h, max(0, inner-1-ansi.StringWidth(t)))+f.tr),
		side:   side,
		bottom: st.border.Render(f.bl + strings.Repeat(f.h, inner) + f.br),
		empty:  side + strings.Repeat(" ", inner) + side,
	}
}

// draw frames h-2 lines of content, each exactly w-2 cells wide already
// (fit), blank lines below them: h lines, as box.
func (e boxEdges) draw(fitted []string, h int) []string {
	out := make([]string, 0, h)
	out = append(out, e.top)
	for i := 0; i < h-2; i++ {
		if i < len(fitted) {
			out = append(out, e.side+fitted[i]+e.side)
		} else {
			out = append(out, e.empty)
		}
	}
	return append(out, e.bottom)
}

// blank returns h lines of w spaces.
func blank(w, h int) []string {
	out := make([]string, max(0, h))
	for i := range out {
		out[i] = strings.Repeat(" ", max(0, w))
	}
	return out
}

// joinColumns puts blocks of lines side by side; each block's lines already
// have the block's width.
func joinColumns(blocks ...[]string) []string {
	n := 0
	for _, b := range blocks {
		n = max(n, len(b))
	}
	out := make([]string, n)
	for i := range out {
		var sb strings.Builder
		for _, b := range blocks {
			if i < len(b) {
				sb.WriteString(b[i])
			}
		}
		out[i] = sb.String()
	}
	return out
}

// oneLine flattens text (an error message, say) onto a single line.
func oneLine(s string) string {
	s = strings.NewReplacer("\r\n", " · ", "\n", " · ", "\r", " ").Replace(s)
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
