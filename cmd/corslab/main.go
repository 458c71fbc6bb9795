// Command corslab starts a lab that shows CORS happening: site A serves a
// page that fetch()es site B, an API on another origin whose
// Access-Control-* headers a terminal UI toggles live, and every preflight
// and response is streamed to the page and the TUI with the browser's
// verdict. See README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
