// Package static holds site A's page: the HTML, script and styles that
// fire fetch()es at site B and show the live log. They are embedded in
// the binary, so corslab needs no files beside it.
package static

import "embed"

// Files is the page's files, served by site A at / and /static/.
//
//go:embed index.html *.js *.css
var Files embed.FS
