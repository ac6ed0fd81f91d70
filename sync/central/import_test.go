package central_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	fsync "github.com/fieldscreen/fieldscreen/sync"
	"github.com/fieldscreen/fieldscreen/sync/central"
	"github.com/fieldscreen/fieldscreen/sync/central/centraltest"
)

// TestImportRefusesSpecialFiles reproduces issue 14 item 10: packets import followed
// symlinks and read without a limit (a link to /dev/zero). Only regular files are read,
// never more than their metadata's size; a FIFO does not hang the import.
func TestImportRefusesSpecialFiles(t *testing.T) {
	srv, url := centraltest.Start(t, central.Options{})
	u := newUploadTerminal(t, srv, url)
	dir := t.TempDir()
	put := func(id string, data []byte, size int64) {
		t.Helper()
		r := signedRow(u.en, id, data)
		if size == 0 {
			size = r.Size
		}
		m, _ := json.Marshal(fsync.ExportMeta{PacketID: id, DeviceID: u.en.DeviceID, SHA256: r.SHA256, Size: size, Signature: r.Signature})
		if err := os.WriteFile(filepath.Join(dir, id+".json"), m, 0o600); err != nil {
			t.Fatal(err)
		}
		if data != nil {
			if err := os.WriteFile(filepath.Join(dir, id+".age"), data, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	good := sealedFor(t, srv, u.en, "importgood00000001", 0)
	put("importgood00000001", good, 0)
	// A symlink to /dev/zero whose metadata claims a size.
	put("importzero00000001", nil, 4096)
	os.Symlink("/dev/zero", filepath.Join(dir, "importzero00000001.age"))
	// A symlink to a real sealed packet elsewhere (central's own files could be reached so).
	elsewhere := filepath.Join(t.TempDir(), "p.age")
	other := sealedFor(t, srv, u.en, "importlink00000001", 0)
	os.WriteFile(elsewhere, other, 0o600)
	put("importlink00000001", nil, int64(len(other)))
	os.Symlink(elsewhere, filepath.Join(dir, "importlink00000001.age"))
	// A file longer than its metadata says.
	long := sealedFor(t, srv, u.en, "importlong00000001", 0)
	put("importlong00000001", long, int64(len(long)-10))
	// A FIFO: opening it for reading would block for ever.
	put("importfifo00000001", nil, 100)
	if err := syscall.Mkfifo(filepath.Join(dir, "importfifo00000001.age"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Metadata of more than 64 KiB.
	huge := sealedFor(t, srv, u.en, "importhuge00000001", 0)
	os.WriteFile(filepath.Join(dir, "importhuge00000001.age"), huge, 0o600)
	os.WriteFile(filepath.Join(dir, "importhuge00000001.json"), []byte(`{"packet_id":"importhuge00000001","pad":"`+strings.Repeat("a", 70<<10)+`"}`), 0o600)

	rep, err := srv.ImportDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Imported != 1 || len(rep.Refused) != 5 {
		t.Fatalf("imported %d, refused %q; want 1 and 5", rep.Imported, rep.Refused)
	}
	for _, want := range []string{"importzero00000001.age: not a regular file", "importlink00000001.age: not a regular file",
		"importlong00000001.age: ", "importfifo00000001.age: not a regular file", "importhuge00000001.age: metadata"} {
		found := false
		for _, r := range rep.Refused {
			found = found || strings.HasPrefix(r, want)
		}
		if !found {
			t.Errorf("no refusal starting %q in %q", want, rep.Refused)
		}
	}
}

// TestParseImportMeta: metadata fields are checked before anything is read.
func TestParseImportMeta(t *testing.T) {
	const id = "importmeta00000001"
	ok := `{"packet_id":"importmeta00000001","device_id":"dev0000000000000001","sha256":"` + strings.Repeat("ab", 32) + `","size":10,"signature":"` + strings.Repeat("A", 86) + `=="}`
	if _, err := central.ParseImportMeta([]byte(ok), id, 100); err != nil {
		t.Fatalf("good metadata: %v", err)
	}
	for name, b := range map[string]string{
		"not JSON":      `{`,
		"other packet":  strings.Replace(ok, id, "importmeta00000002", 1),
		"bad device":    strings.Replace(ok, "dev0000000000000001", "../../x", 1),
		"digest case":   strings.Replace(ok, strings.Repeat("ab", 32), strings.Repeat("AB", 32), 1),
		"size too big":  strings.Replace(ok, `"size":10`, `"size":101`, 1),
		"size negative": strings.Replace(ok, `"size":10`, `"size":-1`, 1),
		"no signature":  strings.Replace(ok, strings.Repeat("A", 86)+"==", "", 1),
	} {
		if _, err := central.ParseImportMeta([]byte(b), id, 100); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
