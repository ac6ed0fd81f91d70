package ui

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	bolt "go.etcd.io/bbolt"

	"github.com/fieldscreen/fieldscreen/app"
	"github.com/fieldscreen/fieldscreen/forms"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// goErrorText is what a Go error puts on a screen and a sentence never does: a chain of
// lower-case "x: y: z", a path, a hexadecimal ID, a format slip, or the words of the
// transport and the file system.
var goErrorText = regexp.MustCompile(`[a-z]: [a-z][^.]*: [a-z]|/[a-z]+/|[0-9a-f]{8,}|%!|(?i)dial tcp|connection refused|central answered|not a directory|no such file|https?://`)

// shownError finds the label that shows want and checks it shows nothing else of the error.
func shownError(t *testing.T, w fyne.Window, step, want string) {
	t.Helper()
	l := find(w, func(l *widget.Label) bool { return l.Visible() && strings.Contains(l.Text, want) })
	if l == nil {
		t.Errorf("%s: the screen does not show %q:\n%s", step, want, labelsText(w))
		return
	}
	if m := goErrorText.FindString(l.Text); m != "" {
		t.Errorf("%s: the message carries Go error text %q: %q", step, m, l.Text)
	}
}

// dutchSystem makes the process's locale Dutch, as on a Dutch laptop (LANG=nl_NL.UTF-8
// and nothing above it), for one test.
func dutchSystem(t *testing.T) {
	for _, k := range []string{"LANGUAGE", "LC_ALL", "LC_MESSAGES"} {
		t.Setenv(k, "")
	}
	t.Setenv("LANG", "nl_NL.UTF-8")
	t.Cleanup(func() { SetLanguage("en") })
}

// TestDutchByDefaultOnADutchSystem (issue 17): with LANG=nl_NL.UTF-8 and no settings file,
// the terminal opens in Dutch; with an English locale in English.
func TestDutchByDefaultOnADutchSystem(t *testing.T) {
	dutchSystem(t)
	_, w, _ := newTestUI(t, time.Hour)
	if Language() != "nl" || !hasButton(w, strs.msgs["nl"]["firstrun.create"]) {
		t.Fatalf("LANG=nl_NL.UTF-8: language %q, screen:\n%s", Language(), labelsText(w))
	}
	t.Setenv("LANG", "en_GB.UTF-8")
	_, w, _ = newTestUI(t, time.Hour)
	if Language() != "en" || !hasButton(w, strs.msgs["en"]["firstrun.create"]) {
		t.Fatalf("LANG=en_GB.UTF-8: language %q, screen:\n%s", Language(), labelsText(w))
	}
}

