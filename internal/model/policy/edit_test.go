package policy

import (
	"reflect"
	"strings"
	"testing"
)

func TestHeaderAndWhere(t *testing.T) {
	d := Document{
		Preflight: PreflightRule{Headers: Headers{"access-control-allow-origin": {"*"}, "X-Pre": {"p"}}},
		Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"{origin}"}, "Vary": {"Origin", "Accept"}}},
	}
	tests := []struct {
		name     string
		pre, act Values
		where    Where
		label    string
	}{
		{"Access-Control-Allow-Origin", Values{"*"}, Values{"{origin}"}, OnBoth, "preflight + actual responses"},
		{"ACCESS-CONTROL-ALLOW-ORIGIN", Values{"*"}, Values{"{origin}"}, OnBoth, "preflight + actual responses"},
		{"x-pre", Values{"p"}, nil, OnPreflight, "preflight responses only"},
		{"Vary", nil, Values{"Origin", "Accept"}, OnActual, "actual responses only"},
		{"X-Absent", nil, nil, Nowhere, "not sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pre, act := d.Header(tt.name)
			if !reflect.DeepEqual(pre, tt.pre) || !reflect.DeepEqual(act, tt.act) {
				t.Errorf("Header = %q, %q; want %q, %q", pre, act, tt.pre, tt.act)
			}
			if w := d.Where(tt.name); w != tt.where || w.String() != tt.label {
				t.Errorf("Where = %v (%d), want %v (%d)", w, w, tt.label, tt.where)
			}
		})
	}
	if k, vs := d.Preflight.Headers.Lookup("ACCESS-control-allow-origin"); k != "access-control-allow-origin" || !reflect.DeepEqual(vs, Values{"*"}) {
		t.Errorf("Lookup = %q, %q; want the name as the document spells it", k, vs)
	}
	if k, vs := Headers(nil).Lookup("Vary"); k != "" || vs != nil {
		t.Errorf("Lookup in no headers = %q, %q", k, vs)
	}
}

