package forms

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Handover records, as facts of their own, that the person received the screening form's copy
// and the information leaflet: which language and version, when, and who handed it over, or
// that they refused to accept it. Screening Regulation (EU) 2024/1356 Art 11 requires the
// information to be given in writing and Art 17 the form to be given to the person; how the
// information was given (Information: medium, interpreter, time) does not say that the person
// actually took the paper. "Not recorded" is a value (Status ""), never read as received.
type Handover struct {
	Form    HandedOver `json:"form,omitzero"`
	Leaflet HandedOver `json:"leaflet,omitzero"`
}

// HandedOver is the handover of one document.
type HandedOver struct {
	Status HandoverStatus `json:"status,omitempty"`
	// Language is the document's language (a leaflet language code: en, ar, ti, ...).
	Language string `json:"language,omitempty"`
	// Version, At and By are stamped by the terminal: the version of the text it prints (the
	// leaflet's or the form labels'), when the handover was recorded, and who recorded it.
	Version string    `json:"version,omitempty"`
	At      time.Time `json:"at,omitzero"`
	By      string    `json:"by,omitempty"`
}

// HandoverStatus is what happened when the document was handed over.
type HandoverStatus string

// Handover states; "" is "not recorded".
const (
	HandoverReceived HandoverStatus = "received"
	HandoverRefused  HandoverStatus = "refused" // the person refused to accept it
)

// HandoverStatuses lists the recorded states.
var HandoverStatuses = []HandoverStatus{HandoverReceived, HandoverRefused}

// HandoverNotRecorded is the monitoring summary's code for a handover nobody recorded.
const HandoverNotRecorded = "not_recorded"

// Handover documents.
const (
	HandoverForm    = "form"
	HandoverLeaflet = "leaflet"
)

// Code is the document's handover as a code for the monitoring summary: received,
// refused or not_recorded (NotACode for anything else an imported case may carry).
func (h HandedOver) Code() string {
	if h.Status == "" {
		return HandoverNotRecorded
	}
	return string(codeOf(h.Status, HandoverStatuses))
}

// RecordHandover records the handover of doc (HandoverForm or HandoverLeaflet) with status
// and language as the officer chose them; have lists the languages the terminal prints the
// document in, version the version it prints. The terminal stamps version, time and who (by).
// Status "" withdraws the record (not recorded). Re-recording the same status and language
// keeps the first stamp. SR Art 11, Art 17.
func (c *Case) RecordHandover(doc string, status HandoverStatus, language string, have []string, version, by string, now time.Time) error {
	var h *HandedOver
	switch doc {
	case HandoverForm:
		h = &c.Handover.Form
	case HandoverLeaflet:
		h = &c.Handover.Leaflet
	default:
		return Problems{problem("handover", CodeInvalidValue, Message{
			EN: fmt.Sprintf("%q is not a document handed over: use form or leaflet.", doc),
			NL: fmt.Sprintf("%q is geen overhandigd document: gebruik form of leaflet.", doc)})}
	}
	path := "handover." + doc
	language = strings.ToLower(strings.TrimSpace(language))
	if status == "" {
		*h = HandedOver{}
		return nil
	}
	if !slices.Contains(HandoverStatuses, status) {
		return Problems{problem(path+".status", CodeInvalidValue, enumMsg("handover status", status, HandoverStatuses))}
	}
	if !slices.Contains(have, language) {
		return Problems{problem(path+".language", CodeRequired, Message{
			EN: fmt.Sprintf("Choose the language of the %s that was offered (one of %s).", doc, strings.Join(have, ", ")),
			NL: fmt.Sprintf("Kies de taal van de aangeboden %s (een van %s).", docNL(doc), strings.Join(have, ", "))})}
	}
	if h.Status == status && h.Language == language && !h.At.IsZero() {
		return nil
	}
	*h = HandedOver{Status: status, Language: language, Version: version, At: now.UTC(), By: by}
	return nil
}

func docNL(doc string) string {
	if doc == HandoverForm {
		return "formulier"
	}
	return "folder"
}
