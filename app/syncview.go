package app

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// PacketKind is what a packet is, in the words the Sync screen uses (the interface strings
// "packetkind.<kind>"): the outbox kind, told apart further by the variant the app recorded
// when it queued the packet (a Eurodac update, a corrected form, an addendum).
type PacketKind string

// Packet kinds as the officer reads them.
const (
	PacketSecurityCheck  PacketKind = "security_check"
	PacketEurodac        PacketKind = "eurodac"
	PacketEurodacUpdate  PacketKind = "eurodac_update"
	PacketScreeningForm  PacketKind = "screening_form"
	PacketFormCorrection PacketKind = "form_correction"
	PacketAddendum       PacketKind = "addendum"
	PacketAudit          PacketKind = "audit"
	PacketOther          PacketKind = "other"
)

// PacketKinds lists every kind (the interface has a string for each).
var PacketKinds = []PacketKind{PacketSecurityCheck, PacketEurodac, PacketEurodacUpdate, PacketScreeningForm,
	PacketFormCorrection, PacketAddendum, PacketAudit, PacketOther}

// Variants the app records on outbox rows (sync.Packet.Variant); rows queued before they
// were recorded read as the plain kind.
const (
	variantUpdate     = "update"     // Eurodac data sent again under the same reference (retake)
	variantCorrection = "correction" // a later version of the screening form (SR Art 18)
	variantAddendum   = "addendum"   // late check answers after the form (SR Art 18(5))
)

// formVariant is the variant of a screening-form packet.
func formVariant(due forms.FormSending) string {
	switch {
	case due.Addendum:
		return variantAddendum
	case due.Version > 1:
		return variantCorrection
	}
	return ""
}

func packetKind(r *fsync.Row) PacketKind {
	switch r.Kind {
	case fsync.KindSecurityCheck:
		return PacketSecurityCheck
	case fsync.KindEurodac:
		if r.Variant == variantUpdate {
			return PacketEurodacUpdate
		}
		return PacketEurodac
	case fsync.KindScreeningForm:
		switch r.Variant {
		case variantAddendum:
			return PacketAddendum
		case variantCorrection:
			return PacketFormCorrection
		}
		return PacketScreeningForm
	case fsync.KindAudit:
		return PacketAudit
	}
	return PacketOther
}

// Advice is what the officer can do about a packet that is refused or stuck (the interface
// strings "packetadvice.<advice>", English and Dutch). The app decides it from the sync
// state and the problem the last attempt ran into; the screen only words it.
type Advice string

// What the officer can do.
const (
	// AdviceNone: nothing to do (delivered, or waiting its turn).
	AdviceNone Advice = ""
	// AdviceWaitForLink: central could not be reached; the packet goes by itself once a
	// link is up, and "Send now" tries at once.
	AdviceWaitForLink Advice = "wait_link"
	// AdviceSendNow: central answered with a passing problem (busy, its storage); it is
	// retried by itself, "Send now" tries at once.
	AdviceSendNow Advice = "send_now"
	// AdviceExport: a Eurodac packet near or past its limit cannot reach central: export
	// it to removable media for a courier (the Export button), and keep trying.
	AdviceExport Advice = "export"
	// AdviceTechnician: the packet itself is damaged or cannot be read or signed as central
	// wants; the case data are safe in the vault. Call the technician.
	AdviceTechnician Advice = "technician"
	// AdviceReEnrol: central does not know this terminal (certificate, enrolment); a
	// supervisor enrols it again with a new token from central's operator.
	AdviceReEnrol Advice = "re_enrol"
	// AdviceCallCentral: central revoked the terminal or refused the packet for a reason
	// the terminal cannot fix; call central's helpdesk with the details line.
	AdviceCallCentral Advice = "call_central"
)

// Advices lists every advice but none (the interface has a sentence for each).
var Advices = []Advice{AdviceWaitForLink, AdviceSendNow, AdviceExport, AdviceTechnician, AdviceReEnrol, AdviceCallCentral}

// stuckAttempts is how many failed attempts make a waiting packet stuck: the officer is
// told what to do from then on (the first failures are ordinary on a field link).
const stuckAttempts = 3

