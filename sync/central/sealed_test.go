package central_test

import (
	"crypto/ed25519"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
)

// sealedFor is a real sealed packet of the enrolled terminal en under packet ID id, with a
// synthetic attachment of about size bytes: central opens the sealed header before it
// signs a receipt, so stand-in bytes are refused.
func sealedFor(t *testing.T, srv *central.Server, en *fsync.Enrolment, id string, size int) []byte {
	t.Helper()
	p := fsync.NewCheckPacket("case0000000000000001", []string{"TESTPERSON OSCAR"}, nil)
	p.Header.PacketID = id
	if size > 0 {
		b := make([]byte, size)
		for i := range b {
			b[i] = byte(i * 7)
		}
		p.Files = []fsync.File{{Name: "synthetic.bin", Data: b}}
	}
	s, err := fsync.Seal(p, en.DeviceID, srv.Keys().Identity.Recipient(), ed25519.PrivateKey(en.Key))
	if err != nil {
		t.Fatal(err)
	}
	return s.Data
}
