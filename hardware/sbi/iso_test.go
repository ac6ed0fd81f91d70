package sbi

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"image"
	"image/color"
	"math/big"
	"strings"
	"testing"
	"time"
)

func testGray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 7)
	}
	return g
}

func TestFingerRecordRoundTrip(t *testing.T) {
	b, err := EncodeFinger(testGray(), 7, 63, 500)
	if err != nil {
		t.Fatal(err)
	}
	f, err := DecodeFinger(b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Position != 7 || f.Quality != 63 || f.PPI != 500 || string(f.Image.Pix) != string(testGray().Pix) {
		t.Fatalf("round trip: pos %d q %d ppi %d, pixels equal %v", f.Position, f.Quality, f.PPI, string(f.Image.Pix) == string(testGray().Pix))
	}
	for _, tc := range []struct {
		name string
		mut  func([]byte) []byte
		want string
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-1] }, "header says"},
		{"magic", func(b []byte) []byte { b[0] = 'X'; return b }, "magic"},
		{"short", func(b []byte) []byte { return b[:20] }, "shorter"},
		{"compression", func(b []byte) []byte { b[29] = 3; return b }, "compression 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := append([]byte(nil), b...)
			_, err := DecodeFinger(tc.mut(c))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

func TestFaceRecordRoundTrip(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 80))
	for i := range img.Pix {
		img.Pix[i] = 128
	}
	img.Set(1, 1, color.RGBA{255, 0, 0, 255})
	b, err := EncodeFace(img)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeFace(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Bounds() != img.Bounds() {
		t.Fatalf("face %v, want %v", got.Bounds(), img.Bounds())
	}
	if _, err := DecodeFace(b[:len(b)-3]); err == nil {
		t.Fatal("truncated face record accepted")
	}
}

func testKey(t testing.TB) (*rsa.PrivateKey, []byte) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return key, der
}

func TestJWS(t *testing.T) {
	key, der := testKey(t)
	tok, err := Sign([]byte(`{"a":1}`), key, der)
	if err != nil {
		t.Fatal(err)
	}
	p, cert, err := Verify(tok)
	if err != nil || string(p) != `{"a":1}` || string(cert.Raw) != string(der) {
		t.Fatalf("verify: %v %q", err, p)
	}
	parts := strings.Split(tok, ".")
	for name, bad := range map[string]string{
		"payload swapped": parts[0] + "." + b64.EncodeToString([]byte(`{"a":2}`)) + "." + parts[2],
		"alg none":        b64.EncodeToString([]byte(`{"alg":"none","x5c":[]}`)) + "." + parts[1] + ".",
		"two parts":       parts[0] + "." + parts[1],
	} {
		if _, _, err := Verify(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestChainHash(t *testing.T) {
	// SHA-256("") and a chain step computed independently of ChainHash's code path.
	if FirstHash != "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855" {
		t.Fatalf("first hash %s", FirstHash)
	}
	h, err := ChainHash(FirstHash, []byte("abc"))
	if err != nil || len(h) != 64 || h == FirstHash {
		t.Fatalf("chain hash %s %v", h, err)
	}
	if _, err := ChainHash("zz", nil); err == nil {
		t.Fatal("non-hex previous hash accepted")
	}
}

func FuzzDecodeFinger(f *testing.F) {
	b, _ := EncodeFinger(testGray(), 2, 50, 500)
	f.Add(b)
	f.Add([]byte("FIR\x00010\x00"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if r, err := DecodeFinger(b); err == nil && r.Image == nil {
			t.Fatal("nil image without error")
		}
	})
}

func FuzzDecodeFace(f *testing.F) {
	b, _ := EncodeFace(testGray())
	f.Add(b)
	f.Add([]byte("FAC\x00010\x00\x00\x00\x00\x0e"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if img, err := DecodeFace(b); err == nil && img == nil {
			t.Fatal("nil image without error")
		}
	})
}

func FuzzVerify(f *testing.F) {
	key, der := testKey(f)
	tok, _ := Sign([]byte(`{"x":1}`), key, der)
	f.Add(tok)
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, s string) {
		if p, c, err := Verify(s); err == nil && (p == nil || c == nil) {
			t.Fatal("verified without payload or certificate")
		}
	})
}
