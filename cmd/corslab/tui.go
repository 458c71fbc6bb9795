package main

import (
	"context"
	"io"

	"github.com/corslab/corslab/internal/lab"
)

// runTUI runs the terminal UI until the user quits or ctx ends.
func runTUI(ctx context.Context, l *lab.Lab, in io.Reader, out io.Writer) error {
	<-ctx.Done() // replaced when the tui package lands
	return nil
}
