package forms

import (
	"fmt"
	"time"
)

// DefaultPurgeGrace is the grace period after the last verified receipt when central's
// signed config names none (DESIGN.md §4 step 11).
const DefaultPurgeGrace = 72 * time.Hour

// Transmission is what the terminal knows about the case's packets, from its outbox.
type Transmission struct {
	// FormReceipted: a screening-form packet of the case has a verified receipt.
	FormReceipted bool
	// EurodacQueued and EurodacReceipted: a Eurodac packet was queued, and every one
	// queued has a verified receipt.
	EurodacQueued, EurodacReceipted bool
	// Unreceipted counts the case's packets still waiting for (or refused) a receipt.
	Unreceipted int
	// LastReceipt is the latest verified receipt of the case's packets.
	LastReceipt time.Time
}

// Purge refusal codes (PurgeRefusal.Code), one per condition of the retention rule.
const (
	PurgeNotEnded            = "not_ended"
	PurgeFormNotReceipted    = "form_not_receipted"
	PurgeEurodacNotReceipted = "eurodac_not_receipted"
	PurgePacketsOpen         = "packets_open"
	PurgeCheckPending        = "check_pending"
	PurgeRetakePlanned       = "retake_planned"
	PurgeBiometricsDue       = "biometrics_due"
	PurgeGraceRunning        = "grace_running"
)

// PurgeRefusal says why a case may not be purged yet: the first condition of the rule it
// fails, in Dutch and English.
type PurgeRefusal struct {
	Code    string
	Message Message
}

func (e *PurgeRefusal) Error() string { return "case may not be purged yet: " + e.Message.EN }

// MayPurge is the terminal's retention rule: the one function the CLI's `case purge` and
// the sync worker's PurgeDue both ask (through app). The terminal is a transit store
// (least data, GDPR Art 5(1)(c) and (e)); it keeps a case's personal data exactly as long
// as the screening may still need them. A case may be purged only when all hold:
//
//   - the screening has ended: the person was referred (SR Art 18) or the case closed,
//     or the form was completed at the deadline with checks open (SR Art 18(5));
//   - the screening form has reached the receiving authority through central: its
//     screening-form packet has a verified receipt (SR Art 18: the form goes with the
//     person to the authority that takes over);
//   - the biometric data have reached Eurodac: where biometrics were taken, every Eurodac
//     packet has a verified receipt (ER Art 15, 22-24, 26), and no packet of the case is
//     still waiting or refused (it might have to be resent or corrected);
//   - no security check is pending: a late answer must find the case (SR Art 15, 18(5));
//   - no retake is planned and no health deferral holds the capture back (ER Art 15(1)
//     second subparagraph: the data must still be taken and sent);
//   - the grace period after the last receipt (from central's signed config) has passed,
//     so a correction asked for by central can still be made.
//
// It returns nil when the case may be purged, else a *PurgeRefusal naming the first unmet
// condition.
func (c *Case) MayPurge(t Transmission, grace time.Duration, now time.Time) error {
	refuse := func(code, en, nl string) error {
		return &PurgeRefusal{Code: code, Message: Message{EN: en, NL: nl}}
	}
	ended := c.Status == StatusReferred || c.Status == StatusClosed ||
		(c.Status == StatusFormCompleted && c.Outcome == OutcomeEndedAtDeadlineWithOpenChecks)
	switch {
	case !ended:
		return refuse(PurgeNotEnded,
			fmt.Sprintf("the screening has not ended (status %s): refer the person, or end the screening at the deadline", c.Status),
			fmt.Sprintf("de screening is niet afgerond (status %s): verwijs de persoon door, of beëindig de screening bij de termijn", c.Status))
	case len(c.PendingChecks()) > 0:
		return refuse(PurgeCheckPending,
			fmt.Sprintf("security checks are still pending (%v): their answers must find the case", c.PendingChecks()),
			fmt.Sprintf("veiligheidscontroles lopen nog (%v): hun antwoorden moeten de zaak vinden", c.PendingChecks()))
	case c.Health.DefersBiometrics:
		return refuse(PurgeBiometricsDue,
			"biometrics are deferred on health grounds and still due once those grounds end",
			"biometrie is uitgesteld om medische redenen en moet nog worden afgenomen zodra die redenen vervallen")
	case c.BiometricsDue():
		// the health ground has ended but nothing was captured since the deferral (ER Art
		// 15(1) second subparagraph: taken and sent as soon as the grounds no longer apply)
		return refuse(PurgeBiometricsDue,
			"biometrics are due: the health ground for the deferral has ended and they were not yet taken",
			"biometrie moet worden afgenomen: de medische reden voor het uitstel is vervallen en er is nog niets afgenomen")
	case c.retakePlanned():
		return refuse(PurgeRetakePlanned,
			"a fingerprint retake is planned: the retaken prints must still be taken and sent to Eurodac",
			"er staat een nieuwe afname van vingerafdrukken gepland: die moeten nog worden afgenomen en naar Eurodac gestuurd")
	case !t.FormReceipted:
		return refuse(PurgeFormNotReceipted,
			"the screening form has no verified receipt from central yet",
			"het screeningsformulier heeft nog geen gecontroleerd ontvangstbewijs van het centrale systeem")
	case c.biometricsTaken() && !(t.EurodacQueued && t.EurodacReceipted):
		return refuse(PurgeEurodacNotReceipted,
			"the biometric data have no verified Eurodac receipt yet",
			"de biometrische gegevens hebben nog geen gecontroleerd Eurodac-ontvangstbewijs")
	case t.Unreceipted > 0:
		return refuse(PurgePacketsOpen,
			fmt.Sprintf("%d packet(s) of the case are still waiting for a receipt or were refused", t.Unreceipted),
			fmt.Sprintf("%d pakket(ten) van de zaak wachten nog op een ontvangstbewijs of zijn geweigerd", t.Unreceipted))
	case now.Before(t.LastReceipt.Add(grace)):
		left := t.LastReceipt.Add(grace).Sub(now).Round(time.Minute)
		return refuse(PurgeGraceRunning,
			fmt.Sprintf("the grace period after the last receipt runs for another %s", left),
			fmt.Sprintf("de wachttijd na het laatste ontvangstbewijs loopt nog %s", left))
	}
	return nil
}

// retakePlanned reports whether a finger's last record is temporarily unusable with a
// retake date: the prints must still be taken.
func (c *Case) retakePlanned() bool {
	last := map[FingerPosition]Finger{}
	for _, f := range c.Biometrics.Fingers {
		last[f.Position] = f
	}
	for _, f := range last {
		if f.Status == FingerTemporarilyUnusable && !f.RetakeOn.IsZero() {
			return true
		}
	}
	return false
}

// biometricsTaken reports whether any fingerprint or the facial image was captured, so a
// Eurodac data set exists that must reach Eurodac.
func (c *Case) biometricsTaken() bool {
	for _, f := range c.Biometrics.Fingers {
		if f.Status == FingerCaptured {
			return true
		}
	}
	return c.Biometrics.Face.Status == FaceCaptured
}
