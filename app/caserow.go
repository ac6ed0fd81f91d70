package app

import (
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

// CaseRow is one line of the case list: enough to find a case and see its deadlines,
// decrypted from the case's small summary record rather than the whole case.
type CaseRow struct {
	ID             vault.CaseID `json:"id"`
	Reference      string       `json:"reference"`
	Surnames       string       `json:"surnames,omitempty"`
	GivenNames     string       `json:"givenNames,omitempty"`
	DocumentNumber string       `json:"documentNumber,omitempty"`
	Status         string       `json:"status"`
	TriggerAt      time.Time    `json:"triggerAt"`
	ScreeningDue   time.Time    `json:"screeningDue"`
	EurodacDue     time.Time    `json:"eurodacDue"`
	SyncState      string       `json:"syncState,omitempty"`
	Purged         bool         `json:"purged,omitempty"`
}

// DisplayName is "SURNAMES, Given names", or the reference when no name is known yet.
func (r CaseRow) DisplayName() string {
	switch {
	case r.Surnames != "" && r.GivenNames != "":
		return r.Surnames + ", " + r.GivenNames
	case r.Surnames != "":
		return r.Surnames
	case r.GivenNames != "":
		return r.GivenNames
	}
	return r.Reference
}

// SearchText is what the case list's search box matches: names, document number, reference.
func (r CaseRow) SearchText() string {
	return strings.Join([]string{r.Surnames, r.GivenNames, r.DocumentNumber, r.Reference, string(r.ID)}, " ")
}
