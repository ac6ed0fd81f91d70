package forms

import (
	"fmt"
	"strings"
)

// Message is a text for the officer in English and Dutch, the two interface languages.
type Message struct {
	EN string `json:"en"`
	NL string `json:"nl"`
}

// Problem is one finding of Validate or Completeness: the JSON path of the field (as in
// docs/case-schema.md, e.g. "documents[0].expiryDate"), a stable code for programs and a
// message for people.
type Problem struct {
	Path    string  `json:"path"`
	Code    string  `json:"code"`
	Message Message `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + p.Message.EN }

// Problem codes. They are part of the format: the UI and scripts match on them.
const (
	CodeRequired          = "required"
	CodeInvalidValue      = "invalid_value"
	CodeDateIncomplete    = "date_incomplete"
	CodeFutureDate        = "future_date"
	CodeExpiryBeforeIssue = "expiry_before_issue"
	CodeUnknownState      = "unknown_state"
	CodeUnknownLanguage   = "unknown_language"
	CodeStatelessWithNat  = "stateless_with_nationality"
	CodeEmptyValue        = "empty_value"
	CodeDuplicate         = "duplicate"
	CodeCompanionMissing  = "companion_missing"
	CodeCompanionRole     = "companion_role"
	CodeRetakeDateMissing = "retake_date_missing"
	CodeMissReasonMissing = "deadline_reason_missing"
	CodeUnderSixCaptured  = "captured_under_six"
	CodeInconsistent      = "inconsistent"
)

// Problems is every finding at once, in field order.
type Problems []Problem

// Error makes Problems usable as an error: one line, every path and English message.
func (ps Problems) Error() string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d problem(s): %s", len(ps), strings.Join(parts, "; "))
}

// Has reports whether a problem with this path and code is present.
func (ps Problems) Has(path, code string) bool {
	for _, p := range ps {
		if p.Path == path && p.Code == code {
			return true
		}
	}
	return false
}

// Blocking drops the advisory problems (a missing reason for a missed deadline), which must
// be shown but never stop work such as saving or printing a form.
func (ps Problems) Blocking() Problems {
	var out Problems
	for _, p := range ps {
		if p.Code != CodeMissReasonMissing {
			out = append(out, p)
		}
	}
	return out
}

func problem(path, code string, m Message) Problem {
	return Problem{Path: path, Code: code, Message: m}
}

var msgRequired = Message{
	EN: "Required before the screening form can be completed; record \"unknown\" where the domain allows it.",
	NL: "Verplicht voordat het screeningsformulier kan worden afgerond; leg \"onbekend\" vast waar dat mag.",
}
