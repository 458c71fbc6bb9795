package siteA

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/corslab/corslab/internal/regularfile"
)

// progress is what persists of the lessons: the current one and those done.
// It lives in a small JSON file (os.UserConfigDir()/corslab/progress.json
// by default, -progress to override).
type progress struct {
	Current int      `json:"current"` // 1-based
	Done    []string `json:"done"`    // lesson IDs
}

// loadProgress reads the progress file; a missing one is a fresh start.
func loadProgress(path string) (progress, error) {
	p := progress{Current: 1}
	if path == "" {
		return p, nil
	}
	data, err := regularfile.Read(path, regularfile.MaxSize)
	if errors.Is(err, os.ErrNotExist) {
		return p, nil
	}
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	if err != nil {
		return progress{Current: 1}, fmt.Errorf("lesson progress %s: %v (starting afresh)", path, err)
	}
	return p, nil
}

// saveProgress writes the file atomically (a temporary file renamed).
func saveProgress(path string, p progress) error {
	if path == "" {
		return nil
	}
	data, _ := json.MarshalIndent(p, "", "  ")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("lesson progress not saved: %v", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".progress-*.json")
	if err != nil {
		return fmt.Errorf("lesson progress not saved: %v", err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("lesson progress not saved: %v", err)
	}
	return nil
}
