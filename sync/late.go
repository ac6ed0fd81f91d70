package sync

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

// bucketLate holds results that arrived for a case the terminal no longer holds.
const bucketLate = "late-results"

// LateResult is a result central sent for a case this terminal no longer holds (purged, or
// unknown here). The app's Applier notes it (NoteLateResult) besides auditing it, so it is
// shown on the Sync screen and in `sync status` instead of being dropped: a hit that
// arrives after a purge must still reach someone who can act on it through central.
// It carries identifiers and the outcome only, never personal data.
type LateResult struct {
	Seq      uint64    `json:"seq"`
	PacketID string    `json:"packetId"`
	CaseID   string    `json:"caseId"`
	Type     string    `json:"type"`
	System   string    `json:"system,omitempty"`
	Outcome  string    `json:"outcome,omitempty"`
	At       time.Time `json:"at"`
	// Why the case could not take it, for example "case purged".
	Why string `json:"why"`
}

// NoteLateResult records r as late for why, inside the transaction that applies it.
func NoteLateResult(tx *vault.Tx, r Result, why string) error {
	b, err := json.Marshal(LateResult{Seq: r.Seq, PacketID: r.PacketID, CaseID: r.CaseID, Type: r.Type,
		System: r.System, Outcome: r.Outcome, At: r.At, Why: why})
	if err != nil {
		return err
	}
	return tx.Put(vault.Sync, bucketLate, fmt.Sprintf("%020d", r.Seq), b)
}

// LateResults lists the late results noted so far, oldest first.
func LateResults(tx *vault.Tx) ([]LateResult, error) {
	out, err := decodeAll[LateResult](tx, bucketLate, "late result")
	if out == nil && err == nil {
		out = []LateResult{} // none yet: [] in the sync status's JSON, not null
	}
	return out, err
}
