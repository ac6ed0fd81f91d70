package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/forms/mrz"
	"github.com/fieldscreen/fieldscreen/forms/pdf"
	"github.com/fieldscreen/fieldscreen/hardware"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/vault"
)

// screenErrors is an example of every exported error of app, vault and sync (the packages
// whose errors reach a screen through app), by its name in the source; each is wrapped the
// way app wraps errors, so the sentence must be found through the chain.
var screenErrors = map[string]error{
	"app.ErrNoBiometrics":     ErrNoBiometrics,
	"app.ErrCaptureDeferred":  ErrCaptureDeferred,
	"app.ErrCompanion":        ErrCompanion,
	"app.ErrNotTrained":       ErrNotTrained,
	"app.ErrAgeDoubt":         ErrAgeDoubt,
	"app.ErrNothingToTake":    ErrNothingToTake,
	"app.MinorsError":         &MinorsError{Problems: forms.Problems{{Path: "biometrics.companion", Code: forms.CodeCompanionMissing, Message: forms.Message{EN: "Record the companion.", NL: "Leg de begeleider vast."}}}},
	"app.ErrNoCase":           ErrNoCase,
	"app.ErrMedicEdit":        ErrMedicEdit,
	"app.ErrStale":            ErrStale,
	"app.StaleError":          &StaleError{ID: "c-0f3a9b", Read: 3, Current: 4},
	"app.ProtectedError":      &ProtectedError{Field: "checks"},
	"app.ErrDemoCount":        ErrDemoCount,
	"app.ErrNotEnrolled":      ErrNotEnrolled,
	"app.ErrPeriod":           ErrPeriod,
	"app.WeakPassphraseError": &WeakPassphraseError{Reason: "short", Length: 4},
	"app.ErrNoRasteriser":     ErrNoRasteriser,
	"app.ErrNoPrinter":        ErrNoPrinter,
	"app.ErrNoSpooler":        ErrNoSpooler,
	"app.ErrPrinterName":      ErrPrinterName,
	"app.ErrPrintRefused":     ErrPrintRefused,
	"app.ErrDeviceOption":     ErrDeviceOption,
	"app.ErrNotReady":         ErrNotReady,
	"app.NotReadyError":       &NotReadyError{Message: forms.Message{EN: "Record a name.", NL: "Leg een naam vast."}},
	"app.ErrTestCaptureRole":  ErrTestCaptureRole,
	"app.ErrPatchRevision":    ErrPatchRevision,
	"app.UserNameError":       CheckUserName(""),
	"app.ErrTooManyEntries":   ErrTooManyEntries,
	"app.ErrBadScan":          ErrBadScan,
	"app.AccessRoleError":     &AccessRoleError{Role: vault.Officer},
	"app.CoSignError":         &CoSignError{Want: vault.Medic, Err: ErrCoSignRole},
	"app.ErrCoSignRole":       ErrCoSignRole,
	"app.ScanError":           errGreyScan(),
	"app.ListLimitError":      &ListLimitError{Field: "identity.surnames", Entries: 40, Limit: 8},

	"vault.ErrLocked":            vault.ErrLocked,
	"vault.ErrNotFound":          vault.ErrNotFound,
	"vault.ErrIntegrity":         vault.ErrIntegrity,
	"vault.ErrBadPassphrase":     vault.ErrBadPassphrase,
	"vault.ErrUnknownUser":       vault.ErrUnknownUser,
	"vault.ErrBadLogin":          vault.ErrBadLogin,
	"vault.ErrExists":            vault.ErrExists,
	"vault.ErrCredential":        fmt.Errorf("%w (%w)", vault.ErrCredential, vault.ErrIntegrity),
	"vault.ErrUnsafePermissions": vault.ErrUnsafePermissions,
	"vault.ErrInUse":             vault.ErrInUse,
	"vault.PermissionError":      &vault.PermissionError{Role: "technician", Class: vault.Core},
	"vault.BackoffError":         &vault.BackoffError{Wait: 30 * time.Second, Failures: 5},
	"vault.CorruptError":         &vault.CorruptError{Path: "/home/officer/.local/share/fieldscreen/vault/vault.db", Err: errors.New("bad magic")},
	"vault.ErrAuditRollback":     vault.ErrAuditRollback,
	"vault.AuditRollbackError":   &vault.AuditRollbackError{Countersigned: 12, Have: 9},

	"sync.ErrCheckpointMalformed": fsync.ErrCheckpointMalformed,
	"sync.ErrCheckpointProof":     fsync.ErrCheckpointProof,
	"sync.CheckpointBaseError":    &fsync.CheckpointBaseError{Size: 40},
	"sync.ErrNoTerminalKey":       fsync.ErrNoTerminalKey,
	"sync.ErrBadToken":            fsync.ErrBadToken,
	"sync.ErrTokenUnknown":        fsync.ErrTokenUnknown,
	"sync.ErrTokenUsed":           fsync.ErrTokenUsed,
	"sync.ErrTokenExpired":        fsync.ErrTokenExpired,
	"sync.ErrRenewal":             fsync.ErrRenewal,
	"sync.ErrPinMismatch":         fsync.ErrPinMismatch,
	"sync.ErrNotEnrolled":         fsync.ErrNotEnrolled,
	"sync.ErrContainer":           fsync.ErrContainer,
	"sync.ErrBadSignature":        fsync.ErrBadSignature,
	"sync.ErrBadDigest":           fsync.ErrBadDigest,
	"sync.ErrMismatch":            fsync.ErrMismatch,
	"sync.HTTPError":              &fsync.HTTPError{Status: 422, Problem: fsync.Problem{Title: "Unprocessable", Code: "digest-conflict"}},
	"sync.ErrUnsigned":            fsync.ErrUnsigned,
	"sync.ErrPaused":              fsync.ErrPaused,
	"sync.ErrUnreachable":         fsync.ErrUnreachable,
}

