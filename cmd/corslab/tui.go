package main

import (
	"context"
	"fmt"
	"io"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/tui"
)

// runTUI runs the terminal UI until the user quits or ctx ends.
func runTUI(ctx context.Context, l *lab.Lab, in io.Reader, out io.Writer) error {
	return tui.Run(ctx, tui.Options{
		Hub:    l.Journal.Hub(),
		Policy: func() policy.Document { return l.SiteB.Policy().Document() },
		EditPolicy: func(edit func(*policy.Document) error) error {
			return l.SiteB.EditPolicy("tui", edit)
		},
		SiteA:    l.URLA,
		Notice:   teacherNotice(l),
		SiteB:    l.URLB,
		Upstream: upstreamURL(l),
		Replay:   l.SiteB.Replaying(),
		Lesson: func() string {
			st := l.SiteA.Lessons()
			mark := ""
			if st.Solved {
				mark = " ✓"
			}
			return fmt.Sprintf("Lesson %d/%d %s%s · %d done", st.Current, st.Total, st.Title, mark, len(st.Done))
		},
		MoveLesson: func(delta int) (string, error) {
			st, err := l.SiteA.StartLesson(l.SiteA.Lessons().Current + delta)
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("lesson %d/%d: %s — its starting policy is in force", st.Current, st.Total, st.Title), nil
		},
	}, in, out)
}

// upstreamURL is the URL site B proxies to, "" when it is no proxy.
func upstreamURL(l *lab.Lab) string {
	if u := l.SiteB.Upstream(); u != nil {
		return u.String()
	}
	return ""
}

// teacherNotice is the TUI's first status line under -lan: the teacher link
// (its token lets a browser change the policy and the lesson).
func teacherNotice(l *lab.Lab) string {
	if l.TeacherURL == "" {
		return ""
	}
	return "-lan: students open " + l.URLA + " · teacher link (keep it to yourself): " + l.TeacherURL
}
