package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Sentencer is an error that can say itself to the person at the screen: one or more
// sentences in English ("en") or Dutch ("nl") saying what happened and what to do. hardware's
// device errors, forms' refusals and app's own typed errors are Sentencers.
type Sentencer interface{ Sentence(lang string) string }

// Sentence is err as the screens show it, in the interface language lang ("en" or "nl"):
// what happened and what to do, never the Go error chain (which may carry paths, IDs and
// English). ok is false when nobody translated err; the caller then shows its own general
// sentence and logs err.
//
// The first Sentencer in the chain speaks (the outermost: a wrapper knows more than what it
// wraps). Errors of vault and sync, forms' plain sentinels, the file system and the network
// have their sentences here rather than where they are defined: what the person should do
// depends on the screens of this app (vault and sync serve fieldscreenctl too, whose users
// read the English Error), and vault and sync carry no interface languages.
func Sentence(err error, lang string) (s string, ok bool) {
	if err == nil {
		return "", false
	}
	var sr Sentencer
	if errors.As(err, &sr) {
		if s := sr.Sentence(lang); s != "" {
			return s, true
		}
	}
	for _, k := range known {
		if k.match(err) {
			m := k.msg
			if k.fill != nil {
				m = k.fill(err)
			}
			return m.In(lang), true
		}
	}
	return "", false
}

// sentence is one row of the table: which errors it matches and what the screen says.
type sentence struct {
	name  string // the error as a Go expression, for tests and readers
	match func(error) bool
	msg   forms.Message
	fill  func(error) forms.Message // for sentences that carry a number from the error
}

func is(target error) func(error) bool {
	return func(err error) bool { return errors.Is(err, target) }
}

func as[T error]() func(error) bool {
	return func(err error) bool {
		var t T
		return errors.As(err, &t)
	}
}

// msg is a forms.Message, short for the table.
func msg(en, nl string) forms.Message { return forms.Message{EN: en, NL: nl} }

// technician is the advice that ends every sentence about a fault the officer cannot fix.
const (
	callEN = " If it happens again, call the technician."
	callNL = " Gebeurt het opnieuw, bel dan de technicus."
)

