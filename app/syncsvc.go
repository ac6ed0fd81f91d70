package app

import (
	"context"
	"log"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// Enrol registers this terminal with central using a one-time token from central's
// operator; afterwards the terminal has a client certificate and central's keys pinned.
func (s *Session) Enrol(ctx context.Context, centralURL, token string) error {
	s.Touch()
	_, err := fsync.Enrol(ctx, s.vs, centralURL, token) // its errors name central and the step
	return err
}

// CheckCentralURLs checks a central setting: one https:// base URL, or several instances
// of one central separated by commas (the terminal fails over between them).
func CheckCentralURLs(setting string) error {
	_, err := fsync.CentralURLs(setting)
	return err
}

// Enrolled reports whether the terminal has enrolled with central.
func (s *Session) Enrolled() bool {
	_, err := fsync.LoadEnrolmentFrom(s.vs)
	return err == nil
}

// SyncOptions are the worker's settings for this terminal: results are applied to cases
// in the transaction that stores them, and a drain waits a few seconds for the answers to
// what it delivered (central stores first and answers right after), so an officer who
// sends a case sees its checks answered in the same round when central is quick.
func (s *Session) SyncOptions() fsync.Options {
	return fsync.Options{Applier: s.applyResult, Purgeable: PurgeCheck, Prune: PruneOversight, Now: s.nowFunc, ResultWait: syncResultWait}
}

// syncResultWait is how long a drain waits for central's answers; the rest comes with the
// next drain.
const syncResultWait = 5 * time.Second

// NewSyncWorker makes a worker on this session (the UI runs it in the background; it stops
// when the context ends or the session locks).
func (s *Session) NewSyncWorker(opt fsync.Options) (*fsync.Worker, error) {
	if opt.Purgeable == nil {
		opt.Purgeable = PurgeCheck // the retention rule is never left to sync's default
	}
	if opt.Prune == nil {
		opt.Prune = PruneOversight
	}
	if opt.Applier == nil {
		opt.Applier = s.applyResult
	}
	return fsync.NewWorker(s.vault, s.vs, opt)
}

// SyncOnce drains the outbox once and pulls results (the "send now" button).
func (s *Session) SyncOnce(ctx context.Context) (fsync.Report, error) {
	w, err := s.NewSyncWorker(s.SyncOptions())
	if err != nil {
		return fsync.Report{}, err
	}
	return w.RunOnce(ctx)
}

// checkAuditChain compares the audit log with the last checkpoint central countersigned
// (at unlock; the sync worker does it again before every drain). A rollback is recorded for
// the Sync screen (SyncStatus().AuditRollback) and written to the audit log by
// fsync.CheckAudit; unlocking goes on, the user is told there.
func (s *Session) checkAuditChain() {
	if err := fsync.CheckAudit(s.vault, s.vs, s.nowFunc()); err != nil {
		s.auditRollback = err
		log.Printf("fieldscreen: audit check at unlock: %v", err)
	}
}

// AuditRollback is the problem the audit check at unlock found, or nil.
func (s *Session) AuditRollback() error { return s.auditRollback }

// SyncStatus is the queue as the sync screen shows it.
func (s *Session) SyncStatus() (fsync.Status, error) {
	var st fsync.Status
	err := s.vs.View(func(tx *vault.Tx) error {
		var err error
		st, err = fsync.GetStatus(tx, s.nowFunc())
		return err
	})
	return st, err
}

// Outbox lists the outbox rows (packet ID, kind, state, size, receipt), newest first.
func (s *Session) Outbox() ([]*fsync.Row, error) {
	var rows []*fsync.Row
	err := s.vs.View(func(tx *vault.Tx) error {
		var err error
		rows, err = fsync.Rows(tx)
		return err
	})
	return rows, err
}

// SetSyncPaused pauses or resumes sending; the setting persists in the vault.
func (s *Session) SetSyncPaused(paused bool) error {
	s.Touch()
	return s.vs.Update(func(tx *vault.Tx) error {
		st, err := fsync.LoadSettings(tx)
		if err != nil {
			return err
		}
		st.Paused = paused
		return fsync.SaveSettings(tx, st)
	})
}

// ExportPackets writes every undelivered sealed packet to a folder for a courier.
func (s *Session) ExportPackets(dir string) (int, error) {
	s.Touch()
	return fsync.Export(s.vs, s.packetDir, dir)
}

// PacketLevel is how close a queued packet's legal deadline is at the session's clock:
// forms' level of the clock the packet was queued with (Header.Deadline and DeadlineFrom,
// both from forms), none for a packet without one or no longer pending. Rows queued before
// the clock's start was kept count from their creation.
func (s *Session) PacketLevel(r *fsync.Row) forms.Level {
	if r.State != fsync.StatePending || r.Deadline.IsZero() {
		return forms.LevelNone
	}
	from := r.DeadlineFrom
	if from.IsZero() {
		from = r.Created
	}
	return forms.DeadlineLevel(from, r.Deadline, s.nowFunc())
}

// EurodacAlarm is the pending Eurodac packet that drains first (the nearest legal deadline,
// sync's queue order) with its level, for the Sync screen's alarm; nil when none waits.
func (s *Session) EurodacAlarm() (*fsync.Row, forms.Level, error) {
	rows, err := s.Outbox()
	if err != nil {
		return nil, forms.LevelNone, err
	}
	var first *fsync.Row
	for _, r := range rows {
		if r.State == fsync.StatePending && r.Kind == fsync.KindEurodac && !r.Deadline.IsZero() &&
			(first == nil || r.Deadline.Before(first.Deadline)) {
			first = r
		}
	}
	if first == nil {
		return nil, forms.LevelNone, nil
	}
	return first, s.PacketLevel(first), nil
}
