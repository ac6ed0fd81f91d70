package sync

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"filippo.io/age"
)

// FormManifest is the body of a screening-form packet (docs/sync.md): which version of the
// case's screening form it carries and for whom. Central relays the packet to the receiving
// authority; when central's config names that authority's age recipient, the form's files
// are encrypted to it (Recipient), so only the authority reads them.
type FormManifest struct {
	CaseReference string `json:"case_reference"`
	// Version of the form under the case reference; a higher version supersedes the
	// packet named in Supersedes.
	Version    int    `json:"version"`
	Supersedes string `json:"supersedes,omitempty"`
	// Correction: a supervisor corrected data of the version superseded (Eurodac Art 40(3));
	// Corrected names the fields (case-schema paths), form.json carries old, new and reason.
	Correction bool     `json:"correction,omitempty"`
	Corrected  []string `json:"corrected,omitempty"`
	// Addendum: the packet forwards late security-check results (Systems) to the version
	// already sent (SR Art 18(5)).
	Addendum   bool     `json:"addendum,omitempty"`
	Systems    []string `json:"systems,omitempty"`
	OpenChecks []string `json:"open_checks,omitempty"`
	// To is the referral target (asylum, return, relocation); Authority its name.
	To        string `json:"to"`
	Authority string `json:"authority,omitempty"`
	// Recipient is the age recipient the files are encrypted to ("" when central named
	// none for To: then only central's seal protects them).
	Recipient string   `json:"recipient,omitempty"`
	Files     []string `json:"files"`
}

// NewFormPacket builds a screening-form packet: the manifest as body and the files (the
// form's data and its PDF), each encrypted to m.Recipient when it is set (the name then ends
// in ".age").
func NewFormPacket(caseID string, m FormManifest, files []File) (*Packet, error) {
	var rcpt age.Recipient
	if m.Recipient != "" {
		r, err := age.ParseX25519Recipient(m.Recipient)
		if err != nil {
			return nil, fmt.Errorf("receiving authority's recipient: %w", err)
		}
		rcpt = r
	}
	out := make([]File, 0, len(files))
	m.Files = nil
	for _, f := range files {
		if rcpt != nil {
			var buf bytes.Buffer
			w, err := age.Encrypt(&buf, rcpt)
			if err != nil {
				return nil, fmt.Errorf("encrypt %s for the receiving authority: %w", f.Name, err)
			}
			if _, err := io.Copy(w, bytes.NewReader(f.Data)); err != nil {
				return nil, err
			}
			if err := w.Close(); err != nil {
				return nil, err
			}
			f = File{Name: f.Name + ".age", Data: buf.Bytes()}
		}
		out = append(out, f)
		m.Files = append(m.Files, f.Name)
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, err
	}
	return &Packet{Header: Header{Kind: KindScreeningForm, CaseID: caseID, Priority: PriorityFor(KindScreeningForm)}, Body: body, Files: out}, nil
}
