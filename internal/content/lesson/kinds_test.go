package lesson

import (
	"net/http"

	"github.com/corslab/corslab/internal/journal"
	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/trial"
)

// kt builds a settled trial of another kind: what the page got (okay, and
// what its follow-up read found) and the account's Reads, as Build gives them.
func kt(kind, path string, okay bool, read string, xs ...journal.Exchange) *journal.Trial {
	t := mk("GET", path, okay, xs...)
	t.Request.Kind = kind
	t.Outcome.Read = read
	k, _ := fetch.LookupKind(kind)
	t.Reads = k.Reads(fetch.Verdict{Allowed: okay})
	t.Happened.Navigation = k.Navigation()
	return t
}

func created(e journal.Exchange) journal.Exchange {
	e.Effect = &trial.Effect{Kind: trial.Created, Item: 9, Name: "posted by a form"}
	return e
}

func withCookie(e journal.Exchange) journal.Exchange {
	e.RequestHeader = http.Header{"Cookie": {sessionCookie + "=abc"}}
	return e
}

// kindChecks are TestChecks' cases for the lessons on other kinds.
var kindChecks = []struct {
	id     string
	done   [][]*journal.Trial
	undone [][]*journal.Trial
}{
	{"canvas-taint",
		[][]*journal.Trial{{kt("img", "/kinds/image.png", true, "SecurityError: tainted"), kt("img-anonymous", "/kinds/image.png", true, "pixels")}},
		[][]*journal.Trial{{kt("img-anonymous", "/kinds/image.png", true, "pixels"), kt("img", "/kinds/image.png", true, "SecurityError: tainted")},
			{kt("img", "/kinds/image.png", true, "SecurityError"), kt("img-anonymous", "/kinds/image.png", false, "")}}},
	{"web-fonts",
		[][]*journal.Trial{{kt("font", "/kinds/font.ttf", false, ""), kt("font", "/kinds/font.ttf", true, "")}},
		[][]*journal.Trial{{kt("font", "/kinds/font.ttf", true, "")}, {kt("font", "/kinds/font.ttf", false, "")}}},
	{"module-scripts",
		[][]*journal.Trial{{kt("script-module", "/kinds/module.js", false, ""), kt("script-classic", "/kinds/classic.js", true, "Script error."), kt("script-module", "/kinds/module.js", true, "Uncaught Error")}},
		[][]*journal.Trial{{kt("script-module", "/kinds/module.js", false, ""), kt("script-module", "/kinds/module.js", true, "Uncaught Error")},
			{kt("script-classic", "/kinds/classic.js", true, "Script error."), kt("script-module", "/kinds/module.js", false, "")}}},
	{"form-csrf",
		[][]*journal.Trial{{kt("form", "/api/items", true, "SecurityError", created(x("POST", 201)))}},
		[][]*journal.Trial{{kt("form", "/api/items", true, "SecurityError", x("POST", 400))}, {with(mk("POST", "/api/items", false, created(x("POST", 201))), func(t *journal.Trial) {})}}},
	{"beacon-credentials",
		[][]*journal.Trial{{cred(mk("POST", "/api/login", true, x("POST", 200))), kt("beacon", "/api/items", true, "", withCookie(x("POST", 201)))}},
		[][]*journal.Trial{{cred(mk("POST", "/api/login", true, x("POST", 200))), kt("beacon", "/api/items", true, "", x("POST", 201))},
			{kt("beacon", "/api/items", true, "", withCookie(x("POST", 201))), cred(mk("POST", "/api/login", true, x("POST", 200)))}}},
}
