package siteB

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/corslab/corslab/internal/model/trial"
)

// Limits that keep site B bounded however it is used.
const (
	MaxBody  = 64 << 10 // bytes of request body; more gets 413
	MaxItems = 100      // items kept; creating more forgets the oldest
	MaxName  = 200      // bytes of an item's name
)

// SessionCookie is the cookie /api/login sets and /api/me needs. localhost
// ports are same-site, so it travels with credentialed fetches from site A.
const SessionCookie = "corslab_session"

// Item is one entry of site B's list.
type Item struct {
	ID   int    `json:"id"`
	Name string `json:"name"`
}

// api is site B's endpoints. Its state changes are what make the CORS
// lesson visible: a blocked simple POST still creates an item.
type api struct {
	mu       sync.Mutex
	items    []Item
	nextID   int
	sessions map[string]bool
	mux      *http.ServeMux
}

func newAPI() *api {
	a := &api{
		items:    []Item{{1, "apple"}, {2, "banana"}, {3, "cherry"}},
		nextID:   4,
		sessions: make(map[string]bool),
		mux:      http.NewServeMux(),
	}
	a.mux.HandleFunc("GET /{$}", a.index)
	a.mux.HandleFunc("GET /api/items", a.list)
	a.mux.HandleFunc("POST /api/items", a.create)
	a.mux.HandleFunc("GET /api/items/{id}", a.get)
	a.mux.HandleFunc("PUT /api/items/{id}", a.update)
	a.mux.HandleFunc("PATCH /api/items/{id}", a.update)
	a.mux.HandleFunc("DELETE /api/items/{id}", a.delete)
	a.mux.HandleFunc("POST /api/login", a.login) // POST only: a GET must not change state (an <img> on any site would log the learner in anew, out of their session)
	a.mux.HandleFunc("POST /api/logout", a.logout)
	a.mux.HandleFunc("GET /api/me", a.me)
	a.mux.HandleFunc("GET "+WSPath, a.ws)
	a.kinds()
	return a
}

func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
	a.mux.ServeHTTP(w, r)
}

const apiHelp = `corslab site B — an API on another origin.
GET    /api/items       the list (header X-Total: how many)
POST   /api/items       create: form name=…, JSON {"name":…} or plain text
GET    /api/items/{id}  one item
PUT    /api/items/{id}  rename (PATCH too)
DELETE /api/items/{id}  delete
POST   /api/login       set the session cookie; GET /api/me needs it; POST /api/logout
GET    /api/ws          a websocket: one message (hello, the list), from any Origin
GET    /kinds/image.png, /kinds/font.ttf, /kinds/module.js, /kinds/classic.js,
       /kinds/events (an event stream), /kinds/frame.html: for <img>, fonts,
       scripts, EventSource and <iframe> (no-store)
`

func (a *api) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, apiHelp)
}

func (a *api) list(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	items := append([]Item(nil), a.items...)
	a.mu.Unlock()
	w.Header().Set("X-Total", strconv.Itoa(len(items)))
	writeJSON(w, http.StatusOK, items)
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	name, err := readName(r)
	if err != nil {
		fail(w, err)
		return
	}
	a.mu.Lock()
	it := Item{ID: a.nextID, Name: name}
	a.nextID++
	a.items = append(a.items, it)
	if len(a.items) > MaxItems {
		a.items = append(a.items[:0], a.items[len(a.items)-MaxItems:]...)
	}
	a.mu.Unlock()
	setEffect(w, trial.Effect{Kind: trial.Created, Item: it.ID, Name: it.Name})
	w.Header().Set("Location", fmt.Sprintf("/api/items/%d", it.ID))
	writeJSON(w, http.StatusCreated, it)
}

func (a *api) get(w http.ResponseWriter, r *http.Request) {
	a.withItem(w, r, func(i int) (int, any) { return http.StatusOK, a.items[i] })
}

func (a *api) update(w http.ResponseWriter, r *http.Request) {
	name, err := readName(r)
	if err != nil {
		fail(w, err)
		return
	}
	a.withItem(w, r, func(i int) (int, any) {
		setEffect(w, trial.Effect{Kind: trial.Renamed, Item: a.items[i].ID, Name: name, Was: a.items[i].Name})
		a.items[i].Name = name
		return http.StatusOK, a.items[i]
	})
}

func (a *api) delete(w http.ResponseWriter, r *http.Request) {
	a.withItem(w, r, func(i int) (int, any) {
		it := a.items[i]
		a.items = append(a.items[:i], a.items[i+1:]...)
		setEffect(w, trial.Effect{Kind: trial.Deleted, Item: it.ID, Name: it.Name})
		return http.StatusOK, it
	})
}

// withItem runs f on the index of the item named by the path, under the lock.
func (a *api) withItem(w http.ResponseWriter, r *http.Request, f func(i int) (int, any)) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, errorBody("item id must be a number"))
		return
	}
	a.mu.Lock()
	status, body := http.StatusNotFound, any(errorBody(fmt.Sprintf("no item %d", id)))
	for i := range a.items {
		if a.items[i].ID == id {
			status, body = f(i)
			break
		}
	}
	a.mu.Unlock()
	writeJSON(w, status, body)
}

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	token := rand.Text()
	a.mu.Lock()
	if len(a.sessions) >= MaxItems { // bounded: forget everyone rather than grow
		clear(a.sessions)
	}
	a.sessions[token] = true
	a.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	setEffect(w, trial.Effect{Kind: trial.LoggedIn, Name: SessionCookie})
	writeJSON(w, http.StatusOK, map[string]string{"user": "learner"})
}

func (a *api) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(SessionCookie); err == nil {
		a.mu.Lock()
		delete(a.sessions, c.Value)
		a.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Path: "/", MaxAge: -1})
	setEffect(w, trial.Effect{Kind: trial.LoggedOut})
	writeJSON(w, http.StatusOK, map[string]string{"user": ""})
}

func (a *api) me(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie(SessionCookie)
	a.mu.Lock()
	ok := err == nil && a.sessions[c.Value]
	a.mu.Unlock()
	if !ok {
		writeJSON(w, http.StatusUnauthorized, errorBody("not logged in: no valid "+SessionCookie+" cookie came with the request"))
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"user": "learner", "secret": "the learner's private data"})
}

// readName reads an item name from a form, JSON or plain-text body.
func readName(r *http.Request) (string, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return "", err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var name string
	switch mt {
	case "application/json":
		var v struct {
			Name string `json:"name"`
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return "", badRequest("body: not JSON of the form {\"name\": \"…\"}")
		}
		name = v.Name
	case "application/x-www-form-urlencoded":
		q, err := url.ParseQuery(string(body))
		if err != nil {
			return "", badRequest("body: not a form")
		}
		name = q.Get("name")
	default:
		name = string(body)
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		name = "unnamed"
	case len(name) > MaxName:
		return "", badRequest(fmt.Sprintf("name: longer than %d bytes", MaxName))
	}
	return name, nil
}

type badRequest string

func (e badRequest) Error() string { return string(e) }

func fail(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		writeJSON(w, http.StatusRequestEntityTooLarge, errorBody(fmt.Sprintf("body: larger than %d bytes", MaxBody)))
	default:
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
	}
}

func errorBody(msg string) map[string]string { return map[string]string{"error": msg} }

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// setEffect records what a request did to site B's data, for the live
// log, when w is recording the exchange (site B's recordingWriter).
func setEffect(w http.ResponseWriter, e trial.Effect) {
	switch rec := w.(type) {
	case *recordingWriter:
		rec.effect = e
	case *stripOnError:
		rec.effect = e
	}
}
