// Package scenario is corslab's catalogue of classic CORS bugs. Each
// scenario is one embedded JSON file (scenarios/NAME.json): a site B policy
// with the bug, the fetch() from site A's page that shows it, the error
// Chromium reports (or what the learner can observe when the browser says
// nothing), a one-paragraph explanation, and the fixed policy.
// `corslab -scenario NAME` starts the lab under the buggy policy.
package scenario

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/model/trial"
)

//go:embed scenarios/*.json
var files embed.FS

// Scenario is one bug of the catalogue.
type Scenario struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Explanation string `json:"explanation"`
	// Setup are requests to make first (logging in).
	Setup []trial.Request `json:"setup,omitempty"`
	// Request is the fetch() that shows the bug: its URL a path on site B.
	Request trial.Request `json:"request"`
	// Error is Chromium's CORS error name under the buggy policy; "" when
	// the browser lets the request through and the bug shows otherwise
	// (the explanation says what to observe).
	Error string `json:"error"`
	// Deploy, if set, is a later policy: send the request, apply Deploy,
	// send it again (the stale preflight cache).
	Deploy json.RawMessage `json:"deploy,omitempty"`
	// FixedError is Chromium's error under the fixed policy, "" when the
	// request then succeeds.
	FixedError string          `json:"fixedError,omitempty"`
	Buggy      json.RawMessage `json:"buggy"`
	Fixed      json.RawMessage `json:"fixed"`
}

// BuggyPolicy compiles the scenario's buggy policy.
func (s Scenario) BuggyPolicy() (*policy.Policy, error) { return policy.ParsePolicy(s.Buggy) }

// FixedPolicy compiles the scenario's fixed policy.
func (s Scenario) FixedPolicy() (*policy.Policy, error) { return policy.ParsePolicy(s.Fixed) }

var catalogue = func() []Scenario {
	entries, err := files.ReadDir("scenarios")
	if err != nil {
		panic(err)
	}
	var all []Scenario
	for _, e := range entries {
		data, err := files.ReadFile(path.Join("scenarios", e.Name()))
		if err != nil {
			panic(err)
		}
		s, err := parse(data)
		if err != nil {
			panic(fmt.Sprintf("scenario %s: %v", e.Name(), err))
		}
		all = append(all, s)
	}
	return all
}()

func parse(data []byte) (Scenario, error) {
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(&s)
	return s, err
}

// All returns every scenario, by name.
func All() []Scenario { return slices.Clone(catalogue) }

// Names lists the scenarios' names, sorted.
func Names() []string {
	var names []string
	for _, s := range catalogue {
		names = append(names, s.Name)
	}
	return names
}

// Get returns the scenario with the given name.
func Get(name string) (Scenario, error) {
	for _, s := range catalogue {
		if s.Name == name {
			return s, nil
		}
	}
	return Scenario{}, fmt.Errorf("unknown scenario %q (want one of: %s)", name, strings.Join(Names(), ", "))
}
