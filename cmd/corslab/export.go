package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/corslab/corslab/internal/model/policy"
	"github.com/corslab/corslab/internal/regularfile"
	"github.com/corslab/corslab/internal/tool/export"
)

// exitNothing: the policy allows no origin, so there is nothing to configure.
const exitNothing = 1

const exportUsage = `usage: corslab export -policy FILE -format FORMAT

Prints site B's policy document (-policy -: standard input, e.g. from
curl -s http://localhost:7070/lab/policy) as configuration for your server:
Go github.com/rs/cors options, Express (the cors package, or plain
middleware), nginx directives, the plain header lines, Spring, ASP.NET Core,
FastAPI/Starlette, AWS S3, Flask-CORS, django-cors-headers, jub0bs/cors,
gin-contrib/cors, go-chi/cors, Fastify or Koa. Where the stack cannot answer
as the policy does, WARNING comments say how it differs; an insecure policy
gets a WARNING in every format.

Exit status: 0 printed, 1 nothing to configure (the policy allows no
origin), 2 usage error or an invalid policy.

flags:
`

// runExport is `corslab export`.
func runExport(_ context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("corslab export", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	policyFile := fs.String("policy", "", "the policy document (JSON `file`; - reads standard input)")
	format := fs.String("format", "", "`format`: "+strings.Join(export.Formats, ", "))
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(stderr)
		fmt.Fprint(stderr, exportUsage)
		fs.PrintDefaults()
		return exitOK
	case err != nil:
		fmt.Fprintf(stderr, "corslab export: %v (corslab export -h for help)\n", err)
		return exitUsage
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "corslab export: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	case *policyFile == "":
		fmt.Fprintf(stderr, "corslab export: -policy is required: a policy document saved from the TUI, or - for standard input\n")
		return exitUsage
	case !slices.Contains(export.Formats, *format):
		fmt.Fprintf(stderr, "corslab export: -format %q: want one of %s\n", *format, strings.Join(export.Formats, ", "))
		return exitUsage
	}

	var data []byte
	if *policyFile == "-" {
		data, err = regularfile.ReadLimited(stdin, regularfile.MaxSize)
	} else {
		data, err = regularfile.Read(*policyFile, regularfile.MaxSize)
	}
	if err != nil {
		fmt.Fprintf(stderr, "corslab export: -policy %s: %v\n", *policyFile, err)
		return exitUsage
	}
	doc, err := policy.ParseDocument(data)
	if err != nil {
		fmt.Fprintf(stderr, "corslab export: -policy %s: %v\n", *policyFile, err)
		return exitUsage
	}
	out, err := export.Render(doc, *format)
	switch {
	case errors.Is(err, export.ErrNothing):
		fmt.Fprintf(stderr, "corslab export: %v\n", err)
		return exitNothing
	case err != nil:
		fmt.Fprintf(stderr, "corslab export: -format %s: %v\n", *format, err)
		return exitUsage
	}
	io.WriteString(stdout, out)
	if n := strings.Count(out, "WARNING:"); n > 0 {
		fmt.Fprintf(stderr, "corslab export: %d warning(s): %s cannot answer exactly as the policy does; see the WARNING lines\n", n, *format)
	}
	return exitOK
}
