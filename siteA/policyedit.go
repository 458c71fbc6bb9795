package siteA

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/model/policy"
)

// The page's policy editor and its "apply the fix" button change site B's
// policy a step at a time through these doors, with the policy package's
// editing operations, so the page derives nothing: the server reads the
// policy in force, edits it, validates the result as PUT /lab/policy does
// (policy.ParseDocument) and puts it in force, or keeps the old one and
// answers 400 with the problems on one line. A 200 answers with the
// document in force and, in PolicySeqHeader, the seq of the live log's
// event that announced it.

// byPage is who the policy log says changed the policy.
const byPage = "page"

// Edit is one change from the page's editor (POST /lab/policy/edit): a
// header's values and where it goes, or the preflight's status.
type Edit struct {
	// Header is the header to set; "" with Status set changes the status.
	Header string `json:"header,omitempty"`
	// Where is "preflight", "actual" or "both"; "" or "none" removes the header.
	Where string `json:"where,omitempty"`
	// Values are the header's lines; none removes the header.
	Values []string `json:"values,omitempty"`
	// Status is the preflight's status (Header empty).
	Status int `json:"status,omitempty"`
	// Move puts Header where Where says with the values it has in force
	// when the edit is applied (Values unused; the preflight's when they
	// differ): the editor's "where" choice, which must not put back values
	// another edit changed since the page last drew them.
	Move bool `json:"move,omitempty"`
}

// PolicySeqHeader names the header of an edit's answer that carries the
// seq of the live log's event its document was announced in
// (journal.LastPolicy): the page's editor shows the answer at once and
// then draws no policy event up to that seq, each older than the answer.
const PolicySeqHeader = "Corslab-Policy-Seq"

var wheres = map[string]policy.Where{
	"": policy.Nowhere, "none": policy.Nowhere, "preflight": policy.OnPreflight,
	"actual": policy.OnActual, "both": policy.OnBoth,
}

// change applies edit to the policy in force, validates the result and puts
// it in force, in one step with every other change (siteB's EditPolicy:
// the TUI's too); it returns the policy announced since (announcedPolicy):
// this change, or a later one.
func (s *Server) change(edit func(d *policy.Document) error) (doc []byte, seq uint64, err error) {
	if err := s.policy.EditPolicy(byPage, edit); err != nil {
		return nil, 0, err
	}
	doc, seq = s.announcedPolicy()
	return doc, seq, nil
}

// announcedPolicy is the policy document last announced on the live log
// and the seq of its event (journal.LastPolicy); before any was, the
// document in force and 0.
func (s *Server) announcedPolicy() ([]byte, uint64) {
	if doc, seq := s.journal.LastPolicy(); seq != 0 {
		return doc, seq
	}
	return s.policy.PolicyJSON(), 0
}

// oneLine joins an error's lines (errors.Join puts each problem on its own).
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return errors.New("larger than 64 KiB")
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not the JSON expected: %v", err)
	}
	return nil
}

func (s *Server) writePolicy(w http.ResponseWriter, doc []byte, seq uint64, err error) {
	if err != nil {
		http.Error(w, oneLine(err), http.StatusBadRequest)
		return
	}
	w.Header().Set(PolicySeqHeader, strconv.FormatUint(seq, 10))
	w.Header().Set("Content-Type", "application/json")
	w.Write(doc)
}

// editPolicy is POST /lab/policy/edit: one Edit.
func (s *Server) editPolicy(w http.ResponseWriter, r *http.Request) {
	var e Edit
	if err := readJSON(w, r, &e); err != nil {
		http.Error(w, "edit: "+err.Error(), http.StatusBadRequest)
		return
	}
	where, ok := wheres[e.Where]
	if !ok {
		http.Error(w, fmt.Sprintf("edit.where: %q is not preflight, actual, both or none", e.Where), http.StatusBadRequest)
		return
	}
	doc, seq, err := s.change(func(d *policy.Document) error {
		if e.Header == "" {
			if e.Status == 0 {
				return errors.New("edit: name a header, or a preflight status")
			}
			d.SetPreflightStatus(e.Status, s.siteBURL(r)+"/api/items")
			return nil
		}
		if e.Move {
			pre, act := d.Header(e.Header)
			if pre == nil {
				pre = act
			}
			if pre == nil {
				return fmt.Errorf("edit: %s is not sent, so there is nothing to move", e.Header)
			}
			d.SetHeader(e.Header, where, pre)
			return nil
		}
		if where == policy.Nowhere || len(e.Values) == 0 {
			d.RemoveHeader(e.Header)
			return nil
		}
		d.SetHeader(e.Header, where, policy.Values(e.Values))
		return nil
	})
	s.writePolicy(w, doc, seq, err)
}

// siteBURL is site B's origin as the page reaches it: the host the page
// was loaded from, on site B's port (a redirect's Location).
func (s *Server) siteBURL(r *http.Request) string {
	host := r.Host
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.HasSuffix(host, "]") {
		host = host[:i]
	}
	return "http://" + host + ":" + s.cfg.SiteBPort
}

// FixRequest names the trial whose whole fix POST /lab/policy/fix applies.
type FixRequest struct {
	Trial string `json:"trial"`
}

// fixPolicy is POST /lab/policy/fix: it puts exactly the trial's whole fix
// (its account's fetch.Fix) into the policy. 404: no such trial; 409: its
// account has no fix a policy can make (allowed, or the page must change).
func (s *Server) fixPolicy(w http.ResponseWriter, r *http.Request) {
	var fr FixRequest
	if err := readJSON(w, r, &fr); err != nil {
		http.Error(w, "fix: "+err.Error(), http.StatusBadRequest)
		return
	}
	t, ok := s.journal.Trial(fr.Trial)
	if !ok {
		http.Error(w, fmt.Sprintf("fix.trial: no trial %q in the journal", fr.Trial), http.StatusNotFound)
		return
	}
	f := t.Fix
	switch {
	case f == nil:
		http.Error(w, "fix: the trial's account has no fix (nothing blocked it, or it has not settled)", http.StatusConflict)
		return
	case f.Page != "":
		http.Error(w, "fix: no header fixes this; change the page: "+f.Page, http.StatusConflict)
		return
	}
	doc, seq, err := s.change(func(d *policy.Document) error { ApplyFix(d, f); return nil })
	s.writePolicy(w, doc, seq, err)
}

// ApplyFix puts f into d: the preflight's status, then each header on the
// response f names it for, replacing that response's value and leaving the
// other's. Site B answers every URL from one policy, so a fix for a
// redirect's target (f.URL) goes into the same document.
func ApplyFix(d *policy.Document, f *fetch.Fix) {
	if f.PreflightStatus != 0 {
		d.SetPreflightStatus(f.PreflightStatus, "")
	}
	for _, side := range []struct {
		hs    map[string]string
		where policy.Where
	}{{f.Preflight, policy.OnPreflight}, {f.Actual, policy.OnActual}} {
		for _, name := range slices.Sorted(maps.Keys(side.hs)) {
			d.Put(name, side.where, policy.Values{side.hs[name]})
		}
	}
}
