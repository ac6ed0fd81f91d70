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
// terminal's retention: {"retention": {"purgeGraceHours": 72, "monitorSummaryMonths": 12}}.
type retentionConfig struct {
	Retention struct {
		PurgeGraceHours      *float64 `json:"purgeGraceHours"`
		MonitorSummaryMonths *float64 `json:"monitorSummaryMonths"`
	} `json:"retention"`
}

// loadRetention reads the retention part of central's last verified config; ok is false
// when central has sent none.
func loadRetention(tx *vault.Tx) (rc retentionConfig, version string, ok bool, err error) {
	cfg, _, err := fsync.LoadConfig(tx)
	if errors.Is(err, vault.ErrNotFound) || (err == nil && len(cfg.Data) == 0) {
		return rc, "", false, nil
	}
	if err != nil {
		return rc, "", false, fmt.Errorf("central's config: %w", err)
	}
	if err := json.Unmarshal(cfg.Data, &rc); err != nil {
		return rc, "", false, fmt.Errorf("central's config (version %s): retention: %w", cfg.Version, err)
	}
	return rc, cfg.Version, true, nil
}

// purgeGrace is the grace period after the last receipt, from central's last verified
// config; forms.DefaultPurgeGrace when central has sent none or names none. A config that
// names an unusable value is an error: no purge rather than a guessed period.
func purgeGrace(tx *vault.Tx) (time.Duration, error) {
	rc, version, ok, err := loadRetention(tx)
	if err != nil {
		return 0, err
	}
	if !ok {
		return forms.DefaultPurgeGrace, nil
	}
	h := rc.Retention.PurgeGraceHours
	switch {
	case h == nil:
		return forms.DefaultPurgeGrace, nil
	case *h < 0 || *h > 24*365:
		return 0, fmt.Errorf("central's config (version %s) sets retention.purgeGraceHours to %v: want 0 to 8760 hours; no case is purged until central corrects it", version, *h)
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

// AuditOversightPrune is the audit action of deleting monitoring summaries past their
// retention (detail: how many, and the months kept).
const AuditOversightPrune = "oversight.prune"

// bucketOversightPruning holds, in the oversight class, what pruning has removed so far
// (oversightPruning), so the monitoring export can say which summaries are gone.
const bucketOversightPruning = "pruning"

// oversightPruning is the record of the summaries pruned on this terminal.
type oversightPruning struct {
	Summaries int       `json:"summaries"`       // pruned in all
	GoneUntil time.Time `json:"casesGoneBefore"` // the latest purge among them
	Months    int       `json:"monthsKept"`      // the period at the last prune
	At        time.Time `json:"at"`
}

// monitorSummaryMonths is how long a summary is kept after its case's purge, from central's
// last verified config (forms.DefaultMonitorSummaryMonths when it names none). A value that
// is not a whole number of months from 1 to forms.MaxMonitorSummaryMonths is an error: no
// summary goes rather than by a guessed period.
func monitorSummaryMonths(tx *vault.Tx) (int, error) {
	rc, version, ok, err := loadRetention(tx)
	if err != nil {
		return 0, err
	}
	m := rc.Retention.MonitorSummaryMonths
	if !ok || m == nil {
		return forms.DefaultMonitorSummaryMonths, nil
	}
	if *m < 1 || *m > forms.MaxMonitorSummaryMonths || *m != float64(int(*m)) {
		return 0, fmt.Errorf("central's config (version %s) sets retention.monitorSummaryMonths to %v: want a whole number of months from 1 to %d; no monitoring summary is pruned until central corrects it",
			version, *m, forms.MaxMonitorSummaryMonths)
	}
	return int(*m), nil
}

// PruneOversight is the sync worker's pruning of monitoring summaries (sync.Options.Prune),
// run after the purges: every summary the retention rule lets go (forms.SummaryExpired,
// months from central's config) is deleted, audited once with the count. A session whose
// role does not write the oversight class (technician, auditor, monitor) prunes nothing.
func PruneOversight(tx *vault.Tx, now time.Time) (int, error) {
	if !tx.Can(vault.Oversight, true) || !tx.Can(vault.Core, false) {
		return 0, nil
	}
	return pruneOversight(tx, now, false)
}

// pruneOversight deletes the expired summaries; audited when it deleted any, or always
// (an operator's explicit prune).
func pruneOversight(tx *vault.Tx, now time.Time, auditAlways bool) (int, error) {
	months, err := monitorSummaryMonths(tx)
	if err != nil {
		return 0, err
	}
	ids, err := tx.CaseIDs()
	if err != nil {
		return 0, err
	}
	held := make(map[string]bool, len(ids))
	for _, id := range ids {
		held[string(id)] = true
	}
	var expired []string
	latest := time.Time{}
	err = tx.ForEach(vault.Oversight, bucketOversight, func(key string, value []byte) error {
		if held[key] {
			return nil
		}
		gone, purged, err := tx.Purged(vault.CaseID(key))
		if err != nil {
			return err
		}
		if !purged {
			var o forms.OversightSummary
			if err := json.Unmarshal(value, &o); err != nil {
				return fmt.Errorf("monitoring summary %s: %w", key, err)
			}
			gone = o.SummaryAt // no case and no purge record: the summary's own time
		}
		if forms.SummaryExpired(gone, months, now) {
			expired = append(expired, key)
			if gone.After(latest) {
				latest = gone
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, key := range expired {
		if err := tx.Delete(vault.Oversight, bucketOversight, key); err != nil {
			return 0, err
		}
	}
	if len(expired) > 0 {
		var rec oversightPruning
		if b, err := tx.Get(vault.Oversight, bucketOversightPruning, "total"); err == nil {
			if err := json.Unmarshal(b, &rec); err != nil {
				return 0, fmt.Errorf("monitoring pruning record: %w", err)
			}
		} else if !errors.Is(err, vault.ErrNotFound) {
			return 0, err
		}
		rec.Summaries += len(expired)
		if latest.After(rec.GoneUntil) {
			rec.GoneUntil = latest.UTC()
		}
		rec.Months, rec.At = months, now.UTC()
		b, err := json.Marshal(rec)
		if err != nil {
			return 0, err
		}
		if err := tx.Put(vault.Oversight, bucketOversightPruning, "total", b); err != nil {
			return 0, err
		}
	}
	if len(expired) == 0 && !auditAlways {
		return 0, nil
	}
	return len(expired), tx.Audit(vault.AuditEvent{Action: AuditOversightPrune, Class: vault.Oversight,
		Detail: fmt.Sprintf("%d monitoring summaries pruned (kept %d months after the case's purge)", len(expired), months)})
}

// PruneMonitorSummaries deletes the monitoring summaries past their retention now
// (`fieldscreenctl monitor prune`; the sync worker does the same after its purges), audited
// with the count even when none goes. Roles that do not write the oversight class (the
// monitor itself, technicians, auditors) are refused: the mechanism reads, it does not delete.
func (s *Session) PruneMonitorSummaries() (int, error) {
	s.Touch()
	var n int
	err := s.vs.Update(func(tx *vault.Tx) error {
		if !tx.Can(vault.Oversight, true) || !tx.Can(vault.Core, false) {
			return &vault.PermissionError{Role: s.Role(), Class: vault.Oversight, Write: true}
		}
		var err error
		n, err = pruneOversight(tx, s.nowFunc(), true)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("prune the monitoring summaries: %w", err)
	}
	return n, nil
}