// known is every error, other than a Sentencer, that app lets reach a screen, in the order
// they are tried: app's own first, then vault, sync and forms, then the system's (disk,
// network, time-outs). TestSentencesComplete checks that every exported error of app, vault
// and sync is here or a Sentencer.
var known = []sentence{
	// app
	{name: "app.ErrNoCase", match: is(ErrNoCase), msg: msg(
		"This case is no longer on this terminal (it was purged after delivery, or never stored here): open the case list again.",
		"Deze zaak staat niet meer op deze terminal (verwijderd na aflevering, of hier nooit opgeslagen): open de lijst met zaken opnieuw.")},
	{name: "app.ErrStale", match: is(ErrStale), msg: msg(
		"Someone saved this case while you were working on it, so your change was not saved: open the case again and make your change again.",
		"Iemand anders heeft deze zaak opgeslagen terwijl u eraan werkte, dus uw wijziging is niet opgeslagen: open de zaak opnieuw en voer uw wijziging opnieuw in.")},
	{name: "app.ErrMedicEdit", match: is(ErrMedicEdit), msg: msg(
		"Medical staff record the health check only: ask an officer to change the rest of the case.",
		"Medisch personeel legt alleen de gezondheidscheck vast: vraag een agent de rest van de zaak te wijzigen.")},
	{name: "app.ErrNoBiometrics", match: is(ErrNoBiometrics), msg: msg(
		"No fingerprints or face are taken from this person (the fingerprints step says why): go on with the next step.",
		"Van deze persoon worden geen vingerafdrukken of gezichtsopname genomen (de stap Vingerafdrukken en gezicht zegt waarom): ga verder met de volgende stap.")},
	{name: "app.ErrCaptureDeferred", match: is(ErrCaptureDeferred), msg: msg(
		"The health check defers the capture of fingerprints and face: ask the medic, or record the reason for the missed deadline.",
		"De gezondheidscheck stelt de opname van vingerafdrukken en gezicht uit: vraag het een medisch medewerker, of leg de reden voor de gemiste termijn vast.")},
	{name: "app.ErrAgeDoubt", match: is(ErrAgeDoubt), msg: msg(
		"The date of birth is unknown or estimated: first answer whether the person could be a minor, with the reason.",
		"De geboortedatum is onbekend of geschat: beantwoord eerst of de persoon minderjarig kan zijn, met de reden.")},
	{name: "app.ErrNotTrained", match: is(ErrNotTrained), msg: msg(
		"The person is or may be a minor: only an official trained for minors may capture. Ask a trained colleague.",
		"De persoon is of kan minderjarig zijn: alleen een ambtenaar die voor minderjarigen is opgeleid mag de opname doen. Vraag een opgeleide collega.")},
	{name: "app.ErrCompanion", match: is(ErrCompanion), msg: msg(
		"The person is or may be a minor: record the accompanying adult or representative first, then capture.",
		"De persoon is of kan minderjarig zijn: leg eerst de begeleidende volwassene of vertegenwoordiger vast en doe dan de opname.")},
	{name: "app.ErrNothingToTake", match: is(ErrNothingToTake), msg: msg(
		"Every finger and the face are already recorded for this case: nothing more to capture.",
		"Alle vingers en het gezicht zijn voor deze zaak al vastgelegd: er valt niets meer op te nemen.")},
	{name: "app.ErrNotReady", match: is(ErrNotReady), msg: msg(
		"The case is not ready to send: fill in the fields marked on the steps, then send again.",
		"De zaak is nog niet klaar om te versturen: vul de gemarkeerde velden in de stappen in en verstuur opnieuw.")},
	{name: "app.ErrNotEnrolled", match: is(ErrNotEnrolled), msg: notEnrolled},
	{name: "app.ErrNoPrinter", match: is(ErrNoPrinter), msg: msg(
		"No printer is chosen: pick one under Settings → Printer, or save the form as a PDF file.",
		"Er is geen printer gekozen: kies er een bij Instellingen → Printer, of sla het formulier op als PDF-bestand.")},
	{name: "app.ErrNoSpooler", match: is(ErrNoSpooler), msg: msg(
		"Printing is not set up on this laptop (CUPS is missing): save the form as a PDF file, and ask the technician to install printing.",
		"Afdrukken is op deze laptop niet ingericht (CUPS ontbreekt): sla het formulier op als PDF-bestand en vraag de technicus afdrukken te installeren.")},
	{name: "app.ErrPrinterName", match: is(ErrPrinterName), msg: msg(
		"This is not a printer's name: pick a printer from the list (names use letters, digits, '-', '_' and '.' only).",
		"Dit is geen naam van een printer: kies een printer uit de lijst (namen bevatten alleen letters, cijfers, '-', '_' en '.').")},
	{name: "app.ErrPrintRefused", match: is(ErrPrintRefused), msg: msg(
		"The printer did not take the job: check that it is switched on, has paper and is connected, then print again; or save the form as a PDF file.",
		"De printer nam de opdracht niet aan: controleer of hij aanstaat, papier heeft en is aangesloten, en druk opnieuw af; of sla het formulier op als PDF-bestand.")},
	{name: "app.ErrNoRasteriser", match: is(ErrNoRasteriser), msg: msg(
		"The form preview cannot be shown on this laptop (a program is missing): print the form or save it as a PDF file, and tell the technician.",
		"Het voorbeeld van het formulier kan op deze laptop niet worden getoond (er ontbreekt een programma): druk het formulier af of sla het op als PDF-bestand, en meld het de technicus.")},
	{name: "app.ErrPeriod", match: is(ErrPeriod), msg: msg(
		"The end of the period must be after its start: correct the dates.",
		"Het einde van de periode moet na het begin liggen: verbeter de datums.")},
	{name: "app.ErrTestCaptureRole", match: is(ErrTestCaptureRole), msg: msg(
		"Only a technician may test devices: sign in as a technician.",
		"Alleen een technicus mag apparaten testen: meld u aan als technicus.")},
	{name: "app.ErrDeviceOption", match: is(ErrDeviceOption), msg: msg(
		"A device setting cannot be used, so no devices were searched: ask the technician to correct the device settings.",
		"Een apparaatinstelling is onbruikbaar, dus er is niet naar apparaten gezocht: vraag de technicus de apparaatinstellingen te verbeteren.")},
	{name: "app.ErrDemoCount", match: is(ErrDemoCount), msg: msg(
		fmt.Sprintf("Choose between 1 and %d demo cases.", MaxDemoCases),
		fmt.Sprintf("Kies tussen 1 en %d demozaken.", MaxDemoCases))},
	{name: "app.ListLimitError", match: is(ErrTooManyEntries), fill: func(err error) forms.Message {
		var le *ListLimitError
		if !errors.As(err, &le) {
			return msg("A list on this case has more entries than a screening needs: remove the extra entries, then save again.",
				"Een lijst in deze zaak heeft meer regels dan een screening nodig heeft: verwijder de extra regels en sla opnieuw op.")
		}
		return msg(fmt.Sprintf("A list on this case has more entries than a screening needs (at most %d): remove the extra entries, then save again.", le.Limit),
			fmt.Sprintf("Een lijst in deze zaak heeft meer regels dan een screening nodig heeft (hoogstens %d): verwijder de extra regels en sla opnieuw op.", le.Limit))
	}},
	{name: "app.ErrBadScan", match: is(ErrBadScan), msg: msg(
		"This image cannot be used as the document's scan: scan the data page again in colour, or choose another file.",
		"Deze afbeelding kan niet als scan van het document worden gebruikt: scan de gegevenspagina opnieuw in kleur, of kies een ander bestand.")},
	{name: "app.ErrCoSignRole", match: is(ErrCoSignRole), msg: msg(
		"The co-signer does not have the role this part of the report needs: ask someone with that role to co-sign with their own name and passphrase.",
		"De medeondertekenaar heeft niet de rol die dit deel van het overzicht nodig heeft: laat iemand met die rol medeondertekenen met eigen naam en wachtzin.")},
	{name: "app.ErrPatchRevision", match: is(ErrPatchRevision), msg: msg(
		"The change was made to an older version of the case: export the case again and make the change on that.",
		"De wijziging is gemaakt op een oudere versie van de zaak: exporteer de zaak opnieuw en breng de wijziging daarin aan.")},

	// vault
	{name: "vault.BackoffError", match: as[*vault.BackoffError](), fill: func(err error) forms.Message {
		var be *vault.BackoffError
		errors.As(err, &be)
		secs := int(be.Wait.Round(time.Second) / time.Second)
		return msg(fmt.Sprintf("%d failed attempts. Wait %d seconds, then try again.", be.Failures, secs),
			fmt.Sprintf("%d mislukte pogingen. Wacht %d seconden en probeer het dan opnieuw.", be.Failures, secs))
	}},
	// one sentence for a wrong passphrase and an unknown name, so the screen does not tell
	// which user names exist
	{name: "vault.ErrBadLogin", match: func(err error) bool {
		return errors.Is(err, vault.ErrBadPassphrase) || errors.Is(err, vault.ErrUnknownUser)
	}, msg: msg(
		"User name or passphrase is wrong. Check the keyboard layout and Caps Lock.",
		"Gebruikersnaam of wachtzin is onjuist. Controleer de toetsenbordindeling en Caps Lock.")},
	{name: "vault.PermissionError", match: as[*vault.PermissionError](), msg: msg(
		"Your role may not see or change this. Ask a supervisor if you need it.",
		"Uw rol mag dit niet zien of wijzigen. Vraag een supervisor als u het nodig hebt.")},
	{name: "vault.ErrLocked", match: is(vault.ErrLocked), msg: msg(
		"The terminal is locked. Unlock it again.",
		"De terminal is vergrendeld. Ontgrendel hem opnieuw.")},
	// before ErrIntegrity, which a broken seal of a credential also matches
	{name: "vault.ErrCredential", match: is(vault.ErrCredential), msg: msg(
		"A staff credential (such as the training for minors) could not be verified, so it counts as not held: ask a supervisor to set it again.",
		"Een personeelsbevoegdheid (zoals de opleiding voor minderjarigen) kon niet worden gecontroleerd en telt dus als niet aanwezig: vraag een supervisor haar opnieuw vast te leggen.")},
	{name: "vault.ErrIntegrity", match: is(vault.ErrIntegrity), msg: msg(
		"This record failed its integrity check and was not used. Tell a supervisor; the audit log has the details.",
		"Dit gegeven kwam niet door de integriteitscontrole en is niet gebruikt. Meld het aan een supervisor; het auditlogboek bevat de details.")},
	{name: "vault.CorruptError", match: as[*vault.CorruptError](), msg: msg(
		"The vault file is damaged and was not changed: do not delete it; call the technician to restore the last backup.",
		"Het kluisbestand is beschadigd en is niet gewijzigd: verwijder het niet; bel de technicus om de laatste back-up terug te zetten.")},
	{name: "vault.ErrInUse", match: is(vault.ErrInUse), msg: msg(
		"The vault is open in another fieldscreen window or in fieldscreenctl: close that first, then try again.",
		"De kluis is open in een ander fieldscreen-venster of in fieldscreenctl: sluit dat eerst en probeer het dan opnieuw.")},
	{name: "vault.ErrUnsafePermissions", match: is(vault.ErrUnsafePermissions), msg: msg(
		"Other users of this laptop could read the vault folder, so it was not opened: call the technician to make it readable by its owner only.",
		"Andere gebruikers van deze laptop konden de kluismap lezen, dus hij is niet geopend: bel de technicus om hem alleen voor de eigenaar leesbaar te maken.")},
	{name: "vault.ErrAuditRollback", match: is(vault.ErrAuditRollback), msg: msg(
		"The audit log is older than the one central confirmed (the vault may have been restored from an old copy): work can go on, but report it to your supervisor now.",
		"Het auditlogboek is ouder dan het logboek dat centraal bevestigde (de kluis is mogelijk teruggezet van een oude kopie): het werk kan doorgaan, maar meld het nu aan uw supervisor.")},
	{name: "vault.ErrExists", match: is(vault.ErrExists), msg: msg(
		"This already exists on this terminal: choose another name.",
		"Dit bestaat al op deze terminal: kies een andere naam.")},
	{name: "vault.ErrNotFound", match: is(vault.ErrNotFound), msg: msg(
		"This is no longer on this terminal: go back and open it again from the list.",
		"Dit staat niet meer op deze terminal: ga terug en open het opnieuw vanuit de lijst.")},

	// sync
	{name: "sync.ErrNotEnrolled", match: is(fsync.ErrNotEnrolled), msg: notEnrolled},
	{name: "sync.ErrPaused", match: is(fsync.ErrPaused), msg: msg(
		"Sending is paused: press Pause / resume on the Sync screen to send again.",
		"Het versturen is gepauzeerd: druk op Pauzeren / hervatten in het scherm Synchronisatie om weer te versturen.")},
	{name: "sync.ErrNoTerminalKey", match: is(fsync.ErrNoTerminalKey), msg: msg(
		"Your role cannot send to central: sending needs an officer, registrar, medic or supervisor signed in. The packets stay queued.",
		"Uw rol kan niet naar centraal versturen: daarvoor moet een agent, registratiemedewerker, medisch medewerker of supervisor aangemeld zijn. De pakketten blijven in de wachtrij.")},
	{name: "sync.ErrPinMismatch", match: is(fsync.ErrPinMismatch), msg: msg(
		"Central's key is not the one this terminal was enrolled with (the connection may be intercepted), so nothing was sent: check the central address, and call the technician.",
		"De sleutel van centraal is niet die waarmee deze terminal is ingeschreven (de verbinding wordt mogelijk onderschept), dus er is niets verstuurd: controleer het adres van centraal en bel de technicus.")},
	{name: "sync.ErrBadToken", match: is(fsync.ErrBadToken), msg: msg(
		"The enrolment token is not complete: copy the whole token from the central operator and try again.",
		"Het inschrijftoken is niet volledig: kopieer het hele token van de beheerder van centraal en probeer het opnieuw.")},
	{name: "sync.ErrTokenUnknown", match: is(fsync.ErrTokenUnknown), msg: msg(
		"Central does not know this enrolment token: check that it was copied whole, or ask the central operator for a new one.",
		"Centraal kent dit inschrijftoken niet: controleer of het helemaal is gekopieerd, of vraag de beheerder van centraal om een nieuw.")},
	{name: "sync.ErrTokenUsed", match: is(fsync.ErrTokenUsed), msg: msg(
		"This enrolment token was already used: ask the central operator for a new one.",
		"Dit inschrijftoken is al gebruikt: vraag de beheerder van centraal om een nieuw.")},
	{name: "sync.ErrTokenExpired", match: is(fsync.ErrTokenExpired), msg: msg(
		"This enrolment token has expired: ask the central operator for a new one.",
		"Dit inschrijftoken is verlopen: vraag de beheerder van centraal om een nieuw.")},
	{name: "sync.ErrRenewal", match: is(fsync.ErrRenewal), msg: msg(
		"Central's new certificate does not match this terminal, so it was not used: sending goes on with the current one; call the technician.",
		"Het nieuwe certificaat van centraal past niet bij deze terminal en is niet gebruikt: het versturen gaat door met het huidige; bel de technicus.")},
	{name: "sync.ErrUnsigned", match: is(fsync.ErrUnsigned), msg: msg(
		"Central's answer could not be verified, so it was not used: it is asked again at the next send."+callEN,
		"Het antwoord van centraal kon niet worden gecontroleerd en is niet gebruikt: het wordt bij de volgende verzending opnieuw gevraagd."+callNL)},
	{name: "sync.packet", match: func(err error) bool {
		return errors.Is(err, fsync.ErrContainer) || errors.Is(err, fsync.ErrBadSignature) ||
			errors.Is(err, fsync.ErrBadDigest) || errors.Is(err, fsync.ErrMismatch)
	}, msg: msg(
		"A stored packet failed its integrity check and was not sent: call the technician; the case itself is safe in the vault.",
		"Een opgeslagen pakket kwam niet door de integriteitscontrole en is niet verstuurd: bel de technicus; de zaak zelf staat veilig in de kluis.")},
	{name: "sync.checkpoint", match: func(err error) bool {
		var cb *fsync.CheckpointBaseError
		return errors.Is(err, fsync.ErrCheckpointMalformed) || errors.Is(err, fsync.ErrCheckpointProof) || errors.As(err, &cb)
	}, msg: msg(
		"Central and this terminal do not agree yet on the audit log's checkpoint: it is tried again at the next send."+callEN,
		"Centraal en deze terminal zijn het nog niet eens over het controlepunt van het auditlogboek: dat wordt bij de volgende verzending opnieuw geprobeerd."+callNL)},
	{name: "sync.HTTPError", match: as[*fsync.HTTPError](), fill: httpSentence},
	{name: "sync.ErrUnreachable", match: is(fsync.ErrUnreachable), msg: unreachable},

	// forms' sentinels (its typed refusals are Sentencers)
	{name: "forms.ErrCaseTooLarge", match: is(forms.ErrCaseTooLarge), msg: msg(
		"The case has grown too large to store: shorten the longest free texts, then save again.",
		"De zaak is te groot geworden om op te slaan: maak de langste vrije teksten korter en sla opnieuw op.")},
	{name: "forms.ErrBadDate", match: is(forms.ErrBadDate), msg: msg(
		"This is not a date: type it as YYYY-MM-DD, or YYYY-MM or YYYY when only part is known.",
		"Dit is geen datum: typ hem als JJJJ-MM-DD, of JJJJ-MM of JJJJ als maar een deel bekend is.")},
	{name: "forms.ErrDataProtection", match: is(forms.ErrDataProtection), msg: msg(
		"The data protection contacts have not come from central yet, so the leaflet cannot be printed: send once with central on the Sync screen, then print again.",
		"De contactgegevens voor gegevensbescherming zijn nog niet van centraal gekomen, dus de folder kan niet worden afgedrukt: verstuur eenmaal met centraal in het scherm Synchronisatie en druk dan opnieuw af.")},
	{name: "forms.ErrCheckAnswered", match: is(forms.ErrCheckAnswered), msg: msg(
		"This security check was already answered: the answer stays on record.",
		"Deze veiligheidscontrole is al beantwoord: het antwoord blijft vastgelegd.")},
	{name: "forms.ErrNoSuchCheck", match: is(forms.ErrNoSuchCheck), msg: msg(
		"This security check is not on the case: open the case again to see its checks.",
		"Deze veiligheidscontrole staat niet bij de zaak: open de zaak opnieuw om de controles te zien.")},
	{name: "pdf.ErrLanguage", match: is(pdf.ErrLanguage), msg: msg(
		"There is no form or leaflet in this language: choose another language.",
		"Er is geen formulier of folder in deze taal: kies een andere taal.")},
	{name: "pdf.ErrNoReference", match: is(pdf.ErrNoReference), msg: msg(
		"The case has no reference yet: save it first, then print.",
		"De zaak heeft nog geen referentie: sla hem eerst op en druk dan af.")},
	{name: "mrz", match: func(err error) bool {
		var fe *mrz.FormatError
		return errors.Is(err, mrz.ErrNotMRZ) || errors.As(err, &fe)
	}, msg: msg(
		"The machine-readable zone could not be read: clean the document and the reader's window and read it again, or type the data.",
		"De machineleesbare zone kon niet worden gelezen: maak het document en het venster van de lezer schoon en lees opnieuw, of typ de gegevens.")},

	// the system: disk, network, time
	{name: "disk full", match: diskFull, msg: msg(
		"The disk is full, so this was not saved (what was saved before is safe): for a file, choose another place; otherwise call the technician to free space, then try again.",
		"De schijf is vol, dus dit is niet opgeslagen (wat eerder is opgeslagen blijft veilig): kies voor een bestand een andere plek; bel anders de technicus om ruimte te maken en probeer het dan opnieuw.")},
	{name: "write refused", match: func(err error) bool {
		return errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS)
	}, msg: msg(
		"This laptop did not allow the file to be written (no permission, or a read-only disk), so this was not saved: choose another folder, or call the technician.",
		"Deze laptop stond het schrijven van het bestand niet toe (geen toestemming, of een alleen-lezen schijf), dus dit is niet opgeslagen: kies een andere map, of bel de technicus.")},
	{name: "disk error", match: is(syscall.EIO), msg: msg(
		"The disk reported an error while reading or writing, so this was not finished: try again, and call the technician today.",
		"De schijf meldde een fout bij lezen of schrijven, dus dit is niet afgemaakt: probeer het opnieuw en bel vandaag nog de technicus.")},
	{name: "file missing", match: is(fs.ErrNotExist), msg: msg(
		"The file or folder is not there (any more): choose it again.",
		"Het bestand of de map is er niet (meer): kies hem opnieuw.")},
	{name: "TLS", match: func(err error) bool {
		var cv *tls.CertificateVerificationError
		var ua x509.UnknownAuthorityError
		var he x509.HostnameError
		var ci x509.CertificateInvalidError
		return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci)
	}, msg: msg(
		"The connection to central could not be verified, so nothing was sent: check the central address; if it is right, call the technician.",
		"De verbinding met centraal kon niet worden gecontroleerd, dus er is niets verstuurd: controleer het adres van centraal; klopt het, bel dan de technicus.")},
	// not net.Error: every syscall.Errno satisfies that interface. The other side may be
	// central (enrolment) or a device's loopback service (SBI), so the sentence names
	// neither; sync's own "central unreachable" is ErrUnreachable above.
	{name: "network", match: func(err error) bool {
		var ue *url.Error
		var oe *net.OpError
		var de *net.DNSError
		return errors.As(err, &ue) || errors.As(err, &oe) || errors.As(err, &de) ||
			errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
			errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
	}, msg: msg(
		"The connection failed (no network, or the other side does not answer): check the network and the address, then try again. Nothing was lost.",
		"De verbinding is mislukt (geen netwerk, of de andere kant antwoordt niet): controleer het netwerk en het adres en probeer het opnieuw. Er is niets verloren.")},
	{name: "context.DeadlineExceeded", match: is(context.DeadlineExceeded), msg: msg(
		"This took too long and was stopped: try again."+callEN,
		"Dit duurde te lang en is gestopt: probeer het opnieuw."+callNL)},
	{name: "context.Canceled", match: is(context.Canceled), msg: msg(
		"This was cancelled before it finished: start it again when needed.",
		"Dit is geannuleerd voordat het klaar was: start het opnieuw als het nodig is.")},
}

