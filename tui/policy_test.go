package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
)

// header returns a header's values in the preflight and actual rules.
func header(d policy.Document, name string) (pre, act policy.Values) {
	pre, act = d.Header(name)
	return pre, act
}

func TestCycleRowsChangesDocument(t *testing.T) {
	both := func(vs ...string) [2]policy.Values { return [2]policy.Values{vs, vs} }
	pre := func(vs ...string) [2]policy.Values { return [2]policy.Values{vs, nil} }
	act := func(vs ...string) [2]policy.Values { return [2]policy.Values{nil, vs} }
	tests := []struct {
		desc   string
		row    string
		keys   []string
		header string
		want   [2]policy.Values // preflight, actual
		status int              // preflight status, for the status row
	}{
		{"origin * goes on both", "Allow-Origin", []string{"right"}, "Access-Control-Allow-Origin", both("*"), 0},
		{"origin echo", "Allow-Origin", []string{"right", "right"}, "Access-Control-Allow-Origin", both("{origin}"), 0},
		{"origin site A", "Allow-Origin", []string{"right", "right", "right"}, "Access-Control-Allow-Origin", both(testSiteA), 0},
		{"origin evil", "Allow-Origin", []string{"l", "l", "l", "l"}, "Access-Control-Allow-Origin", both("http://evil.example"), 0},
		{"origin null", "Allow-Origin", []string{"right", "right", "right", "right", "right"}, "Access-Control-Allow-Origin", both("null"), 0},
		{"origin two values wraps left", "Allow-Origin", []string{"left"}, "Access-Control-Allow-Origin", both(testSiteA, "*"), 0},
		{"origin back to absent", "Allow-Origin", []string{"right", "left"}, "Access-Control-Allow-Origin", [2]policy.Values{}, 0},
		{"methods on preflight only", "Allow-Methods", []string{"right"}, "Access-Control-Allow-Methods", pre("GET, POST"), 0},
		{"methods all", "Allow-Methods", []string{"right", "right", "right"}, "Access-Control-Allow-Methods", pre("GET, POST, PUT, PATCH, DELETE"), 0},
		{"methods echo", "Allow-Methods", []string{"left"}, "Access-Control-Allow-Methods", pre("{request-method}"), 0},
		{"headers content-type", "Allow-Headers", []string{"right"}, "Access-Control-Allow-Headers", pre("Content-Type"), 0},
		{"headers authorization", "Allow-Headers", []string{"left"}, "Access-Control-Allow-Headers", pre("Authorization"), 0},
		{"credentials true on both", "Allow-Credentials", []string{"right"}, "Access-Control-Allow-Credentials", both("true"), 0},
		{"credentials false", "Allow-Credentials", []string{"right", "right"}, "Access-Control-Allow-Credentials", both("false"), 0},
		{"expose on actual only", "Expose-Headers", []string{"right"}, "Access-Control-Expose-Headers", act("X-Total"), 0},
		{"expose *", "Expose-Headers", []string{"left"}, "Access-Control-Expose-Headers", act("*"), 0},
		{"max-age 0", "Max-Age", []string{"right"}, "Access-Control-Max-Age", pre("0"), 0},
		{"max-age 7200", "Max-Age", []string{"left"}, "Access-Control-Max-Age", pre("7200"), 0},
		{"vary on", "Vary: Origin", []string{"right"}, "Vary", act("Origin"), 0},
		{"vary off again", "Vary: Origin", []string{"right", "right"}, "Vary", [2]policy.Values{}, 0},
		{"status 200", statusRowLabel, []string{"right"}, "", [2]policy.Values{}, 200},
		{"status 500", statusRowLabel, []string{"right", "right", "right", "right", "right"}, "", [2]policy.Values{}, 500},
		{"status redirect adds Location", statusRowLabel, []string{"left"}, "Location", pre(testSiteB + "/moved"), 301},
		{"status back to 204 drops Location", statusRowLabel, []string{"left", "right"}, "Location", [2]policy.Values{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			lab := &fakeLab{}
			m := newTestModel(t, lab, 120, 40)
			m = selectRow(t, m, tt.row)
			m = press(t, m, tt.keys...)
			d := lab.Policy()
			if tt.header != "" {
				p, a := header(d, tt.header)
				if !slices.Equal(p, tt.want[0]) || !slices.Equal(a, tt.want[1]) {
					t.Errorf("%s: preflight %q actual %q, want %q %q", tt.header, p, a, tt.want[0], tt.want[1])
				}
			}
			if d.Preflight.Status != tt.status {
				t.Errorf("preflight status %d, want %d", d.Preflight.Status, tt.status)
			}
			if m.status.err != nil {
				t.Errorf("status error: %v", m.status.err)
			}
			// The panel shows the document in force.
			if got := m.policy.doc; !slices.Equal(got.Encode(), d.Encode()) {
				t.Errorf("panel shows %s, in force %s", got.Encode(), d.Encode())
			}
		})
	}
}

