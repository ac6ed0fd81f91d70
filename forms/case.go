package forms

import (
	"strconv"
	"time"
)

// Case is one screening of one person. Family members each get their own Case (domain note
// §3 rules); links between them are kept by the app, not here.
//
// Declared identity (what the person says, Identity) and documented identity (what a document
// says, Documents[i]) are kept apart on purpose: the screening form and Eurodac need both, and
// a mismatch is information, not an error to be "fixed" by overwriting one with the other.
type Case struct {
	// Reference is the human-readable case reference printed on the form and carried by the
	// QR code. It must not contain personal data.
	Reference string `json:"reference,omitempty"`
	// Status is the lifecycle state; empty on import means StatusOpened.
	Status  Status         `json:"status,omitempty"`
	History []StatusChange `json:"history,omitempty"`
	Trigger Trigger        `json:"trigger"`
	Info    Information    `json:"information,omitzero"`
	// Handover records that the person received the form's copy and the leaflet (handover.go).
	Handover Handover `json:"handover,omitzero"`
	Identity Identity `json:"identity,omitzero"`
	// Documents are identity and travel documents the person carried or handed over, each with
	// the identity it states.
	Documents     []Document     `json:"documents,omitempty"`
	Health        HealthOutcome  `json:"health,omitzero"`
	Vulnerability Vulnerability  `json:"vulnerability,omitzero"`
	Application   Application    `json:"application,omitzero"`
	Family        []FamilyMember `json:"family,omitempty"`
	// FamilyInMemberState answers SR Art 17(1)(g) when no member is listed: no, or not
	// recorded (see FamilyAnswer).
	FamilyInMemberState Answer      `json:"familyInMemberState,omitempty"`
	Cooperation         Cooperation `json:"cooperation,omitzero"`
	// Statement is what the person states about their arrival (SR Art 17(2)).
	Statement Statement `json:"statement,omitzero"`
	// Remarks is the person's own section: data they say are incorrect, and their copy.
	Remarks Remarks `json:"remarks,omitzero"`
	// NotEstablished lists form items that could not be established, each with why.
	NotEstablished []NotEstablished `json:"notEstablished,omitempty"`
	Checks         []SecurityCheck  `json:"securityChecks,omitempty"`
	Biometrics     Biometrics       `json:"biometrics,omitzero"`
	Eurodac        Eurodac          `json:"eurodac,omitzero"`
	Referral       Referral         `json:"referral,omitzero"`
	// DeadlineMisses records why a legal deadline was missed. A missed deadline never blocks
	// work (capture and transmission stay required), but it must be explained.
	DeadlineMisses []DeadlineMiss `json:"deadlineMisses,omitempty"`
	// Outcome is set when the form is completed: completed, or ended at the screening deadline
	// with security checks still open (then OpenChecks lists them, Art 18(5)).
	Outcome    Outcome  `json:"outcome,omitempty"`
	OpenChecks []string `json:"openChecks,omitempty"`
	// FormPackets are the transmissions of the form to the receiving authority (SR Art 18),
	// written by the terminal when it queues them (FormDue).
	FormPackets []FormPacket `json:"formPackets,omitempty"`
	// SecurityFlag: the person could pose a threat to internal security, recorded in Eurodac
	// with its ground; set by a supervisor only.
	SecurityFlag *SecurityFlag `json:"securityFlag,omitempty"`
	// Corrections are the supervisors' corrections of transmitted data, oldest first
	// (forms/correct.go, ER Art 40(3)); written only by the correction command.
	Corrections []Correction `json:"corrections,omitempty"`
}

// StatusChange is one entry of the case's lifecycle history.
type StatusChange struct {
	From Status    `json:"from"`
	To   Status    `json:"to"`
	At   time.Time `json:"at"`
}

// TriggerReason is why the person is screened (Art 17(1)(c)).
type TriggerReason string

// The four screening grounds of Regulation (EU) 2024/1356.
const (
	// Art 5(1)(a): apprehended in connection with an irregular crossing of the external border.
	TriggerIrregularCrossing TriggerReason = "ART5_1_A_IRREGULAR_CROSSING"
	// Art 5(1)(b): disembarked after a search and rescue operation.
	TriggerDisembarkation TriggerReason = "ART5_1_B_DISEMBARKATION"
	// Art 5(2): applied for international protection at a border crossing point or transit
	// zone without meeting the entry conditions (the Schiphol case).
	TriggerApplicationAtBCP TriggerReason = "ART5_2_APPLICATION_AT_BCP"
	// Art 7: found staying irregularly within the territory.
	TriggerWithinTerritory TriggerReason = "ART7_WITHIN_TERRITORY"
)

