// Package eurodac maps a screening case's Eurodac data set (Regulation (EU) 2024/1358) and
// its biometric captures to an ANSI/NIST-ITL transaction, and reads such a transaction back.
//
// The eu-LISA Eurodac interface control document is not public. Every choice this package
// makes about record types, field numbers, codes and image formats is therefore collected
// in this file, versioned by ProfileVersion, and explained (ASSUMPTION or SOURCED FACT) in
// docs/eurodac-profile.md. When the real ICD is obtained, this file and that document change
// together; package nist stays generic.
//
// The package knows nothing of forms.Case: the application layer fills Subject, Finger and
// Face from the case.
package eurodac

// ProfileVersion identifies the set of choices below. It is written into every transaction
// (1.013 DOM version and 2.003), so a receiver can tell which mapping produced a file.
// Change it whenever any table or constant in this file changes.
const ProfileVersion = "0.4.0"

// ProfileName is the domain name written into 1.013 DOM.
const ProfileName = "FIELDSCREEN-EURODAC"

// ANSI/NIST-ITL header choices.
const (
	// NISTVersion: ANSI/NIST-ITL 1-2011 Update 2015 (1.002 VER).
	NISTVersion = "0502"
	// Destination is 1.007 DAI, the Eurodac central system. ASSUMPTION: the real agency
	// identifier comes from the ICD; the originator (ORI) is configured per terminal.
	Destination = "EUEURODAC"
	// ScanPPMM is 1.011 NSR / 1.012 NTR: 500 ppi = 19.69 pixels per millimetre.
	ScanPPMM = "19.69"
	// FingerPPI is the only fingerprint resolution accepted: WSQ is defined for 500 ppi.
	FingerPPI = 500
	// FingerImpression is 14.003 IMP 0: plain (flat) live-scan impression, what the
	// terminal's single-finger scanners produce.
	FingerImpression = 0
	// FingerCompression is 14.011 CGA for fingerprints.
	FingerCompression = "WSQ20"
	// FaceProfile is 10.013 SAP 13: ISO/IEC 19794-5 full frontal facial image.
	FaceProfile = 13
	// The document scan (element (j)) travels as a Type-20 source representation record:
	// 20.003 CAR "D" (one source, one use), 20.015 SFT file type "JPG", 20.011 CGA JPEGB,
	// 20.021 SRN 1 (the number 2.024 refers to). ASSUMPTION: the ICD's choice is unknown.
	ScanCardinality = "D"
	ScanFileType    = "JPG"
	ScanCompression = "JPEGB"
	ScanNumber      = 1
)

// Category is the Eurodac category of the person, which decides the transaction type.
type Category int

// Categories of persons whose data Eurodac records (Regulation (EU) 2024/1358).
const (
	Applicant           Category = iota + 1 // Art 15, data set Art 17: applicant for international protection
	IrregularCrossing                       // Art 22: apprehended in connection with an irregular crossing
	IllegalStay                             // Art 23: found illegally staying
	SARDisembarkation                       // Art 24: disembarked following a search and rescue operation
	TemporaryProtection                     // Art 26: beneficiary of temporary protection
)

// categoryInfo is the table of categories: the 1.004 TOT code (ASSUMPTION) and the legal basis.
var categoryInfo = map[Category]struct{ Code, TOT, Article string }{
	Applicant:           {"APPLICANT", "EDA", "Art 15 and 17"},
	IrregularCrossing:   {"IRREGULAR", "EDI", "Art 22"},
	IllegalStay:         {"ILLEGALSTAY", "EDS", "Art 23"},
	SARDisembarkation:   {"SAR", "EDR", "Art 24"},
	TemporaryProtection: {"TEMPPROT", "EDT", "Art 26"},
}

// String returns the category code written into 2.004.
func (c Category) String() string {
	if i, ok := categoryInfo[c]; ok {
		return i.Code
	}
	return "UNKNOWN"
}

// TOT returns the 1.004 transaction type for the category ("" if unknown).
func (c Category) TOT() string { return categoryInfo[c].TOT }

// Type-2 field numbers of the profile. Letters refer to the data elements of Art 17(1)
// (repeated in Arts 19(1), 21(1), 22(2), 24(2) and 26(2)) of Regulation (EU) 2024/1358.
const (
	FieldProfile         = 3  // profile name US version
	FieldCategory        = 4  // Category code
	FieldReference       = 5  // (k) reference number used by the Member State of origin
	FieldMemberState     = 6  // (g) Member State of origin
	FieldEventPlace      = 7  // (g) place of the application / apprehension / disembarkation / registration
	FieldEventDate       = 8  // (g) date of that event, YYYYMMDD
	FieldSex             = 9  // (h) sex: M, F or X
	FieldSurnames        = 10 // (c) surname(s), one per subfield
	FieldForenames       = 11 // (c) forename(s)
	FieldNamesAtBirth    = 12 // (c) name(s) at birth
	FieldPreviousNames   = 13 // (c) previously used names
	FieldAliases         = 14 // (c) aliases
	FieldNationalities   = 15 // (d) nationality(ies), three-letter codes, one per subfield
	FieldDateOfBirth     = 16 // (e) date of birth YYYYMMDD, 00 for an unknown month or day
	FieldPlaceOfBirth    = 17 // (f) place of birth
	FieldDocument        = 18 // (i) type US number US issuing country (3 letters) US expiry YYYYMMDD
	FieldBiometricsTaken = 19 // (l) date the biometric data were taken, YYYYMMDD
	FieldSentAt          = 20 // (m) date and time the data were sent, YYYYMMDDhhmmssZ
	FieldOperator        = 21 // (n) operator user ID
	FieldFingerStatus    = 22 // per finger not captured: position US reason code
	FieldSecurityFlag    = 23 // the security flag's ground code, when the Member State sets it
	FieldDocumentScan    = 24 // (j) scan: Type-20 SRN US authenticity code US document type
	// FieldRectified marks a rectification (ER Art 40(3)): the letters of the Art 17(1)
	// elements corrected, one per subfield. Present only in a rectification transaction.
	FieldRectified = 25
)

