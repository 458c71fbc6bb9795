package main

import (
	"context"
	"io"

	"github.com/corslab/corslab/internal/lab"
	"github.com/corslab/corslab/siteB"
	"github.com/corslab/corslab/tui"
)

// runTUI runs the terminal UI until the user quits or ctx ends.
func runTUI(ctx context.Context, l *lab.Lab, in io.Reader, out io.Writer) error {
	return tui.Run(ctx, tui.Options{
		Hub:    l.Journal.Hub(),
		Policy: func() siteB.Document { return l.SiteB.Policy().Document() },
		SetPolicy: func(d siteB.Document) error {
			p, err := siteB.NewPolicy(d)
			if err != nil {
				return err
			}
			l.SiteB.SetPolicy(p, "tui")
			return nil
		},
		SiteA: l.URLA,
		SiteB: l.URLB,
	}, in, out)
}
