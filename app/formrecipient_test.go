package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// TestFormWaitsForReceivingAuthority (SR Art 18): the form goes to the authority the person
// is referred to. When central's config names none for the target (only relocation here),
// and no default, the form is not sent to nobody: it stays due, and FormNotSent says why in
// English and Dutch. Once central's config names a default authority, sending the case again
// queues the form, encrypted to that default's recipient.
func TestFormWaitsForReceivingAuthority(t *testing.T) {
	relocation, _ := age.GenerateX25519Identity()
	fallback, _ := age.GenerateX25519Identity()
	dir := t.TempDir()
	writeConfig := func(cfg string) {
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	writeConfig(`{"receiving_authorities": {"relocation": "` + relocation.Recipient().String() + `"}}`)
	srv, url, stop := centraltest.Serve(t, dir, "127.0.0.1:0", central.Options{})
	term := newTestTerminal(t, time.Hour)
	_, off := staff(t, term)
	med := medic(t, term)
	tok, _ := srv.CreateToken()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := off.Enrol(ctx, url, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	id := screenedCase(t, off, med, time.Now().Add(-8*24*time.Hour))
	c, rev, _ := off.ReadCase(id)
	if _, err := off.Do(id, rev, EndAtDeadline{}, RecordReferral{forms.Referral{To: forms.ReferAsylum, Authority: "IND Ter Apel"}}); err != nil {
		t.Fatal(err)
	}
	c, _, _ = off.ReadCase(id)
	if c.Status != forms.StatusReferred || len(c.FormPackets) != 0 {
		t.Fatalf("referred to asylum with no asylum authority configured: status %s, form packets %+v", c.Status, c.FormPackets)
	}
	if _, due := c.FormDue(); !due {
		t.Fatal("the form is no longer due although it was not sent")
	}
	m, ok := off.FormNotSent(c)
	if !ok || !strings.Contains(m.EN, `"asylum"`) || !strings.Contains(m.NL, "ontvangende autoriteit") {
		t.Fatalf("no sentence saying the form was not sent: %v %+v", ok, m)
	}
	if pk, err := off.Submit(id); err != nil || len(pk) != 0 {
		t.Fatalf("sent again with no authority: %v %v", pk, err)
	}

	// central's operator names a default authority; central restarts with it
	stop()
	writeConfig(`{"receiving_authorities": {"relocation": "` + relocation.Recipient().String() + `", "default": "` + fallback.Recipient().String() + `"}}`)
	srv, _, _ = centraltest.Serve(t, dir, strings.TrimPrefix(url, "https://"), central.Options{})
	if _, err := off.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := off.FormNotSent(c); ok {
		t.Error("still says not sent with a default authority configured")
	}
	pk, err := off.Submit(id)
	if err != nil || len(pk) != 1 {
		t.Fatalf("send after the config named a default: %v %v", pk, err)
	}
	c, _, _ = off.ReadCase(id)
	if len(c.FormPackets) != 1 || c.FormPackets[0].PacketID != pk[0] {
		t.Fatalf("form packets %+v", c.FormPackets)
	}
	man, files := openFormPacket(t, off, srv, pk[0], fallback)
	if man.To != "asylum" || man.Recipient != fallback.Recipient().String() || len(files["form.json"]) == 0 {
		t.Errorf("manifest %+v", man)
	}
}
