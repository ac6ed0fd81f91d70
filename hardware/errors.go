package hardware

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies a device failure so the caller can decide what to do
// (retry, ask the technician to pair, pick another device).
type Code int

const (
	CodeNotFound      Code = iota + 1 // the device is not attached or does not answer
	CodeBusy                          // another capture is running on it
	CodeNotReady                      // attached but not ready (warming up, not registered)
	CodeNotPaired                     // no pairing record for it on this terminal
	CodeTimeout                       // no usable capture within the time allowed
	CodeUnsupported                   // the device cannot do what was asked
	CodeIntegrity                     // its response failed signature, hash, transaction or clock checks
	CodeProtocol                      // its response was malformed
	CodeCaptureFailed                 // the sensor failed (no finger detected, technical error)
)

var codeNames = map[Code]string{
	CodeNotFound: "device not found", CodeBusy: "device busy", CodeNotReady: "device not ready",
	CodeNotPaired: "device not paired", CodeTimeout: "device timed out", CodeUnsupported: "not supported by the device",
	CodeIntegrity: "device response failed verification", CodeProtocol: "malformed device response",
	CodeCaptureFailed: "capture failed",
}

// Error is a device failure with a code. Sentinels (ErrBusy, ...) are *Error
// values without detail; errors.Is matches any *Error with the same code.
type Error struct {
	Code   Code
	Device string // device ID, when known
	Detail string // technical detail for logs (never personal data)
	Err    error  // underlying cause
}

// Sentinels for errors.Is.
var (
	ErrNotFound      = &Error{Code: CodeNotFound}
	ErrBusy          = &Error{Code: CodeBusy}
	ErrNotReady      = &Error{Code: CodeNotReady}
	ErrNotPaired     = &Error{Code: CodeNotPaired}
	ErrTimeout       = &Error{Code: CodeTimeout}
	ErrUnsupported   = &Error{Code: CodeUnsupported}
	ErrIntegrity     = &Error{Code: CodeIntegrity}
	ErrProtocol      = &Error{Code: CodeProtocol}
	ErrCaptureFailed = &Error{Code: CodeCaptureFailed}
)

// Errorf makes an *Error of code c for device id with a formatted detail.
// A %w verb in the format becomes the cause.
func Errorf(c Code, device string, format string, args ...any) *Error {
	wrapped := fmt.Errorf(format, args...)
	return &Error{Code: c, Device: device, Detail: wrapped.Error(), Err: errors.Unwrap(wrapped)}
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(codeNames[e.Code])
	if e.Device != "" {
		b.WriteString(" (" + e.Device + ")")
	}
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	} else if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches sentinels by code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Device == "" && t.Detail == "" && t.Err == nil
}

// Sentence says in one sentence, in English ("en") or Dutch ("nl"), what
// happened and what to do. The capture screen shows it as is.
func (e *Error) Sentence(lang string) string {
	s, ok := sentences[e.Code]
	if !ok {
		return pick(lang, "The device reported an error: check the cable and try again.",
			"Het apparaat meldde een fout: controleer de kabel en probeer het opnieuw.")
	}
	return pick(lang, s[0], s[1])
}

var sentences = map[Code][2]string{
	CodeNotFound: {"The device is not found: check that it is plugged in and switched on, then search again.",
		"Het apparaat is niet gevonden: controleer of het is aangesloten en aanstaat, en zoek opnieuw."},
	CodeBusy: {"The device is busy with another capture: wait until it is finished and try again.",
		"Het apparaat is bezig met een andere opname: wacht tot die klaar is en probeer het opnieuw."},
	CodeNotReady: {"The device is not ready: wait a moment, or ask a technician if it stays not ready.",
		"Het apparaat is nog niet gereed: wacht even, of vraag een technicus als dat zo blijft."},
	CodeNotPaired: {"This device is not paired with this terminal: ask a technician to pair it before capturing.",
		"Dit apparaat is niet gekoppeld aan deze terminal: laat een technicus het koppelen voordat u opneemt."},
	CodeTimeout: {"The device took too long: place the finger or face again and retry.",
		"Het apparaat deed er te lang over: plaats de vinger of het gezicht opnieuw en probeer het nog eens."},
	CodeUnsupported: {"This device cannot make this capture: choose another device.",
		"Dit apparaat kan deze opname niet maken: kies een ander apparaat."},
	CodeIntegrity: {"The device's answer could not be verified and was not used: ask a technician to check the device.",
		"Het antwoord van het apparaat kon niet worden gecontroleerd en is niet gebruikt: laat een technicus het apparaat nakijken."},
	CodeProtocol: {"The device sent an answer that could not be read: restart the device and try again.",
		"Het apparaat stuurde een onleesbaar antwoord: start het apparaat opnieuw en probeer het nog eens."},
	CodeCaptureFailed: {"The capture failed: clean the sensor, place the finger or face again and retry.",
		"De opname is mislukt: maak de sensor schoon, plaats de vinger of het gezicht opnieuw en probeer het nog eens."},
}

