package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

type accessFixture struct {
	term          *Terminal
	sup, off, aud *Session
	id            vault.CaseID
	ref           string
}

// newAccessFixture: a terminal enrolled with a real central, a supervisor, an officer who
// screened a case (submitted: its security-check packet is queued) and a medic who recorded
// health details on it, and an auditor.
func newAccessFixture(t *testing.T, languages ...string) *accessFixture {
	t.Helper()
	srv, url := centraltest.Start(t, central.Options{})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	enrolAt(t, off, srv, url)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []struct {
		n string
		r vault.Role
	}{{"medic-quill", vault.Medic}, {"auditor-rook", vault.Auditor}} {
		if err := sup.AddUser(u.n, u.r, []byte(testPass)); err != nil {
			t.Fatal(err)
		}
	}
	c := adultCase(time.Now())
	c.Identity.Surnames = []string{"ACCESSCANARY"}
	c.Identity.Languages = languages
	id, err := off.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Submit(id); err != nil {
		t.Fatal(err)
	}
	med, err := term.Unlock("medic-quill", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	_, rev, err := med.ReadCase(id)
	if err != nil {
		t.Fatal(err)
	}
	findings := "SYNTHETIC-HEALTH-FINDING sprained ankle"
	if _, err := med.Do(id, rev, RecordHealth{Findings: &findings}); err != nil {
		t.Fatal(err)
	}
	med.Lock(LockedClosed)
	aud, err := term.Unlock("auditor-rook", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := sup.Case(id)
	return &accessFixture{term: term, sup: sup, off: off, aud: aud, id: id, ref: stored.Reference}
}

func (f *accessFixture) audit(t *testing.T, action string) []vault.AuditEntry {
	t.Helper()
	es, err := f.aud.Vault().AuditEntries(vault.AuditFilter{Case: f.id, Action: action})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func cosign(user string) *CoSign { return &CoSign{User: user, Passphrase: []byte(testPass)} }

// TestAccessReportCoSigns (GDPR Art 15; ER Art 43): a supervisor prints everything held about
// the person; the health details only with a medic who authenticates in the same flow, the
// audit trail only with an auditor; a wrong medic passphrase or a co-signer of another role
// stops the report and is audited as a failure; every report is audited naming the case, the
// supervisor and the co-signers, without the person's data; other roles are refused.
func TestAccessReportCoSigns(t *testing.T) {
	f := newAccessFixture(t)

	b, lang, err := f.sup.AccessReportPDF(AccessRequest{Case: f.id})
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfToText(t, b)
	if lang != "en" || !strings.Contains(txt, "in English because there is no translation") {
		t.Errorf("no languages recorded: report in %q without the English note", lang)
	}
	for _, want := range []string{f.ref, "ACCESSCANARY", "database check request", "waiting to be sent", "Left out: health details", "Left out: the log"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report without co-sign: %q missing", want)
		}
	}
	if strings.Contains(txt, "SYNTHETIC-HEALTH-FINDING") {
		t.Fatal("health details printed without a medic's co-sign")
	}

	// a wrong medic passphrase: refused, nothing printed, audited as a failure
	before := len(f.audit(t, AuditAccessCoSignKO))
	_, _, err = f.sup.AccessReportPDF(AccessRequest{Case: f.id, Medic: &CoSign{User: "medic-quill", Passphrase: []byte("wrong passphrase entirely")}})
	var ce *CoSignError
	if !errors.As(err, &ce) || !errors.Is(err, vault.ErrBadLogin) || ce.Want != vault.Medic {
		t.Fatalf("wrong medic passphrase: %v, want *CoSignError wrapping ErrBadLogin", err)
	}
	if ce.Sentence("nl") == ce.Sentence("en") || !strings.Contains(ce.Sentence("en"), "medic") {
		t.Errorf("sentences: %q / %q", ce.Sentence("en"), ce.Sentence("nl"))
	}
	if got := f.audit(t, AuditAccessCoSignKO); len(got) != before+1 || got[len(got)-1].User != "sup" {
		t.Fatalf("failed co-sign audited %d times (before %d): %+v", len(got), before, got)
	}
	// the officer's own good credentials are no medic's co-sign
	_, _, err = f.sup.AccessReportPDF(AccessRequest{Case: f.id, Medic: cosign("off")})
	if !errors.As(err, &ce) || !errors.Is(err, ErrCoSignRole) {
		t.Fatalf("officer as medic co-signer: %v, want ErrCoSignRole", err)
	}

	// medic and auditor co-sign: health details and the audit trail, without staff names
	req := AccessRequest{Case: f.id, Medic: cosign("medic-quill"), Auditor: cosign("auditor-rook")}
	b, _, err = f.sup.AccessReportPDF(req)
	if err != nil {
		t.Fatal(err)
	}
	if string(req.Medic.Passphrase) == testPass {
		t.Error("the medic's passphrase was not zeroed after use")
	}
	txt = pdfToText(t, b)
	for _, want := range []string{"SYNTHETIC-HEALTH-FINDING", "medic-quill", "auditor-rook", "case.create", "health.update", "medical staff"} {
		if !strings.Contains(txt, want) {
			t.Errorf("report with co-signs: %q missing", want)
		}
	}
	if strings.Contains(txt, "Left out: health details") || strings.Contains(txt, "Left out: the log") {
		t.Error("a left-out sentence printed although both co-signed")
	}

	es := f.audit(t, AuditAccessReport)
	if len(es) != 2 {
		t.Fatalf("%d access-report audit entries, want 2", len(es))
	}
	last := es[1]
	if last.User != "sup" || last.Role != vault.Supervisor || last.Case != f.id || last.Class != vault.Health ||
		!strings.Contains(last.Detail, "medic co-sign medic-quill") || !strings.Contains(last.Detail, "auditor co-sign auditor-rook") {
		t.Errorf("audit entry %+v: want the case, the supervisor and both co-signers", last)
	}
	for _, e := range es {
		if strings.Contains(e.Detail, "ACCESSCANARY") || strings.Contains(e.Detail, "SYNTHETIC") {
			t.Errorf("personal data in the audit entry: %q", e.Detail)
		}
	}
	if !strings.Contains(es[0].Detail, "left out") {
		t.Errorf("the report without co-sign does not say health was left out: %q", es[0].Detail)
	}

	// other roles are refused, and the attempt is audited
	var re *AccessRoleError
	if _, _, err := f.off.AccessReportPDF(AccessRequest{Case: f.id}); !errors.As(err, &re) || re.Role != vault.Officer {
		t.Fatalf("officer prints an access report: %v", err)
	}
	if re.Sentence("nl") == re.Sentence("en") || !strings.Contains(re.Sentence("nl"), "supervisor") {
		t.Errorf("role sentences: %q / %q", re.Sentence("en"), re.Sentence("nl"))
	}
	if got := f.audit(t, AuditAccessRefused); len(got) != 1 || got[0].User != "off" {
		t.Errorf("refusal audited as %+v", got)
	}
}

// TestAccessReportInPersonsLanguage: a Tigrinya speaker's report is in Tigrinya; printed
// through a real CUPS, from memory.
func TestAccessReportInPersonsLanguage(t *testing.T) {
	cups := printtest.Start(t)
	f := newAccessFixture(t, "tir")
	if _, _, err := f.sup.PrintAccessReport(context.Background(), AccessRequest{Case: f.id}); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("print with no printer: %v, want ErrNoPrinter", err)
	}
	if err := f.term.UpdateConfig(func(c *Config) { c.Printer = cups.Queue }); err != nil {
		t.Fatal(err)
	}
	job, lang, err := f.sup.PrintAccessReport(context.Background(), AccessRequest{Case: f.id})
	if err != nil {
		t.Fatal(err)
	}
	txt := pdfToText(t, cups.Job(t, job))
	if lang != "ti" || !strings.Contains(txt, f.ref) || !strings.Contains(txt, "ACCESSCANARY") || !strings.Contains(txt, "ዝርዝር ጥዕና") {
		t.Errorf("report in %q: reference, surname or the Tigrinya health heading missing:\n%.600s", lang, txt)
	}
	if strings.Contains(txt, "in English because") {
		t.Error("English note on a report in the person's language")
	}
}
