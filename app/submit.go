package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"sort"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/nist/eurodac"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Submission settings for the Eurodac data set. A post sets its own in its configuration;
// these are the demo defaults and are marked as such in the transaction's TCN.
const (
	MemberState = "NL"
	Originator  = "NLFIELDSCR"
)

// AuditTransmit is the audit action of queuing a case's packets for central.
const AuditTransmit = "case.transmit"

// ErrNotReady says what is missing before a case can be sent; a *NotReadyError matches it.
var ErrNotReady = errors.New("case not ready to send")

// NotReadyError says what to record before the case can be sent, in English and Dutch.
type NotReadyError struct{ Message forms.Message }

func (e *NotReadyError) Error() string               { return ErrNotReady.Error() + ": " + e.Message.EN }
func (e *NotReadyError) Is(target error) bool        { return target == ErrNotReady }
func (e *NotReadyError) Sentence(lang string) string { return e.Message.In(lang) }

// Submit queues the case's security-check query and, when biometrics were captured, its
// Eurodac transaction, in the SAME vault transaction that marks the checks pending: a crash
// leaves either both or neither. Sealed files are fsynced before the commit (sync.Enqueue).
// Submitting twice queues nothing twice: checks already queried and a Eurodac set already
// queued are skipped.
func (s *Session) Submit(id vault.CaseID) ([]string, error) {
	s.Touch()
	now := s.nowFunc()
	var packets []string
	err := s.vs.Update(func(tx *vault.Tx) error {
		rev, err := updateCase(tx, id, AnyRevision, now, func(c *forms.Case) error {
			return s.submit(tx, id, c, now, &packets)
		})
		if errors.Is(err, errNothingToSend) {
			return nil
		}
		if err != nil {
			return err
		}
		s.announce(tx, CaseChange{ID: id, Revision: rev, By: "submit"})
		return tx.Audit(vault.AuditEvent{Action: AuditTransmit, Case: id, Class: vault.Core, Detail: "packets=" + strings.Join(packets, ",")})
	})
	if err != nil {
		return nil, fmt.Errorf("send case %s: %w", id, err)
	}
	return packets, nil
}

// errNothingToSend rolls back a submission that queued nothing (no revision is spent).
var errNothingToSend = errors.New("nothing new to send")

// submit queues what the case still needs to send and marks it on the case.
func (s *Session) submit(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time, out *[]string) error {
	var packets []string
	if len(c.Identity.Surnames) == 0 && len(c.Documents) == 0 {
		return &NotReadyError{forms.Message{
			EN: "Record a name or a document first, so the security checks have something to query.",
			NL: "Leg eerst een naam of een document vast, zodat de veiligheidscontroles iets hebben om op te zoeken.",
		}}
	}
	dir := s.packetDir
	if systems := c.UnqueriedSystems(); len(systems) > 0 {
		var names, docs []string
		for _, idn := range identities(c) {
			if n := strings.TrimSpace(strings.Join(idn.Surnames, " ") + " " + strings.Join(idn.GivenNames, " ")); n != "" {
				names = appendOnce(names, n)
			}
		}
		for _, d := range c.Documents {
			docs = appendOnce(docs, d.Number)
		}
		p := fsync.NewCheckPacket(string(id), names, docs, systems...)
		// the checks' answers are due within the screening limit (forms decides it)
		scr := c.Deadlines().Screening
		p.Header.Deadline, p.Header.DeadlineFrom = scr.Due(), scr.Start
		row, err := fsync.Enqueue(tx, dir, p, now)
		if err != nil {
			return fmt.Errorf("queue the security checks: %w", err)
		}
		packets = append(packets, row.PacketID)
		for _, sys := range systems {
			c.Checks = append(c.Checks, forms.SecurityCheck{System: sys, Status: forms.CheckPending, Reference: row.PacketID, QueriedAt: now})
		}
		_ = c.Transition(forms.StatusSecurityQueried, now)
	}
	// the data set once, and again under the same reference as an update after a retake
	// (ER Art 15(1) second subparagraph: retaken prints are sent as soon as possible)
	if (c.Eurodac.Reference == "" || c.EurodacUpdateDue()) && hasCapture(c) {
		update := c.Eurodac.Reference != ""
		nistBytes, tcn, err := s.eurodacTransaction(tx, id, c, now)
		if err != nil {
			return fmt.Errorf("build the Eurodac transaction: %w", err)
		}
		m := map[string]string{"profile": eurodac.ProfileName + "/" + eurodac.ProfileVersion, "category": string(c.EurodacCategory())}
		if update {
			m["update_of"] = c.Eurodac.ControlNum
		}
		meta, _ := json.Marshal(m)
		eu := c.Deadlines().Eurodac // the queue orders by forms' deadline, never its own
		p := fsync.NewEurodacPacket(string(id), eu.Due(), nistBytes, meta)
		p.Header.DeadlineFrom = eu.Start
		if update {
			p.Variant = variantUpdate // the Sync screen's "Eurodac update"
		}
		row, err := fsync.Enqueue(tx, dir, p, now)
		if err != nil {
			return fmt.Errorf("queue the Eurodac transaction: %w", err)
		}
		packets = append(packets, row.PacketID)
		if !update {
			c.Eurodac.Reference = row.PacketID // the registration's handle: stable across resends
			c.Eurodac.MemberStateOfOrigin = MemberState
		}
		c.Eurodac.QueuedAt, c.Eurodac.ControlNum = now.UTC(), tcn
		c.RecordEurodacRectification(row.PacketID) // the full set carries any correction too
	}
	// a correction made before the terminal was enrolled goes now
	if pid, err := s.queueRectification(tx, id, c, now); err != nil {
		return err
	} else if pid != "" {
		packets = append(packets, pid)
	}
	// a form that became due before the terminal was enrolled goes now
	if pid, err := s.queueForm(tx, id, c, now); err != nil {
		return err
	} else if pid != "" {
		packets = append(packets, pid)
	}
	if len(packets) == 0 {
		return errNothingToSend
	}
	*out = packets
	return nil
}

