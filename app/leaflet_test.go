package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

const contactsConfig = `{"dataProtection":{
 "controller":{"name":"TEST Border Authority","email":"privacy@border.example"},
 "dpo":{"name":"TEST Data Protection Officer","email":"dpo@border.example"},
 "supervisoryAuthority":{"name":"TEST Data Protection Authority","web":"https://dpa.example"}}}`

func pdfToText(t *testing.T, b []byte) string {
	t.Helper()
	tool, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: apt-get install poppler-utils")
	}
	p := filepath.Join(t.TempDir(), "l.pdf")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", p, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(string(out)), " ")
}

// TestLeafletContactsFromSignedConfig: the contacts printed on the leaflet are the ones central
// signed in its config (Eurodac Art 42(1)(a)); before the terminal has central's config the
// leaflet says they are not set.
func TestLeafletContactsFromSignedConfig(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(contactsConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	srv, url, _ := centraltest.Serve(t, dir, "127.0.0.1:0", central.Options{})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)

	b, err := off.LeafletPDF("en", false)
	if err != nil {
		t.Fatal(err)
	}
	if text := pdfToText(t, b); !strings.Contains(text, "not set on this terminal") || strings.Contains(text, "border.example") {
		t.Fatalf("before the config: %s", text)
	}
	tok, err := srv.CreateToken()
	if err != nil {
		t.Fatal(err)
	}
	if err := off.Enrol(context.Background(), url, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := off.SyncOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, err := off.DataProtection()
	if err != nil || d == nil || d.DPO.Email != "dpo@border.example" {
		t.Fatalf("contacts: %+v %v", d, err)
	}
	for _, lang := range []string{"en", "ps", "ti"} {
		b, err := off.LeafletPDF(lang, lang == "ti")
		if err != nil {
			t.Fatal(err)
		}
		text := pdfToText(t, b)
		for _, want := range []string{"TEST Border Authority", "privacy@border.example", "dpo@border.example", "https://dpa.example", "72"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: %q not printed", lang, want)
			}
		}
	}
	if _, err := off.PrintLeaflet(context.Background(), "en", false); err != ErrNoPrinter {
		t.Fatalf("print without a printer: %v", err)
	}
}
