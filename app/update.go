package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// ExportCase returns the case as indented JSON (the format of docs/case-schema.md) with its
// revision first ("revision": N), audited as an export. The output is also a merge patch
// for UpdateCaseJSON: sending it back unchanged changes nothing.
func (s *Session) ExportCase(id vault.CaseID) ([]byte, error) {
	c, rev, err := s.readCaseRev(id, AuditCaseExport)
	if err != nil {
		return nil, err
	}
	b, err := withRevision(c, rev)
	if err != nil {
		return nil, fmt.Errorf("export case %s: %w", id, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "  "); err != nil {
		return nil, fmt.Errorf("export case %s: %w", id, err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// withRevision is the case's JSON object with "revision" as its first member.
func withRevision(c *forms.Case, rev int) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	head := []byte(`{"revision":` + strconv.Itoa(rev))
	if len(b) > 2 {
		head = append(head, ',')
	}
	return append(head, b[1:]...), nil
}

// ErrPatchRevision: the patch names a revision other than the one the caller gave.
var ErrPatchRevision = errors.New("the patch's \"revision\" differs from the revision given")

// UpdateCaseJSON changes case id, read at revision rev, by an RFC 7396 merge patch of its
// exported JSON (the whole case as ExportCase prints it is one). The patched case is turned
// into the same named commands a screen sends (CommandsFor) and run by Do: a patch that
// touches what only the system writes is refused naming the field, one that lets a list
// outgrow what a screening needs gives *ListLimitError (patchlimits.go), and a rev that is not
// current gives *StaleError. A "revision" member in the patch must equal rev. It returns the
// new revision (rev itself when the patch changes nothing).
func (s *Session) UpdateCaseJSON(id vault.CaseID, rev int, patch []byte) (int, error) {
	if len(patch) > forms.MaxCaseBytes {
		return 0, fmt.Errorf("update case %s: %w", id, forms.ErrCaseTooLarge)
	}
	var head struct {
		Revision *json.Number `json:"revision"`
	}
	if err := json.Unmarshal(patch, &head); err == nil && head.Revision != nil && head.Revision.String() != strconv.Itoa(rev) {
		return 0, fmt.Errorf("update case %s: %w (%s, not %d): export the case again or drop the member", id, ErrPatchRevision, head.Revision, rev)
	}
	cur, now, err := s.readCaseRev(id, AuditCaseRead)
	if err != nil {
		return 0, err
	}
	if now != rev {
		return now, &StaleError{ID: id, Read: rev, Current: now, Case: cur}
	}
	doc, err := withRevision(cur, rev)
	if err != nil {
		return 0, err
	}
	merged, err := MergePatch(doc, patch)
	if err != nil {
		return 0, fmt.Errorf("update case %s: %w", id, err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(merged, &m); err != nil {
		return 0, fmt.Errorf("update case %s: the patched case is not a JSON object", id)
	}
	delete(m, "revision")
	clean, err := json.Marshal(m)
	if err != nil {
		return 0, err
	}
	edited, err := forms.DecodeCase(bytes.NewReader(clean))
	if err != nil {
		return 0, fmt.Errorf("update case %s: %w", id, err)
	}
	if err := checkListLimits(cur, edited); err != nil {
		return 0, fmt.Errorf("update case %s: %w", id, err)
	}
	if err := typedReadings(cur, edited); err != nil {
		return 0, fmt.Errorf("update case %s: %w", id, err)
	}
	cmds, err := CommandsFor(cur, edited)
	if err != nil {
		return 0, fmt.Errorf("update case %s: %w", id, err)
	}
	return s.Do(id, rev, cmds...)
}

// typedReadings refuses a patch that keeps or puts source "mrz" on a document whose read
// fields it typed: "mrz" means a document reader verified the check digits of what it read
// (forms.Document.Source), and no reader takes part in a patch. A reading left as read may
// stay "mrz" while the officer's own entries beside it (issue date, authenticity) change;
// the screen turns an edited reading to "manual" the same way (app/ui/docread.go).
func typedReadings(base, edited *forms.Case) error {
	for i, d := range edited.Documents {
		if d.Source != "mrz" {
			continue
		}
		if i < len(base.Documents) && base.Documents[i].Source == "mrz" && sameReading(base.Documents[i], d) {
			continue
		}
		return &ProtectedError{Field: fmt.Sprintf("documents[%d].source", i),
			Reason: `"mrz" is set by a document reader that verified the check digits; a typed or changed document is "manual": set source to manual`}
	}
	return nil
}

// sameReading reports whether a and b hold the same fields a machine-readable zone gives.
func sameReading(a, b forms.Document) bool {
	return a.Type == b.Type && a.Number == b.Number && a.IssuingState == b.IssuingState &&
		a.ExpiryDate == b.ExpiryDate && jsonEqual(a.Holder, b.Holder)
}