func identities(c *forms.Case) []forms.Identity {
	out := []forms.Identity{c.Identity}
	for _, d := range c.Documents {
		out = append(out, d.Holder)
	}
	return out
}

func hasCapture(c *forms.Case) bool {
	for _, f := range c.Biometrics.Fingers {
		if f.Status == forms.FingerCaptured {
			return true
		}
	}
	return c.Biometrics.Face.Status == forms.FaceCaptured
}

// eurodacCategory is the transaction's category for the case's Eurodac category, which
// forms picks (Case.EurodacCategory).
func eurodacCategory(c *forms.Case) eurodac.Category {
	switch c.EurodacCategory() {
	case forms.EurodacApplicant:
		return eurodac.Applicant
	case forms.EurodacIllegalStay:
		return eurodac.IllegalStay
	case forms.EurodacDisembarked:
		return eurodac.SARDisembarkation
	case forms.EurodacTemporaryProtection:
		return eurodac.TemporaryProtection
	}
	return eurodac.IrregularCrossing
}

// queueRectification seals and queues the rectification of the Eurodac data set that a
// supervisor's correction made due (forms.Case.EurodacCorrectionDue, ER Art 40(3)) in tx,
// the transaction of the correction, and notes it on the corrections: the corrected data
// set under the same reference number, naming the corrected elements and the transmission
// it rectifies, without the images (eurodac.BuildRectification). A terminal not yet
// enrolled queues nothing: it stays due and goes with the next submission. It returns the
// packet's ID, or "".
func (s *Session) queueRectification(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time) (string, error) {
	letters := c.EurodacCorrectionDue()
	if len(letters) == 0 {
		return "", nil
	}
	if _, err := fsync.LoadEnrolment(tx); errors.Is(err, fsync.ErrNotEnrolled) {
		return "", nil
	}
	sort.Strings(letters)
	sub, err := eurodacSubject(c)
	if err != nil {
		return "", fmt.Errorf("build the Eurodac rectification: %w", err)
	}
	tcn := c.Reference + "-" + now.UTC().Format("20060102150405")
	tr := eurodac.Transmission{Originator: Originator, ControlNum: tcn, ControlRef: c.Eurodac.ControlNum, SentAt: now}
	t, err := eurodac.BuildRectification(sub, letters, tr)
	if err != nil {
		return "", fmt.Errorf("build the Eurodac rectification: %w", err)
	}
	var buf bytes.Buffer
	if _, err := t.WriteTo(&buf); err != nil {
		return "", err
	}
	meta, _ := json.Marshal(map[string]string{"profile": eurodac.ProfileName + "/" + eurodac.ProfileVersion,
		"category": string(c.EurodacCategory()), "update_of": c.Eurodac.ControlNum, "rectified": strings.Join(letters, ",")})
	eu := c.Deadlines().Eurodac
	p := fsync.NewEurodacPacket(string(id), eu.Due(), buf.Bytes(), meta)
	p.Header.DeadlineFrom = eu.Start
	row, err := fsync.Enqueue(tx, s.packetDir, p, now)
	if err != nil {
		return "", fmt.Errorf("queue the Eurodac rectification: %w", err)
	}
	c.RecordEurodacRectification(row.PacketID)
	if err := tx.Audit(vault.AuditEvent{Action: AuditTransmit, Case: id, Class: vault.Core,
		Detail: "eurodac rectification " + strings.Join(letters, ",") + " packet=" + row.PacketID}); err != nil {
		return "", err
	}
	return row.PacketID, nil
}