// otherErrors reach screens from forms, hardware and the system; listed by hand.
var otherErrors = map[string]error{
	"forms.RuleError":         &forms.RuleError{Path: "health.outcome", Err: forms.ErrMedicOnly, Message: forms.Message{EN: "Only medical staff record it.", NL: "Alleen medisch personeel legt dit vast."}},
	"forms.Problems":          forms.Problems{{Path: "identity.surnames", Code: forms.CodeRequired, Message: forms.Message{EN: "Give a surname.", NL: "Geef een achternaam."}}},
	"forms.TransitionError":   &forms.TransitionError{From: "open", To: "closed", Err: forms.ErrTransition},
	"forms.TransitionOpen":    &forms.TransitionError{From: "open", To: "form_completed", Err: forms.ErrOpenChecks, Pending: []string{"SIS"}},
	"forms.PurgeRefusal":      &forms.PurgeRefusal{Code: forms.PurgeGraceRunning, Message: forms.Message{EN: "Wait for the grace period.", NL: "Wacht de bedenktijd af."}},
	"forms.ErrCaseTooLarge":   forms.ErrCaseTooLarge,
	"forms.ErrBadDate":        forms.ErrBadDate,
	"forms.ErrDataProtection": forms.ErrDataProtection,
	"forms.ErrCheckAnswered":  forms.ErrCheckAnswered,
	"forms.ErrNoSuchCheck":    forms.ErrNoSuchCheck,
	"pdf.ErrLanguage":         pdf.ErrLanguage,
	"pdf.ErrNoReference":      pdf.ErrNoReference,
	"mrz.ErrNotMRZ":           mrz.ErrNotMRZ,
	"hardware.ErrBusy":        hardware.Errorf(hardware.CodeBusy, "sbi:4501/finger", "status %d", 503),
	"hardware.QualityError":   &hardware.QualityError{Finger: 2, Score: 20, Threshold: 40},
	"hardware.Identity":       &hardware.IdentityChangedError{Device: "sbi:4501/finger", Fields: []string{"firmware"}},
	"disk full":               &fs.PathError{Op: "write", Path: "/var/lib/fieldscreen/vault/packets/3f9c2a.age", Err: syscall.ENOSPC},
	"read-only":               &fs.PathError{Op: "open", Path: "/media/usb/export", Err: syscall.EROFS},
	"no permission":           &fs.PathError{Op: "open", Path: "/root/out.pdf", Err: syscall.EACCES},
	"disk error":              &fs.PathError{Op: "read", Path: "/dev/sda", Err: syscall.EIO},
	"missing file":            &fs.PathError{Op: "open", Path: "/tmp/gone.json", Err: syscall.ENOENT},
	"refused connection":      &url.Error{Op: "Get", URL: "https://central.example:8443/v1/time", Err: &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}},
	"unknown CA":              &url.Error{Op: "Get", URL: "https://central.example:8443/v1/time", Err: x509.UnknownAuthorityError{}},
	"deadline":                context.DeadlineExceeded,
	"canceled":                context.Canceled,
}

