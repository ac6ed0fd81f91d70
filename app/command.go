package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// A case's revision counts its committed changes: 1 after CreateCase, one more for every
// command, capture, submission or applied result. It lives in the case's summary record
// (CaseRow.Revision), which every change rewrites anyway, so reading it costs nothing extra.
// A screen or a script that read a case at revision N changes it only while N is current;
// otherwise the change fails with *StaleError and nothing is overwritten.

// AnyRevision, passed as the revision of updateCase, skips the revision check. Only the
// system's own changes use it (results, captures, submissions): they write the sections no
// officer command writes, so they cannot overwrite what an officer typed.
const AnyRevision = -1

// ErrStale is what a *StaleError matches with errors.Is.
var ErrStale = errors.New("the case changed since it was read")

// StaleError refuses a change made against an old revision. It carries the case as it is
// now, so the caller can show the fresh values instead of overwriting them.
type StaleError struct {
	ID       vault.CaseID
	Read     int         // the revision the caller read
	Current  int         // the revision stored now
	Case     *forms.Case // the case at Current
	Proposal []string    // the names of the refused commands
}

func (e *StaleError) Error() string {
	return fmt.Sprintf("case %s changed since revision %d (now %d): read it again and redo the change", e.ID, e.Read, e.Current)
}

// Sentence says what happened and what to do, in "en" or "nl".
func (e *StaleError) Sentence(lang string) string {
	return forms.Message{
		EN: "Someone saved this case while you were working on it, so your change was not saved: the case is shown as it is now; make your change again.",
		NL: "Iemand anders heeft deze zaak opgeslagen terwijl u eraan werkte, dus uw wijziging is niet opgeslagen: de zaak staat nu zoals hij is; voer uw wijziging opnieuw in.",
	}.In(lang)
}

// Is makes errors.Is(err, ErrStale) true.
func (e *StaleError) Is(target error) bool { return target == ErrStale }

// CaseChange is one committed change of a case, as OnCaseChanged reports it.
type CaseChange struct {
	ID       vault.CaseID
	Revision int
	// By names what changed it: a command ("set-identity"), "create", "capture", "submit"
	// or "result" (a result from central applied by the sync worker).
	By string
}

// feed is the session's change feed: listeners run after the commit of each change, on the
// goroutine that committed it (the sync worker's for results).
type feed struct {
	mu   sync.Mutex
	next int
	fns  map[int]func(CaseChange)
}

// OnCaseChanged registers fn to hear of every committed case change made through this
// session, including results the sync worker applies. fn runs on the committing goroutine
// after the commit and must not block or call back into the session synchronously: a UI
// hands it to fyne.Do. The returned function unregisters fn.
func (s *Session) OnCaseChanged(fn func(CaseChange)) (cancel func()) {
	s.feed.mu.Lock()
	defer s.feed.mu.Unlock()
	if s.feed.fns == nil {
		s.feed.fns = map[int]func(CaseChange){}
	}
	s.feed.next++
	n := s.feed.next
	s.feed.fns[n] = fn
	return func() {
		s.feed.mu.Lock()
		defer s.feed.mu.Unlock()
		delete(s.feed.fns, n)
	}
}

func (s *Session) publish(ch CaseChange) {
	s.feed.mu.Lock()
	fns := make([]func(CaseChange), 0, len(s.feed.fns))
	for _, fn := range s.feed.fns {
		fns = append(fns, fn)
	}
	s.feed.mu.Unlock()
	for _, fn := range fns {
		fn(ch)
	}
}

// announce publishes ch once tx commits (never on a rollback).
func (s *Session) announce(tx *vault.Tx, ch CaseChange) {
	tx.OnCommit(func() { s.publish(ch) })
}

// Now is the application's clock: every time stamp on a case comes from it, so tests and
// screens agree on "now" (the UI never calls time.Now).
func (s *Session) Now() time.Time { return s.nowFunc() }

// ReadCase reads a case with its revision, for a screen or a script that will change it
// (pass the revision back to Do). Audited as a read of personal data.
func (s *Session) ReadCase(id vault.CaseID) (*forms.Case, int, error) {
	return s.readCaseRev(id, AuditCaseRead)
}

