package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/corslab/corslab/internal/model/fetch"
)

func init() { subcommands["explain"] = runExplain }

// runExplain is `corslab explain [-text]`: one exchange as JSON on stdin, its
// verdict on stdout (see ../shared/verdict-format.md).
func runExplain(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corslab explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	text := fs.Bool("text", false, "print the verdict for a person instead of as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corslab explain [-text] < exchange.json\n\nReads one exchange (request, preflightResponse, response) as JSON and prints\nwhat Chromium does with it: the verdict.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corslab explain: unexpected argument %q: the exchange comes on standard input\n", fs.Arg(0))
		return exitUsage
	}
	return fetch.Explain(stdin, stdout, stderr, *text)
}
