package lab

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/trial"
	"github.com/corslab/corslab/internal/tool/har"
	"github.com/corslab/corslab/siteA"
	"github.com/corslab/corslab/siteB"
)

// Replay is a HAR file for site B to replay (corslab -replay FILE.har).
type Replay struct {
	File   string
	Server string // the recorded server site B answers as
	// Others are the other servers the file's cross-origin requests went
	// to; they are not replayed.
	Others  []string
	Answers []siteB.Recording
	Calls   []siteA.ReplayCall
}

// LoadReplay reads a HAR file (named file, for messages) and picks the
// server site B replays — server, one of the origins the file's
// cross-origin requests went to, or when server is "" the one they went to
// most: site B replays that server's recorded answers, and the page offers
// its recorded calls. Site B is one origin, so it plays one server at a time.
func LoadReplay(r io.Reader, file, server string) (*Replay, error) {
	rep, err := har.Analyze(r)
	if errors.Is(err, har.ErrNothingCrossOrigin) {
		return nil, fmt.Errorf("nothing cross-origin here: none of its %d entries is a request to another origin, so there is nothing to replay", rep.Log.Entries)
	}
	if err != nil {
		return nil, err
	}
	servers := rep.Servers()
	rp := &Replay{File: file, Server: servers[0], Others: servers[1:]}
	if server != "" {
		i := slices.Index(servers, strings.TrimSuffix(server, "/"))
		if i < 0 {
			return nil, fmt.Errorf("no cross-origin request in the file went to %s; its servers: %s", server, strings.Join(servers, ", "))
		}
		rp.Server, rp.Others = servers[i], slices.Delete(slices.Clone(servers), i, i+1)
	}
	answers, calls := rep.Recorded(rp.Server)
	name := file[strings.LastIndexAny(file, `/\`)+1:]
	for _, a := range answers {
		from := fmt.Sprintf("entry %d of %s", a.Entry, name)
		if a.BodyTruncated {
			from += " (its body cut short in the file)"
		}
		rp.Answers = append(rp.Answers, siteB.Recording{Method: a.Method, Path: a.Path, Status: a.Status, Header: a.Header,
			Body: a.Body, Origin: a.Origin, From: from})
	}
	for _, c := range calls {
		label := c.Method + " " + c.Path
		rp.Calls = append(rp.Calls, siteA.ReplayCall{
			Request: trial.Request{Label: label, Method: c.Method, URL: c.Path, Headers: c.Headers, Body: c.Body,
				Credentials: c.Credentials, Mode: c.Mode,
				Sandbox: c.Origin == "null"}, // an opaque origin: the page sends it from a sandboxed iframe too
			RecordedOrigin: c.Origin, RecordedError: c.Error})
	}
	if len(rp.Answers) == 0 {
		return nil, fmt.Errorf("no answer from %s is recorded in the file (every request to it failed before one came)", rp.Server)
	}
	return rp, nil
}
