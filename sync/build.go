package sync

import (
	"encoding/json"
	"time"
)

// CheckQuery is the body of a security-check packet (docs/sync.md): the names and document
// numbers to check, and the systems to check them in. Central answers one check result per
// system named (Result.System); a query that names no system (terminals before per-system
// results) gets one answer for the whole query.
type CheckQuery struct {
	Names           []string `json:"names"`
	DocumentNumbers []string `json:"document_numbers"`
	Systems         []string `json:"systems,omitempty"`
}

// NewCheckPacket builds a security-check packet for a case: the names and document numbers
// to check against the systems named (central's simulator: its watch list). Which systems a
// screening must query is the app's decision (forms.QueriedSystems), not sync's.
func NewCheckPacket(caseID string, names, documentNumbers []string, systems ...string) *Packet {
	body, _ := json.Marshal(CheckQuery{Names: names, DocumentNumbers: documentNumbers, Systems: systems})
	return &Packet{Header: Header{Kind: KindSecurityCheck, CaseID: caseID, Priority: PriorityFor(KindSecurityCheck)}, Body: body}
}

// NewEurodacPacket builds a Eurodac registration packet carrying the ANSI/NIST transaction
// (fingerprints and face) as an attached file. due is its legal deadline, which the caller
// takes from forms (the case's Eurodac clock): sync orders the queue by it but never decides
// it. Set Header.DeadlineFrom to the clock's start so the Sync screen can show its level.
func NewEurodacPacket(caseID string, due time.Time, nist []byte, meta json.RawMessage) *Packet {
	if meta == nil {
		meta = json.RawMessage(`{}`)
	}
	return &Packet{
		Header: Header{Kind: KindEurodac, CaseID: caseID, Priority: P0, Deadline: due.UTC()},
		Body:   meta,
		Files:  []File{{Name: "transaction.an2", Data: nist}},
	}
}
