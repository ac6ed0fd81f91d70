package app

import (
	"strings"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// CaseRow is one line of the case list: the case's stored forms.Summary (so the list never
// decrypts whole cases) with its ID and sync state.
type CaseRow struct {
	ID vault.CaseID `json:"id"`
	forms.Summary
	// Revision counts the case's committed changes (see command.go); it is stored here, in
	// the summary record every change rewrites.
	Revision  int    `json:"rev"`
	SyncState string `json:"syncState,omitempty"`
}

// SearchText is what the case list's search box matches: name, document number, reference.
func (r CaseRow) SearchText() string {
	return strings.Join([]string{r.DisplayName, r.DocumentNumber, r.Reference, string(r.ID)}, " ")
}
