package app

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Record names inside a case. They are structural, never personal data.
const (
	recCase    = "case"    // the whole forms.Case as JSON (core class)
	recSummary = "summary" // a CaseRow as JSON (core class), so the list never decrypts whole cases
	recHealth  = "health"  // forms.HealthDetails (health class, medics only)
)

// Audit actions written by the case service.
const (
	AuditCaseCreate = "case.create"
	AuditCaseRead   = "case.read"
	AuditCaseUpdate = "case.update"
	AuditCaseExport = "case.export"
	AuditCasePrint  = "case.print"
	AuditHealthRead = "health.read"
	AuditHealthSave = "health.update"
)

// ErrNoCase is returned for a case ID that is not on this terminal (or was purged).
var ErrNoCase = errors.New("no such case on this terminal")

// newReference makes a case reference for the form and its QR code: random, so it carries
// nothing about the person, and short enough to read aloud (FS- and 10 base32 characters).
func newReference() (string, error) {
	var b [7]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	s := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])[:10]
	return "FS-" + s[:5] + "-" + s[5:], nil
}

// CreateCase stores a new case: the case, its list summary and the audit entry commit
// together, durably, before it returns.
func (s *Session) CreateCase(c *forms.Case) (vault.CaseID, error) {
	ids, err := s.CreateCases([]*forms.Case{c})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// CreateCases stores several new cases in one transaction (imports, demo data): all or none.
// Each starts in its initial status with nothing the terminal records itself later
// (forms.Case.CheckNew) and only codes on their lists, by the rules the commands apply
// (forms.Case.CheckCodes); the first refusal names the case's place in cs and the field.
func (s *Session) CreateCases(cs []*forms.Case) ([]vault.CaseID, error) {
	return s.createCases(cs, false)
}

// createCases is CreateCases; demoHealth lets the demo seed its synthetic health outcome
// (signed DEMO-MEDIC), which stands for the medic's step a demo cannot take.
func (s *Session) createCases(cs []*forms.Case, demoHealth bool) ([]vault.CaseID, error) {
	s.Touch()
	if s.Role() == vault.Medic {
		return nil, ErrMedicEdit
	}
	now := s.nowFunc()
	for i, c := range cs {
		err := c.CheckNew(demoHealth)
		if err == nil {
			err = checkListLimits(&forms.Case{}, c) // an import floods no list either
		}
		if err == nil {
			err = c.CheckCodes(pdf.Version, now)
		}
		if err != nil {
			if len(cs) == 1 {
				return nil, fmt.Errorf("create case: %w", err)
			}
			return nil, fmt.Errorf("create case %d of %d: %w", i+1, len(cs), err)
		}
	}
	for _, c := range cs {
		if c.Reference == "" {
			ref, err := newReference()
			if err != nil {
				return nil, fmt.Errorf("new case reference: %w", err)
			}
			c.Reference = ref
		}
		c.Status = forms.StatusOpened
		c.SetTrigger(c.Trigger) // an Art 5(2) case starts with its application (SR Art 17(1)(f))
	}
	ids := make([]vault.CaseID, len(cs))
	err := s.vs.Update(func(tx *vault.Tx) error {
		for i, c := range cs {
			id, err := tx.NewCase()
			if err != nil {
				return err
			}
			if err := putCase(tx, id, c, now, 1); err != nil {
				return err
			}
			if err := tx.Audit(vault.AuditEvent{Action: AuditCaseCreate, Case: id, Class: vault.Core}); err != nil {
				return err
			}
			s.announce(tx, CaseChange{ID: id, Revision: 1, By: "create"})
			ids[i] = id
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("create case: %w", err)
	}
	return ids, nil
}

// ErrMedicEdit: medics record the health check (RecordHealth) and nothing else on a case.
var ErrMedicEdit = errors.New("medical staff record the health check only: ask an officer to change the rest of the case")

// Case reads a case. Every read of personal data is audited, in the same transaction.
func (s *Session) Case(id vault.CaseID) (*forms.Case, error) {
	return s.readCase(id, AuditCaseRead)
}

func (s *Session) readCase(id vault.CaseID, action string) (*forms.Case, error) {
	c, _, err := s.readCaseRev(id, action)
	return c, err
}

// readCaseRev reads a case and its revision; the read is audited as action.
func (s *Session) readCaseRev(id vault.CaseID, action string) (*forms.Case, int, error) {
	s.Touch()
	var c *forms.Case
	var rev int
	err := s.vs.Update(func(tx *vault.Tx) error {
		var err error
		if c, rev, err = loadCase(tx, id); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: action, Case: id, Class: vault.Core})
	})
	if err != nil {
		return nil, 0, fmt.Errorf("read case %s: %w", id, err)
	}
	return c, rev, nil
}

// Sync states of a case in the list, from its outbox packets.
const (
	SyncNone      = ""          // nothing queued yet
	SyncQueued    = "queued"    // a packet waits for central
	SyncDelivered = "delivered" // every packet has a verified receipt
	SyncRefused   = "refused"   // central refused a packet: someone must act
)

// CaseRows lists every case's summary for the case list, newest trigger first, with its
// sync state. Purged cases are not listed.
func (s *Session) CaseRows() ([]CaseRow, error) {
	var rows []CaseRow
	err := s.vs.View(func(tx *vault.Tx) error {
		sums, err := tx.Summaries(recSummary)
		if err != nil {
			return err
		}
		states := map[vault.CaseID]string{}
		if s.Can(vault.Sync, false) {
			out, err := fsync.Rows(tx)
			if err != nil {
				return err
			}
			for _, r := range out {
				id := vault.CaseID(r.CaseID)
				switch {
				case r.State == fsync.StateRefused:
					states[id] = SyncRefused
				case r.State == fsync.StatePending && states[id] != SyncRefused:
					states[id] = SyncQueued
				case states[id] == SyncNone:
					states[id] = SyncDelivered
				}
			}
		}
		rows = make([]CaseRow, 0, len(sums))
		for id, raw := range sums {
			var r CaseRow
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("summary of case %s: %w", id, err)
			}
			r.ID = id
			r.SyncState = states[id]
			rows = append(rows, r)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	sort.Slice(rows, func(i, j int) bool {
		if !rows[i].TriggerAt.Equal(rows[j].TriggerAt) {
			return rows[i].TriggerAt.After(rows[j].TriggerAt)
		}
		return rows[i].ID < rows[j].ID
	})
	return rows, nil
}

// PurgeCase destroys a case's keys and records (crypto-shredding); only its ID, a
// tombstone and the audit entries stay. Only a case the retention rule allows is purged
// (forms.Case.MayPurge, the rule the sync worker applies too): otherwise the error wraps
// a *forms.PurgeRefusal naming the unmet condition.
func (s *Session) PurgeCase(id vault.CaseID) error {
	s.Touch()
	now := s.nowFunc()
	err := s.vs.Update(func(tx *vault.Tx) error {
		if err := caseExists(tx, id); err != nil {
			return err
		}
		rows, err := caseRows(tx, id)
		if err != nil {
			return err
		}
		if err := purgeRefusal(tx, id, rows, now); err != nil {
			return err
		}
		if err := tx.PurgeCase(id); err != nil {
			return err
		}
		return fsync.MarkCasePurged(tx, id)
	})
	if err != nil {
		return fmt.Errorf("purge case %s: %w", id, err)
	}
	// forms that versions before issue 14 saved by themselves would outlive the purge
	if _, err := RemoveLegacyPrintFiles(); err != nil {
		return fmt.Errorf("case %s purged, but: %w", id, err)
	}
	return nil
}

// Health reads the medical details (medics only); ErrNoCase-free nil when none were recorded.
func (s *Session) Health(id vault.CaseID) (*forms.HealthDetails, error) {
	s.Touch()
	var raw []byte
	err := s.vs.Update(func(tx *vault.Tx) error {
		var err error
		raw, err = tx.GetCase(id, vault.Health, recHealth)
		if errors.Is(err, vault.ErrNotFound) {
			raw = nil
			return nil
		}
		if err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: AuditHealthRead, Case: id, Class: vault.Health})
	})
	if err != nil || raw == nil {
		return nil, err
	}
	var d forms.HealthDetails
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("health details of case %s: %w", id, err)
	}
	return &d, nil
}

