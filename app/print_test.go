package app

import (
	"bytes"
	"os/exec"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/vault"
)

func TestPreviewAndPrintForm(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatal("pdftoppm is missing: install Debian poppler-utils (make test does)")
	}
	term := newTestTerminal(t, time.Hour)
	sup, _ := term.Unlock("sup", []byte(testPass))
	c := adultCase(time.Now())
	id, err := sup.CreateCase(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ar"} {
		pages, err := sup.PreviewForm(id, lang)
		if err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		if len(pages) != 2 || pages[0].Bounds().Dx() < 400 || pages[0].Bounds().Dy() < 500 {
			t.Fatalf("%s: %d pages, first %v", lang, len(pages), pages[0].Bounds())
		}
	}
	var pdf bytes.Buffer
	if err := sup.PrintForm(&pdf, id, "fa"); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("print: %v", err)
	}
	if _, err := sup.PreviewForm(id, "xx"); err == nil {
		t.Fatal("a language without a form text was previewed")
	}
	// previews and prints are audited
	sup.Lock(LockedClosed)
	if err := sup.AddUser("aud", vault.Auditor, []byte(testPass)); err == nil {
		t.Fatal("a locked session added a user")
	}
	sup2, _ := term.Unlock("sup", []byte(testPass))
	if err := sup2.AddUser("aud", vault.Auditor, []byte(testPass)); err != nil {
		t.Fatal(err)
	}
	aud, _ := term.Unlock("aud", []byte(testPass))
	entries, err := aud.AuditEntries(vault.AuditFilter{Case: id})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, e := range entries {
		counts[e.Action]++
	}
	if counts[AuditPreview] != 3 || counts[AuditCasePrint] != 1 { // the refused "xx" preview still read the case
		t.Fatalf("audit of case %s: %v", id, counts)
	}
}
