package tui

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

func TestLessonHeaderAndKeys(t *testing.T) {
	lab := &fakeLab{}
	cur := 4
	opts := lab.options()
	opts.Lesson = func() string { return "Lesson " + string(rune('0'+cur)) + "/13 The preflight" }
	opts.MoveLesson = func(d int) (string, error) { cur += d; return "started lesson", nil }
	m := New(opts)
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	if v := ansi.Strip(m.render()); !strings.Contains(strings.SplitN(v, "\n", 2)[0], "Lesson 4/13 The preflight") {
		t.Errorf("header lacks the lesson:\n%s", v)
	}
	m = press(t, m, "n")
	if cur != 5 || !strings.Contains(ansi.Strip(m.render()), "started lesson") {
		t.Errorf("after n: lesson %d, view:\n%s", cur, ansi.Strip(m.render()))
	}
	m = press(t, m, "p", "p")
	if cur != 3 || !strings.Contains(strings.SplitN(ansi.Strip(m.render()), "\n", 2)[0], "Lesson 3/13") {
		t.Errorf("after p p: lesson %d", cur)
	}
}
