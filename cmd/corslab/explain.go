package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/corslab/corslab/internal/model/fetch"
	"github.com/corslab/corslab/internal/textclean"
)

// runExplain is `corslab explain [-text] [-browser NAME]`: one exchange as
// JSON on stdin, its verdict in that browser (Chromium by default) on stdout
// (docs/verdict-format.md) — JSON indented by two spaces
// with a trailing newline, or the verdict for a person with -text. Exit
// status: 0 when a verdict was printed (allowed or blocked), 2 for input that
// does not describe an exchange, with a one-line error naming the field on
// stderr, 1 when stdout cannot be written.
func runExplain(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corslab explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	text := fs.Bool("text", false, "print the verdict for a person instead of as JSON")
	browser := fs.String("browser", "chromium", "the browser whose verdict, error names and console sentences to give: `chromium`, firefox or webkit (Safari's engine)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: corslab explain [-text] [-browser chromium|firefox|webkit] < exchange.json\n\nReads one exchange (request, preflightResponse, response) as JSON and prints\nwhat the browser (Chromium unless -browser says otherwise) does with it: the verdict.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	b, err := fetch.BrowserNamed(*browser)
	if err != nil {
		fmt.Fprintf(stderr, "corslab explain: -browser: %v\n", err)
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "corslab explain: unexpected argument %q: the exchange comes on standard input\n", fs.Arg(0))
		return exitUsage
	}
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprintln(stderr, "corslab explain: waiting for an exchange as JSON on standard input (end it with Ctrl-D; corslab explain -h for help)")
	}
	return explain(stdin, stdout, stderr, *text, b)
}

// explain reads one exchange from stdin, judges it and prints the verdict;
// it returns the exit status (see runExplain).
func explain(stdin io.Reader, stdout, stderr io.Writer, text bool, b *fetch.Browser) int {
	// One byte more than the model takes, so that it can say the input is too large.
	data, err := io.ReadAll(io.LimitReader(stdin, fetch.MaxExchangeSize+1))
	if err != nil {
		fmt.Fprintf(stderr, "corslab explain: reading input: %s\n", oneLine(err))
		return exitUsage
	}
	x, err := fetch.ParseExchange(data)
	if err != nil {
		fmt.Fprintf(stderr, "corslab explain: %s\n", oneLine(err))
		return exitUsage
	}
	v := b.Judge(x)
	var out []byte
	if text {
		out = []byte(textclean.Strip(v.Text())) // the exchange's own text must not drive the terminal
	} else {
		out = v.IndentedJSON()
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "corslab explain: writing the verdict: %v\n", err)
		return exitFail
	}
	return exitOK
}

// oneLine is err's text on one line.
func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", " ") }