func TestWhereCyclesPlacement(t *testing.T) {
	lab := &fakeLab{}
	m := newTestModel(t, lab, 120, 40)
	m = selectRow(t, m, "Allow-Origin")
	m = press(t, m, "right") // * on both
	steps := []struct {
		wantPre, wantAct bool
		column           string
	}{
		{true, false, "P"},
		{false, true, "A"},
		{true, true, "P+A"},
	}
	for i, s := range steps {
		m = press(t, m, "w")
		p, a := header(lab.Policy(), "Access-Control-Allow-Origin")
		if (p != nil) != s.wantPre || (a != nil) != s.wantAct {
			t.Fatalf("after %d w: preflight %q actual %q", i+1, p, a)
		}
		if got := whereShort(m.policy.current().where()); got != s.column {
			t.Errorf("after %d w: where column %q, want %q", i+1, got, s.column)
		}
	}
	// A value change keeps the placement the teacher chose.
	m = press(t, m, "w") // preflight only
	m = press(t, m, "right")
	if p, a := header(lab.Policy(), "Access-Control-Allow-Origin"); !slices.Equal(p, policy.Values{"{origin}"}) || a != nil {
		t.Errorf("after cycling: preflight %q actual %q", p, a)
	}
	// w on an absent header changes nothing and says why.
	m = selectRow(t, m, "Max-Age")
	before := lab.sets
	m = press(t, m, "w")
	if lab.sets != before || m.status.err == nil {
		t.Errorf("w on an absent header: sets %d→%d, status %+v", before, lab.sets, m.status)
	}
}

func TestRemoveHeader(t *testing.T) {
	for _, k := range []string{"x", "delete"} {
		lab := &fakeLab{doc: policy.Document{
			Preflight: policy.PreflightRule{Status: 301, Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}, "Location": {"/x"}}},
			Actual:    policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}},
		}}
		m := newTestModel(t, lab, 120, 40)
		m = selectRow(t, m, "Allow-Origin")
		m = press(t, m, k)
		if p, a := header(lab.Policy(), "Access-Control-Allow-Origin"); p != nil || a != nil {
			t.Errorf("%s: still set: %q %q", k, p, a)
		}
		m = selectRow(t, m, statusRowLabel)
		press(t, m, k)
		d := lab.Policy()
		if _, loc := header(d, "Location"); d.Preflight.Status != 0 || loc != nil {
			t.Errorf("%s on status: status %d, Location %q", k, d.Preflight.Status, loc)
		}
	}
}

func TestEditValue(t *testing.T) {
	lab := &fakeLab{}
	m := newTestModel(t, lab, 120, 40)
	m = selectRow(t, m, "Allow-Methods")
	m = press(t, m, "e")
	if !m.prompt.active() {
		t.Fatal("e did not open the prompt")
	}
	m = typeText(t, m, "PUT, DELETE")
	if !strings.Contains(plain(m), "PUT, DELETE") {
		t.Errorf("the prompt does not show the typed text:\n%s", plain(m))
	}
	m = press(t, m, "enter")
	if p, a := header(lab.Policy(), "Access-Control-Allow-Methods"); !slices.Equal(p, policy.Values{"PUT, DELETE"}) || a != nil {
		t.Errorf("Allow-Methods: preflight %q actual %q", p, a)
	}
	if m.prompt.active() {
		t.Error("the prompt is still open after enter")
	}
	// Esc cancels without a change.
	sets := lab.sets
	m = press(t, m, "e", "backspace", "esc")
	if lab.sets != sets || m.prompt.active() {
		t.Errorf("esc: sets %d→%d, prompt open %v", sets, lab.sets, m.prompt.active())
	}
	// The status row takes a number.
	m = selectRow(t, m, statusRowLabel)
	m = press(t, m, "e")
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = update(t, m, tea.KeyPressMsg{Code: tea.KeyBackspace})
	m = typeText(t, m, "403")
	press(t, m, "enter")
	if got := lab.Policy().Preflight.Status; got != 403 {
		t.Errorf("preflight status %d, want 403", got)
	}
}