// loadCase reads a stored case and its revision inside tx: ErrNoCase for an unknown or
// purged case. Stored cases were validated on the way in, so they are decoded without the
// import checks (unknown fields, size), which only slow every command down.
func loadCase(tx *vault.Tx, id vault.CaseID) (*forms.Case, int, error) {
	if _, purged, err := tx.Purged(id); err != nil {
		return nil, 0, err
	} else if purged {
		return nil, 0, fmt.Errorf("%w: case %s was purged", ErrNoCase, id)
	}
	sum, err := tx.GetCase(id, vault.Core, recSummary)
	if errors.Is(err, vault.ErrNotFound) {
		return nil, 0, ErrNoCase
	}
	if err != nil {
		return nil, 0, err
	}
	var row struct {
		Revision int `json:"rev"`
	}
	if err := json.Unmarshal(sum, &row); err != nil {
		return nil, 0, fmt.Errorf("summary of case %s: %w", id, err)
	}
	raw, err := tx.GetCase(id, vault.Core, recCase)
	if err != nil {
		return nil, 0, err
	}
	var c forms.Case
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, 0, fmt.Errorf("case %s is stored in a form this version cannot read: %w", id, err)
	}
	if c.Status == "" {
		c.Status = forms.StatusOpened
	}
	return &c, row.Revision, nil
}

// updateCase is the one door through which a stored case changes: it reads the case and
// its revision, refuses a stale revision (unless rev is AnyRevision), lets change alter
// the case, and writes the case and its summary at the next revision. It must run inside a
// read-write transaction, which is what makes read-check-change-write atomic: bbolt runs
// one writer at a time, so two changes of one case are serialised and the second sees the
// first's revision. now stamps the summary (deadline levels). It returns the new revision.
func updateCase(tx *vault.Tx, id vault.CaseID, rev int, now time.Time, change func(c *forms.Case) error) (int, error) {
	c, cur, err := loadCase(tx, id)
	if err != nil {
		return 0, err
	}
	if rev != AnyRevision && rev != cur {
		return 0, &StaleError{ID: id, Read: rev, Current: cur, Case: c}
	}
	if err := change(c); err != nil {
		return 0, err
	}
	if err := putCase(tx, id, c, now, cur+1); err != nil {
		return 0, err
	}
	return cur + 1, nil
}

// Command is one named change an officer, registrar or medic makes to a case (set identity,
// record information given, record health, …). Commands are run by Session.Do, which is the
// only way the UI and fieldscreenctl change a case:
//
//   - Do reads the case and checks the revision the caller read, runs the commands in order
//     and writes the case, its summary (revision + 1) and one audit entry, all in one vault
//     transaction: all commands or none.
//   - run gets the case to change and the command's context: the time (app's clock), the
//     actor (the signed-in user) and their role. The rules (who may, what a value must be,
//     which lifecycle move follows) are forms' functions; run only calls them.
//   - A command never writes a section the system fills: security checks, the Eurodac
//     registration, captured biometrics, status history. Do checks this after every run
//     and refuses the whole change if one did (status moves only through forms'
//     lifecycle transitions, which append to the history).
//
// To add a command: a struct in commands.go with its inputs, Name (kebab case, it goes to
// the audit log), and run calling the forms rule; nothing else changes.
type Command interface {
	Name() string
	run(c *forms.Case, x *cmdContext) error
}

// cmdContext is what a command may use besides the case.
type cmdContext struct {
	now   time.Time
	actor string
	role  vault.Role
	tx    *vault.Tx
	id    vault.CaseID
	// audit lists extra audit entries a command needs (the health class).
	audit []vault.AuditEvent
	// staff lists the terminal's accounts (read when a command needs them: endScreening).
	staff func() ([]string, error)
}

