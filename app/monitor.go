package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// The monitoring mechanism's view (Screening Regulation Art 10). Each case save also writes the
// case's pseudonymised summary (forms.OversightSummary) into the oversight class, a
// terminal-level record keyed by the random case ID: the monitor role holds only that class's
// key (and the audit log's), so its session cannot open a name, a document or a biometric
// whatever this code does. The summary outlives the purge of the case on purpose: it holds
// nothing personal, and the monitor may look at a period after the cases left the terminal;
// it goes the months after the purge that central's config sets (forms.SummaryExpired,
// pruned by PruneOversight in retention.go).

const bucketOversight = "cases" // oversight class: forms.OversightSummary JSON by case ID

// Audit actions of the monitoring view.
const (
	AuditOversightView   = "oversight.view"
	AuditOversightExport = "oversight.export"
)

// putOversight writes the case's monitoring summary (same transaction as the case).
func putOversight(tx *vault.Tx, id vault.CaseID, c *forms.Case, now time.Time) error {
	b, err := json.Marshal(c.Oversight(string(id), now))
	if err != nil {
		return fmt.Errorf("encode monitoring summary: %w", err)
	}
	if err := tx.Put(vault.Oversight, bucketOversight, string(id), b); err != nil {
		return fmt.Errorf("monitoring summary: %w", err)
	}
	return nil
}

// Period is a half-open time range [From, To) over the start of screening; a zero bound is open.
type Period struct{ From, To time.Time }

func (p Period) contains(t time.Time) bool {
	return (p.From.IsZero() || !t.Before(p.From)) && (p.To.IsZero() || t.Before(p.To))
}

func (p Period) String() string {
	f := func(t time.Time) string {
		if t.IsZero() {
			return "…"
		}
		return t.UTC().Format(time.RFC3339)
	}
	return f(p.From) + " to " + f(p.To)
}

// ErrPeriod is returned for a period whose end is not after its start.
var ErrPeriod = errors.New("the period's end must be after its start")

// MonitorCases lists the monitoring summaries of cases whose screening started in p, oldest
// first. Roles that hold the oversight class may call it (the monitor; case staff read their
// own summaries too); the view is audited.
func (s *Session) MonitorCases(p Period) ([]forms.OversightSummary, error) {
	return s.oversight(p, AuditOversightView, "")
}

func (s *Session) oversight(p Period, action, detail string) ([]forms.OversightSummary, error) {
	s.Touch()
	if !p.From.IsZero() && !p.To.IsZero() && !p.To.After(p.From) {
		return nil, fmt.Errorf("monitoring view %s: %w", p, ErrPeriod)
	}
	var out []forms.OversightSummary
	err := s.vs.Update(func(tx *vault.Tx) error {
		err := tx.ForEach(vault.Oversight, bucketOversight, func(key string, value []byte) error {
			var o forms.OversightSummary
			if err := json.Unmarshal(value, &o); err != nil {
				return fmt.Errorf("monitoring summary %s: %w", key, err)
			}
			if p.contains(o.StartedAt) {
				out = append(out, o)
			}
			return nil
		})
		if err != nil {
			return err
		}
		d := fmt.Sprintf("period %s, %d cases", p, len(out))
		if detail != "" {
			d += ", " + detail
		}
		return tx.Audit(vault.AuditEvent{Action: action, Class: vault.Oversight, Detail: d})
	})
	if err != nil {
		return nil, fmt.Errorf("monitoring view: %w", err)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].StartedAt.Equal(out[j].StartedAt) {
			return out[i].StartedAt.Before(out[j].StartedAt)
		}
		return out[i].Pseudonym < out[j].Pseudonym
	})
	return out, nil
}

// MonitorExport is the monitoring export of a period: the same summaries as CSV (one row per
// case, for a spreadsheet) and as JSON (complete), made in one audited read.
type MonitorExport struct {
	Period Period
	Cases  []forms.OversightSummary
	CSV    []byte
	JSON   []byte
}