// wrapped puts err under two layers of context the way app's services do.
func wrapped(err error) error {
	return fmt.Errorf("send case c-7d1e55aa: %w", fmt.Errorf("queue the security checks: %w", err))
}

// goText finds what must never reach a screen: paths, hexadecimal IDs, a case ID, format
// slips, the words app wraps errors with.
var goText = regexp.MustCompile(`/[a-z.]+/|[0-9a-f]{6,}|%!|\bc-[0-9a-f]|send case|queue the`)

// notASentence says why s does not read as sentences for the screen ("" when it does): it
// must start with a capital and end with a full stop, and no sentence in it may chain more
// than one ": " (a wrapped Go error does: "send case x: queue: write: no space").
func notASentence(s string) string {
	switch {
	case s == "":
		return "empty"
	case goText.MatchString(s):
		return "Go error text " + goText.FindString(s)
	case strings.ToUpper(s[:1]) != s[:1]:
		return "starts in lower case"
	case !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, ".)"):
		return "no full stop at the end"
	}
	for _, one := range strings.Split(s, ". ") {
		if strings.Count(one, ": ") > 1 {
			return "a chain of \": \""
		}
	}
	return ""
}

// TestSentencesComplete: every exported error of app, vault and sync (as found in their
// source) has an English and a Dutch sentence, different, non-empty and free of Go error
// text, also when wrapped; so do the forms, hardware and system errors app passes on.
func TestSentencesComplete(t *testing.T) {
	for _, name := range exportedErrors(t, map[string]string{"app": ".", "vault": "../vault", "sync": "../sync"}) {
		if _, ok := screenErrors[name]; !ok {
			t.Errorf("%s is exported but has no example in screenErrors: add one, and a sentence in sentence.go", name)
		}
	}
	all := map[string]error{}
	for k, v := range screenErrors {
		all[k] = v
	}
	for k, v := range otherErrors {
		all[k] = v
	}
	for name, err := range all {
		en, okEN := Sentence(wrapped(err), "en")
		nl, okNL := Sentence(wrapped(err), "nl")
		switch {
		case !okEN || !okNL || strings.TrimSpace(en) == "" || strings.TrimSpace(nl) == "":
			t.Errorf("%s: no sentence (en %q, nl %q)", name, en, nl)
		case en == nl:
			t.Errorf("%s: the Dutch sentence is the English one: %q", name, en)
		}
		for _, s := range []string{en, nl} {
			if why := notASentence(s); why != "" {
				t.Errorf("%s: not a sentence for the screen (%s): %q", name, why, s)
			}
		}
	}
}

// TestSentenceUntranslated: an error nobody translated gets no sentence, so the screen
// shows its own general one instead of the Go text.
func TestSentenceUntranslated(t *testing.T) {
	for _, err := range []error{nil, errors.New("bbolt: tx closed"), fmt.Errorf("encode case: %w", errors.New("json: unsupported value")),
		&fs.PathError{Op: "mkdir", Path: "/v/packets", Err: syscall.ENOTDIR}} {
		if s, ok := Sentence(err, "nl"); ok || s != "" {
			t.Errorf("%v: sentence %q, want none", err, s)
		}
	}
}