var (
	notEnrolled = msg(
		"This terminal is not enrolled with central yet, so nothing can be sent: ask the technician to enrol it on the Sync screen. The cases stay safe on this terminal.",
		"Deze terminal is nog niet ingeschreven bij centraal, dus er kan niets worden verstuurd: vraag de technicus hem in te schrijven in het scherm Synchronisatie. De zaken blijven veilig op deze terminal.")
	unreachable = msg(
		"Central cannot be reached: the packets stay on this terminal and are sent once the connection is back. If it lasts, check the network and the central address.",
		"Centraal is niet bereikbaar: de pakketten blijven op deze terminal en worden verstuurd zodra de verbinding terug is. Duurt het lang, controleer dan het netwerk en het adres van centraal.")
)

// httpSentence: central answered but did not accept; what the officer can do depends on
// whether the terminal, the packet or central's load is the cause.
func httpSentence(err error) forms.Message {
	var he *fsync.HTTPError
	errors.As(err, &he)
	switch {
	case he.Problem.Code == "revoked":
		// as the Sync screen's advice (refusedAdvice: AdviceCallCentral): central decided
		// against this terminal, so enrolling again is central's call, not the technician's
		return msg("Central has revoked this terminal: the packets stay on it; call central's operator before anything else (enrolling again needs their decision).",
			"Centraal heeft deze terminal ingetrokken: de pakketten blijven erop; bel eerst de beheerder van centraal (opnieuw inschrijven kan alleen na hun besluit).")
	case he.Problem.Code == "unknown-device" ||
		he.Status == http.StatusUnauthorized:
		return msg("Central does not know this terminal (any more): the packets stay on this terminal; ask the technician to enrol it again.",
			"Centraal kent deze terminal niet (meer): de pakketten blijven op deze terminal; vraag de technicus hem opnieuw in te schrijven.")
	case he.Retryable():
		return msg("Central is busy or had a fault: the packets stay queued and are sent again automatically.",
			"Centraal is bezig of had een storing: de pakketten blijven in de wachtrij en worden vanzelf opnieuw verstuurd.")
	case he.Status == http.StatusRequestEntityTooLarge:
		return msg("Central refused the packet as too large: it stays on this terminal; call the technician.",
			"Centraal weigerde het pakket als te groot: het blijft op deze terminal; bel de technicus.")
	case he.Status == http.StatusForbidden:
		return msg("Central refused this request for this terminal: the data stay on this terminal; call the technician.",
			"Centraal weigerde dit verzoek voor deze terminal: de gegevens blijven op deze terminal; bel de technicus.")
	}
	return msg("Central refused the packet, so it was not delivered: it stays on this terminal; call the technician and give the case reference.",
		"Centraal weigerde het pakket, dus het is niet afgeleverd: het blijft op deze terminal; bel de technicus en geef de referentie van de zaak.")
}

// LogUnexplained writes an error no sentence covers to the log and returns the moment of the
// log line, which the screen shows so the technician can find that line. The wall clock on
// purpose, not a session's clock: the log's own stamps are the wall clock, and the screen
// may have no session (unlock, first run). The error text goes to the log only, never to a
// screen (it may name paths; it carries no personal data by the project's rule).
func LogUnexplained(err error) time.Time {
	at := time.Now()
	log.Printf("fieldscreen: error shown on screen at %s without a sentence: %v", at.Format("15:04:05"), err)
	return at
}