// eurodacSubject is the case's Eurodac data set without the images: the declared
// identity first and, where the person declared nothing, what their document states.
func eurodacSubject(c *forms.Case) (eurodac.Subject, error) {
	// The declared identity first; where the person declared nothing, what their document
	// states (both are kept apart in the case; Eurodac gets one data set).
	idn := c.Identity
	if len(c.Documents) > 0 {
		doc := c.Documents[0].Holder
		if len(idn.Surnames) == 0 && len(idn.GivenNames) == 0 {
			idn.Surnames, idn.GivenNames = doc.Surnames, doc.GivenNames
		}
		if len(idn.Nationalities) == 0 {
			idn.Nationalities = doc.Nationalities
		}
		if idn.Sex == "" {
			idn.Sex = doc.Sex
		}
		if idn.BirthDate.IsZero() {
			idn.BirthDate = doc.BirthDate
		}
	}
	sub := eurodac.Subject{
		Category: eurodacCategory(c), ReferenceNumber: c.Reference, MemberState: MemberState,
		Sex: string(idn.Sex), Surnames: idn.Surnames, Forenames: idn.GivenNames, Aliases: idn.OtherNames,
		NamesAtBirth:  idn.NamesAtBirth,
		Nationalities: idn.Nationalities, PlaceOfBirth: idn.PlaceOfBirth,
		DateOfBirth: nistDate(idn.BirthDate), TakenAt: c.Biometrics.CapturedAt, Operator: c.Biometrics.Operator,
	}
	// (g): for an applicant the application's place and date, never the trigger's
	sub.EventPlace, sub.EventDate = c.EurodacEvent()
	if sub.EventPlace == "" || sub.EventDate.IsZero() {
		return sub, &NotReadyError{forms.Message{ // Eurodac Art 17(1)(g)
			EN: "Record the place and date of the application for international protection first: Eurodac needs them.",
			NL: "Leg eerst plaats en datum van het verzoek om internationale bescherming vast: Eurodac heeft ze nodig.",
		}}
	}
	if c.SecurityFlag != nil {
		sub.SecurityFlag = string(c.SecurityFlag.Ground)
	}
	if sub.Sex == "" {
		sub.Sex = "X"
	}
	if len(c.Documents) > 0 {
		d := c.Documents[0]
		sub.Document = &eurodac.Document{Type: d.Type, Number: d.Number, IssuingCountry: d.IssuingState}
		if d.ExpiryDate.Full() {
			sub.Document.Expiry = time.Date(d.ExpiryDate.Year, d.ExpiryDate.Month, d.ExpiryDate.Day, 0, 0, 0, 0, time.UTC)
		}
	}
	return sub, nil
}