// TriggerReasons lists the valid reasons in the order the form shows them.
var TriggerReasons = []TriggerReason{TriggerIrregularCrossing, TriggerDisembarkation, TriggerApplicationAtBCP, TriggerWithinTerritory}

// Valid reports whether r is one of the four screening grounds.
func (r TriggerReason) Valid() bool { return oneOf(r, TriggerReasons) }

// Trigger is the event that opened the screening; every deadline runs from At.
type Trigger struct {
	Reason TriggerReason `json:"reason"`
	// Place is the border crossing point, site or location code.
	Place string `json:"place"`
	// At is when the person was apprehended, disembarked or presented themselves.
	At time.Time `json:"at"`
	// HeldAtBorderOver72h marks an Art 5(1)(a) person who stays physically at the external
	// border for more than 72 hours; the screening limit is then 4 days (Art 8(3)).
	HeldAtBorderOver72h bool `json:"heldAtBorderOver72h,omitempty"`
}

// Information records how the person was informed (Art 11; Eurodac Art 42).
type Information struct {
	// LeafletLanguage is the language of the leaflet handed over, as a leaflet language code
	// (en, nl, fr, ar, fa: the codes of assets/leaflets), not ISO 639-3.
	LeafletLanguage string `json:"leafletLanguage,omitempty"`
	LeafletVersion  string `json:"leafletVersion,omitempty"`
	// Medium: paper or electronic (Art 11 requires writing; oral is additional).
	Medium        string      `json:"medium,omitempty"`
	Interpreter   Interpreter `json:"interpreter,omitzero"`
	ChildFriendly bool        `json:"childFriendly,omitempty"`
	At            time.Time   `json:"at,omitzero"`
}

// Interpreter records whether the information was also given orally through an interpreter.
type Interpreter struct {
	Used bool `json:"used"`
	// Language is ISO 639-3.
	Language string `json:"language,omitempty"`
	// ID identifies the interpreter (badge or register number), not by name.
	ID string `json:"id,omitempty"`
}

// Sex as declared or documented: F, M or X (unspecified, as in ICAO 9303).
type Sex string

// Sex values.
const (
	SexFemale      Sex = "F"
	SexMale        Sex = "M"
	SexUnspecified Sex = "X"
)

// Valid reports whether s is F, M or X.
func (s Sex) Valid() bool { return s == SexFemale || s == SexMale || s == SexUnspecified }

// Stateless and UnknownNationality are the ICAO 9303 codes used for nationality when the
// person has none or it is not known. They stand alone in the list; there is no separate
// "stateless" flag and an empty string is never a value.
const (
	Stateless          = "XXA"
	UnknownNationality = "XXX"
)

// Identity is a person's identity as declared by them (Case.Identity) or as stated by a
// document (Document.Holder).
type Identity struct {
	// Surnames and GivenNames in Latin script (ICAO 9303 transliteration where needed).
	Surnames   []string `json:"surnames,omitempty"`
	GivenNames []string `json:"givenNames,omitempty"`
	// The same names in the original script (for example Arabic), when it differs.
	SurnamesOriginal   []string `json:"surnamesOriginal,omitempty"`
	GivenNamesOriginal []string `json:"givenNamesOriginal,omitempty"`
	// OtherNames: previously used names and aliases (Eurodac 17(1)(c)).
	OtherNames []string `json:"otherNames,omitempty"`
	// NamesAtBirth, where recorded (Eurodac 17(1)(c)), sent in their own element.
	NamesAtBirth []string `json:"namesAtBirth,omitempty"`
	// BirthDate may be partial (YYYY or YYYY-MM).
	BirthDate PartialDate `json:"birthDate,omitzero"`
	// BirthDateEstimated marks a date that was estimated rather than stated or documented.
	BirthDateEstimated bool `json:"birthDateEstimated,omitempty"`
	// PossiblyUnderSix is the officer's mark that it is uncertain whether the person is under
	// six. Without AgeProof the person then counts as under six (Eurodac Art 14(1)).
	PossiblyUnderSix bool `json:"possiblyUnderSix,omitempty"`
	// AgeProof references the proof of age (a document number or an age-assessment
	// reference), not the proof itself.
	AgeProof string `json:"ageProof,omitempty"`
	// AgeDoubt answers "could this person be a minor?" when the date of birth is unknown or
	// estimated (forms/minors.go).
	AgeDoubt     AgeDoubt `json:"ageDoubt,omitzero"`
	PlaceOfBirth string   `json:"placeOfBirth,omitempty"`
	// CountryOfBirth is an ICAO 9303 three-letter code, when known.
	CountryOfBirth string `json:"countryOfBirth,omitempty"`
	Sex            Sex    `json:"sex,omitempty"`
	// Nationalities are ICAO 9303 three-letter codes; Stateless ("XXA") or
	// UnknownNationality ("XXX") alone when there is none or it is not known.
	Nationalities []string `json:"nationalities,omitempty"`
	// Languages spoken, ISO 639-3, preferred first.
	Languages []string `json:"languages,omitempty"`
	// Residences are countries of residence before arrival (Art 17(1)(b)).
	Residences []Residence `json:"residences,omitempty"`
}

