package tui

import (
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/tool/export"
)

// exportView is the export overlay (E): the policy in force rendered by
// internal/tool/export for a server the user runs, in the detail area. ←→ cycle
// export.Formats, esc (or E) closes it.
type exportView struct {
	on     bool
	format int // index in export.Formats
}

func (v *exportView) cycle(delta int) {
	n := len(export.Formats)
	v.format = ((v.format+delta)%n + n) % n
}

func (v exportView) title() string {
	return "Export · " + export.Formats[v.format] + " (←→ format · esc closes)"
}

// lines renders the policy in the chosen format; the viewport wraps them.
func (v exportView) lines(policy func() policy.Document, st styles) []string {
	if policy == nil {
		return []string{st.bad.Render("✗ no policy to export")}
	}
	out, err := export.Render(policy(), export.Formats[v.format])
	if err != nil {
		return []string{st.bad.Render("✗ " + err.Error())}
	}
	return strings.Split(strings.TrimRight(out, "\n"), "\n")
}

// toggleExport opens or closes the export view in the detail area.
func (m *Model) toggleExport() {
	m.export.on = !m.export.on
	m.detail.GotoTop()
	m.renderDetail()
}

// refreshExport re-renders the export view, which follows the policy in force.
func (m *Model) refreshExport() {
	if m.export.on {
		m.renderDetail()
	}
}