// adviceFor decides what the officer can do about a packet at level (forms' level of its
// legal deadline): for a refused packet, by central's problem; for a waiting one, nothing
// until it is stuck (stuckAttempts failures), unless its sealed file is gone (only a
// technician helps) or it is a Eurodac transmission at forms' warning level or later (the
// 72 hours come first: a courier can carry it).
func adviceFor(r *fsync.Row, level forms.Level) Advice {
	switch {
	case r.State == fsync.StateRefused:
		return refusedAdvice(r.Problem)
	case r.State != fsync.StatePending:
		return AdviceNone
	case r.Problem == fsync.ProblemSealedMissing:
		return AdviceTechnician
	case r.Kind == fsync.KindEurodac && level >= forms.LevelWarning:
		return AdviceExport
	case r.Attempts < stuckAttempts:
		return AdviceNone
	case r.Problem == "":
		return AdviceWaitForLink
	}
	return AdviceSendNow
}

// refusedAdvice maps central's problem codes (sync/central, docs/api/openapi.yaml) to what
// the officer can do; an unknown code means central's helpdesk.
func refusedAdvice(problem string) Advice {
	switch problem {
	case fsync.ProblemSealedMissing, "digest-mismatch", "bad-digest", "signature-invalid", "bad-signature",
		"digest-conflict", "bad-id", "inner-invalid", "too-large", "read":
		return AdviceTechnician
	case "unknown-device", "no-client-certificate", "token-used", "token-expired", "unknown-token":
		return AdviceReEnrol
	case "store", "rate-limited":
		return AdviceSendNow
	}
	if strings.HasPrefix(problem, fsync.ProblemHTTP+"5") {
		return AdviceSendNow
	}
	return AdviceCallCentral
}

// PacketLine is one packet as the Sync screen shows it.
type PacketLine struct {
	// PacketID is for the technician's details line only, never the main text.
	PacketID string
	Kind     PacketKind
	State    string // sync's state (pending, delivered, refused, purged)
	Created  time.Time
	// DeliveredAt is when the verified receipt was stored.
	DeliveredAt time.Time
	Size        int64
	// Progress is the percentage of a resumable upload in progress, or -1.
	Progress int
	Attempts int
	// NextAttempt is when a failed packet is tried again.
	NextAttempt time.Time
	// Due is the packet's legal deadline (forms': the Eurodac clock for a Eurodac packet,
	// the screening limit for the others) and Level forms' level of it now; zero and none
	// when the packet has none or is no longer waiting.
	Due   time.Time
	Level forms.Level
	// Late: delivered after its deadline.
	Late bool
	// Advice is what the officer can do (refused or stuck), Problem what central said.
	Advice  Advice
	Problem string
}

// Eurodac reports whether the line is a Eurodac transmission (its Due is the Eurodac
// clock).
func (l PacketLine) Eurodac() bool {
	return l.Kind == PacketEurodac || l.Kind == PacketEurodacUpdate
}

// PacketGroup is the packets of one case, under the case's reference.
type PacketGroup struct {
	// CaseID is empty for the terminal's own packets (audit checkpoints, telemetry).
	CaseID vault.CaseID
	// Reference is the case's reference, "" when the role may not read it or the case is
	// no longer on the terminal (then Gone).
	Reference string
	Gone      bool
	Packets   []PacketLine
	// Refused counts refused packets, Waiting those still to send; Level is the worst
	// level among the waiting packets' deadlines.
	Refused, Waiting int
	Level            forms.Level
	// first is the nearest deadline of a waiting packet, latest the newest packet: the
	// groups' order.
	first, latest time.Time
}