func TestEditRejectedKeepsPolicy(t *testing.T) {
	start := policy.Document{
		Preflight: policy.PreflightRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}},
		Actual:    policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}},
	}
	tests := []struct {
		desc  string
		row   string
		input func(t testing.TB, m Model) Model
		want  string // in the error line
	}{
		{"pasted CR LF", "Allow-Origin", func(t testing.TB, m Model) Model {
			return update(t, m, tea.PasteMsg{Content: "\r\nX-Injected: 1"})
		}, "CR or LF"},
		{"typed \\r\\n escapes", "Allow-Origin", func(t testing.TB, m Model) Model {
			return typeText(t, m, `\r\nSet-Cookie: a=b`)
		}, "CR or LF"},
		{"key text with a newline", "Allow-Origin", func(t testing.TB, m Model) Model {
			return update(t, m, tea.KeyPressMsg{Code: tea.KeyExtended, Text: "a\nb"})
		}, "CR or LF"},
		{"NUL byte", "Allow-Origin", func(t testing.TB, m Model) Model {
			return typeText(t, m, `\x00`)
		}, "control byte 0x00"},
		{"unknown placeholder", "Allow-Origin", func(t testing.TB, m Model) Model {
			return typeText(t, m, "{host}")
		}, "unknown placeholder {host}"},
		{"status not a number", statusRowLabel, func(t testing.TB, m Model) Model {
			return typeText(t, m, "abc")
		}, "is not a number"},
		{"status out of range", statusRowLabel, func(t testing.TB, m Model) Model {
			return typeText(t, m, "99")
		}, "99 is not an HTTP status"},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			lab := &fakeLab{doc: start.Clone()}
			m := newTestModel(t, lab, 120, 40)
			m = selectRow(t, m, tt.row)
			m = press(t, m, "e")
			for m.prompt.input.Value() != "" { // clear the field
				m = press(t, m, "backspace")
			}
			m = tt.input(t, m)
			m = press(t, m, "enter")
			if got := lab.Policy(); string(got.Encode()) != string(start.Encode()) || lab.sets != 0 {
				t.Errorf("policy changed to %s", got.Encode())
			}
			var errLines []string
			for _, l := range lines(plain(m)) {
				if strings.Contains(l, "✗ ") && strings.Contains(l, "policy unchanged") {
					errLines = append(errLines, l)
				}
			}
			if len(errLines) != 1 || !strings.Contains(errLines[0], tt.want) {
				t.Errorf("want one error line with %q, got %q\n%s", tt.want, errLines, plain(m))
			}
		})
	}
}