func TestSetHeader(t *testing.T) {
	start := func() Document {
		return Document{
			Preflight: PreflightRule{Status: 200, Headers: Headers{"access-control-allow-origin": {"*"}, "X-Pre": {"p"}}},
			Actual:    ActualRule{Headers: Headers{"ACCESS-CONTROL-ALLOW-ORIGIN": {"*"}}},
		}
	}
	tests := []struct {
		desc  string
		edit  func(d *Document)
		want  Document
		valid bool
	}{
		{"set on both replaces every spelling", func(d *Document) { d.SetHeader("Access-Control-Allow-Origin", OnBoth, Values{"{origin}"}) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"Access-Control-Allow-Origin": {"{origin}"}, "X-Pre": {"p"}}},
				Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"{origin}"}}},
			}, true},
		{"move to the preflight only", func(d *Document) { d.SetHeader("access-control-allow-origin", OnPreflight, Values{"*"}) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"access-control-allow-origin": {"*"}, "X-Pre": {"p"}}},
				Actual:    ActualRule{Headers: Headers{}},
			}, true},
		{"move to the actual responses only", func(d *Document) { d.SetHeader("X-Pre", OnActual, Values{"a", "b"}) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"access-control-allow-origin": {"*"}}},
				Actual:    ActualRule{Headers: Headers{"ACCESS-CONTROL-ALLOW-ORIGIN": {"*"}, "X-Pre": {"a", "b"}}},
			}, true},
		{"set where there were no headers", func(d *Document) {
			*d = Document{}
			d.SetHeader("Vary", OnBoth, Values{"Origin"})
		},
			Document{
				Preflight: PreflightRule{Headers: Headers{"Vary": {"Origin"}}},
				Actual:    ActualRule{Headers: Headers{"Vary": {"Origin"}}},
			}, true},
		{"nowhere removes", func(d *Document) { d.SetHeader("Access-Control-Allow-Origin", Nowhere, Values{"*"}) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"X-Pre": {"p"}}},
				Actual:    ActualRule{Headers: Headers{}},
			}, true},
		{"nil values remove", func(d *Document) { d.SetHeader("x-pre", OnBoth, nil) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"access-control-allow-origin": {"*"}}},
				Actual:    ActualRule{Headers: Headers{"ACCESS-CONTROL-ALLOW-ORIGIN": {"*"}}},
			}, true},
		{"RemoveHeader removes every spelling", func(d *Document) { d.RemoveHeader("Access-Control-Allow-Origin") },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"X-Pre": {"p"}}},
				Actual:    ActualRule{Headers: Headers{}},
			}, true},
		{"removing an absent header changes nothing", func(d *Document) { d.RemoveHeader("Vary") }, start(), true},
		{"an invalid value is set, and validation says so", func(d *Document) { d.SetHeader("X-Pre", OnPreflight, Values{"a\nb"}) },
			Document{
				Preflight: PreflightRule{Status: 200, Headers: Headers{"access-control-allow-origin": {"*"}, "X-Pre": {"a\nb"}}},
				Actual:    ActualRule{Headers: Headers{"ACCESS-CONTROL-ALLOW-ORIGIN": {"*"}}},
			}, false},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := start()
			tt.edit(&d)
			if !reflect.DeepEqual(d, tt.want) {
				t.Errorf("got\n%#v\nwant\n%#v", d, tt.want)
			}
			if err := d.Validate(); (err == nil) != tt.valid {
				t.Errorf("Validate = %v, want valid %v", err, tt.valid)
			}
		})
	}

	// The values are copied: changing the caller's slice afterwards changes nothing.
	var d Document
	vs := Values{"Origin"}
	d.SetHeader("Vary", OnBoth, vs)
	vs[0] = "changed"
	if pre, act := d.Header("Vary"); pre[0] != "Origin" || act[0] != "Origin" {
		t.Errorf("SetHeader kept the caller's slice: %q, %q", pre, act)
	}
	d.Preflight.Headers["Vary"][0] = "pre"
	if _, act := d.Header("Vary"); act[0] != "Origin" {
		t.Errorf("the preflight's and the actual's values share a slice")
	}
}