// Residence is a country of residence before arrival, with an optional period.
type Residence struct {
	Country string      `json:"country"`
	From    PartialDate `json:"from,omitzero"`
	To      PartialDate `json:"to,omitzero"`
}

// IsZero reports whether nothing at all is known about the identity.
func (id Identity) IsZero() bool {
	return len(id.Surnames) == 0 && len(id.GivenNames) == 0 && len(id.SurnamesOriginal) == 0 &&
		len(id.GivenNamesOriginal) == 0 && len(id.OtherNames) == 0 && len(id.NamesAtBirth) == 0 && id.BirthDate.IsZero() &&
		!id.BirthDateEstimated && !id.PossiblyUnderSix && id.AgeProof == "" && id.AgeDoubt.IsZero() && id.PlaceOfBirth == "" &&
		id.CountryOfBirth == "" && id.Sex == "" && len(id.Nationalities) == 0 && len(id.Languages) == 0 &&
		len(id.Residences) == 0
}

// Document is an identity or travel document, with the identity it states.
type Document struct {
	// Type is the ICAO 9303 document code: P (passport), I (identity card), A, C, V (visa)
	// or a two-letter code whose first letter is one of these.
	Type         string      `json:"type"`
	Number       string      `json:"number"`
	IssuingState string      `json:"issuingState"`
	IssueDate    PartialDate `json:"issueDate,omitzero"`
	ExpiryDate   PartialDate `json:"expiryDate,omitzero"`
	// Holder is the identity printed on the document (from the MRZ or typed by hand).
	Holder Identity `json:"holder,omitzero"`
	// Source: mrz (read by a document reader, check digits verified) or manual.
	Source string `json:"source,omitempty"`
	// Authenticity: not_checked, genuine or suspected_false (Eurodac 17(1)(j)); required
	// with a scan (forms/docscan.go).
	Authenticity string `json:"authenticity,omitempty"`
	// ScanRef names the colour scan of the document, stored as a record of the case in the
	// core data class; ScanAt and ScanSource say when and from where (reader, camera, file)
	// it was attached. The terminal writes the three (Case.AttachDocumentScan), never a person.
	ScanRef    string    `json:"scanRef,omitempty"`
	ScanAt     time.Time `json:"scanAt,omitzero"`
	ScanSource string    `json:"scanSource,omitempty"`
}

// HealthResult is the outcome of the preliminary health check (Art 12).
type HealthResult string

// Health check outcomes.
const (
	HealthNoFurtherCheck HealthResult = "no_further_check_needed"
	HealthCareNeeded     HealthResult = "care_needed"
	HealthIsolation      HealthResult = "isolation_public_health"
	HealthReferred       HealthResult = "referred"
)

// HealthResults lists the valid outcomes.
var HealthResults = []HealthResult{HealthNoFurtherCheck, HealthCareNeeded, HealthIsolation, HealthReferred}

// Valid reports whether r is a known outcome.
func (r HealthResult) Valid() bool { return oneOf(r, HealthResults) }

// HealthOutcome is all of the health check that the Case (and so the form) holds.
type HealthOutcome struct {
	Result HealthResult `json:"result,omitempty"`
	// DefersBiometrics puts a hold on biometric capture on health grounds (Eurodac 18(3)),
	// released by clearing it.
	DefersBiometrics bool      `json:"defersBiometrics,omitempty"`
	Examiner         string    `json:"examiner,omitempty"`
	At               time.Time `json:"at,omitzero"`
}

