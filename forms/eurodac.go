package forms

// EurodacElement is one data element of the Eurodac dataset (the common core of Eurodac
// Arts 17(1), 19(1), 21(1), 22(2), 24(2), 26(2)), with whether the case holds it.
type EurodacElement struct {
	Letter string // (a) … (n) as in the Regulation
	Name   string
	// Core: one of (a)-(f) and (h), which must all be present for the dataset to count as
	// transmitted (Eurodac Arts 19(2), 21(2)).
	Core    bool
	Present bool
}

// EurodacElements lists the dataset elements for the case's category and which are present.
// (m), the date of transmission, is set by the sync layer once central has the packet. The
// category-specific extras (for an applicant: place and date of the application) are in (g).
func (c *Case) EurodacElements() []EurodacElement {
	b := c.Biometrics
	captured := false
	for _, f := range b.Fingers {
		captured = captured || f.Status == FingerCaptured
	}
	id := c.Identity
	doc := len(c.Documents) > 0 && c.Documents[0].Number != "" && c.Documents[0].IssuingState != ""
	event := c.Eurodac.MemberStateOfOrigin != "" && c.Trigger.Place != "" && !c.Trigger.At.IsZero()
	if c.Eurodac.Category == EurodacApplicant {
		event = c.Eurodac.MemberStateOfOrigin != "" && c.Application.Made.Yes() && c.Application.Place != "" && !c.Application.At.IsZero()
	}
	scan := c.EurodacScanDocument() >= 0
	return []EurodacElement{
		{"a", "fingerprint data", true, captured},
		{"b", "facial image", true, b.Face.Status == FaceCaptured},
		{"c", "surname(s), forename(s), names at birth, previous names, aliases", true, len(id.Surnames)+len(id.GivenNames) > 0},
		{"d", "nationality(ies)", true, len(id.Nationalities) > 0},
		{"e", "date of birth", true, !id.BirthDate.IsZero()},
		{"f", "place of birth", true, id.PlaceOfBirth != "" || id.CountryOfBirth != ""},
		{"g", "Member State of origin, place and date of the event", false, event},
		{"h", "sex", true, id.Sex != ""},
		{"i", "document type, number, issuing state (three-letter code), expiry date", false, doc},
		{"j", "scanned colour copy of the document, with its authenticity", false, scan},
		{"k", "reference number of the Member State of origin", false, c.Eurodac.Reference != ""},
		{"l", "date the biometric data were taken", false, !b.CapturedAt.IsZero()},
		{"m", "date the data were transmitted", false, !c.Eurodac.TransmittedAt.IsZero()},
		{"n", "operator user ID", false, b.Operator != ""},
	}
}

// MissingEurodacCore lists the letters of the core elements (a)-(f), (h) that are missing.
// Until it is empty the dataset does not count as transmitted for AMMR purposes, so the
// sync layer should not treat the Eurodac obligation as met.
func (c *Case) MissingEurodacCore() []string {
	var out []string
	for _, e := range c.EurodacElements() {
		if e.Core && !e.Present {
			out = append(out, e.Letter)
		}
	}
	return out
}
