package app

import (
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/vault"
)

// saveWhole is the whole-case save the UI used before case commands (the removed
// Session.SaveCase, kept here as the benchmark's baseline): check the case exists, write the
// case and its summary, audit, in one transaction; no read, no revision check.
func saveWhole(s *Session, id vault.CaseID, c *forms.Case, rev int) error {
	now := s.nowFunc()
	return s.vs.Update(func(tx *vault.Tx) error {
		if err := caseExists(tx, id); err != nil {
			return err
		}
		if err := putCase(tx, id, c, now, rev); err != nil {
			return err
		}
		return tx.Audit(vault.AuditEvent{Action: AuditCaseUpdate, Case: id, Class: vault.Core})
	})
}

// BenchmarkCaseCommand: one named command (set-identity: read, revision check, rules,
// write, audit, in one durable transaction) beside the old whole-case save of the same case,
// interleaved in the same run so both see the same disk; reports each and the ratio
// (target ≤ 1.2).
func BenchmarkCaseCommand(b *testing.B) {
	term := newTestTerminal(b, time.Hour)
	_, off := staff(b, term)
	id := queriedCase(b, off, time.Now())
	c, rev, err := off.ReadCase(id)
	if err != nil {
		b.Fatal(err)
	}
	c.Documents = []forms.Document{{Type: "P", Number: "X1234567", IssuingState: "UTO", Holder: c.Identity, Source: "manual"}}
	c.Info = forms.Information{LeafletLanguage: "ar", Medium: forms.MediumPaper, LeafletVersion: "v1", At: time.Now()}
	if rev, err = off.Do(id, rev, RecordDocument{Index: 0, Document: c.Documents[0]}, RecordInformation{c.Info}); err != nil {
		b.Fatal(err)
	}
	c, rev, _ = off.ReadCase(id)
	names := []string{"ALPHA", "BRAVO"}
	var save, cmd time.Duration
	b.ResetTimer()
	saveOnce := func() {
		t := time.Now()
		if err := saveWhole(off, id, c, rev); err != nil {
			b.Fatal(err)
		}
		save += time.Since(t)
	}
	cmdOnce := func(i int) {
		idn := c.Identity
		idn.GivenNames = names[i%2 : i%2+1]
		t := time.Now()
		if rev, err = off.Do(id, rev, SetIdentity{idn}); err != nil {
			b.Fatal(err)
		}
		cmd += time.Since(t)
	}
	for i := 0; i < b.N; i++ {
		// alternate which goes first: the second write of a pair reuses the pages the first
		// freed, and that order effect must not count for either
		if i%2 == 0 {
			saveOnce()
			cmdOnce(i)
		} else {
			cmdOnce(i)
			saveOnce()
		}
	}
	b.ReportMetric(float64(save.Microseconds())/float64(b.N), "µs-save/op")
	b.ReportMetric(float64(cmd.Microseconds())/float64(b.N), "µs-command/op")
	b.ReportMetric(float64(cmd)/float64(save), "command/save")
}

// BenchmarkCommandOnTransmittedCase: the guard of transmitted fields (forms.Case.
// RefuseTransmittedChange, run by Do after each command once the form or the Eurodac data
// set was sent) costs a copy of the case and four JSON views per command. One allowed
// command (the person's remarks) on a case marked as sent, beside the same command on its
// twin never sent, interleaved; reports each and the ratio.
func BenchmarkCommandOnTransmittedCase(b *testing.B) {
	term := newTestTerminal(b, time.Hour)
	_, off := staff(b, term)
	now := time.Now()
	sent, plain := queriedCase(b, off, now), queriedCase(b, off, now)
	for _, id := range []vault.CaseID{sent, plain} {
		c, rev, _ := off.ReadCase(id)
		c.Info = forms.Information{LeafletLanguage: "ar"}
		if _, err := off.Do(id, rev, RecordDocument{Index: 0, Document: forms.Document{Type: "P", Number: "X1234567", IssuingState: "UTO", Holder: c.Identity}},
			RecordInformation{c.Info}, RecordVulnerability{forms.Vulnerability{Checked: true, Notes: "none"}}); err != nil {
			b.Fatal(err)
		}
	}
	// what queueForm and Submit record once the form and the data set went out
	if err := off.vs.Update(func(tx *vault.Tx) error {
		_, err := updateCase(tx, sent, AnyRevision, now, func(c *forms.Case) error {
			c.FormPackets = []forms.FormPacket{{PacketID: "pk-form", Version: 1, To: forms.ReferAsylum, Digest: c.FormDigest(), At: now}}
			c.Eurodac.Reference, c.Eurodac.QueuedAt = "pk-eurodac", now
			return nil
		})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	revs := map[vault.CaseID]int{}
	for _, id := range []vault.CaseID{sent, plain} {
		_, revs[id], _ = off.ReadCase(id)
	}
	var dur = map[vault.CaseID]time.Duration{}
	once := func(id vault.CaseID, i int) {
		t := time.Now()
		rev, err := off.Do(id, revs[id], RecordRemarks{forms.Remarks{Incorrect: []string{"my birth year", "my village"}[i%2]}})
		if err != nil {
			b.Fatal(err)
		}
		dur[id] += time.Since(t)
		revs[id] = rev
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%2 == 0 {
			once(plain, i)
			once(sent, i)
		} else {
			once(sent, i)
			once(plain, i)
		}
	}
	b.ReportMetric(float64(dur[plain].Microseconds())/float64(b.N), "µs-plain/op")
	b.ReportMetric(float64(dur[sent].Microseconds())/float64(b.N), "µs-sent/op")
	b.ReportMetric(float64(dur[sent])/float64(dur[plain]), "sent/plain")
}