func TestSetPreflightStatus(t *testing.T) {
	const loc = "http://localhost:7071/moved"
	withLocation := func(status int, where Where, l string) Document {
		var d Document
		d.Preflight.Status = status
		d.SetHeader("Location", where, Values{l})
		return d
	}
	tests := []struct {
		desc   string
		start  Document
		status int
		want   Document
		shown  int // PreflightStatus afterwards
	}{
		{"a status", Document{}, 200, Document{Preflight: PreflightRule{Status: 200}}, 200},
		{"the default is written as none", Document{Preflight: PreflightRule{Status: 403}}, 204, Document{}, 204},
		{"0 is the default", Document{Preflight: PreflightRule{Status: 403}}, 0, Document{}, 204},
		{"a redirect gets a Location", Document{}, 301, withLocation(301, OnPreflight, loc), 301},
		{"a redirect keeps its own Location", withLocation(0, OnPreflight, "http://x/"), 307, withLocation(307, OnPreflight, "http://x/"), 307},
		{"a redirect's Location is on preflights only", withLocation(0, OnActual, "http://x/"), 302,
			Document{Preflight: PreflightRule{Status: 302, Headers: Headers{"Location": {loc}}}, Actual: ActualRule{Headers: Headers{}}}, 302},
		{"leaving a redirect removes the Location", withLocation(301, OnPreflight, loc), 500,
			Document{Preflight: PreflightRule{Status: 500, Headers: Headers{}}}, 500},
		{"from one redirect to another keeps it", withLocation(301, OnPreflight, "http://x/"), 308, withLocation(308, OnPreflight, "http://x/"), 308},
		{"without a redirect, a Location stays", withLocation(200, OnBoth, "http://x/"), 404, withLocation(404, OnBoth, "http://x/"), 404},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := tt.start.Clone()
			d.SetPreflightStatus(tt.status, loc)
			if !reflect.DeepEqual(d, tt.want) {
				t.Errorf("got\n%#v\nwant\n%#v", d, tt.want)
			}
			if s := d.PreflightStatus(); s != tt.shown {
				t.Errorf("PreflightStatus = %d, want %d", s, tt.shown)
			}
			if err := d.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestPut(t *testing.T) {
	start := func() Document {
		return Document{
			Preflight: PreflightRule{Headers: Headers{"access-control-allow-origin": {"*"}}},
			Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"*"}, "Vary": {"Origin"}}},
		}
	}
	tests := []struct {
		desc string
		name string
		w    Where
		vs   Values
		want Document
	}{
		{"the preflight's only; the actual's kept", "Access-Control-Allow-Origin", OnPreflight, Values{"http://a"},
			Document{
				Preflight: PreflightRule{Headers: Headers{"Access-Control-Allow-Origin": {"http://a"}}},
				Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"*"}, "Vary": {"Origin"}}},
			}},
		{"a new header on the actual only", "Access-Control-Allow-Credentials", OnActual, Values{"true"},
			Document{
				Preflight: PreflightRule{Headers: Headers{"access-control-allow-origin": {"*"}}},
				Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"*"}, "Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}}},
			}},
		{"both", "vary", OnBoth, Values{"Origin", "Accept"},
			Document{
				Preflight: PreflightRule{Headers: Headers{"access-control-allow-origin": {"*"}, "vary": {"Origin", "Accept"}}},
				Actual:    ActualRule{Headers: Headers{"Access-Control-Allow-Origin": {"*"}, "vary": {"Origin", "Accept"}}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.desc, func(t *testing.T) {
			d := start()
			d.Put(tt.name, tt.w, tt.vs)
			if !reflect.DeepEqual(d, tt.want) {
				t.Errorf("Put = %+v\nwant %+v", d, tt.want)
			}
		})
	}
}

func TestSetFailures(t *testing.T) {
	tests := []struct {
		name    string
		was, fs []string
		want    []string
		problem string // what Validate then says; "" for none
	}{
		{"none stays none", nil, nil, nil, ""},
		{"one", nil, []string{FailRedirectHTTPS}, []string{FailRedirectHTTPS}, ""},
		{"canonical order, repeats once", nil, []string{FailAuthBeforeCORS, FailErrorWithoutCORS, FailAuthBeforeCORS}, []string{FailErrorWithoutCORS, FailAuthBeforeCORS}, ""},
		{"replaces", []string{FailErrorWithoutCORS}, []string{FailAuthAfterCORS}, []string{FailAuthAfterCORS}, ""},
		{"empty removes", []string{FailErrorWithoutCORS}, []string{}, nil, ""},
		{"unknown kept for Validate", nil, []string{"teapot"}, []string{"teapot"}, `actual.failures[0]: "teapot" is not a failure path`},
		{"both auth layers", nil, []string{FailAuthAfterCORS, FailAuthBeforeCORS}, []string{FailAuthBeforeCORS, FailAuthAfterCORS}, "the same auth layer in two places"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Document{Actual: ActualRule{Failures: tt.was}}
			d.SetFailures(tt.fs)
			if !reflect.DeepEqual(d.Actual.Failures, tt.want) {
				t.Errorf("failures %q, want %q", d.Actual.Failures, tt.want)
			}
			err := d.Validate()
			switch {
			case tt.problem == "" && err != nil:
				t.Errorf("Validate: %v", err)
			case tt.problem != "" && (err == nil || !strings.Contains(err.Error(), tt.problem)):
				t.Errorf("Validate: %v, want %q", err, tt.problem)
			}
		})
	}
}
