package regularfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.json")
	os.WriteFile(ok, []byte(`{}`), 0o644)
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, []byte(strings.Repeat(" ", 101)), 0o644)
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	os.Symlink(ok, link)
	for _, c := range []struct{ path, want string }{
		{ok, ""},
		{link, ""}, // a symlink to a regular file is one
		{big, "larger than 100 bytes"},
		{fifo, "not a regular file"}, // never opened for a blocking read
		{"/dev/zero", "not a regular file"},
		{dir, "not a regular file"},
		{filepath.Join(dir, "absent"), "no such file or directory"},
	} {
		data, err := Read(c.path, 100)
		if got := ""; err != nil {
			got = err.Error()
			if got != c.want {
				t.Errorf("Read(%s) = %v, want %q", c.path, err, c.want)
			}
		} else if c.want != "" || string(data) != `{}` {
			t.Errorf("Read(%s) = %q, nil; want error %q", c.path, data, c.want)
		}
	}
}
