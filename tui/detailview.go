package tui

import (
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The detail's window is the viewport's (bubbles' viewport keeps the
// scroll position), but its View restyles the whole window with lipgloss
// — wraps it, measures every line, pads it — and at 1,000 requests/s the
// detail follows a new entry every frame. For lines that restyling leaves
// as they are, the window is cut from the content here; for any other
// (TestDetailWindowIsTheViewports), the viewport draws it.

// detailContent is the detail's content as renderDetail last set it, and
// which of its lines the viewport's View would show unchanged.
type detailContent struct {
	lines []string
	// plain[i]: line i has no tab (lipgloss expands it), no control
	// character, no escape sequence but SGR ones, the last a reset
	// (lipgloss carries a style left open onto the next line), and ends
	// in ASCII (a character that joins the next one into a grapheme, as
	// U+0601 does, would join the padding and take another width).
	plain []bool
	// split: the viewport splits lines at a CR or LF, which shifts the
	// lines after them: no line is shown from here.
	split bool
	// empty: the viewport keeps one line of no width as no content.
	empty bool
}

func newDetailContent(lines []string) *detailContent {
	c := &detailContent{lines: lines, plain: make([]bool, len(lines))}
	c.empty = len(lines) == 1 && ansi.StringWidth(lines[0]) == 0
	for i, l := range lines {
		c.split = c.split || strings.ContainsAny(l, "\r\n")
		c.plain[i] = plainLine(l)
	}
	return c
}

// plainLine reports whether s is valid UTF-8 with no control character
// (C0, DEL, C1) other than ESC, every ESC starts an SGR sequence (ESC [
// digits ; : m), the last of them a reset (ESC [ m or ESC [ 0 m), and its
// last byte is ASCII.
func plainLine(s string) bool {
	if !utf8.ValidString(s) || s != "" && s[len(s)-1] >= utf8.RuneSelf {
		return false
	}
	last := ""
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == 0x1b:
			j := i + 1
			if j >= len(s) || s[j] != '[' {
				return false
			}
			for j++; j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == ';' || s[j] == ':'); j++ {
			}
			if j >= len(s) || s[j] != 'm' {
				return false
			}
			last, i = s[i:j+1], j
		case c < 0x20 || c == 0x7f:
			return false
		case c == 0xc2 && i+1 < len(s) && s[i+1] >= 0x80 && s[i+1] <= 0x9f: // U+0080–U+009F
			return false
		}
	}
	return last == "" || last == "\x1b[m" || last == "\x1b[0m"
}

// drawDetail frames the detail's window w×h under title: cut from the
// content (cut) when detailWindow can, else as the viewport shows it.
func (m Model) drawDetail(title string, w, h int) (lines []string, cut bool) {
	if w >= 4 && h >= 2 {
		if window, ok := m.detailWindow(w - 2); ok {
			edges := m.drawn.detailEdge.get(edgeKey{title: title, w: w}, func() boxEdges { return m.st.boxEdges(title, w, false) })
			return edges.draw(window, h), true
		}
	}
	return m.st.box(title, strings.Split(m.detail.View(), "\n"), w, h, false), false
}

// detailWindow returns the detail's visible lines, each padded to inner
// cells: the lines box(…, viewport.View()) frames, when the viewport would
// show them unchanged — every visible line plain and no wider than the
// viewport, the viewport no wider than the box's inside, not scrolled
// sideways. Else ok is false.
func (m Model) detailWindow(inner int) (lines []string, ok bool) {
	c, vw, vh := m.detailSet, m.detail.Width(), m.detail.Height()
	if c == nil || c.split || c.empty || vw <= 0 || vh <= 0 || vw > inner || m.detail.XOffset() != 0 {
		return nil, false
	}
	top := min(m.detail.YOffset(), len(c.lines))
	bottom := min(top+vh, len(c.lines))
	lines = make([]string, 0, bottom-top)
	for i := top; i < bottom; i++ {
		n := cellWidth(c.lines[i])
		if !c.plain[i] || n > vw {
			return nil, false
		}
		lines = append(lines, c.lines[i]+strings.Repeat(" ", inner-n))
	}
	return lines, true
}
