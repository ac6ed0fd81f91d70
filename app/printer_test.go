package app

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/app/printtest"
	"github.com/fieldscreen/fieldscreen/vault"
)

// pdfFilesUnder lists every file under the roots that holds a PDF or the marker in plain:
// what a printed form would leave behind.
func pdfFilesUnder(t *testing.T, marker string, roots ...string) []string {
	t.Helper()
	var found []string
	for _, root := range roots {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			b, err := os.ReadFile(p)
			if err == nil && (bytes.Contains(b, []byte("%PDF-")) || bytes.Contains(b, []byte(marker))) {
				found = append(found, p)
			}
			return nil
		})
	}
	return found
}

// TestPrintLeavesNoFormOnDisk is the print canary (issue 14 item 5): the form goes to a real
// CUPS through lp's standard input; afterwards no PDF and no plain marker is in the home
// folder, the temp folder, the vault folder or the CUPS spool. With no printer chosen the
// answer is ErrNoPrinter and nothing is read or audited.
func TestPrintLeavesNoFormOnDisk(t *testing.T) {
	cups := printtest.Start(t)
	home, tmp := t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", tmp)
	term := newTestTerminal(t, time.Hour)
	sup, err := term.Unlock("sup", []byte(testPass))
	if err != nil {
		t.Fatal(err)
	}
	c := adultCase(time.Now())
	c.Identity.Surnames = []string{"CANARYPRINT"}
	id, err := sup.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sup.PrintFormOnPrinter(context.Background(), id, "en"); !errors.Is(err, ErrNoPrinter) {
		t.Fatalf("print with no printer chosen: %v, want ErrNoPrinter", err)
	}
	if err := term.UpdateConfig(func(c *Config) { c.Printer = cups.Queue }); err != nil {
		t.Fatal(err)
	}
	printers, err := Printers(context.Background())
	if err != nil || len(printers) != 1 || printers[0] != cups.Queue {
		t.Fatalf("printers: %v %v", printers, err)
	}
	job, err := sup.PrintFormOnPrinter(context.Background(), id, "en")
	if err != nil {
		t.Fatal(err)
	}
	paper := cups.Job(t, job)
	if !bytes.HasPrefix(paper, []byte("%PDF-")) {
		t.Fatalf("the printer got %d bytes that are not a PDF", len(paper))
	}
	txt := exec.Command("pdftotext", "-", "-")
	txt.Stdin = bytes.NewReader(paper)
	out, err := txt.Output()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils): %v", err)
	}
	if !strings.Contains(string(out), "CANARYPRINT") {
		t.Fatalf("the printed form does not show the person: %.200s", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(cups.SpoolFiles()) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if left := pdfFilesUnder(t, "CANARYPRINT", home, tmp, term.Config().VaultDir, cups.Spool); len(left) > 0 {
		t.Fatalf("printing left the form on disk: %v", left)
	}
	// a bad queue name never reaches lp as an option
	if _, err := PrintPDF(context.Background(), "-oevil", "x", paper); err == nil {
		t.Fatal("a queue name starting with '-' was accepted")
	}
	if _, err := PrintPDF(context.Background(), "absent-queue", "x", paper); err == nil || !strings.Contains(err.Error(), "absent-queue") {
		t.Fatalf("an unknown queue: %v", err)
	}
}

// TestSaveFormPDFAndLegacyFiles: saving as PDF writes the whole form, mode 0600, where the
// user chose; forms that earlier versions left in ~/Documents/fieldscreen are removed at
// start-up and at purge, and files the user saved elsewhere are left alone.
func TestSaveFormPDFAndLegacyFiles(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("TMPDIR", t.TempDir())
	legacy := filepath.Join(home, "Documents", "fieldscreen")
	if err := os.MkdirAll(legacy, 0o700); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(legacy, "screening-form-NL-2026-000001-en.pdf")
	mine := filepath.Join(legacy, "my-notes.pdf")
	for _, p := range []string{old, mine} {
		if err := os.WriteFile(p, []byte("%PDF-1.7 old"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f := newRetentionFixture(t, 1) // OpenTerminal sweeps
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an old printed form survived start-up: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Fatalf("a file fieldscreen did not write was removed: %v", err)
	}
	off := f.off
	id := f.referredAndSent(t, true) // a case the retention rule lets go once the grace has passed
	chosen := filepath.Join(t.TempDir(), "form.pdf")
	if err := off.SaveFormPDF(chosen, id, "nl"); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(chosen); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("saved form: %v %v", fi, err)
	}
	if err := os.WriteFile(old, []byte("%PDF-1.7 old"), 0o600); err != nil {
		t.Fatal(err)
	}
	f.setClock(f.now.Add(2 * time.Hour))
	if err := off.PurgeCase(id); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("an old printed form survived the purge: %v", err)
	}
	if _, err := os.Stat(chosen); err != nil {
		t.Fatal("the purge removed a file the user saved")
	}
	if err := off.SaveFormPDF(filepath.Join(t.TempDir(), "no", "such", "dir.pdf"), vault.CaseID(id), "en"); err == nil {
		t.Fatal("saving a purged case's form worked")
	}
}