// TestSentenceChoice: the sentence follows what the person can do, not the first word of
// the chain: a refusal of the terminal, central's load, a refused packet and the network
// each say something else; a Sentencer outside a table error speaks first.
func TestSentenceChoice(t *testing.T) {
	refused, _ := Sentence(&fsync.HTTPError{Status: 422}, "en")
	revoked, _ := Sentence(&fsync.HTTPError{Status: 403, Problem: fsync.Problem{Code: "revoked"}}, "en")
	busy, _ := Sentence(&fsync.HTTPError{Status: 503}, "en")
	offline, _ := Sentence(fmt.Errorf("%w: %w", fsync.ErrUnreachable, &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), "en")
	net, _ := Sentence(&url.Error{Op: "Get", URL: "https://x", Err: &net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}}, "en")
	seen := map[string]string{}
	for name, s := range map[string]string{"refused": refused, "revoked": revoked, "busy": busy, "offline": offline} {
		if prev, dup := seen[s]; dup {
			t.Errorf("%s and %s say the same: %q", name, prev, s)
		}
		seen[s] = name
	}
	// a dial error may be central's or a device service's: it names neither
	if net == offline || strings.Contains(net, "entral") || strings.Contains(net, "device") {
		t.Errorf("a dial error says %q (central unreachable: %q)", net, offline)
	}
	// one door for what the officer does about a refusal: the error's sentence agrees with
	// the Sync screen's advice (a revoked terminal is central's call, an unknown one the
	// technician's enrolment)
	unknown, _ := Sentence(&fsync.HTTPError{Status: 403, Problem: fsync.Problem{Code: "unknown-device"}}, "en")
	if refusedAdvice("revoked") != AdviceCallCentral || !strings.Contains(revoked, "operator") || strings.Contains(revoked, "technician") {
		t.Errorf("revoked: advice %s, sentence %q", refusedAdvice("revoked"), revoked)
	}
	if refusedAdvice("unknown-device") != AdviceReEnrol || !strings.Contains(unknown, "enrol") || unknown == revoked {
		t.Errorf("unknown terminal: advice %s, sentence %q", refusedAdvice("unknown-device"), unknown)
	}
	stale := &StaleError{ID: "c-1", Read: 1, Current: 2}
	got, _ := Sentence(fmt.Errorf("%w: %w", vault.ErrNotFound, stale), "nl")
	if got != stale.Sentence("nl") {
		t.Errorf("Sentencer in the chain: %q", got)
	}
	if got, _ := Sentence(&vault.BackoffError{Wait: 90 * time.Second, Failures: 7}, "nl"); !strings.Contains(got, "7 mislukte") || !strings.Contains(got, "90 seconden") {
		t.Errorf("backoff: %q", got)
	}
}

// exportedErrors lists "pkg.Name" for every exported Err… variable and every exported type
// named …Error in the packages' non-test source.
func exportedErrors(t *testing.T, dirs map[string]string) []string {
	t.Helper()
	var out []string
	for pkg, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		fset := token.NewFileSet()
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			af, err := parser.ParseFile(fset, f, src, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range af.Decls {
				gd, ok := d.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, sp := range gd.Specs {
					switch s := sp.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if gd.Tok == token.VAR && n.IsExported() && strings.HasPrefix(n.Name, "Err") {
								out = append(out, pkg+"."+n.Name)
							}
						}
					case *ast.TypeSpec:
						if s.Name.IsExported() && strings.HasSuffix(s.Name.Name, "Error") {
							out = append(out, pkg+"."+s.Name.Name)
						}
					}
				}
			}
		}
	}
	sort.Strings(out)
	if len(out) < 40 {
		t.Fatalf("found only %d exported errors: is the source there? %v", len(out), out)
	}
	return out
}