// HealthDetails is the medical detail behind a HealthOutcome. It is deliberately not a field
// of Case: the app stores it in the medic-only health data class.
type HealthDetails struct {
	CaseReference string    `json:"caseReference"`
	Examiner      string    `json:"examiner"`
	At            time.Time `json:"at"`
	Findings      string    `json:"findings,omitempty"`
	Treatment     string    `json:"treatment,omitempty"`
	ReferredTo    string    `json:"referredTo,omitempty"`
	// PublicHealthMeasure names an isolation or other public-health measure, if any.
	PublicHealthMeasure string `json:"publicHealthMeasure,omitempty"`
}

// Vulnerability indicator codes (after the EUAA IPSN tool categories).
const (
	VulnMinor              = "minor"
	VulnUnaccompaniedMinor = "unaccompanied_minor"
	VulnDisability         = "disability"
	VulnElderly            = "elderly"
	VulnPregnancy          = "pregnancy"
	VulnSingleParent       = "single_parent"
	VulnSeriousIllness     = "serious_illness"
	VulnMentalDisorder     = "mental_disorder"
	VulnTorture            = "torture_or_violence_victim"
	VulnTrafficking        = "trafficking_victim"
	VulnGenderViolence     = "gender_based_violence"
	VulnLGBTIQ             = "lgbtiq"
	VulnOther              = "other"
)

// VulnerabilityIndicators lists the valid indicator codes.
var VulnerabilityIndicators = []string{VulnMinor, VulnUnaccompaniedMinor, VulnDisability, VulnElderly,
	VulnPregnancy, VulnSingleParent, VulnSeriousIllness, VulnMentalDisorder, VulnTorture,
	VulnTrafficking, VulnGenderViolence, VulnLGBTIQ, VulnOther}

// Vulnerability is the outcome of the preliminary vulnerability check (Art 12(3)).
type Vulnerability struct {
	// Checked is true once the check was done, also when no indicator was found.
	Checked         bool      `json:"checked,omitempty"`
	Indicators      []string  `json:"indicators,omitempty"`
	ReceptionNeeds  []string  `json:"receptionNeeds,omitempty"`
	ProceduralNeeds []string  `json:"proceduralNeeds,omitempty"`
	Notes           string    `json:"notes,omitempty"`
	Screener        string    `json:"screener,omitempty"`
	At              time.Time `json:"at,omitzero"`
}

// Application records an application for international protection (Art 17(1)(f)). Made is
// yes, no or not recorded; cases stored before it had three states read true as yes and
// false as not recorded (see Answer).
type Application struct {
	Made  Answer    `json:"made,omitempty"`
	At    time.Time `json:"at,omitzero"`
	Place string    `json:"place,omitempty"`
}

// FamilyMember is a family member the person says is in a Member State (Art 17(1)(g)).
type FamilyMember struct {
	Name        string `json:"name"`
	Relation    string `json:"relation"`
	MemberState string `json:"memberState"`
	Contact     string `json:"contact,omitempty"`
}