// PacketGroups is the outbox grouped by case for the Sync screen: cases with a refused
// packet first, then those with packets waiting by the nearest legal deadline (the order
// the worker sends them in), then the rest newest first; within a case the packets in the
// order they were queued. The case reference comes from the case summary (a role without
// the core class, such as a technician, sees none). A summary that cannot be read leaves
// its case without a reference and is returned as the error beside the groups, so the
// queue is still shown.
func (s *Session) PacketGroups() ([]PacketGroup, error) {
	now := s.nowFunc()
	var rows []*fsync.Row
	refs := map[vault.CaseID]string{}
	gone := map[vault.CaseID]bool{}
	readRefs := s.Can(vault.Core, false)
	var unreadable error // a damaged summary hides one reference, never the queue
	err := s.vs.View(func(tx *vault.Tx) error {
		var err error
		if rows, err = fsync.Rows(tx); err != nil {
			return err
		}
		if !readRefs {
			return nil
		}
		// only the summaries of cases in the outbox: the queue's size, not the vault's
		for _, r := range rows {
			id := vault.CaseID(r.CaseID)
			if id == "" || refs[id] != "" || gone[id] {
				continue
			}
			raw, err := tx.GetCase(id, vault.Core, recSummary)
			if errors.Is(err, vault.ErrNotFound) {
				gone[id] = true
				continue
			}
			var row CaseRow
			if err == nil {
				err = json.Unmarshal(raw, &row)
			}
			if err != nil {
				if unreadable == nil {
					unreadable = fmt.Errorf("the summary of case %s: %w", id, err)
				}
				continue
			}
			refs[id] = row.Reference
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	byCase := map[vault.CaseID]*PacketGroup{}
	var groups []*PacketGroup
	for _, r := range rows {
		id := vault.CaseID(r.CaseID)
		g := byCase[id]
		if g == nil {
			g = &PacketGroup{CaseID: id, Reference: refs[id], Gone: gone[id]}
			byCase[id] = g
			groups = append(groups, g)
		}
		l := s.packetLine(r, now)
		g.Packets = append(g.Packets, l)
		switch l.State {
		case fsync.StateRefused:
			g.Refused++
		case fsync.StatePending:
			g.Waiting++
			g.Level = max(g.Level, l.Level)
			if !l.Due.IsZero() && (g.first.IsZero() || l.Due.Before(g.first)) {
				g.first = l.Due
			}
		}
		if r.Created.After(g.latest) {
			g.latest = r.Created
		}
	}
	out := make([]PacketGroup, len(groups))
	for i, g := range groups {
		sort.SliceStable(g.Packets, func(a, b int) bool { return g.Packets[a].Created.Before(g.Packets[b].Created) })
		out[i] = *g
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		switch {
		case (a.Refused > 0) != (b.Refused > 0):
			return a.Refused > 0
		case (a.Waiting > 0) != (b.Waiting > 0):
			return a.Waiting > 0
		case a.Waiting > 0 && !a.first.Equal(b.first):
			return !a.first.IsZero() && (b.first.IsZero() || a.first.Before(b.first))
		}
		return a.latest.After(b.latest)
	})
	return out, unreadable
}

// packetLine words one outbox row at now.
func (s *Session) packetLine(r *fsync.Row, now time.Time) PacketLine {
	l := PacketLine{PacketID: r.PacketID, Kind: packetKind(r), State: r.State, Created: r.Created,
		DeliveredAt: r.DeliveredAt, Size: r.Size, Progress: -1, Attempts: r.Attempts, NextAttempt: r.NextAttempt,
		Problem: r.Problem}
	if r.State == fsync.StatePending {
		l.Due, l.Level = r.Deadline, s.PacketLevel(r)
		if r.Offset > 0 && r.Size > 0 {
			l.Progress = int(r.Offset * 100 / r.Size)
		}
	}
	if !r.Deadline.IsZero() && !r.DeliveredAt.IsZero() {
		from := r.DeadlineFrom
		if from.IsZero() {
			from = r.Created
		}
		l.Late = forms.Deadline{Start: from, Limit: r.Deadline.Sub(from), MetAt: r.DeliveredAt}.Missed(now)
	}
	l.Advice = adviceFor(r, l.Level)
	return l
}

// QueryState is how far a security-check query packet has got, for the checks step: a
// pending check reads differently when its query still waits to be sent, was delivered
// and waits for central's answer, or was refused (then nothing will answer it).
type QueryState struct {
	State       string // sync's state of the query packet
	DeliveredAt time.Time
	Advice      Advice
}

// QueryStates maps each query packet the case's pending checks were queued under
// (SecurityCheck.Reference) to its outbox state; a packet no longer in the outbox is left
// out.
func (s *Session) QueryStates(c *forms.Case) (map[string]QueryState, error) {
	want := map[string]bool{}
	for _, ch := range c.Checks {
		if ch.Status == forms.CheckPending && ch.Reference != "" {
			want[ch.Reference] = true
		}
	}
	out := map[string]QueryState{}
	if len(want) == 0 || !s.Can(vault.Sync, false) {
		return out, nil // nothing pending, or a role that does not see the outbox
	}
	rows, err := s.Outbox()
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if want[r.PacketID] {
			out[r.PacketID] = QueryState{State: r.State, DeliveredAt: r.DeliveredAt, Advice: adviceFor(r, s.PacketLevel(r))}
		}
	}
	return out, nil
}
