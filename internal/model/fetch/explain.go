package fetch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Explain is the whole `corslab explain` command (verdict-format.md): it reads
// one exchange as JSON from stdin and writes its verdict to stdout — JSON
// indented by two spaces with a trailing newline, or Verdict.Text when text is
// set. It returns the exit status: 0 when a verdict was printed (allowed or
// blocked), 2 for input that does not describe an exchange, with a one-line
// error naming the field on stderr, 1 when stdout cannot be written.
func Explain(stdin io.Reader, stdout, stderr io.Writer, text bool) int {
	x, err := DecodeExchange(stdin)
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "corslab explain: %s\n", msg)
		return 2
	}
	v := Judge(x)
	var out []byte
	if text {
		out = []byte(v.Text())
	} else {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // keep < > & readable in messages
		enc.SetIndent("", "  ")
		if err := enc.Encode(v); err != nil { // cannot happen: Verdict has only strings, bools and []string
			fmt.Fprintf(stderr, "corslab explain: %v\n", err)
			return 1
		}
		out = buf.Bytes()
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "corslab explain: writing the verdict: %v\n", err)
		return 1
	}
	return 0
}
