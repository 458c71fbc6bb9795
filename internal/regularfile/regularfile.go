// Package regularfile reads the files a user names (a policy, the lessons'
// progress) safely: only a regular file, and only up to a size. /dev/zero
// would otherwise be read until memory runs out, and a FIFO would block
// start-up until something writes to it.
package regularfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// MaxSize is the largest file Read reads: far more than any policy or
// progress file.
const MaxSize = 1 << 20

// ErrNotRegular is the error for a device, a FIFO, a socket or a directory.
var ErrNotRegular = errors.New("not a regular file")

// Read returns the contents of the regular file at path, at most max bytes
// (a larger file is an error). It never blocks on a FIFO: the path is
// checked before it is opened, opened non-blocking, and checked again on
// what was opened. Errors are one line without the path (the caller names
// it with its flag): "not a regular file", "larger than 1 MiB", "no such
// file or directory".
func Read(path string, max int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadLimited(f, max)
}

// Open opens the regular file at path for reading, as Read does, for a
// caller that streams it (a HAR file may be large): never a device or a
// FIFO. Errors are as Read's.
func Open(path string) (*os.File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, bare(err)
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, bare(err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() { // replaced since the first look
		f.Close()
		return nil, ErrNotRegular
	}
	return f, nil
}

// ReadLimited reads r to its end, at most max bytes (more is an error).
func ReadLimited(r io.Reader, max int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, bare(err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %s", Size(max))
	}
	return data, nil
}

// IsRegularOrAbsent reports an error when path exists and is not a
// regular file: a file the lab will write (the progress) must be one.
func IsRegularOrAbsent(path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return bare(err)
	}
	if !st.Mode().IsRegular() {
		return ErrNotRegular
	}
	return nil
}

func bare(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Size writes n bytes as a person reads it: "1 MiB", "64 KiB", "100 bytes".
func Size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n >= 1<<10 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