// ExportMonitoring builds the export of a period for the monitoring mechanism and audits it.
func (s *Session) ExportMonitoring(p Period) (*MonitorExport, error) {
	cases, err := s.oversight(p, AuditOversightExport, "CSV and JSON")
	if err != nil {
		return nil, err
	}
	e := &MonitorExport{Period: p, Cases: cases}
	if e.CSV, err = oversightCSV(cases); err != nil {
		return nil, err
	}
	// what retention has pruned (app/retention.go), so the mechanism knows which cases of
	// a period are no longer on the terminal
	var pruned *oversightPruning
	err = s.vs.View(func(tx *vault.Tx) error {
		b, err := tx.Get(vault.Oversight, bucketOversightPruning, "total")
		if errors.Is(err, vault.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		pruned = &oversightPruning{}
		return json.Unmarshal(b, pruned)
	})
	if err != nil {
		return nil, fmt.Errorf("monitoring export: pruning record: %w", err)
	}
	doc := struct {
		Period   Period                   `json:"period"`
		Exported time.Time                `json:"exported"`
		Cases    []forms.OversightSummary `json:"cases"`
		Pruned   *oversightPruning        `json:"pruned,omitempty"`
	}{p, s.nowFunc().UTC(), cases, pruned}
	if doc.Cases == nil {
		doc.Cases = []forms.OversightSummary{}
	}
	if e.JSON, err = json.MarshalIndent(doc, "", " "); err != nil {
		return nil, err
	}
	return e, nil
}

// OversightCSVHeader names the CSV columns, in order.
var OversightCSVHeader = []string{"pseudonym", "trigger", "place", "started_at", "ended_at", "duration_hours",
	"status", "outcome", "screening_due", "eurodac_due", "eurodac_transmitted_at", "eurodac_category",
	"missed_limits", "leaflet_language", "leaflet_version", "interpreter", "child_friendly", "informed_at", "form_received", "leaflet_received",
	"health_checked", "vulnerability_checked", "vulnerabilities", "reception_needs", "procedural_needs",
	"minor", "age_estimated", "unaccompanied", "companion_role", "fingers_taken", "fingers_refused",
	"face_refused", "refusals_recorded", "refusals_informed", "cooperation", "application_made",
	"checks", "open_checks", "referral_to", "biometrics_required"}

func oversightCSV(cases []forms.OversightSummary) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(OversightCSVHeader); err != nil {
		return nil, err
	}
	ts := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	b := strconv.FormatBool
	for _, o := range cases {
		var missed, checks []string
		for _, m := range o.MissedLimits {
			r := string(m.Reason)
			if r == "" {
				r = "no reason recorded"
			}
			missed = append(missed, string(m.Deadline)+": "+r)
		}
		for st, n := range o.Checks {
			checks = append(checks, fmt.Sprintf("%s=%d", st, n))
		}
		sort.Strings(checks)
		row := []string{o.Pseudonym, string(o.Trigger), csvSafe(o.Place), ts(o.StartedAt), ts(o.EndedAt),
			strconv.FormatFloat(o.DurationHours, 'f', 1, 64), string(o.Status), string(o.Outcome),
			ts(o.ScreeningDue), ts(o.EurodacDue), ts(o.EurodacSentAt), string(o.EurodacCat),
			strings.Join(missed, "; "), o.Information.LeafletLanguage, o.Information.LeafletVersion,
			b(o.Information.Interpreter), b(o.Information.ChildFriendly), ts(o.Information.At),
			o.Information.FormReceived, o.Information.LeafletReceived,
			b(o.HealthChecked), b(o.Vulnerability.Checked), strings.Join(o.Vulnerability.Indicators, "; "),
			strconv.Itoa(o.Vulnerability.ReceptionNeeds), strconv.Itoa(o.Vulnerability.ProceduralNeeds),
			b(o.Minor.Minor), b(o.Minor.AgeEstimated), b(o.Minor.Unaccompanied), string(o.Minor.CompanionRole),
			strconv.Itoa(o.FingersTaken), strconv.Itoa(o.Refusals.Fingers), b(o.Refusals.Face),
			strconv.Itoa(o.Refusals.Recorded), strconv.Itoa(o.Refusals.Informed), o.Refusals.Cooperation,
			b(o.Application), strings.Join(checks, "; "), strings.Join(o.OpenChecks, "; "), string(o.ReferralTo),
			b(o.BiometricsDue)}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe keeps a typed value from being run as a formula when the CSV is opened in a
// spreadsheet (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// SaveMonitoringExport writes the export of a period as base.csv and base.json (mode 0600,
// each whole or not at all) and returns their paths; audited as an export. The files hold no
// personal data, only the pseudonymised summaries.
func (s *Session) SaveMonitoringExport(base string, p Period) (csvPath, jsonPath string, err error) {
	e, err := s.ExportMonitoring(p)
	if err != nil {
		return "", "", err
	}
	base = strings.TrimSuffix(strings.TrimSuffix(base, ".csv"), ".json")
	csvPath, jsonPath = base+".csv", base+".json"
	if err := writeFileAtomic(csvPath, e.CSV); err != nil {
		return "", "", fmt.Errorf("monitoring export: %w", err)
	}
	if err := writeFileAtomic(jsonPath, e.JSON); err != nil {
		return "", "", fmt.Errorf("monitoring export: %w", err)
	}
	return csvPath, jsonPath, nil
}

// AuditOversightRebuild is the audit action of recomputing the monitoring summaries.
const AuditOversightRebuild = "oversight.rebuild"

// RebuildOversight recomputes the monitoring summary of every case still on the terminal, for
// cases saved before the oversight class existed (a summary is otherwise written with every
// save). It needs a role that reads core and writes oversight (officer, registrar, medic,
// supervisor); purged cases keep the summary they had. Audited once, with the count.
func (s *Session) RebuildOversight() (int, error) {
	s.Touch()
	now := s.nowFunc()
	n := 0
	err := s.vs.Update(func(tx *vault.Tx) error {
		ids, err := tx.CaseIDs()
		if err != nil {
			return err
		}
		for _, id := range ids {
			raw, err := tx.GetCase(id, vault.Core, recCase)
			if errors.Is(err, vault.ErrNotFound) {
				continue // purged: no case left to summarise
			}
			if err != nil {
				return err
			}
			c, err := forms.DecodeCase(bytes.NewReader(raw))
			if err != nil {
				return fmt.Errorf("case %s: %w", id, err)
			}
			if err := putOversight(tx, id, c, now); err != nil {
				return err
			}
			n++
		}
		return tx.Audit(vault.AuditEvent{Action: AuditOversightRebuild, Class: vault.Oversight, Detail: fmt.Sprintf("%d cases summarised", n)})
	})
	if err != nil {
		return 0, fmt.Errorf("rebuild the monitoring summaries: %w", err)
	}
	return n, nil
}