// eurodacTransaction builds the ANSI/NIST file from the case and its stored captures, and
// returns it with its transaction control number. An update after a retake keeps the
// reference number (2.005, the case reference) and names the earlier transmission (TCR).
func (s *Session) eurodacTransaction(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time) ([]byte, string, error) {
	sub, err := eurodacSubject(c)
	if err != nil {
		return nil, "", err
	}
	// (j): the scanned colour copy with its authenticity, where one was attached
	if i := c.EurodacScanDocument(); i >= 0 {
		d := c.Documents[i]
		b, err := tx.GetCase(id, vault.Core, d.ScanRef)
		if err != nil {
			return nil, "", fmt.Errorf("the scan of document %d: %w", i+1, err)
		}
		cfg, err := pngConfig(b)
		if err != nil {
			return nil, "", fmt.Errorf("the scan of document %d: %w", i+1, err)
		}
		acq := eurodac.AcquisitionScanner
		if d.ScanSource == forms.ScanFromCamera {
			acq = eurodac.AcquisitionCamera
		}
		sub.Scan = &eurodac.DocumentScan{Image: b, Width: cfg.Width, Height: cfg.Height, Authenticity: d.Authenticity,
			DocumentType: d.Type, Acquisition: acq}
	}
	latest := map[forms.FingerPosition]forms.Finger{}
	for _, f := range c.Biometrics.Fingers {
		latest[f.Position] = f
	}
	var fingers []eurodac.Finger
	for pos := forms.RightThumb; pos <= forms.LeftLittle; pos++ {
		f, ok := latest[pos]
		ef := eurodac.Finger{Position: int(pos), Quality: -1}
		switch {
		case !ok:
			ef.Status = eurodac.TemporarilyUnusable
		case f.Status == forms.FingerCaptured:
			ef.Status = eurodac.Captured
			w, err := tx.GetCase(id, vault.Biometric, fingerRecord(int(pos), "wsq"))
			if err != nil {
				return nil, "", fmt.Errorf("finger %d has no WSQ image: %w", pos, err)
			}
			pngBytes, err := tx.GetCase(id, vault.Biometric, fingerRecord(int(pos), "png"))
			if err != nil {
				return nil, "", err
			}
			cfg, err := pngConfig(pngBytes)
			if err != nil {
				return nil, "", err
			}
			ef.ImageWSQ, ef.Width, ef.Height, ef.PPI, ef.Quality = w, cfg.Width, cfg.Height, 500, f.Quality
		case f.Status == forms.FingerAmputated:
			ef.Status = eurodac.Amputated
		case f.Status == forms.FingerUnprintable:
			ef.Status = eurodac.Unprintable
		case f.Status == forms.FingerRefused:
			ef.Status = eurodac.Refused
		default:
			ef.Status = eurodac.TemporarilyUnusable
		}
		fingers = append(fingers, ef)
	}
	var face *eurodac.Face
	if c.Biometrics.Face.Status == forms.FaceCaptured {
		b, err := tx.GetCase(id, vault.Biometric, faceRecord)
		if err != nil {
			return nil, "", err
		}
		cfg, err := pngConfig(b)
		if err != nil {
			return nil, "", err
		}
		face = &eurodac.Face{Image: b, Width: cfg.Width, Height: cfg.Height}
	}
	tcn := c.Reference + "-" + now.UTC().Format("20060102150405")
	tr := eurodac.Transmission{Originator: Originator, ControlNum: tcn, SentAt: now}
	if c.Eurodac.Reference != "" {
		tr.ControlRef = c.Eurodac.ControlNum
	}
	t, err := eurodac.Build(sub, fingers, face, tr)
	if err != nil {
		return nil, "", err
	}
	var buf bytes.Buffer
	if _, err := t.WriteTo(&buf); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), tcn, nil
}

func nistDate(d forms.PartialDate) string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d%02d%02d", d.Year, int(d.Month), d.Day)
}

func pngConfig(b []byte) (image.Config, error) {
	cfg, _, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return cfg, fmt.Errorf("stored image does not decode: %w", err)
	}
	return cfg, nil
}

// Audit actions of applying central's results.
const (
	AuditResult = "case.result"
	// AuditResultUnmatched: a result that changed nothing on its case (no such check, or a
	// second answer for one already answered); recorded so it is never silently dropped.
	AuditResultUnmatched = "case.result.unmatched"
)

// ApplyResult applies one result from central to its case, inside the worker's transaction
// (sync.Options.Applier): a system's check answer on that system's check only, the Eurodac
// reference, rejections. What a check answer means for the case is forms' rule
// (Case.ApplyCheckAnswer): an error or a rejection is not possible, never no hit. It changes
// the case through updateCase like every other change, so the case's revision moves on and
// a screen that read the case before cannot write its old copy over the result. A result
// for a purged or unknown case is audited and noted for the Sync screen (noteLate).
func ApplyResult(tx *vault.Tx, r fsync.Result) error {
	_, err := applyResult(tx, r)
	return err
}

// errNoChange rolls back an updateCase that found nothing to change.
var errNoChange = errors.New("no change")

// unmatchedError rolls back an updateCase whose result matched nothing; it is audited.
type unmatchedError struct{ err error }

func (e *unmatchedError) Error() string { return e.err.Error() }

