package textclean

import "testing"

func TestStrip(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"simple GET", "simple GET"},
		{"tab\tand\nline", "tab\tand\nline"},
		{"\x1b[8mhidden\x1b[0m", "[8mhidden[0m"},
		{"\x1b[5;31mblinking red", "[5;31mblinking red"},
		{"title\x1b]0;pwned\x07", "title]0;pwned"},
		{"c1 \u009b31m csi", "c1 31m csi"},
		{"bell\x07 nul\x00 del\x7f cr\r", "bell nul del cr"},
		{"héllo ✓", "héllo ✓"},
	} {
		if got := Strip(c.in); got != c.want {
			t.Errorf("Strip(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
