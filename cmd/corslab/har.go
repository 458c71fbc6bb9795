package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/regularfile"
	"github.com/corslab/corslab/internal/tool/har"
)

const harUsage = `usage: corslab har [-json] [-browser chromium|firefox|webkit] FILE.har

Reads a HAR file (DevTools: Network, "Save all as HAR"; Chromium and Firefox
exports, sanitized ones too), finds every cross-origin request, pairs each
preflight with its request, and prints for each the request, what the server
answered, the browser's verdict with its message and the fix, then a table.

Exit status: 0 every cross-origin request allowed (or there is none: "nothing
cross-origin here"), 1 some blocked, 2 a file that is not a HAR.

flags:
`

// runHAR is `corslab har FILE.har`.
func runHAR(_ context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corslab har", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	jsonOut := fs.Bool("json", false, "print each exchange (the input of corslab explain) and its verdict as JSON")
	browser := fs.String("browser", "", "whose words: `chromium`, firefox or webkit (default: the browser that wrote the HAR, else chromium)")
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.SetOutput(stderr)
				fmt.Fprint(stderr, harUsage)
				fs.PrintDefaults()
				return exitOK
			}
			fmt.Fprintf(stderr, "corslab har: %v (corslab har -h for help)\n", err)
			return exitUsage
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	switch {
	case len(files) == 0:
		fmt.Fprintln(stderr, "corslab har: missing the HAR file (corslab har FILE.har)")
		return exitUsage
	case len(files) > 1:
		fmt.Fprintf(stderr, "corslab har: one file at a time, got %q and %q\n", files[0], files[1])
		return exitUsage
	}
	if *browser != "" {
		if _, err := fetch.BrowserNamed(*browser); err != nil {
			fmt.Fprintf(stderr, "corslab har: -browser: %v\n", err)
			return exitUsage
		}
	}

	f, err := regularfile.Open(files[0])
	if err != nil {
		fmt.Fprintf(stderr, "corslab har: %s: %v\n", files[0], err)
		return exitUsage
	}
	defer f.Close()
	rep, err := har.Analyze(f)
	if errors.Is(err, har.ErrNothingCrossOrigin) {
		if *jsonOut {
			writeJSON(stdout, rep.JSON())
		} else {
			fmt.Fprintf(stdout, "%s: nothing cross-origin here: none of its %d entries is a request to another origin.\n", files[0], rep.Log.Entries)
		}
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "corslab har: %s: %v\n", files[0], err)
		return exitUsage
	}
	who := *browser
	if who == "" {
		who = rep.Browser // the browser that wrote the file
	}
	if b, err := fetch.BrowserNamed(who); err == nil {
		rep.JudgeAs(b)
	}
	if *jsonOut {
		writeJSON(stdout, rep.JSON())
	} else {
		rep.Text(stdout)
	}
	if rep.Blocked() > 0 {
		return exitBlocked
	}
	return exitOK
}
