package app

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/fieldscreen/fieldscreen/biometrics/nist/eurodac"
	"github.com/fieldscreen/fieldscreen/forms"
	"github.com/fieldscreen/fieldscreen/hardware/sim"
	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// openWithAge decrypts a queued packet with the age command and central's identity, as an
// operator at central would, and reads its Eurodac transaction and meta.
func openWithAge(t *testing.T, s *Session, srv *central.Server, packetID string) (*eurodac.Dataset, map[string]string) {
	t.Helper()
	if _, err := exec.LookPath("age"); err != nil {
		t.Fatal("the age command is missing: install the Debian package age (apt-get install age)")
	}
	idFile := filepath.Join(t.TempDir(), "central.key")
	if err := os.WriteFile(idFile, []byte(srv.Keys().Identity.String()+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	plain, err := exec.Command("age", "-d", "-i", idFile, fsync.PacketPath(s.packetDir, packetID)).Output()
	if err != nil {
		t.Fatalf("age -d: %v", err)
	}
	p, err := fsync.Unmarshal(plain)
	if err != nil {
		t.Fatal(err)
	}
	if p.Header.Kind != fsync.KindEurodac || len(p.Files) != 1 {
		t.Fatalf("packet %s: kind %s, %d files", packetID, p.Header.Kind, len(p.Files))
	}
	return eurodacOf(t, p)
}

// TestDocumentScanSentToEurodac (ER Art 17(1)(j)): the scan the simulated reader gives,
// attached with "suspected false", travels in the Eurodac packet (opened with age) with its
// authenticity; a scan attached after that transmission is sent as an update under the same
// reference, naming the first transmission (ASSUMPTION, docs/eurodac-profile.md §6a).
func TestDocumentScanSentToEurodac(t *testing.T) {
	srv, _, off, scanner, camera, reader := enrolledOfficer(t, 5)
	c0 := adultCase(time.Now())
	c0.Identity.Nationalities = []string{"UTO"}
	c0.Documents = []forms.Document{{Type: "P", Number: "X12345678", IssuingState: "UTO", Source: "manual"}}
	id, err := off.CreateCase(c0)
	if err != nil {
		t.Fatal(err)
	}
	scan, err := off.ScanDocumentPage(context.Background(), reader)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Do(id, 1, AttachDocumentScan{Index: 0, Scan: scan, Authenticity: forms.AuthenticitySuspectedFalse}); err != nil {
		t.Fatal(err)
	}
	if _, err := off.CaptureBiometrics(context.Background(), id, scanner, camera, nil); err != nil {
		t.Fatal(err)
	}
	first, err := off.Submit(id)
	if err != nil || len(first) != 2 {
		t.Fatalf("first send: %v %v", first, err)
	}
	c, rev, _ := off.ReadCase(id)
	ds, _ := openWithAge(t, off, srv, first[1])
	sc := ds.Subject.Scan
	if sc == nil {
		t.Fatal("the Eurodac transaction carries no document scan")
	}
	stored, _ := off.DocumentScanImage(id, c.Documents[0].ScanRef)
	if string(sc.Image) != string(stored) || sc.Authenticity != forms.AuthenticitySuspectedFalse || sc.DocumentType != "P" ||
		sc.Acquisition != eurodac.AcquisitionScanner || sc.Width != sim.PageWidth {
		t.Errorf("scan in the transaction: %s %s %s %dx%d (%d bytes, stored %d)", sc.Authenticity, sc.DocumentType, sc.Acquisition, sc.Width, sc.Height, len(sc.Image), len(stored))
	}
	if again, _ := off.Submit(id); len(again) != 0 {
		t.Fatalf("resent without a change: %v", again)
	}

	// a better scan is attached later: an update under the same reference
	off.nowFunc = func() time.Time { return time.Now().Add(time.Hour) }
	better, err := PrepareScan(bytesReader(encodeJPEG(t, colourPage(1200, 840))))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := off.Do(id, rev, AttachDocumentScan{Index: 0, Scan: better, Authenticity: forms.AuthenticityGenuine}); err != nil {
		t.Fatal(err)
	}
	update, err := off.Submit(id)
	if err != nil || len(update) != 1 {
		t.Fatalf("after the new scan: %v %v", update, err)
	}
	ds, meta := openWithAge(t, off, srv, update[0])
	if meta["update_of"] != c.Eurodac.ControlNum || ds.Subject.ReferenceNumber != c.Reference || ds.Transmission.ControlRef != c.Eurodac.ControlNum {
		t.Errorf("update: meta %v, reference %q, TCR %q; first TCN %q", meta, ds.Subject.ReferenceNumber, ds.Transmission.ControlRef, c.Eurodac.ControlNum)
	}
	if sc := ds.Subject.Scan; sc == nil || sc.Authenticity != forms.AuthenticityGenuine || string(sc.Image) != string(better.JPEG()) {
		t.Errorf("the update does not carry the new scan: %+v", sc)
	}
}