// Type2Fields documents the Type-2 layout: field, mnemonic, Regulation element. The
// profile document lists the same table; a test keeps the two in step.
var Type2Fields = []struct {
	Num      int
	Mnemonic string
	Element  string
}{
	{FieldProfile, "PRF", "profile version (not a Regulation element)"},
	{FieldCategory, "CAT", "category (Arts 15, 22, 23, 24, 26)"},
	{FieldReference, "REF", "Art 17(1)(k)"},
	{FieldMemberState, "MSO", "Art 17(1)(g)"},
	{FieldEventPlace, "EVP", "Art 17(1)(g)"},
	{FieldEventDate, "EVD", "Art 17(1)(g)"},
	{FieldSex, "SEX", "Art 17(1)(h)"},
	{FieldSurnames, "SUR", "Art 17(1)(c)"},
	{FieldForenames, "FOR", "Art 17(1)(c)"},
	{FieldNamesAtBirth, "NAB", "Art 17(1)(c)"},
	{FieldPreviousNames, "PRN", "Art 17(1)(c)"},
	{FieldAliases, "ALI", "Art 17(1)(c)"},
	{FieldNationalities, "NAT", "Art 17(1)(d)"},
	{FieldDateOfBirth, "DOB", "Art 17(1)(e)"},
	{FieldPlaceOfBirth, "POB", "Art 17(1)(f)"},
	{FieldDocument, "DOC", "Art 17(1)(i)"},
	{FieldBiometricsTaken, "BTD", "Art 17(1)(l)"},
	{FieldSentAt, "STD", "Art 17(1)(m)"},
	{FieldOperator, "OPR", "Art 17(1)(n)"},
	{FieldFingerStatus, "FST", "fingers not captured (Art 13, 15(2) retake rules)"},
	{FieldSecurityFlag, "SEC", "security flag: the person could pose a threat to internal security"},
	{FieldDocumentScan, "DSC", "Art 17(1)(j): the scan (Type-20) and its authenticity"},
	{FieldRectified, "RCT", "Art 40(3): the elements a rectification corrects"},
}

// Authenticity codes of the document scan, written into 2.024 (Art 17(1)(j): "along with
// an indication of its authenticity"). ASSUMPTION: the codes.
var scanAuthenticities = []string{"genuine", "suspected_false", "not_checked"}

// Acquisition source types of the scan for 20.014 AQS (ANSI/NIST-ITL acquisition source
// type codes: 3 static digital image from a scanner, 6 single video frame from a digital
// camera).
const (
	AcquisitionScanner = "3"
	AcquisitionCamera  = "6"
)

// RectifiableElements are the Art 17(1) letters a rectification may name: the
// alphanumeric elements the Member State of origin recorded (not the biometrics (a), (b),
// the document scan (j), nor what the terminal stamps, (k)-(n)).
var RectifiableElements = []string{"c", "d", "e", "f", "g", "h", "i"}

// FingerStatus says whether a finger was captured and, if not, why.
type FingerStatus int

// Finger statuses the terminal records.
const (
	Captured            FingerStatus = iota + 1
	Amputated                        // 14.018 AMP XX
	Unprintable                      // permanently unprintable: 14.018 AMP UP
	TemporarilyUnusable              // injured or bandaged, retake later: 14.018 AMP UP
	Refused                          // the person refused: no Type-14 record, only 2.022
)

// fingerStatusInfo: the reason code written into 2.022 and the AMP code for 14.018 ("" =
// no Type-14 record for the finger).
var fingerStatusInfo = map[FingerStatus]struct{ Code, AMP string }{
	Captured:            {"CAP", ""},
	Amputated:           {"XX", "XX"},
	Unprintable:         {"UP", "UP"},
	TemporarilyUnusable: {"TU", "UP"},
	Refused:             {"RF", ""},
}

// String returns the 2.022 reason code.
func (s FingerStatus) String() string {
	if i, ok := fingerStatusInfo[s]; ok {
		return i.Code
	}
	return "UNKNOWN"
}

// Sex codes written into 2.009.
var sexCodes = map[string]bool{"M": true, "F": true, "X": true}
