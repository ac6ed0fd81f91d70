package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// AuditResultLate: a result from central for a case this terminal no longer holds (purged or
// unknown). It is audited and noted for the Sync screen (sync.NoteLateResult), never dropped.
const AuditResultLate = "case.result.late"

// retentionConfig is the part of central's signed config (sync.Config.Data) that sets the
// terminal's retention: {"retention": {"purgeGraceHours": 72}}.
type retentionConfig struct {
	Retention struct {
		PurgeGraceHours *float64 `json:"purgeGraceHours"`
	} `json:"retention"`
}

// purgeGrace is the grace period after the last receipt, from central's last verified
// config; forms.DefaultPurgeGrace when central has sent none or names none. A config that
// names an unusable value is an error: no purge rather than a guessed period.
func purgeGrace(tx *vault.Tx) (time.Duration, error) {
	cfg, _, err := fsync.LoadConfig(tx)
	if errors.Is(err, vault.ErrNotFound) || (err == nil && len(cfg.Data) == 0) {
		return forms.DefaultPurgeGrace, nil
	}
	if err != nil {
		return 0, fmt.Errorf("central's config: %w", err)
	}
	var rc retentionConfig
	if err := json.Unmarshal(cfg.Data, &rc); err != nil {
		return 0, fmt.Errorf("central's config (version %s): retention: %w", cfg.Version, err)
	}
	h := rc.Retention.PurgeGraceHours
	switch {
	case h == nil:
		return forms.DefaultPurgeGrace, nil
	case *h < 0 || *h > 24*365:
		return 0, fmt.Errorf("central's config (version %s) sets retention.purgeGraceHours to %v: want 0 to 8760 hours; no case is purged until central corrects it", cfg.Version, *h)
	}
	return time.Duration(*h * float64(time.Hour)), nil
}

// transmission is what the case's outbox rows say about its packets.
func transmission(rows []*fsync.Row) forms.Transmission {
	var t forms.Transmission
	eurodacOpen := false
	for _, r := range rows {
		receipted := r.State == fsync.StateDelivered || r.State == fsync.StatePurged
		if receipted && r.DeliveredAt.After(t.LastReceipt) {
			t.LastReceipt = r.DeliveredAt
		}
		if !receipted {
			t.Unreceipted++
		}
		switch r.Kind {
		case fsync.KindScreeningForm:
			t.FormReceipted = t.FormReceipted || receipted
		case fsync.KindEurodac:
			t.EurodacQueued = true
			eurodacOpen = eurodacOpen || !receipted
		}
	}
	t.EurodacReceipted = t.EurodacQueued && !eurodacOpen
	return t
}

// purgeRefusal applies the retention rule (forms.Case.MayPurge) to a stored case: nil when
// it may be purged at now, a *forms.PurgeRefusal naming the unmet condition, or an error
// reading what the rule needs.
func purgeRefusal(tx *vault.Tx, id vault.CaseID, rows []*fsync.Row, now time.Time) error {
	c, _, err := loadCase(tx, id)
	if err != nil {
		return err
	}
	grace, err := purgeGrace(tx)
	if err != nil {
		return err
	}
	return c.MayPurge(transmission(rows), grace, now)
}

// PurgeCheck is the sync worker's retention rule (sync.Options.Purgeable): the same rule
// as `case purge`. A case already purged by hand only has its rows marked; a case this
// session cannot read is kept.
func PurgeCheck(tx *vault.Tx, id vault.CaseID, rows []*fsync.Row, now time.Time) (bool, error) {
	if _, purged, err := tx.Purged(id); err != nil || purged {
		return purged, err
	}
	err := purgeRefusal(tx, id, rows, now)
	var pr *forms.PurgeRefusal
	var denied *vault.PermissionError
	switch {
	case err == nil:
		return true, nil
	case errors.As(err, &pr), errors.Is(err, ErrNoCase), errors.Is(err, vault.ErrNotFound):
		return false, nil
	case errors.As(err, &denied):
		return false, nil // a session without the core class (technician) decides nothing: the case stays
	}
	return false, err
}

// caseRows are the outbox rows of one case.
func caseRows(tx *vault.Tx, id vault.CaseID) ([]*fsync.Row, error) {
	all, err := fsync.Rows(tx)
	if err != nil {
		return nil, err
	}
	var mine []*fsync.Row
	for _, r := range all {
		if r.CaseID == string(id) {
			mine = append(mine, r)
		}
	}
	return mine, nil
}

// noteLate records a result for a case the terminal no longer holds: audited and noted
// for the Sync screen, in the worker's transaction.
func noteLate(tx *vault.Tx, r fsync.Result) error {
	why := "case unknown on this terminal"
	if _, purged, err := tx.Purged(vault.CaseID(r.CaseID)); err != nil {
		return err
	} else if purged {
		why = "case purged"
	}
	detail := r.Type + " " + r.PacketID
	if r.System != "" {
		detail += " " + r.System
	}
	if r.Outcome != "" {
		detail += " " + r.Outcome
	}
	if err := tx.Audit(vault.AuditEvent{Action: AuditResultLate, Case: vault.CaseID(r.CaseID), Class: vault.Core, Detail: detail + ": " + why}); err != nil {
		return err
	}
	return fsync.NoteLateResult(tx, r, why)
}