// applyResult is ApplyResult returning the case's new revision (0 when nothing changed).
func applyResult(tx *vault.Tx, r fsync.Result) (int, error) {
	if r.CaseID == "" {
		return 0, nil
	}
	id := vault.CaseID(r.CaseID)
	detail := r.Type + " " + r.PacketID
	if r.System != "" {
		detail += " " + r.System
	}
	rev, err := updateCase(tx, id, AnyRevision, r.At, func(c *forms.Case) error {
		switch r.Type {
		case fsync.ResultCheck:
			a := forms.CheckAnswer{Query: r.PacketID, System: r.System, Reference: r.Reference, Reason: r.Reason, At: r.At}
			switch r.Outcome {
			case fsync.OutcomeHit:
				a.Status = forms.CheckHit
			case fsync.OutcomeNoHit:
				a.Status = forms.CheckNoHit
			case fsync.OutcomeNotPossible:
				a.Status = forms.CheckNotPossible
			default:
				a.Status = forms.CheckStatus(r.Outcome) // unreadable: forms makes it not_possible
			}
			if _, err := c.ApplyCheckAnswer(a); err != nil {
				return &unmatchedError{err}
			}
		case fsync.ResultEurodac:
			c.Eurodac.TransmittedAt = r.At
			if r.Reference != "" {
				c.Eurodac.Reference = r.Reference
			}
		case fsync.ResultRejected:
			// A refused check packet answers none of its systems: each is not possible.
			_, err := c.ApplyCheckAnswer(forms.CheckAnswer{Query: r.PacketID, Status: forms.CheckNotPossible,
				Reason: "rejected by central: " + r.Reason, At: r.At})
			switch {
			case errors.Is(err, forms.ErrNoSuchCheck):
				return errNoChange // a rejected packet of another kind
			case err != nil:
				return &unmatchedError{err}
			}
		default:
			return errNoChange
		}
		return nil
	})
	var um *unmatchedError
	switch {
	case errors.As(err, &um):
		return 0, tx.Audit(vault.AuditEvent{Action: AuditResultUnmatched, Case: id, Class: vault.Core, Detail: detail + ": " + um.Error()})
	case errors.Is(err, ErrNoCase):
		if r.Type == fsync.ResultValidated {
			return 0, nil // a receipt's echo, nothing the case would have taken
		}
		return 0, noteLate(tx, r)
	case errors.Is(err, errNoChange):
		return 0, nil
	case err != nil:
		return 0, err
	}
	return rev, tx.Audit(vault.AuditEvent{Action: AuditResult, Case: id, Class: vault.Core, Detail: detail})
}

// applyResult is the session's Applier: ApplyResult, then the change announced on the feed
// once the worker's transaction commits, so an open case screen reloads.
func (s *Session) applyResult(tx *vault.Tx, r fsync.Result) error {
	rev, err := applyResultAndAddendum(tx, s.packetDir, r, s.nowFunc)
	if err == nil && rev > 0 {
		s.announce(tx, CaseChange{ID: vault.CaseID(r.CaseID), Revision: rev, By: "result"})
	}
	return err
}

// ResultApplier is the applier for a sync worker that runs without a session
// (fieldscreenctl sync run): ApplyResult, and the addendum a late check answer owes to the
// receiving authority (SR Art 18(5)), queued in the worker's transaction to packetDir.
func ResultApplier(packetDir string, now func() time.Time) func(*vault.Tx, fsync.Result) error {
	return func(tx *vault.Tx, r fsync.Result) error {
		_, err := applyResultAndAddendum(tx, packetDir, r, now)
		return err
	}
}

// applyResultAndAddendum applies r and, when a check was answered after the form went with
// it open, queues the addendum (SR Art 18(5)) in the same transaction. It returns the
// case's new revision (0 when nothing changed).
func applyResultAndAddendum(tx *vault.Tx, packetDir string, r fsync.Result, now func() time.Time) (int, error) {
	rev, err := applyResult(tx, r)
	if err != nil || rev == 0 {
		return rev, err
	}
	id := vault.CaseID(r.CaseID)
	next, err := updateCase(tx, id, AnyRevision, now(), func(c *forms.Case) error {
		pid, err := queueForm(tx, packetDir, id, c, now())
		if err == nil && pid == "" {
			return errNoChange
		}
		return err
	})
	switch {
	case errors.Is(err, errNoChange):
		return rev, nil
	case err != nil:
		return 0, err
	}
	return next, nil
}
