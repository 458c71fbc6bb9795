// Package textclean makes untrusted text safe to show on a terminal: a
// page's label, a header value, an exchange given to explain could carry
// escape sequences (ECMA-48: hidden text, blinking red, a moved cursor, a
// changed window title) that a terminal would obey.
package textclean

import "strings"

// Strip returns s without its control characters — C0 (U+0000–U+001F)
// except tab and line feed, DEL, and C1 (U+0080–U+009F), ESC and CSI among
// them — so that what follows an escape shows as plain text. Invalid UTF-8
// comes out as U+FFFD. s is returned itself when it has no control.
func Strip(s string) string {
	i := strings.IndexFunc(s, isControl)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if !isControl(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// StripLines is Strip for one-line text: line feeds go too (as spaces).
func StripLines(s string) string {
	return strings.ReplaceAll(Strip(s), "\n", " ")
}

func isControl(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	}
	return false
}
