package central

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfigRefusesBadContacts: central does not start with data protection contacts that
// would print wrong on every terminal's leaflet (Eurodac Art 42(1)(a)); the error names the
// field. Good contacts are signed into the config as given.
func TestConfigRefusesBadContacts(t *testing.T) {
	good := `{"dataProtection":{"controller":{"name":"TEST Border Authority","email":"privacy@border.example"},
 "dpo":{"name":"TEST DPO","email":"dpo@border.example"},"supervisoryAuthority":{"name":"TEST DPA","web":"https://dpa.example"}}}`
	for _, tc := range []struct{ name, cfg, want string }{
		{"bad email", strings.Replace(good, "dpo@border.example", "dpo at border", 1), "dpo.email"},
		{"no authority", strings.Replace(good, `,"supervisoryAuthority":{"name":"TEST DPA","web":"https://dpa.example"}`, "", 1), "supervisoryAuthority.name is missing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(tc.cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(dir, Options{})
			if err == nil {
				s.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "config.json") {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.Contains(string(s.config.Payload), "dpo@border.example") {
		t.Fatal("the contacts are not in the signed config")
	}
}
