package app

import (
	"os"
	"path/filepath"
)

// Where the terminal writes files for people: decided here, once, never by a screen.

// ExportDir is a new folder for a courier export of packets, named by the time on app's
// clock: fieldscreen-export/YYYYMMDD-hhmmss in the user's home.
func (s *Session) ExportDir() string {
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "fieldscreen-export", s.nowFunc().Format("20060102-150405"))
	}
	return filepath.Join(os.TempDir(), "fieldscreen-export")
}