// TestDeepErrorsReachTheScreenInDutch (issue 17): on a Dutch laptop, errors from the
// bottom of the stack reach the officer as Dutch sentences saying what to do, never as the
// Go error chain: sync's outbox refusing to seal before enrolment (form step), central
// refusing an unknown enrolment token (Sync screen), central gone while sending (Sync
// screen), and the vault's packet folder unusable when queueing — an error nobody
// translated, which shows the general sentence with the time and logs the Go text.
func TestDeepErrorsReachTheScreenInDutch(t *testing.T) {
	dutchSystem(t)
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)

	srv, url, stop := centraltest.Serve(t, t.TempDir(), "127.0.0.1:0", central.Options{})
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if Language() != "nl" {
		t.Fatalf("interface language %q on a Dutch system", Language())
	}
	sess := u.Session()
	id, err := sess.CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: sess.Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"DEEP"}},
	})
	if err != nil {
		t.Fatal(err)
	}

	// 1. not enrolled: sync cannot seal the packets to central's key
	u.showCase(id)
	u.openCase.Step(len(caseSteps) - 1)
	test.Tap(button(t, w, T("form.send")))
	want, _ := app.Sentence(fsync.ErrNotEnrolled, "nl")
	shownError(t, w, "send before enrolment", want)

	// 2. central refuses an enrolment token it does not know (403 unknown-token)
	tok, err := srv.CreateToken()
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := fsync.ParseToken(tok)
	if err != nil {
		t.Fatal(err)
	}
	unknown := fsync.FormatToken([]byte(rand.Text()), parsed.CA.Raw)
	test.Tap(button(t, w, T("common.back")))
	test.Tap(button(t, w, T("nav.sync")))
	es := entries(w)
	es[0].SetText(url)
	es[1].SetText(unknown)
	test.Tap(button(t, w, T("sync.enrol")))
	if sess.Enrolled() {
		t.Fatal("enrolled with a token central never issued")
	}
	want, _ = app.Sentence(fsync.ErrTokenUnknown, "nl")
	shownError(t, w, "unknown token", want)

	// enrol for real, queue the case's packets, then lose central
	es[1].SetText(tok)
	test.Tap(button(t, w, T("sync.enrol")))
	if !sess.Enrolled() {
		t.Fatalf("not enrolled: %s", labelsText(w))
	}
	u.stopSyncWorker()
	if _, err := sess.Submit(id); err != nil {
		t.Fatal(err)
	}
	stop()

	// 3. central unreachable when sending now
	test.Tap(button(t, w, T("sync.sendNow")))
	want, _ = app.Sentence(fsync.ErrUnreachable, "nl")
	shownError(t, w, "central gone", want)

	// 4. the vault's packet folder cannot take the sealed file: nobody translated that
	// error, so the screen shows the general sentence and the log gets the Go text
	dir := term.Vault().PacketDir()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dir, []byte("not a folder"), 0o600); err != nil {
		t.Fatal(err)
	}
	id2, err := sess.CreateCase(&forms.Case{
		Trigger:  forms.Trigger{Reason: forms.TriggerApplicationAtBCP, Place: "NLSPL", At: sess.Now()},
		Identity: forms.Identity{Surnames: []string{"TESTPERSON"}, GivenNames: []string{"FOLDER"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, serr := sess.Submit(id2)
	if serr == nil {
		t.Fatal("queued into a packet folder that is a file")
	}
	if _, ok := app.Sentence(serr, "nl"); ok {
		t.Fatalf("the test wants an untranslated error, got a sentence for %v", serr)
	}
	u.showCase(id2)
	u.openCase.Step(len(caseSteps) - 1)
	test.Tap(button(t, w, T("form.send")))
	general := strs.msgs["nl"]["err.unexpected"]
	general = general[:strings.Index(general, "%s")]
	shownError(t, w, "packet folder", general)
	var at string
	if l := find(w, func(l *widget.Label) bool { return strings.Contains(l.Text, general) }); l != nil {
		at = regexp.MustCompile(`\d\d:\d\d:\d\d`).FindString(l.Text)
	}
	if at == "" || !strings.Contains(logged.String(), at) || !strings.Contains(logged.String(), filepath.Base(dir)) {
		t.Errorf("the log lacks the Go text under the time %q shown:\n%s", at, logged.String())
	}
}

// TestErrorTextNeverShowsGoText: errorText of untranslated and translated errors, in both
// languages, is a sentence without the error's own text.
func TestErrorTextNeverShowsGoText(t *testing.T) {
	defer SetLanguage("en")
	log.SetOutput(&bytes.Buffer{})
	defer log.SetOutput(os.Stderr)
	for _, lang := range Languages {
		SetLanguage(lang)
		for _, err := range []error{
			errors.New("bbolt: tx closed"),
			&os.PathError{Op: "open", Path: "/var/lib/fieldscreen/vault/packets/3f9c2a.age", Err: os.ErrPermission},
			context.DeadlineExceeded,
			errNoScanner,
		} {
			got := errorText(err)
			if got == "" || goErrorText.MatchString(got) || strings.Contains(got, err.Error()) {
				t.Errorf("%s: errorText(%v) = %q", lang, err, got)
			}
		}
	}
}

// TestAuditBreakShownWithoutInternals: a broken audit chain is shown as the sentence with
// the entry number; the technical reason (a hash, a key in hexadecimal) goes to the log.
func TestAuditBreakShownWithoutInternals(t *testing.T) {
	log.SetOutput(&bytes.Buffer{})
	defer log.SetOutput(os.Stderr)
	u, w, term := newTestUI(t, time.Hour)
	firstRun(t, u, w)
	if err := u.Session().AddUser("aud1", vault.Auditor, []byte("a passphrase for aud1")); err != nil {
		t.Fatal(err)
	}
	dir := term.Config().VaultDir
	u.Lock()
	term.Close()
	// cut entry 2 out of the chain, as someone with the file could
	db, err := bolt.Open(filepath.Join(dir, "vault.db"), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("audit")).Delete(binary.BigEndian.AppendUint64(nil, 2))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	cfg := term.Config()
	term2, err := app.OpenTerminal(cfg, vault.Options{KDF: vault.TestKDF()})
	if err != nil {
		t.Fatal(err)
	}
	defer term2.Close()
	u2 := New(w, term2)
	u2.Start()
	es := entries(w)
	es[0].SetText("aud1")
	test.Type(es[1], "a passphrase for aud1")
	test.Tap(button(t, w, T("unlock.button")))
	if u2.Screen() != "audit" {
		t.Fatalf("the auditor lands on %q: %s", u2.Screen(), labelsText(w))
	}
	test.Tap(button(t, w, T("audit.verify")))
	shownError(t, w, "audit", Tf("audit.broken", 2))
	if txt := labelsText(w); strings.Contains(txt, "sequence gap") || strings.Contains(txt, "hash mismatch") {
		t.Errorf("the audit screen shows the technical reason:\n%s", txt)
	}
}

// TestFyneWidgetsInDutch: on a Dutch system Fyne's own words (the Yes and No of the
// confirm dialog before a PDF with personal data is saved, the file dialog's Save and
// Cancel) are Dutch too; Fyne ships no Dutch, so assets/translations/fyne.nl.json gives it.
func TestFyneWidgetsInDutch(t *testing.T) {
	// Fyne reads the system locale whenever translations are added
	refresh := func() {
		if err := lang.AddTranslationsForLocale([]byte("{}"), "nl"); err != nil {
			t.Fatal(err)
		}
	}
	dutchSystem(t)
	defer refresh()
	defer t.Setenv("LANG", "en_US.UTF-8")
	refresh()
	for en, nl := range map[string]string{"Yes": "Ja", "No": "Nee", "Save": "Opslaan", "Cancel": "Annuleren", "New Folder": "Nieuwe map"} {
		if got := lang.L(en); got != nl {
			t.Errorf("Fyne's %q on a Dutch system: %q, want %q", en, got, nl)
		}
	}
}