func caseExists(tx *vault.Tx, id vault.CaseID) error {
	if _, purged, err := tx.Purged(id); err != nil {
		return err
	} else if purged {
		return fmt.Errorf("%w: case %s was purged", ErrNoCase, id)
	}
	if _, err := tx.GetCase(id, vault.Core, recSummary); errors.Is(err, vault.ErrNotFound) {
		return ErrNoCase
	} else if err != nil {
		return err
	}
	return nil
}

// putCase writes the case, its summary row at revision rev and its monitoring summary
// (monitor.go). Only CreateCases and updateCase call it: every other change goes through
// updateCase.
func putCase(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time, rev int) error {
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode case: %w", err)
	}
	if err := tx.PutCase(id, vault.Core, recCase, b); err != nil {
		return err
	}
	r := rowFromCase(id, c, now)
	r.Revision = rev
	row, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := tx.PutCase(id, vault.Core, recSummary, row); err != nil {
		return err
	}
	return putOversight(tx, id, c, now)
}

// rowFromCase is the list summary of a case.
func rowFromCase(id vault.CaseID, c *forms.Case, now time.Time) CaseRow {
	r := CaseRow{ID: id, Summary: c.Summary(now)}
	// a met deadline no longer counts down in the list
	d := c.Deadlines()
	if !d.Screening.MetAt.IsZero() {
		r.ScreeningDue = time.Time{}
	}
	if !d.Eurodac.MetAt.IsZero() {
		r.EurodacDue = time.Time{}
	}
	return r
}