// Do runs cmds on case id, read at revision rev, in one transaction, and returns the new
// revision. A stale rev gives *StaleError (with the current case); a refused rule gives
// the rule's error (often a *forms.TransitionError or *forms.RuleError) and nothing changes.
func (s *Session) Do(id vault.CaseID, rev int, cmds ...Command) (int, error) {
	s.Touch()
	if len(cmds) == 0 {
		return rev, nil
	}
	x := s.cmdContext(id)
	var next int
	err := s.vs.Update(func(tx *vault.Tx) error {
		x.tx, x.audit = tx, nil
		var err error
		next, err = updateCase(tx, id, rev, x.now, func(c *forms.Case) error {
			if err := runCommands(c, x, cmds); err != nil {
				return err
			}
			// the form goes to the receiving authority with the referral, or again after a
			// correction, in this same transaction (SR Art 18); a correction of the Eurodac
			// data set goes as a rectification in it too (ER Art 40(3))
			if _, err := s.queueForm(tx, id, c, x.now); err != nil {
				return err
			}
			_, err := s.queueRectification(tx, id, c, x.now)
			return err
		})
		if err != nil {
			return err
		}
		return s.commitCommands(tx, x, next, cmds)
	})
	var stale *StaleError
	if errors.As(err, &stale) {
		stale.Proposal = commandNames(cmds)
		return stale.Current, stale
	}
	if err != nil {
		return 0, fmt.Errorf("change case %s: %w", id, err)
	}
	return next, nil
}

// NewCase creates a case in its initial status (opened, with a new reference) and runs
// cmds on it, in one transaction: the new-case screen's first save. It returns the case's
// ID and revision.
func (s *Session) NewCase(cmds ...Command) (vault.CaseID, int, error) {
	s.Touch()
	if s.Role() == vault.Medic {
		return "", 0, ErrMedicEdit
	}
	ref, err := newReference()
	if err != nil {
		return "", 0, fmt.Errorf("new case reference: %w", err)
	}
	x := s.cmdContext("")
	var id vault.CaseID
	err = s.vs.Update(func(tx *vault.Tx) error {
		x.tx, x.audit = tx, nil
		var err error
		if id, err = tx.NewCase(); err != nil {
			return err
		}
		x.id = id
		c := &forms.Case{Reference: ref, Status: forms.StatusOpened}
		if err := runCommands(c, x, cmds); err != nil {
			return err
		}
		if err := putCase(tx, id, c, x.now, 1); err != nil {
			return err
		}
		if err := tx.Audit(vault.AuditEvent{Action: AuditCaseCreate, Case: id, Class: vault.Core}); err != nil {
			return err
		}
		return s.commitCommands(tx, x, 1, cmds)
	})
	if err != nil {
		return "", 0, fmt.Errorf("create case: %w", err)
	}
	return id, 1, nil
}

// Preview runs cmds on c, a screen's scratch copy, with this session's clock, actor and
// role, storing nothing: the screen shows what the command would record (the capture plan
// with an exception, a refused companion change) and the save later sends the same change
// through Do. Commands that write other data classes (RecordHealth's details) are refused.
func (s *Session) Preview(c *forms.Case, cmds ...Command) error {
	for _, cmd := range cmds {
		if h, ok := cmd.(RecordHealth); ok && h.Findings != nil {
			return fmt.Errorf("%s: the medical details are not previewed", cmd.Name())
		}
	}
	return runCommands(c, s.cmdContext(""), cmds)
}

func (s *Session) cmdContext(id vault.CaseID) *cmdContext {
	return &cmdContext{now: s.nowFunc(), actor: s.User(), role: s.Role(), id: id, staff: s.staffNames}
}

// runCommands runs cmds in order on c and refuses any that wrote a system section or,
// once the form or the Eurodac data set was sent, changed a transmitted field: only a
// supervisor's Correct may (forms.Case.RefuseTransmittedChange, ER Art 40(3)).
func runCommands(c *forms.Case, x *cmdContext, cmds []Command) error {
	before := systemSections(c)
	sent := c.Sent() // what the case transmitted, nil while nothing was
	for _, cmd := range cmds {
		if err := cmd.run(c, x); err != nil {
			return fmt.Errorf("%s: %w", cmd.Name(), err)
		}
		if _, ok := cmd.(Correct); ok {
			// a correction appends to the corrections and changes transmitted fields
			if n := len(before.corrections); len(c.Corrections) > n && (n == 0 || jsonEqual(before.corrections, c.Corrections[:n])) {
				before.corrections = append([]forms.Correction(nil), c.Corrections...)
			}
			sent = c.Sent()
		} else if sent != nil {
			if err := sent.Refuse(c); err != nil {
				return fmt.Errorf("%s: %w", cmd.Name(), err)
			}
		}
		if field := changedSystemSection(before, systemSections(c)); field != "" {
			return fmt.Errorf("%s: %w", cmd.Name(), &ProtectedError{Field: field})
		}
	}
	return nil
}

