package app

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// TestAdviceFor: what the officer is told to do follows the packet's sync state and what
// its last attempt ran into; nothing while it is delivered or waiting its turn.
func TestAdviceFor(t *testing.T) {
	for _, tc := range []struct {
		name  string
		row   fsync.Row
		level forms.Level
		want  Advice
	}{
		{"delivered", fsync.Row{State: fsync.StateDelivered, Kind: fsync.KindEurodac}, forms.LevelNone, AdviceNone},
		{"purged", fsync.Row{State: fsync.StatePurged}, forms.LevelNone, AdviceNone},
		{"waiting its turn", fsync.Row{State: fsync.StatePending, Kind: fsync.KindSecurityCheck}, forms.LevelNotice, AdviceNone},
		{"one failure is ordinary", fsync.Row{State: fsync.StatePending, Attempts: 1}, forms.LevelNone, AdviceNone},
		{"stuck without a link", fsync.Row{State: fsync.StatePending, Attempts: stuckAttempts}, forms.LevelNone, AdviceWaitForLink},
		{"stuck on central's storage", fsync.Row{State: fsync.StatePending, Attempts: 5, Problem: "store"}, forms.LevelNone, AdviceSendNow},
		{"stuck on a 502", fsync.Row{State: fsync.StatePending, Attempts: 5, Problem: "http-502"}, forms.LevelNone, AdviceSendNow},
		{"sealed file gone", fsync.Row{State: fsync.StatePending, Attempts: 1, Problem: fsync.ProblemSealedMissing}, forms.LevelNone, AdviceTechnician},
		{"Eurodac at warning level (ER 72 h)", fsync.Row{State: fsync.StatePending, Kind: fsync.KindEurodac}, forms.LevelWarning, AdviceExport},
		{"Eurodac overdue and stuck", fsync.Row{State: fsync.StatePending, Kind: fsync.KindEurodac, Attempts: 9, Problem: "store"}, forms.LevelOverdue, AdviceExport},
		{"form at warning, not stuck", fsync.Row{State: fsync.StatePending, Kind: fsync.KindScreeningForm}, forms.LevelWarning, AdviceNone},
		{"refused: damaged", fsync.Row{State: fsync.StateRefused, Problem: "digest-mismatch"}, forms.LevelNone, AdviceTechnician},
		{"refused: signature", fsync.Row{State: fsync.StateRefused, Problem: "signature-invalid"}, forms.LevelNone, AdviceTechnician},
		{"refused: unknown terminal", fsync.Row{State: fsync.StateRefused, Problem: "unknown-device"}, forms.LevelNone, AdviceReEnrol},
		{"refused: revoked", fsync.Row{State: fsync.StateRefused, Problem: "revoked"}, forms.LevelNone, AdviceCallCentral},
		{"refused: unknown reason", fsync.Row{State: fsync.StateRefused, Problem: "http-418"}, forms.LevelNone, AdviceCallCentral},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := adviceFor(&tc.row, tc.level); got != tc.want {
				t.Errorf("advice %q, want %q", got, tc.want)
			}
		})
	}
}

// TestPacketGroupsByCase: the outbox is grouped under each case's reference, the case with
// a refused packet first with what to do, each packet worded by its kind and carrying
// forms' deadline and level while it waits.
func TestPacketGroupsByCase(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	enrolAt(t, off, srv, url)
	now := time.Now()
	a, b := adultCase(now), adultCase(now)
	b.Identity.GivenNames = []string{"ECHO"}
	ids, err := off.CreateCases([]*forms.Case{a, b})
	if err != nil {
		t.Fatal(err)
	}
	var sent []string
	for _, id := range ids {
		pk, err := off.Submit(id)
		if err != nil || len(pk) != 1 {
			t.Fatalf("submit: %v %v", pk, err)
		}
		sent = append(sent, pk[0])
	}
	groups, err := off.PacketGroups()
	if err != nil || len(groups) != 2 {
		t.Fatalf("groups before sending: %+v %v", groups, err)
	}
	for _, g := range groups {
		c, _ := off.Case(g.CaseID)
		l := g.Packets[0]
		if g.Reference != c.Reference || len(g.Packets) != 1 || l.Kind != PacketSecurityCheck || l.State != fsync.StatePending ||
			!l.Due.Equal(c.Deadlines().Screening.Due()) || g.Waiting != 1 || l.Advice != AdviceNone {
			t.Errorf("group %+v for case %s", g, c.Reference)
		}
	}
	// the second case's packet is damaged on disk: central refuses it
	path := fsync.PacketPath(off.packetDir, sent[1])
	data, _ := os.ReadFile(path)
	data[len(data)-1] ^= 1
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if rep, err := off.SyncOnce(ctx); err != nil || rep.Refused != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	groups, _ = off.PacketGroups()
	c1, _ := off.Case(ids[1])
	if g := groups[0]; g.CaseID != ids[1] || g.Reference != c1.Reference || g.Refused != 1 ||
		g.Packets[0].State != fsync.StateRefused || g.Packets[0].Advice != AdviceTechnician {
		t.Fatalf("refused case not first with its advice: %+v", groups)
	}
	// the checks step's view of the queries: refused; delivered while unanswered
	for i, want := range []string{fsync.StateDelivered, fsync.StateRefused} {
		c, _ := off.Case(ids[i])
		qs, err := off.QueryStates(c)
		if len(c.PendingChecks()) == 0 {
			if len(qs) != 0 || err != nil {
				t.Errorf("case %d, every check answered: query states %+v %v", i, qs, err)
			}
			continue
		}
		if q, ok := qs[sent[i]]; err != nil || !ok || q.State != want {
			t.Errorf("case %d: query states %+v %v, want %s", i, qs, err, want)
		}
	}
	if g := groups[1]; g.CaseID != ids[0] || g.Packets[0].State != fsync.StateDelivered || g.Packets[0].Advice != AdviceNone || g.Packets[0].Late {
		t.Fatalf("delivered case: %+v", g)
	}
}

// TestPacketGroupsWithoutCoreClass: a technician sees the queue grouped by case but no
// case reference (the core class is not theirs), and no case is called gone.
func TestPacketGroupsWithoutCoreClass(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	term := newTestTerminal(t, time.Hour)
	tech, off := staff(t, term)
	enrolAt(t, off, srv, url)
	id, err := off.CreateCase(adultCase(time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil {
		t.Fatal(err)
	}
	if tech.Can(vault.Core, false) {
		t.Fatal("the grant table gives technicians the core class: this test expects them without it")
	}
	groups, err := tech.PacketGroups()
	if err != nil || len(groups) != 1 || groups[0].CaseID != id || groups[0].Reference != "" || groups[0].Gone {
		t.Fatalf("technician's groups: %+v %v", groups, err)
	}
}