func TestEscapeRoundTrip(t *testing.T) {
	for _, s := range []string{
		"", "plain", `a\b`, `a\\b`, `a\nb`, "a\nb", "\r\n", "\x00\x7f\t", `\`, `x\`, `\x4`, `\xzz`, `\x41`, "{origin}", "é ü",
	} {
		if got := unescapeValue(escapeValue(s)); got != s {
			t.Errorf("round trip of %q: escaped %q, back %q", s, escapeValue(s), got)
		}
		if hasControl(escapeValue(s)) {
			t.Errorf("escapeValue(%q) = %q still has control bytes", s, escapeValue(s))
		}
	}
	if got := unescapeValue(`ok\r\nX: 1`); got != "ok\r\nX: 1" {
		t.Errorf("typed escapes: %q", got)
	}
}

func FuzzEscapeRoundTrip(f *testing.F) {
	f.Add("a\r\nb\\x")
	f.Fuzz(func(t *testing.T, s string) {
		if got := unescapeValue(escapeValue(s)); got != s {
			t.Fatalf("round trip of %q: %q", s, got)
		}
	})
}

func TestExtraRows(t *testing.T) {
	lab := &fakeLab{doc: policy.Document{
		Preflight: policy.PreflightRule{Headers: policy.Headers{"X-Lab": {"one"}}},
		Actual:    policy.ActualRule{Headers: policy.Headers{"x-lab": {"one"}, "Cache-Control": {"no-store"}}},
	}}
	m := newTestModel(t, lab, 120, 40)
	out := plain(m)
	for _, want := range []string{"Cache-Control", "no-store", "X-Lab", "one"} {
		if !strings.Contains(out, want) {
			t.Errorf("extra rows: %q missing\n%s", want, out)
		}
	}
	m = selectRow(t, m, "X-Lab")
	if w := m.policy.current().where(); w != policy.OnBoth {
		t.Errorf("X-Lab where = %v, want both", w)
	}
	m = press(t, m, "right") // no presets: an error, no change
	if m.status.err == nil || lab.sets != 0 {
		t.Errorf("→ on an extra row: status %+v sets %d", m.status, lab.sets)
	}
	m = press(t, m, "e", "backspace", "backspace", "backspace")
	m = typeText(t, m, "two")
	m = press(t, m, "enter")
	if p, a := header(lab.Policy(), "X-Lab"); !slices.Equal(p, policy.Values{"two"}) || !slices.Equal(a, policy.Values{"two"}) {
		t.Errorf("X-Lab after edit: %q %q", p, a)
	}
	m = selectRow(t, m, "Cache-Control")
	m = press(t, m, "x")
	if _, a := header(lab.Policy(), "Cache-Control"); a != nil {
		t.Errorf("Cache-Control not removed: %q", a)
	}
	for _, r := range m.policy.rows {
		if r.header == "Cache-Control" {
			t.Error("the removed header still shows as a row")
		}
	}
}

func TestAddHeader(t *testing.T) {
	lab := &fakeLab{}
	m := newTestModel(t, lab, 120, 40)
	m = press(t, m, "a")
	m = typeText(t, m, "Access-Control-Allow-Private-Network: true")
	m = press(t, m, "enter")
	if p, a := header(lab.Policy(), "Access-Control-Allow-Private-Network"); !slices.Equal(p, policy.Values{"true"}) || !slices.Equal(a, policy.Values{"true"}) {
		t.Errorf("added header: %q %q", p, a)
	}
	// A fixed row's header goes where that row's headers go.
	m = press(t, m, "a")
	m = typeText(t, m, "access-control-max-age: 60")
	m = press(t, m, "enter")
	if p, a := header(lab.Policy(), "Access-Control-Max-Age"); !slices.Equal(p, policy.Values{"60"}) || a != nil {
		t.Errorf("added Max-Age: %q %q", p, a)
	}
	// Without a colon it is an error.
	m = press(t, m, "a")
	m = typeText(t, m, "nonsense")
	m = press(t, m, "enter")
	if m.status.err == nil {
		t.Error("no error for a header without a colon")
	}
	// An invalid name is site B's validation error.
	m = press(t, m, "a")
	m = typeText(t, m, "Bad Name: x")
	m = press(t, m, "enter")
	if m.status.err == nil || !strings.Contains(m.status.err.Error(), "invalid header name") {
		t.Errorf("invalid name: %v", m.status.err)
	}
}

func TestPolicyChangedElsewhereUpdatesPanel(t *testing.T) {
	lab := &fakeLab{}
	m := newTestModel(t, lab, 120, 40)
	if !strings.Contains(plain(m), "policy: closed") {
		t.Errorf("a closed policy is not announced:\n%s", plain(m))
	}
	d := policy.Document{
		Preflight: policy.PreflightRule{Status: 403, Headers: policy.Headers{"Access-Control-Allow-Origin": {"https://x.example"}}},
		Actual:    policy.ActualRule{Headers: policy.Headers{"Vary": {"Origin"}}},
	}
	lab.force(d)
	m = update(t, m, eventsMsg{events: []*journal.Event{policyEvent(1, "control API", d)}})
	out := plain(m)
	for _, want := range []string{"https://x.example", "policy changed by control API", "policy: 2 headers, preflight 403"} {
		if !strings.Contains(out, want) {
			t.Errorf("%q missing after a policy event\n%s", want, out)
		}
	}
	vary := m.policy.rows[slices.IndexFunc(m.policy.rows, func(r row) bool { return r.label(false) == "Vary: Origin" })]
	if vary.valueLabel() != "on" {
		t.Errorf("Vary row shows %q, want on", vary.valueLabel())
	}
}

func TestSaveAndOpen(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.json")
	lab := &fakeLab{doc: policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}}}}
	m := newTestModel(t, lab, 120, 40)

	m = press(t, m, "s")
	if got := m.prompt.input.Value(); got != defaultPolicyFile {
		t.Errorf("save prompt offers %q", got)
	}
	m.prompt.input.SetValue(path)
	m, cmd := updateCmd(t, m, keyMsg("enter"))
	m = update(t, m, cmd())
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), `"Access-Control-Allow-Origin": "*"`) {
		t.Fatalf("saved %q, %v", data, err)
	}
	if !strings.Contains(plain(m), "saved the policy to "+path) {
		t.Errorf("no confirmation:\n%s", plain(m))
	}

	open := func(m Model, content string) Model {
		t.Helper()
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		m = press(t, m, "o")
		m.prompt.input.SetValue(path)
		m, cmd := updateCmd(t, m, keyMsg("enter"))
		return update(t, m, cmd())
	}
	before := lab.Policy().Encode()
	for _, bad := range []string{`{"actual": {"headers": {"X": "a\r\nb"}}}`, `{"preflight": [`, `{"nope": 1}`} {
		m = open(m, bad)
		if string(lab.Policy().Encode()) != string(before) {
			t.Errorf("loading %s changed the policy", bad)
		}
		if m.status.err == nil || strings.Count(plain(m), "policy unchanged") != 1 {
			t.Errorf("loading %s: status %+v", bad, m.status)
		}
	}
	// Every problem of a file shows on the status line (wrapped when long).
	m = open(m, `{"zz": 1, "actual": {"headers": {"Vary": "a", "Vary": "b"}}}`)
	if want := `actual.headers["Vary"]: given twice · zz: unknown field`; !strings.Contains(strings.Join(strings.Fields(plain(m)), " "), want) {
		t.Errorf("loading a file with two problems: want %q on the status line\n%s", want, plain(m))
	}
	m = open(m, `{"preflight": {"status": 200, "headers": {"Access-Control-Allow-Origin": "{origin}"}}}`)
	if d := lab.Policy(); d.Preflight.Status != 200 || m.status.err != nil {
		t.Errorf("loading a good file: %s, status %+v", d.Encode(), m.status)
	}
	if !strings.Contains(plain(m), "{origin}") {
		t.Errorf("panel does not show the loaded policy\n%s", plain(m))
	}
	// A missing file is an error on one line.
	m = press(t, m, "o")
	m.prompt.input.SetValue(filepath.Join(dir, "missing.json"))
	m, cmd = updateCmd(t, m, keyMsg("enter"))
	m = update(t, m, cmd())
	if m.status.err == nil {
		t.Error("no error for a missing file")
	}
}

// TestFailurePathsRow: the policy panel shows actual.failures in a row of
// its own; ←/→ cycle common sets, e types them, x removes them, w refuses
// (they are server layers, not headers); the header line counts them.
func TestFailurePathsRow(t *testing.T) {
	tests := []struct {
		desc  string
		was   []string
		keys  []string
		typed string // typed at the edit prompt after keys, if any
		want  []string
		shown string // the panel's row, as far as it fits
		err   string // status error, if any
	}{
		{"none shown as a dash", nil, nil, "", nil, "› Failure paths     —", ""},
		{"right: error-without-cors", nil, []string{"right"}, "", []string{policy.FailErrorWithoutCORS}, "› Failure paths     error-without-cors A", ""},
		{"right twice: auth-before-cors", nil, []string{"right", "right"}, "", []string{policy.FailAuthBeforeCORS}, "› Failure paths     auth-before-cors   A", ""},
		{"left: the classic pair", nil, []string{"left"}, "", []string{policy.FailErrorWithoutCORS, policy.FailAuthBeforeCORS}, "› Failure paths     error-without-cor… A", ""},
		{"from the pair right wraps to none", []string{policy.FailErrorWithoutCORS, policy.FailAuthBeforeCORS}, []string{"right"}, "", nil, "› Failure paths     —", ""},
		{"an uncommon set: right starts over", []string{policy.FailRedirectHTTPS, policy.FailErrorWithoutCORS}, []string{"right"}, "", nil, "› Failure paths     —", ""},
		{"x removes", []string{policy.FailRedirectHTTPS}, []string{"x"}, "", nil, "› Failure paths     —", ""},
		{"w refuses", []string{policy.FailRedirectHTTPS}, []string{"w"}, "", []string{policy.FailRedirectHTTPS}, "› Failure paths     redirect-https     A", "not headers"},
		{"typed set, canonical order", nil, []string{"e", "ctrl+u"}, "redirect-https, auth-after-cors", []string{policy.FailAuthAfterCORS, policy.FailRedirectHTTPS}, "› Failure paths     auth-after-cors, … A", ""},
		{"typed unknown name refused", nil, []string{"e"}, "teapot", nil, "› Failure paths     —", `"teapot" is not a failure path`},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			lab := &fakeLab{doc: policy.Document{Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}, Failures: tt.was}}}
			m := newTestModel(t, lab, 120, 40)
			m = selectRow(t, m, failuresRowLabel)
			for _, k := range tt.keys {
				if k == "ctrl+u" { // clear the prompt's text
					for range 80 {
						m = press(t, m, "backspace")
					}
					continue
				}
				m = press(t, m, k)
			}
			if tt.typed != "" {
				m = typeText(t, m, tt.typed)
				m = press(t, m, "enter")
			}
			if got := lab.Policy().Actual.Failures; !slices.Equal(got, tt.want) {
				t.Errorf("failures %q, want %q", got, tt.want)
			}
			switch {
			case tt.err == "" && m.status.err != nil:
				t.Errorf("status error: %v", m.status.err)
			case tt.err != "" && (m.status.err == nil || !strings.Contains(m.status.err.Error(), tt.err)):
				t.Errorf("status error %v, want %q", m.status.err, tt.err)
			}
			out := plain(m)
			if !strings.Contains(out, tt.shown) {
				t.Errorf("%q not shown:\n%s", tt.shown, out)
			}
			detail := []string{"Failure paths: none"}
			if len(tt.want) > 0 {
				detail = nil
				for _, f := range tt.want {
					detail = append(detail, "Failure path: "+f)
				}
			}
			for _, d := range detail {
				if !strings.Contains(out, d) {
					t.Errorf("%q not shown below the rows:\n%s", d, out)
				}
			}
			if n := len(tt.want); n > 0 && !strings.Contains(out, fmt.Sprintf("policy: 1 header, %d failure path", n)) {
				t.Errorf("the header line does not count the failure paths:\n%s", out)
			}
		})
	}
}

// An edit from the console changes what it says and nothing else: a change
// the page made since the console last drew (its policy event not yet
// read) stays. Each key below once wrote back the console's stale copy of
// the whole document.
func TestConsoleEditKeepsAnotherHandsChange(t *testing.T) {
	for _, keys := range [][]string{{"right"}, {"w"}, {"x"}, {"e", "ctrl+u", "h", "t", "t", "p", ":", "/", "/", "a", ".", "e", "x", "a", "m", "p", "l", "e", "enter"}} {
		t.Run(strings.Join(keys, " "), func(t *testing.T) {
			lab := &fakeLab{doc: policy.Document{
				Actual: policy.ActualRule{Headers: policy.Headers{"Access-Control-Allow-Origin": {"*"}}},
			}}
			m := newTestModel(t, lab, 120, 40)
			m = selectRow(t, m, "Allow-Origin")
			// The page sets Max-Age behind the console's back.
			d := lab.Policy()
			d.SetHeader("Access-Control-Max-Age", policy.OnPreflight, policy.Values{"600"})
			lab.force(d)
			m = press(t, m, keys...)
			if m.status.err != nil {
				t.Fatalf("status %v", m.status.err)
			}
			if p, _ := header(lab.Policy(), "Access-Control-Max-Age"); !slices.Equal(p, policy.Values{"600"}) {
				t.Errorf("the page's Max-Age is gone after the console's edit: %q; policy %s", p, lab.Policy().Encode())
			}
			if lab.sets != 1 {
				t.Errorf("%d changes, want 1", lab.sets)
			}
		})
	}
}