// commitCommands writes the commands' audit entries and announces the change on commit.
func (s *Session) commitCommands(tx *vault.Tx, x *cmdContext, rev int, cmds []Command) error {
	for _, a := range x.audit {
		if err := tx.Audit(a); err != nil {
			return err
		}
	}
	names := strings.Join(commandNames(cmds), ",")
	if len(cmds) > 0 {
		if err := tx.Audit(vault.AuditEvent{Action: AuditCaseUpdate, Case: x.id, Class: vault.Core, Detail: names}); err != nil {
			return err
		}
	}
	s.announce(tx, CaseChange{ID: x.id, Revision: rev, By: names})
	return nil
}

func commandNames(cmds []Command) []string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.Name()
	}
	return names
}

// ProtectedError refuses a change to a section only the system writes (or, on import, a
// field a new case cannot carry). Field is the JSON path, as in docs/case-schema.md.
type ProtectedError struct {
	Field  string
	Reason string
}

func (e *ProtectedError) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("%s is filled by the system (results from central, the capture, the lifecycle), never typed", e.Field)
}

// Sentence says what to do, in "en" or "nl".
func (e *ProtectedError) Sentence(lang string) string {
	return forms.Message{
		EN: "This part of the case is filled in by the terminal itself (answers from central, the capture, the status), so it cannot be typed: leave it as it is.",
		NL: "Dit deel van de zaak vult de terminal zelf in (antwoorden van centraal, de opname, de status), dus het kan niet worden getypt: laat het zoals het is.",
	}.In(lang)
}

// system is the part of a case that only the system writes.
type system struct {
	checks   []forms.SecurityCheck
	eurodac  forms.Eurodac
	captured []forms.Finger
	face     forms.Face
	operator string
	at       time.Time
	history  []forms.StatusChange
	status   forms.Status
	// formPackets: the form's transmissions (queueForm)
	formPackets []forms.FormPacket
	// corrections: only the Correct command appends one
	corrections []forms.Correction
}

func systemSections(c *forms.Case) system {
	s := system{checks: append([]forms.SecurityCheck(nil), c.Checks...), eurodac: c.Eurodac, face: c.Biometrics.Face,
		formPackets: append([]forms.FormPacket(nil), c.FormPackets...),
		corrections: append([]forms.Correction(nil), c.Corrections...),
		operator:    c.Biometrics.Operator, at: c.Biometrics.CapturedAt, history: append([]forms.StatusChange(nil), c.History...), status: c.Status}
	for _, f := range c.Biometrics.Fingers {
		if f.Status == forms.FingerCaptured {
			s.captured = append(s.captured, f)
		}
	}
	return s
}

// changedSystemSection names the first system section that differs between a and b, or "".
// Both come from the same decoded case, so a plain comparison is exact (no clock readings).
// History may only grow by lifecycle transitions (appended entries ending at the status).
func changedSystemSection(a, b system) string {
	switch {
	case !reflect.DeepEqual(a.checks, b.checks):
		return "securityChecks"
	case a.eurodac != b.eurodac:
		return "eurodac"
	case !reflect.DeepEqual(a.formPackets, b.formPackets):
		return "formPackets"
	case len(a.corrections) != len(b.corrections) || len(a.corrections) > 0 && !jsonEqual(a.corrections, b.corrections):
		return "corrections"
	case !reflect.DeepEqual(a.captured, b.captured) || a.face != b.face || a.operator != b.operator || !a.at.Equal(b.at):
		return "biometrics (captured prints and face)"
	case len(b.history) < len(a.history) || len(a.history) > 0 && !reflect.DeepEqual(a.history, b.history[:len(a.history)]):
		return "history"
	case a.status != b.status && (len(b.history) == len(a.history) || b.history[len(b.history)-1].To != b.status):
		return "status"
	case len(b.history) > len(a.history) && (a.status == b.status || b.history[len(a.history)].From != a.status):
		return "history" // entries that no transition made
	}
	return ""
}

func jsonEqual(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