func pick(lang, en, nl string) string {
	if strings.HasPrefix(strings.ToLower(lang), "nl") {
		return nl
	}
	return en
}

// IdentityChangedError means a device no longer matches its pairing: another
// scanner with the same port, new firmware, or a new signing certificate.
// Capture refuses it until a technician pairs the device again.
type IdentityChangedError struct {
	Device string   // device ID
	Fields []string // which identity fields differ ("certificate", "firmware", ...)
	Paired Identity
	Now    Identity
}

func (e *IdentityChangedError) Error() string {
	return fmt.Sprintf("device %s no longer matches its pairing (%s changed): pair it again after checking it", e.Device, strings.Join(e.Fields, ", "))
}

// Sentence: see Error.Sentence.
func (e *IdentityChangedError) Sentence(lang string) string {
	return pick(lang, "This device is not the one that was paired (its identity changed): ask a technician to check it and pair it again.",
		"Dit apparaat is niet het gekoppelde apparaat (de identiteit is veranderd): laat een technicus het controleren en opnieuw koppelen.")
}

// QualityError means every attempt at a finger stayed below the threshold.
// The session records best effort instead of failing; callers that capture
// one image themselves get this error with the best score.
type QualityError struct {
	Finger    int
	Score     int
	Threshold int
}

func (e *QualityError) Error() string {
	return fmt.Sprintf("%s: capture quality %d is below the threshold %d", FingerName(e.Finger), e.Score, e.Threshold)
}

// Sentence: see Error.Sentence.
func (e *QualityError) Sentence(lang string) string {
	return pick(lang,
		fmt.Sprintf("The image quality (%d) is below the required %d: clean the finger and the sensor and capture again.", e.Score, e.Threshold),
		fmt.Sprintf("De beeldkwaliteit (%d) is lager dan de vereiste %d: maak vinger en sensor schoon en neem opnieuw op.", e.Score, e.Threshold))
}

// ErrBelowThreshold matches any *QualityError with errors.Is.
var ErrBelowThreshold = errors.New("capture quality below threshold")

// Is lets errors.Is(err, ErrBelowThreshold) match.
func (e *QualityError) Is(target error) bool { return target == ErrBelowThreshold }

// Sentence finds the user-facing sentence for any error from this package or
// its drivers; other errors get a generic sentence naming no internals.
func Sentence(err error, lang string) string {
	var s interface{ Sentence(string) string }
	if errors.As(err, &s) {
		return s.Sentence(lang)
	}
	if errors.Is(err, context.Canceled) {
		return pick(lang, "The capture was cancelled.", "De opname is geannuleerd.")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return ErrTimeout.Sentence(lang)
	}
	return pick(lang, "The device reported an error: check the cable and try again.",
		"Het apparaat meldde een fout: controleer de kabel en probeer het opnieuw.")
}

// ContextError turns a finished context into the error a driver returns:
// cancellation stays context.Canceled; an expired deadline becomes a timeout
// *Error that also matches context.DeadlineExceeded.
func ContextError(ctx context.Context, device string) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Code: CodeTimeout, Device: device, Detail: "no capture before the deadline", Err: err}
	}
	return fmt.Errorf("capture on %s: %w", device, err)
}

func joinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errors.Join(errs...)
}

func sortDevices(d []Device) {
	sort.Slice(d, func(i, j int) bool { return d[i].Identity().ID() < d[j].Identity().ID() })
}