// Cooperation records compliance with the duty to cooperate (Art 9; Art 17(1)(i)).
type Cooperation struct {
	// Complied: yes, partly or no.
	Complied string    `json:"complied,omitempty"`
	Refused  string    `json:"refused,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// CheckStatus is the state of one security-check query. A pending check is never a no-hit.
type CheckStatus string

// Security check states.
const (
	CheckPending     CheckStatus = "pending"
	CheckNoHit       CheckStatus = "no_hit"
	CheckHit         CheckStatus = "hit"
	CheckNotPossible CheckStatus = "not_possible"
)

// CheckStatuses lists the valid states.
var CheckStatuses = []CheckStatus{CheckPending, CheckNoHit, CheckHit, CheckNotPossible}

// Valid reports whether s is a known state.
func (s CheckStatus) Valid() bool { return oneOf(s, CheckStatuses) }

// Systems queried in the security check (Art 15) and identification (Art 14).
var CheckSystems = []string{"CIR", "SIS", "VIS", "EES", "ETIAS", "ETIAS_WATCHLIST", "ECRIS_TCN",
	"EUROPOL", "INTERPOL_SLTD", "INTERPOL_TDAWN", "EURODAC", "NATIONAL"}

// SecurityCheck is one query to one system. The terminal keeps the status and a reference,
// never the content of a hit.
type SecurityCheck struct {
	System     string      `json:"system"`
	Status     CheckStatus `json:"status"`
	Reference  string      `json:"reference,omitempty"`
	QueriedAt  time.Time   `json:"queriedAt,omitzero"`
	AnsweredAt time.Time   `json:"answeredAt,omitzero"`
	// Reason explains not_possible.
	Reason string `json:"reason,omitempty"`
}

// FingerStatus is the state of one finger position.
type FingerStatus string

// Finger states.
const (
	FingerCaptured            FingerStatus = "captured"
	FingerAmputated           FingerStatus = "amputated"
	FingerTemporarilyUnusable FingerStatus = "temporarily_unusable"
	FingerUnprintable         FingerStatus = "unprintable"
	FingerRefused             FingerStatus = "refused"
)

// FingerStatuses lists the valid states.
var FingerStatuses = []FingerStatus{FingerCaptured, FingerAmputated, FingerTemporarilyUnusable, FingerUnprintable, FingerRefused}

// Valid reports whether s is a known state.
func (s FingerStatus) Valid() bool { return oneOf(s, FingerStatuses) }

// FingerPosition is an ANSI/NIST-ITL finger position code: 1 right thumb, 2 right index,
// 3 right middle, 4 right ring, 5 right little, 6 left thumb … 10 left little.
type FingerPosition int

// Finger positions.
const (
	RightThumb FingerPosition = iota + 1
	RightIndex
	RightMiddle
	RightRing
	RightLittle
	LeftThumb
	LeftIndex
	LeftMiddle
	LeftRing
	LeftLittle
)

var fingerNames = [...]string{"", "right thumb", "right index", "right middle", "right ring",
	"right little", "left thumb", "left index", "left middle", "left ring", "left little"}

// Valid reports whether p is 1..10.
func (p FingerPosition) Valid() bool { return p >= RightThumb && p <= LeftLittle }

func (p FingerPosition) String() string {
	if !p.Valid() {
		return "finger position " + strconv.Itoa(int(p))
	}
	return fingerNames[p]
}

// Finger is the recorded state of one finger position.
type Finger struct {
	Position FingerPosition `json:"position"`
	Status   FingerStatus   `json:"status"`
	// RetakeOn is the planned retake date for a temporarily unusable finger.
	RetakeOn PartialDate `json:"retakeOn,omitzero"`
	// Quality is the capture-quality score 0-100 (not NFIQ 2).
	Quality  int       `json:"quality,omitempty"`
	ImageRef string    `json:"imageRef,omitempty"`
	At       time.Time `json:"at,omitzero"`
}

// FaceStatus is the state of the facial image.
type FaceStatus string

// Face states.
const (
	FaceCaptured    FaceStatus = "captured"
	FaceRefused     FaceStatus = "refused"
	FaceNotPossible FaceStatus = "not_possible"
)

// Face is the facial image record.
type Face struct {
	Status   FaceStatus `json:"status,omitempty"`
	ImageRef string     `json:"imageRef,omitempty"`
	At       time.Time  `json:"at,omitzero"`
}

// CompanionRole is who accompanies a minor during screening and capture (Eurodac Art 14(1)).
type CompanionRole string

// Companion roles.
const (
	CompanionFamily         CompanionRole = "family_member"
	CompanionRepresentative CompanionRole = "representative"
	CompanionTrainedPerson  CompanionRole = "trained_person"
)

// Companion is the adult family member, representative or trained person accompanying a
// minor for the whole screening (health and vulnerability checks, information, capture; SR
// Art 13(2)-(3), ER Art 14(1)). Recorded as a participant by relationship or role and an
// ID, badge or register number, never by name and never as a user account of the terminal.
type Companion struct {
	// Name is kept only so cases stored before the ID rule still read; nothing asks for it.
	Name string        `json:"name,omitempty"`
	Role CompanionRole `json:"role"`
	// Relationship of a family member to the minor (mother, brother, aunt, ...).
	Relationship string `json:"relationship,omitempty"`
	Organisation string `json:"organisation,omitempty"`
	// ID is the family member's identity document or badge number, or the representative's
	// or trained person's register number.
	ID string `json:"id,omitempty"`
	// Since is when the companion was first recorded on the case (stamped by the terminal).
	Since time.Time `json:"since,omitzero"`
}

// Refusal records a refusal to give biometrics (Eurodac Art 13(3)-(4)).
type Refusal struct {
	At time.Time `json:"at"`
	// What was refused: fingerprints, face or both.
	What string `json:"what"`
	// Informed is true when the person was told the consequence (for an applicant: APR
	// Art 41(1)(b)) in a language they understand.
	Informed bool   `json:"informed"`
	Measures string `json:"measures,omitempty"`
}

// Biometrics is the capture plan and its result.
type Biometrics struct {
	Fingers   []Finger   `json:"fingers,omitempty"`
	Face      Face       `json:"face,omitzero"`
	Companion *Companion `json:"companion,omitempty"`
	Refusals  []Refusal  `json:"refusals,omitempty"`
	Operator  string     `json:"operator,omitempty"`
	// CapturedAt is when the capture session took place (Eurodac 17(1)(l)).
	CapturedAt time.Time `json:"capturedAt,omitzero"`
	// Cleared keeps the temporarily unusable fingers an officer put back in the plan after
	// the data set went to Eurodac without them, so their capture counts as a retake
	// (RetakenAt) and is sent as an update. Written only by SetFingerException.
	Cleared []ClearedException `json:"clearedExceptions,omitempty"`
}

// ClearedException is a "temporarily unusable" record taken off a finger (SetFingerException
// with no status) after it was transmitted: the finger, when it was recorded unusable and
// when it was put back in the capture plan.
type ClearedException struct {
	Position  FingerPosition `json:"position"`
	Since     time.Time      `json:"since"`
	ClearedAt time.Time      `json:"clearedAt"`
}

// EurodacCategory is the Eurodac category the person's data are registered under.
type EurodacCategory string

// Eurodac categories used in screening.
const (
	EurodacApplicant           EurodacCategory = "applicant"            // Art 15/17
	EurodacIrregularCrossing   EurodacCategory = "irregular_crossing"   // Art 22
	EurodacIllegalStay         EurodacCategory = "illegally_staying"    // Art 23
	EurodacDisembarked         EurodacCategory = "disembarked"          // Art 24
	EurodacTemporaryProtection EurodacCategory = "temporary_protection" // Art 26
)

// EurodacCategories lists the valid categories.
var EurodacCategories = []EurodacCategory{EurodacApplicant, EurodacIrregularCrossing, EurodacIllegalStay, EurodacDisembarked, EurodacTemporaryProtection}

// Eurodac is the registration of the case in Eurodac.
type Eurodac struct {
	Category EurodacCategory `json:"category,omitempty"`
	// Reference is the Member State's reference number (17(1)(k)); stable across resends.
	Reference           string    `json:"reference,omitempty"`
	MemberStateOfOrigin string    `json:"memberStateOfOrigin,omitempty"`
	TransmittedAt       time.Time `json:"transmittedAt,omitzero"`
	// QueuedAt is when the data set was last queued, ControlNum its transaction control
	// number: an update after a retake repeats the reference and names that number.
	QueuedAt   time.Time `json:"queuedAt,omitzero"`
	ControlNum string    `json:"controlNum,omitempty"`
}

// ReferralTarget is where the person goes after screening (Art 18).
type ReferralTarget string

// Referral targets.
const (
	ReferAsylum     ReferralTarget = "asylum"
	ReferReturn     ReferralTarget = "return"
	ReferRelocation ReferralTarget = "relocation"
)

// Referral is the end of screening: to whom the person and the form go.
type Referral struct {
	To        ReferralTarget `json:"to,omitempty"`
	Authority string         `json:"authority,omitempty"`
	// MemberState is the relocation Member State (ICAO code) for relocation.
	MemberState string    `json:"memberState,omitempty"`
	At          time.Time `json:"at,omitzero"`
}

// Outcome is how the screening ended.
type Outcome string

// Outcomes.
const (
	OutcomeCompleted                     Outcome = "completed"
	OutcomeEndedAtDeadlineWithOpenChecks Outcome = "ended_at_deadline_with_open_checks"
)

// MissReason is the structured reason for a missed deadline.
type MissReason string

// Missed-deadline reasons (domain note §2.3).
const (
	MissOffline     MissReason = "OFFLINE"
	MissHealth      MissReason = "HEALTH"
	MissFingertips  MissReason = "FINGERTIPS"
	MissRefusal     MissReason = "REFUSAL"
	MissTechFailure MissReason = "TECH_FAILURE"
)

// MissReasons lists the valid reasons.
var MissReasons = []MissReason{MissOffline, MissHealth, MissFingertips, MissRefusal, MissTechFailure}

// DeadlineMiss explains one missed deadline.
type DeadlineMiss struct {
	Deadline   DeadlineKind `json:"deadline"`
	Reason     MissReason   `json:"reason"`
	Note       string       `json:"note,omitempty"`
	RecordedAt time.Time    `json:"recordedAt,omitzero"`
}

func oneOf[T comparable](v T, set []T) bool {
	for _, s := range set {
		if v == s {
			return true
		}
	}
	return false
}
