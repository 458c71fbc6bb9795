package check_test

import (
	"io"
	"net/http"
	"testing"

	gincors "github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	chicors "github.com/go-chi/cors"
)

// startGin is the probes' application in gin, with gin-contrib/cors in
// front of every route (router.Use also covers gin's 404 answers).
func startGin(t *testing.T, h helpers) string {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gincors.New(gincors.Config{AllowOrigins: []string{h.page}, AllowMethods: []string{"GET", "POST", "PUT"},
		AllowHeaders: []string{"Content-Type"}, ExposeHeaders: []string{"X-Total"}, AllowCredentials: true}))
	items := func(c *gin.Context) {
		c.Header("X-Total", "3")
		c.JSON(http.StatusOK, gin.H{"ok": true})
	}
	redirect := func(code int, url string) gin.HandlerFunc { return func(c *gin.Context) { c.Redirect(code, url) } }
	r.Any("/items", items)
	r.Any("/items/", items)
	r.GET("/boom", func(c *gin.Context) { c.String(http.StatusInternalServerError, "boom") })
	r.GET("/slash", redirect(http.StatusMovedPermanently, "/items/"))
	r.Any("/to-bare", redirect(http.StatusTemporaryRedirect, h.bare+"/data"))
	r.GET("/to-star", redirect(http.StatusFound, h.star+"/data"))
	r.GET("/to-echo", redirect(http.StatusTemporaryRedirect, h.echo+"/data"))
	r.Any("/put307", redirect(http.StatusTemporaryRedirect, "/items"))
	r.Any("/post303", redirect(http.StatusSeeOther, "/items"))
	return serveGo(t, r)
}

// startChi is the probes' application in chi, with go-chi/cors as its
// first middleware.
func startChi(t *testing.T, h helpers) string {
	r := chi.NewRouter()
	r.Use(chicors.Handler(chicors.Options{AllowedOrigins: []string{h.page}, AllowedMethods: []string{"GET", "POST", "PUT"},
		AllowedHeaders: []string{"Content-Type"}, ExposedHeaders: []string{"X-Total"}, AllowCredentials: true}))
	items := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Total", "3")
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"ok":true}`)
	}
	redirect := func(code int, url string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, url, code) }
	}
	r.HandleFunc("/items", items)
	r.HandleFunc("/items/", items)
	r.Get("/boom", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "boom", http.StatusInternalServerError) })
	r.Get("/slash", redirect(http.StatusMovedPermanently, "/items/"))
	r.HandleFunc("/to-bare", redirect(http.StatusTemporaryRedirect, h.bare+"/data"))
	r.Get("/to-star", redirect(http.StatusFound, h.star+"/data"))
	r.Get("/to-echo", redirect(http.StatusTemporaryRedirect, h.echo+"/data"))
	r.HandleFunc("/put307", redirect(http.StatusTemporaryRedirect, "/items"))
	r.HandleFunc("/post303", redirect(http.StatusSeeOther, "/items"))
	return serveGo(t, r)
}
