package siteB

import (
	"bytes"
	"image"
	"image/png"
	"io"
	"net/http"

	"golang.org/x/image/font/gofont/goregular"
)

// What site B serves for the requests a page makes otherwise than with
// fetch() (fetch.Kind): an image, a font, a module and a classic script,
// an event stream and a page to frame. Like every endpoint they answer
// under the live policy and are recorded; each answer is no-store, so a
// second trial reaches site B again instead of the browser's cache.
const (
	KindImage   = "/kinds/image.png"
	KindFont    = "/kinds/font.ttf"
	KindModule  = "/kinds/module.js"
	KindClassic = "/kinds/classic.js"
	KindEvents  = "/kinds/events"
	KindFrame   = "/kinds/frame.html"
)

// ScriptError is what site B's scripts throw: the page sees it in full,
// or as "Script error." when the browser mutes it.
const ScriptError = "thrown by site B's script"

// kindImage is a 16×16 PNG, one colour: drawn on a canvas, its pixels are
// what getImageData reads when the canvas stays clean.
var kindImage = func() []byte {
	img := image.NewNRGBA(image.Rect(0, 0, 16, 16))
	for i := 0; i < len(img.Pix); i += 4 {
		copy(img.Pix[i:], []byte{0x2a, 0x7a, 0xe2, 0xff})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		panic(err) // an in-memory NRGBA always encodes
	}
	return b.Bytes()
}()

func (a *api) kinds() {
	serve := func(path, ctype string, body []byte) {
		a.mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ctype)
			w.Header().Set("Cache-Control", "no-store")
			w.Write(body)
		})
	}
	serve(KindImage, "image/png", kindImage)
	serve(KindFont, "font/ttf", goregular.TTF)
	script := func(kind string) []byte {
		return []byte("globalThis.corslabRan = " + `"` + kind + `"` + ";\nthrow new Error(\"" + ScriptError + "\");\n")
	}
	serve(KindModule, "text/javascript", script("module"))
	serve(KindClassic, "text/javascript", script("classic"))
	serve(KindFrame, "text/html; charset=utf-8", []byte("<!doctype html><meta charset=\"utf-8\"><title>site B</title><p>site B's page, in a frame: its document belongs to site B's origin</p>\n"))
	a.mux.HandleFunc("GET "+KindEvents, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, "retry: 60000\ndata: hello from site B's event stream\n\n")
	})
}
