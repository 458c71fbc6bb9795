package tui

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

const (
	testSiteA = "http://localhost:7070"
	testSiteB = "http://localhost:7071"
)

// fakeLab holds the policy in force in memory and validates changes with
// policy.NewPolicy, as site B does.
type fakeLab struct {
	mu   sync.Mutex
	doc  policy.Document
	sets int
}

func (f *fakeLab) Policy() policy.Document {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.doc.Clone()
}

func (f *fakeLab) EditPolicy(edit func(*policy.Document) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.doc.Clone()
	if err := edit(&d); err != nil {
		return err
	}
	p, err := policy.NewPolicy(d)
	if err != nil {
		return err
	}
	f.doc = p.Document()
	f.sets++
	return nil
}

// force replaces the policy behind the console's back, as the control API does.
func (f *fakeLab) force(d policy.Document) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.doc = d
}

func (f *fakeLab) options() Options {
	return Options{Policy: f.Policy, EditPolicy: f.EditPolicy, SiteA: testSiteA, SiteB: testSiteB}
}

// newTestModel returns a model at the given size with no hub.
func newTestModel(t testing.TB, lab *fakeLab, w, h int) Model {
	t.Helper()
	m := New(lab.options())
	return update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
}

// update feeds one message and returns the new model.
func update(t testing.TB, m Model, msg tea.Msg) Model {
	t.Helper()
	next, _ := m.Update(msg)
	return next.(Model)
}

// updateCmd feeds one message and returns the new model and its command.
func updateCmd(t testing.TB, m Model, msg tea.Msg) (Model, tea.Cmd) {
	t.Helper()
	next, cmd := m.Update(msg)
	return next.(Model), cmd
}

// press feeds key presses: names of special keys ("down", "enter", "tab",
// "esc", "left", "right", "up", "end", "delete") or single characters.
func press(t testing.TB, m Model, keys ...string) Model {
	t.Helper()
	for _, k := range keys {
		m = update(t, m, keyMsg(k))
	}
	return m
}

func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "tab": tea.KeyTab, "end": tea.KeyEnd,
		"delete": tea.KeyDelete, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp, "backspace": tea.KeyBackspace,
	}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if k == "ctrl+c" {
		return tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// typeText types each character of s.
func typeText(t testing.TB, m Model, s string) Model {
	t.Helper()
	for _, r := range s {
		m = update(t, m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

// plain is the view without colour or other styling.
func plain(m Model) string { return ansi.Strip(m.View().Content) }

// selectRow moves the policy cursor to the row with the given label.
func selectRow(t testing.TB, m Model, label string) Model {
	t.Helper()
	for i, r := range m.policy.rows {
		if r.label(false) == label {
			m.policy.cursor = i
			return m
		}
	}
	t.Fatalf("no policy row %q", label)
	return m
}

var testTime = time.Date(2025, 11, 24, 12, 1, 3, 0, time.UTC)

func exchangeEvent(seq uint64, x journal.Exchange) *journal.Event {
	return &journal.Event{Seq: seq, Time: testTime.Add(time.Duration(seq) * time.Second), Kind: journal.KindExchange, Exchange: &x}
}

func simpleGET(path string, status int, acao string) journal.Exchange {
	x := journal.Exchange{
		Method: "GET", Path: path, Origin: testSiteA, Status: status,
		RequestHeader:  http.Header{"Origin": {testSiteA}, "Accept": {"*/*"}},
		ResponseHeader: http.Header{"Content-Type": {"application/json"}},
		Micros:         240,
	}
	if acao != "" {
		x.ResponseHeader.Set("Access-Control-Allow-Origin", acao)
	}
	return x
}

// trialEvent is a trial event; a trial with no account yet (no Call) gets
// the one the journal builds for it, as the live log carries it.
func trialEvent(seq uint64, t journal.Trial) *journal.Event {
	if t.Call == "" && t.Origin != "" {
		t = withAccount(t)
	}
	return &journal.Event{Seq: seq, Time: testTime.Add(time.Duration(seq) * time.Second), Kind: journal.KindTrial, Trial: &t}
}

// withAccount returns t as the journal publishes it: announced, its
// exchanges recorded, settled if it has an outcome — with its account.
func withAccount(t journal.Trial) journal.Trial {
	j := journal.New(64)
	if err := j.Announce(t.ID, t.Origin, t.Request); err != nil {
		panic(err)
	}
	for _, x := range t.Exchanges {
		x.Trial = t.ID
		j.Record(&x)
	}
	if t.Outcome != nil {
		if err := j.Settle(t.ID, *t.Outcome); err != nil {
			panic(err)
		}
	}
	got, _ := j.Trial(t.ID)
	return *got
}

func policyEvent(seq uint64, by string, d policy.Document) *journal.Event {
	return &journal.Event{Seq: seq, Time: testTime.Add(time.Duration(seq) * time.Second), Kind: journal.KindPolicy,
		Policy: &journal.PolicyChange{By: by, Document: d.Encode()}}
}

// blockedPUT is a trial whose preflight did not allow PUT: the PUT never arrived.
func blockedPUT(settled bool) journal.Trial {
	t := journal.Trial{
		ID: "t7", Origin: testSiteA,
		Request: trial.Request{Label: "PUT json", Method: "PUT", URL: testSiteB + "/api/items/1",
			Headers: [][2]string{{"Content-Type", "application/json"}}, Body: `{"name":"pear"}`, Mode: "cors", Credentials: "omit"},
		Exchanges: []journal.Exchange{{
			Method: "OPTIONS", Path: "/api/items/1", Origin: testSiteA, Preflight: true, Trial: "t7", Status: 204,
			RequestHeader: http.Header{"Origin": {testSiteA}, "Access-Control-Request-Method": {"PUT"},
				"Access-Control-Request-Headers": {"content-type"}},
			ResponseHeader: http.Header{"Access-Control-Allow-Origin": {testSiteA}, "Access-Control-Allow-Methods": {"GET, POST"}},
			Micros:         80,
		}},
	}
	if settled {
		t.Outcome = &trial.Outcome{OK: false, Error: "TypeError: Failed to fetch"}
	}
	return t
}

// lines splits a plain view into lines.
func lines(s string) []string { return strings.Split(s, "\n") }
